"""Create, read, edit and delete the records of a jurisdiction, with audit and conflict checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import models
from app.models.base import Entity
from app.services import audit
from app.services.collation import ascii_lower
from app.services.errors import Conflict, FieldProblem, InvalidInput, Locked, NotFound
from app.services.fields import FieldKind, RecordKind, record_kind
from app.services.store import Store
from app.vocabulary import ResponseStatus

LOCKED_STATUSES = (ResponseStatus.APPROVED.value, ResponseStatus.SUBMITTED.value)
# Columns never shown as record values: file bytes are read on demand only.
_HIDDEN_COLUMNS = {"content"}


@dataclass(frozen=True)
class Record:
    """A plain copy of one row, safe to keep after its session closed."""

    kind: str
    id: int
    uuid: str
    version: int
    title: str
    values: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def to_record(kind: RecordKind, row: Entity) -> Record:
    values = {
        attr.key: getattr(row, attr.key)
        for attr in row.__mapper__.column_attrs
        if attr.key not in _HIDDEN_COLUMNS
    }
    return Record(
        kind=kind.key,
        id=row.id,
        uuid=row.uuid,
        version=row.version,
        title=str(values.get(kind.title_field) or ""),
        values=values,
    )


def load(session: Session, kind: RecordKind, record_id: int) -> Entity:
    row = session.get(kind.model, record_id)
    if row is None:
        raise NotFound(f"There is no {kind.label.lower()} with id {record_id}.")
    return row


def _parent_jurisdiction_id(session: Session, kind: RecordKind, parent_id: int) -> int:
    if kind.parent_field == "award_id":
        award = load(session, record_kind("award"), parent_id)
        assert isinstance(award, models.GrantAward)
        return award.jurisdiction_id
    load(session, record_kind("jurisdiction"), parent_id)
    return parent_id


def _check_references(
    session: Session, kind: RecordKind, values: Mapping[str, Any], jurisdiction_id: int | None
) -> None:
    """A reference must point at a record of the same jurisdiction."""
    problems = []
    for spec in kind.fields:
        target = values.get(spec.name)
        if spec.kind is not FieldKind.REFERENCE or target is None or spec.references is None:
            continue
        row = session.get(record_kind(spec.references).model, target)
        if row is None or getattr(row, "jurisdiction_id", None) != jurisdiction_id:
            problems.append(
                FieldProblem(spec.name, spec.label, "must be chosen from this jurisdiction's list.")
            )
    if problems:
        raise InvalidInput(problems)


def _jurisdiction_id_of(row: Entity) -> int | None:
    jurisdiction = audit.jurisdiction_of(row)
    return jurisdiction.id if jurisdiction else None


def create(
    store: Store, kind_key: str, values: Mapping[str, Any], parent_id: int | None = None
) -> Record:
    kind = record_kind(kind_key)
    if kind.key == "evidence":
        # Evidence needs its file: app.services.evidence.attach_bytes / attach_file add it.
        raise ValueError("evidence is created with app.services.evidence.attach_bytes")
    parsed = kind.validate(values)
    kind.check_together(parsed)
    with store.transaction() as session:
        jurisdiction_id = None
        if kind.parent_field:
            if parent_id is None:
                raise ValueError(f"a {kind.label.lower()} needs its parent's id")
            jurisdiction_id = _parent_jurisdiction_id(session, kind, parent_id)
            parsed[kind.parent_field] = parent_id
        _check_references(session, kind, parsed, jurisdiction_id)
        row = kind.model(**parsed)
        session.add(row)
        session.flush()
        session.refresh(row)
        audit.record(session, store.actor, "create", row, label=str(parsed[kind.title_field]))
        return to_record(kind, row)


def get(store: Store, kind_key: str, record_id: int) -> Record:
    kind = record_kind(kind_key)
    with store.reading() as session:
        return to_record(kind, load(session, kind, record_id))


def list_records(store: Store, kind_key: str, parent_id: int | None = None) -> list[Record]:
    """The records of one jurisdiction (or award, for conditions), in a stable order."""
    kind = record_kind(kind_key)
    model = kind.model
    query = select(model)
    if kind.parent_field and parent_id is not None:
        query = query.where(getattr(model, kind.parent_field) == parent_id)
    query = query.order_by(ascii_lower(getattr(model, kind.title_field)), model.id)
    with store.reading() as session:
        return [to_record(kind, row) for row in session.scalars(query)]


def _check_version(kind: RecordKind, row: Entity, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise Conflict(
            f"This {kind.label.lower()} was changed by someone else since you opened it "
            f"(now version {row.version}, you had {expected_version}). "
            "Reload it to see their changes, then make yours again."
        )


def ensure_unlocked(session: Session, row: Entity) -> None:
    """Refuses changes to a response, or its answers, that is not a draft.

    In review it is read-only too: what the approver reads must be what they approve.
    """
    response = audit.response_of(row)
    if response is None or response.status == ResponseStatus.DRAFT.value:
        return
    if response.status == ResponseStatus.IN_REVIEW.value:
        raise Locked(
            "This response is in review and read-only, so the approver approves exactly what "
            "they read. The reviewer can send it back to draft (with a reason) to change it."
        )
    raise Locked(
        f"This response is {ResponseStatus.of(response.status).label.lower()} and read-only. "
        "Reopen it (with a reason) to change it."
    )


def update(
    store: Store,
    kind_key: str,
    record_id: int,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> Record:
    """Saves changed fields. expected_version is the version the user's form was loaded at."""
    kind = record_kind(kind_key)
    parsed = kind.validate(changes, partial=True)
    with store.transaction() as session:
        row = load(session, kind, record_id)
        _check_version(kind, row, expected_version)
        ensure_unlocked(session, row)
        merged = {spec.name: getattr(row, spec.name) for spec in kind.fields} | parsed
        kind.check_together(merged)
        _check_references(session, kind, parsed, _jurisdiction_id_of(row))
        title = str(merged[kind.title_field])
        for name, new in parsed.items():
            old = getattr(row, name)
            if old != new:
                setattr(row, name, new)
                audit.record(
                    session, store.actor, "update", row, label=title, field=name, old=old, new=new
                )
        session.flush()
        return to_record(kind, row)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _answers_in_locked_responses(session: Session, condition: Any) -> int:
    query = (
        select(models.Answer.id)
        .join(models.Response)
        .where(condition, models.Response.status.in_(LOCKED_STATUSES))
    )
    return _count(session, query)


def _phrase(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _dependents(session: Session, kind: RecordKind, row: Entity) -> tuple[list[str], int]:
    """What else goes (or changes) with this record, and how many locked answers it touches."""
    parts: list[tuple[int, str, str]] = []
    locked = 0
    if isinstance(row, models.Jurisdiction):
        for child in ("facility", "instrument", "evidence", "request", "award", "statistic"):
            child_kind = record_kind(child)
            parent_column = getattr(child_kind.model, "jurisdiction_id")  # noqa: B009  (not on Entity)
            n = _count(session, select(child_kind.model.id).where(parent_column == row.id))
            parts.append((n, child_kind.label.lower(), child_kind.plural.lower()))
        n = _count(
            session, select(models.Contact.id).where(models.Contact.jurisdiction_id == row.id)
        )
        parts.append((n, "contact", "contacts"))
        parts.append(
            (len(row.responses), "response with its answers", "responses with their answers")
        )
        locked = sum(1 for r in row.responses if r.status in LOCKED_STATUSES)
    elif isinstance(row, models.Facility):
        about = models.Answer.facility_id == row.id
        parts.append(
            (
                _count(session, select(models.Answer.id).where(about)),
                "answer about this facility",
                "answers about this facility",
            )
        )
        stats = select(models.DetainerStatistic.id).where(
            models.DetainerStatistic.facility_id == row.id
        )
        parts.append(
            (
                _count(session, stats),
                "detainer statistic (kept, without the facility)",
                "detainer statistics (kept, without the facility)",
            )
        )
        locked = _answers_in_locked_responses(session, about)
    elif isinstance(row, models.LegalInstrument | models.Evidence):
        relation = (
            models.Answer.instruments
            if isinstance(row, models.LegalInstrument)
            else models.Answer.evidence
        )
        citing = relation.any(id=row.id)
        parts.append(
            (
                _count(session, select(models.Answer.id).where(citing)),
                "answer citing it (the citation is removed)",
                "answers citing it (the citations are removed)",
            )
        )
        locked = _answers_in_locked_responses(session, citing)
    elif isinstance(row, models.GrantAward):
        parts.append((len(row.conditions), "grant condition", "grant conditions"))
    elif isinstance(row, models.FederalRequest):
        linked = select(models.Response.id).where(models.Response.request_id == row.id)
        parts.append(
            (
                _count(session, linked),
                "response linked to it (kept, without the link)",
                "responses linked to it (kept, without the link)",
            )
        )
    return [_phrase(n, one, many) for n, one, many in parts if n], locked


def dependents(store: Store, kind_key: str, record_id: int) -> list[str]:
    """Plain sentences for the delete confirmation, e.g. ["3 facilities", "2 responses ..."]."""
    kind = record_kind(kind_key)
    with store.reading() as session:
        return _dependents(session, kind, load(session, kind, record_id))[0]


def delete(
    store: Store, kind_key: str, record_id: int, expected_version: int | None = None
) -> None:
    kind = record_kind(kind_key)
    with store.transaction() as session:
        row = load(session, kind, record_id)
        _check_version(kind, row, expected_version)
        described, locked = _dependents(session, kind, row)
        if locked:
            raise Locked(
                f"This {kind.label.lower()} is part of {locked} approved or submitted "
                f"{'answer' if locked == 1 else 'answers'}. Reopen those responses first."
            )
        title = str(getattr(row, kind.title_field))
        audit.record(
            session, store.actor, "delete", row, label=title, old="; ".join(described) or None
        )
        session.delete(row)
