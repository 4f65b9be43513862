"""Jurisdesk processes sharing one database, a file or an office database on PostgreSQL: edits
between read and write are detected, concurrent writers (WAL and the busy timeout on a file, the
advisory write lock on a server) lose nothing and leave one unbroken audit chain, and a writer
kept waiting too long is told the database is busy while readers go on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.services import audit, integrity, records, responses
from app.services.errors import Conflict, UserError
from app.services.responses import NO_ANSWER_YET, AnswerInput
from app.services.store import Store, open_store
from tests.helpers import (
    finish_all,
    make_facility,
    make_jurisdiction,
    python_code,
    run_python,
    start_all,
    start_psp,
)
from tests.stores import (
    Location,
    count_rows,
    fresh_store,
    holding_the_write_lock,
    location_text,
    raw_one,
    raw_rows,
    shorten_busy_timeout,
)

pytestmark = pytest.mark.both_stores


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    yield from fresh_store(db_location)


@pytest.fixture
def sync(tmp_path: Path) -> Path:
    """A folder where child processes say they are ready, so that they start together."""
    folder = tmp_path / "sync"
    folder.mkdir()
    return folder


OTHER_PC = """
import sys
from app.services import records, responses
from app.services.store import open_store

store = open_store(sys.argv[1], actor="Other PC")
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
    run_python(OTHER_PC, location_text(store), str(j.id), str(rid), str(city.id))

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

location, tag, sync = sys.argv[1], sys.argv[2], Path(sys.argv[3])
response_id, facility_id, rounds, writers = map(int, sys.argv[4:8])
store = open_store(location, actor=f"writer {tag}")
# The writers start together, so their transactions really interleave.
(sync / f"ready-{tag}").touch()
deadline = time.monotonic() + 30
while len(list(sync.glob("ready-*"))) < writers and time.monotonic() < deadline:
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


def _run_writers(store: Store, sync: Path, tags: str, rounds: int) -> dict[str, tuple[int, int]]:
    """Each writer saves its own answer and facility `rounds` times, all at once; returns
    each writer's (response id, facility id)."""
    j = make_jurisdiction(store)
    targets = {}
    for tag in tags:
        facility = make_facility(store, j.id, controlled=True, name=f"Facility {tag}")
        targets[tag] = (start_psp(store, j.id).summary.id, facility.id)
    where = location_text(store)
    processes = start_all(
        [
            python_code(
                WRITER, where, tag, str(sync), str(rid), str(fid), str(rounds), str(len(tags))
            )
            for tag, (rid, fid) in targets.items()
        ]
    )
    for code, out, err in finish_all(processes, timeout=120):
        assert code == 0, err
        assert err == ""
        assert out.startswith("done")
    return targets


def _assert_nothing_lost(store: Store, targets: dict[str, tuple[int, int]], rounds: int) -> None:
    for tag, (rid, fid) in targets.items():
        (answer,) = raw_rows(
            store,
            "SELECT value, version FROM answer WHERE response_id = ? AND slot = 'statement'",
            (rid,),
        )
        assert (answer["value"], answer["version"]) == (f'"{tag} {rounds - 1}"', rounds)
        (facility,) = raw_rows(store, "SELECT contact, version FROM facility WHERE id = ?", (fid,))
        assert (facility["contact"], facility["version"]) == (f"{tag} {rounds - 1}", rounds + 1)
        audited = raw_one(
            store,
            "SELECT count(*) FROM audit_entry WHERE actor = ? AND field IN ('value', 'contact')",
            (f"writer {tag}",),
        )
        assert audited == 2 * rounds, "every write is in the trail"


def _assert_one_chain(store: Store) -> None:
    """The trail is one chain: numbered 1, 2, 3... without a gap, every link holding."""
    entries = count_rows(store, "audit_entry")
    numbers = [row["sequence"] for row in raw_rows(store, "SELECT sequence FROM audit_entry")]
    assert sorted(numbers) == list(range(1, entries + 1))
    report = integrity.check(store)
    assert report.ok, report.problems
    assert report.checked["audit trail entries"] == entries
    assert report.head is not None
    assert report.head.sequence == entries


ROUNDS = 50


def test_two_processes_write_concurrently_without_errors_or_losses(
    store: Store, sync: Path
) -> None:
    targets = _run_writers(store, sync, "AB", ROUNDS)
    _assert_nothing_lost(store, targets, ROUNDS)
    _assert_one_chain(store)
    if store.path is not None:
        assert raw_one(store, "PRAGMA integrity_check") == "ok"


def test_four_writers_append_to_one_unbroken_audit_chain(store: Store, sync: Path) -> None:
    before = count_rows(store, "audit_entry")
    rounds = 20
    targets = _run_writers(store, sync, "ABCD", rounds)
    _assert_nothing_lost(store, targets, rounds)
    written = count_rows(store, "audit_entry") - before
    # Each writer: two changes a round, after what setting it up recorded here.
    assert (
        sum(
            raw_one(store, "SELECT count(*) FROM audit_entry WHERE actor = ?", (f"writer {tag}",))
            for tag in targets
        )
        == 4 * 2 * rounds
    )
    assert written >= 4 * 2 * rounds
    _assert_one_chain(store)


SAME_RECORD = """
import sys, time
from pathlib import Path
from app.services import records
from app.services.errors import UserError
from app.services.store import open_store

location, tag, sync = sys.argv[1], sys.argv[2], Path(sys.argv[3])
store = open_store(location, actor=tag)
(sync / f"go-{tag}").touch()
while len(list(sync.glob("go-*"))) < 2:
    time.sleep(0.005)
for n in range(25):
    try:
        records.update(store, "jurisdiction", 1, {"notes": f"{tag} {n}"}, None)
    except UserError:
        pass  # a clear message for the user is fine; anything else is a crash
store.close()
"""


def test_two_processes_editing_the_same_record_never_crash(store: Store, sync: Path) -> None:
    make_jurisdiction(store)
    where = location_text(store)
    processes = start_all([python_code(SAME_RECORD, where, tag, str(sync)) for tag in "AB"])
    for code, _out, err in finish_all(processes):
        assert "Traceback" not in err
        assert code == 0
    _assert_one_chain(store)


# ----------------------------------------------------------------------------- busy


def test_a_writer_kept_waiting_too_long_is_told_the_database_is_busy_and_readers_go_on(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer holds the write lock (a long import on another PC): a save waits
    BUSY_TIMEOUT_MS for it, then the user reads "busy" and nothing is written; reading never
    waits meanwhile."""
    j = make_jurisdiction(store)
    shorten_busy_timeout(monkeypatch, 300, store)
    colleague = open_store(location_text(store), actor="Colleague")
    try:
        with holding_the_write_lock(store):
            started = time.monotonic()
            with pytest.raises(UserError, match="busy") as caught:
                records.update(store, "jurisdiction", j.id, {"notes": "mine"}, j.version)
            waited = time.monotonic() - started
            assert not isinstance(caught.value, Conflict)
            assert 0.25 <= waited < 5, "it waited BUSY_TIMEOUT_MS for the other writer"

            def read() -> tuple[object, ...]:
                return (
                    records.get(colleague, "jurisdiction", j.id)["notes"],
                    [r.id for r in records.list_records(store, "jurisdiction")],
                    len(audit.history(colleague, entity_uuid=j.uuid)),
                )

            # On another thread, so that a reader kept waiting fails the test, not hangs it.
            reader = ThreadPoolExecutor(1)
            try:
                notes, listed, entries = reader.submit(read).result(timeout=20)
            finally:
                reader.shutdown(wait=False)
            assert (notes, listed) == (None, [j.id])
            assert entries == 1
        # The lock released, the same save goes through.
        saved = records.update(store, "jurisdiction", j.id, {"notes": "mine"}, j.version)
    finally:
        colleague.close()
    assert saved["notes"] == "mine"
    assert saved.version == j.version + 1
