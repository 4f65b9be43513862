"""A questionnaire answered for one jurisdiction, its answers, and the workflow around it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Base, Entity, UTCDateTime, Vocabulary
from app.vocabulary import PolicyBasis, ResponseStatus

if TYPE_CHECKING:
    from app.models.evidence import Evidence
    from app.models.federal import FederalRequest
    from app.models.jurisdiction import Facility, Jurisdiction, LegalInstrument

answer_instrument = Table(
    "answer_instrument",
    Base.metadata,
    Column("answer_id", ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "instrument_id",
        ForeignKey("legal_instrument.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

answer_evidence = Table(
    "answer_evidence",
    Base.metadata,
    Column("answer_id", ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "evidence_id", ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Response(Entity):
    __tablename__ = "response"
    label = "Response"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("federal_request.id", ondelete="SET NULL"), index=True
    )
    # The definition is pinned: a later version of the questionnaire never changes this answer.
    questionnaire_key: Mapped[str] = mapped_column(String(100), index=True)
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Vocabulary(ResponseStatus), default=ResponseStatus.DRAFT)
    prepared_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approver_title: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_on: Mapped[date | None] = mapped_column(Date)
    submission_method: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    # What the letter prints, as it stood at approval (JSON, see app.services.approved_record);
    # None for drafts and for responses approved before Jurisdesk kept it. Deferred: lists of
    # responses never need it.
    approved_snapshot: Mapped[str | None] = deferred(mapped_column(Text))
    # What the office wrote into the letter over Jurisdesk's draft (JSON, see app.letter.edits):
    # the date, letterhead, signer, cc and any paragraph edited. None: the letter as drafted.
    letter_edits: Mapped[str | None] = deferred(mapped_column(Text))

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="responses")
    request: Mapped[FederalRequest | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Entity):
    """One answer: to a question, and to one facility where the question is about facilities."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "slot"),)
    label = "Answer"

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(100))
    facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facility.id", ondelete="CASCADE"), index=True
    )
    # question_key, plus "@<facility id>" for per-facility answers: one answer per slot.
    slot: Mapped[str] = mapped_column(String(140))
    # The answer's value as JSON (choice key, list of keys, text, ISO date or number).
    value: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(Vocabulary(PolicyBasis))
    narrative: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[date | None] = mapped_column(Date)
    information_source: Mapped[str | None] = mapped_column(String(400))

    response: Mapped[Response] = relationship(back_populates="answers")
    facility: Mapped[Facility | None] = relationship()
    instruments: Mapped[list[LegalInstrument]] = relationship(secondary=answer_instrument)
    evidence: Mapped[list[Evidence]] = relationship(secondary=answer_evidence)


class AuditEntry(Base):
    """One recorded change: who, when, which record and field, old and new value.

    Kept by UUID rather than foreign key so the trail outlives the records it describes.
    Every entry is a link of one hash chain over the whole trail (see app.services.audit):
    it carries the hash of the entry before it and the SHA-256 of its own content, so an
    entry edited, back-dated, removed or slipped in afterwards breaks the chain there.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    entity_kind: Mapped[str] = mapped_column(String(40))
    entity_uuid: Mapped[str] = mapped_column(String(36), index=True)
    entity_label: Mapped[str | None] = mapped_column(Text)
    jurisdiction_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    response_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    field: Mapped[str | None] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # The entry's place in the chain, 1, 2, 3… without gaps; assigned in the writing
    # transaction, which holds SQLite's write lock, so two writers never take the same number.
    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    # Set for history read from an exchange file: it was recorded in another database, so its
    # actor and time are that database's word, not this one's.
    imported_from: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
