"""Records through the GUI: the generic dialog validates, saves, detects conflicts, and deletes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QMessageBox

from app.services import records
from app.services.records import Record
from app.services.store import Store
from tests.helpers import make_facility
from ui.common.forms import RecordForm
from ui.records import RecordDialog

Button = QMessageBox.StandardButton


def choose(qtbot, combo: QComboBox, label: str) -> None:
    """Picks an item the way a keyboard user does: focus the combo, type the label's start."""
    index = combo.findText(label)
    assert index >= 0, f"{label!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    combo.setCurrentIndex(index)


def city(store: Store, name: str = "City of Albuquerque") -> records.Record:
    return records.create(store, "jurisdiction", {"name": name, "kind": "city", "state": "NM"})


def fill_facility(qtbot, form: RecordForm) -> None:
    qtbot.keyClicks(form.editor("name"), "Metropolitan Detention Center")
    choose(qtbot, form.editor("facility_type"), "Jail")
    choose(qtbot, form.editor("operator_type"), "County")
    qtbot.keyClicks(form.editor("operator_name"), "Bernalillo County")
    address = form.editor("address")
    qtbot.keyClicks(address, "100 Deputy Dennis Kinsey Ave SW")
    qtbot.keyClick(address, Qt.Key.Key_Return)
    qtbot.keyClicks(address, "Albuquerque")


def test_create_jurisdiction_through_the_gui(qtbot, window, store: Store) -> None:
    dialog = window.new_jurisdiction()
    assert isinstance(dialog, RecordDialog)
    assert not dialog.save_button.isEnabled()  # nothing typed yet
    form = dialog.form
    qtbot.keyClicks(form.editor("name"), "City of Albuquerque")
    choose(qtbot, form.editor("kind"), "City")
    qtbot.keyClicks(form.editor("state"), "nm")
    qtbot.keyClicks(form.editor("population"), "545,852")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    stored = records.list_records(store, "jurisdiction")
    assert [(r.title, r["state"], r["population"]) for r in stored] == [
        ("City of Albuquerque", "NM", 545852)
    ]
    # The new jurisdiction is selected and its profile shown.
    assert window.navigator.selected_id() == stored[0].id
    assert window.current_tab() == "profile"
    assert window.profile.form.editor("name").text() == "City of Albuquerque"


def test_add_county_run_jail_through_the_dialog(qtbot, window, store: Store) -> None:
    albuquerque = city(store)
    window.navigator.refresh()
    window.select_jurisdiction(albuquerque.id)
    window.show_tab("facilities")
    dialog = window.facilities.add_record()
    fill_facility(qtbot, dialog.form)
    sets_policy = dialog.form.editor("sets_policy")
    assert isinstance(sets_policy, QCheckBox)
    assert not sets_policy.isChecked()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    (facility,) = records.list_records(store, "facility", albuquerque.id)
    assert facility["operator_type"] == "county"
    assert facility["operator_name"] == "Bernalillo County"
    assert facility["facility_type"] == "jail"
    assert facility["sets_policy"] is False
    assert facility["address"] == "100 Deputy Dennis Kinsey Ave SW\nAlbuquerque"
    table = window.facilities.proxy
    assert table.rowCount() == 1
    operator_type = window.facilities.model.column_of("operator_type")
    assert table.index(0, operator_type).data() == "County"  # the label, not "county"
    assert "1 facility" in window.navigator.model.index(0).data()


def test_validation_errors_show_next_to_fields_and_nothing_is_saved(
    qtbot, window, store: Store
) -> None:
    dialog = window.new_jurisdiction()
    form = dialog.form
    qtbot.keyClicks(form.editor("name"), "X")
    form.editor("name").clear()  # typed, then emptied
    qtbot.keyClicks(form.editor("state"), "ZZ")
    choose(qtbot, form.editor("kind"), "County")

    assert form.error_text("state") == (
        "State “ZZ” is not a USPS state code; use two letters such as NM or MD."
    )
    assert form.error_text("name") == "Name is required; please fill it in."
    assert form.error_text("kind") == ""
    assert not dialog.save_button.isEnabled()
    # Enter does not save an invalid form either.
    qtbot.keyClick(form.editor("state"), Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert records.list_records(store, "jurisdiction") == []

    qtbot.keyClicks(form.editor("name"), "Town of Ziggurat")
    form.editor("state").clear()
    qtbot.keyClicks(form.editor("state"), "NM")
    assert form.error_text("state") == form.error_text("name") == ""
    assert dialog.save_button.isEnabled()


def test_cross_field_rule_is_shown_under_the_later_date(qtbot, window, store: Store) -> None:
    albuquerque = city(store)
    window.navigator.refresh()
    window.select_jurisdiction(albuquerque.id)
    window.show_tab("instruments")
    dialog = window.instruments.add_record()
    form = dialog.form
    choose(qtbot, form.editor("instrument_type"), "Memorandum of understanding")
    choose(qtbot, form.editor("level"), "Local")
    qtbot.keyClicks(form.editor("title"), "Prisoner Transport Center arrangement with ICE")
    qtbot.keyClicks(form.editor("adopted_on"), "2009-06-01")
    qtbot.keyClicks(form.editor("rescinded_on"), "2008-01-01")
    assert "cannot be before adopted" in form.error_text("rescinded_on")
    assert not dialog.save_button.isEnabled()


def test_service_problems_are_shown_next_to_their_field(qtbot, store: Store) -> None:
    from app.services.errors import FieldProblem

    dialog = RecordDialog(store, "jurisdiction")
    qtbot.addWidget(dialog)
    dialog.form.show_problems([FieldProblem("fips", "FIPS code", "is already used.")])
    assert dialog.form.error_text("fips") == "FIPS code is already used."


def test_delete_confirmation_lists_dependents(qtbot, window, store: Store, dialogs) -> None:
    albuquerque = city(store)
    for name in ("MDC", "Prisoner Transport Center"):
        records.create(
            store,
            "facility",
            {"name": name, "facility_type": "jail", "operator_type": "county",
             "operator_name": "Bernalillo County"},
            albuquerque.id,
        )  # fmt: skip
    window.navigator.refresh()
    window.select_jurisdiction(albuquerque.id)

    dialogs.answer(Button.Cancel)
    assert not window.delete_jurisdiction()
    asked = dialogs.shown[-1]
    assert asked.text == "Delete the jurisdiction “City of Albuquerque”?"
    assert "• 2 facilities" in asked.informative
    assert len(records.list_records(store, "jurisdiction")) == 1

    dialogs.answer(Button.Yes)
    assert window.delete_jurisdiction()
    assert records.list_records(store, "jurisdiction") == []
    assert window.navigator.model.rowCount() == 0


def test_delete_key_in_a_table_asks_then_deletes(qtbot, window, store: Store, dialogs) -> None:
    albuquerque = city(store)
    records.create(store, "contact", {"name": "Jessica Hernandez", "role": "signatory"},
                   albuquerque.id)  # fmt: skip
    window.navigator.refresh()
    window.select_jurisdiction(albuquerque.id)
    window.show_tab("contacts")
    table = window.contacts.table
    table.setFocus()
    table.selectRow(0)
    dialogs.answer(Button.Yes)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert dialogs.shown[-1].text == "Delete the contact “Jessica Hernandez”?"
    assert records.list_records(store, "contact", albuquerque.id) == []


def show_facilities_with_one(window, store: Store, jurisdiction_id: int) -> Record:
    """A county jail named "MDC", shown in the Facilities tab."""
    facility = make_facility(store, jurisdiction_id, name="MDC")
    window.navigator.refresh()
    window.select_jurisdiction(jurisdiction_id)
    window.show_tab("facilities")
    return facility


def test_enter_in_table_edits_and_conflict_is_detected(qtbot, window, store: Store, dialogs):
    albuquerque = city(store)
    facility = show_facilities_with_one(window, store, albuquerque.id)
    table = window.facilities.table
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = window.facilities.dialog
    assert isinstance(dialog, RecordDialog)
    assert dialog.form.editor("name").text() == "MDC"

    # Someone else saves the same facility meanwhile.
    records.update(store, "facility", facility.id, {"contact": "Chief of Corrections"},
                   facility.version)  # fmt: skip
    dialog.form.editor("name").clear()
    qtbot.keyClicks(dialog.form.editor("name"), "Metropolitan Detention Center")
    dialogs.answer(Button.Reset)  # "Reload"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialogs.shown[-1].title == "Changed by someone else"
    assert "changed by someone else" in dialogs.shown[-1].text
    stored = records.get(store, "facility", facility.id)
    assert stored["name"] == "MDC"  # never silently overwritten
    assert stored["contact"] == "Chief of Corrections"
    # The dialog stays open showing their version.
    assert dialog.isVisible()
    assert dialog.form.editor("contact").text() == "Chief of Corrections"
    assert dialog.form.editor("name").text() == "MDC"


def test_conflict_keep_mine_saves_only_my_fields(qtbot, window, store: Store, dialogs) -> None:
    albuquerque = city(store)
    facility = show_facilities_with_one(window, store, albuquerque.id)
    window.facilities.table.selectRow(0)
    dialog = window.facilities.edit_record()
    records.update(store, "facility", facility.id, {"contact": "Chief of Corrections"},
                   facility.version)  # fmt: skip
    qtbot.keyClick(dialog.form.editor("name"), Qt.Key.Key_End)
    qtbot.keyClicks(dialog.form.editor("name"), " (West Side)")
    dialogs.answer(Button.Save)  # "Keep mine"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    stored = records.get(store, "facility", facility.id)
    assert stored["name"] == "MDC (West Side)"
    assert stored["contact"] == "Chief of Corrections"
    assert not dialog.isVisible()


def test_cancel_with_typing_asks_before_discarding(qtbot, window, store: Store, dialogs) -> None:
    dialog = window.new_jurisdiction()
    qtbot.keyClicks(dialog.form.editor("name"), "City of Stockton")
    dialogs.answer(Button.Cancel)  # "Keep editing"
    dialog.reject()
    assert dialog.isVisible()
    assert dialogs.shown[-1].title == "Discard changes?"
    dialogs.answer(Button.Discard)
    dialog.reject()
    assert not dialog.isVisible()


def test_every_input_has_a_labelled_buddy_with_a_mnemonic(qtbot, store: Store) -> None:
    from app.services.fields import RECORD_KINDS

    for kind in RECORD_KINDS.values():
        form = RecordForm(kind)
        qtbot.addWidget(form)
        letters = []
        for name in form.field_names():
            editor = form._editors[name]
            assert editor.label.buddy() is editor.input
            assert editor.input.accessibleName() == kind.field(name).label
            text = editor.label.text().replace("&&", "")
            if "&" in text:
                letters.append(text[text.index("&") + 1].lower())
        assert len(letters) == len(set(letters)), kind.key  # no two fields share a letter
        assert len(letters) >= len(form.field_names()) - 2, kind.key
