"""Loading and validating questionnaire definition files, shipped and malformed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import app.questionnaires.definition as definition_module
from app.paths import resource_path
from app.questionnaires import (
    FACILITY,
    JURISDESK,
    RESULTS,
    DefinitionError,
    Questionnaire,
    UnknownDefinitionError,
    available,
    clear_cache,
    get,
    latest,
    load_definition,
    load_definitions,
)

FIXTURES = Path(__file__).parent / "data" / "questionnaires"
SHIPPED = ("doj-psp-2017", "byrne-jag-fy2017")


def minimal() -> dict[str, Any]:
    """A small valid definition the malformed cases start from."""
    return {
        "key": "test-questionnaire",
        "version": 1,
        "title": "Test questionnaire",
        "issuer": "Test issuer",
        "program": "Test program",
        "description": "For tests.",
        "source": "Tests",
        "questions": [
            {
                "key": "access",
                "number": "1",
                "kind": "single_choice",
                "text": "Access?",
                "help": "Help",
                "source": "Test",
                "required": True,
                "scope": "facility",
                "choices": [
                    {"value": "yes", "label": "Yes", "result": "yes"},
                    {"value": "partial", "label": "Partly", "result": "partial"},
                    {"value": "no", "label": "No", "result": "no"},
                ],
            },
            {
                "key": "details",
                "number": "1a",
                "kind": "long_text",
                "text": "Details?",
                "help": "Help",
                "source": "Test",
                "required": False,
                "scope": "jurisdiction",
                "visible_if": {"question": "access", "in": ["partial"]},
            },
            {
                "key": "count",
                "number": "2",
                "kind": "number",
                "text": "How many?",
                "help": "Help",
                "source": "Test",
                "required": False,
                "scope": "jurisdiction",
                "min": 0,
                "max": 1000,
            },
        ],
    }


def write(folder: Path, document: Any, name: str = "test-questionnaire.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def refused(path: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert info.value.file == path
    assert str(path) in str(info.value)
    return info.value


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    clear_cache()
    yield
    clear_cache()


# --- the shipped definitions -----------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(
        resource_path("questionnaires", "questionnaire.schema.json").read_text(encoding="utf-8")
    )
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("key", SHIPPED)
def test_shipped_definition_passes_schema_and_loads(key: str) -> None:
    path = resource_path("questionnaires", f"{key}.json")
    schema = json.loads(
        resource_path("questionnaires", "questionnaire.schema.json").read_text(encoding="utf-8")
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    definition = load_definition(path)
    assert definition.key == key
    assert definition.version == 1
    assert definition.path == path
    for question in definition.questions:
        if question.is_facility_scope:
            assert question.has_choices
        for choice in question.choices:
            assert choice.result is None or choice.result in {r for r, _ in RESULTS}


def test_shipped_definitions_are_available_sorted_by_title() -> None:
    definitions = load_definitions()
    assert set(definitions) == {
        ("doj-psp-2017", 1),
        ("doj-psp-2017", 2),
        ("byrne-jag-fy2017", 1),
        ("byrne-jag-fy2017", 2),
    }
    titles = [d.title for d in available()]
    assert titles == sorted(titles, key=str.casefold)
    assert {d.key for d in available()} == set(SHIPPED)
    # New responses take the latest version; responses pinned to version 1 keep it.
    assert get("doj-psp-2017", 2) is latest("doj-psp-2017")
    assert get("doj-psp-2017", 1).version == 1


# The three questions as issued (DOJ news release of August 3, 2017, quoting the letter).
ISSUED = {
    "access": "Does your jurisdiction have a statute, rule, regulation, policy, or practice that "
    "is designed to ensure that U.S. Department of Homeland Security (DHS) personnel have access "
    "to any correctional or detention facility in order to meet with an alien (or an individual "
    "believed to be an alien) and inquire as to his or her right to be or to remain in the "
    "United States?",
    "notice": "Does your jurisdiction have a statute, rule, regulation, policy, or practice that "
    "is designed to ensure that your correctional and detention facilities provide at least 48 "
    "hours advance notice, where possible, to DHS regarding the scheduled release date and time "
    "of an alien in the jurisdiction's custody when DHS requests such notice in order to take "
    "custody of the alien?",
    "hold": "Does your jurisdiction have a statute, rule, regulation, policy, or practice that "
    "is designed to ensure that your correctional and detention facilities will honor a written "
    "request from DHS to hold a foreign national for up to 48 hours beyond the scheduled release "
    "date and time in order to permit DHS to take custody of the alien?",
}


def test_psp_version_2_carries_the_questions_as_issued_apart_from_the_explanation() -> None:
    psp = get("doj-psp-2017", 2)
    for key, wording in ISSUED.items():
        question = psp.question(key)
        assert question.is_federal
        assert question.issued is not None
        assert question.issued.text == wording
        assert "August 3, 2017" in question.issued.source
        # What the screen shows is the plain-language explanation, not the federal wording.
        assert question.text != wording
    assert psp.question("hold").issued is not None
    assert "secondary copy" in psp.question("hold").issued.source  # type: ignore[union-attr]
    assert [c.rule for c in psp.checks] == [c.rule for c in get("doj-psp-2017", 1).checks]


def test_psp_version_2_marks_its_own_prompts_and_letter_wording() -> None:
    psp = get("doj-psp-2017", 2)
    own = [q.key for q in psp.questions if q.origin == JURISDESK]
    assert own == ["access_conditions", "notice_conditions", "hold_conditions", "statement"]
    assert all(psp.question(key).issued is None for key in own)
    for key in ISSUED:
        for choice in psp.question(key).choices:
            assert choice.letter
            assert "describe" not in choice.letter
            assert choice.letter != choice.label or choice.value in {"no", "not_applicable"}


def test_version_1_definitions_without_the_new_members_still_load() -> None:
    psp = get("doj-psp-2017", 1)
    assert all(q.issued is None and q.is_federal for q in psp.questions)
    assert all(c.letter is None for q in psp.questions for c in q.choices)
    jag = latest("byrne-jag-fy2017")
    # Its conditions are paraphrased: no wording is on record to present as issued.
    assert all(q.issued is None for q in jag.questions)


def test_jurisdesk_prompt_cannot_carry_issued_text(tmp_path: Path) -> None:
    document = minimal()
    document["questions"][0]["origin"] = "jurisdesk"
    document["questions"][0]["issued"] = {"text": "Quoted?", "source": "Nowhere."}
    error = refused(write(tmp_path, document))
    assert any(
        p.path == "$.questions[0].issued" and "no federal wording" in p.reason
        for p in error.problems
    )


def test_issued_text_needs_its_source(tmp_path: Path) -> None:
    document = minimal()
    document["questions"][0]["issued"] = {"text": "Quoted."}
    error = refused(write(tmp_path, document))
    assert any(p.path == "$.questions[0].issued" for p in error.problems)


def test_psp_asks_the_three_questions_per_facility() -> None:
    psp = latest("doj-psp-2017")
    assert psp.issuer == "U.S. Department of Justice, Office of Justice Programs"
    assert psp.program == "Public Safety Partnership (PSP)"
    main = [q for q in psp.questions if q.scope == FACILITY]
    assert [q.key for q in main] == ["access", "notice", "hold"]
    issued = [q.issued.text if q.issued else "" for q in main]
    assert "statute, rule, regulation, policy, or practice" in issued[0]
    assert "48 hours" in issued[1]
    assert "where possible" in issued[1]
    assert "up to 48 hours beyond the scheduled release" in issued[2]
    for question in main:
        assert question.required
        assert [(c.value, c.result) for c in question.choices] == [
            ("yes", "yes"),
            ("partial", "partial"),
            ("no", "no"),
            ("outside_control", "outside_control"),
            ("unknown", "unknown"),
            ("not_applicable", "not_applicable"),
        ]
    follow_up = psp.question("access_conditions")
    assert follow_up.visible_if is not None
    assert follow_up.visible_if.question == "access"
    assert not follow_up.required


def test_jag_certification_and_conditions() -> None:
    jag = latest("byrne-jag-fy2017")
    assert jag.program == "Edward Byrne Memorial Justice Assistance Grant (JAG), FY2017"
    certification = jag.question("certification")
    assert certification.kind == "yes_no"
    assert [(c.value, c.result) for c in certification.choices] == [("yes", "yes"), ("no", "no")]
    for key in ("certifier_name", "certifier_title", "certification_date"):
        question = jag.question(key)
        assert question.required
        assert question.visible_if is not None
        assert question.visible_if.values == ("yes",)
    assert not jag.question("application_number").required
    assert "hold" not in jag.question_keys
    assert "48-hour hold" in jag.description
    assert "October 5, 2018" in jag.question("certification").help
    assert "52–56" in jag.question("notice_condition").help


def test_text_lengths_default_by_kind() -> None:
    psp = latest("doj-psp-2017")
    assert psp.question("statement").max_length == 100_000
    jag = latest("byrne-jag-fy2017")
    assert jag.question("certifier_name").max_length == 200
    assert jag.question("certification").max_length is None


def test_unknown_definition_is_a_clear_lookup_error() -> None:
    with pytest.raises(UnknownDefinitionError, match="nope"):
        latest("nope")
    with pytest.raises(UnknownDefinitionError, match="version 9"):
        get("doj-psp-2017", 9)


# --- folders, versions, cache ----------------------------------------------------------------


def test_latest_picks_highest_version_and_cache_is_per_folder(tmp_path: Path) -> None:
    v1 = minimal()
    v2 = minimal()
    v2["version"] = 2
    v2["title"] = "Test questionnaire, second edition"
    write(tmp_path, v1, "v1.json")
    write(tmp_path, v2, "v2.json")
    assert set(load_definitions(tmp_path)) == {("test-questionnaire", 1), ("test-questionnaire", 2)}
    assert latest("test-questionnaire", tmp_path).version == 2
    assert get("test-questionnaire", 1, tmp_path).title == "Test questionnaire"
    assert [d.version for d in available(tmp_path)] == [2]
    # Cached: a file added later is seen only after clear_cache().
    v3 = minimal()
    v3["version"] = 3
    write(tmp_path, v3, "v3.json")
    assert latest("test-questionnaire", tmp_path).version == 2
    clear_cache()
    assert latest("test-questionnaire", tmp_path).version == 3


def test_same_key_and_version_twice_is_refused(tmp_path: Path) -> None:
    write(tmp_path, minimal(), "a.json")
    second = write(tmp_path, minimal(), "b.json")
    with pytest.raises(DefinitionError) as info:
        load_definitions(tmp_path)
    assert info.value.file == second
    assert "a.json" in str(info.value)


def test_load_definitions_ignores_schema_files(tmp_path: Path) -> None:
    write(tmp_path, minimal())
    (tmp_path / "other.schema.json").write_text("{}", encoding="utf-8")
    assert list(load_definitions(tmp_path)) == [("test-questionnaire", 1)]


def test_loaded_definition_is_immutable(tmp_path: Path) -> None:
    definition = load_definition(write(tmp_path, minimal()))
    assert isinstance(definition, Questionnaire)
    with pytest.raises(AttributeError):
        definition.title = "changed"  # type: ignore[misc]


# --- malformed definitions: file, JSON path and reason ---------------------------------------


def _mutated(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(minimal())
    change(document)
    return document


MALFORMED = [
    pytest.param(lambda d: d.pop("title"), "$", "'title' is a required property", id="missing-key"),
    pytest.param(
        lambda d: d["questions"][0].pop("kind"),
        "$.questions[0]",
        "'kind' is a required property",
        id="missing-question-kind",
    ),
    pytest.param(
        lambda d: d["questions"][2].update(kind="dropdown"),
        "$.questions[2].kind",
        "'dropdown' is not one of",
        id="bad-kind",
    ),
    pytest.param(
        lambda d: d["questions"][0]["choices"][1].update(result="maybe"),
        "$.questions[0].choices[1].result",
        "'maybe' is not one of",
        id="unknown-result",
    ),
    pytest.param(
        lambda d: d["questions"][0]["choices"][1].update(result="incomplete"),
        "$.questions[0].choices[1].result",
        "'incomplete' is not one of",
        id="incomplete-is-shown-never-answered",
    ),
    pytest.param(lambda d: d.update(version=0), "$.version", "minimum", id="version-zero"),
    pytest.param(
        lambda d: d.update(key="Not A Slug"), "$.key", "does not match", id="key-not-slug"
    ),
    pytest.param(
        lambda d: d["questions"][1].update(colour="red"),
        "$.questions[1]",
        "unknown member(s): 'colour'",
        id="unknown-member",
    ),
    pytest.param(
        lambda d: d["questions"][0].pop("choices"),
        "$.questions[0]",
        "'choices' is a required property",
        id="choice-without-choices",
    ),
    pytest.param(
        lambda d: d["questions"][1].update(choices=[{"value": "a", "label": "A", "result": None}]),
        "$.questions[1].choices",
        "not allowed for kind 'long_text'",
        id="choices-on-text",
    ),
    pytest.param(
        lambda d: d["questions"][1].update(min=1),
        "$.questions[1].min",
        "not allowed for kind 'long_text'",
        id="min-on-text",
    ),
    pytest.param(
        lambda d: d["questions"][2].update(key="access"),
        "$.questions[2].key",
        "duplicate question key 'access'",
        id="duplicate-question-key",
    ),
    pytest.param(
        lambda d: d["questions"][2].update(number="1"),
        "$.questions[2].number",
        "duplicate question number '1'",
        id="duplicate-question-number",
    ),
    pytest.param(
        lambda d: d["questions"][0]["choices"][2].update(value="yes"),
        "$.questions[0].choices[2].value",
        "duplicate choice value 'yes'",
        id="duplicate-choice",
    ),
    pytest.param(
        lambda d: d["questions"][1]["visible_if"].update(question="count"),
        "$.questions[1].visible_if.question",
        "comes later",
        id="visible-if-later-question",
    ),
    pytest.param(
        lambda d: d["questions"][1]["visible_if"].update(question="nowhere"),
        "$.questions[1].visible_if.question",
        "unknown question 'nowhere'",
        id="visible-if-unknown-question",
    ),
    pytest.param(
        lambda d: d["questions"][1]["visible_if"].update(question="details"),
        "$.questions[1].visible_if.question",
        "cannot depend on itself",
        id="visible-if-self",
    ),
    pytest.param(
        lambda d: d["questions"][2].update(visible_if={"question": "details", "in": ["x"]}),
        "$.questions[2].visible_if.question",
        "it must have choices",
        id="visible-if-text-parent",
    ),
    pytest.param(
        lambda d: d["questions"][1]["visible_if"].update({"in": ["partial", "sometimes"]}),
        "$.questions[1].visible_if.in[1]",
        "'sometimes' is not a choice of 'access'",
        id="visible-if-unknown-value",
    ),
    pytest.param(
        lambda d: d["questions"][1].update(scope="facility"),
        "$.questions[1].scope",
        "facility scope is only for choice and yes_no questions",
        id="facility-scope-text",
    ),
    pytest.param(
        lambda d: d["questions"][2].update(min=10, max=5),
        "$.questions[2].min",
        "above max",
        id="min-above-max",
    ),
]


@pytest.mark.parametrize(("change", "json_path", "reason"), MALFORMED)
def test_malformed_definition_names_file_path_and_reason(
    tmp_path: Path, change: Any, json_path: str, reason: str
) -> None:
    path = write(tmp_path, _mutated(change), "broken.json")
    error = refused(path)
    assert any(p.path == json_path and reason in p.reason for p in error.problems), error
    assert f"{json_path}: " in str(error)


def test_every_problem_is_reported_not_just_the_first() -> None:
    path = FIXTURES / "many-problems.json"
    error = refused(path)
    paths = [p.path for p in error.problems]
    assert paths == [
        "$.questions[0].choices[0].result",
        "$.questions[1].kind",
        "$.questions[2]",
    ]
    assert "'key' is a required property" in error.problems[2].reason
    assert "3 problems" in str(error)


def test_every_semantic_problem_is_reported(tmp_path: Path) -> None:
    document = minimal()
    document["questions"][2]["key"] = "access"
    document["questions"][1]["visible_if"]["in"] = ["never"]
    error = refused(write(tmp_path, document))
    assert [p.path for p in error.problems] == [
        "$.questions[1].visible_if.in[0]",
        "$.questions[2].key",
    ]


def test_yes_no_parent_accepts_yes_and_no(tmp_path: Path) -> None:
    document = minimal()
    document["questions"][0] = {
        "key": "access",
        "number": "1",
        "kind": "yes_no",
        "text": "Access?",
        "help": "Help",
        "source": "Test",
        "required": True,
        "scope": "facility",
    }
    document["questions"][1]["visible_if"]["in"] = ["yes", "no"]
    assert load_definition(write(tmp_path, document)).question("access").choices[0].value == "yes"
    document["questions"][1]["visible_if"]["in"] = ["partial"]
    error = refused(write(tmp_path, document))
    assert "choices: yes, no" in error.problems[0].reason


def test_bad_json_syntax_names_line_and_column() -> None:
    path = FIXTURES / "bad-syntax.json"
    error = refused(path)
    assert error.problems[0].path == "$"
    assert "line 6, column 1" in error.problems[0].reason


def test_duplicate_json_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"key": "a", "key": "b"}', encoding="utf-8")
    assert "'key' appears twice" in str(refused(path))


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")
    assert "is not of type 'object'" in str(refused(path))


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    assert "file not found" in str(refused(tmp_path / "absent.json"))
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "caf\u00e9"}'.encode("latin-1"))
    assert "not UTF-8" in str(refused(path))


# --- Byrne JAG version 2 ---------------------------------------------------------------------

JAG = "byrne-jag-fy2017"
JAG_OWN_PROMPTS = [
    "certifier_name",
    "certifier_title",
    "certification_date",
    "application_number",
    "access_condition_details",
    "notice_condition_details",
    "statement",
]


def test_jag_version_2_passes_schema_and_loads() -> None:
    path = resource_path("questionnaires", f"{JAG}-v2.json")
    schema = json.loads(
        resource_path("questionnaires", "questionnaire.schema.json").read_text(encoding="utf-8")
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    definition = load_definition(path)
    assert (definition.key, definition.version) == (JAG, 2)
    assert get(JAG, 2) == definition
    assert latest(JAG) == definition
    assert [d.version for d in available() if d.key == JAG] == [2]


def test_jag_version_2_quotes_no_federal_wording() -> None:
    jag = get(JAG, 2)
    document = json.loads(jag.path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert all("issued" not in q for q in document["questions"])
    assert all(q.issued is None for q in jag.questions)
    assert "paraphrased" in jag.source
    for key in ("certification", "access_condition", "notice_condition"):
        assert "paraphrased" in jag.question(key).source


def test_jag_version_2_marks_its_own_prompts() -> None:
    jag = get(JAG, 2)
    own = [q.key for q in jag.questions if q.origin == JURISDESK]
    assert own == JAG_OWN_PROMPTS
    federal = [q.key for q in jag.questions if q.is_federal]
    assert federal == ["certification", "access_condition", "notice_condition"]
    # Every prompt Jurisdesk adds except the free statement completes a federal question.
    for key in JAG_OWN_PROMPTS[:-1]:
        condition = jag.question(key).visible_if
        assert condition is not None
        assert condition.question in federal
    assert jag.question("statement").visible_if is None


def test_jag_version_2_gives_every_choice_letter_wording() -> None:
    jag = get(JAG, 2)
    document = json.loads(jag.path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    declared = [c for q in document["questions"] for c in q.get("choices", [])]
    assert declared
    assert all(c.get("letter") for c in declared)
    for key in ("access_condition", "notice_condition"):
        for choice in jag.question(key).choices:
            assert choice.letter
            assert "describe" not in choice.letter
            assert "—" not in choice.letter
            assert choice.letter.endswith(".")
            # Labels written for the person answering never reach the letter as they are.
            if "—" in choice.label or "(" in choice.label:
                assert choice.letter != choice.label
        assert jag.question(key).choice("outside_control").letter == (  # type: ignore[union-attr]
            "We cannot answer for this facility, which we do not operate."
        )


def test_jag_version_2_keeps_version_1_questions_and_corrects_its_wording() -> None:
    v1, v2 = get(JAG, 1), get(JAG, 2)
    assert v1.version == 1
    assert v1.question_keys == v2.question_keys
    assert v1.checks == v2.checks
    for old, new in zip(v1.questions, v2.questions, strict=True):
        assert (old.number, old.kind, old.scope, old.required) == (
            new.number,
            new.kind,
            new.scope,
            new.required,
        )
        assert (old.visible_if, old.max_length) == (new.visible_if, new.max_length)
        assert [(c.value, c.result) for c in old.choices] == [
            (c.value, c.result) for c in new.choices
        ]
    # Version 1 is untouched: no origins, no letter wording.
    assert all(q.is_federal and q.issued is None for q in v1.questions)
    assert all(c.letter is None for q in v1.questions for c in q.choices)
    # The award conditions are not a letter, never asked for a hold, and did not exist yet on
    # August 3, 2017.
    for question in v2.questions:
        assert "The letter asks" not in question.help
        assert "hold" not in question.text.casefold()
    assert "September 5, 2017" in v2.description
    assert "no FY2017 award existed" in v2.description


def test_new_jag_response_is_pinned_to_version_2_and_version_1_stays_usable(store: Any) -> None:
    from app.services import responses
    from tests.helpers import make_jurisdiction

    city = make_jurisdiction(store)
    started = responses.start_response(store, city.id, JAG)
    assert (started.summary.questionnaire_key, started.summary.questionnaire_version) == (JAG, 2)
    assert responses.get_response(store, started.summary.id).questionnaire == get(JAG, 2)
    pinned = responses.start_response(store, city.id, JAG, version=1)
    assert pinned.summary.questionnaire_version == 1
    assert responses.get_response(store, pinned.summary.id).questionnaire == get(JAG, 1)


# --- definitions found valid are not checked again ------------------------------------------


def test_a_valid_definition_is_checked_once_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    checked: list[Any] = []
    schema_problems = definition_module._schema_problems

    def counting(document: Any) -> Any:
        checked.append(document["title"])
        return schema_problems(document)

    monkeypatch.setattr(definition_module, "_schema_problems", counting)
    path = write(tmp_path, minimal())
    load_definition(path)
    assert checked == ["Test questionnaire"]
    assert definition_module.validated_record_path().is_file()

    clear_cache()  # as a new start: the record is read from the cache folder again
    load_definition(path)
    assert checked == ["Test questionnaire"], "the same bytes are not checked twice"

    changed = minimal()
    changed["title"] = "Changed questionnaire"
    write(tmp_path, changed)
    clear_cache()
    assert load_definition(path).title == "Changed questionnaire"
    assert checked == ["Test questionnaire", "Changed questionnaire"]


def test_a_definition_tampered_with_after_it_was_checked_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, minimal())
    load_definition(path)
    tampered = minimal()
    tampered["questions"][0]["kind"] = "essay"
    write(tmp_path, tampered)
    clear_cache()
    assert "questions[0].kind" in str(refused(path))


def test_an_unwritable_cache_folder_does_not_stop_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = write(tmp_path, minimal())
    assert load_definition(path).title == "Test questionnaire"
