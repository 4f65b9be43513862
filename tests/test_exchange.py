"""The exchange format: export, import, merge by UUID, and refusal of every bad file."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import models
from app.letter import edits as letter_edits
from app.models import MAX_EVIDENCE_BYTES
from app.reports import exports
from app.services import approved_record, audit, evidence, exchange, records, responses
from app.services.errors import NotFound, UserError
from app.services.exchange import MAX_FILE_BYTES, ExchangeError, merge
from app.services.fields import RECORD_KINDS
from app.services.responses import AnswerInput
from app.services.store import Store
from tests.helpers import approve_as_read
from tests.stores import Location, another_location, database_fingerprint, fresh_store

pytestmark = pytest.mark.both_stores

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<b>&amp; =1+1 \u202eעברית\u202c 👩‍⚖️ \x00 ' \" \\ </script>"


# Every row of every table: equal fingerprints mean the import wrote nothing.
_database_fingerprint = database_fingerprint


def _hostile(store: Store) -> str:
    """HOSTILE as the store can hold it: an office database's text cannot hold NUL (see
    test_an_import_with_nul_into_an_office_database_is_refused)."""
    return HOSTILE if store.server is None else HOSTILE.replace("\x00", "")


def _build(store: Store, *, hostile: bool = False) -> int:
    """A jurisdiction with a record of every kind, one response submitted and one draft."""
    text = _hostile(store) if hostile else "Policy notes"
    long_text = ("Narrative " + _hostile(store) + "\n") * 3 if hostile else "See the ordinance."
    jurisdiction = records.create(
        store,
        "jurisdiction",
        {
            "name": "City of Albuquerque" + (" <b>&" if hostile else ""),
            "kind": "city",
            "state": "NM",
            "fips": "35001",
            "population": 559_000,
            "police_agency": "Albuquerque Police Department",
            "notes": long_text,
            "letterhead_address": "One Civic Plaza NW\nAlbuquerque, NM 87102",
        },
    ).id
    own = records.create(
        store,
        "facility",
        {
            "name": "Prisoner Transport Center" + (" =1+1" if hostile else ""),
            "facility_type": "transport",
            "operator_type": "city",
            "operator_name": "City of Albuquerque",
            "sets_policy": True,
            "control_basis": text,
        },
        parent_id=jurisdiction,
    ).id
    county = records.create(
        store,
        "facility",
        {
            "name": "Metropolitan Detention Center",
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "Bernalillo County",
            "sets_policy": False,
        },
        parent_id=jurisdiction,
    ).id
    instrument = records.create(
        store,
        "instrument",
        {
            "instrument_type": "resolution",
            "number": "R-2000-123",
            "title": "Immigrant Friendly City resolution",
            "level": "local",
            "adopted_on": "2000-05-01",
            "url": "https://www.cabq.gov/",
            "summary": long_text,
        },
        parent_id=jurisdiction,
    ).id
    evidence.attach_bytes(
        store,
        jurisdiction,
        "resolution.pdf",
        b"%PDF-1.4\x00\xff binary " + bytes(range(256)),
        media_type="application/pdf",
        description=text,
        instrument_id=instrument,
        obtained_on="2017-08-04",
    )
    evidence_id = evidence.attach_bytes(store, jurisdiction, "empty.txt", b"").id
    request = records.create(
        store,
        "request",
        {
            "program": "Public Safety Partnership",
            "fiscal_year": 2017,
            "issuing_office": "Office of the Attorney General",
            "letter_date": "2017-08-03",
            "due_on": "2017-08-18",
            "instructions": text,
        },
        parent_id=jurisdiction,
    ).id
    award = records.create(
        store,
        "award",
        {"program": "Byrne JAG", "fiscal_year": 2017, "status": "applied", "amount": 123_456},
        parent_id=jurisdiction,
    ).id
    for number, status in (("53", "enjoined"), ("54", "in_force")):
        records.create(
            store,
            "condition",
            {"number": number, "title": f"Condition {number}", "status": status, "text": text},
            parent_id=award,
        )
    records.create(
        store,
        "statistic",
        {
            "facility_id": county,
            "period_start": "2017-01-01",
            "period_end": "2017-06-30",
            "received": 12,
            "honored": 0,
            "source": "Public records response",
        },
        parent_id=jurisdiction,
    )
    records.create(
        store,
        "contact",
        {"name": "City Attorney", "role": "signatory", "email": "legal@cabq.gov"},
        parent_id=jurisdiction,
    )
    records.create(store, "contact", {"name": "Chief of Police", "role": "reviewer"}, jurisdiction)
    # A submitted response: answers for the city's own facility, pre-filled for the county's.
    submitted = responses.start_response(
        store, jurisdiction, "doj-psp-2017", version=1, request_id=request
    ).summary.id
    for key in ("access", "notice", "hold"):
        responses.save_answer(
            store,
            submitted,
            key,
            own,
            AnswerInput(
                value="yes",
                basis="written",
                narrative=long_text,
                as_of="2017-08-10",
                information_source="Chief's memo",
                instrument_ids=[instrument],
                evidence_ids=[evidence_id],
            ),
        )
    responses.save_answer(store, submitted, "statement", None, AnswerInput(value=long_text))
    responses.submit_for_review(store, submitted)
    approve_as_read(store, submitted, "Jane Doe", "City Attorney")
    responses.mark_submitted(store, submitted, "2017-08-17", "e-mail")
    draft = responses.start_response(store, jurisdiction, "byrne-jag-fy2017", version=1)
    responses.save_answer(
        store, draft.summary.id, "certification_date", None, AnswerInput(value="2017-09-01")
    )
    responses.save_answer(
        store, draft.summary.id, "certification", None, AnswerInput(value="no", conditions=text)
    )
    return jurisdiction


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    """A copy of the full jurisdiction, built once per process and store: building it takes
    seconds, copying it does not."""
    yield from fresh_store(db_location, built=("exchange-jurisdiction", _build))


@pytest.fixture
def jurisdiction(store: Store) -> int:
    return records.list_records(store, "jurisdiction")[0].id


@pytest.fixture
def document(store: Store, jurisdiction: int) -> dict[str, Any]:
    return exchange.export_document(store, jurisdiction)


@pytest.fixture
def fresh(db_location: Location) -> Iterator[Store]:
    """An empty database on the same store, for the receiving office."""
    yield from fresh_store(another_location(db_location, "fresh"), actor="Receiving Clerk")


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what every export or import adds by design."""
    return {k: v for k, v in document.items() if k not in ("exported_at", "exported_by", "audit")}


# ----------------------------------------------------------------------------- round trip


def test_round_trip_every_kind(
    store: Store, jurisdiction: int, fresh: Store, tmp_path: Path
) -> None:
    target = tmp_path / "albuquerque.json"
    exported = exchange.export_jurisdiction(store, jurisdiction, target)
    assert exported.path == target
    assert exported.counts == {
        "jurisdiction": 1,
        "facilities": 2,
        "instruments": 1,
        "evidence": 2,
        "requests": 1,
        "awards": 1,
        "conditions": 2,
        "statistics": 1,
        "contacts": 2,
        "responses": 2,
        "answers": 11,  # submitted: 4 typed + 3 pre-filled (county jail); draft: 2 + 2
        "filed": 0,
        "audit": exported.counts["audit"],
    }
    first = json.loads(target.read_text(encoding="utf-8"))

    result = exchange.import_file(fresh, target)

    assert result.jurisdiction_name == "City of Albuquerque"
    assert {k: v for k, v in result.created.items() if k != "audit"} == {
        k: v for k, v in exported.counts.items() if k != "audit"
    }
    assert result.created["audit"] == len(first["audit"])  # the history came along
    assert not any(result.updated.values())
    second = exchange.export_document(fresh, result.jurisdiction_id)
    assert _comparable(second) == _comparable(first)
    # The history is the original's, followed by what the import itself recorded.
    assert second["audit"][: len(first["audit"])] == first["audit"]
    added = second["audit"][len(first["audit"]) :]
    assert added
    assert {entry["action"] for entry in added} == {"import"}
    assert {entry["actor"] for entry in added} == {"Receiving Clerk"}


def test_workflow_status_is_kept(document: dict[str, Any], fresh: Store) -> None:
    result = exchange.import_document(fresh, document, "test")
    summaries = responses.list_responses(fresh, result.jurisdiction_id)
    assert [s.status for s in summaries] == ["submitted", "draft"]
    submitted = summaries[0]
    assert submitted.approved_by == "Jane Doe"
    assert submitted.approved_at is not None
    assert submitted.approved_at.isoformat() == document["responses"][0]["approved_at"]
    assert submitted.completeness.complete


def test_evidence_bytes_survive(document: dict[str, Any], fresh: Store) -> None:
    result = exchange.import_document(fresh, document, "test")
    rows = records.list_records(fresh, "evidence", result.jurisdiction_id)
    by_name = {row["filename"]: row for row in rows}
    assert evidence.content_of(fresh, by_name["resolution.pdf"].id).startswith(b"%PDF-1.4\x00\xff")
    assert evidence.content_of(fresh, by_name["empty.txt"].id) == b""
    assert all(evidence.verify(fresh, row.id) for row in rows)


def test_hostile_text_round_trips_exactly(store: Store, fresh: Store, tmp_path: Path) -> None:
    hostile = _hostile(store)
    jurisdiction = _build(store, hostile=True)
    huge = "".join(chr(0x05D0 + i % 27) if i % 3 else "=" for i in range(100_000))
    facility = records.list_records(store, "facility", jurisdiction)[0]
    records.update(store, "facility", facility.id, {"control_basis": huge}, None)
    draft = next(r for r in responses.list_responses(store, jurisdiction) if r.status == "draft")
    responses.save_answer(
        store, draft.id, "statement", None, AnswerInput(value=hostile, narrative=huge)
    )
    target = tmp_path / "hostile.json"
    exchange.export_jurisdiction(store, jurisdiction, target)
    first = json.loads(target.read_text(encoding="utf-8"))
    if "\x00" in hostile:
        assert "\\u0000" in target.read_text(encoding="utf-8")  # NUL escaped, never raw

    result = exchange.import_file(fresh, target)

    second = exchange.export_document(fresh, result.jurisdiction_id)
    assert _comparable(second) == _comparable(first)
    assert second["audit"][: len(first["audit"])] == first["audit"]
    answers = [a for r in second["responses"] for a in r["answers"] if a["narrative"] == huge]
    assert answers
    assert answers[0]["value"] == hostile


# ----------------------------------------------------------------------------- merging


def test_importing_twice_creates_no_duplicates(
    document: dict[str, Any], fresh: Store, tmp_path: Path
) -> None:
    first = exchange.import_document(fresh, document, "test")
    fingerprint = _database_fingerprint(fresh)

    again = exchange.import_document(fresh, document, "test")

    assert again.jurisdiction_id == first.jurisdiction_id
    assert not any(again.created.values())
    assert not any(again.updated.values())
    assert not again.changed_anything
    assert "already had all of it" in again.describe()
    assert _database_fingerprint(fresh) == fingerprint
    assert len(records.list_records(fresh, "jurisdiction")) == 1
    assert len(records.list_records(fresh, "facility")) == 2


def test_importing_into_the_source_database_changes_nothing(
    store: Store, document: dict[str, Any]
) -> None:
    fingerprint = _database_fingerprint(store)

    result = exchange.import_document(store, document, "test")

    assert not result.changed_anything
    assert _database_fingerprint(store) == fingerprint


def test_edited_file_updates_fields_and_audits(
    store: Store, jurisdiction: int, document: dict[str, Any]
) -> None:
    edited = copy.deepcopy(document)
    edited["facilities"][1]["name"] = "MDC (county jail)"
    edited["contacts"][0]["phone"] = "505-768-4500"
    edited["responses"][1]["answers"][0]["narrative"] = "Added in the other office."
    new_contact = {"uuid": str(uuid.uuid4()), "name": "Records clerk", "role": "other"}
    edited["contacts"].append(new_contact)

    result = exchange.import_document(store, edited, "edited.json")

    assert result.updated["facilities"] == 1
    assert result.updated["contacts"] == 1
    assert result.updated["answers"] == 1
    assert result.created["contacts"] == 1
    assert result.updated["jurisdiction"] == 0
    facility = records.get(store, "facility", records.list_records(store, "facility")[0].id)
    names = {r["name"] for r in records.list_records(store, "facility", jurisdiction)}
    assert "MDC (county jail)" in names
    assert facility.version >= 1
    contacts = {r.uuid: r for r in records.list_records(store, "contact", jurisdiction)}
    assert contacts[new_contact["uuid"]]["name"] == "Records clerk"  # the file's UUID is kept
    history = audit.history(store, entity_uuid=edited["facilities"][1]["uuid"])
    latest = history[0]
    assert (latest.action, latest.actor, latest.field) == ("import", "Test Clerk", "name")
    assert (latest.old_value, latest.new_value) == (
        "Metropolitan Detention Center",
        "MDC (county jail)",
    )
    moved = records.get(store, "facility", _id_of(store, "facility", edited["facilities"][1]))
    assert moved.version == document["facilities"][1]["version"] + 1


def _id_of(store: Store, kind: str, record: dict[str, Any]) -> int:
    return next(r.id for r in records.list_records(store, kind) if r.uuid == record["uuid"])


def test_unchanged_submitted_response_is_fine_but_a_change_is_refused(
    store: Store, document: dict[str, Any]
) -> None:
    exchange.import_document(store, document, "same.json")  # unchanged: accepted
    edited = copy.deepcopy(document)
    edited["responses"][0]["answers"][0]["narrative"] = "Changed after submission."
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, edited, "changed.json")

    assert caught.value.problems[0].startswith("$.responses[0]: ")
    assert "reopen it first" in caught.value.problems[0]
    assert _database_fingerprint(store) == fingerprint


def test_answer_matched_by_question_when_both_sides_answered(
    store: Store, jurisdiction: int, document: dict[str, Any]
) -> None:
    """A slot holds one answer: the file's answer goes into the existing one."""
    edited = copy.deepcopy(document)
    answer = next(
        a for a in edited["responses"][1]["answers"] if a["question_key"] == "certification"
    )
    answer["uuid"] = str(uuid.uuid4())
    answer["value"] = "yes"

    result = exchange.import_document(store, edited, "test")

    assert result.created["answers"] == 0
    assert result.updated["answers"] == 1
    draft = responses.get_response(store, responses.list_responses(store, jurisdiction)[1].id)
    assert draft.answer(answer["question_key"]).value == "yes"  # type: ignore[union-attr]


def test_references_may_point_at_records_already_in_the_database(
    store: Store, document: dict[str, Any]
) -> None:
    partial = copy.deepcopy(document)
    facility = partial["facilities"][1]["uuid"]
    partial["facilities"] = []
    assert partial["statistics"][0]["facility"] == facility

    result = exchange.import_document(store, partial, "partial.json")

    assert not result.changed_anything


# ----------------------------------------------------------------------------- refusals


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        parts = [int(p) if p.isdigit() else p for p in path.split("/")]
        target: Any = document
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value

    return mutate


INVALID: list[tuple[str, Mutation, str, str]] = [
    ("wrong format", _set("format", "other-app"), "$.format: ", "not a Jurisdesk exchange"),
    ("newer format", _set("format_version", 4), "$.format_version: ", "reads versions 1, 2 and 3"),
    ("format version true", _set("format_version", True), "$.format_version: ", "reads versions"),
    (
        "schema: wrong type",
        _set("facilities/0/sets_policy", "maybe"),
        "$.facilities[0].sets_policy: ",
        "must be yes or no",
    ),
    (
        "schema: unknown member",
        _set("contacts/1/colour", "blue"),
        "$.contacts[1].colour: ",
        "not a member",
    ),
    (
        "schema: missing member",
        lambda d: d["requests"][0].pop("issuing_office"),
        "$.requests[0].issuing_office: ",
        "required",
    ),
    ("bad state", _set("jurisdiction/state", "XX"), "$.jurisdiction.state: ", "USPS"),
    (
        "unknown choice",
        _set("facilities/1/operator_type", "bogus"),
        "$.facilities[1].operator_type: ",
        "“bogus” is not one of the choices (City, County",
    ),
    (
        "period backwards",
        _set("statistics/0/period_end", "2016-01-01"),
        "$.statistics[0].period_end: ",
        "cannot be before",
    ),
    (
        "not a real date",
        _set("requests/0/due_on", "2017-02-30"),
        "$.requests[0].due_on: ",
        "is not a date",
    ),
    (
        "dangling facility",
        _set("statistics/0/facility", "00000000-0000-4000-8000-000000000000"),
        "$.statistics[0].facility: ",
        "neither in this file nor",
    ),
    (
        "reference to the wrong kind",
        lambda d: d["statistics"][0].update(facility=d["contacts"][0]["uuid"]),
        "$.statistics[0].facility: ",
        "not a facility",
    ),
    (
        "dangling evidence in an answer",
        _set("responses/0/answers/0/evidence", ["00000000-0000-4000-8000-000000000001"]),
        "$.responses[0].answers[0].evidence[0]: ",
        "neither in this file nor",
    ),
    ("sha256 mismatch", _set("evidence/0/sha256", "0" * 64), "$.evidence[0].sha256: ", "SHA-256"),
    ("size mismatch", _set("evidence/0/size", 3), "$.evidence[0].size: ", "holds"),
    (
        "bad base64",
        _set("evidence/0/content_base64", "not*base64"),
        "$.evidence[0].content_base64: ",
        "not valid base64",
    ),
    (
        "duplicate uuid",
        lambda d: d["contacts"][1].update(uuid=d["contacts"][0]["uuid"]),
        "$.contacts[1].uuid: ",
        "already the UUID of the contact at $.contacts[0]",
    ),
    (
        "malformed uuid",
        _set("contacts/0/uuid", "ABC"),
        "$.contacts[0].uuid: ",
        "is not a UUID",
    ),
    (
        "unknown questionnaire version",
        _set("responses/0/questionnaire_version", 99),
        "$.responses[0].questionnaire_version: ",
        "version 99 is not installed",
    ),
    (
        "answer not among the choices",
        _set("responses/0/answers/0/value", "perhaps"),
        "$.responses[0].answers[0].value: ",
        "'perhaps' is not one of the choices",
    ),
    (
        "unknown question",
        _set("responses/1/answers/0/question_key", "nonsense"),
        "$.responses[1].answers[0].question_key: ",
        "is not a question",
    ),
    (
        "lone surrogate",
        _set("contacts/0/notes", "bad \ud800 text"),
        "$.contacts[0].notes: ",
        "broken character",
    ),
    (
        "too long",
        _set("contacts/0/name", "x" * 201),
        "$.contacts[0].name: ",
        "the limit is 200",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [pytest.param(m, p, w, id=name) for name, m, p, w in INVALID],
)
def test_invalid_file_is_refused_and_nothing_written(
    store: Store,
    document: dict[str, Any],
    mutate: Mutation,
    path: str,
    words: str,
) -> None:
    broken = copy.deepcopy(document)
    mutate(broken)
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, broken, "broken.json")

    matching = [p for p in caught.value.problems if p.startswith(path)]
    assert matching, caught.value.problems
    assert words in matching[0]
    assert isinstance(caught.value, UserError)
    assert "broken.json" in str(caught.value)
    assert _database_fingerprint(store) == fingerprint


@pytest.mark.postgresql_only
@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(_set("contacts/0/notes", "before\x00after"), id="record"),
        pytest.param(_set("responses/1/answers/0/narrative", "before\x00after"), id="answer"),
    ],
)
def test_an_import_with_nul_into_an_office_database_is_refused(
    store: Store, document: dict[str, Any], fresh: Store, mutate: Mutation
) -> None:
    """A file from a colleague's own database (a file, which holds NUL) that carries a NUL
    character: the office database cannot store it, so nothing of the file is imported."""
    edited = copy.deepcopy(document)
    mutate(edited)
    for target in (store, fresh):
        fingerprint = _database_fingerprint(target)
        with pytest.raises(UserError, match=r"contains a NUL character .* Nothing was saved"):
            exchange.import_document(target, edited, "from-a-file.json")
        assert _database_fingerprint(target) == fingerprint


def test_invalid_file_into_a_fresh_database_writes_nothing(
    document: dict[str, Any], fresh: Store, tmp_path: Path
) -> None:
    broken = copy.deepcopy(document)
    broken["facilities"][0]["operator_type"] = "bogus"
    fingerprint = _database_fingerprint(fresh)

    with pytest.raises(ExchangeError):
        exchange.import_document(fresh, broken, "broken.json")

    assert _database_fingerprint(fresh) == fingerprint
    assert records.list_records(fresh, "jurisdiction") == []


def test_uuid_owned_by_another_jurisdiction(store: Store, document: dict[str, Any]) -> None:
    other = records.create(store, "jurisdiction", {"name": "Other", "kind": "city", "state": "MD"})
    theirs = records.create(store, "contact", {"name": "Theirs", "role": "other"}, other.id)
    broken = copy.deepcopy(document)
    broken["contacts"][0]["uuid"] = theirs.uuid
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, broken, "broken.json")

    assert caught.value.problems == [
        "$.contacts[0].uuid: this contact “Theirs” of Other belongs to another jurisdiction "
        "in this database; a record cannot move between jurisdictions."
    ]
    assert _database_fingerprint(store) == fingerprint


def test_every_problem_is_reported_together(store: Store, document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["jurisdiction"]["state"] = "XX"
    broken["facilities"][1]["operator_type"] = "bogus"
    broken["evidence"][0]["sha256"] = "f" * 64
    broken["statistics"][0]["facility"] = str(uuid.uuid4())
    broken["responses"][1]["questionnaire_version"] = 7
    broken["contacts"][0]["surprise"] = True
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, broken, "broken.json")

    paths = [p.split(": ")[0] for p in caught.value.problems]
    assert paths == [
        "$.jurisdiction.state",
        "$.facilities[1].operator_type",
        "$.evidence[0].sha256",
        "$.statistics[0].facility",
        "$.contacts[0].surprise",
        "$.responses[1].questionnaire_version",
    ]
    assert _database_fingerprint(store) == fingerprint


def test_one_problem_per_member(store: Store, document: dict[str, Any]) -> None:
    """The schema and the field rules both object to a bad choice; it is reported once."""
    broken = copy.deepcopy(document)
    broken["facilities"][0]["facility_type"] = "castle"
    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, broken, "broken.json")
    assert len(caught.value.problems) == 1


def test_bad_json_names_file_line_and_column(
    store: Store, jurisdiction: int, tmp_path: Path
) -> None:
    target = tmp_path / "damaged.json"
    target.write_text('{\n  "format": "jurisdesk-exchange",\n  "format_version": 1,,\n}\n')
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_file(store, target)

    (problem,) = caught.value.problems
    assert problem.startswith("$: damaged.json is not valid JSON")
    assert "line 3, column 23" in problem
    assert _database_fingerprint(store) == fingerprint


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"a": 1, "a": 2}', "“a” twice"),
        (b'{"a": NaN}', "NaN is not allowed"),
        (b'{"a": "caf\xe9"}', "not UTF-8"),
        (b"\xff\xfe{\x00}\x00", "is UTF-16 text"),
        (b"[1, 2]", "not a Jurisdesk exchange file"),
    ],
)
def test_files_that_are_not_exchange_json(
    store: Store, tmp_path: Path, content: bytes, words: str
) -> None:
    target = tmp_path / "odd.json"
    target.write_bytes(content)
    with pytest.raises(ExchangeError) as caught:
        exchange.import_file(store, target)
    assert words in caught.value.problems[0]
    assert caught.value.problems[0].startswith("$")


def test_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match=r"nowhere\.json does not exist"):
        exchange.import_file(store, tmp_path / "nowhere.json")


def test_bom_is_accepted(store: Store, jurisdiction: int, fresh: Store, tmp_path: Path) -> None:
    target = tmp_path / "notepad.json"
    exchange.export_jurisdiction(store, jurisdiction, target)
    target.write_bytes(b"\xef\xbb\xbf" + target.read_bytes())
    assert exchange.import_file(fresh, target).created["facilities"] == 2


def test_oversized_evidence_is_refused(store: Store, document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    # Declared size over the limit is caught by the schema without decoding megabytes.
    broken["evidence"][0]["size"] = MAX_EVIDENCE_BYTES + 1
    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, broken, "big.json")
    assert any(p.startswith("$.evidence[0].size: ") for p in caught.value.problems)


# ----------------------------------------------------------------------------- export


def test_export_of_unknown_jurisdiction_leaves_no_file(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with pytest.raises(NotFound):
        exchange.export_jurisdiction(store, 999, target)
    assert not target.exists()
    assert list(tmp_path.glob("*.part")) == []
    assert list(tmp_path.glob(".out.json*")) == []


def test_export_larger_than_import_takes_is_refused(
    store: Store, jurisdiction: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file Jurisdesk writes imports again: one over the limit is never written."""
    monkeypatch.setattr(exchange.document, "MAX_FILE_BYTES", 10_000)
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(UserError, match="Jurisdesk imports files of up to"):
        exchange.export_jurisdiction(store, jurisdiction, folder / "out.json")
    assert list(folder.iterdir()) == []


def test_export_to_unwritable_place_keeps_the_old_file(
    store: Store, jurisdiction: int, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "out.json"
    with pytest.raises(UserError, match="no-such-folder"):
        exchange.export_jurisdiction(store, jurisdiction, missing)
    # A folder where the file should go: the rename fails, and nothing half-written remains.
    blocked = tmp_path / "blocked.json"
    blocked.mkdir()
    with pytest.raises(UserError, match=r"Cannot write .*blocked\.json"):
        exchange.export_jurisdiction(store, jurisdiction, blocked)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_export_replaces_an_existing_file_whole(
    store: Store, jurisdiction: int, tmp_path: Path
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old contents")
    result = exchange.export_jurisdiction(store, jurisdiction, target)
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "jurisdesk-exchange"
    assert "facilities" in result.describe()


def test_export_layout(document: dict[str, Any]) -> None:
    assert list(document)[:6] == [
        "format",
        "format_version",
        "exported_at",
        "exported_by",
        "application_version",
        "jurisdiction",
    ]
    assert document["exported_at"].endswith("+00:00")
    statistic = document["statistics"][0]
    assert statistic["facility"] == document["facilities"][1]["uuid"]
    assert document["evidence"][0]["instrument"] == document["instruments"][0]["uuid"]
    own = document["facilities"][0]["uuid"]
    answer = next(a for a in document["responses"][0]["answers"] if a["facility"] == own)
    assert answer["instruments"] == [document["instruments"][0]["uuid"]]
    assert answer["facility"] in {f["uuid"] for f in document["facilities"]}
    assert document["responses"][0]["request"] == document["requests"][0]["uuid"]
    assert [c["number"] for c in document["awards"][0]["conditions"]] == ["53", "54"]


# ----------------------------------------------------------------------------- schema and docs


def test_shipped_schema_matches_the_record_kinds() -> None:
    shipped = json.loads(exchange.schema_path().read_text(encoding="utf-8"))
    assert shipped == exchange.build_schema(), (
        "Regenerate resources/exchange/jurisdesk-exchange.schema.json from build_schema()."
    )


def test_exported_document_is_valid_against_the_schema(document: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(exchange.schema_path().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(document)) == []


def test_docs_describe_every_field() -> None:
    docs = (ROOT / "docs" / "exchange-format.md").read_text(encoding="utf-8")
    for kind in RECORD_KINDS.values():
        for spec in kind.fields:
            assert f"`{exchange.member_name(spec)}`" in docs, (kind.key, spec.name)
    for member in (
        "content_base64",
        "sha256",
        "questionnaire_version",
        "approved_at",
        "approved_record",
        "filed",
        "filed_at",
        "filed_by",
    ):
        assert f"`{member}`" in docs
    assert f"{MAX_EVIDENCE_BYTES // 1_048_576} MB" in docs
    assert f"at most **{MAX_FILE_BYTES // 1_048_576} MB** ({MAX_FILE_BYTES:,} bytes)" in docs
    assert f"more than {merge.ANNOUNCED_RECORDS:,} records" in docs
    assert f"more than {merge.ANNOUNCED_BYTES // 1_048_576} MB of evidence" in docs


# ----------------------------------------------------------------------- approved records, filings


def _response_id(store: Store, response_uuid: str) -> int:
    with store.reading() as session:
        found = session.scalar(
            select(models.Response.id).where(models.Response.uuid == response_uuid)
        )
    assert found is not None
    return found


def _snapshot(store: Store, response_id: int) -> str | None:
    with store.reading() as session:
        return session.scalar(
            select(models.Response.approved_snapshot).where(models.Response.id == response_id)
        )


@pytest.fixture
def filed(store: Store, jurisdiction: int, tmp_path: Path) -> exports.ExportResult:
    """The submitted response's letter, exported (and so filed) in the source database."""
    submitted = responses.list_responses(store, jurisdiction)[0]
    assert submitted.status == "submitted"
    result = exports.export_letter(store, submitted.id, tmp_path / "letter.pdf")
    assert result.filing is not None
    return result


@pytest.fixture
def filed_doc(store: Store, jurisdiction: int, filed: exports.ExportResult) -> dict[str, Any]:
    return exchange.export_document(store, jurisdiction)


def test_approved_record_and_filed_letter_travel(
    store: Store,
    jurisdiction: int,
    filed: exports.ExportResult,
    fresh: Store,
    tmp_path: Path,
) -> None:
    assert filed.filing is not None
    original = filed.path.read_bytes()
    source_id = filed.filing.response_id
    # Edited after approval: the approved letter still prints the facility as approved.
    facility = records.list_records(store, "facility", jurisdiction)[0]
    records.update(store, "facility", facility.id, {"name": "Renamed Center"}, facility.version)
    target = tmp_path / "exchange.json"
    exported = exchange.export_jurisdiction(store, jurisdiction, target)
    assert exported.counts["filed"] == 1
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["format_version"] == 3
    response = document["responses"][0]
    assert response["approved_record"] == _snapshot(store, source_id)
    assert document["responses"][1]["approved_record"] is None
    assert document["responses"][1]["filed"] == []

    result = exchange.import_file(fresh, target)

    assert result.created["filed"] == 1
    copy_id = _response_id(fresh, response["uuid"])
    assert _snapshot(fresh, copy_id) == _snapshot(store, source_id)  # byte for byte
    (filing,) = exports.list_filings(fresh, copy_id)
    assert (filing.kind, filing.sha256, filing.size) == ("letter", filed.sha256, len(original))
    assert (filing.filed_at, filing.filed_by, filing.filename) == (
        filed.filing.filed_at,
        filed.filing.filed_by,
        "letter.pdf",
    )
    assert exports.filed_content(fresh, filing.id) == original
    # The letter printed in the receiving database is the very document filed.
    again = exports.export_letter(fresh, copy_id, tmp_path / "again.pdf")
    assert again.path.read_bytes() == original
    assert again.filing == filing
    assert not again.differs_from_earlier_filing
    names = {r.title for r in records.list_records(fresh, "facility", result.jurisdiction_id)}
    assert "Renamed Center" in names  # the current records came too; the letter did not use them
    # Imported twice: no second filing, nothing changed.
    fingerprint = _database_fingerprint(fresh)
    assert not exchange.import_file(fresh, target).changed_anything
    assert _database_fingerprint(fresh) == fingerprint
    assert len(exports.list_filings(fresh, copy_id)) == 1
    # And the round trip reproduces the document.
    second = exchange.export_document(fresh, result.jurisdiction_id)
    assert _comparable(second) == _comparable(document)


def test_filed_letter_into_the_source_database_changes_nothing(
    store: Store, filed_doc: dict[str, Any]
) -> None:
    fingerprint = _database_fingerprint(store)
    assert not exchange.import_document(store, filed_doc, "same.json").changed_anything
    assert _database_fingerprint(store) == fingerprint


def _other_responses_record(document: dict[str, Any]) -> str:
    kept = json.loads(document["responses"][0]["approved_record"])
    kept["response"]["uuid"] = document["responses"][1]["uuid"]
    return json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _tamper_content(document: dict[str, Any]) -> None:
    filed = document["responses"][0]["filed"][0]
    content = bytearray(base64.b64decode(filed["content_base64"]))
    content[-20] ^= 0x01  # one bit, same size
    filed["content_base64"] = base64.b64encode(bytes(content)).decode("ascii")


def _version_one_with(member: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document["format_version"] = 1
        for response in document["responses"]:
            for name in {"approved_record", "filed"} - {member}:
                response.pop(name)

    return mutate


FILED_INVALID: list[tuple[str, Mutation, str, str]] = [
    (
        "tampered filed content",
        _tamper_content,
        "$.responses[0].filed[0].sha256: ",
        "does not match the content",
    ),
    (
        "filed size mismatch",
        _set("responses/0/filed/0/size", 12),
        "$.responses[0].filed[0].size: ",
        "says 12 bytes",
    ),
    (
        "filed content not base64",
        _set("responses/0/filed/0/content_base64", "%PDF"),
        "$.responses[0].filed[0].content_base64: ",
        "not valid base64",
    ),
    (
        "filed at without offset",
        _set("responses/0/filed/0/filed_at", "2017-08-17T10:00:00"),
        "$.responses[0].filed[0].filed_at: ",
        "UTC offset",
    ),
    (
        "filed member missing",
        lambda d: d["responses"][0]["filed"][0].pop("filename"),
        "$.responses[0].filed[0].filename: ",
        "required",
    ),
    (
        "filed uuid reused",
        lambda d: d["responses"][0]["filed"][0].update(uuid=d["contacts"][0]["uuid"]),
        "$.responses[0].filed[0].uuid: ",
        "already the UUID of the contact",
    ),
    (
        "approved record of another response",
        lambda d: d["responses"][0].update(approved_record=_other_responses_record(d)),
        "$.responses[0].approved_record: ",
        "is the approved record of response",
    ),
    (
        "approved record damaged",
        _set("responses/0/approved_record", '{"format": "jurisdesk-approved-record"'),
        "$.responses[0].approved_record: ",
        "is not an approved record",
    ),
    (
        "approved record of a draft",
        lambda d: d["responses"][1].update(approved_record=_other_responses_record(d)),
        "$.responses[1].approved_record: ",
        "has no approved record",
    ),
    (
        "approved record not text",
        _set("responses/0/approved_record", {"format": "jurisdesk-approved-record"}),
        "$.responses[0].approved_record: ",
        "must be text or null",
    ),
    (
        "version 1 with an approved record",
        _version_one_with("approved_record"),
        "$.responses[0].approved_record: ",
        "not part of format version 1",
    ),
    (
        "version 1 with filings",
        _version_one_with("filed"),
        "$.responses[0].filed: ",
        "not part of format version 1",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [pytest.param(m, p, w, id=name) for name, m, p, w in FILED_INVALID],
)
def test_bad_approved_record_or_filing_is_refused(
    filed_doc: dict[str, Any],
    fresh: Store,
    tmp_path: Path,
    mutate: Mutation,
    path: str,
    words: str,
) -> None:
    broken = copy.deepcopy(filed_doc)
    mutate(broken)
    fingerprint = _database_fingerprint(fresh)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(fresh, broken, "broken.json")

    matching = [p for p in caught.value.problems if p.startswith(path)]
    assert matching, caught.value.problems
    assert words in matching[0]
    assert _database_fingerprint(fresh) == fingerprint
    assert records.list_records(fresh, "jurisdiction") == []


def test_a_filed_document_never_changes(store: Store, filed_doc: dict[str, Any]) -> None:
    edited = copy.deepcopy(filed_doc)
    edited["responses"][0]["filed"][0]["filed_by"] = "Someone Else"
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, edited, "edited.json")

    assert caught.value.problems == [
        "$.responses[0].filed[0].filed_by: differs from the filed document “letter.pdf” "
        "already in this database; a filed document never changes. Leave it as exported."
    ]
    assert _database_fingerprint(store) == fingerprint


def test_filing_of_another_response_is_refused(store: Store, filed_doc: dict[str, Any]) -> None:
    moved = copy.deepcopy(filed_doc)
    moved["responses"][1]["filed"] = moved["responses"][0].pop("filed")
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, moved, "moved.json")

    (problem,) = caught.value.problems
    assert problem.startswith("$.responses[1].filed[0].uuid: ")
    assert "belongs to another response" in problem
    assert _database_fingerprint(store) == fingerprint


def test_version_1_file_still_imports(
    store: Store, filed_doc: dict[str, Any], fresh: Store
) -> None:
    old = copy.deepcopy(filed_doc)
    old["format_version"] = 1
    for response in old["responses"]:
        del response["approved_record"], response["filed"]

    result = exchange.import_document(fresh, old, "old.json")

    assert result.created["responses"] == 2
    assert result.created["filed"] == 0
    copy_id = _response_id(fresh, old["responses"][0]["uuid"])
    assert responses.list_responses(fresh, result.jurisdiction_id)[0].status == "submitted"
    # Approved before the format carried it: the letter prints from the current records.
    assert _snapshot(fresh, copy_id) is None
    assert responses.as_approved(fresh, copy_id) is None
    assert exports.list_filings(fresh, copy_id) == []
    # Into the source database it leaves the approved record and the filing as they are.
    fingerprint = _database_fingerprint(store)
    assert not exchange.import_document(store, old, "old.json").changed_anything
    assert _database_fingerprint(store) == fingerprint


def test_snapshot_changes_are_audited_by_digest(
    store: Store, jurisdiction: int, filed_doc: dict[str, Any], fresh: Store
) -> None:
    result = exchange.import_document(fresh, filed_doc, "test")
    text = filed_doc["responses"][0]["approved_record"]
    with fresh.reading() as session:
        kept = session.scalars(
            select(models.AuditEntry).where(
                models.AuditEntry.field == "approved_snapshot",
                models.AuditEntry.actor == "Receiving Clerk",
            )
        ).all()
    assert [(e.action, e.new_value) for e in kept] == [("import", approved_record.digest(text))]
    assert result.created["filed"] == 1


# ----------------------------------------------------------------------------- composed letters


def _set_letter(store: Store, response_uuid: str, text: str | None) -> None:
    with store.transaction() as session:
        row = session.scalars(
            select(models.Response).where(models.Response.uuid == response_uuid)
        ).one()
        row.letter_edits = text


def _stored_letter(store: Store, response_uuid: str) -> str | None:
    with store.reading() as session:
        row = session.scalars(
            select(models.Response).where(models.Response.uuid == response_uuid)
        ).one()
        return row.letter_edits


FULL_LETTER = letter_edits.LetterEdits(
    date=date(2017, 8, 14),
    letterhead={"name": "City of Albuquerque", "phone": "505-768-4500"},
    addressee=("Alan R. Hanson", "Office of Justice Programs", HOSTILE.replace("\x00", "")),
    frame={
        "salutation": letter_edits.EditedText("Dear Mr. Hanson:"),
        "opening": letter_edits.EditedText("We write " + HOSTILE, drafted="The draft opening."),
    },
    answers={
        "certification": letter_edits.EditedText(
            "The City cannot certify.\n\nSee the attached ordinance.", drafted="No."
        )
    },
    signer={"name": "Jane Doe", "title": "City Attorney"},
    cc=("Chief of Police", "City Clerk"),
)


def test_response_without_letter_edits_exports_no_letter(document: dict[str, Any]) -> None:
    assert all("letter" not in response for response in document["responses"])


def test_letter_round_trips_exactly(
    store: Store, jurisdiction: int, fresh: Store, tmp_path: Path
) -> None:
    draft = exchange.export_document(store, jurisdiction)["responses"][1]
    _set_letter(store, draft["uuid"], FULL_LETTER.to_text())
    target = tmp_path / "letter.json"
    exchange.export_jurisdiction(store, jurisdiction, target)
    first = json.loads(target.read_text(encoding="utf-8"))
    assert first["responses"][1]["letter"] == FULL_LETTER.to_json()
    assert "letter" not in first["responses"][0]  # the submitted one was never edited

    result = exchange.import_file(fresh, target)

    kept = letter_edits.from_text(_stored_letter(fresh, draft["uuid"]))
    assert kept == FULL_LETTER
    assert kept.to_json() == FULL_LETTER.to_json()
    second = exchange.export_document(fresh, result.jurisdiction_id)
    assert _comparable(second) == _comparable(first)
    # Into the database it came from, it changes nothing.
    assert not exchange.import_document(store, first, "again.json").changed_anything


def test_letter_with_only_a_date_imports(document: dict[str, Any], fresh: Store) -> None:
    edited = copy.deepcopy(document)
    edited["responses"][1]["letter"] = {"date": "2017-08-14"}

    exchange.import_document(fresh, edited, "dated.json")

    kept = letter_edits.from_text(_stored_letter(fresh, edited["responses"][1]["uuid"]))
    assert kept == letter_edits.LetterEdits(date=date(2017, 8, 14))
    assert kept.to_json() == {"date": "2017-08-14"}


def test_letter_change_is_audited_and_cleared_when_left_out(
    store: Store, document: dict[str, Any]
) -> None:
    edited = copy.deepcopy(document)
    draft_uuid = edited["responses"][1]["uuid"]
    edited["responses"][1]["letter"] = {"date": "2017-08-14", "opening": "Thank you."}

    result = exchange.import_document(store, edited, "letter.json")

    assert result.updated["responses"] == 1
    expected = letter_edits.LetterEdits(
        date=date(2017, 8, 14), frame={"opening": letter_edits.EditedText("Thank you.")}
    )
    assert _stored_letter(store, draft_uuid) == expected.to_text()
    latest = audit.history(store, entity_uuid=draft_uuid)[0]
    assert (latest.action, latest.field) == ("import", "letter_edits")
    assert (latest.old_value, latest.new_value) == (None, expected.to_text())
    # The same edits written another way are the same letter: nothing changes.
    edited["responses"][1]["letter"] = {"opening": {"text": "Thank you."}, "date": "2017-08-14"}
    assert not exchange.import_document(store, edited, "same.json").changed_anything
    # Left out of a version 2 file, the letter is as drafted again.
    cleared = exchange.import_document(store, document, "drafted.json")
    assert cleared.updated["responses"] == 1
    assert _stored_letter(store, draft_uuid) is None


def test_version_1_file_leaves_the_letter_alone(store: Store, document: dict[str, Any]) -> None:
    draft_uuid = document["responses"][1]["uuid"]
    _set_letter(store, draft_uuid, FULL_LETTER.to_text())
    old = copy.deepcopy(document)
    old["format_version"] = 1
    for response in old["responses"]:
        response.pop("approved_record", None)
        response.pop("filed", None)

    exchange.import_document(store, old, "old.json")

    assert _stored_letter(store, draft_uuid) == FULL_LETTER.to_text()


def test_letter_of_a_submitted_response_cannot_change(
    store: Store, document: dict[str, Any]
) -> None:
    edited = copy.deepcopy(document)
    edited["responses"][0]["letter"] = {"date": "2017-08-14"}
    fingerprint = _database_fingerprint(store)

    with pytest.raises(ExchangeError) as caught:
        exchange.import_document(store, edited, "changed.json")

    assert caught.value.problems[0].startswith("$.responses[0]: ")
    assert "reopen it first" in caught.value.problems[0]
    assert _database_fingerprint(store) == fingerprint


BAD_LETTERS: dict[str, tuple[Any, list[str]]] = {
    "date not YYYY-MM-DD": (
        {"date": "14/08/2017"},
        ["$.responses[1].letter.date: “14/08/2017” is not a date; write it as YYYY-MM-DD."],
    ),
    "date that does not exist": (
        {"date": "2017-02-30"},
        ["$.responses[1].letter.date: “2017-02-30” is not a date; write it as YYYY-MM-DD."],
    ),
    "unknown member": (
        {"colour": "blue"},
        [
            "$.responses[1].letter.colour: is not a part of a letter (see the exchange "
            "format's “letter”)."
        ],
    ),
    "paragraph that is not text": (
        {"opening": {"text": 42}},
        ["$.responses[1].letter.opening: must be text."],
    ),
    "paragraph that is a number": (
        {"answers": {"certification": 7}},
        [
            "$.responses[1].letter.answers.certification: must be an object with the "
            "paragraph's “text”."
        ],
    ),
    "unknown question": (
        {"answers": {"nonsense": "Rewritten."}},
        [
            "$.responses[1].letter.answers.nonsense: “nonsense” is not a question of "
            "Byrne JAG FY2017 immigration conditions (version 1); a letter has a paragraph "
            "only for its questions."
        ],
    ),
    "signer without a name": (
        {"signer": {"title": "City Attorney"}},
        ["$.responses[1].letter.signer.name: is missing; a letter is signed by a named person."],
    ),
    "letterhead member": (
        {"letterhead": {"motto": "Onward"}},
        [
            "$.responses[1].letter.letterhead.motto: is not a part of it (use name, office, "
            "street, city_state_zip, phone)."
        ],
    ),
    "letter that is a list": (
        ["2017-08-14"],
        ["$.responses[1].letter: must be an object."],
    ),
}


@pytest.mark.parametrize("case", list(BAD_LETTERS))
def test_bad_letter_is_refused_and_nothing_written(
    store: Store, document: dict[str, Any], fresh: Store, case: str
) -> None:
    letter, expected = BAD_LETTERS[case]
    edited = copy.deepcopy(document)
    edited["responses"][1]["letter"] = letter
    for target in (store, fresh):
        fingerprint = _database_fingerprint(target)
        with pytest.raises(ExchangeError) as caught:
            exchange.import_document(target, edited, "bad-letter.json")
        assert caught.value.problems == expected, case
        assert _database_fingerprint(target) == fingerprint
    if case == "date not YYYY-MM-DD":
        assert str(caught.value) == (
            "bad-letter.json was not imported: $.responses[1].letter.date: “14/08/2017” is "
            "not a date; write it as YYYY-MM-DD. Nothing was changed."
        )
