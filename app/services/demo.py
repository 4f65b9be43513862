"""Demo data: the four cities that received the DOJ Public Safety Partnership letter in 2017."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import models
from app.services import evidence, records, responses, staff
from app.services.responses import AnswerInput
from app.services.store import Store

# Everything here comes from /work/shared/domain/FACTS.md and the August 2017 press report.
# Filler (population, addresses) is public record; anything not in the facts is marked
# "to be confirmed" so nobody mistakes demo text for a verified answer. That mark lives only in
# fields the letter does not print (notes, summaries, descriptions): the consistency checks
# refuse a letter that prints it, so printed text states only what is verified.

QUESTIONNAIRE = "doj-psp-2017"
# Pinned: version 2 carries the 2017 letter's questions word for word, so the demo letters quote
# them as issued; versions shipped later do not change the demo.
QUESTIONNAIRE_VERSION = 2
LETTER_DATE = date(2017, 8, 3)
DUE_DATE = date(2017, 8, 18)
TBC = "to be confirmed"


@dataclass(frozen=True)
class DemoResult:
    """Which demo jurisdictions this run created and which were already in the database."""

    created: tuple[str, ...]  # jurisdiction names
    existing: tuple[str, ...]  # already present by name and state, so left untouched


@dataclass(frozen=True)
class DemoEvidence:
    filename: str
    content: bytes
    description: str
    obtained_from: str | None = None
    instrument: str | None = None  # title of the instrument the file is a copy of


@dataclass(frozen=True)
class DemoAnswer:
    question: str
    value: str
    facility: str | None = None  # facility name, for per-facility questions
    narrative: str | None = None
    conditions: str | None = None
    basis: str | None = None
    information_source: str | None = None
    as_of: date | None = LETTER_DATE
    instruments: tuple[str, ...] = ()  # instrument titles
    evidence: tuple[str, ...] = ()  # evidence file names


@dataclass(frozen=True)
class DemoCity:
    jurisdiction: Mapping[str, Any]
    request: Mapping[str, Any]
    facilities: tuple[Mapping[str, Any], ...] = ()
    instruments: tuple[Mapping[str, Any], ...] = ()
    evidence: tuple[DemoEvidence, ...] = ()
    # "facility" holds a facility name; it is swapped for the facility's id when created.
    statistics: tuple[Mapping[str, Any], ...] = ()
    award: Mapping[str, Any] | None = None
    conditions: tuple[Mapping[str, Any], ...] = ()
    contacts: tuple[Mapping[str, Any], ...] = ()
    answers: tuple[DemoAnswer, ...] = field(default=())
    # The date the office gives its reply letter (the letter is otherwise as drafted).
    letter_date: date | None = None

    @property
    def name(self) -> str:
        return str(self.jurisdiction["name"])

    @property
    def state(self) -> str:
        return str(self.jurisdiction["state"])


# ----------------------------------------------------------------------------- shared pieces


def _psp_request(addressee: str, title: str, received_on: date) -> dict[str, Any]:
    return {
        "program": "Public Safety Partnership (PSP)",
        "fiscal_year": 2017,
        "issuing_office": "U.S. Department of Justice, Office of Justice Programs, "
        "Washington, DC 20531",
        "signer": "Alan R. Hanson",
        "signer_title": "Acting Assistant Attorney General",
        "letter_date": LETTER_DATE,
        "received_on": received_on,
        "due_on": DUE_DATE,
        "addressee": addressee,
        "addressee_title": title,
        "instructions": "Respond no later than August 18, 2017. "
        "(Exact attachment and delivery instructions: to be confirmed from the letter.)",
    }


def _jag_award() -> dict[str, Any]:
    return {
        "program": "Edward Byrne Memorial Justice Assistance Grant (JAG)",
        "fiscal_year": 2017,
        "status": "applied",
        "notes": "Demo record. The FY2017 local solicitation was issued in August 2017 with "
        "applications due September 5, 2017, so on August 3, 2017 no FY2017 award existed and "
        "none of its conditions was in force. Whether and when the city applied, the "
        "application and award numbers and the amount are to be confirmed. The 8 U.S.C. 1373 "
        "certification must be signed by the chief legal officer before the award is accepted; "
        "the FY2017 acceptance deadline was extended to October 5, 2018. The JAG conditions "
        "never included the 48-hour hold the PSP letter asks about.",
    }


_CERTIFICATION_TEXT = (
    "A certification of compliance with 8 U.S.C. 1373 (a) and (b), signed under penalty of "
    "perjury by the jurisdiction's chief legal officer before accepting the award; OJP relies "
    "on it as a material representation."
)
_ACCESS_TEXT = (
    "A rule or practice ensuring federal agents can access the jurisdiction's (or its "
    "contracted) correctional facilities to meet aliens and ask about their status."
)
_NOTICE_TEXT = (
    "When a facility receives a formal written DHS request for advance notice of a particular "
    "alien's scheduled release, it honors it and gives notice as early as practicable."
)


def _jag_conditions(*, california: bool) -> tuple[dict[str, Any], ...]:
    """The FY2017 conditions whose status the public record gives for the city.

    A condition binds only through an accepted award, and on August 3, 2017 no FY2017 award
    existed, so none is recorded as in force. Only California's cities have a documented status
    (DOJ's later word that it would not enforce them); elsewhere the status depends on an award
    and on court orders the demo cannot date, so the award's notes explain and no condition is
    recorded.
    """
    if not california:
        return ()
    status: dict[str, Any] = {
        "status": "not_enforced",
        "status_as_of": None,
        "status_authority": "DOJ said, after the FY2017 solicitation, that it would not enforce "
        "FY2017 conditions 52–56 for California and its subdivisions (date of the notice, and "
        "which number is which condition: to be confirmed). No FY2017 award existed on "
        "August 3, 2017.",
    }
    return (
        {"title": "Certification of compliance with 8 U.S.C. 1373", "text": _CERTIFICATION_TEXT}
        | status,
        {"title": "Access to correctional facilities", "text": _ACCESS_TEXT} | status,
        {"title": "Advance notice of scheduled release", "text": _NOTICE_TEXT} | status,
    )


def _contacts(
    chief: str, chief_title: str, agency: str, lawyer_title: str, office: str
) -> tuple[dict[str, Any], ...]:
    return (
        {"name": chief, "title": chief_title, "organization": agency, "role": "signatory",
         "notes": "Addressee of the PSP letter."},
        {"name": f"{lawyer_title} (name to be confirmed)", "title": lawyer_title,
         "organization": office, "role": "reviewer",
         "notes": "Placeholder: reviews the answer before it is signed."},
    )  # fmt: skip


_TRUST_ACT: dict[str, Any] = {
    "instrument_type": "state_statute",
    "title": "California TRUST Act",
    "issuing_body": "California Legislature",
    "level": "state",
    # The letter prints a cited instrument's citation, so the unverified bill and code
    # sections stay in the summary until checked.
    "citation": None,
    "summary": "In force since 2014. Limits when California jails may hold people on "
    f"federal immigration detainers. Bill and code sections (AB 4 of 2013; Cal. Gov. Code "
    f"§§ 7282–7282.5): {TBC}.",
}
_TRUTH_ACT: dict[str, Any] = {
    "instrument_type": "state_statute",
    "title": "California TRUTH Act",
    "issuing_body": "California Legislature",
    "level": "state",
    "citation": None,
    "summary": "Enacted 2016. Requires a written consent form before an ICE interview and "
    "makes records of ICE access public records. Bill and code sections (AB 2792 of 2016; "
    f"Cal. Gov. Code §§ 7283–7283.2): {TBC}.",
}

_DEMO_NOTE = (
    "Demo data from public reporting of August 2017. Population is the 2010 Census count; "
    "letterhead address: to be confirmed."
)
# A city's own FIPS place code differs from its county's; the demo's sources give neither for
# the three cities inside a county, so the field stays empty rather than hold the county's.
_NO_PLACE_CODE = (
    " FIPS: the city's own place code is to be confirmed ({county} is {county_name}'s county "
    "code, not the city's)."
)


# ----------------------------------------------------------------------------- the four cities

_BERRY_LETTER = DemoEvidence(
    filename="berry-letter-to-sessions-2017-08-03-summary.txt",
    content=(
        b"Jurisdesk demo file. This is a summary of press reporting, not the letter itself.\n"
        b"\n"
        b"Letter from Albuquerque Mayor Richard Berry to U.S. Attorney General Jeff Sessions,\n"
        b"sent Thursday, August 3, 2017, about the DOJ Public Safety Partnership letter.\n"
        b"As reported, the mayor:\n"
        b"- rejected the notion that Albuquerque is a sanctuary jurisdiction or that it shields\n"
        b"  criminals from immigration laws;\n"
        b"- highlighted a partnership begun in 2009 with U.S. Immigration and Customs\n"
        b"  Enforcement (ICE): ICE staff had space at the city's Prisoner Transport Center to\n"
        b"  screen people arrested for criminal offenses in the city; it worked effectively;\n"
        b"- said police noticed the presence of federal agents there decreased and ultimately\n"
        b"  stopped, which the police chief mentioned in a letter sent in February to the\n"
        b"  Department of Homeland Security;\n"
        b'- stressed that the police department "does not have the resources to enforce\n'
        b'  federal immigration laws";\n'
        b"- said questions about the jail should be directed to Bernalillo County, which\n"
        b"  operates it.\n"
        b"\n"
        b"Replace this file with a scan of the signed letter.\n"
    ),
    description="Summary of Mayor Richard Berry's letter to Attorney General Jeff Sessions "
    "(August 3, 2017), from press reports.",
    obtained_from="Public press reporting, August 2017",
)

_ABQ_RESOLUTION_2000 = "City resolution barring city resources for immigration enforcement (2000)"
_ABQ_ICE_ARRANGEMENT = "Arrangement with ICE at the Prisoner Transport Center (2009)"
_ABQ_END_SANCTUARY = "End of the city's sanctuary policy (2010)"
_ABQ_GUIDELINES_2010 = (
    "Mayor's guidelines for the ICE arrangement at the Prisoner Transport Center (2010)"
)
_BERNALILLO_2017 = "Bernalillo County resolution on ICE hold requests (March 2017)"
_MDC = "Metropolitan Detention Center"
_PTC = "Prisoner Transport Center"

ALBUQUERQUE = DemoCity(
    jurisdiction={
        "name": "City of Albuquerque",
        "kind": "city",
        "state": "NM",
        "fips": None,
        "population": 545_852,
        "police_agency": "Albuquerque Police Department",
        "chief_name": "Gorden Eden Jr.",
        "chief_title": "Chief of Police",
        "chief_executive": "Richard Berry",
        "chief_executive_title": "Mayor",
        "chief_legal_officer_title": "City Attorney",
        "letterhead_address": "Albuquerque Police Department\n400 Roma Avenue NW\n"
        "Albuquerque, NM 87102",
        "notes": _DEMO_NOTE
        + _NO_PLACE_CODE.format(county="35001", county_name="Bernalillo County")
        + " City attorney's name: to be confirmed.",
    },
    request=_psp_request("Gorden Eden Jr.", "Chief of Police", LETTER_DATE),
    facilities=(
        {
            "name": _MDC,
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "Bernalillo County",
            "sets_policy": False,
            "control_basis": "Operated by Bernalillo County, not the city; the mayor said "
            "questions about the jail should be directed to the county.",
        },
        {
            "name": _PTC,
            "facility_type": "transport",
            "operator_type": "city",
            "operator_name": "City of Albuquerque",
            "sets_policy": True,
            "control_basis": "City-run.",
        },
    ),
    instruments=(
        {
            "instrument_type": "resolution",
            "title": _ABQ_RESOLUTION_2000,
            "issuing_body": "City of Albuquerque",
            "level": "local",
            "summary": "A 2000 city resolution bars the use of city resources for immigration "
            "enforcement. Resolution number and adoption date: to be confirmed.",
        },
        {
            # Not typed as an MOU: whether the 2009 arrangement was ever written down as one is
            # unverified.
            "instrument_type": "other",
            "title": _ABQ_ICE_ARRANGEMENT,
            "issuing_body": "City of Albuquerque and U.S. Immigration and Customs Enforcement",
            "level": "local",
            "summary": "From 2009 ICE staff had space at the city-run Prisoner Transport Center "
            "to screen people arrested for criminal offenses in the city. ICE gradually "
            "stopped using it. Whether it was a written MOU, and its dates: to be confirmed.",
        },
        {
            "instrument_type": "other",
            "title": _ABQ_GUIDELINES_2010,
            "issuing_body": "Mayor of Albuquerque",
            "level": "local",
            "summary": "In 2010 Mayor Richard Berry enacted guidelines for the arrangement with "
            "ICE at the Prisoner Transport Center, so it rests on a written rule as well as "
            "practice. Form, number and exact date, and whether the same guidelines ended the "
            "sanctuary policy: to be confirmed.",
        },
        {
            "instrument_type": "other",
            "title": _ABQ_END_SANCTUARY,
            "issuing_body": "City of Albuquerque",
            "level": "local",
            "summary": "The city ended its sanctuary policy in 2010. The instrument that ended "
            "it and its date: to be confirmed.",
        },
        {
            "instrument_type": "resolution",
            "title": _BERNALILLO_2017,
            "issuing_body": "Bernalillo County",
            "level": "county",
            "summary": "In March 2017 the county commission resolved, by a 4–1 vote, not to "
            "hold people solely on ICE requests. Number and exact date: to be confirmed.",
        },
    ),
    evidence=(_BERRY_LETTER,),
    award=_jag_award(),
    conditions=_jag_conditions(california=False),
    contacts=_contacts(
        "Gorden Eden Jr.",
        "Chief of Police",
        "Albuquerque Police Department",
        "City Attorney",
        "City of Albuquerque",
    ),
    answers=(
        DemoAnswer(
            "access",
            "partial",
            facility=_PTC,
            # Written guidelines (2010) as well as what staff did.
            basis="both",
            narrative="From 2009 the city gave U.S. Immigration and Customs Enforcement space "
            "at the city-run Prisoner Transport Center to screen people arrested for criminal "
            "offenses in the city, under guidelines the mayor enacted in 2010. ICE's presence "
            "there decreased and ultimately stopped; the police chief told the Department of "
            "Homeland Security so in a letter in February 2017.",
            information_source="Mayor's letter to the Attorney General, August 3, 2017",
            instruments=(_ABQ_GUIDELINES_2010, _ABQ_ICE_ARRANGEMENT, _ABQ_RESOLUTION_2000),
            evidence=(_BERRY_LETTER.filename,),
        ),
        DemoAnswer(
            "access_conditions",
            "The arrangement was limited to screening people arrested for criminal offenses "
            "and brought to the Prisoner Transport Center; city resources are not used for "
            "immigration enforcement.",
        ),
        DemoAnswer(
            "hold",
            "outside_control",
            facility=_MDC,
            narrative="In March 2017 the Bernalillo County Commission resolved, 4–1, not "
            "to hold people solely on ICE requests.",
            information_source="Facility register: operator and control",
            instruments=(_BERNALILLO_2017,),
        ),
        # The notice and hold answers for the Prisoner Transport Center are left open: the
        # public record says nothing of release notice or holds there, and the demo shows a
        # response with required answers still missing.
        DemoAnswer(
            "statement",
            "The City of Albuquerque is not a sanctuary jurisdiction and does not shield "
            "criminals from immigration laws; the city ended its sanctuary policy in 2010. "
            "A 2000 city resolution bars city resources for immigration enforcement, and the "
            "Albuquerque Police Department does not have the resources to enforce federal "
            "immigration laws.",
            information_source="Mayor's letter to the Attorney General, August 3, 2017",
            # What the answers above say (the transport center, the county's jail) is not
            # repeated here: the letter says each fact once.
            instruments=(_ABQ_END_SANCTUARY, _ABQ_RESOLUTION_2000),
        ),
    ),
    # The demo office dates its reply on the day it is due.
    letter_date=date(2017, 8, 18),
)

_MD_OPERATOR = "State of Maryland — Department of Public Safety and Correctional Services"
_BCBIC = "Baltimore Central Booking and Intake Center"
_BPD_STATEMENT = "Baltimore Police Department statement on immigration enforcement (August 2017)"
_MD_PRACTICE = "State of Maryland statement on ICE notification and detainers (2017)"

BALTIMORE = DemoCity(
    jurisdiction={
        "name": "Baltimore City",
        "kind": "city",
        "state": "MD",
        "fips": "24510",
        "population": 620_961,
        "police_agency": "Baltimore Police Department",
        "chief_name": "Kevin Davis",
        "chief_title": "Police Commissioner",
        "chief_executive": "Catherine Pugh",
        "chief_executive_title": "Mayor",
        "chief_legal_officer_title": "City Solicitor",
        "letterhead_address": "Baltimore Police Department\n601 East Fayette Street\n"
        "Baltimore, MD 21202",
        # Baltimore City is an independent city, so its county-equivalent code is its own.
        "notes": _DEMO_NOTE
        + " FIPS 24510 is Baltimore City's county-equivalent code (an independent city)."
        " Baltimore's actual reply was a two-page letter from Police Commissioner Kevin Davis "
        "dated August 14, 2017; its text: to be confirmed. City Solicitor's name: to be "
        "confirmed.",
    },
    # Baltimore reported receiving the letter a day before its date.
    request=_psp_request("Kevin Davis", "Police Commissioner", date(2017, 8, 2)),
    facilities=(
        {
            "name": _BCBIC,
            "facility_type": "booking",
            "operator_type": "state",
            "operator_name": _MD_OPERATOR,
            "sets_policy": False,
            "control_basis": "Run by the State of Maryland, which has run Baltimore's jail "
            "complex since 1991; the mayor: “we don't even control the jails here. That's a "
            "state issue.” The Baltimore City Detention Center (the men's jail) closed on "
            "August 25, 2015, so it is not recorded as a facility in 2017.",
        },
    ),
    instruments=(
        {
            "instrument_type": "other",
            "title": _BPD_STATEMENT,
            "issuing_body": "Baltimore Police Department",
            "level": "local",
            "summary": "Emailed statement of Police Commissioner Kevin Davis, reported August 3, "
            "2017: “We do not enforce federal immigration laws. We do not ask people questions "
            "about their immigration status. We do, however, enforce the criminal laws of the "
            "State of Maryland and honor criminal arrest warrants obtained by federal law "
            "enforcement agencies.”",
        },
        {
            "instrument_type": "other",
            "title": _MD_PRACTICE,
            "issuing_body": _MD_OPERATOR,
            "level": "state",
            "summary": "The State said it alerts ICE after an arrest and 48 hours before "
            "release, and treats detainers case by case. Whether this is written policy or "
            "practice, and the date of the statement: to be confirmed.",
        },
    ),
    # Dated to when it became known: nothing the city knew on August 3, 2017 may rest on it.
    statistics=(
        {
            "period_start": date(2015, 1, 1),
            "period_end": date(2017, 10, 31),
            "received": 40,
            "source": "Public-records request, first reported by the press in October 2017",
            "notes": "At least 40 ICE hold requests since 2015, although the State had said it "
            "received none. First reported in October 2017, so not known when the PSP letter "
            "was dated (August 3, 2017) nor when Baltimore replied (August 14, 2017). Exact "
            "period covered and facility: to be confirmed.",
        },
    ),
    award=_jag_award(),
    conditions=_jag_conditions(california=False),
    contacts=_contacts(
        "Kevin Davis",
        "Police Commissioner",
        "Baltimore Police Department",
        "City Solicitor",
        "Baltimore City Law Department",
    ),
    answers=(
        DemoAnswer(
            "notice",
            "outside_control",
            facility=_BCBIC,
            narrative="The State said it alerts ICE after an arrest and 48 hours before release.",
            information_source="Public statement by the State of Maryland, 2017 (as reported)",
            instruments=(_MD_PRACTICE,),
        ),
        DemoAnswer(
            "hold",
            "outside_control",
            facility=_BCBIC,
            narrative="The State said it treats detainers case by case.",
            conditions="Case by case, per the State.",
            information_source="Public statement by the State of Maryland, 2017 (as reported)",
            instruments=(_MD_PRACTICE,),
        ),
        DemoAnswer(
            "statement",
            "The Baltimore Police Department does not enforce federal immigration laws and "
            "does not ask people questions about their immigration status. It does, however, "
            "enforce the criminal laws of the State of Maryland and honor criminal arrest "
            "warrants obtained by federal law enforcement agencies.",
            information_source="Statement of Police Commissioner Kevin Davis, August 3, 2017",
            instruments=(_BPD_STATEMENT,),
        ),
    ),
    # Baltimore's actual reply is dated August 14, 2017.
    letter_date=date(2017, 8, 14),
)

# The police chief said arrestees go to "the county jail system": the sheriff runs several
# jails and which ones take the city's arrestees is unverified, so no one jail is named.
_SB_JAILS = "San Bernardino County jail system"
_SB_SHERIFF = "San Bernardino County Sheriff"
_SB_287G = "San Bernardino County Sheriff 287(g) agreement (suspended May 15, 2014)"
_SB_PRACTICE = "San Bernardino County Sheriff: no holds past release without judicial authority"
_MIRANDA_OLIVARES = "Miranda-Olivares v. Clackamas County"

SAN_BERNARDINO = DemoCity(
    jurisdiction={
        "name": "City of San Bernardino",
        "kind": "city",
        "state": "CA",
        "fips": None,
        "population": 209_924,
        "police_agency": "San Bernardino Police Department",
        "chief_name": "Jarrod Burguan",
        "chief_title": "Chief of Police",
        "chief_legal_officer_title": "City Attorney",
        "letterhead_address": "San Bernardino Police Department\n710 North D Street\n"
        "San Bernardino, CA 92401",
        "notes": _DEMO_NOTE
        + _NO_PLACE_CODE.format(county="06071", county_name="San Bernardino County")
        + " Chief executive and city attorney: to be confirmed.",
    },
    request=_psp_request("Jarrod Burguan", "Chief of Police", LETTER_DATE),
    facilities=(
        {
            "name": _SB_JAILS,
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": _SB_SHERIFF,
            "sets_policy": False,
            "control_basis": "The city does not run a jail; the police chief said arrestees go "
            "to “the county jail system”, run by the San Bernardino County Sheriff (formerly "
            "under a 287(g) agreement), who does not hold people past release without judicial "
            "authority. Which county jails take the city's arrestees: to be confirmed.",
        },
    ),
    instruments=(
        _TRUST_ACT,
        _TRUTH_ACT,
        {
            "instrument_type": "287g",
            "title": _SB_287G,
            "issuing_body": f"{_SB_SHERIFF} and U.S. Immigration and Customs Enforcement",
            "level": "county",
            "summary": "The sheriff suspended its 287(g) agreement on May 15, 2014, citing "
            "Miranda-Olivares v. Clackamas County. Start date and whether it was later "
            "terminated: to be confirmed.",
        },
        {
            "instrument_type": "court_decision",
            "title": _MIRANDA_OLIVARES,
            "issuing_body": "U.S. District Court for the District of Oregon",
            "level": "federal",
            "citation": "D. Or., April 2014",
            "summary": "Federal court ruling on a county jail holding a person on an ICE "
            "detainer. The San Bernardino County Sheriff's refusal to hold people without "
            "judicial authority rests on it. Its holding in brief, case number, reporter "
            f"citation and exact date: {TBC}.",
        },
        {
            "instrument_type": "jail_policy",
            "title": _SB_PRACTICE,
            "issuing_body": _SB_SHERIFF,
            "level": "county",
            "summary": "The sheriff will not hold people past release without judicial "
            "authority, a position taken after Miranda-Olivares v. Clackamas County (2014), not "
            "under the TRUST Act. Written policy or practice: to be confirmed.",
        },
    ),
    award=_jag_award(),
    conditions=_jag_conditions(california=True),
    contacts=_contacts(
        "Jarrod Burguan",
        "Chief of Police",
        "San Bernardino Police Department",
        "City Attorney",
        "City of San Bernardino",
    ),
    answers=(
        DemoAnswer(
            "hold",
            "outside_control",
            facility=_SB_JAILS,
            narrative="The sheriff "
            "will not hold people past release without judicial authority, following "
            "Miranda-Olivares v. Clackamas County (D. Or., April 2014).",
            conditions="Only with judicial authority.",
            information_source="Facility register: operator and control",
            instruments=(_SB_PRACTICE, _MIRANDA_OLIVARES),
        ),
        DemoAnswer(
            "statement",
            "The sheriff suspended its 287(g) agreement on May 15, 2014, citing the same "
            "decision. The California TRUTH Act (2016) requires a written consent form before "
            "an ICE interview.",
            instruments=(_SB_287G, _TRUTH_ACT["title"]),
        ),
    ),
    # The demo office dates its reply on the day it is due.
    letter_date=date(2017, 8, 18),
)

STOCKTON = DemoCity(
    jurisdiction={
        "name": "City of Stockton",
        "kind": "city",
        "state": "CA",
        "fips": None,
        "population": 291_707,
        "police_agency": "Stockton Police Department",
        "chief_name": "Eric Jones",
        "chief_title": "Chief of Police",
        "chief_legal_officer_title": "City Attorney",
        "letterhead_address": "Stockton Police Department\n22 East Market Street\n"
        "Stockton, CA 95202",
        "notes": _DEMO_NOTE
        + _NO_PLACE_CODE.format(county="06077", county_name="San Joaquin County")
        + " Chief executive and city attorney: to be confirmed.",
    },
    request=_psp_request("Eric Jones", "Chief of Police", LETTER_DATE),
    facilities=(
        {
            "name": "San Joaquin County Jail",
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "San Joaquin County Sheriff",
            "sets_policy": False,
            "control_basis": "County jail run by the San Joaquin County Sheriff, not the city.",
        },
    ),
    instruments=(_TRUST_ACT, _TRUTH_ACT),
    award=_jag_award(),
    conditions=_jag_conditions(california=True),
    contacts=_contacts(
        "Eric Jones",
        "Chief of Police",
        "Stockton Police Department",
        "City Attorney",
        "City of Stockton",
    ),
    answers=(
        DemoAnswer(
            "statement",
            "For these reasons the questions are not applicable to the City of Stockton. "
            "Stockton police officers do not stop or question people about their immigration "
            "status.",
            # Police practice: neither the TRUST nor the TRUTH Act requires it.
            basis="practice",
        ),
    ),
    # The demo office dates its reply on the day it is due.
    letter_date=date(2017, 8, 18),
)

CITIES: tuple[DemoCity, ...] = (ALBUQUERQUE, BALTIMORE, SAN_BERNARDINO, STOCKTON)

# The demo office's own people, each with whether they still work there. The names are invented
# and stand for no real official of the four cities; one person has left, to show that the
# names of people who leave stay in the records.
STAFF: tuple[tuple[staff.StaffInput, bool], ...] = (
    (staff.StaffInput("Dana Whitfield", "City Attorney", approves=True), True),
    (
        staff.StaffInput("Marcus Ortega", "Deputy City Attorney", reviews=True, approves=True),
        True,
    ),
    (staff.StaffInput("Priya Raman", "Assistant City Attorney", prepares=True, reviews=True), True),
    (staff.StaffInput("Tom Becker", "Paralegal", prepares=True), True),
    (staff.StaffInput("Lena Fischer", "Paralegal", prepares=True), False),
)


# ----------------------------------------------------------------------------- loading


def _existing_jurisdiction(store: Store, name: str, state: str) -> int | None:
    with store.reading() as session:
        return session.scalar(
            select(models.Jurisdiction.id)
            .where(models.Jurisdiction.name == name, models.Jurisdiction.state == state)
            .order_by(models.Jurisdiction.id)
            .limit(1)
        )


def _ids(names: Sequence[str], known: Mapping[str, int], what: str, city: str) -> list[int]:
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(f"demo data for {city} cites unknown {what}: {', '.join(missing)}")
    return [known[n] for n in names]


def _fill(store: Store, city: DemoCity, jurisdiction_id: int) -> None:
    """Everything under the jurisdiction, through the services so it is validated and audited."""
    facilities = {
        str(values["name"]): records.create(store, "facility", values, jurisdiction_id).id
        for values in city.facilities
    }
    instruments = {
        str(values["title"]): records.create(store, "instrument", values, jurisdiction_id).id
        for values in city.instruments
    }
    files: dict[str, int] = {}
    for item in city.evidence:
        files[item.filename] = evidence.attach_bytes(
            store,
            jurisdiction_id,
            item.filename,
            item.content,
            description=item.description,
            obtained_from=item.obtained_from,
            instrument_id=(
                _ids([item.instrument], instruments, "instrument", city.name)[0]
                if item.instrument
                else None
            ),
        ).id
    for values in city.statistics:
        stat = dict(values)
        if stat.get("facility") is not None:
            stat["facility_id"] = _ids([stat["facility"]], facilities, "facility", city.name)[0]
        stat.pop("facility", None)
        records.create(store, "statistic", stat, jurisdiction_id)
    request = records.create(store, "request", city.request, jurisdiction_id)
    if city.award is not None:
        award = records.create(store, "award", city.award, jurisdiction_id)
        for condition in city.conditions:
            records.create(store, "condition", condition, award.id)
    for contact in city.contacts:
        records.create(store, "contact", contact, jurisdiction_id)
    # Started after the facilities exist, so facilities the city does not run are pre-filled.
    response = responses.start_response(
        store,
        jurisdiction_id,
        QUESTIONNAIRE,
        version=QUESTIONNAIRE_VERSION,
        request_id=request.id,
    )
    for answer in city.answers:
        facility_id = (
            _ids([answer.facility], facilities, "facility", city.name)[0]
            if answer.facility
            else None
        )
        responses.save_answer(
            store,
            response.summary.id,
            answer.question,
            facility_id,
            AnswerInput(
                value=answer.value,
                basis=answer.basis,
                narrative=answer.narrative,
                conditions=answer.conditions,
                as_of=answer.as_of,
                information_source=answer.information_source,
                instrument_ids=_ids(answer.instruments, instruments, "instrument", city.name),
                evidence_ids=_ids(answer.evidence, files, "evidence", city.name),
            ),
        )
    if city.letter_date is not None:
        # Imported here: the letter service reads through the reports' model, which is built
        # on these services.
        from app.letter.edits import LetterEdits
        from app.services import letters

        current = letters.state(store, response.summary.id)
        letters.save(store, response.summary.id, LetterEdits(date=city.letter_date),
                     expected_version=current.version)  # fmt: skip


def load_city(store: Store, city: DemoCity) -> bool:
    """Loads one city unless a jurisdiction of that name and state exists; True if created.

    Each service call commits on its own, so a failure part-way deletes the city again
    (its records go with it) rather than leaving half a city behind.
    """
    if _existing_jurisdiction(store, city.name, city.state) is not None:
        return False
    jurisdiction = records.create(store, "jurisdiction", city.jurisdiction)
    try:
        _fill(store, city, jurisdiction.id)
    except BaseException as exc:  # also on Ctrl+C: an interrupted load must not linger
        try:
            records.delete(store, "jurisdiction", jurisdiction.id)
        except Exception as cleanup:
            exc.add_note(f"Removing the partly loaded {city.name} also failed: {cleanup}")
        raise
    return True


def load_demo(store: Store, cities: Sequence[DemoCity] = CITIES) -> DemoResult:
    """Loads the four cities of the August 2017 PSP letters; running it again adds nothing.

    A demo city is recognised by its jurisdiction's name and state, so a user's own record
    of, say, the City of Albuquerque is left alone and counted as already present.
    """
    created: list[str] = []
    present: list[str] = []
    for city in cities:
        (created if load_city(store, city) else present).append(city.name)
    load_staff(store)
    return DemoResult(created=tuple(created), existing=tuple(present))


def load_staff(store: Store) -> bool:
    """Fills an empty staff list with the demo office's people; an office's own list, or one
    loaded before, is left alone. True if the list was filled."""
    if staff.list_staff(store):
        return False
    for entry, active in STAFF:
        added = staff.create(store, entry)
        if not active:
            staff.deactivate(store, added.id, expected_version=added.version)
    return True


def prepare_demo_database(path: Path | None = None, actor: str | None = None) -> Path:
    """Makes the demo's own file ready to open: creates it if needed and loads the four cities
    into it when it holds no jurisdiction yet (a demo someone has been trying out is left as it
    is). Never touches the user's real database. Returns the file's path."""
    from app.paths import demo_database_path
    from app.services import jurisdictions
    from app.services.store import open_store

    target = path if path is not None else demo_database_path()
    store = open_store(target, actor=actor, create=True)
    try:
        if not jurisdictions.overview(store):
            load_demo(store)
    finally:
        store.close()
    return target
