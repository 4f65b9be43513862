"""The list of jurisdictions users pick from, with what is open for each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from app import models
from app.services.store import Store
from app.vocabulary import ResponseStatus


@dataclass(frozen=True)
class JurisdictionSummary:
    id: int
    uuid: str
    name: str
    kind: str
    state: str
    facilities: int
    responses: int
    open_responses: int  # not yet submitted


def overview(store: Store, search: str = "", state: str | None = None) -> list[JurisdictionSummary]:
    """Jurisdictions matching the search (name, police agency or state), by name.

    Counted in SQL with grouped subqueries so the navigator stays fast with thousands of rows.
    """
    j = models.Jurisdiction
    facility_counts = (
        select(models.Facility.jurisdiction_id, func.count().label("n"))
        .group_by(models.Facility.jurisdiction_id)
        .subquery()
    )
    response_counts = (
        select(
            models.Response.jurisdiction_id,
            func.count().label("n"),
            func.sum(
                case((models.Response.status != ResponseStatus.SUBMITTED.value, 1), else_=0)
            ).label("open"),
        )
        .group_by(models.Response.jurisdiction_id)
        .subquery()
    )
    query = (
        select(
            j.id,
            j.uuid,
            j.name,
            j.kind,
            j.state,
            func.coalesce(facility_counts.c.n, 0),
            func.coalesce(response_counts.c.n, 0),
            func.coalesce(response_counts.c.open, 0),
        )
        .outerjoin(facility_counts, facility_counts.c.jurisdiction_id == j.id)
        .outerjoin(response_counts, response_counts.c.jurisdiction_id == j.id)
        .order_by(func.lower(j.name), j.id)
    )
    text = search.strip()
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(j.name.ilike(pattern), j.police_agency.ilike(pattern), j.state == text.upper())
        )
    if state:
        query = query.where(j.state == state)
    with store.reading() as session:
        return [JurisdictionSummary(*row) for row in session.execute(query)]
