"""Answer rules: value validation, visibility, completeness, combined results, defaults."""

from __future__ import annotations

from datetime import date, datetime
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.questionnaires import (
    FACILITY,
    INCOMPLETE,
    JURISDICTION,
    NO,
    NOT_APPLICABLE,
    OUTSIDE_CONTROL,
    PARTIAL,
    RESULTS,
    UNKNOWN,
    YES,
    AnswerError,
    AnswerValue,
    Choice,
    Missing,
    Question,
    Questionnaire,
    VisibleIf,
    answer_slots,
    combined_result,
    completeness,
    facility_default,
    latest,
    missing_required,
    question_result,
    result_for,
    result_label,
    validate_value,
    values_by_question,
    visible_questions,
)
from app.questionnaires.definition import YES_NO_CHOICES
from app.questionnaires.engine import ValueOrValues

CHOICES = (
    Choice("yes", "Yes", YES),
    Choice("partial", "Partly", PARTIAL),
    Choice("no", "No", NO),
    Choice("outside_control", "Outside our control", OUTSIDE_CONTROL),
    Choice("unknown", "Unknown", UNKNOWN),
    Choice("not_applicable", "Not applicable", NOT_APPLICABLE),
)


def question(key: str = "q", kind: str = "text", **fields: object) -> Question:
    defaults: dict[str, object] = {
        "number": "1",
        "text": "Question?",
        "help": "Help",
        "source": "Test",
        "required": True,
        "scope": JURISDICTION,
    }
    if kind in ("single_choice", "multiple_choice"):
        defaults["choices"] = CHOICES
    elif kind == "yes_no":
        defaults["choices"] = YES_NO_CHOICES
    elif kind == "text":
        defaults["max_length"] = 2000
    elif kind == "long_text":
        defaults["max_length"] = 100_000
    defaults.update(fields)
    return Question(key=key, kind=kind, **defaults)  # type: ignore[arg-type]


def questionnaire(*questions: Question) -> Questionnaire:
    return Questionnaire(
        key="test",
        version=1,
        title="Test",
        issuer="Issuer",
        program="Program",
        description="Description",
        source="Source",
        questions=questions,
    )


# --- validate_value --------------------------------------------------------------------------

HOSTILE_TEXT = [
    "<b>&amp;</b><script>alert(1)</script>",
    "=1+1",
    "@SUM(A1:A2)",
    "مرحبا بالعالم",
    "👩‍⚖️ judge",
    "before\x00after",
    "  leading and trailing whitespace kept  \n",
    "line one\r\nline two\ttabbed",
    "e\u0301 vs \u00e9",  # not NFC-normalized
    "\u202eRTL override",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
@pytest.mark.parametrize("kind", ["text", "long_text"])
def test_text_round_trips_exactly(kind: str, text: str) -> None:
    assert validate_value(question(kind=kind), text) == text


def test_long_text_keeps_100_kb() -> None:
    text = ("é👩‍⚖️<&>\x00" * 20_000)[:100_000]
    assert len(text) == 100_000
    assert validate_value(question(kind="long_text"), text) == text


def test_text_too_long_is_refused_with_the_limit() -> None:
    with pytest.raises(AnswerError) as info:
        validate_value(question(kind="text"), "x" * 2001)
    assert info.value.question_key == "q"
    assert "2,001 characters" in info.value.message
    assert "limit is 2,000" in info.value.message
    with pytest.raises(AnswerError):
        validate_value(question(kind="long_text"), "x" * 100_001)


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(AnswerError, match="invalid character"):
        validate_value(question(kind="text"), "bad \ud800 text")


@pytest.mark.parametrize("kind", ["text", "long_text", "single_choice", "date", "number"])
@pytest.mark.parametrize("empty", [None, "", "   ", "\n\t"])
def test_empty_input_means_unanswered(kind: str, empty: str | None) -> None:
    assert validate_value(question(kind=kind), empty) is None


def test_empty_list_means_unanswered() -> None:
    assert validate_value(question(kind="multiple_choice"), []) is None


def test_wrong_type_for_text() -> None:
    with pytest.raises(AnswerError, match="expected text, got int"):
        validate_value(question(kind="text"), 5)


def test_single_choice() -> None:
    q = question(kind="single_choice")
    assert validate_value(q, "partial") == "partial"
    with pytest.raises(AnswerError) as info:
        validate_value(q, "maybe")
    assert "'maybe' is not one of the choices" in info.value.message
    assert "'outside_control'" in info.value.message
    with pytest.raises(AnswerError, match="expected one choice"):
        validate_value(q, ["yes"])
    with pytest.raises(AnswerError):
        validate_value(q, "Yes")  # values are exact


def test_yes_no() -> None:
    q = question(kind="yes_no")
    assert validate_value(q, "yes") == "yes"
    assert validate_value(q, "no") == "no"
    assert validate_value(q, True) == "yes"
    assert validate_value(q, False) == "no"
    with pytest.raises(AnswerError):
        validate_value(q, "partial")


def test_multiple_choice() -> None:
    q = question(kind="multiple_choice")
    # Returned in the definition's order.
    assert validate_value(q, ["no", "yes"]) == ["yes", "no"]
    assert validate_value(q, ("partial",)) == ["partial"]
    with pytest.raises(AnswerError, match="selected more than once"):
        validate_value(q, ["yes", "yes"])
    with pytest.raises(AnswerError, match="'nope' is not one of the choices"):
        validate_value(q, ["yes", "nope"])
    with pytest.raises(AnswerError, match="expected a list"):
        validate_value(q, "yes")
    with pytest.raises(AnswerError, match="expected choice values"):
        validate_value(q, ["yes", 3])


def test_date() -> None:
    q = question(kind="date")
    assert validate_value(q, "2017-08-18") == date(2017, 8, 18)
    assert validate_value(q, date(2018, 10, 5)) == date(2018, 10, 5)
    for bad in ("08/18/2017", "2017-8-18", "18 August 2017", "2017-08-18T10:00"):
        with pytest.raises(AnswerError, match="YYYY-MM-DD"):
            validate_value(q, bad)
    with pytest.raises(AnswerError, match="not a real calendar date"):
        validate_value(q, "2017-02-30")
    with pytest.raises(AnswerError, match="without a time"):
        validate_value(q, datetime(2017, 8, 18, 10, 0))
    with pytest.raises(AnswerError, match="expected a date"):
        validate_value(q, 20170818)


def test_number() -> None:
    q = question(kind="number", min=0, max=100)
    assert validate_value(q, 40) == 40
    assert validate_value(q, "40") == 40
    assert isinstance(validate_value(q, "40"), int)
    assert validate_value(q, " 2.5 ") == 2.5
    assert validate_value(q, 0) == 0  # zero is an answer, not empty
    with pytest.raises(AnswerError, match="below the minimum of 0"):
        validate_value(q, -1)
    with pytest.raises(AnswerError, match="above the maximum of 100"):
        validate_value(q, "101")
    with pytest.raises(AnswerError, match="'forty' is not a number"):
        validate_value(q, "forty")
    with pytest.raises(AnswerError, match="'1,000' is not a number"):
        validate_value(q, "1,000")
    for bad in ("nan", "inf", float("nan")):
        with pytest.raises(AnswerError, match="not a finite number"):
            validate_value(q, bad)
    with pytest.raises(AnswerError, match="yes/no"):
        validate_value(q, True)
    with pytest.raises(AnswerError, match="expected a number"):
        validate_value(q, [1])


@given(st.text(max_size=2000).filter(lambda s: s.strip() != ""))
def test_any_text_round_trips(text: str) -> None:
    assert validate_value(question(kind="text"), text) == text


# --- result_for ------------------------------------------------------------------------------


def test_result_for() -> None:
    assert result_for(question(kind="single_choice"), "outside_control") == OUTSIDE_CONTROL
    assert result_for(question(kind="yes_no"), "no") == NO
    assert result_for(question(kind="single_choice"), None) is None
    assert result_for(question(kind="text"), "anything") is None
    assert result_for(question(kind="number"), 3) is None
    assert result_for(question(kind="multiple_choice"), ["yes", "no"]) == PARTIAL
    assert result_for(question(kind="multiple_choice"), ["unknown"]) == UNKNOWN
    q = question(kind="single_choice", choices=(Choice("other", "Other", None),))
    assert result_for(q, "other") is None
    with pytest.raises(AnswerError):
        result_for(question(kind="single_choice"), "maybe")


# --- visibility ------------------------------------------------------------------------------

CHAIN = questionnaire(
    question("a", "yes_no", number="1"),
    question("b", "single_choice", number="1a", visible_if=VisibleIf("a", ("yes",))),
    question("c", "long_text", number="1b", visible_if=VisibleIf("b", ("partial", "no"))),
    question("d", "text", number="2"),
)


def keys(questions: list[Question]) -> list[str]:
    return [q.key for q in questions]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, ["a", "d"]),
        ({"a": "no"}, ["a", "d"]),
        ({"a": "yes"}, ["a", "b", "d"]),
        ({"a": "yes", "b": "yes"}, ["a", "b", "d"]),
        ({"a": "yes", "b": "partial"}, ["a", "b", "c", "d"]),
        # b keeps a stale answer but is hidden, so c is hidden too.
        ({"a": "no", "b": "partial"}, ["a", "d"]),
        ({"a": None, "b": "no"}, ["a", "d"]),
    ],
)
def test_chained_visibility(values: dict[str, str | None], expected: list[str]) -> None:
    assert keys(visible_questions(CHAIN, values)) == expected


def test_multiple_choice_parent_matches_any_selected_value() -> None:
    form = questionnaire(
        question("m", "multiple_choice"),
        question("f", "text", visible_if=VisibleIf("m", ("no",))),
    )
    assert keys(visible_questions(form, {"m": ["yes"]})) == ["m"]
    assert keys(visible_questions(form, {"m": ["yes", "no"]})) == ["m", "f"]


def test_facility_scope_parent_matches_any_facility() -> None:
    psp = latest("doj-psp-2017")
    none_partial: dict[str, ValueOrValues] = {"access": ["yes", "outside_control"]}
    assert "access_conditions" not in keys(visible_questions(psp, none_partial))
    one_partial: dict[str, ValueOrValues] = {"access": ["yes", None, "partial"]}
    assert "access_conditions" in keys(visible_questions(psp, one_partial))


def test_values_by_question_collects_every_facility() -> None:
    answers = [
        AnswerValue("access", "central-booking", "outside_control", OUTSIDE_CONTROL),
        AnswerValue("access", "transport-center", "partial", PARTIAL),
        AnswerValue("notice", "transport-center", None, None),
    ]
    assert values_by_question(answers) == {"access": ["outside_control", "partial"]}
    visible = keys(visible_questions(latest("doj-psp-2017"), values_by_question(answers)))
    assert visible == ["access", "access_conditions", "notice", "hold", "statement"]


# --- missing_required and completeness -------------------------------------------------------

FORM = questionnaire(
    question("access", "single_choice", number="1", scope=FACILITY),
    question("details", "long_text", number="1a", visible_if=VisibleIf("access", ("partial",))),
    question("cert", "yes_no", number="2"),
    question("signer", "text", number="2a", visible_if=VisibleIf("cert", ("yes",))),
    question("notes", "long_text", number="3", required=False),
)


def test_nothing_answered_with_two_facilities() -> None:
    missing = missing_required(FORM, [], ["jail", "holding"])
    assert missing == [
        Missing("access", "1", "jail"),
        Missing("access", "1", "holding"),
        Missing("cert", "2", None),
    ]
    assert str(missing[0]) == "Question 1 is required for facility jail."
    assert str(missing[2]) == "Question 2 is required."


def test_conditional_required_appears_when_visible() -> None:
    answers = [
        AnswerValue("access", "jail", "partial", PARTIAL),
        AnswerValue("access", "holding", "yes", YES),
        AnswerValue("cert", None, "yes", YES),
    ]
    assert missing_required(FORM, answers, ["jail", "holding"]) == [
        Missing("details", "1a"),
        Missing("signer", "2a"),
    ]
    done = [*answers, AnswerValue("details", None, "Only with a warrant.", None)]
    done.append(AnswerValue("signer", None, "A. Lawyer", None))
    result = completeness(FORM, done, ["jail", "holding"])
    assert result.missing == ()
    assert (result.answered, result.required, result.percent) == (5, 5, 100)
    assert result.complete


def test_hidden_questions_are_never_missing() -> None:
    answers = [
        AnswerValue("access", None, "no", NO),
        AnswerValue("cert", None, "no", NO),
    ]
    assert missing_required(FORM, answers, []) == []


def test_facility_scope_without_facilities_is_answered_once() -> None:
    assert missing_required(FORM, [AnswerValue("cert", None, "no", NO)], []) == [
        Missing("access", "1", None)
    ]
    answers = [
        AnswerValue("cert", None, "no", NO),
        AnswerValue("access", None, "not_applicable", NOT_APPLICABLE),
    ]
    assert missing_required(FORM, answers, []) == []


def test_only_exact_slots_count() -> None:
    answers = [
        AnswerValue("access", None, "yes", YES),  # jurisdiction-level, but facilities exist
        AnswerValue("access", "elsewhere", "yes", YES),  # not one of this jurisdiction's
        AnswerValue("cert", "jail", "no", NO),  # jurisdiction question with a facility
        AnswerValue("access", "jail", "   ", None),  # whitespace is not an answer
    ]
    assert missing_required(FORM, answers, ["jail"]) == [
        Missing("access", "1", "jail"),
        Missing("cert", "2"),
    ]


def test_completeness_percent_rounds_down() -> None:
    answers = [
        AnswerValue("access", "a", "yes", YES),
        AnswerValue("access", "b", "yes", YES),
    ]
    result = completeness(FORM, answers, ["a", "b", "c"])
    assert (result.answered, result.required, result.percent) == (2, 4, 50)
    result = completeness(FORM, answers[:1], ["a", "b"])
    assert (result.answered, result.required, result.percent) == (1, 3, 33)
    assert not result.complete


def test_completeness_with_nothing_required() -> None:
    form = questionnaire(question("notes", "long_text", required=False))
    result = completeness(form, [], [])
    assert (result.answered, result.required, result.percent) == (0, 0, 100)


def test_answer_slots_deduplicate_facilities() -> None:
    q = question("access", "single_choice", scope=FACILITY)
    assert answer_slots(q, ["a", "b", "a"]) == ["a", "b"]
    assert answer_slots(q, []) == [None]
    assert answer_slots(question("t", "text"), ["a"]) == [None]


def test_shipped_psp_completeness_for_baltimore() -> None:
    psp = latest("doj-psp-2017")
    facilities = ["central-booking"]
    answers = [
        AnswerValue(key, "central-booking", "outside_control", OUTSIDE_CONTROL)
        for key in ("access", "notice", "hold")
    ]
    result = completeness(psp, answers, facilities)
    assert (result.answered, result.required, result.percent) == (3, 3, 100)


# --- combined_result -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([], None),
        ([None, None], None),
        ([NOT_APPLICABLE], NOT_APPLICABLE),
        ([NOT_APPLICABLE, None], NOT_APPLICABLE),
        ([YES], YES),
        ([YES, YES], YES),
        ([NO, NO], NO),
        ([YES, NO], PARTIAL),
        ([PARTIAL], PARTIAL),
        ([YES, PARTIAL], PARTIAL),
        ([OUTSIDE_CONTROL], OUTSIDE_CONTROL),
        ([OUTSIDE_CONTROL, OUTSIDE_CONTROL, NOT_APPLICABLE], OUTSIDE_CONTROL),
        # A county-run jail plus a city facility: the city answers for what it runs.
        ([OUTSIDE_CONTROL, YES], YES),
        ([OUTSIDE_CONTROL, NO], NO),
        ([OUTSIDE_CONTROL, YES, NO], PARTIAL),
        ([YES, UNKNOWN], UNKNOWN),
        ([UNKNOWN, OUTSIDE_CONTROL], UNKNOWN),
        ([YES, NOT_APPLICABLE, None], YES),
        ([NO, NOT_APPLICABLE], NO),
    ],
)
def test_combined_result(results: list[str | None], expected: str | None) -> None:
    assert combined_result(results) == expected


def test_combined_result_rejects_unknown_results() -> None:
    with pytest.raises(ValueError, match="'maybe'"):
        combined_result([YES, "maybe"])


RESULT_OR_NONE = st.sampled_from([*(value for value, _ in RESULTS), None])


@given(st.lists(RESULT_OR_NONE, max_size=8), st.randoms())
def test_combined_result_is_order_independent(results: list[str | None], rnd: Random) -> None:
    shuffled = list(results)
    rnd.shuffle(shuffled)
    assert combined_result(shuffled) == combined_result(results)


@given(st.lists(RESULT_OR_NONE, max_size=8), RESULT_OR_NONE)
def test_combined_result_ignores_unanswered_and_single_result_is_itself(
    results: list[str | None], single: str | None
) -> None:
    assert combined_result([*results, None]) == combined_result(results)
    assert combined_result([single]) == single


# --- question_result -------------------------------------------------------------------------

# Albuquerque's two facilities: the county jail (pre-filled "outside our control") and the
# city-run Prisoner Transport Center.
JAIL, CENTER = "mdc", "ptc"
CHOICE_RESULTS = {c.value: c.result for c in CHOICES}


def facility_question(**fields: object) -> Question:
    return question("notice", "single_choice", scope=FACILITY, **fields)


def slot(facility: str | None, value: str, key: str = "notice") -> AnswerValue:
    return AnswerValue(key, facility, value, CHOICE_RESULTS[value])


def test_question_result_is_incomplete_while_a_controlled_facility_is_unanswered() -> None:
    answers = [slot(JAIL, "outside_control")]
    assert combined_result([a.result for a in answers]) == OUTSIDE_CONTROL  # what it used to say
    assert question_result(facility_question(), answers, [JAIL, CENTER]) == INCOMPLETE
    # An empty value is no answer, whatever row holds it.
    blank = AnswerValue("notice", CENTER, None, None)
    assert question_result(facility_question(), [*answers, blank], [JAIL, CENTER]) == INCOMPLETE
    assert result_label(INCOMPLETE) == "Incomplete"


def test_question_result_is_incomplete_while_an_uncontrolled_facility_is_unanswered() -> None:
    # Asked of every facility: the county jail's answer is missing too, so no result yet.
    answers = [slot(CENTER, "yes")]
    assert question_result(facility_question(), answers, [JAIL, CENTER]) == INCOMPLETE


def test_question_result_sets_aside_facilities_outside_control_once_all_are_answered() -> None:
    answers = [slot(JAIL, "outside_control"), slot(CENTER, "yes")]
    assert question_result(facility_question(), answers, [JAIL, CENTER]) == YES


@pytest.mark.parametrize(
    ("jail", "center", "expected"),
    [
        ("outside_control", "outside_control", OUTSIDE_CONTROL),
        ("outside_control", "no", NO),
        ("yes", "no", PARTIAL),
        ("outside_control", "unknown", UNKNOWN),
        ("not_applicable", "not_applicable", NOT_APPLICABLE),
    ],
)
def test_question_result_with_every_facility_answered_is_the_combined_result(
    jail: str, center: str, expected: str
) -> None:
    answers = [slot(JAIL, jail), slot(CENTER, center)]
    assert question_result(facility_question(), answers, [JAIL, CENTER]) == expected
    assert expected == combined_result([a.result for a in answers])


def test_question_result_without_facilities_is_the_jurisdiction_level_answer() -> None:
    assert question_result(facility_question(), [slot(None, "not_applicable")], []) == (
        NOT_APPLICABLE
    )
    assert question_result(facility_question(), [], []) == INCOMPLETE
    # Once facilities are recorded, a jurisdiction-level answer fills none of their slots.
    assert question_result(facility_question(), [slot(None, "no")], [JAIL]) == INCOMPLETE


def test_question_result_of_a_jurisdiction_question() -> None:
    q = question("access", "yes_no")
    assert question_result(q, [AnswerValue("access", None, "yes", YES)], [JAIL]) == YES
    assert question_result(q, [], [JAIL]) == INCOMPLETE


def test_question_result_ignores_other_questions_and_slots() -> None:
    answers = [
        slot(JAIL, "outside_control"),
        slot(CENTER, "yes", key="hold"),  # another question's answer for the center
        slot("demolished", "no"),  # a facility no longer recorded
    ]
    assert question_result(facility_question(), answers, [JAIL, CENTER]) == INCOMPLETE
    answers.append(slot(CENTER, "yes"))
    assert question_result(facility_question(), answers, [JAIL, CENTER]) == YES


def test_question_result_of_an_optional_question_combines_what_is_answered() -> None:
    optional = facility_question(required=False)
    assert question_result(optional, [slot(CENTER, "no")], [JAIL, CENTER]) == NO
    assert question_result(optional, [], [JAIL, CENTER]) is None


def test_question_result_of_a_question_without_choices_is_none() -> None:
    assert question_result(question("statement", "long_text"), [], [JAIL]) is None


def test_question_result_is_incomplete_exactly_when_the_question_has_a_missing_slot() -> None:
    psp = latest("doj-psp-2017")
    facilities = [JAIL, CENTER]
    answers = [
        AnswerValue("access", JAIL, "outside_control", OUTSIDE_CONTROL),
        AnswerValue("access", CENTER, "partial", PARTIAL),
        AnswerValue("notice", JAIL, "outside_control", OUTSIDE_CONTROL),
        AnswerValue("hold", CENTER, "no", NO),
    ]
    missing = {m.question_key for m in completeness(psp, answers, facilities).missing}
    shown = visible_questions(psp, values_by_question(answers))
    incomplete = {q.key for q in shown if question_result(q, answers, facilities) == INCOMPLETE}
    assert incomplete == missing == {"notice", "hold"}


def test_incomplete_is_a_result_label_but_never_an_answer_result() -> None:
    assert INCOMPLETE not in {value for value, _ in RESULTS}
    with pytest.raises(ValueError, match="'incomplete'"):
        combined_result([YES, INCOMPLETE])


# --- facility_default ------------------------------------------------------------------------


def test_facility_default_for_a_county_jail() -> None:
    access = latest("doj-psp-2017").question("access")
    assert facility_default(access, "Bernalillo County", "county", sets_policy=False) == (
        "outside_control",
        "Outside our control — operated by Bernalillo County (county).",
    )
    assert facility_default(access, "City of Albuquerque", "city", sets_policy=True) is None


def test_facility_default_edge_cases() -> None:
    access = question("access", "single_choice", scope=FACILITY)
    assert facility_default(access, "  ", None, sets_policy=False) == (
        "outside_control",
        "Outside our control — operated by another operator.",
    )
    multiple = question("m", "multiple_choice", scope=FACILITY)
    result = facility_default(multiple, "State of Maryland", "state", sets_policy=False)
    assert result is not None
    assert result[0] == ["outside_control"]
    # No outside_control choice, or a jurisdiction-level question: no default.
    assert facility_default(question("y", "yes_no", scope=FACILITY), "X", "state", False) is None
    assert facility_default(question("j", "single_choice"), "X", "state", False) is None
