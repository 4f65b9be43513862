"""The exchange format: one jurisdiction and everything that belongs to it, as one JSON file."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import app
from app import models, questionnaires
from app.models import MAX_EVIDENCE_BYTES
from app.models.base import Entity, utcnow
from app.paths import resource_path
from app.questionnaires import AnswerError, Question, Questionnaire
from app.services import audit
from app.services.errors import InvalidInput, NotFound, UserError
from app.services.evidence import sha256_of
from app.services.fields import (
    LONG_TEXT_LIMIT,
    RECORD_KINDS,
    FieldKind,
    FieldSpec,
    RecordKind,
    parse_date,
)
from app.services.records import LOCKED_STATUSES
from app.services.responses import SOURCE_LIMIT, encode_value
from app.services.store import Store
from app.vocabulary import PolicyBasis, ResponseStatus

FORMAT = "jurisdesk-exchange"
FORMAT_VERSION = 1
SCHEMA_FILENAME = "jurisdesk-exchange.schema.json"

# Sections holding records of one RecordKind, in file and import order: a record only refers
# to records of earlier sections (evidence → instrument, statistic → facility).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("facilities", "facility"),
    ("instruments", "instrument"),
    ("evidence", "evidence"),
    ("requests", "request"),
    ("awards", "award"),
    ("statistics", "statistic"),
    ("contacts", "contact"),
)
# Keys of ExportResult.counts and ImportResult.created/updated.
COUNT_KEYS: tuple[str, ...] = (
    "jurisdiction",
    "facilities",
    "instruments",
    "evidence",
    "requests",
    "awards",
    "conditions",
    "statistics",
    "contacts",
    "responses",
    "answers",
    "audit",
)
_COUNT_KEY = {kind: section for section, kind in SECTIONS} | {
    "jurisdiction": "jurisdiction",
    "condition": "conditions",
    "response": "responses",
    "answer": "answers",
}
# The order records are written in on import; parents and referenced records come first.
_WRITE_ORDER = (
    "facility",
    "instrument",
    "evidence",
    "request",
    "award",
    "condition",
    "statistic",
    "contact",
    "response",
    "answer",
)
_MODELS: dict[str, type[Entity]] = {key: kind.model for key, kind in RECORD_KINDS.items()} | {
    "response": models.Response,
    "answer": models.Answer,
}
_LABELS: dict[str, str] = {key: kind.label for key, kind in RECORD_KINDS.items()} | {
    "response": "Response",
    "answer": "Answer",
}

_RESPONSE_TEXT_LIMITS = {
    "prepared_by": 200,
    "reviewed_by": 200,
    "approved_by": 200,
    "approver_title": 200,
    "submission_method": 200,
    "notes": LONG_TEXT_LIMIT,
}
_ANSWER_TEXT_LIMITS = {
    "narrative": LONG_TEXT_LIMIT,
    "conditions": LONG_TEXT_LIMIT,
    "information_source": SOURCE_LIMIT,
}
_AUDIT_TEXT_LIMITS = {
    "actor": 200,
    "action": 32,
    "entity_kind": 40,
    "entity_label": 400,
    "field": 100,
    "old_value": None,
    "new_value": None,
}

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
SHA256_PATTERN = r"^[0-9a-f]{64}$"
STATE_PATTERN = r"^[A-Z]{2}$"
_PATTERN_WORDS = {
    UUID_PATTERN: "a UUID in lowercase, e.g. 3f2b8a1c-0d4e-4c5f-9a6b-7c8d9e0f1a2b",
    DATE_PATTERN: "a date in the form YYYY-MM-DD",
    DATETIME_PATTERN: "a date and time with a UTC offset, e.g. 2017-08-03T14:05:00+00:00",
    SHA256_PATTERN: "a SHA-256 of 64 lowercase hexadecimal digits",
    STATE_PATTERN: "a two-letter USPS state code in capitals, e.g. NM",
}
_UUID = re.compile(UUID_PATTERN)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The error message lists this many problems; ExchangeError.problems always has all of them.
_PROBLEMS_IN_MESSAGE = 50

JsonPath = tuple[str | int, ...]


class ExchangeError(UserError):
    """A file that cannot be exported or imported; `problems` lists every problem found,
    each starting with its JSON path (e.g. ``$.facilities[2].operator_type: …``)."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        if count == 1:
            # One problem, one line: what a terminal user or a dialog reads at a glance.
            super().__init__(f"{source} was not imported: {self.problems[0]} Nothing was changed.")
            return
        lines = [
            f"{source} was not imported: {count} problem{'s' * (count != 1)} found. "
            "Nothing was changed; correct the file and import it again."
        ]
        lines += [f"  {problem}" for problem in self.problems[:_PROBLEMS_IN_MESSAGE]]
        if count > _PROBLEMS_IN_MESSAGE:
            lines.append(f"  … and {count - _PROBLEMS_IN_MESSAGE} more.")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class ExportResult:
    path: Path
    counts: Mapping[str, int]  # per COUNT_KEYS entry: records written

    def describe(self) -> str:
        return f"Exported to {self.path}: {_tally(self.counts)}."


@dataclass(frozen=True)
class ImportResult:
    source: str
    jurisdiction_id: int
    jurisdiction_uuid: str
    jurisdiction_name: str
    created: Mapping[str, int]  # per COUNT_KEYS entry; "audit" = history entries added
    updated: Mapping[str, int]

    @property
    def changed_anything(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def describe(self) -> str:
        """One paragraph for the user, e.g. after the command-line import."""
        if not self.changed_anything:
            return f"Imported {self.jurisdiction_name}: the database already had all of it."
        return (
            f"Imported {self.jurisdiction_name}: created {_tally(self.created) or 'nothing'}; "
            f"updated {_tally(self.updated) or 'nothing'}."
        )


_SINGULAR = {
    "jurisdiction": "jurisdiction",
    "facilities": "facility",
    "instruments": "instrument",
    "evidence": "evidence file",
    "requests": "request",
    "awards": "award",
    "conditions": "condition",
    "statistics": "statistic",
    "contacts": "contact",
    "responses": "response",
    "answers": "answer",
    "audit": "history entry",
}
_PLURAL = {key: key for key in _SINGULAR} | {
    "jurisdiction": "jurisdictions",
    "evidence": "evidence files",
    "audit": "history entries",
}


def _tally(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{n} {_SINGULAR[key] if n == 1 else _PLURAL.get(key, key)}"
        for key, n in counts.items()
        if n
    )


def member_name(spec: FieldSpec) -> str:
    """A field's member in the file: references lose their "_id" and hold a UUID instead."""
    return spec.name.removesuffix("_id") if spec.kind is FieldKind.REFERENCE else spec.name


# ============================================================================ export


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _record_out(kind: RecordKind, row: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"uuid": row.uuid, "version": row.version}
    for spec in kind.fields:
        if spec.kind is FieldKind.REFERENCE:
            # The relationship is named like the member (evidence.instrument, statistic.facility).
            target = getattr(row, member_name(spec))
            out[member_name(spec)] = target.uuid if target is not None else None
        else:
            out[spec.name] = _plain(getattr(row, spec.name))
    return out


def _by_id(rows: Sequence[Any]) -> list[Any]:
    # Creation order reads naturally and survives a round trip (import creates in file order).
    return sorted(rows, key=lambda row: row.id)


def _answer_out(row: models.Answer) -> dict[str, Any]:
    return {
        "uuid": row.uuid,
        "version": row.version,
        "question_key": row.question_key,
        "facility": row.facility.uuid if row.facility is not None else None,
        "value": None if row.value is None else json.loads(row.value),
        "result": row.result,
        "basis": row.basis,
        "narrative": row.narrative,
        "conditions": row.conditions,
        "as_of": _plain(row.as_of),
        "information_source": row.information_source,
        "instruments": sorted(i.uuid for i in row.instruments),
        "evidence": sorted(e.uuid for e in row.evidence),
    }


def _response_out(row: models.Response) -> dict[str, Any]:
    return {
        "uuid": row.uuid,
        "version": row.version,
        "questionnaire_key": row.questionnaire_key,
        "questionnaire_version": row.questionnaire_version,
        "status": row.status,
        "prepared_by": row.prepared_by,
        "reviewed_by": row.reviewed_by,
        "approved_by": row.approved_by,
        "approver_title": row.approver_title,
        "approved_at": _plain(row.approved_at),
        "submitted_on": _plain(row.submitted_on),
        "submission_method": row.submission_method,
        "notes": row.notes,
        "request": row.request.uuid if row.request is not None else None,
        "answers": [_answer_out(a) for a in _by_id(row.answers)],
    }


def _audit_out(row: models.AuditEntry) -> dict[str, Any]:
    return {
        "at": _plain(row.at),
        "actor": row.actor,
        "action": row.action,
        "entity_kind": row.entity_kind,
        "entity_uuid": row.entity_uuid,
        "entity_label": row.entity_label,
        "response_uuid": row.response_uuid,
        "field": row.field,
        "old_value": row.old_value,
        "new_value": row.new_value,
    }


def export_document(store: Store, jurisdiction_id: int) -> dict[str, Any]:
    """The exchange document of one jurisdiction, ready for json.dumps."""
    with store.reading() as session:
        jurisdiction = session.get(models.Jurisdiction, jurisdiction_id)
        if jurisdiction is None:
            raise NotFound(f"There is no jurisdiction with id {jurisdiction_id}.")
        document: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": utcnow().isoformat(),
            "exported_by": store.actor,
            "application_version": app.__version__,
            "jurisdiction": _record_out(RECORD_KINDS["jurisdiction"], jurisdiction),
        }
        for section, kind_key in SECTIONS:
            kind = RECORD_KINDS[kind_key]
            rows = _by_id(getattr(jurisdiction, section))
            document[section] = [_record_out(kind, row) for row in rows]
        for row, out in zip(_by_id(jurisdiction.evidence), document["evidence"], strict=True):
            out["media_type"] = row.media_type
            out["size"] = row.size
            out["sha256"] = row.sha256
            out["content_base64"] = base64.b64encode(row.content).decode("ascii")
        condition_kind = RECORD_KINDS["condition"]
        for row, out in zip(_by_id(jurisdiction.awards), document["awards"], strict=True):
            out["conditions"] = [_record_out(condition_kind, c) for c in _by_id(row.conditions)]
        document["responses"] = [_response_out(r) for r in _by_id(jurisdiction.responses)]
        history = session.scalars(
            select(models.AuditEntry)
            .where(models.AuditEntry.jurisdiction_uuid == jurisdiction.uuid)
            .order_by(models.AuditEntry.at, models.AuditEntry.id)
        )
        document["audit"] = [_audit_out(entry) for entry in history]
    return document


def document_counts(document: Mapping[str, Any]) -> dict[str, int]:
    counts = {key: len(document.get(key) or ()) for key in COUNT_KEYS}
    counts["jurisdiction"] = 1
    counts["conditions"] = sum(len(a.get("conditions") or ()) for a in document["awards"])
    counts["answers"] = sum(len(r.get("answers") or ()) for r in document["responses"])
    return counts


def export_jurisdiction(store: Store, jurisdiction_id: int, path: Path) -> ExportResult:
    """Writes the jurisdiction's exchange file, whole or not at all."""
    # Built before the file is opened, so a bad id leaves no file behind.
    document = export_document(store, jurisdiction_id)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            newline="\n",
            dir=path.parent,
            prefix=f".{path.name}.",
            suffix=".part",
            delete=False,
        ) as handle:
            temporary = Path(handle.name)
            handle.write(text)
            handle.flush()
            # On disk before the rename, so a power cut never leaves a truncated file behind.
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise UserError(
            f"Cannot write {path}: {exc.strerror or exc}. "
            "Choose a folder you can write to (and that exists) and export again."
        ) from exc
    return ExportResult(path=path, counts=document_counts(document))


# ============================================================================ schema


def _nullable(schema: dict[str, Any], required: bool) -> dict[str, Any]:
    if required:
        return schema
    if "enum" in schema:
        return schema | {"enum": [*schema["enum"], None]}
    return schema | {"type": [schema["type"], "null"]}


def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    schema: dict[str, Any]
    kind = spec.kind
    if kind is FieldKind.TEXT:
        schema = {"type": "string", "maxLength": spec.max_length}
    elif kind is FieldKind.LONG_TEXT:
        schema = {"type": "string", "maxLength": LONG_TEXT_LIMIT}
    elif kind is FieldKind.INTEGER:
        schema = {"type": "integer"}
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
    elif kind is FieldKind.DATE:
        schema = {"type": "string", "pattern": DATE_PATTERN}
    elif kind is FieldKind.CHOICE:
        schema = {"enum": [value for value, _ in spec.choice_items()]}
    elif kind is FieldKind.STATE:
        schema = {"type": "string", "pattern": STATE_PATTERN}
    elif kind is FieldKind.REFERENCE:
        schema = {"type": "string", "pattern": UUID_PATTERN}
    else:
        schema = {"type": "boolean"}
    # Booleans are never null: an empty tick box is false.
    schema = _nullable(schema, spec.required or kind is FieldKind.BOOLEAN)
    description = spec.label if kind is not FieldKind.REFERENCE else f"{spec.label} (UUID)"
    return {"description": description + (f". {spec.help}" if spec.help else "")} | schema


def _record_schema(kind: RecordKind, extra: Mapping[str, Any] = {}) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "uuid": {"$ref": "#/$defs/uuid"},
        "version": {"type": "integer", "minimum": 1},
    }
    properties |= {member_name(spec): _field_schema(spec) for spec in kind.fields}
    properties |= extra
    required = ["uuid"] + [member_name(s) for s in kind.fields if s.required] + list(extra)
    return {
        "title": kind.label,
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


def _text_schema(limit: int | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if limit is not None:
        schema["maxLength"] = limit
    return schema


def build_schema() -> dict[str, Any]:
    """The JSON Schema of the format, derived from RECORD_KINDS so it cannot drift from them.

    The shipped resources/exchange file is this, written out (a test keeps them equal)."""
    nullable_date = {"type": ["string", "null"], "pattern": DATE_PATTERN}
    nullable_datetime = {"type": ["string", "null"], "pattern": DATETIME_PATTERN}
    nullable_uuid = {"type": ["string", "null"], "pattern": UUID_PATTERN}
    uuid_list = {"type": "array", "uniqueItems": True, "items": {"$ref": "#/$defs/uuid"}}
    defs: dict[str, Any] = {
        "uuid": {"type": "string", "pattern": UUID_PATTERN},
        "jurisdiction": _record_schema(RECORD_KINDS["jurisdiction"]),
    }
    for _section, kind_key in SECTIONS:
        extra: dict[str, Any] = {}
        if kind_key == "evidence":
            extra = {
                "media_type": {"type": "string", "minLength": 1, "maxLength": 100},
                "size": {"type": "integer", "minimum": 0, "maximum": MAX_EVIDENCE_BYTES},
                "sha256": {"type": "string", "pattern": SHA256_PATTERN},
                "content_base64": {
                    "type": "string",
                    "description": "The file's bytes, base64 (RFC 4648, no line breaks).",
                },
            }
        if kind_key == "award":
            extra = {"conditions": {"type": "array", "items": {"$ref": "#/$defs/condition"}}}
        defs[kind_key] = _record_schema(RECORD_KINDS[kind_key], extra)
    defs["condition"] = _record_schema(RECORD_KINDS["condition"])
    defs["answer"] = {
        "title": "Answer",
        "type": "object",
        "additionalProperties": False,
        "required": ["uuid", "question_key"],
        "properties": {
            "uuid": {"$ref": "#/$defs/uuid"},
            "version": {"type": "integer", "minimum": 1},
            "question_key": {"type": "string", "minLength": 1, "maxLength": 100},
            "facility": nullable_uuid,
            "value": {
                "description": "Choice value, list of choice values, text, YYYY-MM-DD or number.",
                "type": ["null", "string", "number", "array"],
                "items": {"type": "string"},
            },
            "result": {
                "description": "Derived from value; recomputed on import.",
                "enum": [*sorted(questionnaires.definition.RESULT_VALUES), None],
            },
            "basis": {"enum": [b.value for b in PolicyBasis] + [None]},
            **{name: _text_schema(limit) for name, limit in _ANSWER_TEXT_LIMITS.items()},
            "as_of": nullable_date,
            "instruments": uuid_list,
            "evidence": uuid_list,
        },
    }
    defs["response"] = {
        "title": "Response",
        "type": "object",
        "additionalProperties": False,
        "required": ["uuid", "questionnaire_key", "questionnaire_version", "status"],
        "properties": {
            "uuid": {"$ref": "#/$defs/uuid"},
            "version": {"type": "integer", "minimum": 1},
            "questionnaire_key": {"type": "string", "minLength": 1, "maxLength": 100},
            "questionnaire_version": {"type": "integer", "minimum": 1},
            "status": {"enum": [s.value for s in ResponseStatus]},
            **{name: _text_schema(limit) for name, limit in _RESPONSE_TEXT_LIMITS.items()},
            "approved_at": nullable_datetime,
            "submitted_on": nullable_date,
            "request": nullable_uuid,
            "answers": {"type": "array", "items": {"$ref": "#/$defs/answer"}},
        },
    }
    defs["audit_entry"] = {
        "title": "History entry",
        "type": "object",
        "additionalProperties": False,
        "required": ["at", "actor", "action", "entity_kind", "entity_uuid"],
        "properties": {
            "at": {"type": "string", "pattern": DATETIME_PATTERN},
            "actor": {"type": "string", "maxLength": 200},
            "action": {"type": "string", "minLength": 1, "maxLength": 32},
            "entity_kind": {"type": "string", "minLength": 1, "maxLength": 40},
            "entity_uuid": {"type": "string", "minLength": 1, "maxLength": 36},
            "entity_label": _text_schema(400),
            "response_uuid": nullable_uuid,
            "field": _text_schema(100),
            "old_value": _text_schema(None),
            "new_value": _text_schema(None),
        },
    }
    properties: dict[str, Any] = {
        "format": {"const": FORMAT},
        "format_version": {"const": FORMAT_VERSION},
        "exported_at": nullable_datetime,
        "exported_by": {"type": ["string", "null"]},
        "application_version": {"type": ["string", "null"]},
        "jurisdiction": {"$ref": "#/$defs/jurisdiction"},
    }
    for section, kind_key in SECTIONS:
        properties[section] = {"type": "array", "items": {"$ref": f"#/$defs/{kind_key}"}}
    properties["responses"] = {"type": "array", "items": {"$ref": "#/$defs/response"}}
    properties["audit"] = {"type": "array", "items": {"$ref": "#/$defs/audit_entry"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:jurisdesk:exchange:1",
        "title": "Jurisdesk exchange file (format version 1)",
        "description": "One jurisdiction and everything that belongs to it. See "
        "docs/exchange-format.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "format_version", "jurisdiction"],
        "properties": properties,
        "$defs": defs,
    }


def schema_path() -> Path:
    return resource_path("exchange", SCHEMA_FILENAME)


@functools.cache
def _validator() -> Draft202012Validator:
    # Always the shipped schema: a file cannot bring its own rules along.
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# ============================================================================ problems


def json_path(parts: Sequence[str | int]) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"  # ASCII: an odd member name prints anywhere
    return path


@functools.cache
def _member_ranks() -> dict[str, int]:
    """Every member name, numbered in the order the schema (and an export) first lists it."""
    ranks: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name in node.get("properties", {}):
                ranks.setdefault(name, len(ranks))
            for value in node.values():
                walk(value)

    schema = build_schema()
    walk({"properties": schema["properties"]})
    walk(schema["$defs"])
    return ranks


def _order(parts: JsonPath) -> list[tuple[int, int, str]]:
    # Document order: facilities before responses, [2] before [10], known members by position.
    ranks = _member_ranks()
    return [(0, p, "") if isinstance(p, int) else (1, ranks.get(p, len(ranks)), p) for p in parts]


class _Problems:
    def __init__(self) -> None:
        self.found: list[tuple[JsonPath, str]] = []

    def add(self, parts: Sequence[str | int], message: str) -> None:
        self.found.append((tuple(parts), message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def texts(self) -> list[str]:
        ordered = sorted(self.found, key=lambda item: _order(item[0]))
        # A lone surrogate quoted from the file would make the message itself unprintable.
        return [
            _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", f"{json_path(parts)}: {message}")
            for parts, message in ordered
        ]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


_JSON_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "array": "a list",
    "object": "an object",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def _schema_problem(error: ValidationError) -> list[tuple[JsonPath, str]]:
    """jsonschema's error as (path, message), worded for a person fixing the file by hand."""
    parts: JsonPath = tuple(error.absolute_path)
    validator, expected, instance = error.validator, error.validator_value, error.instance
    if validator == "required":
        match = re.match(r"^'(.+)' is a required property$", str(error.message))
        if match:
            return [((*parts, match.group(1)), "is missing; it is required.")]
    if validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [
            ((*parts, name), "is not a member of this part of the format (check the spelling).")
            for name in instance
            if name not in known
        ]
    message: str
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_JSON_TYPES.get(str(k), str(k)) for k in kinds)
        message = f"must be {wanted}, not {_json_type(instance)}."
    elif validator == "enum":
        allowed = ", ".join("null" if v is None else str(v) for v in expected)
        message = f"{_short(instance)} is not one of: {allowed}."
    elif validator == "const":
        message = f"must be {_short(expected)}, not {_short(instance)}."
    elif validator == "maxLength":
        message = f"is {len(instance):,} characters long; the limit is {expected:,}."
    elif validator == "minLength":
        message = "must not be empty."
    elif validator == "pattern":
        message = (
            f"{_short(instance)} is not {_PATTERN_WORDS.get(expected, 'in the expected form')}."
        )
    elif validator == "minimum":
        message = f"must be at least {expected:,}."
    elif validator == "maximum":
        message = f"must be at most {expected:,}."
    elif validator == "uniqueItems":
        message = "lists the same UUID more than once."
    else:
        message = str(error.message)[:200]
    return [(parts, message)]


# ============================================================================ reading


@dataclass
class _Rec:
    """One record of the file, checked and converted to column values (references by UUID)."""

    kind: str
    path: JsonPath
    uuid: str
    version: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # column → (kind, uuid)
    links: dict[str, list[str]] = field(default_factory=dict)  # answers: relation → uuids
    parent: str | None = None  # the award's (condition) or response's (answer) UUID
    content: bytes | None = None
    question: Question | None = None
    definition: Questionnaire | None = None


@dataclass
class _Plan:
    jurisdiction: _Rec | None = None
    records: dict[str, list[_Rec]] = field(default_factory=lambda: {k: [] for k in _WRITE_ORDER})
    where: dict[str, tuple[str, JsonPath]] = field(default_factory=dict)  # uuid → kind, path
    parents: dict[str, str | None] = field(default_factory=dict)  # uuid → award/response uuid
    references: list[tuple[JsonPath, str, str]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    # Filled from the database before writing.
    existing: dict[str, Entity] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def _register(
    plan: _Plan,
    problems: _Problems,
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
            f"“{uid}” is already the UUID of the {_LABELS[other_kind].lower()} at "
            f"{json_path(other_path)}; every record needs its own.",
        )
        return None
    plan.where[uid] = (kind, path)
    plan.parents[uid] = parent
    return uid


def _version(raw: Mapping[str, Any]) -> int | None:
    version = raw.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _reference(
    plan: _Plan, rec: _Rec, raw: Mapping[str, Any], member: str, column: str, target: str
) -> None:
    value = raw.get(member)
    if isinstance(value, str) and _UUID.fullmatch(value):
        rec.refs[column] = (target, value)
        plan.references.append(((*rec.path, member), target, value))


def _read_record(
    plan: _Plan,
    problems: _Problems,
    kind: RecordKind,
    raw: Any,
    path: JsonPath,
    parent: str | None = None,
) -> _Rec | None:
    if not isinstance(raw, dict):
        return None
    uid = _register(plan, problems, kind.key, raw, path, parent)
    rec = _Rec(kind.key, path, uid or "", _version(raw), parent=parent)
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


def _read_evidence(problems: _Problems, rec: _Rec, raw: Mapping[str, Any]) -> None:
    encoded, size, digest = raw.get("content_base64"), raw.get("size"), raw.get("sha256")
    if not isinstance(encoded, str):
        return
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        problems.add(
            (*rec.path, "content_base64"),
            "is not valid base64 (standard alphabet, = padding, no line breaks).",
        )
        return
    if len(content) > MAX_EVIDENCE_BYTES:
        problems.add(
            (*rec.path, "content_base64"),
            f"holds {len(content) / 1_048_576:.1f} MB; the limit for one evidence file is "
            f"{MAX_EVIDENCE_BYTES // 1_048_576} MB.",
        )
    if isinstance(size, int) and size != len(content):
        problems.add(
            (*rec.path, "size"),
            f"says {size:,} bytes but content_base64 holds {len(content):,} bytes.",
        )
    actual = sha256_of(content)
    if isinstance(digest, str) and digest != actual:
        problems.add(
            (*rec.path, "sha256"),
            f"does not match the content (its SHA-256 is {actual}); the file was damaged "
            "or edited after export.",
        )
    rec.content = content
    rec.values |= {"media_type": raw.get("media_type"), "size": len(content), "sha256": actual}


def _parse_datetime(problems: _Problems, path: JsonPath, raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        problems.add(path, f"{_short(raw)} is not a real date and time.")
        return None
    if value.tzinfo is None:
        problems.add(path, "needs a UTC offset, e.g. +00:00.")
        return None
    return value.astimezone(UTC)


def _parse_day(problems: _Problems, path: JsonPath, raw: Any) -> date | None:
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


def _definition(
    problems: _Problems, raw: Mapping[str, Any], path: JsonPath
) -> Questionnaire | None:
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
    plan: _Plan,
    problems: _Problems,
    response: _Rec,
    raw: Any,
    path: JsonPath,
    slots: dict[tuple[str, str | None], JsonPath],
) -> None:
    if not isinstance(raw, dict):
        return
    uid = _register(plan, problems, "answer", raw, path, response.uuid or None)
    rec = _Rec("answer", path, uid or "", _version(raw), parent=response.uuid)
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
    rec.values = _texts(raw, list(_ANSWER_TEXT_LIMITS))
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


def _read_response(plan: _Plan, problems: _Problems, raw: Any, path: JsonPath) -> None:
    if not isinstance(raw, dict):
        return
    uid = _register(plan, problems, "response", raw, path)
    rec = _Rec("response", path, uid or "", _version(raw))
    rec.definition = _definition(problems, raw, path)
    rec.values = _texts(raw, list(_RESPONSE_TEXT_LIMITS)) | {
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


def _read_history(plan: _Plan, problems: _Problems, raw: Any, path: JsonPath) -> None:
    if not isinstance(raw, dict):
        return
    at = _parse_datetime(problems, (*path, "at"), raw.get("at"))
    entry = _texts(raw, [*_AUDIT_TEXT_LIMITS, "entity_uuid", "response_uuid"])
    needed = ("actor", "action", "entity_kind", "entity_uuid")
    if at is not None and all(entry[k] is not None for k in needed):
        plan.history.append(entry | {"at": at})


def _surrogates(problems: _Problems, value: Any, path: JsonPath) -> None:
    """Lone UTF-16 surrogates (possible as JSON escapes) cannot be stored as UTF-8."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            problems.add(path, "contains an invalid character (a lone UTF-16 surrogate).")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _surrogates(problems, item, (*path, index))
    elif isinstance(value, dict):
        for name, item in value.items():
            _surrogates(problems, item, (*path, name))


def _read_document(document: Mapping[str, Any], problems: _Problems) -> _Plan:
    plan = _Plan()
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
        _read_response(plan, problems, raw, ("responses", index))
    for index, raw in enumerate(items(document.get("audit"))):
        _read_history(plan, problems, raw, ("audit", index))
    _surrogates(problems, document, ())
    return plan


def _check_document(document: Any) -> tuple[_Plan, _Problems]:
    """Every problem the file has on its own, without looking at the database."""
    problems = _Problems()
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        problems.add(
            ("format",) if isinstance(document, dict) else (),
            f'this is not a Jurisdesk exchange file (expected "format": "{FORMAT}"'
            + (f", found {_short(found)})." if found is not None else ")."),
        )
        return _Plan(), problems
    if document.get("format_version") != FORMAT_VERSION:
        problems.add(
            ("format_version",),
            f"this file is format version {_short(document.get('format_version'))}; this "
            f"Jurisdesk reads version {FORMAT_VERSION}. Import it with the Jurisdesk that wrote it "
            "or a newer one.",
        )
        return _Plan(), problems
    semantic = _Problems()
    plan = _read_document(document, semantic)
    # Where the app's own validation has something to say, its wording is kept and the
    # schema's message for the same member is dropped: one problem, said once.
    covered = {parts for parts, _ in semantic.found}
    for error in _validator().iter_errors(document):
        for parts, message in _schema_problem(error):
            if parts not in covered:
                problems.add(parts, message)
    problems.found += semantic.found
    return plan, problems


# ============================================================================ database checks


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _find(session: Session, model: type[Entity], uuids: Sequence[str]) -> list[Entity]:
    found: list[Entity] = []
    for chunk in _chunks(uuids):
        found += session.scalars(select(model).where(model.uuid.in_(chunk))).all()
    return found


def _parent_uuid(row: Entity) -> str | None:
    if isinstance(row, models.GrantCondition):
        return row.award.uuid
    if isinstance(row, models.Answer):
        return row.response.uuid
    return None


def _describe(row: Entity) -> str:
    owner = audit.jurisdiction_of(row)
    title = getattr(row, "name", None) or getattr(row, "title", None) or row.uuid
    where = f" of {owner.name}" if owner is not None and owner is not row else ""
    return f"{_LABELS[_kind_of(row)].lower()} “{title}”{where}"


def _kind_of(row: Entity) -> str:
    return next(key for key, model in _MODELS.items() if isinstance(row, model))


def _check_database(session: Session, plan: _Plan, problems: _Problems) -> None:
    """UUIDs owned elsewhere, references, and answers to a different questionnaire."""
    assert plan.jurisdiction is not None
    home = plan.jurisdiction.uuid
    uuids = list(plan.where)
    for kind, model in _MODELS.items():
        for row in _find(session, model, uuids):
            file_kind, path = plan.where[row.uuid]
            owner = audit.jurisdiction_of(row)
            if kind != file_kind:
                problems.add(
                    (*path, "uuid"),
                    f"“{row.uuid}” is already the UUID of a {_describe(row)} in this database; "
                    f"it cannot also be a {_LABELS[file_kind].lower()}.",
                )
            elif owner is None or owner.uuid != home:
                problems.add(
                    (*path, "uuid"),
                    f"this {_describe(row)} belongs to another jurisdiction in this "
                    "database; a record cannot move between jurisdictions.",
                )
            elif _parent_uuid(row) not in (None, plan.parents.get(row.uuid)):
                problems.add(
                    (*path, "uuid"),
                    f"this {_describe(row)} belongs to another "
                    f"{'grant award' if kind == 'condition' else 'response'} in this database.",
                )
            else:
                plan.existing[row.uuid] = row
                plan.ids[row.uuid] = row.id
    for rec in plan.records["response"]:
        response = plan.existing.get(rec.uuid)
        if rec.definition is None:
            continue  # already reported: the questionnaire itself is unknown
        if isinstance(response, models.Response) and (
            response.questionnaire_key,
            response.questionnaire_version,
        ) != (rec.values["questionnaire_key"], rec.values["questionnaire_version"]):
            problems.add(
                (*rec.path, "questionnaire_version"),
                f"this response answers {response.questionnaire_key} version "
                f"{response.questionnaire_version} in this database; a response cannot change "
                "questionnaire. Start a new response instead.",
            )
    _check_references(session, plan, problems, home)


def _check_references(session: Session, plan: _Plan, problems: _Problems, home: str) -> None:
    outside = sorted({uid for _p, _k, uid in plan.references if uid not in plan.where})
    in_database: dict[str, Entity] = {}
    for kind in {target for _p, target, _u in plan.references}:
        for row in _find(session, _MODELS[kind], outside):
            in_database[row.uuid] = row
    for path, target, uid in plan.references:
        label = _LABELS[target].lower()
        if uid in plan.where:
            found_kind, found_path = plan.where[uid]
            if found_kind != target:
                problems.add(
                    path,
                    f"“{uid}” is the {_LABELS[found_kind].lower()} at {json_path(found_path)}, "
                    f"not a {label}.",
                )
            continue
        found = in_database.get(uid)
        owner = audit.jurisdiction_of(found) if found is not None else None
        if found is None or _kind_of(found) != target or owner is None or owner.uuid != home:
            problems.add(
                path,
                f"refers to {label} “{uid}”, which is neither in this file nor among this "
                "jurisdiction's records in the database.",
            )
        else:
            plan.ids[uid] = found.id


# ============================================================================ writing


class _Writer:
    def __init__(self, session: Session, actor: str, plan: _Plan, problems: _Problems) -> None:
        self.session = session
        self.actor = actor
        self.plan = plan
        self.problems = problems
        self.created = dict.fromkeys(COUNT_KEYS, 0)
        self.updated = dict.fromkeys(COUNT_KEYS, 0)
        self.changed_responses: set[str] = set()

    def resolve(self, rec: _Rec) -> dict[str, Any]:
        return {column: self.plan.ids[uid] for column, (_kind, uid) in rec.refs.items()} | {
            column: None for column in _reference_columns(rec.kind) if column not in rec.refs
        }

    def keep_version(self, row: Entity, version: int | None) -> None:
        """A created record keeps the file's version, so a round trip reproduces the file.

        SQLAlchemy always inserts version 1 for a version_id_col, hence the direct UPDATE."""
        if version is None or version == row.version:
            return
        model = type(row)
        self.session.execute(
            update(model).where(model.id == row.id).values(version=version),
            execution_options={"synchronize_session": False},
        )
        set_committed_value(row, "version", version)

    def upsert(
        self, rec: _Rec, values: Mapping[str, Any], parent: Mapping[str, Any], label: str
    ) -> Entity:
        model = _MODELS[rec.kind]
        counted = _COUNT_KEY[rec.kind]
        row = self.plan.existing.get(rec.uuid)
        if row is None:
            row = model(uuid=rec.uuid, **parent, **values)
            if rec.content is not None:
                setattr(row, "content", rec.content)  # noqa: B010  (only evidence has it)
            self.session.add(row)
            self.session.flush()
            self.keep_version(row, rec.version)
            audit.record(self.session, self.actor, "import", row, label=label)
            self.created[counted] += 1
        else:
            changed = False
            for name, new in values.items():
                old = getattr(row, name)
                if old != new:
                    setattr(row, name, new)
                    audit.record(self.session, self.actor, "import", row, label=label,
                                 field=name, old=old, new=new)  # fmt: skip
                    changed = True
            if changed and rec.content is not None and "sha256" in values:
                setattr(row, "content", rec.content)  # noqa: B010
            if changed:
                self.updated[counted] += 1
                self.session.flush()
        self.plan.existing[rec.uuid] = row
        self.plan.ids[rec.uuid] = row.id
        return row

    def records(self) -> None:
        assert self.plan.jurisdiction is not None
        jurisdiction = self.plan.jurisdiction
        self.upsert(jurisdiction, jurisdiction.values, {}, str(jurisdiction.values["name"]))
        home_id = self.plan.ids[jurisdiction.uuid]
        for kind_key in _WRITE_ORDER[:8]:
            kind = RECORD_KINDS[kind_key]
            for rec in self.plan.records[kind_key]:
                values = rec.values | self.resolve(rec)
                parent = (
                    {"award_id": self.plan.ids[rec.parent or ""]}
                    if kind_key == "condition"
                    else {"jurisdiction_id": home_id}
                )
                if rec.uuid in self.plan.existing:
                    parent = {}  # never moves: _check_database refused records owned elsewhere
                self.upsert(rec, values, parent, str(rec.values[kind.title_field]))

    def responses(self) -> None:
        assert self.plan.jurisdiction is not None
        home_id = self.plan.ids[self.plan.jurisdiction.uuid]
        locked_before: dict[str, str] = {}
        for rec in self.plan.records["response"]:
            row = self.plan.existing.get(rec.uuid)
            if isinstance(row, models.Response) and row.status in LOCKED_STATUSES:
                locked_before[rec.uuid] = row.status
            before = (self.created["responses"], self.updated["responses"])
            parent = {} if row is not None else {"jurisdiction_id": home_id}
            title = rec.definition.title if rec.definition else str(rec.values["questionnaire_key"])
            self.upsert(rec, rec.values | self.resolve(rec), parent, title)
            if before != (self.created["responses"], self.updated["responses"]):
                self.changed_responses.add(rec.uuid)
        for rec in self.plan.records["answer"]:
            if self.answer(rec):
                self.changed_responses.add(rec.parent or "")
        for rec in self.plan.records["response"]:
            if rec.uuid in locked_before and rec.uuid in self.changed_responses:
                status = ResponseStatus.of(locked_before[rec.uuid]).label.lower()
                self.problems.add(
                    rec.path,
                    f"this response is {status} in this database and the file changes it; "
                    "reopen it first (with a reason), then import again.",
                )

    def answer(self, rec: _Rec) -> bool:
        """Writes one answer; True when anything changed."""
        assert rec.question is not None
        assert rec.parent is not None
        response_id = self.plan.ids[rec.parent]
        facility_id = self.resolve(rec)["facility_id"]
        slot = rec.question.key if facility_id is None else f"{rec.question.key}@{facility_id}"
        occupant = self.session.scalars(
            select(models.Answer).where(
                models.Answer.response_id == response_id, models.Answer.slot == slot
            )
        ).one_or_none()
        if rec.uuid not in self.plan.existing and occupant is not None:
            # The same question answered on both sides under different UUIDs: one slot holds
            # one answer, so the file's answer goes into the existing one.
            self.plan.existing[rec.uuid] = occupant
        elif occupant is not None and occupant is not self.plan.existing.get(rec.uuid):
            self.problems.add(
                rec.path,
                f"question {rec.question.number} already has another answer for this facility "
                "in this database; clear one of them first.",
            )
            return False
        facility = self.session.get(models.Facility, facility_id) if facility_id else None
        label = f"{rec.question.number} — {facility.name}" if facility else rec.question.number
        values = rec.values | {"facility_id": facility_id, "slot": slot}
        before = (self.created["answers"], self.updated["answers"])
        parent = {} if rec.uuid in self.plan.existing else {"response_id": response_id}
        row = self.upsert(rec, values, parent, label)
        assert isinstance(row, models.Answer)
        changed = before != (self.created["answers"], self.updated["answers"])
        for relation, model in (
            ("instruments", models.LegalInstrument),
            ("evidence", models.Evidence),
        ):
            new_ids = sorted({self.plan.ids[uid] for uid in rec.links.get(relation, [])})
            old_ids = sorted(x.id for x in getattr(row, relation))
            if old_ids != new_ids:
                targets = [self.session.get(model, id_) for id_ in new_ids]
                setattr(row, relation, targets)
                audit.record(self.session, self.actor, "import", row, label=label,
                             field=relation, old=", ".join(map(str, old_ids)) or None,
                             new=", ".join(map(str, new_ids)) or None)  # fmt: skip
                if not changed:
                    self.updated["answers"] += 1
                    changed = True
        self.session.flush()
        return changed

    def history(self) -> None:
        assert self.plan.jurisdiction is not None
        home = self.plan.jurisdiction.uuid
        keys = ("at", "actor", "action", "entity_uuid", "field", "old_value", "new_value")
        known = {
            tuple(getattr(entry, k) for k in keys)
            for entry in self.session.scalars(
                select(models.AuditEntry).where(models.AuditEntry.jurisdiction_uuid == home)
            )
        }
        for entry in self.plan.history:
            key = tuple(entry[k] for k in keys)
            if key in known:
                continue
            known.add(key)
            self.session.add(models.AuditEntry(jurisdiction_uuid=home, **entry))
            self.created["audit"] += 1
        self.session.flush()


def _reference_columns(kind: str) -> tuple[str, ...]:
    if kind in RECORD_KINDS:
        return tuple(s.name for s in RECORD_KINDS[kind].fields if s.kind is FieldKind.REFERENCE)
    return {"response": ("request_id",), "answer": ("facility_id",)}.get(kind, ())


# ============================================================================ import


def import_document(store: Store, document: Any, source: str) -> ImportResult:
    """Checks the whole document, then writes it in one transaction, or nothing at all."""
    plan, problems = _check_document(document)
    with store.transaction() as session:
        if plan.jurisdiction is not None:
            _check_database(session, plan, problems)
        if problems or plan.jurisdiction is None:
            raise ExchangeError(source, problems.texts() or ["$: the file has no jurisdiction."])
        writer = _Writer(session, store.actor, plan, problems)
        writer.records()
        writer.responses()
        writer.history()
        if problems:
            # Raised inside the transaction, so everything written above is rolled back.
            raise ExchangeError(source, problems.texts())
        jurisdiction = plan.existing[plan.jurisdiction.uuid]
        assert isinstance(jurisdiction, models.Jurisdiction)
        return ImportResult(
            source=source,
            jurisdiction_id=jurisdiction.id,
            jurisdiction_uuid=jurisdiction.uuid,
            jurisdiction_name=jurisdiction.name,
            created=writer.created,
            updated=writer.updated,
        )


class _DuplicateMemberError(ValueError):
    pass


def _no_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads silently keeps the last of two equal members; in a record that hides an edit.
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateMemberError(name)
        result[name] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def read_file(path: Path) -> Any:
    """The JSON document in a file, or ExchangeError saying where the file stops being JSON."""
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Windows editors add a BOM
    except OSError as exc:
        raise ExchangeError(source, [f"$: cannot read {path}: {exc.strerror or exc}."]) from exc
    except UnicodeDecodeError as exc:
        raise ExchangeError(
            source, [f"$: {path.name} is not UTF-8 text (byte {exc.start:,} is not valid)."]
        ) from None
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_members, parse_constant=_no_constants
        )
    except json.JSONDecodeError as exc:
        raise ExchangeError(
            source,
            [
                f"$: {path.name} is not valid JSON: {exc.msg} "
                f"at line {exc.lineno}, column {exc.colno}."
            ],
        ) from None
    except _DuplicateMemberError as exc:
        raise ExchangeError(
            source, [f"$: {path.name} has the member “{exc}” twice in one object."]
        ) from None
    except ValueError as exc:
        raise ExchangeError(source, [f"$: {path.name}: {exc}."]) from None


def import_file(store: Store, path: Path) -> ImportResult:
    return import_document(store, read_file(path), str(path))
