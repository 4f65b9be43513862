"""Inputs change only when the person means it: the wheel, the date field, where dialogs open."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services import records, responses
from app.services.fields import RECORD_KINDS
from app.services.store import Store
from tests.helpers import make_jurisdiction
from ui.common.dates import ACCEPTED_FORMS, DateField, parse_typed_date
from ui.questionnaire import ResponseEditor
from ui.records.dialog import RecordDialog
from ui.responses_panel import NewResponseDialog
from ui.workflow_dialogs import ReasonDialog, SubmittedDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

WHEEL_DOWN = QPoint(0, -120)  # one notch towards the user: a page scrolls down


# ----------------------------------------------------------------------------- the wheel


class Page(QScrollArea):
    """A page taller than its window: a text field, then the widget under test, then space."""

    def __init__(self, guarded: QWidget) -> None:
        super().__init__()
        self.text = QLineEdit()
        self.guarded = guarded
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.text)
        column.addWidget(guarded)
        column.addSpacing(2000)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.resize(300, 200)


def show_page(qtbot, guarded: QWidget) -> Page:
    page = Page(guarded)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.text.setFocus()
    qtbot.waitUntil(page.text.hasFocus)
    return page


def turn_wheel(qtbot, page: Page, widget: QWidget) -> None:
    """A wheel turn as the window system delivers it, with the pointer over `widget`."""
    window = page.windowHandle()
    assert window is not None
    center = widget.mapTo(page, widget.rect().center())
    QTest.wheelEvent(window, QPointF(center), WHEEL_DOWN)
    qtbot.wait(10)


def combo() -> QComboBox:
    box = QComboBox()
    box.addItems(["— not stated —", "Written policy", "Practice", "Both"])
    return box


def test_wheel_over_an_unfocused_combo_box_scrolls_the_page_instead(qtbot) -> None:
    box = combo()
    page = show_page(qtbot, box)
    turn_wheel(qtbot, page, box)
    assert box.currentIndex() == 0
    assert not box.hasFocus()
    assert page.verticalScrollBar().value() > 0


def test_a_synthetic_wheel_event_is_left_for_the_parent(qtbot) -> None:
    box = combo()
    page = show_page(qtbot, box)
    event = QWheelEvent(
        QPointF(box.rect().center()),
        QPointF(box.mapToGlobal(box.rect().center())),
        QPoint(0, 0),
        WHEEL_DOWN,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(box, event)
    assert not event.isAccepted()  # so Qt offers it to the parent
    assert box.currentIndex() == 0
    assert page.guarded is box


def test_wheel_changes_a_combo_box_that_has_the_focus(qtbot) -> None:
    box = combo()
    page = show_page(qtbot, box)
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    turn_wheel(qtbot, page, box)
    assert box.currentIndex() == 1


@pytest.mark.parametrize("kind", [QSpinBox, QDoubleSpinBox, QDateEdit, QComboBox])
def test_no_spin_box_or_combo_box_changes_or_takes_focus_by_wheel(qtbot, kind) -> None:
    widget = kind()
    page = show_page(qtbot, widget)
    assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus
    before = widget.currentIndex() if isinstance(widget, QComboBox) else widget.text()
    turn_wheel(qtbot, page, widget)
    after = widget.currentIndex() if isinstance(widget, QComboBox) else widget.text()
    assert after == before
    assert not widget.hasFocus()
    assert page.verticalScrollBar().value() > 0


def test_wheel_over_the_written_policy_choice_of_a_question_page_changes_nothing(
    qtbot, store: Store
) -> None:
    editor = byrne_editor(qtbot, store)
    form = editor.pages["certification"].form
    assert form is not None
    form.narrative.setFocus()
    qtbot.waitUntil(form.narrative.hasFocus)
    window = editor.windowHandle()
    assert window is not None
    QTest.wheelEvent(
        window, QPointF(form.basis.mapTo(editor, form.basis.rect().center())), WHEEL_DOWN
    )
    qtbot.wait(10)
    assert form.basis.currentIndex() == 0
    assert not editor.has_unsaved_changes()


# ----------------------------------------------------------------------------- parsing dates


@pytest.mark.parametrize(
    "typed",
    ["2017-08-31", "08/31/2017", "8/31/2017", "2017-8-31", "  2017-08-31 "],
)
def test_a_date_is_read_in_either_form(typed: str) -> None:
    assert parse_typed_date(typed) == date(2017, 8, 31)


def test_single_digit_month_and_day() -> None:
    assert parse_typed_date("8/3/2017") == date(2017, 8, 3)
    assert parse_typed_date("") is None
    assert parse_typed_date("   ") is None


@pytest.mark.parametrize(
    "typed",
    [
        "13/45/2017",
        "02/30/2017",  # no such day: never rolled over into March
        "2017-02-30",
        "31/08/2017",
        "2017/08/31",
        "08/31/17",
        "No date2017-08-31",
        "yesterday",
        "٢٠١٧-٠٨-٣١",
    ],
)
def test_anything_else_is_refused_naming_the_accepted_forms(typed: str) -> None:
    with pytest.raises(ValueError, match=ACCEPTED_FORMS) as info:
        parse_typed_date(typed)
    assert typed.strip() in str(info.value)


# ----------------------------------------------------------------------------- the date field


class Form(QWidget):
    """A date field between two text fields, as in a form."""

    def __init__(self) -> None:
        super().__init__()
        self.before = QLineEdit(self)
        self.field = DateField(self)
        self.field.setAccessibleName("As of")
        self.after = QLineEdit(self)
        column = QVBoxLayout(self)
        for widget in (self.before, self.field, self.after):
            column.addWidget(widget)
        self.changes: list[date | None] = []
        self.field.changed.connect(lambda: self.changes.append(self.field.date()))


@pytest.fixture
def form(qtbot) -> Form:
    widget = Form()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.field.setFocus()
    qtbot.waitUntil(widget.field.line.hasFocus)
    return widget


@pytest.mark.parametrize("typed", ["2017-08-31", "08/31/2017", "8/31/2017"])
def test_typing_a_date_holds_it_once_and_shows_it_as_iso(qtbot, form: Form, typed: str) -> None:
    qtbot.keyClicks(form.field.line, typed)
    assert form.field.date() == date(2017, 8, 31)
    # Not the 3rd of August on the way to the 31st: one change, to the date meant.
    assert form.changes == [date(2017, 8, 31)]
    qtbot.keyClick(form.field.line, Qt.Key.Key_Tab)
    assert form.field.text() == "2017-08-31"
    assert form.changes == [date(2017, 8, 31)]


def test_a_short_date_counts_when_editing_finishes(qtbot, form: Form) -> None:
    qtbot.keyClicks(form.field.line, "2017-8-3")
    assert form.field.date() is None
    qtbot.keyClick(form.field.line, Qt.Key.Key_Return)
    assert form.field.date() == date(2017, 8, 3)
    assert form.field.text() == "2017-08-03"
    assert form.changes == [date(2017, 8, 3)]


def test_tab_leaves_the_date_field(qtbot, form: Form) -> None:
    qtbot.keyClicks(form.field.line, "2017-08-31")
    qtbot.keyClick(form.field.line, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.after
    qtbot.keyClick(form.after, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is form.field.line
    qtbot.keyClick(form.field.line, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is form.before


def test_arrow_keys_and_wheel_never_change_the_date(qtbot, form: Form) -> None:
    form.field.set_date(date(2017, 8, 31))
    form.changes.clear()
    for key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
        qtbot.keyClick(form.field.line, key)
    window = form.windowHandle()
    assert window is not None
    QTest.wheelEvent(window, QPointF(form.field.line.mapTo(form, QPoint(10, 10))), QPoint(0, 360))
    qtbot.keyClick(form.field.line, Qt.Key.Key_Tab)
    assert form.field.date() == date(2017, 8, 31)
    assert form.field.text() == "2017-08-31"
    assert form.changes == []


def test_deleting_the_text_or_the_clear_button_leaves_no_date(qtbot, form: Form) -> None:
    form.field.set_date(date(2017, 8, 31))
    form.field.line.selectAll()
    qtbot.keyClick(form.field.line, Qt.Key.Key_Delete)
    assert form.field.date() is None
    form.field.set_date(date(2017, 8, 31))
    clear = next(
        button
        for button in form.field.line.findChildren(QWidget)
        if button.isVisible() and button.metaObject().className() == "QLineEditIconButton"
    )
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert form.field.date() is None
    assert form.field.text() == ""
    assert form.changes == [date(2017, 8, 31), None, date(2017, 8, 31), None]


def test_text_that_is_no_date_is_never_held_and_is_explained(qtbot, form: Form) -> None:
    form.field.set_date(date(2017, 8, 1))
    form.changes.clear()
    form.field.line.selectAll()
    qtbot.keyClicks(form.field.line, "13/45/2017")
    qtbot.keyClick(form.field.line, Qt.Key.Key_Tab)
    assert form.field.date() == date(2017, 8, 1)
    assert form.changes == []
    assert form.field.text() == "13/45/2017"  # left for the user to correct
    message = form.field.problem.text()
    assert form.field.problem.isVisible()
    assert message.startswith("As of: “13/45/2017” is not a date")
    assert ACCEPTED_FORMS in message
    assert "the date 2017-08-01 is kept" in message
    form.field.line.selectAll()
    qtbot.keyClicks(form.field.line, "09/01/2017")
    assert not form.field.problem.isVisible()
    assert form.field.date() == date(2017, 9, 1)


@pytest.mark.parametrize(
    ("key", "modifier"),
    [
        (Qt.Key.Key_F4, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier),
    ],
)
def test_the_calendar_opens_from_the_keyboard_at_the_field_date(
    qtbot, form: Form, key, modifier
) -> None:
    form.field.set_date(date(2017, 8, 31))
    qtbot.keyClick(form.field.line, key, modifier)
    assert form.field.popup.isVisible()
    assert form.field.calendar.selectedDate().toPython() == date(2017, 8, 31)
    assert (form.field.calendar.yearShown(), form.field.calendar.monthShown()) == (2017, 8)
    popup_top = form.field.popup.geometry().top()
    assert popup_top >= form.field.line.mapToGlobal(QPoint(0, form.field.line.height())).y()


def test_the_calendar_opens_at_today_when_empty_and_a_pick_is_held(qtbot, form: Form) -> None:
    qtbot.keyClick(form.field.line, Qt.Key.Key_F4)
    assert form.field.calendar.selectedDate().toPython() == date.today()
    form.field.popup.hide()
    qtbot.mouseClick(form.field.calendar_button, Qt.MouseButton.LeftButton)
    assert form.field.popup.isVisible()
    edited: list[str] = []
    form.field.textEdited.connect(edited.append)
    form.field.calendar.setSelectedDate(date(2017, 8, 18))
    form.field.calendar.activated.emit(form.field.calendar.selectedDate())
    assert not form.field.popup.isVisible()
    assert form.field.date() == date(2017, 8, 18)
    assert form.field.text() == "2017-08-18"
    assert edited == ["2017-08-18"]


def test_the_accessible_name_reaches_the_line_edit(form: Form) -> None:
    assert form.field.line.accessibleName() == "As of"


# ----------------------------------------------------------------------------- in the app


def byrne_editor(qtbot, store: Store) -> ResponseEditor:
    city = make_jurisdiction(store)
    detail = responses.start_response(store, city.id, "byrne-jag-fy2017")
    editor = ResponseEditor(store, detail.summary.id)
    qtbot.addWidget(editor)
    editor.resize(1024, 768)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def test_the_as_of_date_typed_in_the_answer_form_is_autosaved(qtbot, store: Store) -> None:
    editor = byrne_editor(qtbot, store)
    form = editor.pages["certification"].form
    assert form is not None
    form.as_of.setFocus()
    qtbot.waitUntil(form.as_of.line.hasFocus)
    qtbot.keyClicks(form.as_of.line, "08/31/2017")
    qtbot.keyClick(form.as_of.line, Qt.Key.Key_Tab)
    assert form.as_of.text() == "2017-08-31"
    qtbot.waitUntil(lambda: not editor.has_unsaved_changes())
    saved = responses.get_response(store, editor.detail.summary.id).answer("certification")
    assert saved is not None
    assert saved.as_of == date(2017, 8, 31)


def test_a_date_typed_in_a_record_form_is_valid_in_either_form(qtbot, store: Store) -> None:
    city = make_jurisdiction(store)
    dialog = RecordDialog(store, "instrument", parent_id=city.id)
    qtbot.addWidget(dialog)
    dialog.show()
    line = dialog.form.editor("adopted_on")
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    qtbot.keyClicks(line, "08/18/2017")
    assert dialog.form.error_text("adopted_on") == ""
    assert dialog.form.values()["adopted_on"] == date(2017, 8, 18)
    qtbot.keyClick(line, Qt.Key.Key_Tab)
    assert line.text() == "2017-08-18"
    line.selectAll()
    qtbot.keyClicks(line, "13/45/2017")
    message = dialog.form.error_text("adopted_on")
    assert message.startswith("Adopted “13/45/2017” is not a date")
    assert ACCEPTED_FORMS in message
    assert not dialog.save_button.isEnabled()


def test_the_submitted_dialog_takes_a_typed_date_but_not_a_future_or_broken_one(qtbot) -> None:
    dialog = SubmittedDialog(today=date(2017, 8, 18))
    qtbot.addWidget(dialog)
    line = dialog.submitted_on.line
    assert line.text() == "2017-08-18"
    line.selectAll()
    qtbot.keyClicks(line, "08/17/2017")
    assert dialog.ok.isEnabled()
    assert dialog.submission().submitted_on == date(2017, 8, 17)
    line.selectAll()
    qtbot.keyClicks(line, "09/01/2017")
    assert not dialog.ok.isEnabled()
    assert "future" in dialog.problem.text()
    line.selectAll()
    qtbot.keyClicks(line, "08/32/2017")
    assert not dialog.ok.isEnabled()
    assert ACCEPTED_FORMS in dialog.problem.text()
    dialog.accept()
    assert dialog.result() != SubmittedDialog.DialogCode.Accepted


# ----------------------------------------------------------------------------- dialogs


def opened(qtbot, dialog: QWidget) -> QWidget | None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.focusWidget() is not None)
    return dialog.focusWidget()


@pytest.mark.parametrize("kind", sorted(RECORD_KINDS))
def test_a_record_dialog_opens_in_its_first_field(qtbot, store: Store, kind: str) -> None:
    city = make_jurisdiction(store)
    parent_id = None if kind == "jurisdiction" else city.id
    dialog = RecordDialog(store, kind, parent_id=parent_id)
    first = dialog.form.editor(dialog.form.field_names()[0])
    assert opened(qtbot, dialog) is first


def test_editing_a_record_opens_in_its_first_field(qtbot, store: Store) -> None:
    city = make_jurisdiction(store)
    dialog = RecordDialog(store, "jurisdiction", record=records.get(store, "jurisdiction", city.id))
    assert opened(qtbot, dialog) is dialog.form.editor("name")


def test_the_new_response_dialog_opens_in_the_questionnaire_choice(qtbot) -> None:
    from app import questionnaires

    dialog = NewResponseDialog(questionnaires.available(), [])
    assert opened(qtbot, dialog) is dialog.questionnaire


def test_the_submitted_dialog_opens_in_its_date(qtbot) -> None:
    dialog = SubmittedDialog(today=date(2017, 8, 18))
    assert opened(qtbot, dialog) is dialog.submitted_on.line


def test_the_reason_dialog_opens_in_its_reason(qtbot) -> None:
    dialog = ReasonDialog("Reopen response", "Say why.")
    assert opened(qtbot, dialog) is dialog.reason
