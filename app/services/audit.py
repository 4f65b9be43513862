"""The audit trail: every change recorded with who, when, which record and field, old and new.

The trail is one hash chain. Each entry gets the next sequence number (1, 2, 3… over the whole
database), the hash of the entry before it, and the SHA-256 of its own canonical content, which
includes both. Changing, back-dating, removing or inserting an entry afterwards therefore breaks
the chain at that entry, and `jurisdesk check` (app.services.integrity) names it. Approvals
(with the SHA-256 of the approved record), filed letters and evidence files (with theirs) are
entries of the chain too, so the check can hold each of them against its link.

The canonical content of an entry (version 1) is this JSON object, keys sorted, no spaces,
every non-ASCII character escaped (so it is plain ASCII bytes), null for what is empty::

    {"action", "actor", "at", "entity_kind", "entity_label", "entity_uuid", "field",
     "imported_at", "imported_from", "jurisdiction_uuid", "new_value", "old_value",
     "previous_hash", "response_uuid", "sequence", "v": 1}

with "at" and "imported_at" in UTC as 2017-08-10T12:00:00.000000Z. The first entry's previous
hash is 64 zeros. Migration 0005 computed the chain over the entries written before it, in the
order they were written, with a copy of this definition; change neither, or old trails no
longer verify.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import Session

from app import models
from app.models.base import Entity, utcnow
from app.services.store import Store

CANONICAL_VERSION = 1
GENESIS_HASH = "0" * 64
# Every column an entry's hash covers: all of them but the row id and the hash itself.
CHAINED_FIELDS = (
    "sequence",
    "previous_hash",
    "at",
    "actor",
    "action",
    "entity_kind",
    "entity_uuid",
    "entity_label",
    "jurisdiction_uuid",
    "response_uuid",
    "field",
    "old_value",
    "new_value",
    "imported_from",
    "imported_at",
)
# How many characters of a hash are printed beside its sequence number, as on the report.
SHORT_HASH = 16


# How each action of the trail reads to people, on screen and in `check`'s report.
ACTION_LABELS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "import": "Imported",
    "status": "Status changed",
    "submit": "Submitted",
    "approve": "Approved",
    "reopen": "Reopened",
    "reason": "Reason given",
    "clear": "Answer cleared",
    "answer": "Answered",
    "prefill": "Pre-filled",
    "file": "Filed",
    "upgrade": "Recorded at upgrade",
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    entity_kind: str
    entity_uuid: str
    entity_label: str | None
    field: str | None
    old_value: str | None
    new_value: str | None
    sequence: int | None = None
    # Set for history read from an exchange file: at and actor are the other database's.
    imported_from: str | None = None
    imported_at: datetime | None = None

    @property
    def imported(self) -> bool:
        return self.imported_at is not None


@dataclass(frozen=True)
class ChainHead:
    """The newest entry of the trail: what a printed report or a filed letter is anchored to."""

    sequence: int
    entry_hash: str

    @property
    def short(self) -> str:
        return self.entry_hash[:SHORT_HASH]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.short}"


def utc_text(moment: datetime | None) -> str | None:
    """A time as the chain hashes it; a naive time is UTC, as the database stores it."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is taken of (see the module's description)."""
    document: dict[str, Any] = {"v": CANONICAL_VERSION}
    for name in CHAINED_FIELDS:
        value = fields[name]
        document[name] = utc_text(value) if isinstance(value, datetime) else value
    return json.dumps(document, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode(
        "ascii"
    )


def hash_of(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def chained_fields(entry: models.AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in CHAINED_FIELDS}


_HEAD = "jurisdesk_audit_head"


def _head(session: Session) -> tuple[int, str]:
    """The chain's newest link as this transaction sees it, including what it has appended.

    Read once per transaction, then kept in the session: every entry of a use case is
    appended here, so the kept head stays true until the transaction ends; a new transaction
    (another use case, or after a rollback) reads it again.
    """
    transaction = session.get_transaction()
    kept = session.info.get(_HEAD)
    if kept is not None and kept[0] is transaction:
        return kept[1], kept[2]
    # No autoflush: the only entries pending in this session are ones appended here, which the
    # kept head already counts; flushing the caller's half-built rows early could fail.
    with session.no_autoflush:
        head = head_in(session)
    return (0, GENESIS_HASH) if head is None else (head.sequence, head.entry_hash)


def _append(session: Session, entry: models.AuditEntry) -> models.AuditEntry:
    """Links the entry to the chain and adds it. Writing use cases hold SQLite's write lock
    from their first statement (BEGIN IMMEDIATE, app.db), so nobody appends in between; the
    unique sequence number refuses a fork all the same."""
    sequence, previous = _head(session)
    entry.sequence = sequence + 1
    entry.previous_hash = previous
    entry.entry_hash = hash_of(chained_fields(entry))
    session.add(entry)
    session.info[_HEAD] = (session.get_transaction(), entry.sequence, entry.entry_hash)
    return entry


def as_text(value: Any) -> str | None:
    """How a value is written into the trail: stable, readable, and comparable."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def jurisdiction_of(row: Entity) -> models.Jurisdiction | None:
    if isinstance(row, models.Jurisdiction):
        return row
    if isinstance(row, models.GrantCondition):
        return row.award.jurisdiction
    if isinstance(row, models.Answer | models.FiledDocument):
        return row.response.jurisdiction
    jurisdiction = getattr(row, "jurisdiction", None)
    return jurisdiction if isinstance(jurisdiction, models.Jurisdiction) else None


def response_of(row: Entity) -> models.Response | None:
    if isinstance(row, models.Response):
        return row
    if isinstance(row, models.Answer | models.FiledDocument):
        return row.response
    return None


def record(
    session: Session,
    actor: str,
    action: str,
    row: Entity,
    *,
    label: str | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> models.AuditEntry:
    """Appends one entry, made here and now by `actor`, to the chain."""
    jurisdiction = jurisdiction_of(row)
    response = response_of(row)
    return _append(
        session,
        models.AuditEntry(
            at=utcnow(),
            actor=actor,
            action=action,
            entity_kind=type(row).__tablename__,
            entity_uuid=row.uuid,
            entity_label=label,
            jurisdiction_uuid=jurisdiction.uuid if jurisdiction else None,
            response_uuid=response.uuid if response else None,
            field=field,
            old_value=as_text(old),
            new_value=as_text(new),
        ),
    )


def record_filing(session: Session, actor: str, action: str, row: models.FiledDocument) -> None:
    """Appends the filing of a document, with its SHA-256, and keeps the chain head it was
    filed at on the document. Call it before the document is first flushed (with its uuid and
    response set), so the document is written once, head included."""
    entry = record(
        session, actor, action, row, label=row.filename, field="filed_letter", new=row.sha256
    )
    row.chain_head_sequence = entry.sequence
    row.chain_head_hash = entry.entry_hash


def record_imported(
    session: Session,
    entry: Mapping[str, Any],
    *,
    jurisdiction_uuid: str,
    source: str,
    imported_at: datetime,
) -> models.AuditEntry:
    """Appends a history entry read from an exchange file, marked as imported from `source`.

    It is chained like any other, but its time and actor are what the file says: the other
    database's word, which this one can neither confirm nor deny.
    """
    return _append(
        session,
        models.AuditEntry(
            at=entry["at"],
            actor=entry["actor"],
            action=entry["action"],
            entity_kind=entry["entity_kind"],
            entity_uuid=entry["entity_uuid"],
            entity_label=entry.get("entity_label"),
            jurisdiction_uuid=jurisdiction_uuid,
            response_uuid=entry.get("response_uuid"),
            field=entry.get("field"),
            old_value=entry.get("old_value"),
            new_value=entry.get("new_value"),
            imported_from=source,
            imported_at=imported_at,
        ),
    )


def _entries(rows: Sequence[models.AuditEntry]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity_kind=row.entity_kind,
            entity_uuid=row.entity_uuid,
            entity_label=row.entity_label,
            field=row.field,
            old_value=row.old_value,
            new_value=row.new_value,
            sequence=row.sequence,
            imported_from=row.imported_from,
            imported_at=row.imported_at,
        )
        for row in rows
    ]


def history(
    store: Store,
    *,
    jurisdiction_uuid: str | None = None,
    entity_uuid: str | None = None,
    response_uuid: str | None = None,
    limit: int | None = None,
) -> list[HistoryEntry]:
    """Newest first. A response's history includes the changes to its answers."""
    query = select(models.AuditEntry).order_by(
        models.AuditEntry.at.desc(), models.AuditEntry.sequence.desc()
    )
    if jurisdiction_uuid:
        query = query.where(models.AuditEntry.jurisdiction_uuid == jurisdiction_uuid)
    if entity_uuid:
        query = query.where(models.AuditEntry.entity_uuid == entity_uuid)
    if response_uuid:
        query = query.where(
            or_(
                models.AuditEntry.response_uuid == response_uuid,
                models.AuditEntry.entity_uuid == response_uuid,
            )
        )
    if limit:
        query = query.limit(limit)
    with store.reading() as session:
        return _entries(session.scalars(query).all())


def chain_head(store: Store) -> ChainHead | None:
    """The newest entry of the trail, or None while it is empty."""
    with store.reading() as session:
        return head_in(session)


def head_in(reader: Session | Connection) -> ChainHead | None:
    """chain_head, read in a session or connection already open (one snapshot with more)."""
    row = reader.execute(
        select(models.AuditEntry.sequence, models.AuditEntry.entry_hash)
        .order_by(models.AuditEntry.sequence.desc())
        .limit(1)
    ).first()
    return None if row is None else ChainHead(int(row[0]), str(row[1]))
