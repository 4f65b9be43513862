"""Small input widgets the questionnaire pages share: answer value and citations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.questionnaires import Question
from app.services.records import Record
from app.services.safe_files import shown_name
from ui.common.colours import tint
from ui.common.dates import DateField
from ui.questionnaire.drafts import RawValue

# Role names (ui/common/colours.py): the colour itself follows the palette, light or dark.
ERROR_COLOR = "error"
MUTED_COLOR = "muted"


def _plain_text_edit(parent: QWidget, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)  # Tab moves on, as everywhere else in a form
    # A fixed height keeps the form from ballooning in a tall window; longer text scrolls.
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class ValueInput(QWidget):
    """The answer control of a question's kind; `value()` is what is typed, valid or not."""

    changed = Signal()

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.group: QButtonGroup | None = None
        self.buttons: list[QAbstractButton] = []
        self.line: QLineEdit | None = None
        self.text: QPlainTextEdit | None = None
        self.date_edit: DateField | None = None
        self.clear_button: QPushButton | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        kind = question.kind
        if kind in ("single_choice", "yes_no"):
            self.group = QButtonGroup(self)
            for index, choice in enumerate(question.choices):
                button = QRadioButton(choice.label, self)
                button.setProperty("choice", choice.value)
                self.group.addButton(button, index)
                self.buttons.append(button)
                layout.addWidget(button)
            self.clear_button = QPushButton("Clear answer", self)
            self.clear_button.setToolTip("Remove the choice and leave the question unanswered")
            row = QHBoxLayout()
            row.addWidget(self.clear_button)
            row.addStretch(1)
            layout.addLayout(row)
            self.group.buttonClicked.connect(lambda _button: self.changed.emit())
            self.clear_button.clicked.connect(self._clear_choice)
        elif kind == "multiple_choice":
            for choice in question.choices:
                box = QCheckBox(choice.label, self)
                box.setProperty("choice", choice.value)
                box.toggled.connect(lambda _checked: self.changed.emit())
                self.buttons.append(box)
                layout.addWidget(box)
        elif kind in ("text", "number"):
            self.line = QLineEdit(self)
            if kind == "text" and question.max_length:
                self.line.setMaxLength(question.max_length)
            if kind == "number":
                self.line.setPlaceholderText(_number_hint(question))
                self.line.setMaximumWidth(self.line.fontMetrics().horizontalAdvance("0" * 28))
            self.line.textEdited.connect(lambda _text: self.changed.emit())
            layout.addWidget(self.line)
        elif kind == "long_text":
            self.text = _plain_text_edit(self, 10)
            self.text.textChanged.connect(self.changed)
            layout.addWidget(self.text)
        elif kind == "date":
            self.date_edit = DateField(self)
            self.date_edit.changed.connect(self.changed)
            layout.addWidget(self.date_edit)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        tint(self.error, ERROR_COLOR)
        self.error.hide()
        layout.addWidget(self.error)
        focus = (
            self.line or self.text or self.date_edit or (self.buttons[0] if self.buttons else None)
        )
        if focus is not None:
            self.setFocusProxy(focus)

    def _clear_choice(self) -> None:
        if self.group is None or self.group.checkedButton() is None:
            return
        # An exclusive group refuses to have nothing checked; lift that for the moment.
        self.group.setExclusive(False)
        for button in self.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)
        self.changed.emit()

    def value(self) -> RawValue:
        if self.group is not None:
            button = self.group.checkedButton()
            return None if button is None else str(button.property("choice"))
        if self.buttons:
            return [str(b.property("choice")) for b in self.buttons if b.isChecked()]
        if self.line is not None:
            return self.line.text()
        if self.text is not None:
            return self.text.toPlainText()
        if self.date_edit is not None:
            return self.date_edit.date()
        return None

    def set_value(self, value: RawValue) -> None:
        self.blockSignals(True)
        try:
            if self.group is not None:
                self.group.setExclusive(False)
                for button in self.buttons:
                    button.setChecked(button.property("choice") == value)
                self.group.setExclusive(True)
            elif self.buttons:
                selected = set(value) if isinstance(value, list) else set()
                for button in self.buttons:
                    button.blockSignals(True)
                    button.setChecked(button.property("choice") in selected)
                    button.blockSignals(False)
            elif self.line is not None:
                self.line.setText("" if value is None else str(value))
            elif self.text is not None:
                self.text.blockSignals(True)
                self.text.setPlainText("" if value is None else str(value))
                self.text.blockSignals(False)
            elif self.date_edit is not None:
                self.date_edit.blockSignals(True)
                self.date_edit.set_date(value if isinstance(value, date) else None)
                self.date_edit.blockSignals(False)
        finally:
            self.blockSignals(False)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        for widget in (self.line, self.text, self.date_edit):
            if widget is not None:
                widget.setAccessibleName(name)


def _number_hint(question: Question) -> str:
    low, high = question.min, question.max

    def show(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"

    if low is not None and high is not None:
        return f"A number from {show(low)} to {show(high)}"
    if low is not None:
        return f"A number, at least {show(low)}"
    if high is not None:
        return f"A number, at most {show(high)}"
    return "A number"


def instrument_label(record: Record) -> str:
    number = record.get("number")
    return f"{number} — {record.title}" if number else record.title


def evidence_label(record: Record) -> str:
    # Without hidden reordering characters: "report\u202efdp.exe" must not read as a PDF.
    name = shown_name(record.title)
    description = (record.get("description") or "").strip().splitlines()
    return f"{name} — {description[0]}" if description else name


class CheckList(QListWidget):
    """A checkable list of the jurisdiction's records (instruments or evidence files)."""

    changed = Signal()

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_text = empty_text
        self.setUniformItemSizes(True)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def set_items(self, items: Sequence[tuple[int, str]]) -> None:
        self.blockSignals(True)
        self.clear()
        for record_id, label in items:
            item = QListWidgetItem(label, self)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(label)
        if not items:
            item = QListWidgetItem(self.empty_text, self)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        rows = max(1, min(len(items), 5))
        self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 4)
        self.blockSignals(False)

    def checked_ids(self) -> set[int]:
        ids = set()
        for row in range(self.count()):
            item = self.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.add(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def set_checked_ids(self, ids: set[int]) -> None:
        self.blockSignals(True)
        for row in range(self.count()):
            item = self.item(row)
            record_id = item.data(Qt.ItemDataRole.UserRole)
            if record_id is None:
                continue
            checked = int(record_id) in ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.blockSignals(False)
