"""Reading a file and checking it on its own: JSON, schema, fields, evidence, answers."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from app import questionnaires
from app.letter import edits
from app.models import MAX_EVIDENCE_BYTES
from app.models.base import Entity
from app.questionnaires import AnswerError, Question, Questionnaire
from app.services import approved_record
from app.services.errors import InvalidInput, UserError
from app.services.evidence import sha256_of
from app.services.exchange.format import (
    ANSWER_TEXT_LIMITS,
    AUDIT_TEXT_LIMITS,
    FILED_TEXT_LIMITS,
    FORMAT,
    LABELS,
    MAX_VERSION,
    READABLE_VERSIONS,
    RESPONSE_TEXT_LIMITS,
    SECTIONS,
    SURROGATE,
    UUID_PATTERN,
    WRITE_ORDER,
    JsonPath,
    member_name,
)
from app.services.exchange.problems import Problems, json_path, schema_problem, short
from app.services.exchange.reading import Base64Text
from app.services.exchange.schema import validator
from app.services.fields import RECORD_KINDS, FieldKind, RecordKind, parse_date
from app.services.records import LOCKED_STATUSES
from app.services.responses import encode_value

_UUID = re.compile(UUID_PATTERN)


@dataclass
class Rec:
    """One record of the file, checked and converted to column values (references by UUID)."""

    kind: str
    path: JsonPath
    uuid: str
    version: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # column → (kind, uuid)
    links: dict[str, list[str]] = field(default_factory=dict)  # answers: relation → uuids
    parent: str | None = None  # the award's (condition) or response's (answer, filed) UUID
    # Evidence and filed documents: the bytes, or where they are in the file until written
    # (checked already: decoding them again gives the same bytes).
    content: bytes | Base64Text | None = None
    question: Question | None = None
    definition: Questionnaire | None = None

    def payload(self) -> bytes:
        assert self.content is not None
        return self.content.decode() if isinstance(self.content, Base64Text) else self.content


@dataclass
class Plan:
    jurisdiction: Rec | None = None
    records: dict[str, list[Rec]] = field(default_factory=lambda: {k: [] for k in WRITE_ORDER})
    where: dict[str, tuple[str, JsonPath]] = field(default_factory=dict)  # uuid → kind, path
    parents: dict[str, str | None] = field(default_factory=dict)  # uuid → award/response uuid
    references: list[tuple[JsonPath, str, str]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    # Filled from the database before writing.
    existing: dict[str, Entity] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def _register(
    plan: Plan,
    problems: Problems,
    kind: str,
    raw: Mapping[str, Any],
    path: JsonPath,
    parent: str | None = None,
) -> str | None:
    uid = raw.get("uuid")
    if not isinstance(uid, str) or not _UUID.fullmatch(uid):
        return None  # the schema reports it
    if uid in plan.where:
        other_kind, other_path = plan.where[uid]
        problems.add(
            (*path, "uuid"),
            f"“{uid}” is already the UUID of the {LABELS[other_kind].lower()} at "
            f"{json_path(other_path)}; every record needs its own.",
        )
        return None
    plan.where[uid] = (kind, path)
    plan.parents[uid] = parent
    return uid


def _version(raw: Mapping[str, Any]) -> int | None:
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        return None
    return version if 1 <= version <= MAX_VERSION else None  # else the schema reports it


def _reference(
    plan: Plan, rec: Rec, raw: Mapping[str, Any], member: str, column: str, target: str
) -> None:
    value = raw.get(member)
    if isinstance(value, str) and _UUID.fullmatch(value):
        rec.refs[column] = (target, value)
        plan.references.append(((*rec.path, member), target, value))


def _read_record(
    plan: Plan,
    problems: Problems,
    kind: RecordKind,
    raw: Any,
    path: JsonPath,
    parent: str | None = None,
) -> Rec | None:
    if not isinstance(raw, dict):
        return None
    uid = _register(plan, problems, kind.key, raw, path, parent)
    rec = Rec(kind.key, path, uid or "", _version(raw), parent=parent)
    members = {spec.name: member_name(spec) for spec in kind.fields}
    # References are resolved against the file and the database later; validate the rest
    # exactly as the forms do, so a file cannot hold what a user could not type.
    given = {
        spec.name: raw.get(spec.name)
        for spec in kind.fields
        if spec.kind is not FieldKind.REFERENCE
    }
    try:
        parsed = kind.validate(given)
        kind.check_together(parsed)
    except InvalidInput as exc:
        for problem in exc.problems:
            problems.add((*path, members.get(problem.field, problem.field)), problem.message)
        parsed = {}
    for spec in kind.fields:
        if spec.kind is FieldKind.REFERENCE and spec.references is not None:
            parsed.pop(spec.name, None)
            _reference(plan, rec, raw, member_name(spec), spec.name, spec.references)
    rec.values = parsed
    if uid is None:
        return None
    plan.records.setdefault(kind.key, [])
    if kind.key == "jurisdiction":
        plan.jurisdiction = rec
    else:
        plan.records[kind.key].append(rec)
    return rec


def _content(
    problems: Problems, path: JsonPath, raw: Mapping[str, Any], limit: int | None, what: str
) -> tuple[bytes | Base64Text, int, str] | None:
    """content_base64 decoded and checked against size and sha256: (the content, its size,
    its SHA-256). Content still in the file stays there; the decoded copy is dropped."""
    encoded, size, digest = raw.get("content_base64"), raw.get("size"), raw.get("sha256")
    if not isinstance(encoded, str | Base64Text):
        return None
    try:
        if isinstance(encoded, Base64Text):
            content = encoded.decode()
        else:
            content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        problems.add(
            (*path, "content_base64"),
            "is not valid base64 (standard alphabet, = padding, no line breaks).",
        )
        return None
    if limit is not None and len(content) > limit:
        problems.add(
            (*path, "content_base64"),
            f"holds {len(content) / 1_048_576:.1f} MB; the limit for one {what} is "
            f"{limit // 1_048_576} MB.",
        )
    if isinstance(size, int) and size != len(content):
        problems.add(
            (*path, "size"),
            f"says {size:,} bytes but content_base64 holds {len(content):,} bytes.",
        )
    actual = sha256_of(content)
    if isinstance(digest, str) and digest != actual:
        problems.add(
            (*path, "sha256"),
            f"does not match the content (its SHA-256 is {actual}); the file was damaged "
            "or edited after export.",
        )
    return (encoded if isinstance(encoded, Base64Text) else content), len(content), actual


def _read_evidence(problems: Problems, rec: Rec, raw: Mapping[str, Any]) -> None:
    checked = _content(problems, rec.path, raw, MAX_EVIDENCE_BYTES, "evidence file")
    if checked is None:
        return
    content, size, actual = checked
    rec.content = content
    rec.values |= {"media_type": raw.get("media_type"), "size": size, "sha256": actual}


def _parse_datetime(problems: Problems, path: JsonPath, raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        problems.add(path, f"{short(raw)} is not a real date and time.")
        return None
    if value.tzinfo is None:
        problems.add(path, "needs a UTC offset, e.g. +00:00.")
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00+01:00 is a day before the first one a computer counts.
        problems.add(path, f"{short(raw)} is before year 1 or after year 9999 in UTC.")
        return None


def _parse_day(problems: Problems, path: JsonPath, raw: Any) -> date | None:
    if not isinstance(raw, str):
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        problems.add(path, str(exc))
        return None


def _texts(raw: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    # Text the schema accepted is kept exactly; anything else was reported by the schema.
    return {name: raw.get(name) if isinstance(raw.get(name), str) else None for name in names}


def _definition(problems: Problems, raw: Mapping[str, Any], path: JsonPath) -> Questionnaire | None:
    key, version = raw.get("questionnaire_key"), raw.get("questionnaire_version")
    if not isinstance(key, str) or not isinstance(version, int) or isinstance(version, bool):
        return None
    try:
        return questionnaires.get(key, version)
    except questionnaires.UnknownDefinitionError:
        installed = ", ".join(f"{q.key} version {q.version}" for q in questionnaires.available())
        problems.add(
            (*path, "questionnaire_version"),
            f"questionnaire “{key}” version {version} is not installed in this Jurisdesk "
            f"(installed: {installed or 'none'}); install the version that ships it.",
        )
        return None


def _read_answer(
    plan: Plan,
    problems: Problems,
    response: Rec,
    raw: Any,
    path: JsonPath,
    slots: dict[tuple[str, str | None], JsonPath],
) -> None:
    if not isinstance(raw, dict):
        return
    uid = _register(plan, problems, "answer", raw, path, response.uuid or None)
    rec = Rec("answer", path, uid or "", _version(raw), parent=response.uuid)
    definition = response.definition
    key = raw.get("question_key")
    facility = raw.get("facility") if isinstance(raw.get("facility"), str) else None
    _reference(plan, rec, raw, "facility", "facility_id", "facility")
    for relation, target in (("instruments", "instrument"), ("evidence", "evidence")):
        listed = raw.get(relation)
        uuids = [u for u in listed if isinstance(u, str)] if isinstance(listed, list) else []
        rec.links[relation] = uuids
        for index, linked in enumerate(uuids):
            if _UUID.fullmatch(linked):
                plan.references.append(((*path, relation, index), target, linked))
    rec.values = _texts(raw, list(ANSWER_TEXT_LIMITS))
    rec.values["basis"] = raw.get("basis") if isinstance(raw.get("basis"), str) else None
    rec.values["as_of"] = _parse_day(problems, (*path, "as_of"), raw.get("as_of"))
    if definition is None or not isinstance(key, str):
        return
    try:
        question = definition.question(key)
    except KeyError:
        problems.add(
            (*path, "question_key"),
            f"“{key}” is not a question of {definition.title} (version {definition.version}).",
        )
        return
    rec.question = question
    try:
        value = questionnaires.validate_value(question, raw.get("value"))
        rec.values |= {
            "value": encode_value(value),
            # Derived, never trusted from the file: it must always agree with the value.
            "result": questionnaires.result_for(question, value),
        }
    except AnswerError as exc:
        problems.add((*path, "value"), exc.message + ".")
    rec.values["question_key"] = key
    if question.is_facility_scope and facility is None and plan.records["facility"]:
        problems.add(
            (*path, "facility"),
            f"question {question.number} is answered per facility; give the facility's UUID.",
        )
    if not question.is_facility_scope and facility is not None:
        problems.add(
            (*path, "facility"),
            f"question {question.number} is answered once for the jurisdiction; use null.",
        )
    slot = (key, facility)
    if slot in slots:
        problems.add(
            path,
            f"is a second answer to question {question.number} for the same facility "
            f"(the first is {json_path(slots[slot])}); keep one.",
        )
    else:
        slots[slot] = path
    if uid is not None:
        plan.records["answer"].append(rec)


def _read_approved_record(problems: Problems, rec: Rec, raw: Mapping[str, Any]) -> None:
    """The approved record is kept byte for byte; it must be one, and this response's."""
    text = raw["approved_record"]
    path = (*rec.path, "approved_record")
    if text is None:
        rec.values["approved_snapshot"] = None
        return
    if not isinstance(text, str):
        return  # the schema reports it
    try:
        kept = approved_record.parse(text)
    except (UserError, RecursionError):
        problems.add(
            path,
            "is not an approved record this Jurisdesk can read (damaged, edited, or written by "
            "a newer Jurisdesk); export the file again from the database it came from.",
        )
        return
    if kept.response_uuid != rec.uuid:
        problems.add(
            path,
            f"is the approved record of response “{kept.response_uuid}”, not of this one "
            f"(“{rec.uuid}”); each response carries its own.",
        )
        return
    if raw.get("status") not in LOCKED_STATUSES:
        problems.add(
            path,
            f"a response that is {short(raw.get('status'))} has no approved record (reopening "
            "a response drops it); use null.",
        )
        return
    rec.values["approved_snapshot"] = text


def _letter_member(field_name: str, raw: Any) -> JsonPath:
    """The path under `letter` of a member edits.from_json names ("date", "letterhead.phone",
    "answers.<key>", "answers.<key>.drafted"): a question key is kept whole, dots and all."""
    if field_name == "letter":
        return ()
    top, _, rest = field_name.partition(".")
    if not rest:
        return (top,)
    if top == "answers":
        keys = raw.get("answers") if isinstance(raw, dict) else None
        keys = keys if isinstance(keys, dict) else {}
        stem = rest.removesuffix(".drafted")
        if stem != rest and stem in keys and rest not in keys:
            return (top, stem, "drafted")
        return (top, rest)
    return (top, *rest.split("."))


def _read_letter(problems: Problems, rec: Rec, raw: Any, covered: set[JsonPath]) -> None:
    """The office's edits to the response's letter, checked as the letter editor checks them
    (edits.from_json), stored as the database keeps them. Every problem's path is put in
    `covered`: the schema's objections to it or to anything inside it are not repeated."""
    path: JsonPath = (*rec.path, "letter")
    found: list[tuple[JsonPath, str]] = []
    answers = raw.get("answers") if isinstance(raw, dict) else None
    definition = rec.definition
    if isinstance(answers, dict) and definition is not None:
        keys = set(definition.question_keys)
        for key in answers:
            if key not in keys:
                found.append(
                    (
                        (*path, "answers", key),
                        f"“{key}” is not a question of {definition.title} (version "
                        f"{definition.version}); a letter has a paragraph only for its "
                        "questions.",
                    )
                )
    try:
        parsed = edits.from_json(raw, where=f"The letter of response {json_path(rec.path)}")
    except InvalidInput as exc:
        reported = {parts for parts, _ in found}
        for problem in exc.problems:
            parts = (*path, *_letter_member(problem.field, raw))
            if parts not in reported:
                reported.add(parts)
                found.append((parts, problem.message))
        parsed = None
    for parts, message in found:
        problems.add(parts, message)
        covered.add(parts)
    if parsed is not None and not found:
        rec.values["letter_edits"] = parsed.to_text()


def _read_filed(plan: Plan, problems: Problems, response: Rec, raw: Any, path: JsonPath) -> None:
    if not isinstance(raw, dict):
        return
    uid = _register(plan, problems, "filed", raw, path, response.uuid or None)
    rec = Rec("filed", path, uid or "", parent=response.uuid)
    checked = _content(problems, path, raw, None, "filed document")
    filed_at = _parse_datetime(problems, (*path, "filed_at"), raw.get("filed_at"))
    texts = _texts(raw, list(FILED_TEXT_LIMITS))
    if uid is None or checked is None or filed_at is None or None in texts.values():
        return  # each reported already, by the schema or above
    content, size, actual = checked
    rec.content = content
    written = raw.get("format", "pdf")
    if written not in ("pdf", "docx"):
        problems.add((*path, "format"), f"“{written}” is not a letter format (pdf or docx).")
        return
    rec.values = texts | {"filed_at": filed_at, "sha256": actual, "size": size, "format": written}
    plan.records["filed"].append(rec)


def _read_response(
    plan: Plan,
    problems: Problems,
    raw: Any,
    path: JsonPath,
    format_version: int,
    covered: set[JsonPath],
) -> None:
    if not isinstance(raw, dict):
        return
    uid = _register(plan, problems, "response", raw, path)
    rec = Rec("response", path, uid or "", _version(raw))
    rec.definition = _definition(problems, raw, path)
    rec.values = _texts(raw, list(RESPONSE_TEXT_LIMITS)) | {
        "questionnaire_key": raw.get("questionnaire_key"),
        "questionnaire_version": raw.get("questionnaire_version"),
        "status": raw.get("status"),
        "approved_at": _parse_datetime(problems, (*path, "approved_at"), raw.get("approved_at")),
        "submitted_on": _parse_day(problems, (*path, "submitted_on"), raw.get("submitted_on")),
    }
    _reference(plan, rec, raw, "request", "request_id", "request")
    if uid is not None:
        plan.records["response"].append(rec)
    answers = raw.get("answers")
    slots: dict[tuple[str, str | None], JsonPath] = {}
    for index, answer in enumerate(answers if isinstance(answers, list) else []):
        _read_answer(plan, problems, rec, answer, (*path, "answers", index), slots)
    # Left out, the letter is as Jurisdesk drafts it (an export leaves it out when the office
    # changed nothing); a version 1 or 2 file, written before letters were exchanged, leaves
    # the database's letter as it is, as version 1 does the approved record.
    if "letter" in raw:
        _read_letter(problems, rec, raw["letter"], covered)
    elif format_version >= 3:
        rec.values["letter_edits"] = None
    if format_version < 2:
        for member in ("approved_record", "filed"):
            if member in raw:
                problems.add(
                    (*path, member),
                    "is not part of format version 1 (it came with version 2); set "
                    '"format_version": 2 or leave the member out.',
                )
        return
    # Left out, the database's approved record stays as it is (as for a version 1 file).
    if "approved_record" in raw:
        _read_approved_record(problems, rec, raw)
    filed = raw.get("filed")
    for index, item in enumerate(filed if isinstance(filed, list) else []):
        _read_filed(plan, problems, rec, item, (*path, "filed", index))


def _read_history(plan: Plan, problems: Problems, raw: Any, path: JsonPath) -> None:
    if not isinstance(raw, dict):
        return
    at = _parse_datetime(problems, (*path, "at"), raw.get("at"))
    entry = _texts(raw, [*AUDIT_TEXT_LIMITS, "entity_uuid", "response_uuid"])
    needed = ("actor", "action", "entity_kind", "entity_uuid")
    if at is not None and all(entry[k] is not None for k in needed):
        plan.history.append(entry | {"at": at})


def _surrogates(problems: Problems, document: Any) -> None:
    """Lone UTF-16 surrogates (possible as JSON escapes) cannot be stored as UTF-8."""
    # A loop rather than recursion: the reader bounds the nesting, this need not rely on it.
    pending: list[tuple[JsonPath, Any]] = [((), document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if SURROGATE.search(value):
                problems.add(path, "contains an invalid character (a lone UTF-16 surrogate).")
        elif isinstance(value, list):
            pending += (((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, dict):
            pending += (((*path, name), item) for name, item in value.items())


def _read_document(
    document: Mapping[str, Any], problems: Problems, format_version: int, covered: set[JsonPath]
) -> Plan:
    plan = Plan()
    _read_record(
        plan,
        problems,
        RECORD_KINDS["jurisdiction"],
        document.get("jurisdiction"),
        ("jurisdiction",),
    )

    def items(raw: Any) -> list[Any]:
        return raw if isinstance(raw, list) else []

    for section, kind_key in SECTIONS:
        kind = RECORD_KINDS[kind_key]
        for index, raw in enumerate(items(document.get(section))):
            path: JsonPath = (section, index)
            rec = _read_record(plan, problems, kind, raw, path)
            if rec is not None and kind_key == "evidence":
                _read_evidence(problems, rec, raw)
            if kind_key == "award" and isinstance(raw, dict):
                for number, condition in enumerate(items(raw.get("conditions"))):
                    _read_record(
                        plan,
                        problems,
                        RECORD_KINDS["condition"],
                        condition,
                        (*path, "conditions", number),
                        parent=rec.uuid if rec is not None else None,
                    )
    for index, raw in enumerate(items(document.get("responses"))):
        _read_response(plan, problems, raw, ("responses", index), format_version, covered)
    for index, raw in enumerate(items(document.get("audit"))):
        _read_history(plan, problems, raw, ("audit", index))
    _surrogates(problems, document)
    return plan


def check_document(document: Any) -> tuple[Plan, Problems]:
    """Every problem the file has on its own, without looking at the database."""
    problems = Problems()
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        problems.add(
            ("format",) if isinstance(document, dict) else (),
            f'this is not a Jurisdesk exchange file (expected "format": "{FORMAT}"'
            + (f", found {short(found)})." if found is not None else ")."),
        )
        return Plan(), problems
    format_version = document.get("format_version")
    if isinstance(format_version, float) and format_version in READABLE_VERSIONS:
        problems.add(
            ("format_version",),
            f"write it as {int(format_version)}, not {format_version!r}: a whole number "
            "without a decimal point.",
        )
        return Plan(), problems
    if (
        isinstance(format_version, bool)
        or not isinstance(format_version, int)
        or format_version not in READABLE_VERSIONS
    ):
        numbers = [str(v) for v in READABLE_VERSIONS]
        readable = ", ".join(numbers[:-1]) + " and " + numbers[-1]
        problems.add(
            ("format_version",),
            f"this file is format version {short(format_version)}; this Jurisdesk reads "
            f"versions {readable}. Import it with the Jurisdesk that wrote it or a newer one.",
        )
        return Plan(), problems
    semantic = Problems()
    # A letter's problems cover what is inside the member too: the letter's own check says
    # "must be text" of a paragraph whose "text" the schema would name again.
    within: set[JsonPath] = set()
    plan = _read_document(document, semantic, format_version, within)
    # Where the app's own validation has something to say, its wording is kept and the
    # schema's message for the same member is dropped: one problem, said once.
    covered = {parts for parts, _ in semantic.found}
    for error in validator().iter_errors(document):
        for parts, message in schema_problem(error):
            if parts in covered or any(parts[:n] in within for n in range(len(parts))):
                continue
            problems.add(parts, message)
    problems.found += semantic.found
    return plan, problems
