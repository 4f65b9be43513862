"""The demo data: the four PSP cities, loaded once through the services, never half-loaded."""

import dataclasses
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import models
from app.services import evidence, records, responses, staff
from app.services.demo import ALBUQUERQUE, STOCKTON, DemoAnswer, load_demo
from app.services.errors import InvalidInput, NotFound
from app.services.store import Store

CITY_NAMES = ("City of Albuquerque", "Baltimore City", "City of San Bernardino", "City of Stockton")


def table_counts(db_path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db_path)) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def jurisdiction_by_name(store: Store, name: str) -> records.Record:
    return next(r for r in records.list_records(store, "jurisdiction") if r["name"] == name)


def facilities_of(store: Store, name: str) -> dict[str, records.Record]:
    jurisdiction = jurisdiction_by_name(store, name)
    return {r["name"]: r for r in records.list_records(store, "facility", jurisdiction.id)}


@pytest.fixture
def loaded(store: Store) -> Store:
    result = load_demo(store)
    assert result.created == CITY_NAMES
    assert result.existing == ()
    return store


def test_the_four_cities_with_their_police_chiefs(loaded: Store) -> None:
    chiefs = {
        r["name"]: (r["state"], r["police_agency"], r["chief_name"], r["chief_title"])
        for r in records.list_records(loaded, "jurisdiction")
    }
    assert chiefs == {
        "City of Albuquerque": (
            "NM",
            "Albuquerque Police Department",
            "Gorden Eden Jr.",
            "Chief of Police",
        ),
        "Baltimore City": (
            "MD",
            "Baltimore Police Department",
            "Kevin Davis",
            "Police Commissioner",
        ),
        "City of San Bernardino": (
            "CA",
            "San Bernardino Police Department",
            "Jarrod Burguan",
            "Chief of Police",
        ),
        "City of Stockton": ("CA", "Stockton Police Department", "Eric Jones", "Chief of Police"),
    }
    assert jurisdiction_by_name(loaded, "City of Albuquerque")["chief_executive"] == "Richard Berry"
    assert jurisdiction_by_name(loaded, "Baltimore City")["chief_executive"] == "Catherine Pugh"


def test_who_runs_each_facility(loaded: Store) -> None:
    def control(city: str) -> dict[str, tuple[str, str, bool]]:
        return {
            name: (f["operator_type"], f["operator_name"], f["sets_policy"])
            for name, f in facilities_of(loaded, city).items()
        }

    maryland = "State of Maryland — Department of Public Safety and Correctional Services"
    assert control("City of Albuquerque") == {
        "Metropolitan Detention Center": ("county", "Bernalillo County", False),
        "Prisoner Transport Center": ("city", "City of Albuquerque", True),
    }
    assert control("Baltimore City") == {
        "Baltimore Central Booking and Intake Center": ("state", maryland, False),
        "Baltimore City Detention Center (city jail)": ("state", maryland, False),
    }
    assert control("City of San Bernardino") == {
        "West Valley Detention Center": ("county", "San Bernardino County Sheriff", False),
    }
    assert control("City of Stockton") == {
        "San Joaquin County Jail": ("county", "San Joaquin County Sheriff", False),
    }


def test_each_city_has_the_psp_letter_due_august_18(loaded: Store) -> None:
    for name in CITY_NAMES:
        jurisdiction = jurisdiction_by_name(loaded, name)
        (request,) = records.list_records(loaded, "request", jurisdiction.id)
        assert request["program"] == "Public Safety Partnership (PSP)"
        assert request["fiscal_year"] == 2017
        assert request["signer"] == "Alan R. Hanson"
        assert request["signer_title"] == "Acting Assistant Attorney General"
        assert request["issuing_office"].endswith("Washington, DC 20531")
        assert request["letter_date"] == date(2017, 8, 3)
        assert request["due_on"] == date(2017, 8, 18)
        assert request["addressee"] == jurisdiction["chief_name"]
        assert request["addressee_title"] == jurisdiction["chief_title"]
        assert "to be confirmed" in request["instructions"]
        expected_received = date(2017, 8, 2) if name == "Baltimore City" else date(2017, 8, 3)
        assert request["received_on"] == expected_received


def test_a_draft_psp_response_per_city_pinned_to_version_1(loaded: Store) -> None:
    summaries = {s.jurisdiction_name: s for s in responses.list_responses(loaded)}
    assert set(summaries) == set(CITY_NAMES)
    for name, summary in summaries.items():
        assert summary.questionnaire_key == "doj-psp-2017"
        assert summary.questionnaire_version == 1
        assert summary.status == "draft"
        assert summary.due_on == date(2017, 8, 18)
        (request,) = records.list_records(loaded, "request", summary.jurisdiction_id)
        assert summary.request_id == request.id, name
    # Albuquerque still has open answers, so the demo shows what "missing" looks like.
    assert not summaries["City of Albuquerque"].completeness.complete
    for name in ("Baltimore City", "City of San Bernardino", "City of Stockton"):
        assert summaries[name].completeness.complete, name


def test_albuquerque_jail_is_prefilled_as_bernalillo_countys(loaded: Store) -> None:
    facilities = facilities_of(loaded, "City of Albuquerque")
    mdc = facilities["Metropolitan Detention Center"].id
    ptc = facilities["Prisoner Transport Center"].id
    (summary,) = responses.list_responses(
        loaded, jurisdiction_by_name(loaded, "City of Albuquerque").id
    )
    detail = responses.get_response(loaded, summary.id)
    for question in ("access", "notice", "hold"):
        answer = detail.answer(question, mdc)
        assert answer is not None, question
        assert answer.value == "outside_control"
        assert answer.result == "outside_control"
        assert answer.narrative is not None
        assert "Bernalillo County" in answer.narrative
    transport = detail.answer("access", ptc)
    assert transport is not None
    assert transport.result == "partial"
    assert transport.narrative is not None
    assert "2009" in transport.narrative
    cited = {
        records.get(loaded, "instrument", i)["instrument_type"] for i in transport.instrument_ids
    }
    assert "mou" in cited
    assert len(transport.evidence_ids) == 1
    assert detail.answer("notice", ptc) is None
    assert detail.answer("hold", ptc) is None


def test_public_answers_are_recorded_as_statements(loaded: Store) -> None:
    statements = {}
    for summary in responses.list_responses(loaded):
        answer = responses.get_response(loaded, summary.id).answer("statement")
        assert answer is not None, summary.jurisdiction_name
        statements[summary.jurisdiction_name] = str(answer.value)
    assert statements["City of Stockton"].startswith("The questions are not applicable")
    assert "do not enforce federal immigration laws" in statements["Baltimore City"]
    assert "ended its sanctuary policy in 2010" in statements["City of Albuquerque"]
    assert "does not run a jail" in statements["City of San Bernardino"]


def test_grant_conditions_differ_for_california(loaded: Store) -> None:
    for name in CITY_NAMES:
        jurisdiction = jurisdiction_by_name(loaded, name)
        (award,) = records.list_records(loaded, "award", jurisdiction.id)
        assert award["program"].startswith("Edward Byrne Memorial Justice Assistance Grant")
        assert award["fiscal_year"] == 2017
        conditions = records.list_records(loaded, "condition", award.id)
        titles = {c["title"] for c in conditions}
        assert titles == {
            "Certification of compliance with 8 U.S.C. 1373",
            "Access to correctional facilities",
            "Advance notice of scheduled release",
        }
        expected = "not_enforced" if jurisdiction["state"] == "CA" else "in_force"
        assert {c["status"] for c in conditions} == {expected}, name


def test_contacts_instruments_statistics_and_evidence(loaded: Store) -> None:
    for name in CITY_NAMES:
        jurisdiction = jurisdiction_by_name(loaded, name)
        roles = {c["role"]: c for c in records.list_records(loaded, "contact", jurisdiction.id)}
        assert roles["signatory"]["name"] == jurisdiction["chief_name"]
        assert "(name to be confirmed)" in roles["reviewer"]["name"]
    baltimore = jurisdiction_by_name(loaded, "Baltimore City")
    (stat,) = records.list_records(loaded, "statistic", baltimore.id)
    assert (stat["period_start"], stat["period_end"], stat["received"]) == (
        date(2015, 1, 1),
        date(2017, 8, 31),
        40,
    )
    assert "received none" in stat["notes"]
    san_bernardino = jurisdiction_by_name(loaded, "City of San Bernardino")
    types = {
        r["instrument_type"] for r in records.list_records(loaded, "instrument", san_bernardino.id)
    }
    assert {"state_statute", "287g"} <= types
    albuquerque = jurisdiction_by_name(loaded, "City of Albuquerque")
    (letter,) = records.list_records(loaded, "evidence", albuquerque.id)
    assert letter["media_type"] == "text/plain"
    assert evidence.verify(loaded, letter.id)
    assert b"Bernalillo County" in evidence.content_of(loaded, letter.id)


def test_every_change_is_audited_under_the_stores_actor(loaded: Store) -> None:
    with loaded.reading() as session:
        actors = set(session.scalars(select(models.AuditEntry.actor).distinct()))
        creations = session.scalar(
            select(func.count()).where(
                models.AuditEntry.action == "create",
                models.AuditEntry.entity_kind == "jurisdiction",
            )
        )
    assert actors == {"Test Clerk"}
    assert creations == 4


def test_loading_twice_creates_nothing(loaded: Store, db_path: Path) -> None:
    before = table_counts(db_path)
    again = load_demo(loaded)
    assert again.created == ()
    assert again.existing == CITY_NAMES
    assert table_counts(db_path) == before


def test_a_users_own_city_of_the_same_name_is_left_alone(store: Store) -> None:
    own = records.create(
        store, "jurisdiction", {"name": "City of Stockton", "kind": "city", "state": "CA"}
    )
    result = load_demo(store)
    assert result.existing == ("City of Stockton",)
    assert len(result.created) == 3
    assert records.list_records(store, "facility", own.id) == []
    assert records.get(store, "jurisdiction", own.id)["police_agency"] is None


def test_a_failure_part_way_leaves_no_half_city(store: Store, db_path: Path) -> None:
    broken = dataclasses.replace(STOCKTON, answers=(DemoAnswer("no-such-question", "x"),))
    with pytest.raises(NotFound):
        load_demo(store, cities=(ALBUQUERQUE, broken))
    names = [r["name"] for r in records.list_records(store, "jurisdiction")]
    assert names == ["City of Albuquerque"]
    counts = table_counts(db_path)
    albuquerque = jurisdiction_by_name(store, "City of Albuquerque")
    assert counts["facility"] == len(records.list_records(store, "facility", albuquerque.id))
    assert counts["response"] == 1
    assert counts["grant_award"] == 1
    # Running the demo again then completes the missing city.
    assert load_demo(store).created == tuple(n for n in CITY_NAMES if n != "City of Albuquerque")


def test_a_failure_creating_a_facility_rolls_back_the_city(store: Store, db_path: Path) -> None:
    bad_facility = dict(STOCKTON.facilities[0]) | {"operator_type": "martian"}
    broken = dataclasses.replace(STOCKTON, facilities=(bad_facility,))
    with pytest.raises(InvalidInput):
        load_demo(store, cities=(broken,))
    counts = table_counts(db_path)
    assert {
        t: n for t, n in counts.items() if n and t not in ("alembic_version", "audit_entry")
    } == {}


def test_the_demo_office_has_a_small_staff_list(loaded: Store) -> None:
    people = {e.name: (e.title, e.roles_text, e.active) for e in staff.list_staff(loaded)}
    assert people == {
        "Dana Whitfield": ("City Attorney", "Approves", True),
        "Marcus Ortega": ("Deputy City Attorney", "Reviews, approves", True),
        "Priya Raman": ("Assistant City Attorney", "Prepares, reviews", True),
        "Tom Becker": ("Paralegal", "Prepares", True),
        "Lena Fischer": ("Paralegal", "Prepares", False),
    }
    # The office's own list is never topped up with demo people.
    staff.deactivate(loaded, staff.list_staff(loaded)[0].id)
    load_demo(loaded)
    assert len(staff.list_staff(loaded)) == len(people)
