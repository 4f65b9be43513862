"""No answer changes unless a person meant it: versions, review read-only, approval of what was
read, the approved record on screen, consistency checks in the workflow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.services import approved_record, audit, records, responses
from app.services.errors import InvalidInput, Locked, WorkflowError
from app.services.responses import AnswerConflict, AnswerInput, ReviewChanged
from app.services.store import Store
from tests.helpers import (
    approve_as_read,
    complete_response,
    make_facility,
    make_instrument,
    make_jurisdiction,
    run_python,
    staff_member,
    start_psp,
)
from tests.stores import Location, fresh_store, location_text, table_counts

pytestmark = pytest.mark.both_stores

Built = tuple[Store, tuple[records.Record, records.Record, records.Record, int]]


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    yield from fresh_store(db_location)


@pytest.fixture
def complete(store: Store) -> Built:
    return store, complete_response(store)


def keller(store: Store) -> int:
    return staff_member(store, "Timothy M. Keller", "Mayor")


def _answer(store: Store, rid: int, key: str, facility_id: int) -> responses.AnswerRecord:
    found = responses.get_response(store, rid).answer(key, facility_id)
    assert found is not None
    return found


# ----------------------------------------------------------------------------- versions


@pytest.mark.parametrize("relation", ["instrument_ids", "evidence_ids"])
def test_changing_only_what_an_answer_cites_raises_its_version(
    complete: Built, relation: str
) -> None:
    store, (j, _county, city, rid) = complete
    if relation == "instrument_ids":
        cited = make_instrument(store, j.id).id
    else:
        from app.services import evidence

        cited = evidence.attach_bytes(store, j.id, "mou.pdf", b"%PDF-1.4 mou").id
    before = _answer(store, rid, "access", city.id)
    saved = responses.save_answer(
        store, rid, "access", city.id, AnswerInput(value="no", **{relation: [cited]})
    )
    assert saved.version == before.version + 1
    # A second window still holding the old answer cannot drop the citation silently.
    with pytest.raises(AnswerConflict) as info:
        responses.save_answer(
            store,
            rid,
            "access",
            city.id,
            AnswerInput(value="yes"),
            expected_version=before.version,
        )
    theirs = info.value.theirs
    assert theirs is not None
    assert getattr(theirs, relation) == (cited,)
    assert getattr(_answer(store, rid, "access", city.id), relation) == (cited,)


@pytest.mark.parametrize(
    "change",
    [
        {"value": "yes"},
        {"basis": "practice"},
        {"narrative": "Per General Order 1-04."},
        {"conditions": "Only with a judicial warrant."},
        {"as_of": "2017-08-03"},
        {"information_source": "Chief's office"},
    ],
)
def test_every_change_to_an_answer_raises_its_version(complete: Built, change: dict) -> None:
    store, (_j, _county, city, rid) = complete
    before = _answer(store, rid, "access", city.id)
    entry = {"value": "no"} | change
    saved = responses.save_answer(store, rid, "access", city.id, AnswerInput(**entry))
    assert saved.version == before.version + 1
    # Saving the same again changes nothing and keeps the version.
    again = responses.save_answer(store, rid, "access", city.id, AnswerInput(**entry))
    assert again.version == saved.version


def test_a_stale_save_from_another_process_conflicts(complete: Built) -> None:
    store, (j, _county, city, rid) = complete
    mou = make_instrument(store, j.id)
    mine = _answer(store, rid, "access", city.id)
    # A colleague on another PC adds a citation and nothing else.
    run_python(
        """
        import sys
        from app.services import responses
        from app.services.store import open_store
        store = open_store(sys.argv[1], actor="Colleague")
        rid, city, mou = map(int, sys.argv[2:5])
        responses.save_answer(
            store, rid, "access", city, responses.AnswerInput(value="no", instrument_ids=[mou])
        )
        """,
        location_text(store),
        str(rid),
        str(city.id),
        str(mou.id),
    )
    with pytest.raises(AnswerConflict) as info:
        responses.save_answer(
            store,
            rid,
            "access",
            city.id,
            AnswerInput(value="no", narrative="mine"),
            expected_version=mine.version,
        )
    assert info.value.theirs is not None
    assert info.value.theirs.instrument_ids == (mou.id,)
    assert _answer(store, rid, "access", city.id).instrument_ids == (mou.id,)


# ----------------------------------------------------------------------------- review


def test_a_response_in_review_is_read_only(complete: Built) -> None:
    store, (_j, _county, city, rid) = complete
    responses.submit_for_review(store, rid)
    before = table_counts(store)
    with pytest.raises(Locked, match="in review and read-only"):
        responses.save_answer(store, rid, "access", city.id, AnswerInput(value="yes"))
    with pytest.raises(Locked):
        responses.clear_answer(store, rid, "access", city.id)
    with pytest.raises(Locked):
        responses.update_details(store, rid, notes="changed")
    with pytest.raises(Locked):
        responses.delete_response(store, rid)
    assert table_counts(store) == before
    # Sent back, it can be changed again.
    responses.return_to_draft(store, rid, "Cite the MOU.")
    responses.save_answer(store, rid, "access", city.id, AnswerInput(value="yes"))


def test_approval_names_the_state_read_and_is_refused_if_anything_changed(
    complete: Built,
) -> None:
    store, (_j, county, _city, rid) = complete
    responses.submit_for_review(store, rid)
    read = responses.get_response(store, rid)
    assert read.review_state is not None
    # Someone edits a facility the letter prints while the approver reads.
    records.update(store, "facility", county.id, {"sets_policy": False, "name": "MDC"}, 1)
    keller(store)
    before = table_counts(store)
    with pytest.raises(ReviewChanged, match="Reload it and read it again"):
        responses.approve(store, rid, keller(store), seen_state=read.review_state)
    with pytest.raises(ReviewChanged):
        responses.approve(store, rid, keller(store), seen_state=None)
    assert table_counts(store) == before
    reread = responses.get_response(store, rid)
    assert reread.review_state != read.review_state
    summary = responses.approve(store, rid, keller(store), seen_state=reread.review_state)
    assert summary.status == "approved"
    entry = next(
        e for e in audit.history(store, response_uuid=summary.uuid) if e.field == "reviewed_state"
    )
    assert entry.new_value == reread.review_state


def test_an_approval_waits_for_a_letterhead_changed_in_another_process(
    complete: Built,
) -> None:
    store, (j, *_rest, rid) = complete
    responses.submit_for_review(store, rid)
    read = responses.get_response(store, rid)
    run_python(
        """
        import sys
        from app.services import records
        from app.services.store import open_store
        store = open_store(sys.argv[1], actor="Colleague")
        j = records.get(store, "jurisdiction", int(sys.argv[2]))
        records.update(store, "jurisdiction", j.id, {"letterhead_address": "One Civic Plaza NW"},
                       j.version)
        """,
        location_text(store),
        str(j.id),
    )
    with pytest.raises(ReviewChanged):
        responses.approve(store, rid, keller(store), seen_state=read.review_state)
    assert responses.get_response(store, rid).summary.status == "in_review"


# ----------------------------------------------------------------------------- approved record


def test_an_approved_response_shows_its_approved_record_not_live_facts(complete: Built) -> None:
    store, (_j, county, city, rid) = complete
    responses.submit_for_review(store, rid)
    approve_as_read(store, rid, "Timothy M. Keller", "Mayor")
    before = responses.get_response(store, rid)
    records.update(store, "facility", city.id, {"sets_policy": False}, city.version)
    records.update(store, "facility", county.id, {"operator_name": "Someone else"}, 1)
    after = responses.get_response(store, rid)
    assert after.facilities == before.facilities
    assert after.answers == before.answers
    assert next(f for f in after.facilities if f.id == city.id).sets_policy is True


def test_editing_a_record_an_approved_response_kept_names_that_response(
    complete: Built,
) -> None:
    store, (j, _county, city, rid) = complete
    draft_rid = start_psp(store, j.id).summary.id
    responses.submit_for_review(store, rid)
    approve_as_read(store, rid, "Timothy M. Keller", "Mayor")
    kept = approved_record.responses_keeping(store, "facility", city.id)
    assert [k.response_id for k in kept] == [rid]
    assert "DOJ Public Safety Partnership" in kept[0].title
    assert draft_rid not in [k.response_id for k in kept]
    other = make_jurisdiction(store, name="City of Stockton", state="CA")
    elsewhere = make_facility(store, other.id)
    assert approved_record.responses_keeping(store, "facility", elsewhere.id) == []
    assert [
        k.response_id for k in approved_record.responses_keeping(store, "jurisdiction", j.id)
    ] == [rid]
    assert approved_record.responses_keeping(store, "jurisdiction", other.id) == []


# ----------------------------------------------------------------------------- checks


def test_outside_control_for_a_city_run_facility_blocks_review(complete: Built) -> None:
    store, (_j, _county, city, rid) = complete
    responses.save_answer(store, rid, "access", city.id, AnswerInput(value="outside_control"))
    detail = responses.get_response(store, rid)
    assert [(f.rule, f.facility_key) for f in detail.errors] == [
        ("outside_control_but_controlled", str(city.id))
    ]
    before = table_counts(store)
    with pytest.raises(WorkflowError, match="Prisoner Transport Center"):
        responses.submit_for_review(store, rid)
    assert table_counts(store) == before


def test_placeholder_in_the_letterhead_blocks_review(complete: Built) -> None:
    store, (j, *_rest, rid) = complete
    records.update(store, "jurisdiction", j.id, {"letterhead_address": "[street address]"}, 1)
    with pytest.raises(WorkflowError, match="letterhead address still says"):
        responses.submit_for_review(store, rid)


def test_a_placeholder_signer_cannot_approve(complete: Built) -> None:
    store, (*_rest, rid) = complete
    responses.submit_for_review(store, rid)
    with pytest.raises(InvalidInput, match="to be confirmed") as info:
        approve_as_read(store, rid, "City Attorney (name to be confirmed)", "City Attorney")
    assert [p.label for p in info.value.problems] == ["Approver"]


def test_warnings_are_acknowledged_by_the_approver_and_recorded(complete: Built) -> None:
    store, (_j, _county, city, rid) = complete
    responses.save_answer(store, rid, "access", city.id, AnswerInput(value="yes", basis="written"))
    responses.submit_for_review(store, rid)  # a warning does not block review
    read = responses.get_response(store, rid)
    assert [w.rule for w in read.warnings] == ["written_policy_not_cited"]
    with pytest.raises(WorkflowError, match="not been acknowledged"):
        responses.approve(store, rid, keller(store), seen_state=read.review_state)
    summary = responses.approve(
        store,
        rid,
        keller(store),
        seen_state=read.review_state,
        acknowledged=[w.key for w in read.warnings],
    )
    entry = next(
        e
        for e in audit.history(store, response_uuid=summary.uuid)
        if e.field == "warnings_acknowledged"
    )
    assert entry.new_value == read.warnings[0].message
    assert entry.actor == store.actor


def test_the_full_report_prints_an_approved_response_as_approved(complete: Built) -> None:
    from app.reports import model

    store, (j, county, _city, rid) = complete
    responses.submit_for_review(store, rid)
    approve_as_read(store, rid, "Timothy M. Keller", "Mayor")
    records.update(store, "facility", county.id, {"name": "Renamed Jail"}, 1)
    report = model.jurisdiction_report(store, j.id, generated_at=datetime.now(UTC))
    (view,) = report.responses
    named = {a.facility.name for q in view.questions for a in q.answers if a.facility}
    assert "Renamed Jail" not in named
    assert "Metropolitan Detention Center" in named
    # The jurisdiction's own register shows the facility as it is today.
    assert "Renamed Jail" in {f.name for f in report.facilities}
