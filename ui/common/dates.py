"""The date field of every form: typed as 2017-08-31 or 08/31/2017, or picked from a calendar."""

# ruff: noqa: N815 - textEdited keeps QLineEdit's name, so the field stands in for one.

from __future__ import annotations

import contextlib
import datetime
import re

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.colours import tint

ACCEPTED_FORMS = "YYYY-MM-DD or MM/DD/YYYY"
ERROR_COLOR = "error"  # a role of ui.common.colours: red that reads on light and dark

# ASCII digits only: int() would also read other scripts' digits, which nobody types on purpose.
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_US = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# The shapes a date can only have once it is typed to the end: the day's second digit comes
# last in 2017-08-31, the year's fourth in 8/31/2017. Typing "2017-08-3" on the way to the 31st
# must not count as the 3rd, so shorter shapes wait until editing finishes.
_WHOLE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")


def parse_typed_date(text: str) -> datetime.date | None:
    """The date typed as YYYY-MM-DD, MM/DD/YYYY or M/D/YYYY; None when nothing is typed.

    Anything else raises ValueError with a message that reads after the field's name. A day that
    does not exist (02/30/2017) is refused, never rolled over into another date.
    """
    typed = text.strip()
    if not typed:
        return None
    if match := _ISO.fullmatch(typed):
        year, month, day = match.groups()
    elif match := _US.fullmatch(typed):
        month, day, year = match.groups()
    else:
        raise ValueError(_not_a_date(typed))
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(_not_a_date(typed)) from None


def _not_a_date(typed: str) -> str:
    return f"“{typed}” is not a date; type it as {ACCEPTED_FORMS}, e.g. 2017-08-31 or 08/31/2017."


def to_qdate(value: datetime.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _opens_calendar(event: QKeyEvent) -> bool:
    """F4 and Alt+Down, the keys that open a combo box's list, open the calendar."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if event.key() == Qt.Key.Key_F4:
        return modifiers == Qt.KeyboardModifier.NoModifier
    return event.key() == Qt.Key.Key_Down and modifiers == Qt.KeyboardModifier.AltModifier


class DateField(QWidget):
    """A date typed into a plain line edit or picked from a calendar; empty means no date.

    Being a line edit, Tab leaves it, and the wheel and arrow keys never change it. The date
    the field holds (`date()`) follows the text once that is a whole date or empty; `changed`
    is emitted only when that date differs. Text that is no date leaves the held date as it
    was and says so under the field once editing finishes.
    """

    changed = Signal()
    textEdited = Signal(str)  # every edit by the user, including a calendar pick or clearing

    def __init__(self, parent: QWidget | None = None, *, show_problems: bool = True) -> None:
        super().__init__(parent)
        self._date: datetime.date | None = None
        # A record form shows problems under each field itself; elsewhere the field does.
        self._show_problems = show_problems
        self.line = QLineEdit(self)
        self.line.setPlaceholderText(ACCEPTED_FORMS)
        self.line.setClearButtonEnabled(True)
        self.line.setMaxLength(40)
        self.line.setToolTip("Type the date as 2017-08-31 or 08/31/2017; F4 opens a calendar.")
        margins = self.line.textMargins()
        self.line.setMinimumWidth(
            self.line.fontMetrics().horizontalAdvance(ACCEPTED_FORMS + "MMMM")
            + margins.left()
            + margins.right()
        )
        self.calendar_button = QToolButton(self)
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)
        self.calendar_button.setToolTip("Pick the date from a calendar (F4)")
        self.calendar_button.setAccessibleName("Pick the date from a calendar")
        # Tab goes from the date straight to the next field; F4 reaches the calendar instead.
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup = QFrame(self, Qt.WindowType.Popup)
        self.popup.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self.popup)
        self.calendar.setGridVisible(True)
        self.calendar.setAccessibleName("Calendar")
        popup_layout = QVBoxLayout(self.popup)
        popup_layout.setContentsMargins(1, 1, 1, 1)
        popup_layout.addWidget(self.calendar)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tint(self.problem, ERROR_COLOR)
        self.problem.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.line)
        row.addWidget(self.calendar_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        self.setFocusProxy(self.line)

        self.line.installEventFilter(self)
        self.line.textEdited.connect(self._typed)
        self.line.editingFinished.connect(self._finished)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)

    # -- the held date -------------------------------------------------------------------

    def date(self) -> datetime.date | None:
        return self._date

    def set_date(self, value: datetime.date | None) -> None:
        self.line.setText("" if value is None else value.isoformat())
        self._show_problem(None)
        self._hold(value)

    def clear(self) -> None:
        self.set_date(None)

    def typed_date(self) -> datetime.date | None:
        """What the text says now, held or not; ValueError when it is no date."""
        return parse_typed_date(self.line.text())

    # -- QLineEdit's API, for forms that treat the field as text --------------------------

    def text(self) -> str:
        return self.line.text()

    def setText(self, text: str) -> None:
        self.line.setText(text)
        self._show_problem(None)
        # Text that is no date stays as text for the form to report; the held date stays too.
        with contextlib.suppress(ValueError):
            self._hold(parse_typed_date(text))

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.line.setAccessibleName(name)
        self.calendar.setAccessibleName(f"{name}: calendar")

    # -- the calendar --------------------------------------------------------------------

    def open_calendar(self) -> None:
        """Shows the calendar below the field, at the date typed, or today when there is none."""
        try:
            shown = self.typed_date() or datetime.date.today()
        except ValueError:
            shown = self._date or datetime.date.today()
        self.calendar.setSelectedDate(to_qdate(shown))
        self.calendar.setCurrentPage(shown.year, shown.month)
        self.popup.adjustSize()
        size = self.popup.sizeHint()
        below = self.line.mapToGlobal(QPoint(0, self.line.height()))
        x, y = below.x(), below.y()
        screen = self.line.screen()
        if screen is not None:
            area = screen.availableGeometry()
            x = max(area.left(), min(x, area.right() - size.width()))
            if y + size.height() > area.bottom():  # no room below: open above the field
                y = self.line.mapToGlobal(QPoint(0, 0)).y() - size.height()
        self.popup.move(x, y)
        self.popup.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _picked(self, picked: QDate) -> None:
        self.popup.hide()
        self.set_date(datetime.date(picked.year(), picked.month(), picked.day()))
        self.textEdited.emit(self.line.text())
        self.line.setFocus(Qt.FocusReason.PopupFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.line
            and event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
            and isinstance(event, QKeyEvent)
            and _opens_calendar(event)
        ):
            # Accepting the shortcut override keeps a window shortcut on the same key from
            # taking it; the key press that follows opens the calendar.
            if event.type() == QEvent.Type.KeyPress:
                self.open_calendar()
            event.accept()
            return True
        return super().eventFilter(watched, event)

    # -- typing --------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        typed = text.strip()
        if not typed or _WHOLE.fullmatch(typed):
            try:
                value = parse_typed_date(typed)
            except ValueError:
                pass  # e.g. 2017-02-30: said once editing finishes, not while typing
            else:
                self._show_problem(None)
                self._hold(value)
        self.textEdited.emit(text)

    def _finished(self) -> None:
        text = self.line.text()
        try:
            value = parse_typed_date(text)
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        self._show_problem(None)
        normal = "" if value is None else value.isoformat()
        if text != normal:
            self.line.setText(normal)
        self._hold(value)

    def _hold(self, value: datetime.date | None) -> None:
        if value != self._date:
            self._date = value
            self.changed.emit()

    def _show_problem(self, message: str | None) -> None:
        if not self._show_problems:
            return
        if message is None:
            if not self.problem.isHidden():
                self.problem.clear()
                self.problem.hide()
                self.line.setAccessibleDescription("")
            return
        name = self.accessibleName()
        kept = "no date" if self._date is None else f"the date {self._date.isoformat()}"
        text = f"{name}: {message}" if name else message
        text += f" Until it is corrected, {kept} is kept."
        self.problem.setText(text)
        self.problem.show()
        self.line.setAccessibleDescription(f"Error: {text}")
