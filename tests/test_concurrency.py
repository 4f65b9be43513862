"""Two Jurisdesk processes on one database file: edits between read and write are detected, and
concurrent writers (WAL + busy timeout) lose nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import audit, records, responses
from app.services.errors import Conflict
from app.services.responses import NO_ANSWER_YET, AnswerInput
from app.services.store import Store
from tests.helpers import (
    finish_all,
    fresh_store,
    make_facility,
    make_jurisdiction,
    python_code,
    run_python,
    start_all,
    start_psp,
)


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    yield from fresh_store(db_path)


OTHER_PC = """
import sys
from pathlib import Path
from app.services import records, responses
from app.services.store import open_store

store = open_store(Path(sys.argv[1]), actor="Other PC")
jurisdiction_id, response_id, facility_id = map(int, sys.argv[2:5])
records.update(store, "jurisdiction", jurisdiction_id, {"chief_name": "Harold Medina"}, 1)
responses.save_answer(
    store, response_id, "access", facility_id,
    responses.AnswerInput(value="partial", narrative="Other PC"), expected_version=0,
)
store.close()
"""


def test_edit_from_another_process_between_read_and_write_is_a_conflict(store: Store) -> None:
    j = make_jurisdiction(store)
    city = make_facility(store, j.id, controlled=True)
    rid = start_psp(store, j.id).summary.id
    # This window reads the record and the (still empty) answer...
    form = records.get(store, "jurisdiction", j.id)
    assert responses.get_response(store, rid).answer("access", city.id) is None

    # ...another Jurisdesk process saves both meanwhile...
    run_python(OTHER_PC, str(store.path), str(j.id), str(rid), str(city.id))

    # ...and this window's saves are refused instead of overwriting theirs.
    with pytest.raises(Conflict, match="changed by someone else"):
        records.update(store, "jurisdiction", j.id, {"chief_name": "Michael Geier"}, form.version)
    with pytest.raises(Conflict, match="Question 1 was changed by someone else"):
        responses.save_answer(
            store, rid, "access", city.id, AnswerInput(value="yes"), expected_version=NO_ANSWER_YET
        )
    assert records.get(store, "jurisdiction", j.id)["chief_name"] == "Harold Medina"
    answer = responses.get_response(store, rid).answer("access", city.id)
    assert answer is not None
    assert (answer.value, answer.narrative) == ("partial", "Other PC")
    actors = {e.actor for e in audit.history(store, jurisdiction_uuid=j.uuid)}
    assert actors == {"Test Clerk", "Other PC"}


WRITER = """
import sys, time
from pathlib import Path
from app.services import records, responses
from app.services.store import open_store

path, tag = Path(sys.argv[1]), sys.argv[2]
response_id, facility_id, rounds = map(int, sys.argv[3:6])
store = open_store(path, actor=f"writer {tag}")
# Both writers start together, so their transactions really interleave.
(path.parent / f"ready-{tag}").touch()
deadline = time.monotonic() + 30
while len(list(path.parent.glob("ready-*"))) < 2 and time.monotonic() < deadline:
    time.sleep(0.005)
answer_version, facility_version = 0, 1
for n in range(rounds):
    saved = responses.save_answer(
        store, response_id, "statement", None,
        responses.AnswerInput(value=f"{tag} {n}"), expected_version=answer_version,
    )
    answer_version = saved.version
    record = records.update(
        store, "facility", facility_id, {"contact": f"{tag} {n}"}, facility_version
    )
    facility_version = record.version
store.close()
print("done", tag)
"""

ROUNDS = 50


def test_two_processes_write_concurrently_without_errors_or_losses(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    setup = fresh_store(path)
    store = next(setup)
    j = make_jurisdiction(store)
    targets = {}
    for tag in ("A", "B"):
        facility = make_facility(store, j.id, controlled=True, name=f"Facility {tag}")
        targets[tag] = (start_psp(store, j.id).summary.id, facility.id)

    processes = start_all(
        [
            python_code(WRITER, str(path), tag, str(rid), str(fid), str(ROUNDS))
            for tag, (rid, fid) in targets.items()
        ]
    )
    for code, out, err in finish_all(processes):
        assert code == 0, err
        assert err == ""
        assert out.startswith("done")
    setup.close()

    connection = sqlite3.connect(path)
    try:
        for tag, (rid, fid) in targets.items():
            value, version = connection.execute(
                "SELECT value, version FROM answer WHERE response_id = ? AND slot = 'statement'",
                (rid,),
            ).fetchone()
            assert (value, version) == (f'"{tag} {ROUNDS - 1}"', ROUNDS)
            contact, version = connection.execute(
                "SELECT contact, version FROM facility WHERE id = ?", (fid,)
            ).fetchone()
            assert (contact, version) == (f"{tag} {ROUNDS - 1}", ROUNDS + 1)
            audited = connection.execute(
                "SELECT count(*) FROM audit_entry"
                " WHERE actor = ? AND field IN ('value', 'contact')",
                (f"writer {tag}",),
            ).fetchone()[0]
            assert audited == 2 * ROUNDS, "every write is in the trail"
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()


SAME_RECORD = """
import sys, time
from pathlib import Path
from app.services import records
from app.services.errors import UserError
from app.services.store import open_store

path, tag = Path(sys.argv[1]), sys.argv[2]
store = open_store(path, actor=tag)
(path.parent / f"go-{tag}").touch()
while len(list(path.parent.glob("go-*"))) < 2:
    time.sleep(0.005)
for n in range(25):
    try:
        records.update(store, "jurisdiction", 1, {"notes": f"{tag} {n}"}, None)
    except UserError:
        pass  # a clear message for the user is fine; anything else is a crash
store.close()
"""


def test_two_processes_editing_the_same_record_never_crash(tmp_path: Path) -> None:
    path = tmp_path / "same.sqlite"
    setup = fresh_store(path)
    store = next(setup)
    make_jurisdiction(store)
    setup.close()
    processes = start_all([python_code(SAME_RECORD, str(path), tag) for tag in ("A", "B")])
    for code, _out, err in finish_all(processes):
        assert "Traceback" not in err
        assert code == 0
