"""The format's JSON Schema, built from RECORD_KINDS, and the shipped copy imports check against."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators

from app import questionnaires
from app.letter import edits
from app.models import MAX_EVIDENCE_BYTES
from app.paths import resource_path
from app.services.exchange.format import (
    ANSWER_TEXT_LIMITS,
    DATE_PATTERN,
    DATETIME_PATTERN,
    FILED_TEXT_LIMITS,
    FORMAT,
    FORMAT_VERSION,
    MAX_VERSION,
    READABLE_VERSIONS,
    RESPONSE_TEXT_LIMITS,
    SCHEMA_FILENAME,
    SECTIONS,
    SHA256_PATTERN,
    STATE_PATTERN,
    UUID_PATTERN,
    member_name,
)
from app.services.exchange.reading import Base64Text
from app.services.fields import LONG_TEXT_LIMIT, RECORD_KINDS, FieldKind, FieldSpec, RecordKind
from app.vocabulary import PolicyBasis, ResponseStatus

_VERSION = {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}


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
    properties: dict[str, Any] = {"uuid": {"$ref": "#/$defs/uuid"}, "version": _VERSION}
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


def _filed_text(name: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": FILED_TEXT_LIMITS[name]}


def _letter_schemas() -> dict[str, Any]:
    """The office's edits to a response's letter (app.letter.edits). Every member is optional,
    and null is the same as leaving it out: that part of the letter is as Jurisdesk drafts it."""
    line = {"type": "string", "maxLength": edits.LINE_LIMIT}
    lines = {"type": ["array", "null"], "maxItems": edits.MAX_LINES, "items": line}

    def block(description: str, names: tuple[str, ...]) -> dict[str, Any]:
        return {
            "description": description,
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {name: dict(line) for name in names},
        }

    paragraph = {
        "title": "Rewritten paragraph",
        "description": "The paragraph as the office wrote it (text) and the draft it was "
        "rewritten from (drafted). Plain text is the same as an object with only text.",
        "type": ["object", "string"],
        "minLength": 1,
        "maxLength": edits.PARAGRAPH_LIMIT,
        "additionalProperties": False,
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": edits.PARAGRAPH_LIMIT},
            "drafted": {"type": ["string", "null"], "maxLength": edits.PARAGRAPH_LIMIT},
        },
    }
    ref = {"$ref": "#/$defs/letter_paragraph"}
    letter = {
        "title": "Letter",
        "description": "What the office changed in the response's letter over Jurisdesk's "
        "draft; left out (or null), the letter is as Jurisdesk drafts it.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            "date": {"type": ["string", "null"], "pattern": DATE_PATTERN},
            "letterhead": block("Letterhead lines", edits.LETTERHEAD_FIELDS),
            "addressee": lines | {"description": "The addressee block, line by line."},
            **{part: {"anyOf": [ref, {"type": "null"}]} for part in edits.FRAME_PARTS},
            "answers": {
                "description": "Rewritten answer paragraphs, by question key.",
                "type": ["object", "null"],
                "additionalProperties": ref,
            },
            "signer": block("Who signs the letter (name required)", edits.SIGNER_FIELDS),
            "cc": lines | {"description": "Copies to, one line each."},
        },
    }
    return {"letter": letter, "letter_paragraph": paragraph}


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
            "version": _VERSION,
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
            **{name: _text_schema(limit) for name, limit in ANSWER_TEXT_LIMITS.items()},
            "as_of": nullable_date,
            "instruments": uuid_list,
            "evidence": uuid_list,
        },
    }
    defs["filed_document"] = {
        "title": "Filed document",
        "description": "An approved letter as exported and filed: its exact bytes.",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "uuid",
            "kind",
            "sha256",
            "filed_at",
            "filed_by",
            "filename",
            "size",
            "content_base64",
        ],
        "properties": {
            "uuid": {"$ref": "#/$defs/uuid"},
            "kind": _filed_text("kind"),
            "format": {
                "description": "Which file went out: pdf, or docx when the letter was finished "
                "in Word. Format version 3; absent means pdf.",
                "enum": ["pdf", "docx"],
            },
            "sha256": {"type": "string", "pattern": SHA256_PATTERN},
            "filed_at": {"type": "string", "pattern": DATETIME_PATTERN},
            "filed_by": {"type": "string", "maxLength": FILED_TEXT_LIMITS["filed_by"]},
            "filename": _filed_text("filename"),
            "size": {"type": "integer", "minimum": 0},
            "content_base64": {
                "type": "string",
                "description": "The filed bytes, base64 (RFC 4648, no line breaks).",
            },
        },
    }
    defs |= _letter_schemas()
    defs["response"] = {
        "title": "Response",
        "type": "object",
        "additionalProperties": False,
        "required": ["uuid", "questionnaire_key", "questionnaire_version", "status"],
        "properties": {
            "uuid": {"$ref": "#/$defs/uuid"},
            "version": _VERSION,
            "questionnaire_key": {"type": "string", "minLength": 1, "maxLength": 100},
            "questionnaire_version": {"type": "integer", "minimum": 1},
            "status": {"enum": [s.value for s in ResponseStatus]},
            **{name: _text_schema(limit) for name, limit in RESPONSE_TEXT_LIMITS.items()},
            "approved_at": nullable_datetime,
            "submitted_on": nullable_date,
            "request": nullable_uuid,
            "answers": {"type": "array", "items": {"$ref": "#/$defs/answer"}},
            "letter": {"$ref": "#/$defs/letter"},
            "approved_record": {
                "description": "The approved record kept at approval (JSON text, exactly as "
                "stored), or null. Format version 2.",
                "type": ["string", "null"],
            },
            "filed": {
                "description": "The documents filed for this response, oldest first. "
                "Format version 2.",
                "type": "array",
                "items": {"$ref": "#/$defs/filed_document"},
            },
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
        "format_version": {"enum": list(READABLE_VERSIONS)},
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
        "$id": f"urn:jurisdesk:exchange:{FORMAT_VERSION}",
        "title": f"Jurisdesk exchange file (format version {FORMAT_VERSION})",
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


def _is_string(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, str | Base64Text)


def _is_integer(_checker: Any, instance: Any) -> bool:
    # JSON Schema counts 2.0 as an integer; the format does not: a version or a count is
    # written without a decimal point, and Python's 2.0 is not usable where an int is.
    return isinstance(instance, int) and not isinstance(instance, bool)


# Base64 content the reader left in the file's bytes is text, as far as the schema goes.
_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"string": _is_string, "integer": _is_integer}
    ),
)


@functools.cache
def validator() -> Draft202012Validator:
    # Always the shipped schema: a file cannot bring its own rules along.
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validating: Draft202012Validator = _Validator(schema)
    return validating
