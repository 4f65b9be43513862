"""When a colleague saved the same answer first: both versions side by side, and a choice."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.questionnaires import Question
from app.reports.text import long_date
from app.services.responses import AnswerRecord
from app.vocabulary import PolicyBasis
from ui.questionnaire.drafts import Draft
from ui.questionnaire.review import value_prose


class Choice(enum.Enum):
    THEIRS = "theirs"
    MINE = "mine"
    LATER = "later"


@dataclass(frozen=True)
class ConflictFacts:
    question: Question
    facility_name: str | None
    mine: Draft
    theirs: AnswerRecord | None  # None: they cleared the answer
    saved_by: str | None  # who saved theirs, and when, from the history
    instrument_labels: Mapping[int, str]
    evidence_labels: Mapping[int, str]


def _rows(draft: Draft, facts: ConflictFacts) -> list[tuple[str, str]]:
    def names(ids: set[int] | tuple[int, ...], labels: Mapping[int, str]) -> str:
        return "\n".join(sorted(labels.get(i, f"(record {i})") for i in ids)) or "—"

    basis = PolicyBasis.of(draft.basis).label if draft.basis else "—"
    return [
        ("Answer", value_prose(facts.question, draft) or "(no answer)"),
        ("Written policy or practice", basis),
        ("Narrative", draft.narrative.strip() or "—"),
        ("Conditions", draft.conditions.strip() or "—"),
        ("As of", long_date(draft.as_of) if draft.as_of else "—"),
        ("Information source", draft.information_source.strip() or "—"),
        ("Cited instruments", names(draft.instrument_ids, facts.instrument_labels)),
        ("Evidence", names(draft.evidence_ids, facts.evidence_labels)),
    ]


class ConflictDialog(QDialog):
    """Shows what the person typed beside what is saved now; differences in bold."""

    def __init__(self, facts: ConflictFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = Choice.LATER
        where = f"Question {facts.question.number}"
        if facts.facility_name:
            where += f" — {facts.facility_name}"
        self.setWindowTitle(f"{where}: saved by someone else")
        self.setMinimumWidth(720)
        intro = QLabel(
            f"{where} was saved by {facts.saved_by or 'someone else'} after you opened it. "
            "Compare the two versions and choose which one to keep. Nothing is lost until you "
            "choose.",
            self,
        )
        intro.setWordWrap(True)

        theirs = Draft.of(facts.question, facts.mine.facility_id, facts.theirs)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        for column, heading in enumerate(("", "What you typed", "Saved now")):
            label = QLabel(f"<b>{heading}</b>", self)
            grid.addWidget(label, 0, column)
        for row, ((name, mine), (_, saved)) in enumerate(
            zip(_rows(facts.mine, facts), _rows(theirs, facts), strict=True), start=1
        ):
            differs = mine != saved
            grid.addWidget(QLabel(name, self), row, 0, Qt.AlignmentFlag.AlignTop)
            for column, text in ((1, mine), (2, saved)):
                cell = QLabel(self)
                cell.setTextFormat(Qt.TextFormat.PlainText)
                cell.setText(text)
                cell.setWordWrap(True)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                if differs:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                    cell.setAccessibleDescription("differs")
                grid.addWidget(cell, row, column, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        body = QWidget(self)
        body.setLayout(grid)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setAccessibleName("The saved answer and yours, side by side")

        buttons = QDialogButtonBox(self)
        self.theirs_button = QPushButton("Use the &saved version", self)
        self.mine_button = QPushButton("&Keep what I typed", self)
        self.later_button = QPushButton("Decide &later", self)
        for button, choice in (
            (self.theirs_button, Choice.THEIRS),
            (self.mine_button, Choice.MINE),
            (self.later_button, Choice.LATER),
        ):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
        self.theirs_button.setToolTip("Drop what you typed and show the saved answer")
        self.mine_button.setToolTip(
            "Save what you typed over the saved answer (it stays in the history)"
        )
        self.later_button.setToolTip("Keep both for now; the answer stays unsaved")
        self.theirs_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.theirs_button.setFocus()

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()


def resolve_conflict(parent: QWidget, facts: ConflictFacts) -> Choice:
    """Asks which version to keep (a function, so tests can answer without a modal loop)."""
    dialog = ConflictDialog(facts, parent)
    dialog.exec()
    return dialog.choice
