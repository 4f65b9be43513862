"""Why a reviewer sent a response back, read from the audit trail for its preparer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import models
from app.services.errors import NotFound
from app.services.store import Store
from app.vocabulary import ResponseStatus


@dataclass(frozen=True)
class ReturnNote:
    """Who sent the response back to draft, when, and the reason they gave (None if none)."""

    sent_back_by: str
    sent_back_at: datetime
    reason: str | None


def returned_reason(store: Store, response_id: int) -> ReturnNote | None:
    """The latest send-back of a response that is still a draft because of it, else None.

    return_to_draft records the reason as the label of the status entry in_review → draft.
    A draft reached any other way (reopened after approval, which also records a reason, or
    never yet submitted) has nothing to show, nor has a response that has moved on since.
    """
    with store.reading() as session:
        response = session.get(models.Response, response_id)
        if response is None:
            raise NotFound(f"There is no response with id {response_id}.")
        if response.status != ResponseStatus.DRAFT.value:
            return None
        entry = models.AuditEntry
        last = session.scalars(
            select(entry)
            .where(
                entry.entity_uuid == response.uuid,
                entry.action == "status",
                entry.field == "status",
                # A send-back recorded in another database is that office's, not ours.
                entry.imported_at.is_(None),
            )
            .order_by(entry.sequence.desc())
            .limit(1)
        ).one_or_none()
    if (
        last is None
        or last.old_value != ResponseStatus.IN_REVIEW.value
        or last.new_value != ResponseStatus.DRAFT.value
    ):
        return None
    return ReturnNote(sent_back_by=last.actor, sent_back_at=last.at, reason=last.entity_label)
