"""Copying a whole database between a file and an office database (PostgreSQL), both ways.

Real databases throughout: the file is SQLite on disk, the office database a throwaway
PostgreSQL server (tests/postgres_server.py). A copy keeps every row as it was (ids, uuids,
versions, times, bytes), so its audit trail is the same hash chain and it checks clean; a
target holding records is refused; a copy that fails half way leaves nothing behind."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.models import Base
from app.progress import Cancellation, Cancelled
from app.reports import exports
from app.services import audit, backup, copying, demo, evidence, integrity, records, responses
from app.services.errors import UserError
from app.services.store import Store, open_store
from tests.helpers import (
    REPO,
    approved_response,
    built_result,
    child_env,
    complete_response,
    fresh_store,
    make_jurisdiction,
    raw_connect,
    start_psp,
)
from tests.storage_helpers import small_disk

ACTOR = "Test Clerk"
EVIDENCE_BYTES = bytes(range(256)) * 64 + b"\x00\xff end of scan"


@dataclass(frozen=True)
class World:
    response_id: int
    evidence_id: int
    filing_id: int


def _build(store: Store) -> World:
    """The demo cities, plus an approved response with its approved record, a filed letter
    and an evidence file of arbitrary bytes."""
    j, _county, _city, response_id = approved_response(store)
    doc = evidence.attach_bytes(store, j.id, "scan-2017-42.pdf", EVIDENCE_BYTES)
    with tempfile.TemporaryDirectory() as folder:
        filed = exports.export_letter(store, response_id, Path(folder) / "letter.pdf")
    assert filed.filing is not None
    start_psp(store, j.id)  # a draft beside the approved one
    demo.load_demo(store)
    filing = exports.list_filings(store, response_id)[0]
    return World(response_id=response_id, evidence_id=doc.id, filing_id=filing.id)


@pytest.fixture
def source(db_path: Path) -> Iterator[Store]:
    yield from fresh_store(db_path, ACTOR, built=("copy-world", _build))


@pytest.fixture
def world(source: Store) -> World:
    result = built_result("copy-world")
    assert isinstance(result, World)
    return result


# ----------------------------------------------------------------------------- helpers


def _rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, every column, as the application reads them."""
    with store.reading() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).all()
            ]
            for table in Base.metadata.sorted_tables
        }


def _raw_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a file as SQLite itself stores it, Alembic's included."""
    with closing(raw_connect(path)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(
                connection.execute(f'SELECT * FROM "{name}"').fetchall(),
                key=lambda row: tuple(map(repr, row)),
            )
            for name in names
        }


def _head(store: Store) -> tuple[int, str] | None:
    head = audit.chain_head(store)
    return None if head is None else (head.sequence, head.entry_hash)


def _table_names(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _highest_id(store: Store, table: str) -> int:
    with store.reading() as session:
        return int(session.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar_one())


def _record_count(store: Store) -> int:
    return sum(len(rows) for rows in _rows(store).values())


def _copy_cli(source: Path | str, target: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--db", str(source), "copy", "--to", str(target)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=child_env(),
        cwd=REPO,
        timeout=120,
        check=False,
    )


# ----------------------------------------------------------------------------- round trip


def test_a_file_copied_to_an_office_database_and_back_is_the_same_record(
    source: Store, world: World, postgres_url: str, tmp_path: Path
) -> None:
    assert source.path is not None
    expected = _rows(source)
    head = _head(source)
    assert head is not None
    assert expected["filed_document"]
    assert expected["evidence"]

    to_server = copying.copy_database(source, postgres_url)
    assert to_server.ok, to_server.report.problems
    assert to_server.counts == {table: len(rows) for table, rows in expected.items()}
    assert to_server.head is not None
    assert (to_server.head.sequence, to_server.head.entry_hash) == head

    server = open_store(postgres_url, actor=ACTOR, create=False)
    try:
        assert server.engine.dialect.name == "postgresql"
        assert _rows(server) == expected
        # Nothing was added to the trail for the copy: the same chain, the same head.
        assert _head(server) == head
        assert integrity.check(server).ok
        assert evidence.content_of(server, world.evidence_id) == EVIDENCE_BYTES
        with server.reading() as session:
            stored = session.execute(
                sa.text("SELECT content FROM filed_document WHERE id = :id"),
                {"id": world.filing_id},
            ).scalar_one()
        assert bytes(stored).startswith(b"%PDF")
        detail = responses.get_response(server, world.response_id)
        assert detail.summary.status == "approved"

        back = tmp_path / "back" / "copy.sqlite"
        back.parent.mkdir()
        to_file = copying.copy_database(server, back)
        assert to_file.ok, to_file.report.problems
        assert to_file.target == back
    finally:
        server.close()

    # The file made from the server holds exactly what the first file held, as SQLite stores
    # it (times, yes/no values, bytes), and nothing was left beside it.
    assert _raw_rows(back) == _raw_rows(source.path)
    assert sorted(p.name for p in back.parent.iterdir()) == ["copy.sqlite"]
    copy = open_store(back, actor=ACTOR, create=False)
    try:
        assert _rows(copy) == expected
        assert _head(copy) == head
        report = integrity.check(copy)
        assert report.ok, report.problems
        assert report.checked["filed letters"] == 1
        assert report.checked["evidence files"] == len(expected["evidence"])
    finally:
        copy.close()


def test_new_records_are_numbered_after_the_copied_ones_on_the_server(
    source: Store, postgres_url: str
) -> None:
    copying.copy_database(source, postgres_url)
    highest = _highest_id(source, "jurisdiction")
    server = open_store(postgres_url, actor=ACTOR, create=False)
    try:
        added = make_jurisdiction(server, name="Town of Bernalillo")
        assert added.id == highest + 1
        facility = records.create(
            server,
            "facility",
            {
                "name": "Town Holding Cell",
                "facility_type": "jail",
                "operator_type": "city",
                "operator_name": "Town of Bernalillo",
            },
            parent_id=added.id,
        )
        assert facility.id == _highest_id(source, "facility") + 1
        evidence.attach_bytes(server, added.id, "minutes.txt", b"minutes")
        # The trail goes on from the copied head, unbroken.
        head = audit.chain_head(server)
        source_head = audit.chain_head(source)
        assert head is not None
        assert source_head is not None
        assert head.sequence > source_head.sequence
        report = integrity.check(server)
        assert report.ok, report.problems
    finally:
        server.close()


def test_an_office_database_is_backed_up_as_a_file_that_opens_and_checks_clean(
    source: Store, postgres_url: str, tmp_path: Path
) -> None:
    copying.copy_database(source, postgres_url)
    server = open_store(postgres_url, actor=ACTOR, create=False)
    target = tmp_path / "office-backup.sqlite"
    try:
        assert backup.backup_to(server, target) == target
        with pytest.raises(UserError, match="already exists"):
            backup.backup_to(server, target)
        make_jurisdiction(server, name="Village of Corrales")
        backup.backup_to(server, target, replace=True)
        expected = _rows(server)
    finally:
        server.close()
    copy = open_store(target, actor=ACTOR, create=False)
    try:
        assert _rows(copy) == expected
        assert integrity.check(copy).ok
    finally:
        copy.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_an_existing_file_without_records_takes_the_copy(source: Store, tmp_path: Path) -> None:
    target = tmp_path / "empty.sqlite"
    open_store(target, actor=ACTOR).close()
    result = copying.copy_database(source, target)
    assert result.ok
    copy = open_store(target, actor=ACTOR, create=False)
    try:
        assert _rows(copy) == _rows(source)
    finally:
        copy.close()


def test_progress_is_told_and_reaches_the_end(source: Store, tmp_path: Path) -> None:
    told: list[tuple[int, int, str]] = []
    result = copying.copy_database(
        source, tmp_path / "copy.sqlite", progress=lambda *seen: told.append(seen)
    )
    assert any("answers" in what for _done, _total, what in told)
    assert told[-1][0] == told[-1][1] == result.total == _record_count(source)


@pytest.mark.parametrize("kind", ["file", "office database"])
def test_what_a_colleague_saves_during_the_copy_is_in_neither_half(
    kind: str, source: Store, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The source is read in one snapshot: a save made while the copy runs is not copied,
    and the copy's trail ends at the head the copy started from."""
    if kind == "office database":
        url = request.getfixturevalue("postgres_url")
        copying.copy_database(source, url)
        reading = open_store(url, actor=ACTOR, create=False)
    else:
        reading = source
    try:
        expected, head = _rows(reading), _head(reading)
        saved: list[int] = []

        def progress(_done: int, _total: int, what: str) -> None:
            if "answers" in what and not saved:
                saved.append(make_jurisdiction(reading, name="Town of Peralta").id)

        result = copying.copy_database(reading, tmp_path / "copy.sqlite", progress=progress)
        assert saved
        assert result.ok, result.report.problems
        assert result.counts["jurisdiction"] == len(expected["jurisdiction"])
        copy = open_store(tmp_path / "copy.sqlite", actor=ACTOR, create=False)
        try:
            assert _rows(copy) == expected
            assert _head(copy) == head
        finally:
            copy.close()
        assert _head(reading) != head  # the save itself went through
    finally:
        if reading is not source:
            reading.close()


def test_a_copy_into_the_database_itself_is_refused(source: Store, postgres_url: str) -> None:
    copying.copy_database(source, postgres_url)
    server = open_store(postgres_url, actor=ACTOR, create=False)
    try:
        with pytest.raises(UserError, match="is the database being copied"):
            copying.copy_database(server, postgres_url)
    finally:
        server.close()


# ----------------------------------------------------------------------------- refusals


def test_an_office_database_with_records_is_refused_and_left_as_it_was(
    source: Store, postgres_url: str
) -> None:
    server = open_store(postgres_url, actor=ACTOR)
    try:
        make_jurisdiction(server, name="Village of Los Ranchos")
        before, head = _rows(server), _head(server)
        with pytest.raises(UserError, match=r"already holds 1 jurisdiction; copy into a new file"):
            copying.copy_database(source, postgres_url)
        assert _rows(server) == before
        assert _head(server) == head
    finally:
        server.close()


def test_a_file_with_records_is_refused_and_left_as_it_was(source: Store, tmp_path: Path) -> None:
    target = tmp_path / "other.sqlite"
    other = open_store(target, actor=ACTOR)
    try:
        make_jurisdiction(other, name="Valencia County", kind="county")
        before = _rows(other)
    finally:
        other.close()
    staff_only = open_store(tmp_path / "staff.sqlite", actor=ACTOR)
    try:
        demo.load_staff(staff_only)
    finally:
        staff_only.close()

    with pytest.raises(UserError, match=r"other\.sqlite already holds 1 jurisdiction"):
        copying.copy_database(source, target)
    # Records of another kind count as well: only a target without any is filled.
    with pytest.raises(UserError, match=r"staff\.sqlite already holds \d+ audit trail entries"):
        copying.copy_database(source, tmp_path / "staff.sqlite")
    with pytest.raises(UserError, match="is the database being copied"):
        copying.copy_database(source, source.location)
    reopened = open_store(target, actor=ACTOR, create=False)
    try:
        assert _rows(reopened) == before
    finally:
        reopened.close()


def test_text_an_office_database_cannot_store_is_refused_before_anything_is_written(
    store: Store, postgres_url: str
) -> None:
    make_jurisdiction(store, notes="Council minutes\x00 pasted from a PDF")
    with pytest.raises(UserError) as refused:
        copying.copy_database(store, postgres_url)
    message = str(refused.value)
    assert (
        "The jurisdiction “City of Albuquerque” (id 1) contains an invisible NUL character "
        "in its notes" in message
    )
    assert "Nothing was copied" in message
    assert "audit trail" not in message  # the notes can be retyped
    # The empty database was not even set up.
    assert _table_names(postgres_url) == []


def test_a_nul_kept_in_the_audit_trail_says_the_database_must_stay_a_file(
    store: Store, postgres_url: str
) -> None:
    _j, _county, city, response_id = complete_response(store)
    responses.save_answer(
        store,
        response_id,
        "access",
        city.id,
        responses.AnswerInput(value="no", narrative="See the\x00 resolution."),
    )
    with pytest.raises(UserError) as refused:
        copying.copy_database(store, postgres_url)
    message = str(refused.value)
    assert (
        f"The answer to question “access” in response {response_id} contains an invisible "
        "NUL character in its narrative" in message
    )
    assert "contains an invisible NUL character in its new value" in message
    assert "The audit trail itself can never be changed" in message
    assert _table_names(postgres_url) == []


def test_text_longer_than_an_office_database_stores_is_refused(
    store: Store, postgres_url: str
) -> None:
    # Jurisdesk keeps text within its columns' lengths, but SQLite itself never enforces them:
    # a file changed by another tool may hold more than a server column takes.
    make_jurisdiction(store)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE jurisdiction SET police_agency = ?", ("P" * 250,))
    with pytest.raises(UserError) as refused:
        copying.copy_database(store, postgres_url)
    assert re.search(
        r"is 250 characters long, but an office database stores at most 200 there\.",
        str(refused.value),
    )
    assert _table_names(postgres_url) == []


# ----------------------------------------------------------------------------- failures


def test_a_server_that_fails_half_way_keeps_nothing_and_a_second_copy_succeeds(
    source: Store, postgres_url: str
) -> None:
    server = open_store(postgres_url, actor=ACTOR)
    try:
        # The server runs out of space while the answers are written, long after the
        # jurisdictions, the trail and the evidence went in.
        with server.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER full_disk BEFORE INSERT ON answer "
                "FOR EACH ROW EXECUTE FUNCTION full_disk()"
            )
        with pytest.raises(UserError, match="out of space"):
            copying.copy_database(source, postgres_url)
        assert _record_count(server) == 0

        with server.engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER full_disk ON answer")
        result = copying.copy_database(source, postgres_url)
        assert result.ok
        assert _rows(server) == _rows(source)
    finally:
        server.close()


def test_a_cancelled_copy_leaves_no_file(source: Store, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    cancellation = Cancellation()

    def progress(_done: int, _total: int, what: str) -> None:
        if "answers" in what:
            cancellation.cancel()

    with pytest.raises(Cancelled):
        copying.copy_database(
            source, folder / "copy.sqlite", progress=progress, cancellation=cancellation
        )
    assert list(folder.iterdir()) == []


def test_a_cancelled_copy_into_an_existing_file_leaves_it_empty(
    source: Store, tmp_path: Path
) -> None:
    target = tmp_path / "empty.sqlite"
    open_store(target, actor=ACTOR).close()
    cancellation = Cancellation()

    def progress(done: int, _total: int, _what: str) -> None:
        if done > 0:
            cancellation.cancel()

    with pytest.raises(Cancelled):
        copying.copy_database(source, target, progress=progress, cancellation=cancellation)
    reopened = open_store(target, actor=ACTOR, create=False)
    try:
        assert _record_count(reopened) == 0
    finally:
        reopened.close()


def test_a_disk_that_fills_half_way_leaves_no_file(store: Store) -> None:
    j = make_jurisdiction(store)
    evidence.attach_bytes(store, j.id, "scan.pdf", os.urandom(3 * 1_048_576))
    with small_disk(1536) as disk:
        with pytest.raises(UserError) as refused:
            copying.copy_database(store, disk / "copy.sqlite")
        assert str(refused.value).startswith(
            f"Cannot write {disk / 'copy.sqlite'}: its disk is full; nothing was written."
        )
        assert list(disk.iterdir()) == []


# ----------------------------------------------------------------------------- the command


def test_the_copy_command_copies_both_ways_and_refuses_a_second_time(
    source: Store, postgres_url: str, tmp_path: Path
) -> None:
    assert source.path is not None
    head = audit.chain_head(source)
    assert head is not None
    source.close()

    done = _copy_cli(source.path, postgres_url)
    assert done.returncode == 0, done.stderr
    assert (
        f"all holds ({head.sequence:,} audit trail entries, chain head #{head.sequence} "
        f"{head.short})." in done.stdout
    )
    assert "1 filed letter\n" in done.stdout

    again = _copy_cli(source.path, postgres_url)
    assert again.returncode == 2
    assert "already holds" in again.stderr
    assert "jurisdictions" in again.stderr
    assert again.stdout == ""

    back = tmp_path / "back.sqlite"
    returned = _copy_cli(postgres_url, back)
    assert returned.returncode == 0, returned.stderr
    assert f"chain head #{head.sequence} {head.short}" in returned.stdout
    assert _raw_rows(back) == _raw_rows(source.path)


def test_the_copy_command_never_creates_its_source(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    result = _copy_cli(missing, tmp_path / "copy.sqlite")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_copy_command_exits_1_when_the_copy_checks_damaged(
    source: Store, world: World, tmp_path: Path
) -> None:
    assert source.path is not None
    source.close()
    with closing(sqlite3.connect(source.path)) as connection:
        connection.execute(
            "UPDATE evidence SET content = CAST('replaced' AS BLOB) WHERE id = ?",
            (world.evidence_id,),
        )
        connection.commit()
    target = tmp_path / "copy.sqlite"
    result = _copy_cli(source.path, target)
    assert result.returncode == 1, result.stderr
    assert f"Check of {target}: PROBLEMS FOUND" in result.stdout
    assert "stored bytes do not match" in result.stdout
    assert target.exists()
