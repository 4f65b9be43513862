"""The per-facility answers of one question: a grid of facilities with a detail form each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.questionnaires import OUTSIDE_CONTROL, Question
from app.services.responses import FacilityRef
from app.vocabulary import OperatorType, PolicyBasis
from ui.common.colours import roles, tint
from ui.common.table_model import RowsModel
from ui.questionnaire.answer_form import AnswerForm
from ui.questionnaire.drafts import Draft
from ui.questionnaire.inputs import MUTED_COLOR

AnyIndex = QModelIndex | QPersistentModelIndex

FACILITY, OPERATOR, CONTROL, ANSWER, BASIS, NARRATIVE = range(6)
# Plain ints: data() is asked for a dozen roles per cell and comparing enums is slow.
_DISPLAY, _EDIT, _TOOLTIP, _FONT, _FOREGROUND, _ACCESSIBLE = (
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.EditRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.AccessibleTextRole,
    )
)
_ROLES = frozenset((_DISPLAY, _EDIT, _TOOLTIP, _FONT, _FOREGROUND, _ACCESSIBLE))
_READ_ONLY_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE_FLAGS = _READ_ONLY_FLAGS | Qt.ItemFlag.ItemIsEditable
HEADERS = ("Facility", "Operator", "We set policy", "Answer", "Policy or practice", "Narrative")


def operator_text(facility: FacilityRef) -> str:
    """“Bernalillo County — county”: who runs it and what kind of operator that is."""
    try:
        kind = OperatorType.of(facility.operator_type).label.lower()
    except KeyError:
        kind = facility.operator_type or ""
    return f"{facility.operator_name} — {kind}" if kind else facility.operator_name


def short_choice_label(label: str) -> str:
    # Choice labels read "Yes — a statute … ensures access"; the grid shows the part before
    # the dash and keeps the whole label as the tooltip.
    return label.split(" — ", 1)[0]


class FacilityAnswersModel(RowsModel[tuple[FacilityRef, Draft]]):
    """One row per facility; the answer and basis columns are editable in place."""

    headers = HEADERS
    edited = Signal(int)  # row

    def __init__(
        self,
        question: Question,
        rows: Sequence[tuple[FacilityRef, Draft]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.question = question
        self.rows = list(rows)
        self.read_only = False

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        editable = index.column() == BASIS or (
            index.column() == ANSWER and self.question.kind in ("single_choice", "yes_no")
        )
        return _EDITABLE_FLAGS if editable and not self.read_only else _READ_ONLY_FLAGS

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in _ROLES or not index.isValid():
            return None
        facility, draft = self.rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return self._display(facility, draft, column)
        if role == _EDIT:
            if column == ANSWER:
                return draft.value
            if column == BASIS:
                return draft.basis
            return self._display(facility, draft, column)
        if role == _TOOLTIP:
            if column == ANSWER:
                return self._answer_tooltip(draft)
            if column == NARRATIVE:
                return draft.narrative or None
            return self._display(facility, draft, column)
        if role == _FONT and column == FACILITY:
            font = QFont()
            font.setBold(True)
            return font
        if role == _FOREGROUND:
            if column == ANSWER and draft.errors:
                return QColor(roles().error)
            if column == ANSWER and draft.value in (None, "", []):
                return QColor(roles().warning)
            if not facility.sets_policy and column in (OPERATOR, CONTROL):
                return QColor(roles().muted)
        if role == _ACCESSIBLE:
            return f"{HEADERS[column]}: {self._display(facility, draft, column)}"
        return None

    def _display(self, facility: FacilityRef, draft: Draft, column: int) -> str:
        if column == FACILITY:
            return facility.name
        if column == OPERATOR:
            return operator_text(facility)
        if column == CONTROL:
            return "Yes" if facility.sets_policy else "No"
        if column == ANSWER:
            return self.answer_text(draft)
        if column == BASIS:
            return PolicyBasis.of(draft.basis).label if draft.basis else ""
        if column == NARRATIVE:
            first = draft.narrative.strip().splitlines()
            return first[0] if first else ""
        return ""

    def answer_text(self, draft: Draft) -> str:
        value = draft.value
        if value in (None, "", []):
            return "Not answered"
        values = value if isinstance(value, list) else [value]
        labels = []
        for item in values:
            choice = self.question.choice(str(item))
            labels.append(short_choice_label(choice.label) if choice else str(item))
        return ", ".join(labels)

    def _answer_tooltip(self, draft: Draft) -> str:
        if draft.errors:
            return " ".join(draft.errors.values())
        values = draft.value if isinstance(draft.value, list) else [draft.value]
        labels = [c.label for v in values if v and (c := self.question.choice(str(v)))]
        return "\n".join(labels) or "Not answered yet"

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.read_only:
            return False
        _facility, draft = self.rows[index.row()]
        if index.column() == ANSWER:
            if draft.value == value:
                return False
            draft.value = value
        elif index.column() == BASIS:
            if draft.basis == value:
                return False
            draft.basis = value
        else:
            return False
        self.row_changed(index.row())
        self.edited.emit(index.row())
        return True

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_read_only(self, read_only: bool) -> None:
        self.beginResetModel()
        self.read_only = read_only
        self.endResetModel()


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor over (value, label) pairs; the pick is committed at once."""

    def __init__(self, items: Sequence[tuple[str | None, str]], parent: Any = None) -> None:
        super().__init__(parent)
        self.items = list(items)

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for value, label in self.items:
            combo.addItem(label, value)
        combo.activated.connect(lambda _i, c=combo: self._commit(c))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class FacilityAnswers(QWidget):
    """The grid of facilities and, below it, the full answer form of the selected one."""

    edited = Signal(object)  # the Draft that changed

    def __init__(
        self,
        question: Question,
        rows: Sequence[tuple[FacilityRef, Draft]],
        instruments: Sequence[tuple[int, str]],
        evidence: Sequence[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = FacilityAnswersModel(question, rows, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(f"Answers to question {question.number} by facility")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab leaves the grid, arrows move inside it
        choices: list[tuple[str | None, str]] = [(None, "Not answered")] + [
            (c.value, c.label) for c in question.choices
        ]
        self.table.setItemDelegateForColumn(ANSWER, ChoiceDelegate(choices, self.table))
        bases: list[tuple[str | None, str]] = [(None, "— not stated —"), *PolicyBasis.choices()]
        self.table.setItemDelegateForColumn(BASIS, ChoiceDelegate(bases, self.table))
        # The basis is edited in the form below; in the grid it would push the narrative out.
        self.table.setColumnHidden(BASIS, True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._visible_rows = min(max(len(rows), 1), 6)

        self.details = QGroupBox(self)
        self.stack = QStackedWidget(self.details)
        # A facility's form is built when it is first shown: each is a few dozen widgets, and
        # building all of them up front made every step with many facilities slow to open.
        self.question = question
        self.instruments = list(instruments)
        self.evidence = list(evidence)
        self.read_only = False
        self.forms: list[AnswerForm | None] = [None] * len(rows)
        details_layout = QVBoxLayout(self.details)
        self.outside_note = QLabel(self.details)
        self.outside_note.setWordWrap(True)
        tint(self.outside_note, MUTED_COLOR)
        details_layout.addWidget(self.outside_note)
        details_layout.addWidget(self.stack)

        hint = QLabel(
            "Pick a facility to see and edit all of its answer below. Change the answer right "
            "in the grid with a double click, F2 or by typing.",
            self,
        )
        hint.setWordWrap(True)
        tint(hint, MUTED_COLOR)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(hint)
        layout.addWidget(self.details)

        self.model.edited.connect(self._grid_edited)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.show_row(current.row())
        )
        self._fit_columns()
        self._fit_height()
        if rows:
            self.table.selectRow(0)
            self.show_row(0)

    def _fit_columns(self) -> None:
        # Names are as wide as they are, up to about 36 characters, and the narrative takes
        # the rest; anything longer elides (full text in the tooltip), so the grid never needs
        # a horizontal scroll bar. Short columns keep their natural width.
        header = self.table.horizontalHeader()
        widest = self.table.fontMetrics().averageCharWidth() * 36
        for column in (FACILITY, OPERATOR):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, min(self.table.sizeHintForColumn(column), widest))
        header.setSectionResizeMode(NARRATIVE, QHeaderView.ResizeMode.Stretch)
        for column in (CONTROL, ANSWER):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self._fit_short_columns()
        # Fixed, and fitted again whenever the answers change: ResizeToContents would ask the
        # model for every cell again on each layout pass, which made the page slow to open.
        self.model.dataChanged.connect(self._fit_short_columns)
        self.model.modelReset.connect(self._fit_short_columns)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

    def _fit_short_columns(self) -> None:
        """Sizes the short columns to their contents, as QHeaderView.ResizeToContents would."""
        header = self.table.horizontalHeader()
        low, high = header.minimumSectionSize(), header.maximumSectionSize()
        for column in (CONTROL, ANSWER):
            wanted = max(header.sectionSizeHint(column), self.table.sizeHintForColumn(column))
            width = max(low, min(wanted, high))
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def _fit_height(self) -> None:
        # Every facility visible without scrolling (up to six); the horizontal scroll bar's
        # room is kept so a narrow window never hides the last row behind it.
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self._visible_rows))
        if not self.model.rows:
            rows = self.table.verticalHeader().defaultSectionSize()
        scroll = self.table.horizontalScrollBar().sizeHint().height()
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + rows + scroll + 2 * self.table.frameWidth() + 2)

    def form(self, row: int) -> AnswerForm:
        """The answer form of the facility in row, built on first use."""
        form = self.forms[row]
        if form is None:
            facility, draft = self.model.rows[row]
            form = AnswerForm(self.question, self.instruments, self.evidence, self.stack)
            form.value_input.setAccessibleName(
                f"Answer to question {self.question.number} for {facility.name}"
            )
            form.bind(draft)
            form.set_read_only(self.read_only)
            form.edited.connect(lambda row=row: self._form_edited(row))
            self.stack.addWidget(form)
            self.forms[row] = form
        return form

    def built_forms(self) -> list[tuple[int, AnswerForm]]:
        return [(row, form) for row, form in enumerate(self.forms) if form is not None]

    def show_row(self, row: int) -> None:
        if not 0 <= row < len(self.forms):
            return
        facility, draft = self.model.rows[row]
        self.stack.setCurrentWidget(self.form(row))
        self.details.setTitle(f"Answer for {facility.name}")
        if facility.sets_policy:
            self.outside_note.hide()
        else:
            self.outside_note.setText(
                f"The jurisdiction does not set policy at this facility; it is operated by "
                f"{operator_text(facility)}. "
                + (
                    "The answer was pre-filled as outside our control: check the narrative."
                    if draft.result == OUTSIDE_CONTROL
                    else ""
                )
            )
            self.outside_note.show()

    def select_facility(self, facility_id: int) -> None:
        for row, (facility, _draft) in enumerate(self.model.rows):
            if facility.id == facility_id:
                self.table.selectRow(row)
                self.show_row(row)

    def _grid_edited(self, row: int) -> None:
        form = self.forms[row]
        if form is not None:  # an unbuilt form reads the draft when it is built
            form.reload_value()
            form.bind(self.model.rows[row][1])
        self.edited.emit(self.model.rows[row][1])

    def _form_edited(self, row: int) -> None:
        self.model.row_changed(row)
        self.edited.emit(self.model.rows[row][1])

    def refresh(self) -> None:
        """Repaints after a save (results, errors) without touching what is typed."""
        for _row, form in self.built_forms():
            form.show_errors()
        for row in range(len(self.model.rows)):
            self.model.row_changed(row)
        self.show_row(self.table.currentIndex().row())

    def set_read_only(self, read_only: bool) -> None:
        current = max(self.table.currentIndex().row(), 0)
        self.read_only = read_only
        self.model.set_read_only(read_only)
        for _row, form in self.built_forms():
            form.set_read_only(read_only)
        if self.forms:
            self.table.selectRow(current)
