"""One response's dashboard row and one jurisdiction's list row, read alone, are exactly the rows
the whole lists have for them: after answers, workflow steps, renames and deletions."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from app.services import jurisdictions, records, responses, staff
from app.services.responses import AnswerInput
from app.services.store import Store, open_store
from tests.helpers import (
    answer_all_required,
    approve_as_read,
    make_facility,
    make_jurisdiction,
    start_psp,
)
from tests.stores import Location, create_database, raw_one

pytestmark = pytest.mark.both_stores


def listed(store: Store) -> dict[int, responses.ResponseSummary]:
    return {s.id: s for s in responses.list_responses(store)}


def assert_rows_match(store: Store) -> None:
    everything = listed(store)
    assert everything
    for response_id, summary in everything.items():
        assert responses.response_summary(store, response_id) == summary
    for search, state in (("", None), ("city", None), ("", "NM"), ("zz", "MD")):
        shown = {j.id: j for j in jurisdictions.overview(store, search, state)}
        for item in jurisdictions.overview(store):
            alone = jurisdictions.overview_row(store, item.id, search, state)
            assert alone == shown.get(item.id), (search, state, item.name)


@pytest.fixture
def built(store: Store) -> dict[str, int]:
    """Three jurisdictions; responses as drafts, in review, approved and submitted."""
    ids: dict[str, int] = {}
    for key, name, state in (
        ("albuquerque", "City of Albuquerque", "NM"),
        ("baltimore", "baltimore city", "MD"),
        ("zuni", "Ärzte County", "NM"),
    ):
        place = make_jurisdiction(store, name=name, state=state)
        ids[key] = place.id
        ids[f"{key}-jail"] = make_facility(store, place.id).id
        ids[f"{key}-center"] = make_facility(store, place.id, controlled=True).id
    draft = start_psp(store, ids["albuquerque"]).summary.id
    responses.save_answer(
        store, draft, "access", ids["albuquerque-center"], AnswerInput(value="yes")
    )
    review = start_psp(store, ids["baltimore"]).summary.id
    answer_all_required(store, review, [ids["baltimore-center"]])
    responses.submit_for_review(store, review)
    approved = start_psp(store, ids["albuquerque"]).summary.id
    answer_all_required(store, approved, [ids["albuquerque-center"]])
    responses.submit_for_review(store, approved)
    approve_as_read(store, approved, "Timothy M. Keller", "Mayor")
    submitted = start_psp(store, ids["baltimore"]).summary.id
    answer_all_required(store, submitted, [ids["baltimore-center"]])
    responses.submit_for_review(store, submitted)
    approve_as_read(store, submitted, "Jack Young", "Mayor")
    responses.mark_submitted(store, submitted, "2017-08-17", "Portal")
    ids.update(draft=draft, review=review, approved=approved, submitted=submitted)
    return ids


def test_the_rows_read_alone_are_the_listed_rows(store: Store, built) -> None:
    assert_rows_match(store)


def test_they_stay_the_same_after_changes(store: Store, built) -> None:
    draft = built["draft"]
    before = responses.response_summary(store, draft)
    assert before is not None
    responses.save_answer(
        store, draft, "notice", built["albuquerque-center"], AnswerInput(value="no")
    )
    after = responses.response_summary(store, draft)
    assert after is not None
    assert after.completeness.answered == before.completeness.answered + 1
    assert_rows_match(store)

    # A facility added changes what is required of the drafts, not what was approved.
    make_facility(store, built["albuquerque"], controlled=True, name="Second center")
    responses.return_to_draft(store, built["review"], "Check the hold answer.")
    place = records.get(store, "jurisdiction", built["baltimore"])
    records.update(store, "jurisdiction", place.id, {"name": "Baltimore"}, place.version)
    assert_rows_match(store)

    responses.delete_response(store, draft)
    assert responses.response_summary(store, draft) is None
    assert_rows_match(store)


def test_a_missing_jurisdiction_or_response_reads_as_none(store: Store, built) -> None:
    assert responses.response_summary(store, 9999) is None
    assert jurisdictions.overview_row(store, 9999) is None
    assert jurisdictions.overview_row(store, built["zuni"], "baltimore") is None
    assert jurisdictions.overview_row(store, built["zuni"], state="MD") is None
    assert jurisdictions.overview_row(store, built["zuni"], "Ärzte c") is not None


def test_list_order_is_the_order_of_the_list(store: Store, built) -> None:
    for name in ("aaron", "Zeta", "Élan", "city of Albuquerque", "Ötztal", "_under"):
        make_jurisdiction(store, name=name, state="TX")
    listed_order = jurisdictions.overview(store)
    assert sorted(listed_order, key=jurisdictions.list_order) == listed_order


# ----------------------------------------------------------------------------- server collation

NAMES = ("baltimore city", "City of Albuquerque", "Ärzte County", "ab c", "abc", "a-z", "a z",
         "Éa", "eb", "_x", "Zeta", "50% Town", "Back\\slash")  # fmt: skip
SEARCHES = ("", "ä", "Ä", "ärzte", "a", "A Z", "-", "%", "_", "\\", "back\\s", "é", "CITY")


def _listed(store: Store) -> dict[str, object]:
    for name in NAMES:
        place = make_jurisdiction(store, name=name, police_agency=f"{name} Police")
        make_facility(store, place.id, name=f"{name} jail")
    staff.create(store, staff.StaffInput("émile Zola", "Clerk", prepares=True))
    staff.create(store, staff.StaffInput("Emma Stone", "Clerk", prepares=True))
    staff.create(store, staff.StaffInput("Ärzte Anna", "Clerk", prepares=True))
    overview = jurisdictions.overview(store)
    return {
        "overview": [j.name for j in overview],
        "list_order": [j.name for j in sorted(overview, key=jurisdictions.list_order)],
        "found": {text: [j.name for j in jurisdictions.overview(store, text)] for text in SEARCHES},
        "facilities": [r["name"] for r in records.list_records(store, "facility")],
        "staff": [e.name for e in staff.list_staff(store)],
    }


@pytest.mark.postgresql_only
def test_a_server_with_a_linguistic_collation_lists_and_finds_what_a_file_does(
    db_location: Location, tmp_path: Path
) -> None:
    """Most servers' databases collate linguistically (en_US.UTF-8): lists are still in the
    order a file gives, and searches find what they find in a file."""
    try:
        create_database(db_location, "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' TEMPLATE template0")
    except psycopg.Error as exc:
        pytest.skip(f"this PostgreSQL has no ICU collations: {exc}")
    server = open_store(db_location, actor="Test Clerk")
    file = open_store(tmp_path / "reference.sqlite", actor="Test Clerk")
    try:
        assert raw_one(server, "SELECT datlocprovider FROM pg_database WHERE datname = "
                       "current_database()") == "i"  # fmt: skip
        on_the_server, in_the_file = _listed(server), _listed(file)
    finally:
        server.close()
        file.close()
    assert on_the_server == in_the_file
    assert in_the_file["overview"] == in_the_file["list_order"]
    assert in_the_file["found"]["ä"] == []  # SQLite folds A-Z only
