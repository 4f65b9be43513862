"""The file's vocabulary: format name and version, sections, counts, text limits, patterns."""

from __future__ import annotations

import re

from app import models
from app.models.base import Entity
from app.services.fields import LONG_TEXT_LIMIT, RECORD_KINDS, FieldKind, FieldSpec
from app.services.responses import SOURCE_LIMIT

FORMAT = "jurisdesk-exchange"
FORMAT_VERSION = 3
# Versions this Jurisdesk imports: 1 lacks the approved record and filed documents of
# responses; 2 lacks the office's letter (and which format each filed letter went out in).
READABLE_VERSIONS: tuple[int, ...] = (1, 2, 3)
SCHEMA_FILENAME = "jurisdesk-exchange.schema.json"
# The largest file imported (and exported): an import holds about this much again in memory
# at its peak, which an office PC spares without slowing everything else down.
MAX_FILE_BYTES = 256 * 1_048_576
# How deep lists and objects may nest; the format itself needs 6 (an answer's list of choices).
MAX_NESTING = 20
# The largest `version` a record may carry: what SQLite stores in any integer column, with
# room for the edits still to come. A file cannot claim a billion edits.
MAX_VERSION = 2**31 - 1

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
    "filed",
    "audit",
)
COUNT_KEY_OF = {kind: section for section, kind in SECTIONS} | {
    "jurisdiction": "jurisdiction",
    "condition": "conditions",
    "response": "responses",
    "answer": "answers",
    "filed": "filed",
}
# The order records are written in on import; parents and referenced records come first.
WRITE_ORDER = (
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
    "filed",
)
MODELS: dict[str, type[Entity]] = {key: kind.model for key, kind in RECORD_KINDS.items()} | {
    "response": models.Response,
    "answer": models.Answer,
    "filed": models.FiledDocument,
}
LABELS: dict[str, str] = {key: kind.label for key, kind in RECORD_KINDS.items()} | {
    "response": "Response",
    "answer": "Answer",
    "filed": "Filed document",
}

RESPONSE_TEXT_LIMITS = {
    "prepared_by": 200,
    "reviewed_by": 200,
    "approved_by": 200,
    "approver_title": 200,
    "submission_method": 200,
    "notes": LONG_TEXT_LIMIT,
}
ANSWER_TEXT_LIMITS = {
    "narrative": LONG_TEXT_LIMIT,
    "conditions": LONG_TEXT_LIMIT,
    "information_source": SOURCE_LIMIT,
}
# A filed document's text members (kind: "letter" today), as the filed_document columns allow.
FILED_TEXT_LIMITS = {"kind": 20, "filed_by": 200, "filename": 255}
AUDIT_TEXT_LIMITS = {
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
PATTERN_WORDS = {
    UUID_PATTERN: "a UUID in lowercase, e.g. 3f2b8a1c-0d4e-4c5f-9a6b-7c8d9e0f1a2b",
    DATE_PATTERN: "a date in the form YYYY-MM-DD",
    DATETIME_PATTERN: "a date and time with a UTC offset, e.g. 2017-08-03T14:05:00+00:00",
    SHA256_PATTERN: "a SHA-256 of 64 lowercase hexadecimal digits",
    STATE_PATTERN: "a two-letter USPS state code in capitals, e.g. NM",
}
SURROGATE = re.compile(r"[\ud800-\udfff]")

JsonPath = tuple[str | int, ...]


def describe_size(size: int) -> str:
    """A file size as people read it: 312.4 MB, 18 kB."""
    if size >= 1_048_576:
        return f"{size / 1_048_576:,.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024)):,} kB"


def member_name(spec: FieldSpec) -> str:
    """A field's member in the file: references lose their "_id" and hold a UUID instead."""
    return spec.name.removesuffix("_id") if spec.kind is FieldKind.REFERENCE else spec.name
