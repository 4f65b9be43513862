"""Processes killed while creating, upgrading or copying a database, and processes opening an
old database together: the database always opens afterwards, whole, and what a killed process
left behind is removed by the next opening."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from app.db import automatic_backups, head_revision, leftovers
from app.db_files import is_cut_off, lock_path
from app.services import backup, evidence
from app.services.store import open_store
from tests.helpers import (
    DATA,
    child_env,
    finish_all,
    python_code,
    start_all,
)
from tests.storage_helpers import Killer, city_database, integrity, names_in, run_cli_bound

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the killer forks its children")

CITY = "City of Albuquerque"


def _revision(path: Path) -> str:
    store = open_store(path, create=False)
    try:
        return store.database.schema_revision
    finally:
        store.close()


def _temporary_files(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


# ----------------------------------------------------------------------------- creation


KILLS = 30
TIME_LIMIT_S = 20.0


def test_a_process_killed_while_creating_a_database_never_leaves_it_unusable(
    tmp_path: Path,
) -> None:
    killer = Killer("open_store(path, actor='Creator').close()")
    randomness = random.Random(20170818)
    interrupted = 0
    started = time.monotonic()
    killed = 0
    try:
        while killed < KILLS and time.monotonic() - started < TIME_LIMIT_S:
            path = tmp_path / f"office-{killed}.sqlite"
            killed += 1
            # Creating takes about a tenth of a second: kill anywhere in it, or just after.
            killer.run_and_kill(path, randomness.uniform(0.0, 0.2))
            if not path.exists():
                interrupted += 1
            else:
                assert not is_cut_off(path), "only a complete file is ever in place"
            # The next opening creates it (or opens the complete one) and removes what the
            # killed process left.
            store = open_store(path, actor="Next")
            store.close()
            assert store.database.schema_revision == head_revision()
            assert _temporary_files(tmp_path, path.name) == [], "leftovers were removed"
            assert integrity(path) == "ok"
    finally:
        errors = killer.close()
    assert "Traceback" not in errors, errors
    assert killed == KILLS, f"only {killed} kills within {TIME_LIMIT_S} s"
    assert interrupted >= 3, "the kills fell during creation, not only after it"
    assert not lock_path(tmp_path / "office-0.sqlite").exists()


# A process that dies in the middle of a change in rollback mode (as the first opening of a
# new file is, until it switches to WAL) leaves its journal for the next opening to undo.
DIE_MID_CHANGE = """
import os, signal, sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA journal_mode=DELETE")
connection.execute("PRAGMA cache_size=1")
connection.execute("BEGIN IMMEDIATE")
connection.execute("UPDATE jurisdiction SET name = 'Half-changed'")
connection.execute("CREATE TABLE filler (x)")
for _ in range(100):
    connection.execute("INSERT INTO filler VALUES (randomblob(4000))")
os.kill(os.getpid(), signal.SIGKILL)
"""


def _left_mid_change(path: Path) -> Path:
    city_database(path, CITY)
    died = subprocess.run(python_code(DIE_MID_CHANGE, str(path)), env=child_env(), check=False)
    assert died.returncode == -signal.SIGKILL
    journal = path.with_name(path.name + "-journal")
    assert journal.stat().st_size > 0, "the killed process left its journal"
    return journal


def test_a_change_left_half_done_by_a_killed_process_is_rolled_back_on_opening(
    tmp_path: Path,
) -> None:
    path = tmp_path / "office.sqlite"
    journal = _left_mid_change(path)
    store = open_store(path, actor="Next")
    store.close()
    assert store.database.schema_revision == head_revision()
    assert names_in(path) == [CITY], "the half-done change was undone"
    assert not journal.exists()
    assert integrity(path) == "ok"


def test_a_half_done_change_in_a_file_nobody_here_may_write_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite"
    journal = _left_mid_change(path)
    before = path.read_bytes()
    path.chmod(0o444)
    result = run_cli_bound(path, "list")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "left in the middle of a change" in result.stderr
    assert "the file is read-only for you" in result.stderr
    assert path.read_bytes() == before, "nothing was touched"
    assert journal.exists()


# ----------------------------------------------------------------------------- upgrades


OPEN_TOGETHER = """
import sys, time
from pathlib import Path
from app.services.store import open_store

path, tag = Path(sys.argv[1]), sys.argv[2]
(path.parent / f"ready-{tag}").touch()
deadline = time.monotonic() + 30
while len(list(path.parent.glob("ready-*"))) < 2 and time.monotonic() < deadline:
    time.sleep(0.002)
store = open_store(path, actor=tag)
print(store.database.backup_path is not None)
store.close()
"""


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_opening_an_old_database_together_both_succeed(
    tmp_path: Path, round_: int
) -> None:
    path = tmp_path / "jurisdesk.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", path)
    processes = start_all([python_code(OPEN_TOGETHER, str(path), tag) for tag in ("A", "B")])
    results = finish_all(processes)
    for code, _out, err in results:
        assert code == 0, err
        assert err == ""
    assert sorted(out.strip() for _, out, _ in results) == ["False", "True"], (
        "one upgraded, after a copy; the other waited and opened the upgraded file"
    )
    copies = automatic_backups(path, "before-upgrade")
    assert len(copies) == 1
    assert integrity(copies[0]) == "ok"
    assert _revision(path) == head_revision()
    assert CITY in names_in(path)


def test_a_process_killed_while_upgrading_leaves_a_database_that_opens(tmp_path: Path) -> None:
    killer = Killer("open_store(path, actor='Upgrader').close()")
    randomness = random.Random(2017)
    interrupted = 0
    try:
        for n in range(12):
            folder = tmp_path / f"office-{n}"
            folder.mkdir()
            path = folder / "jurisdesk.sqlite"
            shutil.copyfile(DATA / "schema-0001.sqlite", path)
            # A legacy byte-for-byte copy that an earlier release was killed in the middle of.
            cut = folder / "jurisdesk.before-upgrade-0001-20170801-120000.sqlite"
            cut.write_bytes(path.read_bytes()[:50_000])
            # Upgrading this file takes under a tenth of a second.
            killer.run_and_kill(path, randomness.uniform(0.0, 0.1))
            store = open_store(path, actor="Next")
            try:
                if store.database.backup_path is not None:
                    interrupted += 1  # the killed process had not finished upgrading
                assert store.database.schema_revision == head_revision()
            finally:
                store.close()
            assert CITY in names_in(path)
            assert integrity(path) == "ok"
            assert leftovers(path) == []
            assert not cut.exists(), "the cut-off copy of an earlier release was removed"
            for copy in automatic_backups(path, "before-upgrade"):
                assert not is_cut_off(copy)
                assert integrity(copy) == "ok"
                assert CITY in names_in(copy)
    finally:
        errors = killer.close()
    assert "Traceback" not in errors, errors
    assert interrupted >= 3, "some kills fell before the upgrade was done"


# ----------------------------------------------------------------------------- backups


def test_a_process_killed_while_backing_up_leaves_nothing_that_breaks_the_next_run(
    tmp_path: Path,
) -> None:
    db = tmp_path / "jurisdesk.sqlite"
    city_database(db)
    store = open_store(db)
    try:
        # Big enough that a copy takes a moment to write.
        evidence.attach_bytes(store, 1, "scan.pdf", os.urandom(20_000_000))
    finally:
        store.close()
    out = tmp_path / "copies"
    out.mkdir()
    killer = Killer(
        f"""
        store = open_store(Path({str(db)!r}), actor="Backup")
        backup.backup_to(store, path, replace=True)
        store.close()
        """
    )
    randomness = random.Random(48)
    interrupted = 0
    try:
        for n in range(12):
            target = out / f"copy-{n % 2}.sqlite"
            before = target.exists()
            # Opening takes a few hundredths of a second, copying about a tenth: every other
            # kill waits for the copy to be under way, so some always fall while it is written.
            if n % 2:
                pending = lambda target=target: bool(_temporary_files(out, target.name))  # noqa: E731
                killer.run_and_kill(target, randomness.uniform(0.0, 0.02), after=pending)
            else:
                killer.run_and_kill(target, randomness.uniform(0.0, 0.15))
            if _temporary_files(out, target.name):
                interrupted += 1
            if target.exists():
                assert integrity(target) == "ok", "a copy in place is always complete"
                assert names_in(target) == [CITY]
            else:
                assert not before
    finally:
        errors = killer.close()
    assert "Traceback" not in errors, errors
    assert interrupted >= 1, "some kills fell while the copy was being written"

    store = open_store(db)
    try:
        for n in range(2):
            target = out / f"copy-{n}.sqlite"
            backup.backup_to(store, target, replace=True)
            assert names_in(target) == [CITY]
    finally:
        store.close()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [], (
        "the next backup to the same file removed what the killed one left"
    )
    assert leftovers(db) == []


# ----------------------------------------------------------------------------- leftovers


def _fake_leftovers(db: Path) -> dict[str, bool]:
    """Files an interrupted run could leave, each with whether the next opening removes it."""
    folder, backups = db.parent, db.parent / "backups"
    backups.mkdir(exist_ok=True)
    files = {
        folder / f".{db.name}.0badc0de.part": True,  # a creation or restore
        folder / f".{db.name}.0badc0de.part-journal": True,
        folder / f".{db.name}.part": True,  # an earlier release's name
        backups / ".jurisdesk.daily-2017-08-03.sqlite.1234abcd.part": True,
        backups / ".jurisdesk.before-upgrade-0001-20170803-101500.sqlite.1234abcd.part": True,
        folder / ".letter.pdf.0badc0de.part": False,  # not this database's
        backups / ".other.daily-2017-08-03.sqlite.1234abcd.part": False,
        folder / "notes.part": False,
    }
    for path in files:
        path.write_bytes(b"half of something")
    cut = folder / "jurisdesk.before-upgrade-0001-20170801-120000.sqlite"
    cut.write_bytes((DATA / "schema-0001.sqlite").read_bytes()[:40_000])
    whole = folder / "jurisdesk.before-upgrade-0001-20170802-120000.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", whole)
    return {**{p.name: keep for p, keep in files.items()}, cut.name: True, whole.name: False}


def test_what_an_interrupted_run_left_is_removed_on_the_next_opening(tmp_path: Path) -> None:
    db = tmp_path / "jurisdesk.sqlite"
    city_database(db)
    expected = _fake_leftovers(db)
    open_store(db).close()
    present = {p.name for p in [*tmp_path.iterdir(), *(tmp_path / "backups").iterdir()]}
    for name, removed in expected.items():
        assert (name not in present) == removed, name


HOLD_LOCK = """
import sys, time
from pathlib import Path
from app.db_files import database_lock

with database_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_temporary_file_of_a_run_still_going_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "jurisdesk.sqlite"
    city_database(db)
    open_store(db).close()  # today's copy made, so the openings below need no lock
    partial = tmp_path / f".{db.name}.0badc0de.part"
    partial.write_bytes(b"being written right now")
    holder = subprocess.Popen(
        python_code(HOLD_LOCK, str(db), "3"),
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        open_store(db).close()
        assert partial.exists(), "another process is creating or restoring: not a leftover"
    finally:
        holder.wait(timeout=30)
    open_store(db).close()
    assert not partial.exists()
