"""The reason a reviewer sent a response back, as its preparer is shown it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.services import responses
from app.services.errors import NotFound
from app.services.review_notes import returned_reason
from app.services.store import Store
from tests.helpers import (
    approve_as_read,
    approved_response,
    complete_response,
    make_jurisdiction,
    start_psp,
)

pytestmark = pytest.mark.both_stores


def draft(store: Store) -> int:
    return start_psp(store, make_jurisdiction(store).id).summary.id


def test_a_send_back_is_shown_with_who_when_and_why(store: Store) -> None:
    response_id = draft(store)
    responses.submit_for_review(store, response_id)
    store.actor = "Marcus Ortega"
    before = datetime.now(UTC)
    responses.return_to_draft(store, response_id, "Cite General Order 1-04 for the holding cells.")

    note = returned_reason(store, response_id)
    assert note is not None
    assert note.sent_back_by == "Marcus Ortega"
    assert note.reason == "Cite General Order 1-04 for the holding cells."
    assert before - timedelta(seconds=1) <= note.sent_back_at <= datetime.now(UTC)


def test_nothing_for_a_draft_never_sent_back(store: Store) -> None:
    assert returned_reason(store, draft(store)) is None


def test_nothing_once_it_is_submitted_for_review_again(store: Store) -> None:
    response_id = draft(store)
    responses.submit_for_review(store, response_id)
    responses.return_to_draft(store, response_id, "Add the as-of date.")
    responses.submit_for_review(store, response_id)
    assert returned_reason(store, response_id) is None


def test_the_latest_send_back_wins(store: Store) -> None:
    response_id = draft(store)
    for reason in ("First round.", "Second round."):
        responses.submit_for_review(store, response_id)
        responses.return_to_draft(store, response_id, reason)
    note = returned_reason(store, response_id)
    assert note is not None
    assert note.reason == "Second round."


def test_a_reopened_response_shows_no_send_back(store: Store) -> None:
    """Reopening also records a reason and returns to draft, but nobody sent it back; an
    earlier send-back, answered since, is not shown either."""
    response_id = complete_response(store)[3]
    responses.submit_for_review(store, response_id)
    responses.return_to_draft(store, response_id, "Add the as-of dates.")
    responses.submit_for_review(store, response_id)
    approve_as_read(store, response_id, "Dana Whitfield", "City Attorney")
    responses.reopen(store, response_id, "The county changed its policy.")
    assert responses.get_response(store, response_id).summary.status == "draft"
    assert returned_reason(store, response_id) is None


def test_a_send_back_after_a_reopen_is_shown(store: Store) -> None:
    response_id = approved_response(store)[3]
    responses.reopen(store, response_id, "Typo in the narrative.")
    responses.submit_for_review(store, response_id)
    responses.return_to_draft(store, response_id, "Fix the typo in question 2 too.")
    note = returned_reason(store, response_id)
    assert note is not None
    assert note.reason == "Fix the typo in question 2 too."


def test_a_send_back_without_words_has_no_reason(store: Store) -> None:
    response_id = draft(store)
    responses.submit_for_review(store, response_id)
    responses.return_to_draft(store, response_id, "   ")
    note = returned_reason(store, response_id)
    assert note is not None
    assert note.reason is None


def test_unknown_response(store: Store) -> None:
    with pytest.raises(NotFound):
        returned_reason(store, 404)
