"""The list of jurisdictions users pick from, with what is open for each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, or_, select

from app import models
from app.services.collation import ascii_lower, ascii_lower_text, contains_ascii_nocase
from app.services.store import Store
from app.vocabulary import ResponseStatus

_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


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
        .order_by(ascii_lower(j.name), j.id)
    )
    query = _matching(query, search, state)
    with store.reading() as session:
        return [JurisdictionSummary(*row) for row in session.execute(query)]


def _matching(query: _Query, search: str, state: str | None) -> _Query:
    """The search of the list: name, police agency or state; and the state filter."""
    j = models.Jurisdiction
    text = search.strip()
    if text:
        query = query.where(
            or_(
                contains_ascii_nocase(j.name, text),
                contains_ascii_nocase(j.police_agency, text),
                j.state == text.upper(),
            )
        )
    if state:
        query = query.where(j.state == state)
    return query


def overview_row(
    store: Store, jurisdiction_id: int, search: str = "", state: str | None = None
) -> JurisdictionSummary | None:
    """One jurisdiction as overview() lists it, or None if it is gone or the search (or state)
    no longer finds it: what the list reads again after a change instead of every row.

    Counted with subqueries on this jurisdiction alone, so it costs the same with 10 rows
    or 10,000."""
    j, f, r = models.Jurisdiction, models.Facility, models.Response
    facilities = select(func.count()).where(f.jurisdiction_id == j.id).scalar_subquery()
    total = select(func.count()).where(r.jurisdiction_id == j.id).scalar_subquery()
    still_open = (
        select(func.count())
        .where(r.jurisdiction_id == j.id, r.status != ResponseStatus.SUBMITTED.value)
        .scalar_subquery()
    )
    query = _matching(
        select(j.id, j.uuid, j.name, j.kind, j.state, facilities, total, still_open).where(
            j.id == jurisdiction_id
        ),
        search,
        state,
    )
    with store.reading() as session:
        row = session.execute(query).first()
    return JurisdictionSummary(*row) if row is not None else None


def list_order(item: JurisdictionSummary) -> tuple[str, int]:
    """Where overview() puts a jurisdiction: its name with A-Z lowered, compared by code point
    (app.services.collation, on both stores), then id."""
    return ascii_lower_text(item.name), item.id
