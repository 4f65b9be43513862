"""The main window: profile autosave, navigation, settings restore, files and history."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.services import audit, records
from app.services.errors import UserError
from app.services.store import Store, open_store
from ui.main_window import TAB_NAMES, MainWindow
from ui.settings import Settings

Button = QMessageBox.StandardButton


def city(store: Store, name: str = "City of Albuquerque", state: str = "NM") -> records.Record:
    return records.create(store, "jurisdiction", {"name": name, "kind": "city", "state": state})


def open_on(window: MainWindow, jurisdiction_id: int, tab: str = "profile") -> None:
    window.navigator.refresh()
    assert window.select_jurisdiction(jurisdiction_id)
    window.show_tab(tab)


def test_starts_on_the_dashboard_with_the_database_in_the_status_bar(window, db_path: Path):
    assert window.stack.currentWidget() is window.dashboard
    assert str(db_path) in window.database_label.text()
    assert window.actor_label.text() == "Working as: Test Clerk"
    assert window.windowTitle() == f"Jurisdesk — {db_path.name}"


def test_profile_autosaves_after_typing_stops(qtbot, window, store: Store) -> None:
    albuquerque = city(store)
    open_on(window, albuquerque.id)
    agency = window.profile.form.editor("police_agency")
    qtbot.keyClicks(agency, "Albuquerque Police Department")
    assert window.profile.state_label.text() == "Saving shortly…"
    qtbot.waitUntil(
        lambda: (
            records.get(store, "jurisdiction", albuquerque.id)["police_agency"]
            == "Albuquerque Police Department"
        ),
        timeout=3000,
    )
    assert window.profile.state_label.text() == "All changes saved"
    assert window.statusBar().currentMessage() == "Saved"


def test_typing_survives_closing_the_window(qtbot, window, store: Store, db_path: Path) -> None:
    albuquerque = city(store)
    open_on(window, albuquerque.id)
    chief = window.profile.form.editor("chief_name")
    qtbot.keyClicks(chief, "Gorden Eden")
    window.close()  # before the autosave delay has passed

    reopened = open_store(db_path)
    try:
        assert records.get(reopened, "jurisdiction", albuquerque.id)["chief_name"] == "Gorden Eden"
    finally:
        reopened.close()


def test_invalid_profile_typing_is_not_lost_when_switching(
    qtbot, window, store: Store, dialogs
) -> None:
    albuquerque = city(store)
    baltimore = city(store, "Baltimore City", "MD")
    open_on(window, albuquerque.id)
    state = window.profile.form.editor("state")
    state.clear()
    qtbot.keyClicks(state, "ZZ")
    assert "not a USPS state code" in window.profile.form.error_text("state")

    dialogs.answer(Button.Cancel)  # "Go back and fix it"
    window.navigator.select(baltimore.id)
    assert dialogs.shown[-1].title == "Profile not saved"
    assert "State" in dialogs.shown[-1].informative
    assert window.navigator.selected_id() == albuquerque.id
    assert window.profile.form.editor("state").text() == "ZZ"
    assert records.get(store, "jurisdiction", albuquerque.id)["state"] == "NM"

    dialogs.answer(Button.Discard)
    window.navigator.select(baltimore.id)
    assert window.profile.record.id == baltimore.id


def test_profile_conflict_asks_and_reloads(qtbot, window, store: Store, dialogs) -> None:
    albuquerque = city(store)
    open_on(window, albuquerque.id)
    records.update(store, "jurisdiction", albuquerque.id, {"population": 560_000}, 1)
    qtbot.keyClicks(window.profile.form.editor("police_agency"), "APD")
    dialogs.answer(Button.Reset)  # "Reload"
    window.profile.save_now()
    assert dialogs.titles == ["Changed by someone else"]
    stored = records.get(store, "jurisdiction", albuquerque.id)
    assert stored["police_agency"] is None
    assert window.profile.form.editor("population").text() == "560000"


def test_settings_restore_geometry_jurisdiction_and_tab(qtbot, store: Store, settings) -> None:
    albuquerque = city(store)
    baltimore = city(store, "Baltimore City", "MD")
    first = MainWindow(store, settings)
    qtbot.addWidget(first)
    first.show()
    first.setGeometry(QRect(20, 30, 760, 700))  # the offscreen screen is 800×800
    open_on(first, baltimore.id, "facilities")
    first.close()

    second = MainWindow(store, Settings())
    qtbot.addWidget(second)
    second.show()
    assert second.size() == first.size()
    assert second.navigator.selected_id() == baltimore.id != albuquerque.id
    assert second.current_tab() == "facilities"
    assert second.stack.currentWidget() is second.tabs
    assert second.facilities.parent_id == baltimore.id
    assert settings.recent_databases() == [store.path.resolve()]


def test_first_start_opens_large_and_centred(qtbot, store: Store, settings) -> None:
    window = MainWindow(store, settings)  # no saved geometry
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    expected_width = min(max(available.width() * 9 // 10, 1024), available.width())
    expected_height = min(max(available.height() * 9 // 10, 768), available.height())
    assert window.width() == max(expected_width, window.minimumSizeHint().width())
    assert window.height() == max(expected_height, window.minimumSizeHint().height())
    centre = window.frameGeometry().center()
    assert abs(centre.x() - available.center().x()) <= 1
    assert abs(centre.y() - available.center().y()) <= 1


def test_show_tab_and_dashboard_for_screenshots(window, store: Store) -> None:
    albuquerque = city(store)
    window.navigator.refresh()
    window.select_jurisdiction(albuquerque.id)
    for name in TAB_NAMES:
        window.show_tab(name)
        assert window.current_tab() == name
    window.show_dashboard()
    assert window.stack.currentWidget() is window.dashboard
    assert window.navigator.selected_id() is None
    with pytest.raises(ValueError, match="unknown tab"):
        window.show_tab("nonsense")


def test_find_focuses_the_navigator_search(qtbot, window, store: Store) -> None:
    city(store)
    city(store, "Baltimore City", "MD")
    window.navigator.refresh()
    window.find_action.trigger()
    assert window.navigator.search_edit.hasFocus()
    qtbot.keyClicks(window.navigator.search_edit, "balt")
    qtbot.keyClick(window.navigator.search_edit, Qt.Key.Key_Return)
    assert window.navigator.model.rowCount() == 1
    assert window.navigator.selected().name == "Baltimore City"


def test_history_tab_shows_a_change(qtbot, window, store: Store) -> None:
    albuquerque = city(store)
    facility = records.create(
        store,
        "facility",
        {"name": "MDC", "facility_type": "jail", "operator_type": "county",
         "operator_name": "City"},
        albuquerque.id,
    )  # fmt: skip
    open_on(window, albuquerque.id, "facilities")
    window.facilities.select_record(facility.id)
    dialog = window.facilities.edit_record()
    operator = dialog.form.editor("operator_name")
    operator.clear()
    qtbot.keyClicks(operator, "Bernalillo County")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    window.show_tab("history")
    rows = window.history.texts()
    assert rows[0][1:] == ["Test Clerk", "Changed", "Facility: MDC", "Operator",
                           "City → Bernalillo County"]  # fmt: skip
    window.history.filter_edit.setText("bernalillo")
    assert len(window.history.texts()) == 1

    # The same change from the record's own history window.
    window.show_tab("facilities")
    history = window.show_record_history(facility.uuid, "Facility: MDC")
    assert [row[4] for row in history.panel.texts()] == ["Operator", ""]


def test_staff_name_goes_into_the_audit_trail(
    qtbot, window, store: Store, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("Maria Lopez", True))
    )
    window.staff_name_action.trigger()
    assert store.actor == "Maria Lopez"
    assert settings.staff_name() == "Maria Lopez"
    assert window.actor_label.text() == "Working as: Maria Lopez"
    created = city(store)
    assert audit.history(store, entity_uuid=created.uuid)[0].actor == "Maria Lopez"


def test_open_refused_file_keeps_the_current_database(
    qtbot, window, store: Store, tmp_path: Path, dialogs, choose_file
) -> None:
    foreign = tmp_path / "letter.sqlite"
    foreign.write_bytes(b"This is not a database, just a letter." * 50)
    choose_file("getOpenFileName", foreign)
    window.open_database_action.trigger()
    assert dialogs.shown
    assert dialogs.shown[-1].title == "Cannot do that"
    assert window.store is store
    assert foreign.read_bytes().startswith(b"This is not a database")


def test_new_database_then_recent_files(qtbot, window, store: Store, tmp_path, choose_file):
    target = tmp_path / "second.sqlite"
    choose_file("getSaveFileName", target)
    window.new_database_action.trigger()
    assert target.exists()
    assert window.store.path == target
    assert window.navigator.model.rowCount() == 0
    assert str(target) in window.database_label.text()
    window.database.fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert texts[0] == f"&1 {target.resolve()}"
    assert texts[1] == f"&2 {store.path.resolve()}"
    window.store.close()


def test_backup_export_and_import(qtbot, window, store: Store, tmp_path, choose_file, dialogs):
    albuquerque = city(store)
    open_on(window, albuquerque.id)
    copy = tmp_path / "backup.sqlite"
    choose_file("getSaveFileName", copy)
    window.backup_action.trigger()
    qtbot.waitUntil(lambda: "Backup copy written" in window.statusBar().currentMessage())
    assert copy.exists()

    exported = tmp_path / "albuquerque.json"
    choose_file("getSaveFileName", exported)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: "Exported" in window.statusBar().currentMessage())
    assert exported.exists()

    second = tmp_path / "other.sqlite"
    choose_file("getSaveFileName", second)
    window.new_database_action.trigger()
    choose_file("getOpenFileName", exported)
    window.import_action.trigger()
    qtbot.waitUntil(lambda: dialogs.titles[-1:] == ["Import finished"], timeout=5000)
    names = [r.title for r in records.list_records(window.store, "jurisdiction")]
    assert names == ["City of Albuquerque"]
    assert window.navigator.selected().name == "City of Albuquerque"
    window.store.close()


def test_import_problems_are_listed(qtbot, window, tmp_path, choose_file, dialogs) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something else"}', encoding="utf-8")
    choose_file("getOpenFileName", broken)
    window.import_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.shown), timeout=5000)
    shown = dialogs.shown[-1]
    assert "broken.json" in shown.text + shown.informative
    assert window.navigator.model.rowCount() == 0


def test_start_up_with_a_refused_file_offers_a_choice(tmp_path: Path, dialogs) -> None:
    from ui.application import choose_instead

    foreign = tmp_path / "minutes.sqlite"
    foreign.write_bytes(b"Council minutes, not a database." * 40)
    with pytest.raises(UserError) as refused:
        open_store(foreign, actor=None)
    dialogs.answer(Button.Close)  # "Quit"
    assert choose_instead(foreign, refused.value) is None
    assert dialogs.shown[-1].title == "Cannot open the database"
    assert foreign.read_bytes().startswith(b"Council minutes")


def test_window_title_names_the_file_once(qtbot, tmp_path: Path, settings: Settings) -> None:
    store = open_store(tmp_path / "b.sqlite", actor="Test Clerk")
    window = MainWindow(store, settings)
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.windowTitle() == "Jurisdesk — b.sqlite"
        assert not window.demo_label.isVisible()
    finally:
        window.store.close()


def test_the_window_shows_first_and_the_database_opens_in_the_background(
    qtbot, tmp_path: Path, settings: Settings
) -> None:
    from ui.application import open_in_window

    path = tmp_path / "office.sqlite"
    open_store(path, actor="Test Clerk").close()
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show_opening(path)
    window.show()
    assert not window.workspace_ready
    assert window.opening_label.text() == "Opening office.sqlite…"
    assert window.windowTitle() == "Jurisdesk — office.sqlite"
    # Until the database is there, only Quit and About work.
    assert window.quit_action.isEnabled()
    assert not window.open_database_action.isEnabled()
    assert not window.main_menu.new_jurisdiction_action.isEnabled()
    open_in_window(window, path, "Test Clerk")
    qtbot.waitUntil(lambda: window.workspace_ready, timeout=20_000)
    try:
        assert window.store.path == path
        assert window.stack.currentWidget() is window.dashboard
        assert window.open_database_action.isEnabled()
        assert window.main_menu.new_jurisdiction_action.isEnabled()
        assert settings.recent_databases()[0] == path
    finally:
        window.store.close()


def test_a_file_refused_at_start_offers_a_choice_over_the_window(
    qtbot, tmp_path: Path, settings: Settings, dialogs, choose_file
) -> None:
    from ui.application import open_in_window

    foreign = tmp_path / "minutes.sqlite"
    foreign.write_bytes(b"Council minutes, not a database." * 40)
    fresh = tmp_path / "new.sqlite"
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show_opening(foreign)
    window.show()
    dialogs.answer(Button.Save)  # "Create new…"
    choose_file("getSaveFileName", fresh)
    open_in_window(window, foreign, "Test Clerk")
    qtbot.waitUntil(lambda: window.workspace_ready, timeout=20_000)
    try:
        assert dialogs.shown[0].title == "Cannot open the database"
        assert window.store.path == fresh
        assert window.windowTitle() == "Jurisdesk — new.sqlite"
        assert foreign.read_bytes().startswith(b"Council minutes")
    finally:
        window.store.close()


def test_deleting_a_response_updates_the_list_and_the_dashboard(window, dialogs) -> None:
    from app.services import responses
    from tests.ui.test_dashboard_updates import text_of

    albuquerque = city(window.store)
    responses.start_response(window.store, albuquerque.id, "doj-psp-2017")
    open_on(window, albuquerque.id, "responses")
    assert text_of(window.navigator, albuquerque.id).endswith("1 response · 1 open")
    panel = window.responses
    panel.table.selectRow(0)
    dialogs.answer(Button.Yes)
    assert panel.delete_selected()
    assert text_of(window.navigator, albuquerque.id).endswith("0 facilities")
    window.show_dashboard()
    assert window.dashboard.model.rowCount() == 0
