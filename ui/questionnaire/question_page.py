"""One step of the questionnaire: the question as issued, what it means, and its answers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.questionnaires import Question
from app.services.responses import FacilityRef
from ui.common.colours import styled, tint
from ui.questionnaire.answer_form import AnswerForm
from ui.questionnaire.drafts import Draft
from ui.questionnaire.facility_grid import FacilityAnswers
from ui.questionnaire.inputs import MUTED_COLOR

_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


class QuestionPage(QScrollArea):
    """Header (number, text as issued, source, help) above the answer form or facility grid."""

    edited = Signal(object)  # the Draft that changed

    def __init__(
        self,
        question: Question,
        facilities: Sequence[FacilityRef],
        drafts: Sequence[Draft],
        instruments: Sequence[tuple[int, str]],
        evidence: Sequence[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.question = question
        self.drafts = list(drafts)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Built inside the viewport, where setWidget would otherwise move it (and every child).
        body = QWidget(self.viewport())
        body.setObjectName("questionBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(18, 14, 18, 18)
        layout.setSpacing(10)

        # A federal question shows its words as issued, with their source; a prompt Jurisdesk
        # adds for itself says so, and is never presented as the government's question.
        asked = question.issued.text if question.issued else question.text
        source = question.issued.source if question.issued else question.source
        name = (
            f"Question {question.number}"
            if question.is_federal
            else f"Jurisdesk follow-up {question.number}"
        )
        facts = [name, "Required" if question.required else "Optional"]
        if question.is_facility_scope:
            facts.append("Answered for each facility" if facilities else "No facilities recorded")
        self.caption = QLabel(" · ".join(facts), body)
        tint(self.caption, MUTED_COLOR, semibold=True)
        self.text = QLabel(asked, body)
        self.text.setObjectName("questionText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(_SELECTABLE)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(font.Weight.DemiBold)
        self.text.setFont(font)
        self.text.setAccessibleName(f"{name} as issued" if question.issued else name)
        # The page scrolls by keyboard once Tab reaches it: named by its question.
        self.setAccessibleName(f"{name}: {asked}")
        self.source = QLabel(f"Source: {source}", body)
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(_SELECTABLE)
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        tint(self.source, MUTED_COLOR)

        help_box = QFrame(body)
        help_box.setObjectName("helpBox")
        styled(
            help_box,
            "#helpBox {{ background: {help_background}; border: 1px solid {help_border};"
            " border-radius: 4px; }}",
        )
        help_layout = QVBoxLayout(help_box)
        help_title = QLabel("What this means", help_box)
        tint(help_title, "help_title", semibold=True)
        # The plain-language reading of an issued question comes first in the explanation.
        plain = f"{question.text}\n\n" if question.issued and question.text != asked else ""
        self.help = QLabel(plain + question.help, help_box)
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setTextInteractionFlags(_SELECTABLE)
        tint(self.help, "help_text")
        help_layout.addWidget(help_title)
        help_layout.addWidget(self.help)

        layout.addWidget(self.caption)
        layout.addWidget(self.text)
        layout.addWidget(self.source)
        layout.addWidget(help_box)

        self.grid: FacilityAnswers | None = None
        self.form: AnswerForm | None = None
        if question.is_facility_scope and facilities:
            by_id = {d.facility_id: d for d in self.drafts}
            rows = [(f, by_id[f.id]) for f in facilities]
            self.grid = FacilityAnswers(question, rows, instruments, evidence, body)
            self.grid.edited.connect(self.edited)
            layout.addWidget(self.grid)
        else:
            if question.is_facility_scope:
                note = QLabel(
                    "No detention facilities are recorded for this jurisdiction, so the "
                    "question is answered once for the whole jurisdiction (often “Not "
                    "applicable”). Record facilities in the jurisdiction's Facilities tab to "
                    "answer for each one.",
                    body,
                )
                note.setWordWrap(True)
                layout.addWidget(note)
            self.form = AnswerForm(question, instruments, evidence, body)
            self.form.bind(self.drafts[0])
            self.form.edited.connect(lambda: self.edited.emit(self.drafts[0]))
            layout.addWidget(self.form)
        layout.addStretch(1)
        self.setWidget(body)

    def first_input(self) -> QWidget:
        if self.grid is not None:
            return self.grid.table
        assert self.form is not None
        return self.form.value_input

    def refresh(self) -> None:
        """Shows saved results and errors again without touching what is typed."""
        if self.grid is not None:
            self.grid.refresh()
        elif self.form is not None:
            self.form.show_errors()

    def set_read_only(self, read_only: bool) -> None:
        if self.grid is not None:
            self.grid.set_read_only(read_only)
        elif self.form is not None:
            self.form.set_read_only(read_only)

    def focus_facility(self, facility_id: int | None) -> None:
        if self.grid is not None and facility_id is not None:
            self.grid.select_facility(facility_id)
