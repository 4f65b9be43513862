"""Consistency checks a questionnaire declares: answers that contradict the record or the letter.

A definition lists the checks that apply to it (``"checks"`` in its JSON, each a rule and a
severity). The rules are here, as pure functions of the answers and the facts they rest on, so
the review step, the workflow and the tests all judge a response the same way. An *error*
blocks submission for review and approval; a *warning* is listed in the review step and must be
acknowledged by the approver, who is recorded as having done so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from app.questionnaires.definition import (
    CHECK_RULES,
    ERROR,
    OUTSIDE_CONTROL,
    PARTIAL,
    WARNING,
    YES,
    Check,
    Question,
    Questionnaire,
)
from app.questionnaires.engine import AnswerValue, is_empty, values_by_question, visible_questions

# The rules a definition can declare (their names are listed in definition.CHECK_RULES).
OUTSIDE_CONTROL_BUT_CONTROLLED: Final = "outside_control_but_controlled"
CONTROLLED_FACILITY_UNANSWERED: Final = "controlled_facility_unanswered"
WRITTEN_POLICY_NOT_CITED: Final = "written_policy_not_cited"
PLACEHOLDER_TEXT: Final = "placeholder_text"
assert set(CHECK_RULES) == {
    OUTSIDE_CONTROL_BUT_CONTROLLED,
    CONTROLLED_FACILITY_UNANSWERED,
    WRITTEN_POLICY_NOT_CITED,
    PLACEHOLDER_TEXT,
}

# Bases that claim a written rule (app.vocabulary.PolicyBasis values; no import: the engine
# stays independent of the services' vocabulary module).
_WRITTEN_BASES: Final = frozenset({"written", "both"})

# Words drafters leave for later. Brackets hold a placeholder only when they hold a few words
# of letters ("[name]", "[City Attorney]"); "[sic]" and subsection letters ("(a)", "[a]") are
# legal usage, not placeholders.
_PLACEHOLDER = re.compile(
    r"\bto\s+be\s+(?:confirmed|determined|decided|added|completed|provided|obtained|verified"
    r"|checked)\b"
    r"|\bTB[DCA]\b"
    r"|\[(?!sic\])[A-Za-z][A-Za-z .'_-]{1,40}\]"
    r"|\bX{3,}\b"
    r"|\blorem\s+ipsum\b"
    r"|\b(?:TODO|FIXME)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FacilityFacts:
    """What the facility register says of one facility."""

    key: str
    name: str
    # The jurisdiction operates it (operator type matches the jurisdiction's own kind).
    run_by_us: bool
    sets_policy: bool

    @property
    def controlled(self) -> bool:
        return self.run_by_us or self.sets_policy


@dataclass(frozen=True, slots=True)
class AnswerFacts:
    """One saved answer slot, with what a check needs beyond its value."""

    answer: AnswerValue
    basis: str | None = None
    cited: int = 0
    # (what it is, the text) for the texts the letter prints beside the value (narrative,
    # conditions); a text answer's own value is checked as the answer.
    texts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by a check, with the question and facility it concerns."""

    rule: str
    severity: str
    question_key: str | None
    number: str | None
    facility_key: str | None
    message: str

    @property
    def key(self) -> str:
        """Stable identity, so an approver's acknowledgement names exactly this finding."""
        return "|".join((self.rule, self.question_key or "", self.facility_key or "", self.message))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def placeholder_in(text: str) -> str | None:
    """The first placeholder in `text` ("TBD", "[name]", "to be confirmed"…), or None."""
    match = _PLACEHOLDER.search(text)
    return match.group(0) if match else None


def _where(question: Question, facility: FacilityFacts | None) -> str:
    return f"Question {question.number}" + (f", {facility.name}" if facility else "")


def check(
    questionnaire: Questionnaire,
    answers: Sequence[AnswerFacts],
    facilities: Sequence[FacilityFacts],
    printed: Iterable[tuple[str, str]] = (),
) -> list[Finding]:
    """Every finding of the checks `questionnaire` declares, in question then facility order.

    `printed` are the other texts the letter prints (letterhead, facility and instrument
    names…), each as (what it is, text); only the placeholder rule reads them. Hidden
    questions are never checked: their answers do not print.
    """
    declared = {c.rule: c.severity for c in questionnaire.checks}
    if not declared:
        return []
    by_slot = {(a.answer.question_key, a.answer.facility_key): a for a in answers}
    visible = visible_questions(questionnaire, values_by_question(a.answer for a in answers))
    findings: list[Finding] = []

    def found(
        rule: str, question: Question | None, facility: FacilityFacts | None, message: str
    ) -> None:
        if rule in declared:
            findings.append(
                Finding(
                    rule,
                    declared[rule],
                    question.key if question else None,
                    question.number if question else None,
                    facility.key if facility else None,
                    message,
                )
            )

    for question in visible:
        slots: list[FacilityFacts | None] = (
            list(facilities) if question.is_facility_scope and facilities else [None]
        )
        for facility in slots:
            facts = by_slot.get((question.key, facility.key if facility else None))
            where = _where(question, facility)
            answered = facts is not None and not is_empty(facts.answer.value)
            if facility is not None and facility.controlled:
                because = "we run it" if facility.run_by_us else "we set policy there"
                if not answered:
                    found(
                        CONTROLLED_FACILITY_UNANSWERED,
                        question,
                        facility,
                        f"{where}: not answered, and the facility register says {because}. "
                        "Answer for it.",
                    )
                elif facts is not None and facts.answer.result == OUTSIDE_CONTROL:
                    found(
                        OUTSIDE_CONTROL_BUT_CONTROLLED,
                        question,
                        facility,
                        f"{where}: answered “outside our control”, but the facility register "
                        f"says {because}. Answer for the facility, or correct the register.",
                    )
            if facts is None or not answered:
                continue
            if (
                facts.answer.result in (YES, PARTIAL)
                and facts.basis in _WRITTEN_BASES
                and facts.cited == 0
            ):
                found(
                    WRITTEN_POLICY_NOT_CITED,
                    question,
                    facility,
                    f"{where}: the answer rests on a written policy but cites none. "
                    "Cite the ordinance, order or agreement.",
                )
            texts = list(facts.texts)
            if not question.has_choices and isinstance(facts.answer.value, str):
                texts.insert(0, ("Answer", facts.answer.value))
            for what, text in texts:
                placeholder = placeholder_in(text)
                if placeholder:
                    found(
                        PLACEHOLDER_TEXT,
                        question,
                        facility,
                        f"{where}: the {what.lower()} still says “{placeholder}”. "
                        "Replace it with the final wording.",
                    )
    for what, text in printed:
        placeholder = placeholder_in(text)
        if placeholder:
            found(
                PLACEHOLDER_TEXT,
                None,
                None,
                f"{what} still says “{placeholder}”; the letter prints it. "
                "Replace it with the final wording.",
            )
    return findings


__all__ = [
    "CONTROLLED_FACILITY_UNANSWERED",
    "ERROR",
    "OUTSIDE_CONTROL_BUT_CONTROLLED",
    "PLACEHOLDER_TEXT",
    "WARNING",
    "WRITTEN_POLICY_NOT_CITED",
    "AnswerFacts",
    "Check",
    "FacilityFacts",
    "Finding",
    "check",
    "placeholder_in",
]
