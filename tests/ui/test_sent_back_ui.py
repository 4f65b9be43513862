"""The preparer opening a response sent back to them sees who sent it back, when and why."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from app.reports.text import long_date
from app.services import responses
from app.services.store import Store
from tests.helpers import approved_response, make_jurisdiction, start_psp
from ui.questionnaire import ResponseEditor

REASON = "Cite <b>General Order 1-04</b> & the 2009 arrangement for the holding cells."


def open_editor(qtbot, store: Store, response_id: int) -> ResponseEditor:
    editor = ResponseEditor(store, response_id)
    qtbot.addWidget(editor)
    editor.resize(1024, 768)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def sent_back(store: Store, reason: str = REASON) -> int:
    response_id = start_psp(store, make_jurisdiction(store).id).summary.id
    responses.submit_for_review(store, response_id)
    preparer = store.actor
    store.actor = "Marcus Ortega"
    responses.return_to_draft(store, response_id, reason)
    store.actor = preparer
    return response_id


def test_the_reason_is_shown_at_the_top_until_dismissed(qtbot, store: Store) -> None:
    editor = open_editor(qtbot, store, sent_back(store))
    banner = editor.sent_back
    assert banner.isVisible()
    assert banner.heading.text() == f"Sent back by Marcus Ortega on {long_date(date.today())}:"
    # Exactly as typed: markup in a reason is text, not formatting.
    assert banner.reason.text() == REASON
    assert banner.reason.textFormat() == Qt.TextFormat.PlainText
    # Above the questions, where the preparer looks first.
    assert banner.geometry().bottom() < editor.splitter.geometry().top()

    qtbot.mouseClick(banner.dismiss_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    assert responses.get_response(store, editor.response_id).summary.status == "draft"


def test_gone_once_the_preparer_submits_it_again(qtbot, store: Store) -> None:
    editor = open_editor(qtbot, store, sent_back(store))
    assert editor.sent_back.isVisible()
    assert editor.submit_for_review()
    assert not editor.sent_back.isVisible()


def test_a_very_long_reason_is_shortened_with_a_pointer_to_the_history(qtbot, store: Store) -> None:
    editor = open_editor(qtbot, store, sent_back(store, "Please check. " * 500))
    shown = editor.sent_back.reason.text()
    assert len(shown) < 1100
    assert shown.endswith("… (the full reason is in the History)")


def test_no_banner_for_a_new_draft_or_a_reopened_response(qtbot, store: Store) -> None:
    fresh = start_psp(store, make_jurisdiction(store, name="City of Stockton", state="CA").id)
    assert not open_editor(qtbot, store, fresh.summary.id).sent_back.isVisible()

    reopened = approved_response(store)[3]
    responses.reopen(store, reopened, "The county changed its policy.")
    editor = open_editor(qtbot, store, reopened)
    assert not editor.sent_back.isVisible()
    assert not editor.banner.isVisible()
