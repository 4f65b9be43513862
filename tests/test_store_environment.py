"""A database in a hard place: read-only, on a full disk, on a network folder, or damaged. Each
opens as far as it safely can, says what is wrong and what to do, and never loses data."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.db import daily_backup_path
from app.db_files import linux_file_system
from app.services import evidence, exchange, records
from app.services.errors import UserError
from app.services.store import open_store
from tests.helpers import (
    DATA,
    child_env,
    folder_listing,
    python_code,
    run_cli,
    run_python,
    sha256_file,
)
from tests.storage_helpers import (
    city_database,
    exchange_file,
    fill_disk,
    flip_bits,
    integrity,
    names_in,
    remount,
    root_page,
    run_cli_bound,
    small_disk,
)

CITY = "City of Albuquerque"


def _error_line(run: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in run.stderr.splitlines() if line.startswith("jurisdesk: error:")]
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


# ----------------------------------------------------------------------------- read-only


def _read_only_file(db: Path) -> None:
    db.chmod(0o444)


def _read_only_folder(db: Path) -> None:
    db.parent.chmod(0o555)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "office"
    folder.mkdir()
    yield folder
    folder.chmod(0o755)  # so pytest can remove it


@pytest.mark.parametrize(
    ("make_read_only", "reason"),
    [
        (_read_only_file, "because the file is read-only"),
        (_read_only_folder, "because its folder"),
    ],
    ids=["read-only file", "read-only folder"],
)
def test_a_read_only_database_reads_and_exports_and_refuses_every_write(
    office: Path, tmp_path: Path, make_read_only: Callable[[Path], None], reason: str
) -> None:
    db = office / "jurisdesk.sqlite"
    city_database(db)
    incoming = exchange_file(tmp_path)
    make_read_only(db)
    digest, listing = sha256_file(db), folder_listing(office)

    listed = run_cli_bound(db, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [row["name"] for row in json.loads(listed.stdout)] == [CITY]
    assert f"Opened read-only: {db}, {reason}" in listed.stderr

    exported = run_cli_bound(
        db, "export-json", "--jurisdiction", "1", "--out", str(tmp_path / "out.json")
    )
    assert exported.returncode == 0, exported.stderr
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))

    imported = run_cli_bound(db, "import-json", str(incoming))
    assert imported.returncode == 2, imported.stderr
    line = _error_line(imported)
    assert f"Cannot save: {db} is open read-only, {reason}" in line
    assert "nothing was saved" in line
    assert "open the copy" in line, "it says what to do"

    assert sha256_file(db) == digest, "not a byte of the file changed"
    assert folder_listing(office) == listing, "no journal, lock or backup was left beside it"
    assert names_in(db) == [CITY]


@pytest.fixture
def read_only_disk() -> Iterator[Path]:
    """A database with one city on a disk mounted read-only."""
    with small_disk(8192) as disk:
        city_database(disk / "jurisdesk.sqlite")
        remount(disk, "ro")
        yield disk / "jurisdesk.sqlite"


def test_the_store_of_a_database_on_a_read_only_disk_knows_it(
    read_only_disk: Path, tmp_path: Path
) -> None:
    store = open_store(read_only_disk, actor="Clerk")
    try:
        assert store.read_only
        assert store.database.read_only is not None
        assert any(
            n.startswith("Opened read-only") and "Changes cannot be saved" in n
            for n in store.notices
        )
        assert [r.title for r in records.list_records(store, "jurisdiction")] == [CITY]
        exported = exchange.export_jurisdiction(store, 1, tmp_path / "city.json")
        assert exported.path.exists()
        with pytest.raises(UserError, match=r"Cannot save: .* is open read-only") as info:
            records.create(store, "jurisdiction", {"name": "X", "kind": "city", "state": "NM"})
        assert str(read_only_disk) in str(info.value)
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA query_only").scalar() == 1
    finally:
        store.close()


def test_an_older_database_that_is_read_only_is_refused_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", db)
    db.chmod(0o444)
    digest = sha256_file(db)
    run = run_cli_bound(db, "list")
    assert run.returncode == 2
    line = _error_line(run)
    assert "must be upgraded" in line
    assert "read-only" in line
    assert sha256_file(db) == digest


# ----------------------------------------------------------------------------- full disk


def _exchange_file_with_evidence(folder: Path, size: int) -> Path:
    """An exchange file whose import writes at least `size` bytes (an evidence file)."""
    source = folder / "big-source.sqlite"
    store = open_store(source, actor="Other office")
    try:
        jurisdiction = records.create(
            store, "jurisdiction", {"name": "Baltimore City", "kind": "city", "state": "MD"}
        )
        evidence.attach_bytes(store, jurisdiction.id, "scan.pdf", os.urandom(size))
        exchange.export_jurisdiction(store, jurisdiction.id, folder / "big.json")
    finally:
        store.close()
    return folder / "big.json"


def test_a_full_disk_refuses_the_save_clearly_and_the_database_still_opens(
    tmp_path: Path,
) -> None:
    incoming = _exchange_file_with_evidence(tmp_path, 400_000)
    with small_disk(4096) as disk:
        db = disk / "jurisdesk.sqlite"
        city_database(db)
        # Room for SQLite's shared memory, not for the evidence file.
        fill_disk(disk, leave_bytes=96 * 1024)

        imported = run_cli(db, "import-json", str(incoming))
        assert imported.returncode == 2, imported.stderr
        line = _error_line(imported)
        assert f"The disk holding {db} is full: nothing was saved" in line
        assert "back up the database to another disk" in line

        assert integrity(db) == "ok"
        assert names_in(db) == [CITY], "the failed import left nothing behind"

        listed = run_cli(db, "list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [row["name"] for row in json.loads(listed.stdout)] == [CITY]

        copy = tmp_path / "elsewhere.sqlite"
        backed_up = run_cli(db, "backup", "--out", str(copy))
        assert backed_up.returncode == 0, backed_up.stderr
        assert names_in(copy) == [CITY]
        assert not [n for n in folder_listing(disk) if n.endswith(".part")]


def test_a_database_on_a_disk_already_full_opens_read_only_and_backs_up_elsewhere(
    tmp_path: Path,
) -> None:
    incoming = exchange_file(tmp_path)
    with small_disk(4096) as disk:
        db = disk / "jurisdesk.sqlite"
        city_database(db)
        assert not db.with_name(db.name + "-shm").exists(), "closed cleanly"
        fill_disk(disk, leave_bytes=0)

        listed = run_cli(db, "list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [row["name"] for row in json.loads(listed.stdout)] == [CITY]
        assert f"Opened read-only: {db}, because its disk is full" in listed.stderr

        imported = run_cli(db, "import-json", str(incoming))
        assert imported.returncode == 2
        line = _error_line(imported)
        assert f"Cannot save: {db} is open read-only, because its disk is full" in line
        assert "Free some space" in line

        copy = tmp_path / "elsewhere.sqlite"
        backed_up = run_cli(db, "backup", "--out", str(copy))
        assert backed_up.returncode == 0, backed_up.stderr
        assert names_in(copy) == [CITY]
        assert integrity(copy) == "ok"


def test_a_new_database_on_a_full_disk_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    with small_disk(1024) as disk:
        fill_disk(disk, leave_bytes=16 * 1024)
        before = folder_listing(disk)
        run = run_cli(disk / "new.sqlite", "demo")
        assert run.returncode == 2, run.stderr
        assert "full" in _error_line(run)
        assert folder_listing(disk) == before


# ----------------------------------------------------------------------------- network folders


def test_a_database_on_a_network_folder_never_uses_wal_and_is_one_user_at_a_time(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shared.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", db)  # made in WAL mode by an older release
    store = open_store(db, actor="Clerk at PC 1", network=True)
    try:
        assert store.database.network
        assert any("network folder" in n and "PostgreSQL" in n for n in store.notices)
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
            assert connection.exec_driver_sql("PRAGMA locking_mode").scalar() == "exclusive"
        for n in range(5):
            records.create(
                store, "jurisdiction", {"name": f"Town {n}", "kind": "city", "state": "NM"}
            )
        assert not db.with_name(db.name + "-wal").exists()
        assert not db.with_name(db.name + "-shm").exists()

        # Someone at another PC: told at once that it is in use, nothing changed.
        other = run_cli(db, "list", env=child_env(JURISDESK_NETWORK_FOLDER="yes"))
        assert other.returncode == 2, other.stderr
        assert "is in use by someone" in _error_line(other)
    finally:
        store.close()
    after = run_cli(db, "list", "--json", env=child_env(JURISDESK_NETWORK_FOLDER="yes"))
    assert after.returncode == 0, after.stderr
    assert "jurisdesk: note:" in after.stderr
    assert "network folder" in after.stderr
    assert {f"Town {n}" for n in range(5)} <= {r["name"] for r in json.loads(after.stdout)}
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        connection.close()


def test_the_network_folder_setting_is_read_from_the_environment(tmp_path: Path) -> None:
    code = """
    import sys
    from pathlib import Path
    from app.db_files import is_network_folder
    print(is_network_folder(Path(sys.argv[1])))
    """
    result = run_python(code, str(tmp_path))
    assert result.stdout.strip() == "False", "a local folder is not a network folder"
    forced = subprocess.run(
        python_code(code, str(tmp_path)),
        capture_output=True,
        text=True,
        env=child_env(JURISDESK_NETWORK_FOLDER="yes"),
        check=True,
    )
    assert forced.stdout.strip() == "True"


MOUNTINFO = r"""22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 27 0:40 / /srv/office rw,relatime - nfs4 fs:/export/office rw,vers=4.2
41 27 0:41 / /mnt/city\040hall rw,relatime - cifs //hall/legal rw,vers=3.0
42 40 0:42 / /srv/office/local rw,relatime - ext4 /dev/sdb1 rw
43 27 0:43 / /home/clerk/remote rw,nosuid - fuse.sshfs clerk@server:/data rw
44 27 0:44 / /mnt/c rw,noatime - 9p drvfs rw
"""


@pytest.mark.parametrize(
    ("folder", "file_system"),
    [
        ("/srv/office/2017", "nfs4"),
        ("/srv/office/local/db", "ext4"),
        ("/mnt/city hall/Legal", "cifs"),
        ("/home/clerk/remote", "fuse.sshfs"),
        ("/mnt/c/Users", "9p"),
        ("/srv/office2", "ext4"),
        ("/home/clerk", "ext4"),
    ],
)
def test_the_file_system_of_a_folder_is_found_in_mountinfo(folder: str, file_system: str) -> None:
    assert linux_file_system(Path(folder), MOUNTINFO) == file_system


# ----------------------------------------------------------------------------- damaged files


def _flip_page_one(db: Path) -> None:
    flip_bits(db, 1)


def _flip_table(table: str) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        flip_bits(db, root_page(db, table))

    return damage


def _cut(fraction: float) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        size = db.stat().st_size
        os.truncate(db, int(size * fraction) // 4096 * 4096)

    return damage


DAMAGE: dict[str, Callable[[Path], None]] = {
    "page one": _flip_page_one,
    "schema version page": _flip_table("alembic_version"),
    "jurisdiction table": _flip_table("jurisdiction"),
    "facility table": _flip_table("facility"),
    "cut to half": _cut(0.5),
    "cut by one page": _cut(0.99),
}


def _jurisdesk(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The command's exit status and stderr, run in this process (the file is what matters)."""
    capsys.readouterr()
    status = main(list(argv))
    return status, capsys.readouterr().err


@pytest.mark.parametrize("kind", list(DAMAGE))
@pytest.mark.parametrize("backed_up_today", [False, True], ids=["first opening", "again today"])
def test_a_damaged_file_is_refused_with_exit_2_and_left_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, backed_up_today: bool
) -> None:
    db = tmp_path / "office" / "jurisdesk.sqlite"
    db.parent.mkdir()
    city_database(db)
    if backed_up_today:
        # Today's copy exists, so opening makes none: the damage is met by the command.
        target = daily_backup_path(db, date.today())
        target.parent.mkdir()
        shutil.copyfile(db, target)
    DAMAGE[kind](db)
    digest, listing = sha256_file(db), folder_listing(db.parent)

    # Exporting reads every record of the jurisdiction, so it meets any damage; listing may
    # not need the damaged page, but is never an internal error.
    out = str(tmp_path / "x.json")
    exported = _jurisdesk(
        capsys, "--db", str(db), "export-json", "--jurisdiction", "1", "--out", out
    )
    listed = _jurisdesk(capsys, "--db", str(db), "list")
    assert exported[0] == 2, (kind, exported)
    assert listed[0] in (0, 2), (kind, listed)
    for status, err in (exported, listed):
        if status:
            assert f"jurisdesk: error: {db} is damaged" in err
            assert "jurisdesk restore FILE" in err
            assert "internal error" not in err
    if not backed_up_today:
        assert listed[0] == 2, "refused when it opens"
    assert sha256_file(db) == digest
    assert folder_listing(db.parent) == listing


def test_the_command_exits_2_on_a_damaged_file(tmp_path: Path) -> None:
    """As a separate process too: the exit status scripts see, never 70."""
    db = tmp_path / "jurisdesk.sqlite"
    city_database(db)
    flip_bits(db, root_page(db, "jurisdiction"))
    digest = sha256_file(db)
    run = run_cli(db, "list")
    assert run.returncode == 2
    assert f"{db} is damaged" in _error_line(run)
    assert sha256_file(db) == digest
