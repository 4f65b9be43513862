"""Two cities answering the August 2017 PSP letter, one approved: data the report tests share."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.reports import exports
from app.services import evidence, records, responses
from app.services.responses import AnswerInput
from app.services.store import Store, open_store
from tests.helpers import (
    answer_all_required,
    approve_as_read,
    make_facility,
    make_jurisdiction,
    start_psp,
)

PSP = "doj-psp-2017"


def build_sample_data(store: Store) -> list[int]:
    """Two cities answering the August 2017 PSP letter; returns the response ids.

    Albuquerque's response is approved (a filed letter); Baltimore's is a draft. Wording follows
    the public reporting in the domain facts; numbers the facts do not give are left empty.
    """
    abq = records.create(
        store,
        "jurisdiction",
        {
            "name": "City of Albuquerque",
            "kind": "city",
            "state": "NM",
            "police_agency": "Albuquerque Police Department",
            "chief_name": "Gorden Eden Jr.",
            "chief_title": "Chief of Police",
            "chief_executive_title": "Mayor",
            "chief_legal_officer": "City Attorney",
            "letterhead_address": "Office of the City Attorney\nOne Civic Plaza NW\n"
            "Albuquerque, New Mexico",
        },
    )
    mdc = records.create(
        store,
        "facility",
        {
            "name": "Metropolitan Detention Center",
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "Bernalillo County",
            "sets_policy": False,
            "control_basis": "The county operates the jail; the city has no say in its policies.",
        },
        abq.id,
    )
    ptc = records.create(
        store,
        "facility",
        {
            "name": "Prisoner Transport Center",
            "facility_type": "transport",
            "operator_type": "city",
            "operator_name": "City of Albuquerque",
            "sets_policy": True,
            "control_basis": "Run by the Albuquerque Police Department.",
        },
        abq.id,
    )
    resolution = records.create(
        store,
        "instrument",
        {
            "instrument_type": "resolution",
            "title": "Resolution barring the use of city resources for federal immigration "
            "enforcement",
            "issuing_body": "Albuquerque City Council",
            "level": "local",
            "adopted_on": "2000-01-01",
            "summary": "City resources may not be used to enforce federal immigration law.",
        },
        abq.id,
    )
    arrangement = records.create(
        store,
        "instrument",
        {
            "instrument_type": "mou",
            "title": "Arrangement giving ICE space at the Prisoner Transport Center",
            "issuing_body": "City of Albuquerque and U.S. Immigration and Customs Enforcement",
            "level": "local",
            "adopted_on": "2009-01-01",
            "summary": "From 2009 ICE could screen arrestees at the Prisoner Transport Center; "
            "ICE gradually stopped using the space.",
        },
        abq.id,
    )
    letter_scan = evidence.attach_bytes(
        store,
        abq.id,
        "doj-psp-letter-2017-08-03.pdf",
        b"%PDF-1.4\n% sample stand-in for the scanned DOJ letter\n",
        description="The DOJ letter as received.",
        obtained_from="Office of Justice Programs",
        obtained_on="2017-08-04",
    )
    request = records.create(
        store,
        "request",
        {
            "program": "Public Safety Partnership (PSP)",
            "fiscal_year": 2017,
            "issuing_office": "U.S. Department of Justice, Office of Justice Programs, "
            "Washington, DC 20531",
            "signer": "Alan R. Hanson",
            "signer_title": "Acting Assistant Attorney General",
            "reference": "PSP immigration questions",
            "letter_date": "2017-08-03",
            "due_on": "2017-08-18",
            "addressee": "Gorden Eden Jr.",
            "addressee_title": "Chief of Police",
        },
        abq.id,
    )
    detail = responses.start_response(
        store, abq.id, PSP, request_id=request.id, prepared_by="Assistant City Attorney"
    )
    practice = {
        "access": "Since 2009 ICE had space at the Prisoner Transport Center to screen "
        "arrestees; ICE gradually stopped using it. A 2000 city resolution bars the use of city "
        "resources for immigration enforcement.",
        "notice": "The city does not hold people past booking at the Prisoner Transport Center "
        "and has no practice of release notification there.",
        "hold": "The city does not hold people at the Prisoner Transport Center on ICE "
        "requests alone.",
    }
    values = {"access": "partial", "notice": "no", "hold": "no"}
    for key, narrative in practice.items():
        responses.save_answer(
            store,
            detail.summary.id,
            key,
            ptc.id,
            AnswerInput(
                value=values[key],
                basis="both" if key == "access" else "practice",
                narrative=narrative,
                as_of=date(2017, 8, 15),
                information_source="Albuquerque Police Department",
                instrument_ids=[resolution.id, arrangement.id] if key == "access" else [],
                evidence_ids=[letter_scan.id] if key == "access" else [],
            ),
        )
    responses.save_answer(
        store,
        detail.summary.id,
        "access_conditions",
        None,
        AnswerInput(value="Access at the Prisoner Transport Center was by arrangement only."),
    )
    del mdc
    responses.submit_for_review(store, detail.summary.id)
    approve_as_read(store, detail.summary.id, "City Attorney", "City Attorney")

    bal = records.create(
        store,
        "jurisdiction",
        {
            "name": "Baltimore City",
            "kind": "city",
            "state": "MD",
            "police_agency": "Baltimore Police Department",
            "chief_name": "Kevin Davis",
            "chief_title": "Police Commissioner",
            "letterhead_address": "Baltimore, Maryland",
        },
    )
    records.create(
        store,
        "facility",
        {
            "name": "Baltimore Central Booking and Intake Center",
            "facility_type": "booking",
            "operator_type": "state",
            "operator_name": "State of Maryland, Department of Public Safety and "
            "Correctional Services",
            "sets_policy": False,
        },
        bal.id,
    )
    draft = responses.start_response(store, bal.id, PSP, prepared_by="Police legal advisor")
    return [detail.summary.id, draft.summary.id]


def letter_and_report(folder: Path, facility_name: str, narrative: str) -> tuple[Path, Path]:
    """A draft letter and a report of one city whose one facility and one answer hold the
    given text: what the tests of scripts and writing directions print."""
    store = open_store(folder / "jurisdesk.sqlite", actor="Test Clerk")
    try:
        jurisdiction = make_jurisdiction(store)
        facility = make_facility(store, jurisdiction.id, controlled=True, name=facility_name)
        response_id = start_psp(store, jurisdiction.id).summary.id
        answer_all_required(store, response_id, [facility.id])
        responses.save_answer(
            store, response_id, "access", facility.id, AnswerInput("partial", narrative=narrative)
        )
        letter = exports.export_letter(store, response_id, folder / "letter.pdf").path
        report = exports.export_report(store, jurisdiction.id, folder / "report.pdf").path
    finally:
        store.close()
    return letter, report
