"""The form for one answer slot: the answer itself, then narrative, basis and citations."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.questionnaires import Question
from app.services.responses import SOURCE_LIMIT
from app.vocabulary import PolicyBasis
from ui.common.colours import tint
from ui.common.dates import DateField
from ui.questionnaire.drafts import Draft
from ui.questionnaire.inputs import (
    ERROR_COLOR,
    CheckList,
    ValueInput,
    _plain_text_edit,
)

# Kinds whose answer is itself prose: a separate narrative and conditions would repeat it.
_PROSE_KINDS = ("text", "long_text")


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    tint(label, ERROR_COLOR)
    label.hide()
    return label


class AnswerFormView(QWidget):
    """Layout only: the answer control and the supporting details of one slot."""

    def __init__(
        self,
        question: Question,
        instruments: Sequence[tuple[int, str]],
        evidence: Sequence[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.question = question
        prose = question.kind in _PROSE_KINDS
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        self.answer_caption = QLabel("&Answer", self)
        tint(self.answer_caption, semibold=True)
        self.value_input = ValueInput(question, self)
        self.value_input.setAccessibleName(f"Answer to question {question.number}")
        self.answer_caption.setBuddy(self.value_input)
        outer.addWidget(self.answer_caption)
        outer.addWidget(self.value_input)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.narrative = _plain_text_edit(self, 5)
        self.narrative.setAccessibleName("Narrative")
        self.narrative.setPlaceholderText(
            "Explain the answer in your own words: what the rule is, who applies it, since when."
        )
        self.basis = QComboBox(self)
        self.basis.setAccessibleName("Written policy or practice")
        self.basis.addItem("— not stated —", None)
        for value, label in PolicyBasis.choices():
            self.basis.addItem(label, value)
        self.conditions = _plain_text_edit(self, 3)
        self.conditions.setAccessibleName("Conditions")
        self.conditions.setPlaceholderText("e.g. only with a judicial warrant; case by case")
        self.as_of = DateField(self)
        self.as_of.setAccessibleName("As of")
        self.information_source = QLineEdit(self)
        self.information_source.setMaxLength(SOURCE_LIMIT)
        self.information_source.setAccessibleName("Information source")
        self.information_source.setPlaceholderText("Who or what the answer comes from")
        self.instruments = CheckList("No policies or agreements recorded for this jurisdiction.")
        self.instruments.setAccessibleName("Cited instruments")
        self.evidence = CheckList("No evidence files attached to this jurisdiction.")
        self.evidence.setAccessibleName("Evidence")
        self.instruments.set_items(instruments)
        self.evidence.set_items(evidence)

        self.errors: dict[str, QLabel] = {}
        rows: list[tuple[str, str, QWidget]] = []
        if not prose:
            rows += [
                ("narrative", "&Narrative:", self.narrative),
                ("basis", "&Written policy or practice:", self.basis),
                ("conditions", "Con&ditions:", self.conditions),
            ]
        rows += [
            ("as_of", "A&s of:", self.as_of),
            ("information_source", "Information s&ource:", self.information_source),
            ("instrument_ids", "Cited po&licies and agreements:", self.instruments),
            ("evidence_ids", "Eviden&ce:", self.evidence),
        ]
        for name, caption, widget in rows:
            caption_label = QLabel(caption, self)
            caption_label.setBuddy(widget)
            holder = QWidget(self)
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            self.errors[name] = _error_label(holder)
            column.addWidget(self.errors[name])
            form.addRow(caption_label, holder)
        for widget in (self.narrative, self.basis, self.conditions):
            widget.setVisible(not prose)
        outer.addLayout(form)


class AnswerForm(AnswerFormView):
    """Behaviour: shows a Draft, writes every edit back into it and says so (`edited`)."""

    edited = Signal()

    def __init__(
        self,
        question: Question,
        instruments: Sequence[tuple[int, str]],
        evidence: Sequence[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(question, instruments, evidence, parent)
        self.draft: Draft | None = None
        self._loading = False
        self.value_input.changed.connect(self._on_edit)
        self.narrative.textChanged.connect(self._on_edit)
        self.basis.currentIndexChanged.connect(self._on_edit)
        self.conditions.textChanged.connect(self._on_edit)
        self.as_of.changed.connect(self._on_edit)
        self.information_source.textEdited.connect(self._on_edit)
        self.instruments.changed.connect(self._on_edit)
        self.evidence.changed.connect(self._on_edit)

    def bind(self, draft: Draft) -> None:
        """Shows `draft` and edits it from now on."""
        self.draft = draft
        self._loading = True
        try:
            self.value_input.set_value(draft.value)
            self.narrative.setPlainText(draft.narrative)
            index = self.basis.findData(draft.basis)
            self.basis.setCurrentIndex(max(index, 0))
            self.conditions.setPlainText(draft.conditions)
            self.as_of.set_date(draft.as_of)
            self.information_source.setText(draft.information_source)
            self.instruments.set_checked_ids(draft.instrument_ids)
            self.evidence.set_checked_ids(draft.evidence_ids)
        finally:
            self._loading = False
        self.show_errors()

    def reload_value(self) -> None:
        """Shows the draft's value again after something else (the facility grid) changed it."""
        if self.draft is not None:
            self._loading = True
            try:
                self.value_input.set_value(self.draft.value)
            finally:
                self._loading = False

    def _on_edit(self) -> None:
        if self._loading or self.draft is None:
            return
        draft = self.draft
        draft.value = self.value_input.value()
        draft.narrative = self.narrative.toPlainText()
        draft.basis = self.basis.currentData()
        draft.conditions = self.conditions.toPlainText()
        draft.as_of = self.as_of.date()
        draft.information_source = self.information_source.text()
        draft.instrument_ids = self.instruments.checked_ids()
        draft.evidence_ids = self.evidence.checked_ids()
        self.edited.emit()

    def show_errors(self) -> None:
        errors = self.draft.errors if self.draft is not None else {}
        self.value_input.show_error(errors.get("value"))
        for name, label in self.errors.items():
            message = errors.get(name)
            label.setText(message or "")
            label.setVisible(bool(message))

    def set_read_only(self, read_only: bool) -> None:
        for widget in (
            self.value_input,
            self.narrative,
            self.basis,
            self.conditions,
            self.as_of,
            self.information_source,
            self.instruments,
            self.evidence,
        ):
            widget.setEnabled(not read_only)
