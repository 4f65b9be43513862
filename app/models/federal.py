"""What the federal government sent or granted: requests, awards and their conditions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Entity, Vocabulary
from app.vocabulary import AwardStatus, ConditionStatus

if TYPE_CHECKING:
    from app.models.jurisdiction import Jurisdiction


class FederalRequest(Entity):
    """A letter or questionnaire received from a federal office, with its deadline."""

    __tablename__ = "federal_request"
    label = "Federal request"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    program: Mapped[str] = mapped_column(String(200))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    issuing_office: Mapped[str] = mapped_column(String(300))
    signer: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))
    letter_date: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    addressee: Mapped[str | None] = mapped_column(String(200))
    addressee_title: Mapped[str | None] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="requests")


class GrantAward(Entity):
    """A grant the jurisdiction applied for or received, and its 8 U.S.C. 1373 certification."""

    __tablename__ = "grant_award"
    label = "Grant award"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    program: Mapped[str] = mapped_column(String(200))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    application_number: Mapped[str | None] = mapped_column(String(100))
    award_number: Mapped[str | None] = mapped_column(String(100))
    # Whole dollars: award documents state them so, and SQLite has no exact decimal type.
    # Up to ten billion (app.services.fields): a server's INTEGER stops at 2,147,483,647,
    # so it is a BIGINT there; SQLite's INTEGER holds 64 bits already.
    amount: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    status: Mapped[str] = mapped_column(Vocabulary(AwardStatus))
    certified_by: Mapped[str | None] = mapped_column(String(200))
    certifier_title: Mapped[str | None] = mapped_column(String(200))
    certified_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="awards")
    conditions: Mapped[list[GrantCondition]] = relationship(
        back_populates="award", cascade="all, delete-orphan", passive_deletes=True
    )


class GrantCondition(Entity):
    """One condition of an award, and whether it binds this jurisdiction as of a date."""

    __tablename__ = "grant_condition"
    label = "Grant condition"

    award_id: Mapped[int] = mapped_column(
        ForeignKey("grant_award.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Vocabulary(ConditionStatus))
    status_as_of: Mapped[date | None] = mapped_column(Date)
    status_authority: Mapped[str | None] = mapped_column(String(400))

    award: Mapped[GrantAward] = relationship(back_populates="conditions")
