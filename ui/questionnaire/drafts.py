"""What the user has typed for one answer slot, before and after it is saved (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app import questionnaires
from app.questionnaires import Question
from app.services import FieldProblem, InvalidInput, responses
from app.services.responses import AnswerInput, AnswerRecord

#: An answer slot: the question key and the facility id (None: answered once).
Slot = tuple[str, int | None]

# Number answers are kept as typed so "12,5" can be shown back with its error, not lost.
RawValue = str | list[str] | date | None


@dataclass
class Draft:
    """The editable state of one answer slot; `version` is what it was loaded or saved at."""

    question: Question
    facility_id: int | None
    value: RawValue = None
    basis: str | None = None
    narrative: str = ""
    conditions: str = ""
    as_of: date | None = None
    information_source: str = ""
    instrument_ids: set[int] = field(default_factory=set)
    evidence_ids: set[int] = field(default_factory=set)
    version: int = responses.NO_ANSWER_YET
    result: str | None = None
    # Field name → message, from the last attempt to save; shown next to the control.
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def slot(self) -> Slot:
        return (self.question.key, self.facility_id)

    @classmethod
    def of(cls, question: Question, facility_id: int | None, record: AnswerRecord | None) -> Draft:
        draft = cls(question, facility_id)
        if record is not None:
            draft.take(record)
        return draft

    def take(self, record: AnswerRecord) -> None:
        """Adopts a saved answer (after loading or saving it)."""
        value = record.value
        if self.question.kind == "number" and value is not None:
            value = _number_text(value)
        elif isinstance(value, int | float):
            value = str(value)
        self.value = value
        self.basis = record.basis
        self.narrative = record.narrative or ""
        self.conditions = record.conditions or ""
        self.as_of = record.as_of
        self.information_source = record.information_source or ""
        self.instrument_ids = set(record.instrument_ids)
        self.evidence_ids = set(record.evidence_ids)
        self.version = record.version
        self.result = record.result
        self.errors = {}

    def normalized_value(self) -> questionnaires.Value:
        """The value as the service stores it; AnswerError if it cannot be one."""
        return questionnaires.validate_value(self.question, self.value)

    def to_input(self) -> AnswerInput:
        """The entry to save; InvalidInput (nothing sent to the database) if the value is wrong."""
        try:
            value = self.normalized_value()
        except questionnaires.AnswerError as exc:
            raise InvalidInput([FieldProblem("value", "Answer", _sentence(exc.message))]) from None
        return AnswerInput(
            value=value,
            basis=self.basis or None,
            narrative=self.narrative,
            conditions=self.conditions,
            as_of=self.as_of,
            information_source=self.information_source,
            instrument_ids=sorted(self.instrument_ids),
            evidence_ids=sorted(self.evidence_ids),
        )

    def current_result(self) -> str | None:
        """The result of what is typed now (the saved one if the typed value is invalid)."""
        try:
            return questionnaires.result_for(self.question, self.normalized_value())
        except questionnaires.AnswerError:
            return self.result


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith(".") else message + "."
