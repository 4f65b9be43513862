"""Records of a jurisdiction: validation that names the field, nothing written on failure,
references kept inside the jurisdiction, delete confirmations, cascades and locks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.models import MAX_EVIDENCE_BYTES
from app.services import audit, evidence, records, responses
from app.services.errors import Conflict, InvalidInput, Locked, NotFound
from app.services.fields import RECORD_KINDS, FieldKind
from app.services.records import Record
from app.services.store import Store
from tests.helpers import (
    approve_as_read,
    approved_response,
    make_facility,
    make_instrument,
    make_jurisdiction,
    start_psp,
    valid_values,
)
from tests.stores import Location, built_result, fresh_store, raw_rows, table_counts

pytestmark = pytest.mark.both_stores

ALL_KINDS = list(RECORD_KINDS)


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    yield from fresh_store(db_location)


def _parent(store: Store, kind: str) -> int | None:
    if kind == "jurisdiction":
        return None
    j = make_jurisdiction(store, name="Parent City")
    if kind == "condition":
        award = records.create(store, "award", valid_values("award"), parent_id=j.id)
        return award.id
    return j.id


def _create(store: Store, kind: str, values: dict[str, Any], parent: int | None) -> Record:
    if kind == "evidence":
        assert parent is not None
        return evidence.attach_bytes(store, parent, content=b"%PDF-1.4 letter", **values)
    return records.create(store, kind, values, parent_id=parent)


def _snapshot(store: Store) -> dict[str, int]:
    return table_counts(store)


def _problems(info: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {p.label: p.message for p in info.value.problems}


# ----------------------------------------------------------------------------- every kind


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_create_get_update_delete_every_kind(store: Store, kind: str) -> None:
    parent = _parent(store, kind)
    created = _create(store, kind, valid_values(kind), parent)
    assert created.version == 1
    assert records.get(store, kind, created.id).values == created.values

    title_field = RECORD_KINDS[kind].title_field
    updated = records.update(
        store, kind, created.id, {title_field: "Renamed record"}, expected_version=1
    )
    assert updated.title == "Renamed record"
    assert updated.version == 2
    assert records.get(store, kind, created.id)[title_field] == "Renamed record"
    assert created.id in [r.id for r in records.list_records(store, kind, parent)]

    trail = audit.history(store, entity_uuid=created.uuid)
    assert [(e.action, e.field) for e in trail] == [("update", title_field), *trail_create(kind)]
    assert trail[0].old_value == created.title
    assert trail[0].new_value == "Renamed record"
    assert trail[0].actor == "Test Clerk"

    records.delete(store, kind, created.id, expected_version=2)
    with pytest.raises(NotFound, match=f"no {RECORD_KINDS[kind].label.lower()} with id"):
        records.get(store, kind, created.id)
    assert audit.history(store, entity_uuid=created.uuid)[0].action == "delete"


def trail_create(kind: str) -> list[tuple[str, str | None]]:
    # Evidence records its SHA-256 when attached; other records a plain "create".
    return [("create", "sha256" if kind == "evidence" else None)]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_missing_required_fields_are_all_listed_by_label(store: Store, kind: str) -> None:
    parent = _parent(store, kind)
    before = _snapshot(store)
    spec = RECORD_KINDS[kind]
    required = {f.label for f in spec.fields if f.required and f.kind is not FieldKind.BOOLEAN}
    assert required, "every kind has at least one required field"
    with pytest.raises(InvalidInput) as info:
        _create(store, kind, {"filename": ""} if kind == "evidence" else {}, parent)
    problems = _problems(info)
    assert set(problems) == required
    assert all(m == "is required; please fill it in." for m in problems.values())
    for label in required:
        assert f"{label}: is required" in str(info.value)
    assert _snapshot(store) == before, "nothing written, not even an audit entry"


def test_jurisdiction_required_fields_are_name_kind_and_state(store: Store) -> None:
    with pytest.raises(InvalidInput) as info:
        records.create(store, "jurisdiction", {"name": "   "})
    assert set(_problems(info)) == {"Name", "Kind", "State"}


# ----------------------------------------------------------------------------- field rules

BAD_FIELDS: list[tuple[str, str, Any, str, str]] = [
    # kind, field, bad value, label, message fragment
    ("jurisdiction", "state", "XX", "State", "not a USPS state code"),
    ("jurisdiction", "state", "New Mexico", "State", "not a USPS state code"),
    ("jurisdiction", "fips", "123", "FIPS code", "must have 2, 5, 7 or 10 digits"),
    ("jurisdiction", "fips", "35O01", "FIPS code", "2, 5, 7 or 10 digits"),
    ("jurisdiction", "population", -1, "Population", "at least 0"),
    ("jurisdiction", "population", "many", "Population", "not a whole number"),
    ("jurisdiction", "population", 100_000_001, "Population", "at most 100,000,000"),
    ("jurisdiction", "kind", "empire", "Kind", "not one of the choices"),
    ("jurisdiction", "name", "City of\nAlbuquerque", "Name", "single line"),
    ("jurisdiction", "name", "x" * 201, "Name", "the limit is 200"),
    ("jurisdiction", "name", 42, "Name", "must be text"),
    ("facility", "sets_policy", "perhaps", "We set policy here", "yes or no"),
    ("instrument", "adopted_on", "2017-02-30", "Adopted", "not a date"),
    ("instrument", "effective_on", "08/18/2017", "Effective", "YYYY-MM-DD"),
    ("instrument", "url", "www.cabq.gov", "Web address", "http://"),
    ("instrument", "url", "javascript:alert(1)", "Web address", "http://"),
    ("request", "fiscal_year", 1800, "Fiscal year", "at least 1,990"),
    ("request", "fiscal_year", 2101, "Fiscal year", "at most 2,100"),
    ("award", "amount", -5, "Amount (US$)", "at least 0"),
    ("award", "fiscal_year", True, "Fiscal year", "whole number"),
    ("statistic", "received", -1, "Requests received", "at least 0"),
    ("statistic", "honored", "1.5", "Honored", "not a whole number"),
    ("statistic", "facility_id", "1", "Facility", "chosen from the list"),
    ("contact", "email", "jessica at cabq.gov", "E-mail", "e-mail address"),
    ("contact", "email", "a@b", "E-mail", "e-mail address"),
    ("contact", "role", "boss", "Role", "not one of the choices"),
    ("condition", "title", "x" * 301, "Condition", "the limit is 300"),
]


@pytest.mark.parametrize(
    ("kind", "name", "bad", "label", "fragment"),
    BAD_FIELDS,
    ids=[f"{k}.{n}={v!r:.20}" for k, n, v, _, _ in BAD_FIELDS],
)
def test_bad_value_is_refused_naming_the_field(
    store: Store, kind: str, name: str, bad: Any, label: str, fragment: str
) -> None:
    parent = _parent(store, kind)
    before = _snapshot(store)
    with pytest.raises(InvalidInput) as info:
        records.create(store, kind, valid_values(kind) | {name: bad}, parent_id=parent)
    assert [p.field for p in info.value.problems] == [name]
    assert fragment in _problems(info)[label]
    assert str(info.value).startswith(f"{label}: ")
    assert _snapshot(store) == before


GOOD_FIELDS: list[tuple[str, str, Any, Any]] = [
    ("jurisdiction", "state", " nm ", "NM"),
    ("jurisdiction", "fips", "35", "35"),
    ("jurisdiction", "fips", "35001", "35001"),
    ("jurisdiction", "population", "559,277", 559_277),
    ("jurisdiction", "population", 0, 0),
    ("facility", "sets_policy", "yes", True),
    ("facility", "sets_policy", None, False),
    ("instrument", "url", "HTTPS://www.cabq.gov/a?b=c", "HTTPS://www.cabq.gov/a?b=c"),
    ("request", "fiscal_year", 1990, 1990),
    ("request", "fiscal_year", 2100, 2100),
    ("contact", "email", "legal@cabq.gov", "legal@cabq.gov"),
]


@pytest.mark.parametrize(("kind", "name", "given", "stored"), GOOD_FIELDS)
def test_good_value_is_stored_normalized(
    store: Store, kind: str, name: str, given: Any, stored: Any
) -> None:
    parent = _parent(store, kind)
    created = records.create(store, kind, valid_values(kind) | {name: given}, parent_id=parent)
    assert records.get(store, kind, created.id)[name] == stored


def test_every_problem_is_listed_at_once(store: Store) -> None:
    with pytest.raises(InvalidInput) as info:
        records.create(
            store,
            "jurisdiction",
            {
                "name": "",
                "kind": "city",
                "state": "ZZ",
                "fips": "1",
                "population": -3,
                "chief_name": "a\nb",
                "colour": "red",
            },
        )
    assert {p.field for p in info.value.problems} == {
        "name",
        "state",
        "fips",
        "population",
        "chief_name",
        "colour",
    }
    assert "colour: is not a field of this record." in str(info.value)


DATE_ORDER = [
    ("statistic", {"period_start": "2017-07-01", "period_end": "2017-06-30"}, "To", "from"),
    ("instrument", {"adopted_on": "2015-01-01", "rescinded_on": "2013-06-30"}, "Rescinded", ""),
    ("instrument", {"effective_on": "2015-01-01", "rescinded_on": "2013-06-30"}, "Rescinded", ""),
    ("request", {"letter_date": "2017-08-20", "due_on": "2017-08-18"}, "Due", "letter date"),
    ("request", {"received_on": "2017-08-19", "due_on": "2017-08-18"}, "Due", "received"),
]


@pytest.mark.parametrize(("kind", "values", "label", "other"), DATE_ORDER)
def test_date_order_is_checked_on_create(
    store: Store, kind: str, values: dict[str, str], label: str, other: str
) -> None:
    parent = _parent(store, kind)
    base = {k: v for k, v in valid_values(kind).items() if k not in values} | values
    before = _snapshot(store)
    with pytest.raises(InvalidInput) as info:
        records.create(store, kind, base, parent_id=parent)
    message = _problems(info)[label]
    assert message.startswith("cannot be before")
    assert other in message
    assert _snapshot(store) == before


def test_date_order_is_checked_against_stored_values_on_update(store: Store) -> None:
    j = make_jurisdiction(store)
    stat = records.create(store, "statistic", valid_values("statistic"), parent_id=j.id)
    before = _snapshot(store)
    with pytest.raises(InvalidInput, match="To: cannot be before from"):
        records.update(store, "statistic", stat.id, {"period_start": "2018-01-01"}, 1)
    assert _snapshot(store) == before
    assert records.get(store, "statistic", stat.id)["period_start"].isoformat() == "2017-01-01"
    # Equal dates are a valid one-day period.
    records.update(store, "statistic", stat.id, {"period_start": "2017-06-30"}, 1)


def test_failed_update_writes_nothing(store: Store) -> None:
    j = make_jurisdiction(store)
    before = _snapshot(store)
    with pytest.raises(InvalidInput) as info:
        records.update(
            store, "jurisdiction", j.id, {"name": "New name", "state": "QQ", "population": -1}, 1
        )
    assert {p.label for p in info.value.problems} == {"State", "Population"}
    assert _snapshot(store) == before
    again = records.get(store, "jurisdiction", j.id)
    assert (again["name"], again.version) == ("City of Albuquerque", 1)


def test_required_field_cannot_be_emptied_by_update(store: Store) -> None:
    j = make_jurisdiction(store)
    with pytest.raises(InvalidInput, match="Name: is required"):
        records.update(store, "jurisdiction", j.id, {"name": "  "}, 1)


def test_update_without_changes_keeps_version_and_trail(store: Store) -> None:
    j = make_jurisdiction(store)
    same = records.update(store, "jurisdiction", j.id, {"name": "City of Albuquerque"}, 1)
    assert same.version == 1
    assert len(audit.history(store, entity_uuid=j.uuid)) == 1


def test_stale_version_is_a_conflict_and_keeps_the_other_writers_change(store: Store) -> None:
    j = make_jurisdiction(store)
    records.update(store, "jurisdiction", j.id, {"chief_name": "Michael Geier"}, 1)
    before = _snapshot(store)
    with pytest.raises(Conflict, match="now version 2, you had 1"):
        records.update(store, "jurisdiction", j.id, {"chief_name": "Someone Else"}, 1)
    with pytest.raises(Conflict):
        records.delete(store, "jurisdiction", j.id, expected_version=1)
    assert records.get(store, "jurisdiction", j.id)["chief_name"] == "Michael Geier"
    assert _snapshot(store) == before


def test_unknown_id_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no facility with id 404"):
        records.update(store, "facility", 404, {"name": "x"}, None)
    with pytest.raises(NotFound, match="no jurisdiction with id 404"):
        records.create(store, "facility", valid_values("facility"), parent_id=404)


# ----------------------------------------------------------------------------- references


def test_statistic_facility_must_belong_to_the_same_jurisdiction(store: Store) -> None:
    abq = make_jurisdiction(store)
    baltimore = make_jurisdiction(store, name="Baltimore City", state="MD")
    theirs = make_facility(store, baltimore.id, name="Central Booking and Intake Center")
    ours = make_facility(store, abq.id)
    before = _snapshot(store)
    values = valid_values("statistic") | {"facility_id": theirs.id}
    with pytest.raises(InvalidInput, match="Facility: must be chosen from this jurisdiction"):
        records.create(store, "statistic", values, parent_id=abq.id)
    with pytest.raises(InvalidInput, match="Facility: must be chosen"):
        records.create(store, "statistic", values | {"facility_id": 9999}, parent_id=abq.id)
    assert _snapshot(store) == before
    stat = records.create(store, "statistic", values | {"facility_id": ours.id}, parent_id=abq.id)
    with pytest.raises(InvalidInput, match="Facility: must be chosen"):
        records.update(store, "statistic", stat.id, {"facility_id": theirs.id}, 1)
    assert records.get(store, "statistic", stat.id)["facility_id"] == ours.id


def test_evidence_instrument_must_belong_to_the_same_jurisdiction(store: Store) -> None:
    abq = make_jurisdiction(store)
    baltimore = make_jurisdiction(store, name="Baltimore City", state="MD")
    theirs = make_instrument(store, baltimore.id)
    before = _snapshot(store)
    with pytest.raises(InvalidInput, match="Document of"):
        evidence.attach_bytes(store, abq.id, "mou.pdf", b"x", instrument_id=theirs.id)
    assert _snapshot(store) == before
    doc = evidence.attach_bytes(store, abq.id, "mou.pdf", b"x")
    with pytest.raises(InvalidInput, match="Document of: must be chosen"):
        records.update(store, "evidence", doc.id, {"instrument_id": theirs.id}, 1)
    assert records.get(store, "evidence", doc.id)["instrument_id"] is None


# ----------------------------------------------------------------------------- delete


def test_dependents_use_singular_and_plural(store: Store) -> None:
    j = make_jurisdiction(store)
    assert records.dependents(store, "jurisdiction", j.id) == []
    make_facility(store, j.id)
    make_instrument(store, j.id)
    make_instrument(store, j.id, title="General Order 1-04")
    start_psp(store, j.id)
    assert records.dependents(store, "jurisdiction", j.id) == [
        "1 facility",
        "2 legal instruments",
        "1 response with its answers",
    ]
    make_facility(store, j.id, name="Second jail")
    start_psp(store, j.id)
    sentences = records.dependents(store, "jurisdiction", j.id)
    assert "2 facilities" in sentences
    assert "2 responses with their answers" in sentences


def test_facility_dependents_count_answers_and_statistics(store: Store) -> None:
    j = make_jurisdiction(store)
    county = make_facility(store, j.id)
    start_psp(store, j.id)  # pre-fills 3 answers about the county jail
    records.create(
        store, "statistic", valid_values("statistic") | {"facility_id": county.id}, parent_id=j.id
    )
    assert records.dependents(store, "facility", county.id) == [
        "3 answers about this facility",
        "1 detainer statistic (kept, without the facility)",
    ]


def test_deleting_a_jurisdiction_deletes_everything_it_holds(store: Store) -> None:
    j = make_jurisdiction(store)
    other = make_jurisdiction(store, name="Stockton", state="CA")
    make_facility(store, other.id)
    county = make_facility(store, j.id)
    mou = make_instrument(store, j.id)
    doc = evidence.attach_bytes(store, j.id, "mou.txt", b"text", instrument_id=mou.id)
    records.create(store, "request", valid_values("request"), parent_id=j.id)
    award = records.create(store, "award", valid_values("award"), parent_id=j.id)
    records.create(store, "condition", valid_values("condition"), parent_id=award.id)
    records.create(
        store, "statistic", valid_values("statistic") | {"facility_id": county.id}, parent_id=j.id
    )
    records.create(store, "contact", valid_values("contact"), parent_id=j.id)
    response = start_psp(store, j.id)
    responses.save_answer(
        store,
        response.summary.id,
        "statement",
        None,
        responses.AnswerInput(value="x", instrument_ids=[mou.id], evidence_ids=[doc.id]),
    )
    audit_before = table_counts(store)["audit_entry"]

    records.delete(store, "jurisdiction", j.id)

    counts = table_counts(store)
    for table, count in counts.items():
        if table in ("alembic_version", "audit_entry"):
            continue
        expected = 1 if table in ("jurisdiction", "facility") else 0
        assert count == expected, f"{table} still has {count} rows"
    assert counts["audit_entry"] == audit_before + 1, "the trail outlives the records"


def test_deleting_an_instrument_removes_citations_but_keeps_answers(store: Store) -> None:
    j = make_jurisdiction(store)
    mou = make_instrument(store, j.id)
    response = start_psp(store, j.id)
    responses.save_answer(
        store,
        response.summary.id,
        "statement",
        None,
        responses.AnswerInput(value="See the MOU.", instrument_ids=[mou.id]),
    )
    assert records.dependents(store, "instrument", mou.id) == [
        "1 answer citing it (the citation is removed)"
    ]
    records.delete(store, "instrument", mou.id)
    answer = responses.get_response(store, response.summary.id).answer("statement")
    assert answer is not None
    assert answer.value == "See the MOU."
    assert answer.instrument_ids == ()


def test_deleting_a_facility_keeps_its_statistics_without_the_facility(store: Store) -> None:
    j = make_jurisdiction(store)
    county = make_facility(store, j.id)
    stat = records.create(
        store, "statistic", valid_values("statistic") | {"facility_id": county.id}, parent_id=j.id
    )
    records.delete(store, "facility", county.id)
    assert records.get(store, "statistic", stat.id)["facility_id"] is None


def _approved_citing(store: Store) -> dict[str, int]:
    """An approved response whose answer cites an instrument and an evidence file."""
    j, _county, city, response_id = approved_response(store)
    mou = make_instrument(store, j.id)
    doc = evidence.attach_bytes(store, j.id, "mou.txt", b"text")
    responses.reopen(store, response_id, "cite the MOU")
    responses.save_answer(
        store,
        response_id,
        "access",
        city.id,
        responses.AnswerInput(value="no", instrument_ids=[mou.id], evidence_ids=[doc.id]),
    )
    responses.submit_for_review(store, response_id)
    approve_as_read(store, response_id, "Timothy M. Keller", "Mayor")
    return {
        "facility": city.id,
        "instrument": mou.id,
        "evidence": doc.id,
        "jurisdiction": j.id,
        "response": response_id,
    }


@pytest.mark.parametrize("target", ["facility", "instrument", "evidence", "jurisdiction"])
def test_records_used_by_an_approved_response_cannot_be_deleted(
    db_location: Location, target: str
) -> None:
    for store in fresh_store(db_location, built=("approved-citing", _approved_citing)):
        ids = built_result(db_location, "approved-citing")
        before = _snapshot(store)

        with pytest.raises(Locked, match="approved or submitted"):
            records.delete(store, target, ids[target])

        assert _snapshot(store) == before
        assert records.get(store, target, ids[target]).id == ids[target]
        answer = responses.get_response(store, ids["response"]).answer("access", ids["facility"])
        assert answer is not None
        assert answer.instrument_ids == (ids["instrument"],)
        assert answer.evidence_ids == (ids["evidence"],)


def test_unused_records_of_an_approved_jurisdiction_can_still_be_deleted(store: Store) -> None:
    j, _county, _city, _response_id = approved_response(store)
    spare = make_instrument(store, j.id, title="Unrelated resolution")
    records.delete(store, "instrument", spare.id)
    with pytest.raises(NotFound):
        records.get(store, "instrument", spare.id)


def test_evidence_up_to_the_size_limit_is_kept_whole_and_a_byte_more_is_refused(
    store: Store,
) -> None:
    j = make_jurisdiction(store)
    content = bytes(range(256)) * (MAX_EVIDENCE_BYTES // 256)
    assert len(content) == MAX_EVIDENCE_BYTES
    doc = evidence.attach_bytes(store, j.id, "scan.pdf", content)
    assert evidence.content_of(store, doc.id) == content
    assert evidence.verify(store, doc.id)
    # Binary as binary: SQLite's BLOB, PostgreSQL's bytea, every byte of it.
    if store.server is None:
        stored = "SELECT typeof(content), length(content) FROM evidence WHERE id = ?"
        expected = ("blob", MAX_EVIDENCE_BYTES)
    else:
        stored = "SELECT pg_typeof(content)::text, octet_length(content) FROM evidence WHERE id = ?"
        expected = ("bytea", MAX_EVIDENCE_BYTES)
    assert tuple(raw_rows(store, stored, (doc.id,))[0].values()) == expected

    before = _snapshot(store)
    with pytest.raises(InvalidInput, match=r"big\.pdf is 25\.0 MB; the limit is 25 MB"):
        evidence.attach_bytes(store, j.id, "big.pdf", content + b"x")
    assert _snapshot(store) == before


def test_a_file_type_longer_than_the_database_holds_is_refused(store: Store) -> None:
    j = make_jurisdiction(store)
    before = _snapshot(store)
    with pytest.raises(InvalidInput, match="Type: is 101 characters long; the limit is 100"):
        evidence.attach_bytes(store, j.id, "a.pdf", b"%PDF", media_type="x/" + "y" * 99)
    assert _snapshot(store) == before
    longest = "x/" + "y" * 98
    doc = evidence.attach_bytes(store, j.id, "a.pdf", b"%PDF", media_type=longest)
    assert records.get(store, "evidence", doc.id)["media_type"] == longest


def test_an_award_amount_up_to_ten_billion_is_kept(store: Store) -> None:
    """More than a server's INTEGER holds (2,147,483,647): the column is BIGINT there."""
    j = make_jurisdiction(store)
    values = valid_values("award") | {"amount": 10_000_000_000}
    award = records.create(store, "award", values, parent_id=j.id)
    assert records.get(store, "award", award.id)["amount"] == 10_000_000_000
    with pytest.raises(InvalidInput, match="must be at most 10,000,000,000"):
        records.update(store, "award", award.id, {"amount": 10_000_000_001}, award.version)
