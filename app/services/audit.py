"""The audit trail: every change recorded with who, when, which record and field, old and new."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import models
from app.models.base import Entity, utcnow
from app.services.store import Store


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
    if isinstance(row, models.Answer):
        return row.response.jurisdiction
    jurisdiction = getattr(row, "jurisdiction", None)
    return jurisdiction if isinstance(jurisdiction, models.Jurisdiction) else None


def response_of(row: Entity) -> models.Response | None:
    if isinstance(row, models.Response):
        return row
    if isinstance(row, models.Answer):
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
) -> None:
    jurisdiction = jurisdiction_of(row)
    response = response_of(row)
    session.add(
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
        )
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
        models.AuditEntry.at.desc(), models.AuditEntry.id.desc()
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
