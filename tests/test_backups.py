"""Backups nobody has to remember: a copy on the first opening of each day and before each
upgrade, rotated; and restoring a copy, checked first, with the replaced database kept."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.db import (
    DAILY_BACKUPS_KEPT,
    UPGRADE_BACKUPS_KEPT,
    automatic_backups,
    daily_backup_path,
    make_daily_backup,
    open_database,
)
from app.services import backup, records
from app.services.errors import UserError
from app.services.restore import check_backup, restore_database
from app.services.store import open_store
from tests.helpers import DATA, folder_listing, python_code, run_cli, sha256_file, start_all
from tests.storage_helpers import city_database, flip_bits, integrity, names_in, root_page

CITY = "City of Albuquerque"


def _add_city(db: Path, name: str) -> None:
    store = open_store(db)
    try:
        records.create(store, "jurisdiction", {"name": name, "kind": "city", "state": "CA"})
    finally:
        store.close()


# ----------------------------------------------------------------------------- daily copies


def test_a_new_database_gets_no_copy_and_the_next_opening_of_the_day_gets_one(
    tmp_path: Path,
) -> None:
    db = tmp_path / "jurisdesk.sqlite"
    city_database(db)
    assert not (tmp_path / "backups").exists(), "nothing to lose yet"

    store = open_store(db)
    store.close()
    today = daily_backup_path(db, date.today())
    assert store.database.daily_backup == today
    assert today.parent == tmp_path / "backups"
    assert names_in(today) == [CITY]
    assert integrity(today) == "ok"
    made = today.stat().st_mtime_ns

    _add_city(db, "City of Stockton")
    again = open_store(db)
    again.close()
    assert again.database.daily_backup is None, "once a day"
    assert today.stat().st_mtime_ns == made
    assert names_in(today) == [CITY], "the day's copy is the database as the day began"
    assert automatic_backups(db, "daily") == [today]


def test_daily_copies_are_kept_for_14_days(tmp_path: Path) -> None:
    db = tmp_path / "jurisdesk.sqlite"
    city_database(db)
    opened = open_database(db, daily_backup=False)
    try:
        first = date(2017, 8, 1)
        for n in range(20):
            made = make_daily_backup(opened.engine, db, first + timedelta(days=n))
            assert made == daily_backup_path(db, first + timedelta(days=n))
            assert make_daily_backup(opened.engine, db, first + timedelta(days=n)) is None
    finally:
        opened.engine.dispose()
    kept = automatic_backups(db, "daily")
    assert DAILY_BACKUPS_KEPT == 14
    assert [p.name for p in kept] == [
        f"jurisdesk.daily-{first + timedelta(days=n)}.sqlite" for n in range(6, 20)
    ]
    assert all(names_in(p) == [CITY] for p in kept)


def test_the_copies_of_one_database_leave_another_ones_alone(tmp_path: Path) -> None:
    city_database(tmp_path / "city.sqlite")
    city_database(tmp_path / "county.sqlite", name="Bernalillo County")
    for name in ("city", "county"):
        open_store(tmp_path / f"{name}.sqlite").close()
    assert [p.name for p in automatic_backups(tmp_path / "city.sqlite", "daily")] == [
        f"city.daily-{date.today()}.sqlite"
    ]
    assert names_in(daily_backup_path(tmp_path / "county.sqlite", date.today())) == [
        "Bernalillo County"
    ]


def test_pre_upgrade_copies_are_kept_separately_the_last_five(tmp_path: Path) -> None:
    db = tmp_path / "jurisdesk.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", db)
    backups = tmp_path / "backups"
    backups.mkdir()
    for day in range(1, 8):
        shutil.copyfile(DATA / "schema-0001.sqlite", backups / (
            f"jurisdesk.before-upgrade-0001-201708{day:02}-120000.sqlite"
        ))  # fmt: skip
    store = open_store(db)
    store.close()
    kept = automatic_backups(db, "before-upgrade")
    assert UPGRADE_BACKUPS_KEPT == 5
    assert len(kept) == 5
    assert kept[-1] == store.database.backup_path, "the newest is the one just made"
    assert kept[0].name == "jurisdesk.before-upgrade-0001-20170804-120000.sqlite"


# ----------------------------------------------------------------------------- restoring


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, Path]:
    """(database with Albuquerque and Stockton, a copy from when it held Albuquerque only)."""
    db = tmp_path / "office" / "jurisdesk.sqlite"
    db.parent.mkdir()
    city_database(db)
    copy = tmp_path / "monday.sqlite"
    store = open_store(db)
    try:
        backup.backup_to(store, copy)
    finally:
        store.close()
    _add_city(db, "City of Stockton")
    return db, copy


def test_restore_checks_the_copy_keeps_the_database_and_replaces_it(
    office: tuple[Path, Path],
) -> None:
    db, copy = office
    assert check_backup(copy).needs_upgrade is False

    result = restore_database(db, copy)

    assert names_in(db) == [CITY]
    assert result.kept_copy is not None
    assert result.kept_copy.parent == db.parent / "backups"
    assert result.kept_copy.name.startswith("jurisdesk.before-restore-")
    assert names_in(result.kept_copy) == [CITY, "City of Stockton"]
    assert automatic_backups(db, "before-restore") == [result.kept_copy]
    assert integrity(db) == "ok"
    assert not [n for n in folder_listing(db.parent) if n.endswith((".part", "-wal", "-shm"))]
    store = open_store(db)
    try:
        assert [r.title for r in records.list_records(store, "jurisdiction")] == [CITY]
    finally:
        store.close()


def test_the_restore_command_restores_and_says_where_the_old_database_went(
    office: tuple[Path, Path],
) -> None:
    db, copy = office
    run = run_cli(db, "restore", str(copy))
    assert run.returncode == 0, run.stderr
    assert f"Restored {db} from {copy}" in run.stdout
    kept = automatic_backups(db, "before-restore")
    assert len(kept) == 1
    assert str(kept[0]) in run.stdout
    assert names_in(db) == [CITY]


def test_restoring_an_older_copy_upgrades_it_when_it_opens(tmp_path: Path) -> None:
    db = tmp_path / "jurisdesk.sqlite"
    city_database(db, name="Somewhere Else")
    restore_database(db, DATA / "schema-0001.sqlite")
    store = open_store(db)
    try:
        assert store.database.backup_path is not None
        assert CITY in [r.title for r in records.list_records(store, "jurisdiction")]
    finally:
        store.close()


def test_restoring_onto_a_damaged_database_keeps_its_bytes(office: tuple[Path, Path]) -> None:
    db, copy = office
    flip_bits(db, 1)
    damaged = sha256_file(db)
    result = restore_database(db, copy)
    assert result.kept_copy is not None
    assert sha256_file(result.kept_copy) == damaged
    assert names_in(db) == [CITY]


def _text_file(path: Path) -> None:
    path.write_text("Dear Chief, please answer by August 18.\n", encoding="utf-8")


def _foreign(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.commit()
    connection.close()


def _newer(path: Path) -> None:
    shutil.copyfile(DATA / "schema-0001.sqlite", path)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()


def _bit_flipped(path: Path) -> None:
    city_database(path)
    flip_bits(path, root_page(path, "facility"))


def _cut_short(path: Path) -> None:
    city_database(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


BAD_COPIES = {
    "text file": (_text_file, "not an SQLite file"),
    "other program's database": (_foreign, "not a Jurisdesk database"),
    "newer jurisdesk": (_newer, "newer version of Jurisdesk"),
    "bit flips": (_bit_flipped, "integrity check"),
    "cut short": (_cut_short, "damaged"),
}


@pytest.mark.parametrize("kind", list(BAD_COPIES))
def test_a_copy_that_fails_the_check_is_refused_and_nothing_changes(
    office: tuple[Path, Path], tmp_path: Path, kind: str
) -> None:
    db, _copy = office
    build, reason = BAD_COPIES[kind]
    bad = tmp_path / "bad" / "copy.sqlite"
    bad.parent.mkdir()
    build(bad)
    digest, listing = sha256_file(db), folder_listing(db.parent)

    with pytest.raises(UserError, match="cannot be restored") as info:
        restore_database(db, bad)
    assert reason in str(info.value)
    assert str(bad) in str(info.value)

    run = run_cli(db, "restore", str(bad))
    assert run.returncode == 2
    assert reason in run.stderr
    assert "Traceback" not in run.stderr

    assert sha256_file(db) == digest
    assert folder_listing(db.parent) == listing, "no copy kept, nothing left beside it"


HOLD_OPEN = """
import sys, time
from pathlib import Path
from app.services.store import open_store

store = open_store(Path(sys.argv[1]), actor="Someone else")
print("open", flush=True)
time.sleep(float(sys.argv[2]))
store.close()
"""


def test_restore_is_refused_while_someone_has_the_database_open(
    office: tuple[Path, Path],
) -> None:
    db, copy = office
    (holder,) = start_all([python_code(HOLD_OPEN, str(db), "6")])
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        before = names_in(db)
        with pytest.raises(UserError, match="is in use") as info:
            restore_database(db, copy)
        assert "Nothing was changed" in str(info.value)
        assert names_in(db) == before
        assert automatic_backups(db, "before-restore") == []
    finally:
        holder.kill()
        holder.communicate()
