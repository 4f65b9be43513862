"""One form for every kind of record, built from its field specs, validating as the user types."""

# ruff: noqa: N815 - Qt signals keep Qt's camelCase (currentChanged, openResponse).

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import FieldProblem, InvalidInput
from app.services.fields import FieldKind, FieldSpec, RecordKind
from app.vocabulary import US_STATES
from ui.common.colours import styled
from ui.common.dates import DateField

# For ui.common.colours.styled: the role colours of the active palette, light or dark.
ERROR_STYLE = "color: {error};"  # red that reads on the palette, and never only a colour
HELP_STYLE = "color: {muted};"  # not palette(placeholder-text): that reads at 3.9:1


def with_mnemonic(text: str, used: set[str]) -> str:
    """The label with an & before a letter no other label of the form uses (word starts first)."""
    escaped = text.replace("&", "&&")
    starts = [i for i, ch in enumerate(text) if ch.isalnum() and (i == 0 or text[i - 1] == " ")]
    others = [i for i, ch in enumerate(text) if ch.isalnum() and i not in starts]
    for i in starts + others:
        letter = text[i].lower()
        if letter not in used:
            used.add(letter)
            # Count the && escapes before position i to find it in the escaped text.
            shift = text[:i].count("&")
            at = i + shift
            return escaped[:at] + "&" + escaped[at:]
    return escaped


class StateEdit(QLineEdit):
    """A USPS code with completion that shows the state names."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxLength(2)
        self.setPlaceholderText("e.g. NM")
        model = QStandardItemModel(self)
        for code, name in sorted(US_STATES.items()):
            item = QStandardItem(f"{code} — {name}")
            item.setData(code, Qt.ItemDataRole.EditRole + 1000)
            model.appendRow(item)
        completer = QCompleter(model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionRole(Qt.ItemDataRole.EditRole + 1000)
        self.setCompleter(completer)


class FieldEditor:
    """The input, label and error line for one field, with plain get/set of its raw value."""

    def __init__(
        self,
        spec: FieldSpec,
        label: str,
        on_edit: Callable[[FieldEditor], None],
        options: Sequence[tuple[int, str]] = (),
    ) -> None:
        self.spec = spec
        self.touched = False
        self.label = QLabel(label + (" *" if spec.required else ""))
        self.error = QLabel()
        styled(self.error, ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.widget, self.input = self._build(spec, options, lambda *_: on_edit(self))
        self.label.setBuddy(self.input)
        self.input.setAccessibleName(spec.label)
        if spec.help:
            self.input.setToolTip(spec.help)
            self.input.setAccessibleDescription(spec.help)
        self.label.setToolTip(spec.help or "")

    def _build(
        self, spec: FieldSpec, options: Sequence[tuple[int, str]], edited: Callable[..., None]
    ) -> tuple[QWidget, QWidget]:
        kind = spec.kind
        if kind is FieldKind.LONG_TEXT:
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)  # Tab moves on, as in every other field
            text.setPlaceholderText(spec.help)
            # Tall enough for an address, not so tall that the form scrolls for nothing.
            spacing = text.fontMetrics().lineSpacing()
            frame = 2 * (text.frameWidth() + int(text.document().documentMargin()))
            text.setMinimumHeight(spacing * 3 + frame)
            text.setMaximumHeight(spacing * 6 + frame)
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            text.textChanged.connect(edited)
            return text, text
        if kind is FieldKind.CHOICE:
            combo = QComboBox()
            combo.setPlaceholderText("Choose…")
            for value, label in spec.choice_items():
                combo.addItem(label, value)
            combo.setCurrentIndex(-1)
            combo.currentIndexChanged.connect(edited)
            return combo, combo
        if kind is FieldKind.REFERENCE:
            combo = QComboBox()
            self._fill_references(combo, options)
            combo.currentIndexChanged.connect(edited)
            return combo, combo
        if kind is FieldKind.BOOLEAN:
            check = QCheckBox(spec.help or "Yes")
            check.toggled.connect(edited)
            return check, check
        if kind is FieldKind.DATE:
            date_field = DateField(show_problems=False)
            date_field.textEdited.connect(edited)
            return date_field, date_field.line
        line: QLineEdit = StateEdit() if kind is FieldKind.STATE else QLineEdit()
        if spec.help and kind is not FieldKind.STATE:
            line.setPlaceholderText(spec.help)
        if kind is FieldKind.INTEGER:
            line.setAlignment(Qt.AlignmentFlag.AlignRight)
        line.textChanged.connect(edited)
        return line, line

    @staticmethod
    def _fill_references(combo: QComboBox, options: Iterable[tuple[int, str]]) -> None:
        combo.clear()
        combo.addItem("(none)", None)
        for record_id, title in options:
            combo.addItem(title, record_id)

    def set_options(self, options: Sequence[tuple[int, str]]) -> None:
        if isinstance(self.widget, QComboBox) and self.spec.kind is FieldKind.REFERENCE:
            current = self.raw()
            self._fill_references(self.widget, options)
            self.set_value(current)

    def parse(self) -> Any:
        """The value to store, or ValueError with a message that follows the field's label."""
        if isinstance(self.widget, DateField):
            # Read in every form the field accepts, so 08/31/2017 is valid before it is
            # rewritten as 2017-08-31 when the user leaves the field.
            return self.spec.parse(self.widget.typed_date())
        return self.spec.parse(self.raw())

    def raw(self) -> Any:
        widget = self.widget
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            return widget.currentData() if widget.currentIndex() >= 0 else None
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, DateField | QLineEdit):
            text = widget.text()
            # Surrounding spaces in a one-line field are never meant; inside text is kept.
            return text.strip() if self.spec.kind is not FieldKind.TEXT else text
        raise AssertionError(widget)

    def set_value(self, value: Any) -> None:
        widget = self.widget
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText("" if value is None else str(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value) if value is not None else -1)
            if value is None and self.spec.kind is FieldKind.REFERENCE:
                widget.setCurrentIndex(0)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, DateField | QLineEdit):
            if isinstance(value, date):
                text = value.isoformat()
            elif value is None:
                text = ""
            else:
                text = str(value)
            widget.setText(text)
            if isinstance(widget, QLineEdit):
                widget.setCursorPosition(0)

    def show_error(self, message: str | None) -> None:
        if message:
            self.error.setText(f"{self.spec.label} {message}")
            self.error.show()
            self.input.setAccessibleDescription(f"Error: {self.spec.label} {message}")
        else:
            self.error.clear()
            self.error.hide()
            self.input.setAccessibleDescription(self.spec.help)


class RecordForm(QWidget):
    """Inputs for every field of a record kind, with each field's problem shown under it.

    A field's problem appears once the user has edited that field (or after a failed save), so
    a new empty form does not open covered in red; the Save button follows is_valid() anyway.
    """

    edited = Signal()
    validityChanged = Signal(bool)

    def __init__(
        self,
        kind: RecordKind,
        *,
        references: Mapping[str, Sequence[tuple[int, str]]] | None = None,
        exclude: Iterable[str] = (),
        reserved_mnemonics: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self._loading = False
        self._baseline: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._valid = False
        references = references or {}
        skipped = set(exclude)
        used = set(reserved_mnemonics.lower())
        self._editors: dict[str, FieldEditor] = {}
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for spec in kind.fields:
            if spec.name in skipped:
                continue
            editor = FieldEditor(
                spec,
                with_mnemonic(spec.label, used),
                self._on_edit,
                references.get(spec.name, ()),
            )
            self._editors[spec.name] = editor
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor.widget)
            column.addWidget(editor.error)
            layout.addRow(editor.label, cell)
        self.load(None)

    # -- reading and loading -------------------------------------------------------------

    def editor(self, name: str) -> QWidget:
        """The input widget users type into (a QLineEdit, QComboBox, …), e.g. for tests."""
        return self._editors[name].input

    def field_names(self) -> list[str]:
        return list(self._editors)

    def error_text(self, name: str) -> str:
        label = self._editors[name].error
        return label.text() if not label.isHidden() else ""

    def set_reference_options(self, name: str, options: Sequence[tuple[int, str]]) -> None:
        if name in self._editors:
            self._loading = True
            try:
                self._editors[name].set_options(options)
            finally:
                self._loading = False

    def load(self, values: Mapping[str, Any] | None) -> None:
        """Shows a record's values (or an empty form) as the unchanged starting point."""
        self._loading = True
        try:
            for name, editor in self._editors.items():
                editor.touched = False
                editor.set_value((values or {}).get(name))
                editor.show_error(None)
        finally:
            self._loading = False
        self._baseline = self._parsed_or_raw()
        self._revalidate()

    def mark_saved(self, values: Mapping[str, Any]) -> None:
        """After a save: what is on screen is now the stored state (keeps what is typed)."""
        self._baseline = {name: values.get(name) for name in self._editors}

    def raw_values(self) -> dict[str, Any]:
        return {name: editor.raw() for name, editor in self._editors.items()}

    def _parsed_or_raw(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, editor in self._editors.items():
            try:
                values[name] = editor.parse()
            except ValueError:
                values[name] = editor.raw()
        return values

    def values(self) -> dict[str, Any]:
        """The parsed values of every field; only meaningful when is_valid()."""
        return self._parsed_or_raw()

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from what was loaded or last saved."""
        current = self._parsed_or_raw()
        return {
            name: value
            for name, value in current.items()
            if _normal(value) != _normal(self._baseline.get(name))
        }

    def is_dirty(self) -> bool:
        return bool(self.changes())

    def is_valid(self) -> bool:
        return self._valid

    def problems(self) -> dict[str, str]:
        """Every field's current problem, shown or not: name → message."""
        return dict(self._errors)

    # -- validation ----------------------------------------------------------------------

    def _on_edit(self, editor: FieldEditor) -> None:
        if self._loading:
            return
        editor.touched = True
        self._revalidate()
        self.edited.emit()

    def _revalidate(self) -> None:
        errors: dict[str, str] = {}
        parsed: dict[str, Any] = {}
        for name, editor in self._editors.items():
            try:
                parsed[name] = editor.parse()
            except ValueError as exc:
                errors[name] = str(exc)
        if not errors:
            try:
                self.kind.check_together(parsed)
            except InvalidInput as exc:
                for problem in exc.problems:
                    errors.setdefault(problem.field, problem.message)
        self._errors = errors
        for name, editor in self._editors.items():
            editor.show_error(errors.get(name) if editor.touched else None)
        valid = not errors
        if valid != self._valid:
            self._valid = valid
            self.validityChanged.emit(valid)

    def reveal_problems(self) -> None:
        """Shows every field's problem, e.g. when the user tries to save anyway."""
        for editor in self._editors.values():
            editor.touched = True
        self._revalidate()

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        """Shows problems the service found next to their fields (unknown fields on the first)."""
        first: FieldEditor | None = None
        for problem in problems:
            editor = self._editors.get(problem.field) or next(iter(self._editors.values()))
            editor.touched = True
            editor.show_error(problem.message)
            first = first or editor
        if first is not None:
            first.input.setFocus()

    def focus_first_field(self) -> None:
        """Puts the cursor in the first field that takes input, e.g. when a dialog opens."""
        for editor in self._editors.values():
            if editor.input.isEnabled() and editor.input.focusPolicy() != Qt.FocusPolicy.NoFocus:
                editor.input.setFocus()
                return

    def focus_first_problem(self) -> None:
        for name, editor in self._editors.items():
            if name in self._errors:
                editor.input.setFocus()
                return


def _normal(value: Any) -> Any:
    """Empty text and no value are the same thing to a user."""
    return None if value == "" else value
