"""Documents kept as evidence: the file itself lives in the database with its SHA-256."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Entity

if TYPE_CHECKING:
    from app.models.jurisdiction import Jurisdiction, LegalInstrument

# Office scanners produce large PDFs, but a single letter or policy rarely passes a few MB;
# the limit keeps one database file portable and backups quick.
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024


class Evidence(Entity):
    __tablename__ = "evidence"
    label = "Evidence"

    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction.id", ondelete="CASCADE"), index=True
    )
    instrument_id: Mapped[int | None] = mapped_column(
        ForeignKey("legal_instrument.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Deferred: lists of evidence must not pull every file into memory.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    description: Mapped[str | None] = mapped_column(Text)
    obtained_from: Mapped[str | None] = mapped_column(String(200))
    obtained_on: Mapped[date | None] = mapped_column(Date)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="evidence")
    instrument: Mapped[LegalInstrument | None] = relationship()
