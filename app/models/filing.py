"""Documents as filed: the exact bytes of an exported letter, its SHA-256 and when it left."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Entity, UTCDateTime

if TYPE_CHECKING:
    from app.models.response import Response


class FiledDocument(Entity):
    """One export of an approved response, kept as the record of what the office sent.

    The bytes are kept (deferred, like evidence) so the as-filed copy survives later edits of
    the jurisdiction's records; the hash proves a copy found elsewhere is the one filed.
    """

    __tablename__ = "filed_document"
    label = "Filed document"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    # "letter" today; the column leaves room for other filed kinds (e.g. a workbook).
    kind: Mapped[str] = mapped_column(String(20))
    # Which file went out: "pdf", or "docx" when the office finished the letter in Word.
    format: Mapped[str] = mapped_column(String(10), default="pdf", server_default="pdf")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    # The audit trail's head when the letter was filed (its own filing entry): kept beside
    # the letter, and printable, so a trail rewritten afterwards no longer matches it. None for
    # letters filed before the trail was a chain.
    chain_head_sequence: Mapped[int | None] = mapped_column(Integer)
    chain_head_hash: Mapped[str | None] = mapped_column(String(64))

    response: Mapped[Response] = relationship()
