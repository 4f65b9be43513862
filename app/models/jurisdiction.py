"""A jurisdiction (city, county, ...) and the people and places it answers for."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Entity, Vocabulary
from app.vocabulary import (
    ContactRole,
    FacilityType,
    GovernmentLevel,
    InstrumentType,
    JurisdictionKind,
    OperatorType,
)

if TYPE_CHECKING:
    from app.models.evidence import Evidence
    from app.models.federal import FederalRequest, GrantAward
    from app.models.response import Response


class Jurisdiction(Entity):
    __tablename__ = "jurisdiction"
    label = "Jurisdiction"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(Vocabulary(JurisdictionKind))
    state: Mapped[str] = mapped_column(String(2))
    fips: Mapped[str | None] = mapped_column(String(10))
    population: Mapped[int | None] = mapped_column(Integer)
    police_agency: Mapped[str | None] = mapped_column(String(200))
    chief_name: Mapped[str | None] = mapped_column(String(200))
    chief_title: Mapped[str | None] = mapped_column(String(200))
    chief_executive: Mapped[str | None] = mapped_column(String(200))
    chief_executive_title: Mapped[str | None] = mapped_column(String(200))
    chief_legal_officer: Mapped[str | None] = mapped_column(String(200))
    chief_legal_officer_title: Mapped[str | None] = mapped_column(String(200))
    letterhead_address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    facilities: Mapped[list[Facility]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )
    instruments: Mapped[list[LegalInstrument]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )
    requests: Mapped[list[FederalRequest]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )
    awards: Mapped[list[GrantAward]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )
    statistics: Mapped[list[DetainerStatistic]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )
    responses: Mapped[list[Response]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", passive_deletes=True
    )


class Facility(Entity):
    """A detention facility in or serving the jurisdiction, and who really runs it."""

    __tablename__ = "facility"
    label = "Facility"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    facility_type: Mapped[str] = mapped_column(Vocabulary(FacilityType))
    address: Mapped[str | None] = mapped_column(Text)
    operator_type: Mapped[str] = mapped_column(Vocabulary(OperatorType))
    operator_name: Mapped[str] = mapped_column(String(200))
    sets_policy: Mapped[bool] = mapped_column(Boolean, default=False)
    control_basis: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(400))

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="facilities")


class LegalInstrument(Entity):
    """An ordinance, policy, agreement or decision an answer can cite."""

    __tablename__ = "legal_instrument"
    label = "Legal instrument"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    instrument_type: Mapped[str] = mapped_column(Vocabulary(InstrumentType))
    number: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(400))
    issuing_body: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(Vocabulary(GovernmentLevel))
    adopted_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    rescinded_on: Mapped[date | None] = mapped_column(Date)
    citation: Mapped[str | None] = mapped_column(String(400))
    url: Mapped[str | None] = mapped_column(String(1000))
    summary: Mapped[str | None] = mapped_column(Text)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="instruments")


class DetainerStatistic(Entity):
    """Counts of detainer and notification requests for a period, with where they came from."""

    __tablename__ = "detainer_statistic"
    label = "Detainer statistic"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facility.id", ondelete="SET NULL"), index=True
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    received: Mapped[int | None] = mapped_column(Integer)
    honored: Mapped[int | None] = mapped_column(Integer)
    declined: Mapped[int | None] = mapped_column(Integer)
    notifications: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(400))
    notes: Mapped[str | None] = mapped_column(Text)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="statistics")
    facility: Mapped[Facility | None] = relationship()


class Contact(Entity):
    __tablename__ = "contact"
    label = "Contact"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    organization: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(Vocabulary(ContactRole))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="contacts")
