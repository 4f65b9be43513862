"""The Staff list window: add, edit and deactivate people, and the office's approval rule."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QMessageBox

from app.services import audit, open_store, staff
from app.services.staff import StaffInput
from app.services.store import Store
from ui.staff_window import APPROVES, NAME, PREPARES, STATUS, TITLE, StaffDialog, StaffListWindow

Button = QMessageBox.StandardButton


def open_window(qtbot, store: Store) -> StaffListWindow:
    window = StaffListWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def tick(qtbot, box: QCheckBox) -> None:
    """Clicks the box itself, as a person does (its row may be wider than its caption)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def cell(window: StaffListWindow, row: int, column: int) -> str:
    return str(window.model.index(row, column).data())


def test_reachable_from_the_file_menu(qtbot, window) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert window.staff_list_action in file_menu.actions()
    window.staff_list_action.trigger()
    staff_window = window.staff_window
    assert isinstance(staff_window, StaffListWindow)
    assert staff_window.isVisible()
    assert not staff_window.isModal()
    window.staff_list_action.trigger()
    assert window.staff_window is staff_window, "one staff list at a time"


def test_add_a_person_by_typing_and_saving(qtbot, store: Store) -> None:
    window = open_window(qtbot, store)
    assert window.empty_label.isVisible()
    qtbot.mouseClick(window.add_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    assert isinstance(dialog, StaffDialog)
    # Typing starts in the Name field, with no click needed.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name)

    qtbot.keyClicks(QApplication.focusWidget(), "Priya Raman")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "Assistant City Attorney")
    tick(qtbot, dialog.roles[staff.StaffRole.PREPARES])
    tick(qtbot, dialog.roles[staff.StaffRole.REVIEWS])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    (stored,) = staff.list_staff(store)
    assert (stored.name, stored.title, stored.prepares, stored.reviews, stored.approves) == (
        "Priya Raman",
        "Assistant City Attorney",
        True,
        True,
        False,
    )
    assert not dialog.isVisible()
    assert window.model.rowCount() == 1
    assert [cell(window, 0, c) for c in (NAME, TITLE, PREPARES, APPROVES, STATUS)] == [
        "Priya Raman",
        "Assistant City Attorney",
        "✓",
        "",
        "Active",
    ]
    assert window.current() == stored
    assert not window.empty_label.isVisible()


def test_missing_title_and_duplicate_name_are_shown_at_the_field(qtbot, store: Store) -> None:
    staff.create(store, StaffInput("Tom Becker", "Paralegal", prepares=True))
    window = open_window(qtbot, store)
    dialog = window.add_person()
    qtbot.keyClicks(dialog.name, "tom becker")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible(), "nothing saved: the dialog stays open"
    assert dialog.title_problem.isVisible()
    assert dialog.title_problem.text() == "Title: is required; please fill it in."
    assert not dialog.name_problem.isVisible()
    assert dialog.focusWidget() is dialog.title_edit, "the cursor goes where the problem is"

    qtbot.keyClicks(dialog.title_edit, "Legal assistant")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "already on the staff list" in dialog.name_problem.text()
    assert not dialog.title_problem.isVisible()
    assert len(staff.list_staff(store)) == 1


def test_edit_changes_title_and_roles(qtbot, store: Store) -> None:
    becker = staff.create(store, StaffInput("Tom Becker", "Paralegal", prepares=True))
    window = open_window(qtbot, store)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    dialog = window.dialog
    assert isinstance(dialog, StaffDialog)
    assert dialog.windowTitle() == "Edit Tom Becker"
    assert dialog.name.text() == "Tom Becker"
    assert dialog.roles[staff.StaffRole.PREPARES].isChecked()
    dialog.title_edit.selectAll()
    qtbot.keyClicks(dialog.title_edit, "Senior paralegal")
    tick(qtbot, dialog.roles[staff.StaffRole.REVIEWS])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    stored = staff.get(store, becker.id)
    assert (stored.title, stored.reviews, stored.version) == ("Senior paralegal", True, 2)
    assert cell(window, 0, TITLE) == "Senior paralegal"


def test_edit_after_someone_else_saved_says_so(qtbot, store: Store, db_path: Path, dialogs) -> None:
    becker = staff.create(store, StaffInput("Tom Becker", "Paralegal", prepares=True))
    window = open_window(qtbot, store)
    dialog = window.edit_person()
    assert dialog is not None
    other = open_store(db_path, actor="Other PC")
    try:
        staff.update(other, becker.id, StaffInput("Tom Becker", "Clerk"), expected_version=1)
    finally:
        other.close()
    qtbot.keyClicks(dialog.title_edit, " II")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.titles == ["Changed by someone else"]
    assert staff.get(store, becker.id).title == "Clerk", "their change is not overwritten"
    assert cell(window, 0, TITLE) == "Clerk", "the list shows the current entry"


def test_deactivate_asks_then_keeps_the_person_greyed(qtbot, store: Store, dialogs) -> None:
    staff.create(store, StaffInput("Anne Adams", "Paralegal", prepares=True))
    becker = staff.create(store, StaffInput("Tom Becker", "Paralegal", prepares=True))
    window = open_window(qtbot, store)
    assert window.select(becker.id)
    assert window.deactivate_button.text() == "&Deactivate…"

    dialogs.answer(Button.Cancel)
    qtbot.mouseClick(window.deactivate_button, Qt.MouseButton.LeftButton)
    assert staff.get(store, becker.id).active

    dialogs.answer(Button.Yes)
    qtbot.mouseClick(window.deactivate_button, Qt.MouseButton.LeftButton)
    assert dialogs.titles == ["Deactivate", "Deactivate"]
    assert not staff.get(store, becker.id).active
    # Still listed, last, greyed, and can come back.
    assert cell(window, 1, NAME) == "Tom Becker"
    assert cell(window, 1, STATUS) == "Inactive (left)"
    assert window.model.index(1, NAME).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert window.current() is not None
    assert window.current().name == "Tom Becker"
    assert window.deactivate_button.text() == "&Reactivate"

    window.show_left.setChecked(False)
    assert [cell(window, r, NAME) for r in range(window.model.rowCount())] == ["Anne Adams"]
    window.show_left.setChecked(True)
    window.select(becker.id)
    qtbot.mouseClick(window.deactivate_button, Qt.MouseButton.LeftButton)
    assert staff.get(store, becker.id).active
    assert len(dialogs.shown) == 2, "coming back needs no question"


def test_the_approval_rule_checkbox_is_stored_for_the_office(
    qtbot, store: Store, db_path: Path
) -> None:
    window = open_window(qtbot, store)
    box = window.approver_must_differ
    assert box.text() == "The approver must differ from the preparer"
    assert box.isChecked(), "on by default"

    tick(qtbot, box)
    assert not box.isChecked()
    other = open_store(db_path, actor="Other PC")
    try:
        assert staff.get_approver_must_differ(other) is False
    finally:
        other.close()
    assert [e.new_value for e in audit.history(store) if e.field == "approver_must_differ"] == [
        "no"
    ]

    tick(qtbot, box)
    assert staff.get_approver_must_differ(store) is True
    # A window opened later reads the rule from the database.
    staff.set_approver_must_differ(store, False)
    assert not open_window(qtbot, store).approver_must_differ.isChecked()
