"""Questionnaire definitions: versioned JSON files, validated and loaded into frozen dataclasses."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from app import __version__
from app.jsonfiles import DuplicateMemberError, no_duplicate_members
from app.paths import cache_dir, resource_path

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

# Compliance results. The stored value is the constant; the label is what users read.
YES: Final = "yes"
PARTIAL: Final = "partial"
NO: Final = "no"
OUTSIDE_CONTROL: Final = "outside_control"
UNKNOWN: Final = "unknown"
NOT_APPLICABLE: Final = "not_applicable"

RESULTS: Final[tuple[tuple[str, str], ...]] = (
    (YES, "Yes"),
    (PARTIAL, "Partial"),
    (NO, "No"),
    (OUTSIDE_CONTROL, "Outside our control"),
    (UNKNOWN, "Unknown"),
    (NOT_APPLICABLE, "Not applicable"),
)
RESULT_VALUES: Final[frozenset[str]] = frozenset(value for value, _ in RESULTS)

# A question's result while a required answer is still missing. Shown, never answered: it is
# kept out of RESULTS and the schema, so no choice can stand for it and no answer stores it.
INCOMPLETE: Final = "incomplete"
RESULT_LABELS: Final[Mapping[str, str]] = {**dict(RESULTS), INCOMPLETE: "Incomplete"}

# Question kinds.
SINGLE_CHOICE: Final = "single_choice"
MULTIPLE_CHOICE: Final = "multiple_choice"
YES_NO: Final = "yes_no"
TEXT: Final = "text"
LONG_TEXT: Final = "long_text"
DATE: Final = "date"
NUMBER: Final = "number"
KINDS: Final[tuple[str, ...]] = (
    SINGLE_CHOICE,
    MULTIPLE_CHOICE,
    YES_NO,
    TEXT,
    LONG_TEXT,
    DATE,
    NUMBER,
)
CHOICE_KINDS: Final[frozenset[str]] = frozenset({SINGLE_CHOICE, MULTIPLE_CHOICE, YES_NO})
TEXT_KINDS: Final[frozenset[str]] = frozenset({TEXT, LONG_TEXT})

# Scopes: a facility-scope question is answered once per detention facility.
JURISDICTION: Final = "jurisdiction"
FACILITY: Final = "facility"

# Length limits in characters (Unicode code points), stated so the UI can show them.
DEFAULT_MAX_LENGTH: Final[Mapping[str, int]] = {TEXT: 2000, LONG_TEXT: 100_000}

SCHEMA_FILENAME: Final = "questionnaire.schema.json"

# Consistency checks a definition can declare (the rules are in app.questionnaires.checks).
ERROR: Final = "error"
WARNING: Final = "warning"
CHECK_RULES: Final[tuple[str, ...]] = (
    "outside_control_but_controlled",
    "controlled_facility_unanswered",
    "written_policy_not_cited",
    "placeholder_text",
)


def result_label(result: str | None) -> str:
    """The label users read for a compliance result or INCOMPLETE ("" for no result)."""
    if result is None:
        return ""
    return RESULT_LABELS[result]


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    result: str | None
    # How a signed letter states this answer; the label is written for the person answering
    # ("(describe them)") and would read oddly under a city attorney's signature.
    letter: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedText:
    """A question word for word as the federal government issued it, and where it comes from."""

    text: str
    source: str


# Who asks a question: the federal government, or Jurisdesk for its own use (a follow-up on
# conditions, an extra statement). Only federal questions print as "Question N" in a letter.
FEDERAL: Final = "federal"
JURISDESK: Final = "jurisdesk"


@dataclass(frozen=True, slots=True)
class VisibleIf:
    """Visible when `question`'s answer (any selected value, in any facility) is in `values`."""

    question: str
    values: tuple[str, ...]


# yes_no questions carry these implicit choices, so the engine treats all choice kinds alike.
YES_NO_CHOICES: Final[tuple[Choice, ...]] = (Choice(YES, "Yes", YES), Choice(NO, "No", NO))


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    number: str
    kind: str
    text: str
    help: str
    source: str
    required: bool
    scope: str
    choices: tuple[Choice, ...] = ()
    visible_if: VisibleIf | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    # None where the exact federal wording is not on record: `text` is then a paraphrase, and
    # nothing may present it as the question as issued.
    issued: IssuedText | None = None
    origin: str = FEDERAL

    @property
    def is_federal(self) -> bool:
        return self.origin == FEDERAL

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_facility_scope(self) -> bool:
        return self.scope == FACILITY

    def choice(self, value: str) -> Choice | None:
        for choice in self.choices:
            if choice.value == value:
                return choice
        return None


@dataclass(frozen=True, slots=True)
class Check:
    """A consistency check the definition declares: which rule, and whether it blocks."""

    rule: str
    severity: str


@dataclass(frozen=True, slots=True)
class Questionnaire:
    key: str
    version: int
    title: str
    issuer: str
    program: str
    description: str
    source: str
    questions: tuple[Question, ...]
    checks: tuple[Check, ...] = ()
    # Where it was loaded from; not part of its identity.
    path: Path | None = field(default=None, compare=False)

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    @property
    def question_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition file: where (JSON path) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class DefinitionError(ValueError):
    """A definition file that cannot be used; the message lists every problem found."""

    def __init__(self, file: Path, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [f"{file}: invalid questionnaire definition ({count} problem{'s' * (count != 1)})"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class UnknownDefinitionError(LookupError):
    """No shipped definition with that key (and version)."""


# --- loading -------------------------------------------------------------------------------


def _schema_file() -> Path:
    # Always the shipped schema: a definition cannot bring its own rules along.
    return resource_path("questionnaires", SCHEMA_FILENAME)


@functools.cache
def _validator() -> Draft202012Validator:
    # jsonschema is imported only when a definition has to be checked (see _fingerprint).
    from jsonschema import Draft202012Validator

    schema = json.loads(_schema_file().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# --- definitions already found valid --------------------------------------------------------
#
# Checking a definition against the schema means importing jsonschema and walking every
# question, at each start. A definition that passed is remembered by a fingerprint of its exact
# bytes, the schema's bytes and this Jurisdesk version, in the user's cache folder: the same
# file is not checked again, and any change to it (or to the schema, or an upgrade) makes it
# checked anew. The semantic rules, which need no library, run at every load.

VALIDATED_RECORD = "validated-definitions.txt"
_VALIDATED_KEPT = 200  # fingerprints; a few per definition and version ever installed


def validated_record_path() -> Path:
    return cache_dir() / VALIDATED_RECORD


@functools.cache
def _schema_digest() -> bytes:
    return hashlib.sha256(_schema_file().read_bytes()).digest()


def _fingerprint(raw: bytes) -> str:
    digest = hashlib.sha256(f"jurisdesk {__version__} definition\n".encode())
    digest.update(_schema_digest())
    digest.update(hashlib.sha256(raw).digest())
    return digest.hexdigest()


@functools.cache
def _validated() -> list[str]:
    """The fingerprints recorded so far, oldest first (read once per process)."""
    try:
        text = validated_record_path().read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return []
    return [line for line in text.split() if re.fullmatch(r"[0-9a-f]{64}", line)]


def _remember_validated(fingerprint: str) -> None:
    """Records a definition that passed; never fails a load (a read-only cache folder only
    means it is checked again next time)."""
    known = _validated()
    if fingerprint in known:
        return
    known.append(fingerprint)
    del known[:-_VALIDATED_KEPT]
    record = validated_record_path()
    partial = record.with_name(f"{record.name}.{os.getpid()}.part")
    with contextlib.suppress(OSError):
        record.parent.mkdir(parents=True, exist_ok=True)
        try:
            partial.write_text("".join(f"{line}\n" for line in known), encoding="ascii")
            os.replace(partial, record)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DefinitionError(path, [Problem("$", "file not found")]) from None
    except OSError as exc:
        raise DefinitionError(path, [Problem("$", f"cannot read: {exc.strerror}")]) from None


def _read_json(path: Path, raw: bytes) -> Any:
    try:
        # As open() in text mode reads it: any line ending becomes "\n".
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text (byte {exc.start})"
        raise DefinitionError(path, [Problem("$", reason)]) from None
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_members)
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise DefinitionError(path, [Problem("$", reason)]) from None
    except DuplicateMemberError as exc:
        reason = f"invalid JSON: member {str(exc)!r} appears twice in one object"
        raise DefinitionError(path, [Problem("$", reason)]) from None


def _json_path(parts: Sequence[str | int]) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"
    return path


def _schema_reason(error: ValidationError, document: Any) -> str:
    """jsonschema's message, reworded where the default would puzzle a reader."""
    if error.validator == "not" and error.validator_value == {}:
        # Our schema uses {"not": {}} for "this member is not allowed for this kind".
        parent: Any = document
        for part in list(error.absolute_path)[:-1]:
            parent = parent[part]
        kind = parent.get("kind") if isinstance(parent, dict) else None
        return f"not allowed for kind {kind!r}"
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = ", ".join("null" if v is None else str(v) for v in error.validator_value)
        return f"{error.instance!r} is not one of: {allowed}"
    message = str(error.message)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extras = ", ".join(repr(name) for name in error.instance if name not in known)
        return f"unknown member(s): {extras}"
    return message


def _schema_problems(document: Any) -> list[Problem]:
    errors = sorted(
        _validator().iter_errors(document),
        # Document order: questions[2] before questions[10] (ints and names never compared).
        key=lambda e: (
            [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in e.absolute_path],
            e.message,
        ),
    )
    return [Problem(_json_path(list(e.absolute_path)), _schema_reason(e, document)) for e in errors]


def _semantic_problems(document: Mapping[str, Any]) -> list[Problem]:
    """Rules the schema cannot state; assumes the document passed the schema."""
    problems: list[Problem] = []
    declared: dict[str, int] = {}
    for index, declared_check in enumerate(document.get("checks", [])):
        rule = declared_check["rule"]
        if rule in declared:
            problems.append(
                Problem(
                    f"$.checks[{index}].rule",
                    f"check {rule!r} is declared twice (as $.checks[{declared[rule]}])",
                )
            )
        declared.setdefault(rule, index)
    questions: list[Mapping[str, Any]] = document["questions"]
    first_index_of_key: dict[str, int] = {}
    first_index_of_number: dict[str, int] = {}
    for index, q in enumerate(questions):
        where = f"$.questions[{index}]"
        key: str = q["key"]
        kind: str = q["kind"]
        if key in first_index_of_key:
            other = first_index_of_key[key]
            problems.append(
                Problem(f"{where}.key", f"duplicate question key {key!r} (as $.questions[{other}])")
            )
        else:
            first_index_of_key[key] = index
        number: str = q["number"]
        if number in first_index_of_number:
            other = first_index_of_number[number]
            problems.append(
                Problem(
                    f"{where}.number",
                    f"duplicate question number {number!r} (as $.questions[{other}])",
                )
            )
        else:
            first_index_of_number[number] = index

        seen_values: dict[str, int] = {}
        for c_index, choice in enumerate(q.get("choices", [])):
            value: str = choice["value"]
            if value in seen_values:
                problems.append(
                    Problem(
                        f"{where}.choices[{c_index}].value",
                        f"duplicate choice value {value!r} (as choices[{seen_values[value]}])",
                    )
                )
            else:
                seen_values[value] = c_index

        if q.get("origin") == JURISDESK and "issued" in q:
            problems.append(
                Problem(
                    f"{where}.issued",
                    "a question Jurisdesk adds has no federal wording to quote",
                )
            )
        if q["scope"] == FACILITY and kind not in CHOICE_KINDS:
            problems.append(
                Problem(
                    f"{where}.scope",
                    f"facility scope is only for choice and yes_no questions, not {kind!r}",
                )
            )
        if "min" in q and "max" in q and q["min"] > q["max"]:
            problems.append(Problem(f"{where}.min", f"min {q['min']} is above max {q['max']}"))

        condition = q.get("visible_if")
        if condition is not None:
            problems += _visible_if_problems(where, key, condition, questions, index)
    return problems


def _visible_if_problems(
    where: str,
    key: str,
    condition: Mapping[str, Any],
    questions: Sequence[Mapping[str, Any]],
    index: int,
) -> list[Problem]:
    target: str = condition["question"]
    earlier = [i for i, q in enumerate(questions[:index]) if q["key"] == target]
    if not earlier:
        later = any(q["key"] == target for q in questions[index:])
        if target == key:
            reason = "a question cannot depend on itself"
        elif later:
            reason = (
                f"refers to {target!r}, which comes later; it must refer to an earlier question"
            )
        else:
            reason = f"refers to unknown question {target!r}"
        return [Problem(f"{where}.visible_if.question", reason)]
    parent = questions[earlier[0]]
    if parent["kind"] not in CHOICE_KINDS:
        reason = f"refers to {target!r}, a {parent['kind']} question; it must have choices"
        return [Problem(f"{where}.visible_if.question", reason)]
    choices = [{"value": YES}, {"value": NO}] if parent["kind"] == YES_NO else parent["choices"]
    allowed = [c["value"] for c in choices]
    return [
        Problem(
            f"{where}.visible_if.in[{v_index}]",
            f"{value!r} is not a choice of {target!r} (choices: {', '.join(allowed)})",
        )
        for v_index, value in enumerate(condition["in"])
        if value not in allowed
    ]


def _build(document: Mapping[str, Any], path: Path) -> Questionnaire:
    questions: list[Question] = []
    for q in document["questions"]:
        kind: str = q["kind"]
        if kind == YES_NO:
            choices = YES_NO_CHOICES
        else:
            choices = tuple(
                Choice(c["value"], c["label"], c["result"], c.get("letter"))
                for c in q.get("choices", [])
            )
        condition = q.get("visible_if")
        visible_if = VisibleIf(condition["question"], tuple(condition["in"])) if condition else None
        issued = q.get("issued")
        questions.append(
            Question(
                key=q["key"],
                number=q["number"],
                kind=kind,
                text=q["text"],
                help=q["help"],
                source=q["source"],
                required=q["required"],
                scope=q["scope"],
                choices=choices,
                visible_if=visible_if,
                min=q.get("min"),
                max=q.get("max"),
                max_length=q.get("max_length", DEFAULT_MAX_LENGTH.get(kind)),
                issued=IssuedText(issued["text"], issued["source"]) if issued else None,
                # Definitions written before origins were recorded count every question as
                # federal, as they always printed.
                origin=q.get("origin", FEDERAL),
            )
        )
    return Questionnaire(
        key=document["key"],
        version=document["version"],
        title=document["title"],
        issuer=document["issuer"],
        program=document["program"],
        description=document["description"],
        source=document["source"],
        questions=tuple(questions),
        checks=tuple(Check(c["rule"], c["severity"]) for c in document.get("checks", [])),
        path=path,
    )


def load_definition(path: Path | str) -> Questionnaire:
    """Read, validate (schema, then semantic rules) and build one definition file.

    Raises DefinitionError listing every problem: schema problems first; the semantic rules
    run only on a document the schema accepts, because they rely on its shape.
    """
    path = Path(path)
    raw = _read_bytes(path)
    document = _read_json(path, raw)
    fingerprint = _fingerprint(raw)
    checked = fingerprint in _validated()
    problems = [] if checked else _schema_problems(document)
    if not problems:
        problems = _semantic_problems(document)
    if problems:
        raise DefinitionError(path, problems)
    if not checked:
        _remember_validated(fingerprint)
    return _build(document, path)


def _definition_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(".schema.json"))


@functools.cache
def _load_folder(folder: Path) -> Mapping[tuple[str, int], Questionnaire]:
    loaded: dict[tuple[str, int], Questionnaire] = {}
    for file in _definition_files(folder):
        definition = load_definition(file)
        ident = (definition.key, definition.version)
        if ident in loaded:
            other = loaded[ident].path
            reason = f"{definition.key!r} version {definition.version} is also defined in {other}"
            raise DefinitionError(file, [Problem("$.version", reason)])
        loaded[ident] = definition
    return loaded


@functools.cache
def _shipped_folder() -> Path:
    # Resolved once: responses look their definition up thousands of times per screen.
    return resource_path("questionnaires").resolve()


def _folder(folder: Path | str | None) -> Path:
    return Path(folder).resolve() if folder is not None else _shipped_folder()


def load_definitions(folder: Path | str | None = None) -> dict[tuple[str, int], Questionnaire]:
    """Every definition in `folder` (default: the shipped ones), by (key, version); cached."""
    return dict(_load_folder(_folder(folder)))


def clear_cache() -> None:
    """Forget loaded definitions (for tests and after installing new definition files)."""
    _load_folder.cache_clear()
    _validated.cache_clear()


def get(key: str, version: int, folder: Path | str | None = None) -> Questionnaire:
    """The definition a response was pinned to."""
    try:
        return _load_folder(_folder(folder))[(key, version)]
    except KeyError:
        raise UnknownDefinitionError(
            f"no questionnaire definition {key!r} version {version}"
        ) from None


def latest(key: str, folder: Path | str | None = None) -> Questionnaire:
    """The highest version of a definition."""
    versions = [d for (k, _), d in _load_folder(_folder(folder)).items() if k == key]
    if not versions:
        raise UnknownDefinitionError(f"no questionnaire definition {key!r}")
    return max(versions, key=lambda d: d.version)


def available(folder: Path | str | None = None) -> list[Questionnaire]:
    """The latest version of each definition, sorted by title (then key)."""
    newest: dict[str, Questionnaire] = {}
    for (key, version), definition in _load_folder(_folder(folder)).items():
        if key not in newest or version > newest[key].version:
            newest[key] = definition
    return sorted(newest.values(), key=lambda d: (d.title.casefold(), d.key))
