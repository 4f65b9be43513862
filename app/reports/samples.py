"""Writes sample letters, reports and workbooks from a temporary demo database.

Usage: ``python -m app.reports.samples docs/samples`` (``make samples``). Uses the demo cities
of app.services.demo when that module is installed, else the small record built here.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from app.services import evidence, records, responses
from app.services.responses import AnswerInput
from app.services.store import Store, open_store

PSP = "doj-psp-2017"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "jurisdiction"


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
    responses.approve(store, detail.summary.id, "City Attorney", "City Attorney")

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


def _load(store: Store) -> list[int]:
    try:
        from app.services import demo  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return build_sample_data(store)
    demo.load_demo(store)
    summaries = responses.list_responses(store)
    # One signed letter beside the drafts: the first demo response with nothing missing goes
    # through review and approval, as a city attorney would.
    complete = next((s for s in summaries if s.completeness.complete), None)
    if complete is not None:
        responses.submit_for_review(store, complete.id)
        responses.approve(
            store, complete.id, "City Attorney (name to be confirmed)", "City Attorney"
        )
    return [s.id for s in summaries]


def write_samples(out: Path) -> list[Path]:
    from app.reports import exports

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "samples.sqlite", actor="Jurisdesk samples")
        try:
            response_ids = _load(store)
            jurisdictions: dict[int, str] = {}
            keys: set[str] = set()
            for response_id in response_ids:
                detail = responses.get_response(store, response_id)
                s = detail.summary
                slug = f"{_slug(s.jurisdiction_name)}-{s.questionnaire_key}-{response_id}"
                written.append(exports.export_letter(store, response_id,
                                                     out / f"{slug}-letter.pdf").path)  # fmt: skip
                written.append(
                    exports.export_response_workbook(store, response_id, out / f"{slug}.xlsx").path
                )
                jurisdictions[s.jurisdiction_id] = s.jurisdiction_name
                keys.add(s.questionnaire_key)
            for jurisdiction_id, name in sorted(jurisdictions.items()):
                written.append(
                    exports.export_report(
                        store, jurisdiction_id, out / f"{_slug(name)}-report.pdf"
                    ).path
                )
            for key in sorted(keys):
                written.append(
                    exports.export_comparison(store, key, out / f"comparison-{key}.xlsx").path
                )
        finally:
            store.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m app.reports.samples FOLDER", file=sys.stderr)
        return 2
    for path in write_samples(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
