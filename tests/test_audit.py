"""The audit trail: every change, with who, which record and field, old and new value; filters by
jurisdiction, record and response; nothing recorded for a change that did not happen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.services import audit, evidence, records, responses
from app.services.errors import InvalidInput, Locked, WorkflowError
from app.services.responses import AnswerInput
from app.services.store import Store, open_store
from tests.helpers import (
    approve_as_read,
    make_facility,
    make_instrument,
    make_jurisdiction,
    staff_member,
    start_psp,
)
from tests.stores import Location, fresh_store, table_counts

pytestmark = pytest.mark.both_stores


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    yield from fresh_store(db_location, actor="Maria Lopez, Deputy City Attorney")


ACTOR = "Maria Lopez, Deputy City Attorney"


def _entries(
    store: Store, **filters: str
) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [
        (e.action, e.entity_kind, e.field, e.old_value, e.new_value)
        for e in reversed(audit.history(store, **filters))
    ]


def test_record_changes_are_recorded_with_actor_field_old_and_new(store: Store) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    j = make_jurisdiction(store)
    records.update(
        store, "jurisdiction", j.id, {"chief_name": "Michael Geier", "population": 559277}, 1
    )
    records.update(store, "jurisdiction", j.id, {"chief_name": "Harold Medina"}, 2)
    facility = make_facility(store, j.id)
    records.update(store, "facility", facility.id, {"sets_policy": True}, 1)
    records.delete(store, "facility", facility.id)

    trail = audit.history(store, jurisdiction_uuid=j.uuid)
    assert all(e.actor == ACTOR for e in trail)
    assert all(started <= e.at <= datetime.now(UTC) for e in trail)
    assert [
        (e.action, e.entity_kind, e.field, e.old_value, e.new_value) for e in reversed(trail)
    ] == [
        ("create", "jurisdiction", None, None, None),
        ("update", "jurisdiction", "population", None, "559277"),
        ("update", "jurisdiction", "chief_name", None, "Michael Geier"),
        ("update", "jurisdiction", "chief_name", "Michael Geier", "Harold Medina"),
        ("create", "facility", None, None, None),
        ("update", "facility", "sets_policy", "no", "yes"),
        ("delete", "facility", None, None, None),
    ]
    labels = {e.entity_label for e in trail}
    assert {"City of Albuquerque", "Metropolitan Detention Center"} <= labels


def test_delete_records_what_went_with_it(store: Store) -> None:
    j = make_jurisdiction(store)
    make_facility(store, j.id)
    make_facility(store, j.id, controlled=True)
    records.delete(store, "jurisdiction", j.id)
    last = audit.history(store, entity_uuid=j.uuid)[0]
    assert (last.action, last.old_value) == ("delete", "2 facilities")


def test_history_filters_by_jurisdiction_entity_and_response(store: Store) -> None:
    abq = make_jurisdiction(store)
    stockton = make_jurisdiction(store, name="Stockton", state="CA")
    county = make_facility(store, abq.id)
    city = make_facility(store, abq.id, controlled=True)
    make_facility(store, stockton.id, name="San Joaquin County Jail")
    mou = make_instrument(store, abq.id)
    first = start_psp(store, abq.id).summary
    second = start_psp(store, abq.id).summary
    responses.save_answer(
        store, first.id, "access", city.id, AnswerInput(value="no", instrument_ids=[mou.id])
    )
    responses.save_answer(store, second.id, "statement", None, AnswerInput(value="other"))
    for key in ("notice", "hold"):
        responses.save_answer(store, first.id, key, city.id, AnswerInput(value="no"))
    responses.submit_for_review(store, first.id)

    stockton_trail = audit.history(store, jurisdiction_uuid=stockton.uuid)
    assert {e.entity_label for e in stockton_trail} == {"Stockton", "San Joaquin County Jail"}
    assert all(e.entity_uuid != abq.uuid for e in stockton_trail)

    county_trail = audit.history(store, entity_uuid=county.uuid)
    assert [e.action for e in county_trail] == ["create"]

    response_trail = _entries(store, response_uuid=first.uuid)
    kinds = {(action, kind) for action, kind, *_ in response_trail}
    assert ("create", "response") in kinds
    assert ("prefill", "answer") in kinds, "pre-filled answers are in the response's history"
    assert ("answer", "answer", "value", None, "No") in response_trail
    assert ("answer", "answer", "instruments", None, mou.title) in response_trail
    assert ("status", "response", "status", "draft", "in_review") in response_trail
    assert all(new != '"other"' for *_, new in response_trail), "not the other response's"
    assert len(audit.history(store, response_uuid=first.uuid, limit=2)) == 2

    everything = audit.history(store)
    assert everything[0].action == "status", "newest first"
    assert len(everything) == table_counts(store)["audit_entry"]


def test_answer_entries_carry_jurisdiction_and_response(store: Store) -> None:
    j = make_jurisdiction(store)
    response = start_psp(store, j.id).summary
    responses.save_answer(store, response.id, "statement", None, AnswerInput(value="Our text"))
    by_jurisdiction = _entries(store, jurisdiction_uuid=j.uuid)
    assert ("answer", "answer", "value", None, "Our text") in by_jurisdiction


def test_evidence_attachment_records_its_sha256(store: Store) -> None:
    j = make_jurisdiction(store)
    doc = evidence.attach_bytes(store, j.id, "mou.pdf", b"%PDF-1.4")
    entry = audit.history(store, entity_uuid=doc.uuid)[0]
    assert (entry.action, entry.field, entry.new_value) == (
        "create",
        "sha256",
        evidence.sha256_of(b"%PDF-1.4"),
    )


def test_failed_use_cases_leave_no_audit_entry(store: Store) -> None:
    j = make_jurisdiction(store)
    city = make_facility(store, j.id, controlled=True)
    response = start_psp(store, j.id).summary
    staff_member(store, "Mayor", "Mayor")
    before = table_counts(store)["audit_entry"]

    with pytest.raises(InvalidInput):
        records.create(store, "facility", {"name": "x"}, parent_id=j.id)
    with pytest.raises(InvalidInput):
        records.update(store, "jurisdiction", j.id, {"name": "New", "state": "??"}, 1)
    with pytest.raises(InvalidInput):
        # The first field is fine; the bad as_of must undo the whole save.
        responses.save_answer(
            store, response.id, "access", city.id, AnswerInput(value="yes", as_of="never")
        )
    with pytest.raises(WorkflowError):
        approve_as_read(store, response.id, "Mayor", "Mayor")
    with pytest.raises(WorkflowError):
        responses.submit_for_review(store, response.id)  # the city's facility is unanswered
    assert table_counts(store)["audit_entry"] == before


def test_locked_refusal_leaves_no_audit_entry(store: Store) -> None:
    j = make_jurisdiction(store)
    city = make_facility(store, j.id, controlled=True)
    rid = start_psp(store, j.id).summary.id
    for key in ("access", "notice", "hold"):
        responses.save_answer(store, rid, key, city.id, AnswerInput(value="yes"))
    responses.submit_for_review(store, rid)
    approve_as_read(store, rid, "Mayor Keller", "Mayor")
    before = table_counts(store)["audit_entry"]
    with pytest.raises(Locked):
        responses.save_answer(store, rid, "access", city.id, AnswerInput(value="no"))
    with pytest.raises(Locked):
        records.delete(store, "facility", city.id)
    assert table_counts(store)["audit_entry"] == before


def test_actor_is_the_name_the_store_was_opened_with(db_location: Location) -> None:
    for first in fresh_store(db_location, actor="Esteban Aguilar"):
        j = make_jurisdiction(first)
    second = open_store(db_location, actor="Jessica Hernandez")
    records.update(second, "jurisdiction", j.id, {"notes": "checked"}, 1)
    actors = [e.actor for e in reversed(audit.history(second, entity_uuid=j.uuid))]
    second.close()
    assert actors == ["Esteban Aguilar", "Jessica Hernandez"]


def test_audit_values_are_plain_text(store: Store) -> None:
    j = make_jurisdiction(store)
    rid = start_psp(store, j.id).summary.id
    responses.save_answer(store, rid, "statement", None, AnswerInput(value="«Ünïcode» ✓"))
    entry = audit.history(store, response_uuid=responses.get_response(store, rid).summary.uuid)[0]
    # The trail shows what the user typed, not its stored JSON encoding.
    assert entry.new_value == "«Ünïcode» ✓"
