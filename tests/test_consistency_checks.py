"""The consistency checks a questionnaire declares, as pure rules over answers and facilities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import questionnaires
from app.questionnaires import AnswerValue, checks
from app.questionnaires.checks import AnswerFacts, FacilityFacts

PSP = questionnaires.get("doj-psp-2017", 1)
CITY = FacilityFacts("1", "Prisoner Transport Center", run_by_us=True, sets_policy=False)
TIED = FacilityFacts("2", "Holding Unit", run_by_us=False, sets_policy=True)
COUNTY = FacilityFacts("3", "Metropolitan Detention Center", run_by_us=False, sets_policy=False)


def answer(key: str, facility: FacilityFacts | None, value: str, **facts: object) -> AnswerFacts:
    result = questionnaires.result_for(PSP.question(key), value)
    fkey = facility.key if facility else None
    return AnswerFacts(AnswerValue(key, fkey, value, result), **facts)  # type: ignore[arg-type]


def complete(value: str = "no") -> list[AnswerFacts]:
    return [answer(k, f, value) for k in ("access", "notice", "hold") for f in (CITY, TIED)] + [
        answer(k, COUNTY, "outside_control") for k in ("access", "notice", "hold")
    ]


def rules(found: list[checks.Finding]) -> list[tuple[str, str | None, str | None]]:
    return [(f.rule, f.question_key, f.facility_key) for f in found]


def test_the_shipped_questionnaires_declare_the_checks() -> None:
    for definition in questionnaires.available():
        declared = {c.rule: c.severity for c in definition.checks}
        assert declared == {
            "outside_control_but_controlled": "error",
            "controlled_facility_unanswered": "error",
            "written_policy_not_cited": "warning",
            "placeholder_text": "error",
        }, definition.key


def test_a_consistent_response_has_no_findings() -> None:
    assert checks.check(PSP, complete(), [CITY, TIED, COUNTY]) == []


def test_outside_control_for_a_facility_we_run_or_set_policy_at_is_an_error() -> None:
    answers = complete()
    answers[0] = answer("access", CITY, "outside_control")
    answers[1] = answer("access", TIED, "outside_control")
    found = checks.check(PSP, answers, [CITY, TIED, COUNTY])
    assert rules(found) == [
        ("outside_control_but_controlled", "access", "1"),
        ("outside_control_but_controlled", "access", "2"),
    ]
    assert all(f.is_error and f.number == "1" for f in found)
    assert "Question 1, Prisoner Transport Center" in found[0].message
    assert "we run it" in found[0].message
    assert "we set policy there" in found[1].message


def test_a_controlled_facility_left_unanswered_is_an_error_but_another_operators_is_not() -> None:
    answers = [a for a in complete() if a.answer.facility_key != "2"]
    answers = [a for a in answers if a.answer.facility_key != "3"]
    found = checks.check(PSP, answers, [CITY, TIED, COUNTY])
    assert rules(found) == [
        ("controlled_facility_unanswered", "access", "2"),
        ("controlled_facility_unanswered", "notice", "2"),
        ("controlled_facility_unanswered", "hold", "2"),
    ]


def test_yes_on_a_written_policy_with_nothing_cited_is_a_warning() -> None:
    answers = complete()
    answers[0] = answer("access", CITY, "yes", basis="written")
    answers[1] = answer("access", TIED, "yes", basis="written", cited=1)
    answers[2] = answer("notice", CITY, "yes", basis="practice")
    found = checks.check(PSP, answers, [CITY, TIED, COUNTY])
    assert rules(found) == [("written_policy_not_cited", "access", "1")]
    assert found[0].severity == "warning"
    assert not found[0].is_error


@pytest.mark.parametrize(
    "text",
    [
        "Signed by the City Attorney (name to be confirmed).",
        "Policy number TBD",
        "Dear [name],",
        "Approved by [City Attorney]",
        "Filed on XXXX",
        "TODO: add the MOU",
    ],
)
def test_placeholder_text_is_found(text: str) -> None:
    assert checks.placeholder_in(text) is not None
    answers = complete()
    answers[0] = answer("access", CITY, "no", texts=(("Narrative", text),))
    found = checks.check(PSP, answers, [CITY, TIED, COUNTY])
    assert rules(found) == [("placeholder_text", "access", "1")]
    assert "narrative still says" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "8 U.S.C. § 1373(a)",
        "The jail was “overcrowded” [sic] in 2015.",
        "Subsection [a] applies.",
        "Total: 40 detainers, to be precise.",
        "Confirmed on August 3, 2017.",
    ],
)
def test_legal_writing_is_not_taken_for_a_placeholder(text: str) -> None:
    assert checks.placeholder_in(text) is None


def test_placeholders_in_other_printed_text_are_found_without_a_question() -> None:
    found = checks.check(
        PSP, complete(), [CITY, TIED, COUNTY], [("The letterhead address", "[street]")]
    )
    assert rules(found) == [("placeholder_text", None, None)]
    assert found[0].message.startswith("The letterhead address still says “[street]”")


def test_hidden_questions_are_not_checked() -> None:
    # 1a shows only when question 1 is "partial": its leftover text does not print.
    answers = [*complete(), answer("access_conditions", None, "TBD")]
    assert checks.check(PSP, answers, [CITY, TIED, COUNTY]) == []
    answers[0] = answer("access", CITY, "partial")
    assert rules(checks.check(PSP, answers, [CITY, TIED, COUNTY])) == [
        ("placeholder_text", "access_conditions", None)
    ]


def test_only_declared_checks_run_with_their_declared_severity(tmp_path: Path) -> None:
    document = json.loads(PSP.path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    document["checks"] = [{"rule": "outside_control_but_controlled", "severity": "warning"}]
    path = tmp_path / "psp.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    definition = questionnaires.load_definition(path)
    answers = complete()
    answers[0] = answer("access", CITY, "outside_control", texts=(("Narrative", "TBD"),))
    found = checks.check(definition, answers[1:], [CITY, TIED, COUNTY])
    assert rules(found) == []  # unanswered and placeholder checks are not declared
    found = checks.check(definition, answers, [CITY, TIED, COUNTY])
    assert [(f.rule, f.severity) for f in found] == [("outside_control_but_controlled", "warning")]


def test_a_check_declared_twice_or_unknown_is_refused(tmp_path: Path) -> None:
    document = json.loads(PSP.path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    document["checks"] = [
        {"rule": "placeholder_text", "severity": "error"},
        {"rule": "placeholder_text", "severity": "warning"},
        {"rule": "spelling", "severity": "error"},
    ]
    path = tmp_path / "psp.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(questionnaires.DefinitionError) as info:
        questionnaires.load_definition(path)
    assert "$.checks[2].rule" in str(info.value)
    document["checks"] = document["checks"][:2]
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(questionnaires.DefinitionError, match=r"\$\.checks\[1\]\.rule"):
        questionnaires.load_definition(path)
