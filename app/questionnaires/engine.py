"""Answer rules over a questionnaire definition: validation, visibility, completeness, results."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

from app.questionnaires.definition import (
    DATE,
    INCOMPLETE,
    LONG_TEXT,
    MULTIPLE_CHOICE,
    NO,
    NOT_APPLICABLE,
    NUMBER,
    OUTSIDE_CONTROL,
    PARTIAL,
    RESULT_VALUES,
    SINGLE_CHOICE,
    TEXT,
    UNKNOWN,
    YES,
    YES_NO,
    Question,
    Questionnaire,
)

#: A normalized answer value; None means unanswered.
#: single_choice/yes_no → str, multiple_choice → list[str], text/long_text → str,
#: date → datetime.date, number → int or float.
Value: TypeAlias = str | list[str] | int | float | date | None

#: What visible_questions accepts per question key: one value, or a sequence of values
#: (one per facility for facility-scope questions). Nesting is flattened.
ValueOrValues: TypeAlias = Value | Sequence[Value]


class AnswerError(ValueError):
    """A value the question cannot take; `message` is written for the person typing it."""

    def __init__(self, question_key: str, message: str) -> None:
        self.question_key = question_key
        self.message = message
        super().__init__(f"{question_key}: {message}")


@dataclass(frozen=True, slots=True)
class AnswerValue:
    """One answer slot: a question, for one facility (facility-scope) or None (jurisdiction)."""

    question_key: str
    facility_key: str | None
    value: Value
    result: str | None = None


@dataclass(frozen=True, slots=True)
class Missing:
    """A required, visible answer slot with no value."""

    question_key: str
    number: str
    facility_key: str | None = None

    def __str__(self) -> str:
        where = f" for facility {self.facility_key}" if self.facility_key is not None else ""
        return f"Question {self.number} is required{where}."


@dataclass(frozen=True, slots=True)
class Completeness:
    """Required visible answer slots: how many are answered, which are missing."""

    answered: int
    required: int
    missing: tuple[Missing, ...]
    percent: int

    @property
    def complete(self) -> bool:
        return not self.missing


# --- values ----------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def is_empty(value: object) -> bool:
    """None, "", all-whitespace text and [] all mean "not answered"."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple):
        return len(value) == 0
    return False


def _choice_values(question: Question) -> str:
    return ", ".join(repr(c.value) for c in question.choices)


def _validate_choice(question: Question, raw: object) -> str:
    if question.kind == YES_NO and isinstance(raw, bool):
        return YES if raw else NO
    if not isinstance(raw, str):
        raise AnswerError(question.key, f"expected one choice, got {type(raw).__name__}")
    if question.choice(raw) is None:
        raise AnswerError(
            question.key,
            f"{raw!r} is not one of the choices ({_choice_values(question)})",
        )
    return raw


def _validate_multiple(question: Question, raw: object) -> list[str] | None:
    if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
        raise AnswerError(question.key, f"expected a list of choices, got {type(raw).__name__}")
    selected = list(raw)
    if not selected:
        return None
    seen: set[str] = set()
    for item in selected:
        if not isinstance(item, str):
            raise AnswerError(question.key, f"expected choice values, got {type(item).__name__}")
        if question.choice(item) is None:
            raise AnswerError(
                question.key,
                f"{item!r} is not one of the choices ({_choice_values(question)})",
            )
        if item in seen:
            raise AnswerError(question.key, f"{item!r} is selected more than once")
        seen.add(item)
    # Definition order, so equal selections compare and display the same.
    return [c.value for c in question.choices if c.value in seen]


def _validate_text(question: Question, raw: object) -> str | None:
    if not isinstance(raw, str):
        raise AnswerError(question.key, f"expected text, got {type(raw).__name__}")
    if raw.strip() == "":
        return None
    limit = question.max_length
    if limit is not None and len(raw) > limit:
        raise AnswerError(
            question.key,
            f"text is {len(raw):,} characters long; the limit is {limit:,} characters",
        )
    # Lone surrogates cannot be stored as UTF-8: refuse now rather than fail on save.
    if _SURROGATE.search(raw):
        raise AnswerError(question.key, "text contains an invalid character (lone surrogate)")
    # Kept exactly as typed: no trimming, no normalization, markup and NUL included.
    return raw


def _validate_date(question: Question, raw: object) -> date | None:
    if isinstance(raw, datetime):
        # datetime is a date subclass; silently dropping the time would hide a caller's bug.
        raise AnswerError(question.key, "expected a date without a time of day")
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise AnswerError(question.key, f"expected a date, got {type(raw).__name__}")
    text = raw.strip()
    if not _ISO_DATE.fullmatch(text):
        raise AnswerError(question.key, f"{raw!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AnswerError(question.key, f"{raw!r} is not a real calendar date") from None


def _validate_number(question: Question, raw: object) -> int | float:
    number: int | float
    if isinstance(raw, bool):
        raise AnswerError(question.key, "expected a number, got a yes/no value")
    if isinstance(raw, int | float):
        number = raw
    elif isinstance(raw, str):
        text = raw.strip()
        try:
            number = int(text) if _INTEGER.fullmatch(text) else float(text)
        except ValueError:
            raise AnswerError(question.key, f"{raw!r} is not a number") from None
    else:
        raise AnswerError(question.key, f"expected a number, got {type(raw).__name__}")
    if isinstance(number, float) and not math.isfinite(number):
        raise AnswerError(question.key, f"{raw!r} is not a finite number")
    if question.min is not None and number < question.min:
        raise AnswerError(question.key, f"{number} is below the minimum of {question.min}")
    if question.max is not None and number > question.max:
        raise AnswerError(question.key, f"{number} is above the maximum of {question.max}")
    return number


def validate_value(question: Question, raw: object) -> Value:
    """The normalized value for `raw`, or AnswerError with a message for the user.

    None, "", all-whitespace text and an empty list normalize to None (unanswered).
    Text is returned exactly as given (no trimming); dates accept date or "YYYY-MM-DD";
    numbers accept int, float or a numeric string; yes_no also accepts True/False;
    multiple_choice returns the selection in the definition's order.
    """
    if is_empty(raw):
        return None
    kind = question.kind
    if kind in (SINGLE_CHOICE, YES_NO):
        return _validate_choice(question, raw)
    if kind == MULTIPLE_CHOICE:
        return _validate_multiple(question, raw)
    if kind in (TEXT, LONG_TEXT):
        return _validate_text(question, raw)
    if kind == DATE:
        return _validate_date(question, raw)
    if kind == NUMBER:
        return _validate_number(question, raw)
    raise AnswerError(question.key, f"unsupported question kind {kind!r}")  # pragma: no cover


def result_for(question: Question, value: object) -> str | None:
    """The compliance result a value stands for.

    single_choice/yes_no: the chosen choice's result. multiple_choice: combined_result of the
    selected choices' results. text, date, number and unanswered: None. An invalid value raises
    AnswerError.
    """
    if not question.has_choices:
        return None
    normalized = validate_value(question, value)
    if normalized is None:
        return None
    selected = normalized if isinstance(normalized, list) else [str(normalized)]
    results = [choice.result for v in selected if (choice := question.choice(v)) is not None]
    if len(results) == 1:
        return results[0]
    return combined_result(results)


# --- visibility ------------------------------------------------------------------------------


def _selected_values(raw: object) -> set[str]:
    """Every choice value in `raw`, however nested (per-facility lists, multiple choice)."""
    if isinstance(raw, str):
        return {raw}
    if isinstance(raw, list | tuple | set | frozenset):
        selected: set[str] = set()
        for item in raw:
            selected |= _selected_values(item)
        return selected
    return set()


def values_by_question(answers: Iterable[AnswerValue]) -> dict[str, list[Value]]:
    """The values of each question across all its slots (facilities), for visible_questions."""
    values: dict[str, list[Value]] = {}
    for answer in answers:
        if not is_empty(answer.value):
            values.setdefault(answer.question_key, []).append(answer.value)
    return values


def visible_questions(
    questionnaire: Questionnaire, values_by_question: Mapping[str, ValueOrValues]
) -> list[Question]:
    """The questions to show, in order.

    A question with visible_if is visible when its parent is visible and the parent's value —
    any selected value of a multiple_choice, and for a facility-scope parent the value of ANY
    facility — is in the listed values. `values_by_question` maps a key to one value or to a
    list of per-facility values (see values_by_question()). A hidden parent hides its
    children, so conditions chain.
    """
    visible: list[Question] = []
    shown: set[str] = set()
    for question in questionnaire.questions:
        condition = question.visible_if
        if condition is not None:
            if condition.question not in shown:
                continue
            selected = _selected_values(values_by_question.get(condition.question))
            if selected.isdisjoint(condition.values):
                continue
        visible.append(question)
        shown.add(question.key)
    return visible


# --- completeness ----------------------------------------------------------------------------


def answer_slots(question: Question, facility_keys: Sequence[str]) -> list[str | None]:
    """The facility keys a question is answered for; [None] means once for the jurisdiction.

    A facility-scope question with no facilities recorded is answered once at jurisdiction
    level (e.g. a city with no jail of its own answering "not applicable").
    """
    if question.is_facility_scope and facility_keys:
        return list(dict.fromkeys(facility_keys))
    return [None]


def _answered_slots(answers: Iterable[AnswerValue]) -> set[tuple[str, str | None]]:
    return {(a.question_key, a.facility_key) for a in answers if not is_empty(a.value)}


def missing_required(
    questionnaire: Questionnaire,
    answers: Iterable[AnswerValue],
    facility_keys: Sequence[str],
) -> list[Missing]:
    """Required, visible answer slots without a value, in question then facility order.

    Hidden questions are never missing. Only exact slots count: a facility-scope answer with
    facility_key None does not fill a facility's slot (unless there are no facilities), and
    answers for facilities not in `facility_keys` are ignored.
    """
    return list(completeness(questionnaire, answers, facility_keys).missing)


def completeness(
    questionnaire: Questionnaire,
    answers: Iterable[AnswerValue],
    facility_keys: Sequence[str],
) -> Completeness:
    """Counts over required, visible answer slots; percent is rounded down (100 only when
    complete; 100 also when nothing is required)."""
    answer_list = list(answers)
    answered_slots = _answered_slots(answer_list)
    visible = visible_questions(questionnaire, values_by_question(answer_list))
    required = 0
    answered = 0
    missing: list[Missing] = []
    for question in visible:
        if not question.required:
            continue
        for facility_key in answer_slots(question, facility_keys):
            required += 1
            if (question.key, facility_key) in answered_slots:
                answered += 1
            else:
                missing.append(Missing(question.key, question.number, facility_key))
    percent = 100 if required == 0 else answered * 100 // required
    return Completeness(answered, required, tuple(missing), percent)


# --- results ---------------------------------------------------------------------------------


def combined_result(results: Sequence[str | None]) -> str | None:
    """The jurisdiction's result for a question from its per-facility results.

    Rules, in order:
    1. None (unanswered) and "not_applicable" are ignored.
    2. Nothing left: "not_applicable" if any result was n/a, else None (no answer yet).
    3. All left are "outside_control": "outside_control".
    4. Otherwise only the facilities within the jurisdiction's control count
       ("outside_control" ones are set aside — the jurisdiction answers for what it runs):
       any "unknown" → "unknown"; all "yes" → "yes"; all "no" → "no"; otherwise "partial".
    So a county-run jail (outside_control) plus a city holding facility (yes) gives "yes",
    and yes + no gives "partial". The result does not depend on the order of `results`.
    """
    for result in results:
        if result is not None and result not in RESULT_VALUES:
            raise ValueError(f"unknown compliance result {result!r}")
    considered = [r for r in results if r is not None and r != NOT_APPLICABLE]
    if not considered:
        return NOT_APPLICABLE if NOT_APPLICABLE in results else None
    controlled = [r for r in considered if r != OUTSIDE_CONTROL]
    if not controlled:
        return OUTSIDE_CONTROL
    if UNKNOWN in controlled:
        return UNKNOWN
    if all(r == YES for r in controlled):
        return YES
    if all(r == NO for r in controlled):
        return NO
    return PARTIAL


def question_result(
    question: Question,
    answers: Iterable[AnswerValue],
    facility_keys: Sequence[str],
) -> str | None:
    """The jurisdiction's result for one visible question, never hiding a missing answer.

    Rules, in order:
    1. A question without choices (text, date, number) has no result: None.
    2. Its answer slots are those of answer_slots(): one per facility for a facility-scope
       question, else one for the jurisdiction — also when no facility is recorded, so the
       jurisdiction-level answer is the result. Answers to other questions or slots are
       ignored.
    3. A required question with any slot unanswered is INCOMPLETE, whoever runs the
       facility: the question is asked of every facility, including one where the
       jurisdiction does not set policy (its answer is normally pre-filled "outside our
       control", see facility_default). So a question is INCOMPLETE exactly when
       completeness() lists one of its slots as missing, and it never reads "outside our
       control" while a facility the jurisdiction runs itself is still unanswered.
    4. Otherwise combined_result() of the answered slots' results (an optional question with
       nothing answered: None).
    `answers` carry their results (AnswerValue.result) as stored with the answer.
    """
    if not question.has_choices:
        return None
    slots = answer_slots(question, facility_keys)
    given = {
        a.facility_key: a.result
        for a in answers
        if a.question_key == question.key and not is_empty(a.value)
    }
    if question.required and any(slot not in given for slot in slots):
        return INCOMPLETE
    return combined_result([given[slot] for slot in slots if slot in given])


def facility_default(
    question: Question,
    operator_name: str,
    operator_type: str | None,
    sets_policy: bool,
) -> tuple[Value, str] | None:
    """A suggested answer for a facility the jurisdiction does not set policy for.

    For a facility-scope question with an "outside_control" choice, when `sets_policy` is
    False: that choice's value (a one-item list for multiple_choice) and a narrative such as
    "Outside our control — operated by Bernalillo County (county)." None otherwise: the
    jurisdiction must answer for facilities it controls itself.
    """
    if sets_policy or not question.is_facility_scope:
        return None
    choice = next((c for c in question.choices if c.result == OUTSIDE_CONTROL), None)
    if choice is None:
        return None
    name = operator_name.strip() or "another operator"
    kind = f" ({operator_type.strip()})" if operator_type and operator_type.strip() else ""
    narrative = f"Outside our control — operated by {name}{kind}."
    value: Value = [choice.value] if question.kind == MULTIPLE_CHOICE else choice.value
    return value, narrative
