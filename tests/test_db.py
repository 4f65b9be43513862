"""Storage rules: our files are marked and configured; foreign, damaged or newer files are refused
and left byte for byte as they were."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import APPLICATION_ID, BUSY_TIMEOUT_MS, head_revision
from app.services import records
from app.services.errors import UserError
from app.services.store import Store, open_store
from tests.helpers import (
    DATA,
    folder_listing,
    make_jurisdiction,
    raw_connect,
    sha256_file,
)

FIXTURE = DATA / "schema-0001.sqlite"


def test_new_file_is_marked_migrated_and_in_wal_mode(db_path: Path) -> None:
    store = open_store(db_path, actor="Clerk")
    store.close()
    connection = raw_connect(db_path)
    try:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        assert revision == [(head_revision(),)]
    finally:
        connection.close()


def test_every_connection_has_foreign_keys_wal_and_busy_timeout(store: Store) -> None:
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
        assert BUSY_TIMEOUT_MS >= 1000


def test_foreign_keys_are_enforced_by_sqlite(store: Store) -> None:
    with store.engine.connect() as connection, pytest.raises(Exception, match="FOREIGN KEY"):
        connection.execute(
            text(
                "INSERT INTO facility (jurisdiction_id, name, facility_type, operator_type,"
                " operator_name, sets_policy, uuid, version, created_at, updated_at)"
                " VALUES (999, 'x', 'jail', 'county', 'y', 0, 'u', 1, '2017-01-01', '2017-01-01')"
            )
        )


def test_store_reports_the_revision_and_path(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        assert store.database.schema_revision == head_revision()
        assert store.path == db_path
        assert store.database.backup_path is None
    finally:
        store.close()


def test_reopening_keeps_data_and_makes_no_backup(db_path: Path) -> None:
    store = open_store(db_path)
    make_jurisdiction(store)
    store.close()
    before = folder_listing(db_path.parent)
    again = open_store(db_path)
    try:
        assert [r.title for r in records.list_records(again, "jurisdiction")] == [
            "City of Albuquerque"
        ]
        assert again.database.backup_path is None
    finally:
        again.close()
    assert not any("before-upgrade" in name for name in folder_listing(db_path.parent) - before)


def test_missing_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "jurisdesk.sqlite"
    store = open_store(path)
    store.close()
    assert path.is_file()


def test_create_false_refuses_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    with pytest.raises(UserError, match="does not exist") as info:
        open_store(path, create=False)
    assert str(path) in str(info.value)
    assert not path.exists()


# ----------------------------------------------------------------------------- refused files


def _text_file(path: Path) -> None:
    path.write_text("Dear Chief,\nplease answer by August 18.\n", encoding="utf-8")


def _empty_file(path: Path) -> None:
    path.write_bytes(b"")


def _other_application(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.execute("INSERT INTO contacts VALUES ('someone else''s data')")
    connection.commit()
    connection.close()


def _other_application_id(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA application_id=1196314761")  # another program's marker
    connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
    connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    connection.commit()
    connection.close()


def _with_revision(revision: str | None) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        shutil.copyfile(FIXTURE, path)
        connection = sqlite3.connect(path)
        if revision is None:
            connection.execute("DELETE FROM alembic_version")
        else:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        connection.commit()
        connection.close()

    return build


def _garbage_after_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)


REFUSED: dict[str, tuple[Callable[[Path], None], str]] = {
    "text file": (_text_file, "not an SQLite file"),
    "empty file": (_empty_file, "empty file"),
    "other application": (_other_application, "not a Jurisdesk database"),
    "other application id": (_other_application_id, "not a Jurisdesk database"),
    "newer jurisdesk": (_with_revision("9999_from_the_future"), "newer version of Jurisdesk"),
    "no schema version": (_with_revision(None), "no schema version"),
    "damaged": (_garbage_after_header, "damaged"),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_refused_file_is_left_untouched(tmp_path: Path, kind: str) -> None:
    build, expected = REFUSED[kind]
    folder = tmp_path / "office"
    folder.mkdir()
    path = folder / "data.sqlite"
    build(path)
    digest, mtime = sha256_file(path), path.stat().st_mtime_ns
    listing = folder_listing(folder)

    with pytest.raises(UserError) as info:
        open_store(path, actor="Clerk")

    message = str(info.value)
    assert expected in message
    assert str(path) in message, "the message names the file"
    assert "Traceback" not in message
    assert sha256_file(path) == digest
    assert path.stat().st_mtime_ns == mtime
    assert folder_listing(folder) == listing, "no -wal, -shm or backup file beside it"


def test_newer_file_message_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    _with_revision("0042")(path)
    with pytest.raises(UserError, match=r"schema 0042.*Install the newer Jurisdesk"):
        open_store(path)


def test_a_directory_is_refused_with_a_user_error(tmp_path: Path) -> None:
    folder = tmp_path / "folder.sqlite"
    folder.mkdir()
    with pytest.raises(UserError) as info:
        open_store(folder)
    assert str(folder) in str(info.value)
    assert list(folder.iterdir()) == []


def test_a_second_window_opens_a_database_whose_latest_pages_are_still_in_the_log(
    db_path: Path,
) -> None:
    first = open_store(db_path, actor="first")
    try:
        for n in range(5):
            records.create(
                first, "jurisdiction", {"name": f"City {n}", "kind": "city", "state": "NM"}
            )
        # The first window keeps its connection open, so its commits sit in the -wal file.
        assert db_path.with_name(db_path.name + "-wal").stat().st_size > 0
        second = open_store(db_path, actor="second")
        try:
            assert len(records.list_records(second, "jurisdiction")) == 5
        finally:
            second.close()
    finally:
        first.close()


def test_a_new_database_is_not_corrupted_by_the_log_of_a_deleted_one(tmp_path: Path) -> None:
    """A database deleted while its write-ahead log was left behind (a window killed, a file
    removed by hand): SQLite would replay that log onto a new file of the same name."""
    path = tmp_path / "office.sqlite"
    first = open_store(path, actor="Clerk")
    make_jurisdiction(first, name="City of Oldtown")
    # The log as a process killed now would leave it: its frames are not yet in the file.
    kept_log = tmp_path / "kept-wal"
    shutil.copy2(path.with_name(path.name + "-wal"), kept_log)
    first.close()
    for leftover in tmp_path.glob("office.sqlite*"):
        leftover.unlink()
    shutil.copy2(kept_log, path.with_name(path.name + "-wal"))

    second = open_store(path, actor="Clerk")
    try:
        make_jurisdiction(second, name="City of Newtown")
        names = [r.title for r in records.list_records(second, "jurisdiction", None)]
        assert names == ["City of Newtown"]
    finally:
        second.close()
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        check.close()
    # The old log is kept aside, not destroyed.
    assert len(list(tmp_path.glob("office.sqlite-wal.orphaned-*"))) == 1
