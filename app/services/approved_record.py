"""The approved record: what an approved response's letter prints, kept as it stood at approval.

A response letter prints more than the answers: the letterhead, every facility with its
operator and who controls it, the instruments and evidence the answers cite, and the federal
request it replies to. Those records stay editable after the response is approved, so approving
copies them, with the answers, into the response as one JSON document. The letter of an
approved response is printed from that copy and says exactly what was approved, however the
records change later; reopening the response drops the copy.

The document (format version 1), members in this order of meaning (the JSON is written with
sorted keys and no spaces, so the same content is the same text and the same SHA-256)::

    {
      "format": "jurisdesk-approved-record",
      "format_version": 1,
      "response": {"uuid", "questionnaire_key", "questionnaire_version",
                   "approved_by", "approver_title", "reviewed_by", "prepared_by",
                   "approved_at",                       # ISO 8601 with UTC offset
                   "approved_on"},                      # the office's calendar day of it
      "jurisdiction": {"id", "uuid", "version", <every jurisdiction field>},
      "facilities": [{"id", "uuid", "version", <every facility field>}, ...],
      "instruments": [...cited by an answer, same shape],
      "evidence": [...cited by an answer, same shape, plus "media_type", "size", "sha256"],
      "request": {...} or null,
      "answers": [{"id", "uuid", "version", "question_key", "facility_id",
                   "value",                             # as stored: JSON text, or null
                   "result", "basis", "narrative", "conditions", "as_of",
                   "information_source", "instrument_ids", "evidence_ids"}, ...],
      "letter_edits": {...} or null,                    # app.letter.edits, as stored
      "letter": {...} or null                           # app.letter.composed, frozen
    }

The digest an approver is shown (the review state) covers the same document without the
frozen letter: the letter is composed from everything else in it.

"<every … field>" is each field of the record kind in app.services.fields (dates as
YYYY-MM-DD), so the copy holds whatever a letter can print of the record. Evidence keeps its
file's name, size and SHA-256, not its bytes. Ids tie answers to facilities, instruments and
evidence inside the document; they are not looked up in the database again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models, questionnaires
from app.models.base import Entity
from app.services import audit
from app.services.collation import ascii_lower
from app.services.errors import UserError
from app.services.fields import FieldKind, RecordKind, record_kind
from app.services.records import Record
from app.services.store import Store
from app.vocabulary import ResponseStatus

FORMAT = "jurisdesk-approved-record"
_LOCKED = (ResponseStatus.APPROVED.value, ResponseStatus.SUBMITTED.value)
# 2: adds "letter_edits" (what the office wrote into the letter) and "letter" (the letter as
# composed and frozen at approval). Version 1 records are still read: they have neither.
FORMAT_VERSION = 2

# Kept beyond the fields users edit: the facts of an evidence file the letter lists.
_FILE_FACTS: dict[str, tuple[str, ...]] = {"evidence": ("media_type", "size", "sha256")}


@dataclass(frozen=True)
class ApprovedAnswer:
    """One answer as stored when it was approved (value: its stored JSON text)."""

    id: int
    uuid: str
    version: int
    question_key: str
    facility_id: int | None
    value: str | None
    result: str | None
    basis: str | None
    narrative: str | None
    conditions: str | None
    as_of: date | None
    information_source: str | None
    instrument_ids: tuple[int, ...]
    evidence_ids: tuple[int, ...]


@dataclass(frozen=True)
class Approval:
    approved_by: str | None
    approver_title: str | None
    reviewed_by: str | None
    prepared_by: str | None
    approved_at: datetime | None
    # The day the letter is dated: approved_at in the office's time zone when it was approved
    # (a computer later set to another zone does not re-date the letter).
    approved_on: date | None


@dataclass(frozen=True)
class ApprovedRecord:
    """The approved record, read back: records as plain Record copies, as the services give."""

    format_version: int
    response_uuid: str
    questionnaire_key: str
    questionnaire_version: int
    approval: Approval
    jurisdiction: Record
    facilities: tuple[Record, ...]
    instruments: tuple[Record, ...]
    evidence: tuple[Record, ...]
    request: Record | None
    answers: tuple[ApprovedAnswer, ...]
    # What the office wrote into the letter (stored JSON text) and the letter as composed at
    # approval (its frozen JSON object); None in records approved before Jurisdesk kept them.
    letter_edits: str | None = None
    letter: dict[str, Any] | None = None


# ----------------------------------------------------------------------------- writing


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _kept(kind: RecordKind) -> tuple[str, ...]:
    return tuple(spec.name for spec in kind.fields) + _FILE_FACTS.get(kind.key, ())


def _record_out(kind_key: str, row: Entity) -> dict[str, Any]:
    kind = record_kind(kind_key)
    out: dict[str, Any] = {"id": row.id, "uuid": row.uuid, "version": row.version}
    out.update((name, _plain(getattr(row, name))) for name in _kept(kind))
    return out


def _answer_out(row: models.Answer) -> dict[str, Any]:
    return {
        "id": row.id,
        "uuid": row.uuid,
        "version": row.version,
        "question_key": row.question_key,
        "facility_id": row.facility_id,
        "value": row.value,
        "result": row.result,
        "basis": row.basis,
        "narrative": row.narrative,
        "conditions": row.conditions,
        "as_of": _plain(row.as_of),
        "information_source": row.information_source,
        "instrument_ids": sorted(i.id for i in row.instruments),
        "evidence_ids": sorted(e.id for e in row.evidence),
    }


def capture(session: Session, response: models.Response, letter: str | None = None) -> str:
    """The approved record of a response, as JSON text, read in the approving session.

    letter: the composed letter's frozen JSON text, kept as approved; None for the review
    state, which covers what the letter is composed from.
    """
    jurisdiction = response.jurisdiction
    # The order records.list_records gives, so the approved letter lists facilities as the
    # draft did.
    facilities = session.scalars(
        select(models.Facility)
        .where(models.Facility.jurisdiction_id == jurisdiction.id)
        .order_by(ascii_lower(models.Facility.name), models.Facility.id)
    ).all()
    answers = sorted(response.answers, key=lambda a: a.id)
    instruments = {i.id: i for a in answers for i in a.instruments}
    evidence = {e.id: e for a in answers for e in a.evidence}
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "response": {
            "uuid": response.uuid,
            "questionnaire_key": response.questionnaire_key,
            "questionnaire_version": response.questionnaire_version,
            "approved_by": response.approved_by,
            "approver_title": response.approver_title,
            "reviewed_by": response.reviewed_by,
            "prepared_by": response.prepared_by,
            "approved_at": _plain(response.approved_at),
            "approved_on": _plain(response.approved_at.astimezone().date())
            if response.approved_at is not None
            else None,
        },
        "jurisdiction": _record_out("jurisdiction", jurisdiction),
        "facilities": [_record_out("facility", f) for f in facilities],
        "instruments": [_record_out("instrument", instruments[i]) for i in sorted(instruments)],
        "evidence": [_record_out("evidence", evidence[e]) for e in sorted(evidence)],
        "request": _record_out("request", response.request) if response.request else None,
        "answers": [_answer_out(a) for a in answers],
        "letter_edits": None if not response.letter_edits else json.loads(response.letter_edits),
        "letter": None if letter is None else json.loads(letter),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(text: str) -> str:
    """The SHA-256 of an approved record, as the audit trail names it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- reading


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _record_in(kind_key: str, raw: Mapping[str, Any]) -> Record:
    kind = record_kind(kind_key)
    values: dict[str, Any] = {"id": raw["id"], "uuid": raw["uuid"], "version": raw["version"]}
    for spec in kind.fields:
        value = raw[spec.name]
        values[spec.name] = _day(value) if spec.kind is FieldKind.DATE else value
    for name in _FILE_FACTS.get(kind_key, ()):
        values[name] = raw[name]
    return Record(
        kind=kind.key,
        id=raw["id"],
        uuid=raw["uuid"],
        version=raw["version"],
        title=str(values[kind.title_field] or ""),
        values=values,
    )


def _records_in(kind_key: str, raw: Sequence[Mapping[str, Any]]) -> tuple[Record, ...]:
    return tuple(_record_in(kind_key, item) for item in raw)


def _answer_in(raw: Mapping[str, Any]) -> ApprovedAnswer:
    return ApprovedAnswer(
        id=raw["id"],
        uuid=raw["uuid"],
        version=raw["version"],
        question_key=raw["question_key"],
        facility_id=raw["facility_id"],
        value=raw["value"],
        result=raw["result"],
        basis=raw["basis"],
        narrative=raw["narrative"],
        conditions=raw["conditions"],
        as_of=_day(raw["as_of"]),
        information_source=raw["information_source"],
        instrument_ids=tuple(raw["instrument_ids"]),
        evidence_ids=tuple(raw["evidence_ids"]),
    )


def parse(text: str) -> ApprovedRecord:
    """Reads an approved record back; UserError if it is damaged or from a newer Jurisdesk."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError("not an approved record")
        version = document["format_version"]
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise UserError(
                f"This response was approved with a newer Jurisdesk (approved record format "
                f"{version}); install that version to print its letter."
            )
        response = document["response"]
        approved_at = response["approved_at"]
        request = document["request"]
        edits = document.get("letter_edits")
        return ApprovedRecord(
            format_version=version,
            response_uuid=response["uuid"],
            questionnaire_key=response["questionnaire_key"],
            questionnaire_version=response["questionnaire_version"],
            approval=Approval(
                approved_by=response["approved_by"],
                approver_title=response["approver_title"],
                reviewed_by=response["reviewed_by"],
                prepared_by=response["prepared_by"],
                approved_at=None if approved_at is None else datetime.fromisoformat(approved_at),
                approved_on=_day(response["approved_on"]),
            ),
            jurisdiction=_record_in("jurisdiction", document["jurisdiction"]),
            facilities=_records_in("facility", document["facilities"]),
            instruments=_records_in("instrument", document["instruments"]),
            evidence=_records_in("evidence", document["evidence"]),
            request=None if request is None else _record_in("request", request),
            answers=tuple(_answer_in(a) for a in document["answers"]),
            letter_edits=None if edits is None else json.dumps(edits, ensure_ascii=False),
            letter=document.get("letter"),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(
            "The record kept of this response's approval is damaged, so its letter cannot be "
            "printed as approved. Restore a backup, or reopen and approve the response again."
        ) from exc


# ----------------------------------------------------------------------------- who keeps what


@dataclass(frozen=True)
class KeptBy:
    """An approved or submitted response whose approved record holds a copy of a record."""

    response_id: int
    title: str
    status: str


def responses_keeping(store: Store, kind_key: str, record_id: int) -> list[KeptBy]:
    """The approved and submitted responses that print `record` as it was when they were
    approved. Editing the record does not change them; the editor says so by naming them."""
    kind = record_kind(kind_key)
    with store.reading() as session:
        row = session.get(kind.model, record_id)
        if row is None:
            return []
        jurisdiction = audit.jurisdiction_of(row)
        if jurisdiction is None:
            return []
        locked = session.execute(
            select(models.Response.id, models.Response.questionnaire_key,
                   models.Response.questionnaire_version, models.Response.status,
                   models.Response.approved_snapshot)
            .where(models.Response.jurisdiction_id == jurisdiction.id,
                   models.Response.status.in_(_LOCKED),
                   models.Response.approved_snapshot.is_not(None))
            .order_by(models.Response.id)
        ).all()  # fmt: skip
        uuid = row.uuid
    kept = []
    for response_id, key, version, status, text in locked:
        try:
            record = parse(text or "")
        except UserError:
            continue  # a damaged copy keeps nothing readable; `check` reports it
        held = (
            record.jurisdiction,
            *record.facilities,
            *record.instruments,
            *record.evidence,
            *((record.request,) if record.request else ()),
        )
        if any(r.uuid == uuid for r in held):
            title = _questionnaire_title(key, version)
            kept.append(KeptBy(response_id, title, status))
    return kept


def _questionnaire_title(key: str, version: int) -> str:
    try:
        return questionnaires.get(key, version).title
    except questionnaires.UnknownDefinitionError:
        return f"{key} version {version}"


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Approval",
    "ApprovedAnswer",
    "ApprovedRecord",
    "KeptBy",
    "capture",
    "digest",
    "parse",
    "responses_keeping",
]
