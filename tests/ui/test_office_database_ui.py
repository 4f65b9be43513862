"""The office database on a PostgreSQL server in the window: File ▸ Connect to office
database…, the password the server asks for, setting up an empty database only when asked to,
the recent list, and every refusal leaving the database that was open as it was.

A real throwaway server (tests/postgres_server.py) answers; its roles are trusted on the
socket, except the one a test gives a password."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton

from app import db
from app.locations import OfficeServer, parse_location, parse_server
from app.services import records
from app.services.store import Store, open_store
from tests.postgres_server import PostgresServer
from ui import office_database
from ui.main_window import MainWindow
from ui.office_database import ConnectDialog, PasswordDialog
from ui.settings import Settings

Button = QMessageBox.StandardButton
CONNECT_TIMEOUT_MS = 30_000
# Nothing listens on port 1: the connection is refused at once.
UNREACHABLE = "postgresql://clerk@127.0.0.1:1/jurisdesk"
PASSWORD = "Correct Horse 7"


@dataclass
class OfficeDialogs:
    """Fills the connect and password dialogs as a person would, and notes what they said."""

    address: str | None = None  # pasted into the connect dialog; None: Cancel
    passwords: list[str | None] = field(default_factory=list)  # None: Cancel
    connect_dialogs: int = 0
    password_prompts: list[tuple[str, bool]] = field(default_factory=list)

    def __call__(self, dialog: QDialog) -> int:
        if isinstance(dialog, ConnectDialog):
            self.connect_dialogs += 1
            if self.address is None:
                return 0
            dialog.address_edit.setText(self.address)
            dialog.address_edit.textEdited.emit(self.address)  # as a paste does
            dialog.connect_button.click()
            return dialog.result()
        assert isinstance(dialog, PasswordDialog)
        assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
        refused = not dialog.refused_label.isHidden()
        self.password_prompts.append((dialog.text_label.text(), refused))
        answer = self.passwords.pop(0) if self.passwords else None
        if answer is None:
            return 0
        dialog.password_edit.setText(answer)
        dialog.connect_button.click()
        return dialog.result()


@pytest.fixture
def office(monkeypatch: pytest.MonkeyPatch) -> OfficeDialogs:
    filler = OfficeDialogs()
    monkeypatch.setattr(office_database, "present", filler)
    # Only the password typed counts, not one the machine may keep for libpq.
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/jurisdesk-tests/pgpass")
    return filler


def _server(url: str) -> OfficeServer:
    location = parse_location(url)
    assert isinstance(location, OfficeServer)
    return location


def _wait_connected(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.connecting is None, timeout=CONNECT_TIMEOUT_MS)
    # The dashboard reads in the background: let it finish before the database may close.
    qtbot.waitUntil(lambda: not window.dashboard.loading, timeout=CONNECT_TIMEOUT_MS)


def _settings_text(folder: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in folder.rglob("*") if path.is_file())


def _execute(server: OfficeServer, *statements: str) -> None:
    options = dict(server.options)
    with psycopg.connect(
        host=options["host"], user=server.user, dbname=server.database, autocommit=True
    ) as connection:
        for statement in statements:
            connection.execute(statement)


# == File ▸ Connect to office database… =====================================================


def test_connecting_to_an_empty_office_database_asks_then_sets_it_up(
    qtbot, window: MainWindow, store: Store, settings: Settings, postgres_url, office, dialogs
) -> None:
    server = _server(postgres_url)
    office.address = server.address
    dialogs.answer(Button.Yes)  # "Set up"
    window.connect_action.trigger()
    _wait_connected(qtbot, window)
    try:
        assert office.connect_dialogs == 1
        assert dialogs.titles == ["Set up the office database"]
        assert dialogs.shown[0].text == (
            f"Set up a new Jurisdesk database in {server.database} on this PC?"
        )
        assert window.store.server == server
        assert window.store.database.schema_revision == db.head_revision()
        assert window.windowTitle() == f"Jurisdesk — {server.database} on this PC"
        assert window.database_label.text() == f"Office database: {server.database} on this PC"
        assert window.database_label.toolTip() == server.address
        assert window.statusBar().currentMessage() == (
            f"Connected to the office database {server.database} on this PC."
        )
        assert settings.recent_databases()[:2] == [server, store.path.resolve()]
        # What makes no sense on a shared database is off, and says why.
        assert not window.restore_action.isEnabled()
        assert "pg_restore" in window.restore_action.toolTip()
        assert "pg_restore" in window.restore_action.statusTip()
        assert window.backup_action.isEnabled()
        assert "file on this PC" in window.backup_action.toolTip()
        window.database.restore_backup()
        assert dialogs.shown[-1].title == "Restore from backup"
        assert "IT restores it" in dialogs.shown[-1].text
        window.show_about()
        assert f"Address: {server.address}" in dialogs.shown[-1].informative
        # It is a working database: what is saved is there for the next one to connect.
        created = records.create(
            window.store, "jurisdiction", {"name": "City of Tulsa", "kind": "city", "state": "OK"}
        )
        window.navigator.refresh()
        assert window.select_jurisdiction(created.id)
    finally:
        window.store.close()
    assert store.path is not None
    assert window.switch_database(store.path)
    assert window.restore_action.isEnabled()
    assert window.windowTitle() == f"Jurisdesk — {store.path.name}"

    # The recent list holds the address and connects to it again, where the user left off;
    # the database is set up now, so nothing is asked.
    window.database.fill_recent_menu()
    entries = [a for a in window.recent_menu.actions() if "(office database)" in a.text()]
    assert [a.text() for a in entries] == [f"&2 {server.database} on this PC (office database)"]
    assert entries[0].toolTip() == server.address
    shown = len(dialogs.shown)
    entries[0].trigger()
    _wait_connected(qtbot, window)
    try:
        assert len(dialogs.shown) == shown
        assert office.connect_dialogs == 1
        assert window.store.server == server
        assert window.navigator.selected_id() == created.id
    finally:
        window.store.close()


def test_declining_to_set_up_an_empty_office_database_stays_where_one_was(
    qtbot, window: MainWindow, store: Store, settings: Settings, postgres_url, office, dialogs
) -> None:
    server = _server(postgres_url)
    office.address = server.address
    dialogs.answer(Button.Cancel)
    window.connect_action.trigger()
    _wait_connected(qtbot, window)
    assert dialogs.titles == ["Set up the office database"]
    assert window.store is store
    assert window.windowTitle() == f"Jurisdesk — {store.path.name}"
    assert window.statusBar().currentMessage() == (
        f"The office database {server.database} on this PC is empty and was not set up."
    )
    from app import db_server

    assert db_server.server_revision(server) is None, "nothing was made in it"
    assert server not in settings.recent_databases()


def test_cancelling_the_connect_dialog_changes_nothing(
    window: MainWindow, store: Store, office, dialogs
) -> None:
    window.connect_action.trigger()
    assert office.connect_dialogs == 1
    assert window.connecting is None
    assert window.store is store
    assert dialogs.shown == []


def test_the_server_asks_for_a_password_and_a_wrong_one_is_refused(
    qtbot,
    window: MainWindow,
    store: Store,
    settings: Settings,
    postgres_server: PostgresServer,
    postgres_url,
    office,
    dialogs,
    private_settings: Path,
) -> None:
    name = _server(postgres_url).database
    server = _server(postgres_server.add_role_with_password("clerk", PASSWORD, owner_of=name))
    office.address = server.address
    office.passwords = [PASSWORD.lower(), PASSWORD]
    dialogs.answer(Button.Yes)  # set up the empty database, as clerk
    window.connect_action.trigger()
    _wait_connected(qtbot, window)
    try:
        asked = (
            f"To open the office database {name} on this PC, the server asks for the password "
            "of clerk."
        )
        assert office.password_prompts == [(asked, False), (asked, True)]
        assert dialogs.titles == ["Set up the office database"]
        assert window.store.server == server
        settings.sync()
        saved = _settings_text(private_settings)
        assert server.address in saved
        assert PASSWORD not in saved
    finally:
        window.store.close()


def test_no_password_given_stays_where_one_was(
    qtbot, window: MainWindow, store: Store, postgres_server, postgres_url, office, dialogs
) -> None:
    name = _server(postgres_url).database
    server = _server(postgres_server.add_role_with_password("clerk", PASSWORD, owner_of=name))
    office.address = server.address
    office.passwords = [None]
    window.connect_action.trigger()
    _wait_connected(qtbot, window)
    assert len(office.password_prompts) == 1
    assert dialogs.shown == []
    assert window.store is store
    assert window.statusBar().currentMessage() == (
        f"No password was given, so the office database {name} on this PC was not opened."
    )


def test_an_unreachable_server_says_so_and_the_open_database_stays(
    qtbot, window: MainWindow, store: Store, settings: Settings, office, dialogs
) -> None:
    office.address = UNREACHABLE
    window.connect_action.trigger()
    # The window answers meanwhile: connecting goes on off its thread.
    assert window.connecting is not None
    _wait_connected(qtbot, window)
    assert dialogs.titles == ["Cannot connect to the office database"]
    assert "cannot reach the office database jurisdesk on 127.0.0.1:1" in dialogs.shown[0].text
    assert "Traceback" not in dialogs.shown[0].text + dialogs.shown[0].detailed
    assert dialogs.shown[0].informative == f"You are still working in {store.path}."
    assert window.store is store
    assert window.windowTitle() == f"Jurisdesk — {store.path.name}"
    assert all(isinstance(known, Path) for known in settings.recent_databases())


def test_a_slow_server_can_be_given_up_on(
    qtbot, window: MainWindow, store: Store, office, dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import opening

    class LateStore:
        closed = False

        def close(self) -> None:
            self.closed = True

    answer = threading.Event()
    late = LateStore()

    def slow(*_args: object, **_kwargs: object) -> LateStore:
        answer.wait(CONNECT_TIMEOUT_MS / 1000)
        return late

    monkeypatch.setattr(opening, "open_location", slow)
    office.address = "postgresql://clerk@records.cityhall.local/jurisdesk"
    window.connect_action.trigger()
    connecting = window.connecting
    assert connecting is not None
    progress = connecting._progress
    assert progress is not None
    # After a moment the wait shows, with Cancel; the window answers meanwhile.
    qtbot.waitUntil(progress.isVisible, timeout=5000)
    assert progress.labelText() == (
        "Connecting to the office database jurisdesk on records.cityhall.local…"
    )
    window.show_tab("profile")  # the window answers (no jurisdiction: it says so)
    assert window.statusBar().currentMessage() == "Choose a jurisdiction first."
    progress.findChild(QPushButton).click()
    assert window.connecting is None
    assert window.store is store
    assert window.statusBar().currentMessage() == (
        "Connecting to the office database jurisdesk on records.cityhall.local was cancelled."
    )
    # The connection made after all is let go.
    answer.set()
    qtbot.waitUntil(lambda: late.closed, timeout=5000)
    assert window.store is store
    assert dialogs.shown == []


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        ("foreign", "holds tables that are not Jurisdesk's"),
        ("older", "ask IT to back it up and upgrade it"),
        ("newer", "was upgraded for a newer version of Jurisdesk"),
    ],
)
def test_a_database_this_jurisdesk_cannot_use_is_refused_with_the_reason(
    qtbot, window: MainWindow, store: Store, postgres_url, office, dialogs, prepare, expected
) -> None:
    server = _server(postgres_url)
    if prepare == "foreign":
        _execute(server, "CREATE TABLE minutes (id integer PRIMARY KEY, body text)")
    else:
        open_store(server, actor="IT", create=True).close()
        revision = (
            next(r for r in db.known_revisions() if r != db.head_revision())
            if prepare == "older"
            else "9999_from_the_future"
        )
        _execute(server, f"UPDATE alembic_version SET version_num = '{revision}'")
    office.address = server.address
    window.connect_action.trigger()
    _wait_connected(qtbot, window)
    assert dialogs.titles == ["Cannot connect to the office database"]
    assert expected in dialogs.shown[0].text
    assert window.store is store


def test_a_backup_copy_of_an_office_database_is_a_file(
    qtbot, window: MainWindow, postgres_url, office, dialogs, tmp_path: Path, choose_file
) -> None:
    pytest.importorskip("app.services.copying")
    server = _server(postgres_url)
    open_store(server, actor="IT", create=True).close()
    office.address = server.address
    window.connect_action.trigger()
    _wait_connected(qtbot, window)
    try:
        assert window.store.server == server
        copy = tmp_path / "copy.sqlite"
        choose_file("getSaveFileName", copy)
        window.backup_action.trigger()
        qtbot.waitUntil(
            lambda: "Backup copy written" in window.statusBar().currentMessage(), timeout=30_000
        )
        open_store(copy, create=False).close()
    finally:
        window.store.close()


# == starting with an office database ======================================================


def test_starting_with_an_empty_office_database_asks_to_set_it_up(
    qtbot, settings: Settings, postgres_url, dialogs
) -> None:
    from ui.application import open_in_window

    server = _server(postgres_url)
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show_opening(server)
    window.show()
    assert window.opening_label.text() == (
        f"Connecting to the office database {server.database} on this PC…"
    )
    assert window.windowTitle() == f"Jurisdesk — {server.database} on this PC"
    dialogs.answer(Button.Yes)
    open_in_window(window, server, "Test Clerk")
    qtbot.waitUntil(lambda: window.workspace_ready, timeout=CONNECT_TIMEOUT_MS)
    try:
        assert dialogs.titles == ["Set up the office database"]
        assert window.store.server == server
        assert window.database_label.text() == f"Office database: {server.database} on this PC"
        assert not window.restore_action.isEnabled()
        assert settings.recent_databases() == [server]
    finally:
        window.store.close()


def test_an_office_database_refused_at_start_offers_to_try_again_or_open_a_file(
    qtbot, settings: Settings, tmp_path: Path, dialogs, choose_file
) -> None:
    from ui.application import open_in_window

    mine = tmp_path / "mine.sqlite"
    open_store(mine, actor="Test Clerk").close()
    server = parse_server(UNREACHABLE)
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    window.show_opening(server)
    window.show()
    dialogs.answer(Button.Ok, Button.Open)  # "Try again", then "Open a file…"
    choose_file("getOpenFileName", mine)
    open_in_window(window, server, "Test Clerk")
    qtbot.waitUntil(lambda: window.workspace_ready, timeout=CONNECT_TIMEOUT_MS)
    try:
        assert dialogs.titles == ["Cannot open the database", "Cannot open the database"]
        first = dialogs.shown[0]
        assert "cannot reach the office database jurisdesk on 127.0.0.1:1" in first.text
        assert first.informative.startswith("Try again, connect to another office database")
        assert window.store.path == mine
        assert window.windowTitle() == "Jurisdesk — mine.sqlite"
    finally:
        window.store.close()


def test_another_office_database_may_be_chosen_when_one_is_refused_at_start(
    office, dialogs
) -> None:
    from app.services.errors import UserError
    from ui.application import choose_instead

    office.address = "postgresql://clerk@records.cityhall.local/jurisdesk?sslmode=require"
    dialogs.answer(Button.SaveAll)  # "Other office database…"
    chosen = choose_instead(parse_server(UNREACHABLE), UserError("The server is down."))
    assert chosen == parse_server(office.address)
    assert dialogs.titles == ["Cannot open the database"]


def test_the_last_database_opened_may_be_an_office_database(settings: Settings) -> None:
    from ui.application import remembered_database

    server = parse_server("postgresql://clerk@records.cityhall.local/jurisdesk?sslmode=require")
    settings.add_recent_database(server)
    assert remembered_database(settings) == server


# == the dialogs and the settings ==========================================================


def test_the_connect_dialog_keeps_the_address_and_the_fields_in_step(qtbot, dialogs) -> None:
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.address_edit.text() == ""
    assert dialog.port_spin.value() == 5432
    assert dialog.ssl_combo.currentText() == "Required (recommended)"
    assert dialog.focusWidget() is dialog.address_edit  # ready for the address IT gave

    qtbot.keyClicks(dialog.server_edit, "records.cityhall.local")
    qtbot.keyClicks(dialog.database_edit, "jurisdesk")
    qtbot.keyClicks(dialog.user_edit, "clerk")
    assert dialog.address_edit.text() == (
        "postgresql://clerk@records.cityhall.local/jurisdesk?sslmode=require"
    )
    dialog.port_spin.setValue(6432)
    dialog.ssl_combo.setCurrentIndex(dialog.ssl_combo.findData("verify-full"))
    assert dialog.address_edit.text() == (
        "postgresql://clerk@records.cityhall.local:6432/jurisdesk?sslmode=verify-full"
    )

    # An address pasted fills the fields; options without a field are kept.
    pasted = "postgresql://it@db.example.org:5433/legal?sslmode=verify-ca&connect_timeout=5"
    dialog.address_edit.setText(pasted)
    dialog.address_edit.textEdited.emit(pasted)
    assert dialog.server_edit.text() == "db.example.org"
    assert dialog.port_spin.value() == 5433
    assert dialog.database_edit.text() == "legal"
    assert dialog.user_edit.text() == "it"
    assert dialog.ssl_combo.currentText() == "Verify the certificate's authority"
    dialog.user_edit.clear()
    qtbot.keyClicks(dialog.user_edit, "clerk")
    assert dialog.address_edit.text() == (
        "postgresql://clerk@db.example.org:5433/legal?connect_timeout=5&sslmode=verify-ca"
    )
    dialog.connect_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.server == parse_server(dialog.address_edit.text())
    assert dialogs.shown == []


def test_the_connect_dialog_names_the_field_to_fix(qtbot, dialogs) -> None:
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.connect_button.click()
    assert dialogs.shown[-1].title == "Check the connection details"
    assert dialogs.shown[-1].text.startswith("Server: ")
    assert dialog.focusWidget() is dialog.server_edit
    assert dialog.isVisible()

    qtbot.keyClicks(dialog.server_edit, "records.cityhall.local")
    dialog.connect_button.click()
    assert dialogs.shown[-1].text.startswith("Database: ")
    assert dialog.focusWidget() is dialog.database_edit

    dialog.server_edit.setText("records.cityhall.local:5432/jurisdesk")
    qtbot.keyClicks(dialog.database_edit, "jurisdesk")
    dialog.connect_button.click()
    assert dialogs.shown[-1].text.startswith("Server: ")
    assert "fields of their own" in dialogs.shown[-1].text

    # A password in a pasted address is refused, and not kept.
    pasted = "postgresql://clerk:hunter2@records.cityhall.local/jurisdesk"
    dialog.address_edit.setText(pasted)
    dialog.address_edit.textEdited.emit(pasted)
    assert not dialog.address_problem_label.isHidden()
    assert "never stores passwords" in dialog.address_problem_label.text()
    assert "hunter2" not in dialog.address_problem_label.text()
    dialog.connect_button.click()
    assert dialogs.shown[-1].text.startswith("Address: ")
    assert dialog.focusWidget() is dialog.address_edit
    assert dialog.server is None


def test_the_dialogs_can_be_used_from_the_keyboard(qtbot, window: MainWindow) -> None:
    server = parse_server("postgresql://clerk@records.cityhall.local/jurisdesk")
    for dialog in (ConnectDialog(server), PasswordDialog(server, wrong=True)):
        qtbot.addWidget(dialog)
        labels = [label for label in dialog.findChildren(QLabel) if "&" in label.text()]
        assert labels
        keys = [label.text()[label.text().index("&") + 1].lower() for label in labels]
        assert len(set(keys)) == len(keys), keys
        for label in labels:
            buddy = label.buddy()
            assert buddy is not None, label.text()
            assert buddy.accessibleName() == label.text().replace("&", "").rstrip(":")
    # The File menu entry has a letter of its own there.
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions() if not a.isSeparator()]
    assert "Connect to o&ffice database…" in texts
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert letters.count("f") == 1
    position = texts.index("Connect to o&ffice database…")
    assert texts[position - 1] == "&Open database…"


def test_the_recent_list_keeps_addresses_and_skips_what_cannot_be_used(
    settings: Settings, tmp_path: Path
) -> None:
    QSettings().setValue(
        "files/recent",
        [
            "postgresql://clerk:hunter2@records.cityhall.local/jurisdesk",
            "",
            "postgresql://records.cityhall.local/",
            str(tmp_path / "a.sqlite"),
            "postgresql://clerk@records.cityhall.local/jurisdesk?sslmode=require",
        ],
    )
    server = parse_server("postgresql://clerk@records.cityhall.local/jurisdesk?sslmode=require")
    assert settings.recent_databases() == [tmp_path / "a.sqlite", server]
    settings.add_recent_database(server)
    assert QSettings().value("files/recent") == [server.address, str(tmp_path / "a.sqlite")]
    # Where the user was is kept per database, an office database by its address.
    settings.set_last_jurisdiction(server, 7)
    settings.set_last_jurisdiction(tmp_path / "a.sqlite", 3)
    assert settings.last_jurisdiction(server) == 7
    assert settings.last_jurisdiction(parse_server(server.address)) == 7
