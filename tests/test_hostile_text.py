"""User text is kept exactly as typed: markup, spreadsheet formulas, right-to-left scripts, emoji,
combining characters, NUL and 100,000 characters all come back unchanged, read by another
process; text over the limit is refused with the limit stated.

On an office database (PostgreSQL), whose text cannot hold NUL, text with a NUL character is
refused with a message saying so, and nothing of the change is saved."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.services import records, responses
from app.services.errors import InvalidInput, UserError
from app.services.fields import LONG_TEXT_LIMIT
from app.services.responses import AnswerInput
from app.services.store import Store, open_store
from tests.helpers import (
    HOSTILE_TEXTS,
    make_facility,
    make_jurisdiction,
    run_python,
    start_psp,
)
from tests.stores import Location, drop_database, fresh_store, location_text, raw_one

pytestmark = pytest.mark.both_stores
STORE_KINDS = ("sqlite", "postgresql")
NUL_REFUSED = r"contains a NUL character .* Nothing was saved"

assert len(HOSTILE_TEXTS["long"]) == LONG_TEXT_LIMIT == 100_000


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    yield from fresh_store(db_location)


def holds_nul(store: Store) -> bool:
    """Whether the store's text can hold U+0000: a file can, PostgreSQL's text cannot."""
    return store.server is None


READ_BACK = """
import json, sys
from app.services import records, responses
from app.services.store import open_store

store = open_store(sys.argv[1], actor="Reader")
ids = json.loads(sys.argv[2])
out = {}
for key, (jurisdiction_id, contact_id, response_id, facility_id) in ids.items():
    j = records.get(store, "jurisdiction", jurisdiction_id)
    detail = responses.get_response(store, response_id)
    out[key] = {
        "name": j["name"],
        "notes": j["notes"],
        "letterhead": j["letterhead_address"],
        "contact_notes": records.get(store, "contact", contact_id)["notes"],
        "narrative": detail.answer("access", facility_id).narrative,
        "conditions": detail.answer("access", facility_id).conditions,
        "statement": detail.answer("statement").value,
    }
store.close()
# ASCII-only JSON: what comes through the pipe cannot be altered by any console encoding.
print(json.dumps(out, ensure_ascii=True))
"""


Written = tuple[Location, dict[str, dict[str, Any]]]


@pytest.fixture(scope="module", params=STORE_KINDS)
def written(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Written]:
    """Every hostile text saved in records and answers, then read back by another process.
    On PostgreSQL the text with NUL characters is refused (see test_nul_is_refused_...)."""
    location: Location
    if request.param == "sqlite":
        location = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    else:
        server = request.getfixturevalue("postgres_server")
        location = server.url(f"hostile_{uuid.uuid4().hex[:16]}")
    writer = fresh_store(location)
    store = next(writer)
    ids = {}
    for key, text in HOSTILE_TEXTS.items():
        if "\x00" in text and not holds_nul(store):
            continue
        name = f"{key} {text[:100]}"  # single-line field, within its 200 characters
        j = make_jurisdiction(store, name=name, notes=text, letterhead_address=text)
        contact = records.create(
            store, "contact", {"name": "Clerk", "role": "preparer", "notes": text}, parent_id=j.id
        )
        facility = make_facility(store, j.id, controlled=True)
        rid = start_psp(store, j.id).summary.id
        responses.save_answer(
            store, rid, "access", facility.id, AnswerInput("yes", narrative=text, conditions=text)
        )
        responses.save_answer(store, rid, "statement", None, AnswerInput(value=text))
        ids[key] = (j.id, contact.id, rid, facility.id)
    readable = location_text(store)
    writer.close()
    result = run_python(READ_BACK, readable, json.dumps(ids))
    yield location, json.loads(result.stdout)
    if isinstance(location, str):
        drop_database(location)


@pytest.mark.parametrize("key", list(HOSTILE_TEXTS))
def test_text_round_trips_unchanged_through_another_process(written: Written, key: str) -> None:
    text = HOSTILE_TEXTS[key]
    if key not in written[1]:
        pytest.skip(
            "PostgreSQL's text cannot hold NUL: "
            "test_nul_is_refused_by_the_office_database_and_nothing_is_saved"
        )
    read = written[1][key]
    assert read["name"] == f"{key} {text[:100]}"
    for field in ("notes", "letterhead", "contact_notes", "narrative", "conditions", "statement"):
        assert read[field] == text, f"{field} changed"
        assert len(read[field]) == len(text)


def test_text_round_trips_through_a_new_store_in_this_process(written: Written) -> None:
    store = open_store(written[0], actor="Second window")
    try:
        by_name = {r["name"]: r for r in records.list_records(store, "jurisdiction")}
        for key, text in HOSTILE_TEXTS.items():
            if key in written[1]:
                assert by_name[f"{key} {text[:100]}"]["notes"] == text
    finally:
        store.close()


@pytest.mark.parametrize("written", ["sqlite"], indirect=True)
def test_nul_and_formulas_are_stored_as_plain_text_in_sqlite(written: Written) -> None:
    assert isinstance(written[0], Path)
    connection = sqlite3.connect(written[0])
    try:
        stored = {row[0] for row in connection.execute("SELECT notes FROM jurisdiction")}
        types = {row[0] for row in connection.execute("SELECT typeof(notes) FROM jurisdiction")}
    finally:
        connection.close()
    assert HOSTILE_TEXTS["nul"] in stored
    assert HOSTILE_TEXTS["formula_eq"] in stored
    assert types == {"text"}


@pytest.mark.postgresql_only
def test_nul_is_refused_by_the_office_database_and_nothing_is_saved(store: Store) -> None:
    text = HOSTILE_TEXTS["nul"]
    with pytest.raises(UserError, match=NUL_REFUSED):
        make_jurisdiction(store, notes=text)
    assert records.list_records(store, "jurisdiction") == []
    j = make_jurisdiction(store)
    facility = make_facility(store, j.id, controlled=True)
    rid = start_psp(store, j.id).summary.id
    with pytest.raises(UserError, match=NUL_REFUSED):
        records.update(store, "jurisdiction", j.id, {"notes": text}, j.version)
    with pytest.raises(UserError, match=NUL_REFUSED):
        records.create(
            store, "contact", {"name": "Clerk", "role": "preparer", "notes": text}, parent_id=j.id
        )
    with pytest.raises(UserError, match=NUL_REFUSED):
        responses.save_answer(store, rid, "access", facility.id, AnswerInput("yes", narrative=text))
    with pytest.raises(UserError, match=NUL_REFUSED):
        responses.save_answer(store, rid, "statement", None, AnswerInput(value=text))
    assert records.get(store, "jurisdiction", j.id).version == j.version
    assert records.list_records(store, "contact", j.id) == []
    assert responses.get_response(store, rid).answers == ()
    assert raw_one(store, "SELECT count(*) FROM audit_entry WHERE new_value LIKE '%after%'") == 0


# ----------------------------------------------------------------------------- limits


def test_record_text_over_the_limit_is_refused_with_the_limit(store: Store) -> None:
    j = make_jurisdiction(store)
    with pytest.raises(InvalidInput) as info:
        records.update(store, "jurisdiction", j.id, {"notes": "x" * 100_001}, 1)
    assert str(info.value) == "Notes: is 100,001 characters long; the limit is 100,000."
    assert records.get(store, "jurisdiction", j.id)["notes"] is None
    with pytest.raises(
        InvalidInput, match="Police agency: is 201 characters long; the limit is 200"
    ):
        records.update(store, "jurisdiction", j.id, {"police_agency": "p" * 201}, 1)


def test_answer_text_over_the_limit_is_refused_with_the_limit(store: Store) -> None:
    j = make_jurisdiction(store)
    facility = make_facility(store, j.id, controlled=True)
    rid = start_psp(store, j.id).summary.id
    too_long = "y" * 100_001
    with pytest.raises(
        InvalidInput, match="Narrative: is 100,001 characters long; the limit is 100,000"
    ):
        responses.save_answer(
            store, rid, "access", facility.id, AnswerInput("yes", narrative=too_long)
        )
    with pytest.raises(InvalidInput, match="Conditions: is 100,001 characters long"):
        responses.save_answer(
            store, rid, "access", facility.id, AnswerInput("yes", conditions=too_long)
        )
    with pytest.raises(
        InvalidInput, match=r"Question 4: text is 100,001 characters long; the limit is 100,000"
    ):
        responses.save_answer(store, rid, "statement", None, AnswerInput(value=too_long))
    assert responses.get_response(store, rid).answers == ()


def test_answer_refuses_a_lone_surrogate_with_a_message(store: Store) -> None:
    j = make_jurisdiction(store)
    rid = start_psp(store, j.id).summary.id
    with pytest.raises(InvalidInput, match="invalid character"):
        responses.save_answer(store, rid, "statement", None, AnswerInput(value="bad \ud800"))


def test_record_refuses_a_lone_surrogate_with_a_message(store: Store) -> None:
    j = make_jurisdiction(store)
    with pytest.raises(InvalidInput):
        records.update(store, "jurisdiction", j.id, {"notes": "bad \ud800"}, 1)


# ----------------------------------------------------------------------------- property

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
ONE_LINE_TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), max_size=200
)


@settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(notes=TEXT, agency=ONE_LINE_TEXT)
@example(notes="a\x00b", agency="")
def test_any_text_round_trips_through_records(store: Store, notes: str, agency: str) -> None:
    records_ = records.list_records(store, "jurisdiction")
    j = records_[0] if records_ else make_jurisdiction(store)
    values = {"notes": notes, "police_agency": agency}
    if "\x00" in notes + agency and not holds_nul(store):
        before = records.get(store, "jurisdiction", j.id)
        with pytest.raises(UserError, match=NUL_REFUSED):
            records.update(store, "jurisdiction", j.id, values, None)
        assert records.get(store, "jurisdiction", j.id) == before
        return
    records.update(store, "jurisdiction", j.id, values, None)
    read = records.get(store, "jurisdiction", j.id)
    assert read["notes"] == (None if notes.strip() == "" else notes)
    assert read["police_agency"] == (None if agency.strip() == "" else agency)
