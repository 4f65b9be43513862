"""The demo data: the four PSP cities, loaded once through the services, never half-loaded."""

import dataclasses
from datetime import date

import pytest
from sqlalchemy import func, select

from app import models
from app.services import evidence, letters, records, responses, staff
from app.services.demo import ALBUQUERQUE, STOCKTON, DemoAnswer, load_demo
from app.services.errors import InvalidInput, NotFound
from app.services.store import Store
from tests.stores import table_counts

pytestmark = pytest.mark.both_stores

CITY_NAMES = ("City of Albuquerque", "Baltimore City", "City of San Bernardino", "City of Stockton")


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
    }
    assert control("City of San Bernardino") == {
        "San Bernardino County jail system": ("county", "San Bernardino County Sheriff", False),
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


def test_a_draft_psp_response_per_city_pinned_to_version_2(loaded: Store) -> None:
    summaries = {s.jurisdiction_name: s for s in responses.list_responses(loaded)}
    assert set(summaries) == set(CITY_NAMES)
    for name, summary in summaries.items():
        assert summary.questionnaire_key == "doj-psp-2017"
        assert summary.questionnaire_version == 2
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
    cited = {records.get(loaded, "instrument", i)["title"] for i in transport.instrument_ids}
    assert "Arrangement with ICE at the Prisoner Transport Center (2009)" in cited
    assert len(transport.evidence_ids) == 1
    assert detail.answer("notice", ptc) is None
    assert detail.answer("hold", ptc) is None


def test_public_answers_are_recorded_as_statements(loaded: Store) -> None:
    statements = {}
    for summary in responses.list_responses(loaded):
        answer = responses.get_response(loaded, summary.id).answer("statement")
        assert answer is not None, summary.jurisdiction_name
        statements[summary.jurisdiction_name] = str(answer.value)
    assert "the questions are not applicable" in statements["City of Stockton"]
    assert "does not enforce federal immigration laws" in statements["Baltimore City"]
    assert "ended its sanctuary policy in 2010" in statements["City of Albuquerque"]
    assert "suspended its 287(g) agreement" in statements["City of San Bernardino"]


def test_grant_conditions_differ_for_california(loaded: Store) -> None:
    for name in CITY_NAMES:
        jurisdiction = jurisdiction_by_name(loaded, name)
        (award,) = records.list_records(loaded, "award", jurisdiction.id)
        assert award["program"].startswith("Edward Byrne Memorial Justice Assistance Grant")
        assert award["fiscal_year"] == 2017
        conditions = records.list_records(loaded, "condition", award.id)
        if jurisdiction["state"] != "CA":
            # No documented status outside California: the award's notes explain.
            assert conditions == [], name
            continue
        titles = {c["title"] for c in conditions}
        assert titles == {
            "Certification of compliance with 8 U.S.C. 1373",
            "Access to correctional facilities",
            "Advance notice of scheduled release",
        }
        assert {c["status"] for c in conditions} == {"not_enforced"}, name


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
        date(2017, 10, 31),
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


def test_loading_twice_creates_nothing(loaded: Store) -> None:
    before = table_counts(loaded)
    again = load_demo(loaded)
    assert again.created == ()
    assert again.existing == CITY_NAMES
    assert table_counts(loaded) == before


def test_a_users_own_city_of_the_same_name_is_left_alone(store: Store) -> None:
    own = records.create(
        store, "jurisdiction", {"name": "City of Stockton", "kind": "city", "state": "CA"}
    )
    result = load_demo(store)
    assert result.existing == ("City of Stockton",)
    assert len(result.created) == 3
    assert records.list_records(store, "facility", own.id) == []
    assert records.get(store, "jurisdiction", own.id)["police_agency"] is None


def test_a_failure_part_way_leaves_no_half_city(store: Store) -> None:
    broken = dataclasses.replace(STOCKTON, answers=(DemoAnswer("no-such-question", "x"),))
    with pytest.raises(NotFound):
        load_demo(store, cities=(ALBUQUERQUE, broken))
    names = [r["name"] for r in records.list_records(store, "jurisdiction")]
    assert names == ["City of Albuquerque"]
    counts = table_counts(store)
    albuquerque = jurisdiction_by_name(store, "City of Albuquerque")
    assert counts["facility"] == len(records.list_records(store, "facility", albuquerque.id))
    assert counts["response"] == 1
    assert counts["grant_award"] == 1
    # Running the demo again then completes the missing city.
    assert load_demo(store).created == tuple(n for n in CITY_NAMES if n != "City of Albuquerque")


def test_a_failure_creating_a_facility_rolls_back_the_city(store: Store) -> None:
    bad_facility = dict(STOCKTON.facilities[0]) | {"operator_type": "martian"}
    broken = dataclasses.replace(STOCKTON, facilities=(bad_facility,))
    with pytest.raises(InvalidInput):
        load_demo(store, cities=(broken,))
    counts = table_counts(store)
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


# ----------------------------------------------------------------------------- corrections


def instruments_of(store: Store, name: str) -> dict[str, records.Record]:
    jurisdiction = jurisdiction_by_name(store, name)
    return {r["title"]: r for r in records.list_records(store, "instrument", jurisdiction.id)}


def response_of(store: Store, name: str) -> responses.ResponseDetail:
    (summary,) = responses.list_responses(store, jurisdiction_by_name(store, name).id)
    return responses.get_response(store, summary.id)


def cited_titles(store: Store, answer: responses.AnswerRecord | None) -> set[str]:
    assert answer is not None
    return {records.get(store, "instrument", i)["title"] for i in answer.instrument_ids}


def test_baltimore_city_detention_center_closed_in_2015_is_not_a_2017_facility(
    loaded: Store,
) -> None:
    facilities = facilities_of(loaded, "Baltimore City")
    assert all("Detention Center" not in name for name in facilities)
    booking = facilities["Baltimore Central Booking and Intake Center"]
    assert "closed on August 25, 2015" in booking["control_basis"]
    assert "since 1991" in booking["control_basis"]
    statement = response_of(loaded, "Baltimore City").answer("statement")
    assert statement is not None
    assert "city jail" not in str(statement.value)
    # The letter says once, in its opening, who runs the facility.
    baltimore = response_of(loaded, "Baltimore City").summary.id
    opening = letters.composed_letter(loaded, baltimore).opening.text
    assert "Department of Public Safety and Correctional Services" in opening


def test_baltimores_40_hold_requests_are_not_known_in_august_2017(loaded: Store) -> None:
    baltimore = jurisdiction_by_name(loaded, "Baltimore City")
    for stat in records.list_records(loaded, "statistic", baltimore.id):
        if stat["received"] == 40:
            assert stat["period_end"] >= date(2017, 10, 1)
            assert "October 2017" in stat["source"]
    detail = response_of(loaded, "Baltimore City")
    for answer in detail.answers:
        printed = " ".join(str(t) for t in (answer.value, answer.narrative, answer.conditions))
        assert "40" not in printed, answer.question_key


def test_baltimores_chief_legal_officer_is_the_city_solicitor(loaded: Store) -> None:
    baltimore = jurisdiction_by_name(loaded, "Baltimore City")
    assert baltimore["chief_legal_officer_title"] == "City Solicitor"
    titles = {c["title"] for c in records.list_records(loaded, "contact", baltimore.id)}
    assert "City Solicitor" in titles
    assert "City Attorney" not in titles


def test_san_bernardino_holds_rest_on_miranda_olivares_not_the_trust_act(loaded: Store) -> None:
    instruments = instruments_of(loaded, "City of San Bernardino")
    case = instruments["Miranda-Olivares v. Clackamas County"]
    assert case["instrument_type"] == "court_decision"
    assert case["citation"] == "D. Or., April 2014"
    assert any("May 15, 2014" in t for t in instruments)
    detail = response_of(loaded, "City of San Bernardino")
    (jails,) = facilities_of(loaded, "City of San Bernardino").values()
    assert jails["name"] == "San Bernardino County jail system"
    hold = detail.answer("hold", jails.id)
    cited = cited_titles(loaded, hold)
    assert "Miranda-Olivares v. Clackamas County" in cited
    assert "California TRUST Act" not in cited
    assert "California TRUST Act" not in cited_titles(loaded, detail.answer("statement"))


def test_stocktons_no_questions_about_status_is_police_practice(loaded: Store) -> None:
    statement = response_of(loaded, "City of Stockton").answer("statement")
    assert statement is not None
    assert "do not stop or question people" in str(statement.value)
    assert statement.basis == "practice"
    assert statement.instrument_ids == ()


def test_albuquerque_guidelines_mou_vote_and_place_code(loaded: Store) -> None:
    instruments = instruments_of(loaded, "City of Albuquerque")
    arrangement = instruments["Arrangement with ICE at the Prisoner Transport Center (2009)"]
    assert arrangement["instrument_type"] != "mou"
    assert "written MOU" in arrangement["summary"]
    assert "to be confirmed" in arrangement["summary"]
    guidelines = next(r for t, r in instruments.items() if t.startswith("Mayor's guidelines"))
    assert "2010" in guidelines["title"]
    county = instruments["Bernalillo County resolution on ICE hold requests (March 2017)"]
    assert "4–1" in county["summary"]
    detail = response_of(loaded, "City of Albuquerque")
    ptc = facilities_of(loaded, "City of Albuquerque")["Prisoner Transport Center"].id
    access = detail.answer("access", ptc)
    assert access is not None
    assert access.basis == "both"  # written guidelines as well as practice
    assert guidelines["title"] in cited_titles(loaded, access)
    jurisdiction = jurisdiction_by_name(loaded, "City of Albuquerque")
    assert jurisdiction["fips"] is None  # 35001 is Bernalillo County's code
    assert "35001" in jurisdiction["notes"]


def test_no_county_fips_code_stands_as_a_citys_own(loaded: Store) -> None:
    for name, county in (
        ("City of Albuquerque", "35001"),
        ("City of San Bernardino", "06071"),
        ("City of Stockton", "06077"),
    ):
        assert jurisdiction_by_name(loaded, name)["fips"] != county, name


def test_no_jag_condition_in_force_on_the_letter_date(loaded: Store) -> None:
    for name in CITY_NAMES:
        jurisdiction = jurisdiction_by_name(loaded, name)
        (award,) = records.list_records(loaded, "award", jurisdiction.id)
        assert "September 5, 2017" in award["notes"]
        for condition in records.list_records(loaded, "condition", award.id):
            assert condition["status"] != "in_force", name
            assert condition["status_as_of"] != date(2017, 8, 3), name


def test_answers_printed_by_the_letter_hold_no_placeholder(loaded: Store) -> None:
    for summary in responses.list_responses(loaded):
        placeholders = [
            f.message
            for f in responses.get_response(loaded, summary.id).findings
            if f.rule == "placeholder_text"
        ]
        assert placeholders == [], summary.jurisdiction_name


def test_three_cities_pass_the_checks_and_albuquerque_shows_its_gaps(loaded: Store) -> None:
    for name in ("Baltimore City", "City of San Bernardino", "City of Stockton"):
        assert response_of(loaded, name).errors == (), name
    # Nothing public says how the city-run Prisoner Transport Center handles release notice
    # or holds, so those stay open and the checks say so.
    gaps = {(f.question_key, f.rule) for f in response_of(loaded, "City of Albuquerque").errors}
    assert gaps == {
        ("notice", "controlled_facility_unanswered"),
        ("hold", "controlled_facility_unanswered"),
    }
