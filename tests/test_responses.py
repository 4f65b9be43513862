"""Answering a questionnaire: pinning, pre-filling, validation, conflicts, completeness, and the
draft → in review → approved → submitted workflow with its locks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from app import questionnaires
from app.services import approved_record, audit, evidence, records, responses, staff
from app.services.errors import (
    Conflict,
    InvalidInput,
    Locked,
    NotFound,
    UserError,
    WorkflowError,
)
from app.services.records import Record
from app.services.responses import NO_ANSWER_YET, AnswerInput
from app.services.store import Store
from tests.helpers import (
    FACILITY_QUESTIONS,
    PSP,
    answer_all_required,
    approve_as_read,
    approved_response,
    complete_response,
    make_facility,
    make_instrument,
    make_jurisdiction,
    staff_member,
    start_psp,
    valid_values,
)
from tests.stores import Location, built_result, fresh_store, raw_execute, raw_one, table_counts

pytestmark = pytest.mark.both_stores


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    yield from fresh_store(db_location)


Built = tuple[Store, tuple[Record, Record, Record, int]]


@pytest.fixture
def complete(db_location: Location) -> Iterator[Built]:
    """A fully answered draft: (store, (jurisdiction, county jail, city facility, response))."""
    for store in fresh_store(db_location, built=("complete", complete_response)):
        yield store, built_result(db_location, "complete")


@pytest.fixture
def approved(db_location: Location) -> Iterator[Built]:
    for store in fresh_store(db_location, built=("approved", approved_response)):
        yield store, built_result(db_location, "approved")


def _snapshot(store: Store) -> dict[str, int]:
    return table_counts(store)


# ----------------------------------------------------------------------------- starting


def test_start_pins_questionnaire_key_and_version(store: Store) -> None:
    j = make_jurisdiction(store)
    latest = questionnaires.latest(PSP)
    detail = start_psp(store, j.id)
    summary = detail.summary
    assert (summary.questionnaire_key, summary.questionnaire_version) == (PSP, latest.version)
    assert summary.status == "draft"
    assert summary.prepared_by == "Test Clerk"
    stored = (
        raw_one(store, "SELECT questionnaire_key FROM response WHERE id = ?", (summary.id,)),
        raw_one(store, "SELECT questionnaire_version FROM response WHERE id = ?", (summary.id,)),
    )
    assert stored == (PSP, latest.version)
    pinned = responses.start_response(store, j.id, PSP, version=latest.version)
    assert pinned.summary.questionnaire_version == latest.version


def test_start_refuses_unknown_questionnaire_jurisdiction_or_request(store: Store) -> None:
    j = make_jurisdiction(store)
    other = make_jurisdiction(store, name="Baltimore City", state="MD")
    their_request = records.create(store, "request", valid_values("request"), parent_id=other.id)
    before = _snapshot(store)
    with pytest.raises(NotFound):
        responses.start_response(store, j.id, "no-such-questionnaire")
    with pytest.raises(NotFound):
        responses.start_response(store, j.id, PSP, version=999)
    with pytest.raises(NotFound, match="no jurisdiction with id 999"):
        responses.start_response(store, 999, PSP)
    with pytest.raises(InvalidInput, match="Request"):
        responses.start_response(store, j.id, PSP, request_id=their_request.id)
    assert _snapshot(store) == before


def test_start_prefills_outside_control_only_for_facilities_we_do_not_control(
    store: Store,
) -> None:
    j = make_jurisdiction(store)
    county = make_facility(store, j.id)
    state = make_facility(
        store,
        j.id,
        name="Central Booking and Intake Center",
        operator_type="state",
        operator_name="State of Maryland",
    )
    city = make_facility(store, j.id, controlled=True)
    detail = start_psp(store, j.id)

    prefilled = {(a.question_key, a.facility_id) for a in detail.answers}
    assert prefilled == {(q, f.id) for q in FACILITY_QUESTIONS for f in (county, state)}
    for q in FACILITY_QUESTIONS:
        assert detail.answer(q, city.id) is None
        county_answer = detail.answer(q, county.id)
        assert county_answer is not None
        assert county_answer.value == "outside_control"
        assert county_answer.result == "outside_control"
        assert county_answer.narrative is not None
        assert "Bernalillo County" in county_answer.narrative
        assert "State of Maryland" in detail.answer(q, state.id).narrative
    missing = detail.summary.completeness.missing
    assert {(m.question_key, m.facility_key) for m in missing} == {
        (q, str(city.id)) for q in FACILITY_QUESTIONS
    }
    trail = audit.history(store, response_uuid=detail.summary.uuid)
    assert sum(e.action == "prefill" for e in trail) == 6


def test_prefill_later_covers_new_facilities_without_overwriting(store: Store) -> None:
    j = make_jurisdiction(store)
    county = make_facility(store, j.id)
    detail = start_psp(store, j.id)
    rid = detail.summary.id
    version = detail.answer("access", county.id).version
    responses.save_answer(
        store, rid, "access", county.id, AnswerInput(value="partial"), expected_version=version
    )
    federal = make_facility(
        store, j.id, name="Federal holding", operator_type="federal", operator_name="US Marshals"
    )
    assert responses.prefill_outside_control(store, rid) == 3
    assert responses.prefill_outside_control(store, rid) == 0
    after = responses.get_response(store, rid)
    assert after.answer("access", county.id).value == "partial"
    assert after.answer("hold", federal.id).value == "outside_control"


# ----------------------------------------------------------------------------- answering


@pytest.fixture
def draft(store: Store) -> dict[str, int]:
    j = make_jurisdiction(store)
    city = make_facility(store, j.id, controlled=True)
    other = make_jurisdiction(store, name="Stockton", state="CA")
    return {
        "j": j.id,
        "city": city.id,
        "response": start_psp(store, j.id).summary.id,
        "their_facility": make_facility(store, other.id).id,
        "their_instrument": make_instrument(store, other.id).id,
        "their_evidence": evidence.attach_bytes(store, other.id, "x.txt", b"x").id,
        "our_instrument": make_instrument(store, j.id).id,
    }


def test_save_answer_stores_everything_and_reads_back(store: Store, draft: dict[str, int]) -> None:
    doc = evidence.attach_bytes(store, draft["j"], "mou.pdf", b"%PDF")
    saved = responses.save_answer(
        store,
        draft["response"],
        "access",
        draft["city"],
        AnswerInput(
            value="partial",
            basis="written",
            narrative="Only with a judicial warrant.",
            conditions="Judicial warrant",
            as_of="2017-08-15",
            information_source="General Order 1-04",
            instrument_ids=[draft["our_instrument"]],
            evidence_ids=[doc.id],
        ),
        expected_version=NO_ANSWER_YET,
    )
    assert saved.version == 1
    answer = responses.get_response(store, draft["response"]).answer("access", draft["city"])
    assert answer == saved
    assert answer.result == "partial"
    assert answer.as_of == date(2017, 8, 15)
    assert answer.instrument_ids == (draft["our_instrument"],)
    assert answer.evidence_ids == (doc.id,)
    visible = [q.key for q in responses.get_response(store, draft["response"]).visible_questions()]
    assert "access_conditions" in visible, "question 1a shows after a partial answer"


BAD_ANSWERS = {
    "unknown choice": ("access", "city", AnswerInput(value="maybe"), "Question 1", "not one of"),
    "facility of another jurisdiction": (
        "access",
        "their_facility",
        AnswerInput(value="yes"),
        "Facility",
        "choose one of the facilities",
    ),
    "no facility for a facility question": (
        "access",
        None,
        AnswerInput(value="yes"),
        "Facility",
        "choose one of the facilities",
    ),
    "facility for a jurisdiction question": (
        "statement",
        "city",
        AnswerInput(value="text"),
        "Facility",
        "not asked per facility",
    ),
    "bad as_of": ("access", "city", AnswerInput(value="yes", as_of="18/08/2017"), "As of", "date"),
    "impossible as_of": (
        "access",
        "city",
        AnswerInput(value="yes", as_of="2017-02-30"),
        "As of",
        "not a date",
    ),
    "their instrument": (
        "access",
        "city",
        AnswerInput(value="yes", instrument_ids=["their_instrument"]),
        "Cited instruments",
        "this jurisdiction",
    ),
    "their evidence": (
        "access",
        "city",
        AnswerInput(value="yes", evidence_ids=["their_evidence"]),
        "Evidence",
        "this jurisdiction",
    ),
    "unknown basis": (
        "access",
        "city",
        AnswerInput(value="yes", basis="vibes"),
        "Written policy or practice",
        "pick one",
    ),
    "source too long": (
        "access",
        "city",
        AnswerInput(value="yes", information_source="s" * 401),
        "Information source",
        "the limit is 400",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_invalid_answer_is_refused_and_nothing_written(
    store: Store, draft: dict[str, int], case: str
) -> None:
    question, facility, entry, label, fragment = BAD_ANSWERS[case]
    entry = AnswerInput(
        **(
            entry.__dict__
            | {
                "instrument_ids": [draft[i] for i in entry.instrument_ids],
                "evidence_ids": [draft[i] for i in entry.evidence_ids],
            }
        )
    )
    before = _snapshot(store)
    with pytest.raises(InvalidInput) as info:
        responses.save_answer(
            store, draft["response"], question, draft[facility] if facility else None, entry
        )
    messages = {p.label: p.message for p in info.value.problems}
    assert label in messages, messages
    assert fragment in messages[label]
    assert _snapshot(store) == before


def test_several_answer_problems_are_listed_together(store: Store, draft: dict[str, int]) -> None:
    with pytest.raises(InvalidInput) as info:
        responses.save_answer(
            store,
            draft["response"],
            "access",
            draft["their_facility"],
            AnswerInput(value="maybe", as_of="soon", basis="vibes"),
        )
    assert {p.field for p in info.value.problems} == {"facility_id", "value", "as_of", "basis"}


def test_unknown_question_or_response(store: Store, draft: dict[str, int]) -> None:
    with pytest.raises(NotFound, match="no question 'q99'"):
        responses.save_answer(store, draft["response"], "q99", None, AnswerInput(value="x"))
    with pytest.raises(NotFound, match="no response with id 999"):
        responses.save_answer(store, 999, "statement", None, AnswerInput(value="x"))


def test_two_windows_answering_the_same_empty_question_conflict(
    store: Store, draft: dict[str, int]
) -> None:
    rid, city = draft["response"], draft["city"]
    first = responses.save_answer(
        store, rid, "access", city, AnswerInput(value="yes"), expected_version=NO_ANSWER_YET
    )
    before = _snapshot(store)
    with pytest.raises(Conflict, match="Question 1 was changed by someone else"):
        responses.save_answer(
            store, rid, "access", city, AnswerInput(value="no"), expected_version=NO_ANSWER_YET
        )
    assert _snapshot(store) == before
    assert responses.get_response(store, rid).answer("access", city).value == "yes"
    second = responses.save_answer(
        store, rid, "access", city, AnswerInput(value="no"), expected_version=first.version
    )
    assert second.version == first.version + 1
    with pytest.raises(Conflict):
        responses.save_answer(
            store, rid, "access", city, AnswerInput(value="yes"), expected_version=first.version
        )


def test_saving_an_answer_records_old_and_new_values(store: Store, draft: dict[str, int]) -> None:
    rid, city = draft["response"], draft["city"]
    responses.save_answer(store, rid, "access", city, AnswerInput(value="yes", narrative="A"))
    responses.save_answer(store, rid, "access", city, AnswerInput(value="no", narrative="A"))
    entries = [e for e in audit.history(store, response_uuid=_uuid(store, rid)) if e.field]
    latest = entries[0]
    assert (latest.action, latest.field, latest.old_value, latest.new_value) == (
        "update",
        "value",
        "Yes — a statute, rule, policy or practice ensures access",
        "No",
    )
    assert not [e for e in entries if e.action == "update" and e.field == "narrative"]


def _uuid(store: Store, response_id: int) -> str:
    return responses.get_response(store, response_id).summary.uuid


def test_clear_answer_removes_it(store: Store, draft: dict[str, int]) -> None:
    rid, city = draft["response"], draft["city"]
    responses.save_answer(store, rid, "access", city, AnswerInput(value="yes"))
    responses.clear_answer(store, rid, "access", city)
    detail = responses.get_response(store, rid)
    assert detail.answer("access", city) is None
    assert ("access", "1", str(city)) in [
        (m.question_key, m.number, m.facility_key) for m in detail.summary.completeness.missing
    ]
    assert audit.history(store, response_uuid=detail.summary.uuid)[0].action == "clear"


# ----------------------------------------------------------------------------- completeness


def test_completeness_counts_required_slots(store: Store) -> None:
    j = make_jurisdiction(store)
    county = make_facility(store, j.id)
    city = make_facility(store, j.id, controlled=True)
    rid = start_psp(store, j.id).summary.id
    done = responses.get_response(store, rid).summary.completeness
    assert (done.answered, done.required, done.percent) == (3, 6, 50)
    assert [m.number for m in done.missing] == ["1", "2", "3"]
    answer_all_required(store, rid, [city.id])
    done = responses.get_response(store, rid).summary.completeness
    assert (done.answered, done.required, done.percent, done.missing) == (6, 6, 100, ())
    listed = responses.list_responses(store, j.id)
    assert [s.completeness.percent for s in listed] == [100]
    assert county.id != city.id


def test_jurisdiction_without_facilities_answers_once(store: Store) -> None:
    j = make_jurisdiction(store, name="Town without a jail", kind="town")
    rid = start_psp(store, j.id).summary.id
    assert responses.get_response(store, rid).summary.completeness.required == 3
    for key in FACILITY_QUESTIONS:
        responses.save_answer(store, rid, key, None, AnswerInput(value="not_applicable"))
    assert responses.get_response(store, rid).summary.completeness.percent == 100


# ----------------------------------------------------------------------------- workflow


def test_full_workflow_records_who_and_when(complete: Built) -> None:
    store, (_j, _county, _city, rid) = complete
    s = responses.submit_for_review(store, rid, expected_version=1)
    assert (s.status, s.version) == ("in_review", 2)
    s = responses.return_to_draft(store, rid, "fix the narrative", expected_version=2)
    assert s.status == "draft"
    s = responses.submit_for_review(store, rid, expected_version=s.version)
    s = approve_as_read(store, rid, " Timothy M. Keller ", "Mayor", reviewed_by="Esteban Aguilar")
    assert (s.status, s.approved_by, s.approver_title, s.reviewed_by) == (
        "approved",
        "Timothy M. Keller",
        "Mayor",
        "Esteban Aguilar",
    )
    assert s.approved_at is not None
    assert s.locked
    s = responses.mark_submitted(store, rid, "2017-08-18", "e-mail to OJP")
    assert (s.status, s.submitted_on, s.submission_method) == (
        "submitted",
        date(2017, 8, 18),
        "e-mail to OJP",
    )
    statuses = [
        (e.old_value, e.new_value)
        for e in reversed(audit.history(store, response_uuid=s.uuid))
        if e.field == "status"
    ]
    assert statuses == [
        ("draft", "in_review"),
        ("in_review", "draft"),
        ("draft", "in_review"),
        ("in_review", "approved"),
        ("approved", "submitted"),
    ]


def test_approve_refused_from_draft(complete: Built) -> None:
    store, (*_, rid) = complete
    with pytest.raises(WorkflowError, match="draft cannot be approved"):
        approve_as_read(store, rid, "Mayor Keller", "Mayor")
    assert responses.get_response(store, rid).summary.status == "draft"


def test_approve_refused_while_required_answers_are_missing(complete: Built) -> None:
    store, (j, *_, rid) = complete
    staff_member(store, "Mayor Keller", "Mayor")
    responses.submit_for_review(store, rid)
    # A facility recorded while the response is in review has no answers yet.
    make_facility(store, j.id, controlled=True, name="Annex")
    before = _snapshot(store)
    with pytest.raises(
        WorkflowError, match=r"3 required answers are missing \(first: question 1\)"
    ):
        approve_as_read(store, rid, "Mayor Keller", "Mayor")
    assert _snapshot(store) == before
    assert responses.get_response(store, rid).summary.status == "in_review"


def test_the_approver_comes_from_the_staff_list_with_the_right_to_approve(
    complete: Built,
) -> None:
    store, (*_, rid) = complete
    responses.submit_for_review(store, rid)
    seen = responses.get_response(store, rid).review_state
    clerk = staff_member(store, "Pat Clerk", "Paralegal", approves=False, reviews=False)
    gone = staff_member(store, "Former Attorney", "City Attorney")
    staff.deactivate(store, gone)
    for approver, wrong in ((clerk, "may not approve"), (gone, "staff list"), (9999, "staff")):
        with pytest.raises(InvalidInput, match=wrong) as info:
            responses.approve(store, rid, approver, seen_state=seen)
        assert [p.label for p in info.value.problems] == ["Approver"]
    with pytest.raises(InvalidInput, match="may not review"):
        responses.approve(
            store, rid, staff_member(store, "Ana Attorney", "City Attorney"),
            seen_state=seen, reviewer_id=clerk,
        )  # fmt: skip
    assert responses.get_response(store, rid).summary.status == "in_review"
    # Name and title come from the staff list.
    summary = responses.approve(
        store, rid, staff_member(store, "Ana Attorney", "City Attorney"), seen_state=seen
    )
    assert (summary.approved_by, summary.approver_title) == ("Ana Attorney", "City Attorney")


def test_the_preparer_cannot_approve_unless_the_office_allows_it(complete: Built) -> None:
    store, (*_, rid) = complete
    preparer = responses.get_response(store, rid).summary.prepared_by
    assert preparer
    responses.submit_for_review(store, rid)
    seen = responses.get_response(store, rid).review_state
    same = staff_member(store, preparer.upper(), "Deputy City Attorney")
    with pytest.raises(InvalidInput, match="prepared this response"):
        responses.approve(store, rid, same, seen_state=seen)
    staff.set_approver_must_differ(store, False)
    summary = responses.approve(store, rid, same, seen_state=seen)
    assert summary.status == "approved"


def test_other_transitions_from_the_wrong_status_are_refused(complete: Built) -> None:
    store, (*_, rid) = complete
    with pytest.raises(WorkflowError):
        responses.return_to_draft(store, rid, "why")
    with pytest.raises(WorkflowError, match="approve it first"):
        responses.mark_submitted(store, rid, "2017-08-18", "mail")
    with pytest.raises(WorkflowError, match="cannot be reopened"):
        responses.reopen(store, rid, "why")
    responses.submit_for_review(store, rid)
    with pytest.raises(WorkflowError, match="in review cannot be sent for review"):
        responses.submit_for_review(store, rid)


def test_mark_submitted_refuses_future_dates_and_empty_method(approved: Built) -> None:
    store, (*_, rid) = approved
    tomorrow = date.today() + timedelta(days=1)
    before = _snapshot(store)
    with pytest.raises(InvalidInput) as info:
        responses.mark_submitted(store, rid, tomorrow, "  ")
    assert {p.label: p.message for p in info.value.problems} == {
        "Submitted on": "cannot be in the future.",
        "Method": "say how it was sent (e-mail, mail…).",
    }
    with pytest.raises(InvalidInput, match="Submitted on: “next week” is not a date"):
        responses.mark_submitted(store, rid, "next week", "mail")
    # As long as the database holds, on a file as on a server (which refuses more).
    with pytest.raises(InvalidInput, match="Method: is 201 characters long; the limit is 200"):
        responses.mark_submitted(store, rid, "2017-08-18", " " + "m" * 201 + " ")
    assert _snapshot(store) == before
    longest = "m" * 200
    assert responses.mark_submitted(store, rid, date.today(), longest).status == "submitted"
    assert responses.get_response(store, rid).summary.submission_method == longest


LOCKED_CALLS = {
    "save_answer": lambda s, rid, f: responses.save_answer(
        s, rid, "access", f, AnswerInput(value="yes")
    ),
    "clear_answer": lambda s, rid, f: responses.clear_answer(s, rid, "access", f),
    "update_details": lambda s, rid, f: responses.update_details(s, rid, notes="changed"),
    "delete_response": lambda s, rid, f: responses.delete_response(s, rid),
    "prefill": lambda s, rid, f: responses.prefill_outside_control(s, rid),
}


@pytest.mark.parametrize("status", ["approved", "submitted"])
@pytest.mark.parametrize("call", list(LOCKED_CALLS))
def test_locked_response_refuses_changes_until_reopened(
    approved: Built, status: str, call: str
) -> None:
    store, (_j, _county, city, rid) = approved
    if status == "submitted":
        responses.mark_submitted(store, rid, "2017-08-18", "e-mail")
    before = _snapshot(store)
    with pytest.raises(Locked, match=f"{status} and read-only"):
        LOCKED_CALLS[call](store, rid, city.id)
    assert _snapshot(store) == before

    with pytest.raises(InvalidInput, match="Reason"):
        responses.reopen(store, rid, "   ")
    assert responses.get_response(store, rid).summary.status == status
    reopened = responses.reopen(store, rid, "DOJ asked for a correction")
    assert reopened.status == "draft"
    LOCKED_CALLS[call](store, rid, city.id)  # allowed now


def test_reopen_reason_is_in_the_audit_trail(approved: Built) -> None:
    store, (*_, rid) = approved
    summary = responses.reopen(store, rid, "  DOJ asked for a correction ")
    trail = audit.history(store, response_uuid=summary.uuid)
    reopen = next(e for e in trail if e.action == "reopen")
    assert (reopen.field, reopen.new_value, reopen.actor) == (
        "reason",
        "DOJ asked for a correction",
        "Test Clerk",
    )
    status = next(e for e in trail if e.field == "status")
    assert (status.old_value, status.new_value, status.entity_label) == (
        "approved",
        "draft",
        "DOJ asked for a correction",
    )


TRANSITIONS = {  # name: the status it starts from
    "submit_for_review": "draft",
    "return_to_draft": "in_review",
    "approve": "in_review",
    "mark_submitted": "approved",
    "reopen": "approved",
    "update_details": "draft",
    "delete_response": "draft",
}


def _transition(name: str, store: Store, rid: int, version: int) -> object:
    if name == "submit_for_review":
        return responses.submit_for_review(store, rid, expected_version=version)
    if name == "return_to_draft":
        return responses.return_to_draft(store, rid, "r", expected_version=version)
    if name == "approve":
        return approve_as_read(store, rid, "A", "B", expected_version=version)
    if name == "mark_submitted":
        return responses.mark_submitted(store, rid, "2017-08-18", "mail", expected_version=version)
    if name == "reopen":
        return responses.reopen(store, rid, "why", expected_version=version)
    if name == "update_details":
        return responses.update_details(store, rid, notes="n", expected_version=version)
    return responses.delete_response(store, rid, expected_version=version)


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_stale_version_on_transitions_is_a_conflict(complete: Built, name: str) -> None:
    start = TRANSITIONS[name]
    store, (*_, rid) = complete
    staff_member(store, "A", "B")  # on the staff list before the snapshot
    if start == "draft":  # someone else edits the draft meanwhile
        prepared_by = responses.get_response(store, rid).summary.prepared_by
        responses.update_details(store, rid, notes="someone else", prepared_by=prepared_by)
    else:
        responses.submit_for_review(store, rid)
    if start == "approved":
        approve_as_read(store, rid, "Mayor Keller", "Mayor")
    current = responses.get_response(store, rid).summary
    before = _snapshot(store)
    with pytest.raises(Conflict, match="changed by someone else"):
        _transition(name, store, rid, current.version - 1)
    assert _snapshot(store) == before
    assert responses.get_response(store, rid).summary.status == start
    _transition(name, store, rid, current.version)  # the current version is accepted


def test_delete_draft_response_removes_its_answers(complete: Built) -> None:
    store, (*_, rid) = complete
    responses.delete_response(store, rid)
    assert table_counts(store)["answer"] == 0
    with pytest.raises(NotFound):
        responses.get_response(store, rid)


def test_update_details_changes_only_what_is_given(store: Store) -> None:
    j = make_jurisdiction(store)
    request = records.create(store, "request", valid_values("request"), parent_id=j.id)
    rid = responses.start_response(store, j.id, PSP, request_id=request.id).summary.id
    summary = responses.update_details(store, rid, notes="Call the county first.")
    assert summary.notes == "Call the county first."
    assert summary.prepared_by == "Test Clerk"
    assert summary.request_id == request.id


# ----------------------------------------------------------------------------- approved record


def _kept_text(store: Store, rid: int) -> str | None:
    kept = raw_one(store, "SELECT approved_snapshot FROM response WHERE id = ?", (rid,))
    return None if kept is None else str(kept)


def _set_kept_text(store: Store, rid: int, text: str | None) -> None:
    raw_execute(store, ("UPDATE response SET approved_snapshot = ? WHERE id = ?", (text, rid)))


def test_approval_keeps_what_the_letter_prints(store: Store) -> None:
    j = make_jurisdiction(store, letterhead_address="One Civic Plaza NW",
                          chief_legal_officer="Esteban Aguilar",
                          chief_legal_officer_title="City Attorney")  # fmt: skip
    county = make_facility(store, j.id, control_basis="County jail under state law.")
    city = make_facility(store, j.id, controlled=True)
    mou = make_instrument(store, j.id, number="M-1", citation="Code § 1", rescinded_on="2013-06-30")
    make_instrument(store, j.id, title="Uncited policy")
    scan = evidence.attach_bytes(store, j.id, "mou.pdf", b"%PDF-1.4 scan\n")
    request = records.create(
        store, "request", valid_values("request") | {"signer": "Alan R. Hanson"}, parent_id=j.id
    )
    rid = responses.start_response(store, j.id, PSP, request_id=request.id).summary.id
    answer_all_required(store, rid, [city.id])
    responses.save_answer(store, rid, "access", city.id, AnswerInput(
        value="no", narrative="Never.", as_of="2017-08-15", instrument_ids=[mou.id],
        evidence_ids=[scan.id]))  # fmt: skip
    responses.submit_for_review(store, rid)
    summary = approve_as_read(store, rid, "Timothy M. Keller", "Mayor")

    text = _kept_text(store, rid)
    assert text is not None
    kept = approved_record.parse(text)
    assert kept.format_version == approved_record.FORMAT_VERSION == 2
    assert (kept.response_uuid, kept.questionnaire_key) == (summary.uuid, PSP)
    assert kept.approval.approved_by == "Timothy M. Keller"
    assert kept.approval.approved_at == summary.approved_at
    assert summary.approved_at is not None
    assert kept.approval.approved_on == summary.approved_at.astimezone().date()
    assert kept.jurisdiction["letterhead_address"] == "One Civic Plaza NW"
    assert kept.jurisdiction["chief_legal_officer_title"] == "City Attorney"
    assert [(f.id, f["name"], f["operator_name"], f["sets_policy"]) for f in kept.facilities] == [
        (county.id, "Metropolitan Detention Center", "Bernalillo County", False),
        (city.id, "Prisoner Transport Center", "City of Albuquerque", True),
    ]
    assert kept.facilities[0]["control_basis"] == "County jail under state law."
    # Only what the answers cite, with its dates read back as dates.
    assert [(i.id, i["number"], i["citation"]) for i in kept.instruments] == [
        (mou.id, "M-1", "Code § 1")
    ]
    assert kept.instruments[0]["rescinded_on"] == date(2013, 6, 30)
    assert [(e["filename"], e["size"], e["sha256"]) for e in kept.evidence] == [
        ("mou.pdf", scan["size"], scan["sha256"])
    ]
    assert "content" not in kept.evidence[0].values  # the file's facts, not its bytes
    assert kept.request is not None
    assert (kept.request.id, kept.request["signer"]) == (request.id, "Alan R. Hanson")
    assert kept.request["due_on"] == date(2017, 8, 18)
    access = next(
        a for a in kept.answers if a.question_key == "access" and a.facility_id == city.id
    )
    assert (access.value, access.narrative, access.as_of) == ('"no"', "Never.", date(2017, 8, 15))
    assert (access.instrument_ids, access.evidence_ids) == ((mou.id,), (scan.id,))
    detail = responses.get_response(store, rid)
    assert {(a.uuid, a.question_key, a.facility_id) for a in kept.answers} == {
        (a.uuid, a.question_key, a.facility_id) for a in detail.answers
    }
    # The trail names the record by its SHA-256, not its whole text.
    entry = next(
        e for e in audit.history(store, response_uuid=summary.uuid)
        if e.field == "approved_snapshot"
    )  # fmt: skip
    assert (entry.action, entry.old_value) == ("approve", None)
    assert entry.new_value == approved_record.digest(text)
    assert entry.new_value == hashlib.sha256(text.encode()).hexdigest()


def test_as_approved_ignores_edits_made_after_approval(approved: Built) -> None:
    store, (j, county, _city, rid) = approved
    records.update(store, "facility", county.id, {"name": "Renamed Jail"}, county.version)
    records.update(store, "jurisdiction", j.id, {"name": "Renamed City"}, j.version)
    make_facility(store, j.id, controlled=True, name="Annex")  # unanswered, added later

    kept = responses.as_approved(store, rid)
    assert kept is not None
    # What the response's screen reads is the approved record too, never the live records.
    shown = responses.get_response(store, rid)
    for detail in (kept.detail, shown):
        assert [f.name for f in detail.facilities] == [
            "Metropolitan Detention Center",
            "Prisoner Transport Center",
        ]
        assert detail.summary.jurisdiction_name == "City of Albuquerque"
        assert detail.summary.completeness.percent == 100
        assert detail.summary.approved_by == "Timothy M. Keller"
    assert shown.approved == kept.record
    assert shown.answers == kept.detail.answers


def test_the_list_shows_an_approved_response_as_approved(approved: Built) -> None:
    store, (j, _county, city, rid) = approved
    records.update(store, "jurisdiction", j.id, {"name": "Renamed City"}, j.version)
    records.update(store, "facility", city.id, {"sets_policy": False}, city.version)
    make_facility(store, j.id, controlled=True, name="Annex")  # unanswered, added later
    draft = start_psp(store, j.id).summary.id

    for _ in range(2):  # the second time from what the first read of the record kept
        listed = {s.id: s for s in responses.list_responses(store)}
        assert listed == {s.id: s for s in responses.list_responses(store, j.id)}
        # As its screen shows it: the approved record's jurisdiction name and completeness.
        assert listed[rid] == responses.get_response(store, rid).summary
        assert listed[rid].jurisdiction_name == "City of Albuquerque"
        assert listed[rid].completeness.percent == 100
        assert listed[draft].jurisdiction_name == "Renamed City"
        assert len(listed[draft].completeness.missing) == len(FACILITY_QUESTIONS)

    # Reopened, it is a draft again and lists the records as they are now.
    responses.reopen(store, rid, "The annex must be answered for")
    reopened = responses.list_responses(store, j.id)[0]
    assert (reopened.id, reopened.jurisdiction_name) == (rid, "Renamed City")
    assert len(reopened.completeness.missing) == len(FACILITY_QUESTIONS)


def test_the_list_of_a_damaged_approved_record_shows_the_current_records(
    approved: Built,
) -> None:
    store, (*_, rid) = approved
    _set_kept_text(store, rid, "not JSON at all")
    (listed,) = responses.list_responses(store)
    # The dashboard still opens; opening the response says what is wrong.
    assert (listed.id, listed.completeness.percent) == (rid, 100)
    with pytest.raises(UserError, match="damaged"):
        responses.get_response(store, rid)


def test_as_approved_is_none_for_a_draft(complete: Built) -> None:
    store, (*_, rid) = complete
    assert responses.as_approved(store, rid) is None


def test_as_approved_is_none_for_a_response_approved_before_the_record_was_kept(
    approved: Built,
) -> None:
    store, (*_, rid) = approved
    assert responses.as_approved(store, rid) is not None
    _set_kept_text(store, rid, None)
    assert responses.as_approved(store, rid) is None


def test_reopen_drops_the_approved_record_and_approval_keeps_a_new_one(approved: Built) -> None:
    store, (_j, _county, city, rid) = approved
    first = _kept_text(store, rid)
    assert first is not None
    summary = responses.reopen(store, rid, "DOJ asked for a correction")
    assert _kept_text(store, rid) is None
    assert responses.as_approved(store, rid) is None
    trail = audit.history(store, response_uuid=summary.uuid)
    dropped = next(e for e in trail if e.field == "approved_snapshot")
    assert (dropped.action, dropped.old_value, dropped.new_value) == (
        "reopen",
        approved_record.digest(first),
        None,
    )
    records.update(store, "facility", city.id, {"operator_name": "New Operator"}, city.version)
    responses.submit_for_review(store, rid)
    approve_as_read(store, rid, "Timothy M. Keller", "Mayor")
    second = _kept_text(store, rid)
    assert second is not None
    assert second != first
    kept = approved_record.parse(second)
    assert "New Operator" in {f["operator_name"] for f in kept.facilities}
    hashes = [
        e.new_value
        for e in audit.history(store, response_uuid=summary.uuid)
        if e.field == "approved_snapshot" and e.action == "approve"
    ]
    assert hashes == [approved_record.digest(second), approved_record.digest(first)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "jurisdesk-approved-record", "format_version": 99}', "newer Jurisdesk"),
        ('{"format": "jurisdesk-approved-record", "format_version": 1}', "damaged"),
        ("not JSON at all", "damaged"),
        ("[]", "damaged"),
    ],
)
def test_unreadable_approved_record_is_a_user_error(
    approved: Built, text: str, message: str
) -> None:
    store, (*_, rid) = approved
    _set_kept_text(store, rid, text)
    with pytest.raises(UserError, match=message):
        responses.as_approved(store, rid)
