"""Opening a Jurisdesk database file: SQLite settings, identity checks, backups and migration.

How a file is opened depends on where it is:

- normally: WAL journal, several windows and processes at once;
- read-only (the file, its folder or its disk; or the disk is full): for reading only, with
  no journal switch and nothing written, not even SQLite's files beside it where avoidable;
- on a network folder: rollback journal and an exclusive lock, one user at a time, because
  SQLite's WAL needs memory shared by every process using the file.

A new database is built under a temporary name and renamed into place when complete. The first
opening of each day copies the database into ``backups/`` beside it, as does every upgrade.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from app.db_files import (
    SQLITE_HEADER,
    LockTimeout,
    copy_database,
    database_lock,
    is_cut_off,
    is_network_folder,
    publish,
    remove_quietly,
    sidecar,
    temporary_name,
    temporary_pattern,
)
from app.locations import Location, OfficeServer

if TYPE_CHECKING:
    from alembic.config import Config

# PRAGMA application_id marks a file as ours ("JSDK"), so a foreign SQLite file is never touched.
APPLICATION_ID = 0x4A53444B
BUSY_TIMEOUT_MS = 10_000
# Someone else holding a network database keeps it for their whole session: say so quickly.
CLAIM_TIMEOUT_MS = 2_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

BACKUPS_FOLDER = "backups"
DAILY_BACKUPS_KEPT = 14
UPGRADE_BACKUPS_KEPT = 5
RESTORE_BACKUPS_KEPT = 5
# Less free space than this after a failed write means the disk is full, whatever SQLite said.
NEARLY_FULL_BYTES = 1 << 20

NETWORK_NOTE = (
    "{path} is on a network folder. SQLite's shared mode (WAL) does not work over a network "
    "file system, so Jurisdesk uses it one person at a time: while you have it open, nobody "
    "else can. An office that shares one database will use the shared-office PostgreSQL mode "
    "of a later release."
)


class DatabaseError(Exception):
    """A database file that cannot be opened; the message tells the user what to do."""


@dataclass(frozen=True)
class ReadOnly:
    """Why a database is open for reading only, and what the user can do about it."""

    reason: str  # completes "open read-only because …"
    advice: str

    def banner(self, path: Path) -> str:
        return (
            f"Opened read-only: {path}, because {self.reason}. Changes cannot be saved. "
            f"{self.advice}"
        )

    def refusal(self, path: Path) -> str:
        return (
            f"Cannot save: {path} is open read-only, because {self.reason}; nothing was "
            f"saved. {self.advice}"
        )


def _disk_full() -> ReadOnly:
    return ReadOnly(
        "its disk is full",
        "Free some space on that disk and open the database again, or back up the database "
        "to another disk (File ▸ Backup copy, or `jurisdesk backup --out FILE`).",
    )


@dataclass(frozen=True)
class OpenedDatabase:
    engine: Engine
    # The file; None for an office database on a server (app.db_server), named by server.
    path: Path | None
    schema_revision: str
    # Where the pre-migration copy went, if the file had to be upgraded.
    backup_path: Path | None = None
    read_only: ReadOnly | None = None
    network: bool = False
    # Today's automatic copy, if this opening made it.
    daily_backup: Path | None = None
    # What the user should be told once about this opening (read-only, network folder, ...).
    notices: tuple[str, ...] = ()
    server: OfficeServer | None = None

    @property
    def location(self) -> Location:
        """Where it is: the file, or the office server."""
        if self.server is not None:
            return self.server
        assert self.path is not None
        return self.path


# ----------------------------------------------------------------------------- connections


@dataclass(frozen=True)
class _Mode:
    """How connections to one database are made: URI, settings, and how many at once."""

    uri: str
    pragmas: tuple[str, ...]
    # One connection shared by turns: an exclusive lock is per connection, so a second
    # connection of the same process would be locked out by the first.
    single_connection: bool = False
    # Take the exclusive lock when connecting (network folders: one user at a time).
    claim: bool = False


def _uri(path: Path, **options: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return path.resolve().as_uri() + (f"?{query}" if query else "")


def _normal(path: Path) -> _Mode:
    return _Mode(_uri(path), ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"))


def _network(path: Path) -> _Mode:
    # Exclusive locking before the first read: SQLite then never maps the -shm file, which
    # no network file system shares correctly between computers.
    return _Mode(
        _uri(path),
        ("PRAGMA locking_mode=EXCLUSIVE", "PRAGMA journal_mode=DELETE", "PRAGMA synchronous=FULL"),
        single_connection=True,
        claim=True,
    )


def _read_only(path: Path) -> _Mode:
    # Reading a WAL-mode file needs -wal and -shm files beside it. When no log is in use,
    # "immutable" reads the file without creating them: ours would belong to this user and
    # keep the owner from writing later, and in a read-only folder they cannot be created at
    # all. A log in use by a writer is read through SQLite's shared memory instead, and a file
    # in rollback mode (a network folder's) needs neither, so it keeps SQLite's locking.
    wal = sidecar(path, "-wal")
    in_use = wal.exists() and wal.stat().st_size > 0
    immutable = not in_use and _in_wal_mode(path)
    options = {"mode": "ro", "immutable": "1"} if immutable else {"mode": "ro"}
    return _Mode(_uri(path, **options), ("PRAGMA query_only=ON",))


def _in_wal_mode(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2  # the "read version": 2 means WAL


def _full_disk(path: Path) -> _Mode:
    # On a full disk SQLite cannot create the -shm file WAL needs; with exclusive locking it
    # keeps that index in memory instead, and still reads what the log holds.
    return _Mode(
        _uri(path),
        ("PRAGMA locking_mode=EXCLUSIVE", "PRAGMA query_only=ON"),
        single_connection=True,
    )


def _building(path: Path) -> _Mode:
    # A new database under its temporary name: nobody else sees it, the journal stays in
    # memory (no sidecar to clean up) and the finished file is flushed once, by publish().
    return _Mode(_uri(path), ("PRAGMA journal_mode=MEMORY", "PRAGMA synchronous=OFF"))


def _connector(mode: _Mode) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun by us (see _begin), not implicitly by the driver at the first
        # write: otherwise a use case's reads run outside its transaction and a version check
        # could pass while another process is already changing the row.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if mode.claim:
                cursor.execute(f"PRAGMA busy_timeout={CLAIM_TIMEOUT_MS}")
            else:
                cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            for pragma in mode.pragmas:
                cursor.execute(pragma)
            if mode.claim:
                # With exclusive locking, a write transaction's lock is kept until the
                # connection closes: from here on nobody else can use the file.
                cursor.execute("BEGIN EXCLUSIVE")
                cursor.execute("COMMIT")
                cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    return configure


# Execution option marking a connection whose transaction will write.
WRITE_OPTION = "jurisdesk_writes"


def _begin(connection: Connection) -> None:
    # A writing use case takes SQLite's write lock up front (BEGIN IMMEDIATE): its reads and
    # its version checks then see exactly what it will overwrite. Readers never block writers.
    writes = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _make_engine(mode: _Mode) -> Engine:
    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            mode.uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )

    # The pool keeps idle connections open between user actions (no lock is held while idle),
    # so SQLite does not checkpoint the WAL on every close; each use case still runs in its
    # own short transaction, and several Jurisdesk processes share one file safely.
    sizes = {"pool_size": 1, "max_overflow": 0} if mode.single_connection else {}
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool, **sizes)
    event.listen(engine, "connect", _connector(mode))
    event.listen(engine, "begin", _begin)
    return engine


def make_engine(path: Path) -> Engine:
    """An engine on a database in the normal (WAL, shared) mode."""
    return _make_engine(_normal(path))


@contextlib.contextmanager
def raw_connection(engine: Engine) -> Iterator[sqlite3.Connection]:
    """The engine's own SQLite connection, for the backup API: on a network folder or a full
    disk no second connection could read the file."""
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        yield driver
    finally:
        pooled.close()


# ----------------------------------------------------------------------------- errors


def error_name(error: BaseException | None) -> str:
    """SQLite's name for an error ("SQLITE_FULL"), through SQLAlchemy's wrapper if any."""
    if isinstance(error, DBAPIError):
        error = error.orig
    return str(getattr(error, "sqlite_errorname", "") or "")


def _nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def damaged_message(path: Path, detail: str) -> str:
    backups = backups_folder(path)
    where = f" Automatic backup copies are in {backups}." if backups.is_dir() else ""
    return (
        f"{path} is damaged and cannot be read ({detail}). It was left exactly as it is. "
        f"Restore a backup copy with File ▸ Restore… or `jurisdesk restore FILE`.{where}"
    )


def in_use_message(path: Path) -> str:
    return (
        f"{path} is in use by someone who holds it for themselves (on another PC, or in a "
        "Jurisdesk window opened on a network folder or restoring a backup). A database on a "
        "network folder is used by one person at a time: ask them to close Jurisdesk, then "
        "try again."
    )


def describe_failure(error: BaseException, path: Path) -> str | None:
    """What the user should read when SQLite fails on path, or None if it is our bug.

    Full or read-only disks, damaged files, busy or vanished files are the user's
    environment; anything else (a wrong query, a constraint) is a bug in Jurisdesk.
    """
    name = error_name(error)
    detail = str(error.orig if isinstance(error, DBAPIError) else error)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"The database {path.name} is busy in another Jurisdesk window or on "
            "another PC. Wait a moment and try again."
        )
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _nearly_full(path)):
        return (
            f"The disk holding {path} is full: nothing was saved. Free some space on that "
            "disk, or back up the database to another disk (File ▸ Backup copy, or "
            "`jurisdesk backup --out FILE`)."
        )
    if name.startswith("SQLITE_READONLY"):
        return (
            f"Cannot save: {path} cannot be written ({detail}); nothing was saved. Check "
            "that you may change the file and its folder, or copy it to a folder of your own "
            "and open the copy."
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return damaged_message(path, detail)
    if name.startswith("SQLITE_IOERR"):
        return (
            f"Reading or writing {path} failed ({detail}). The disk or network folder may "
            "have been disconnected; check it and try again."
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return (
            f"Jurisdesk cannot open {path} any more ({detail}): the file or its folder may "
            "have been moved, or a network folder disconnected."
        )
    return None


# ----------------------------------------------------------------------------- identity


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config  # only to create or upgrade: it takes long to import

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def _migrate_to_head(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


# Each migration names itself and the one it follows in plain assignments (script.py.mako):
# `revision: str = "0006"`, `down_revision: str | None = "0005"` (a merge names several).
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def read_revisions(folder: Path) -> tuple[str, frozenset[str]] | None:
    """The head and every revision in a migrations folder, read from the files' text so that
    an ordinary start does not import Alembic (about half a second); None when the files say
    something this reading is not sure of, and Alembic must decide."""
    revisions: set[str] = set()
    followed: set[str] = set()
    try:
        for file in sorted((folder / "versions").glob("*.py")):
            if file.name == "__init__.py":
                continue
            found: dict[str, list[str]] = {}
            for name, value in _REVISION_LINE.findall(file.read_text(encoding="utf-8")):
                if name in found:
                    return None  # assigned twice: only running the file would tell
                found[name] = _QUOTED.findall(value)
            own = found.get("revision", [])
            if len(own) != 1 or "down_revision" not in found or own[0] in revisions:
                return None
            revisions.add(own[0])
            followed.update(found["down_revision"])
    except (OSError, UnicodeDecodeError):
        return None
    heads = revisions - followed
    if len(heads) != 1 or not followed <= revisions:
        return None
    return heads.pop(), frozenset(revisions)


def alembic_revisions(folder: Path) -> tuple[str, frozenset[str]]:
    """The head and every revision as Alembic itself reads them."""
    from alembic.script import ScriptDirectory

    config = alembic_config()
    config.set_main_option("script_location", str(folder))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head, frozenset(rev.revision for rev in script.walk_revisions())


def _revisions() -> tuple[str, frozenset[str]]:
    # Read at every call (six small files): tests point MIGRATIONS_DIR at another folder.
    return read_revisions(MIGRATIONS_DIR) or alembic_revisions(MIGRATIONS_DIR)


def head_revision() -> str:
    return _revisions()[0]


def known_revisions() -> set[str]:
    return set(_revisions()[1])


@dataclass(frozen=True)
class FileIdentity:
    application_id: int
    revision: str | None


def read_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to path, nor create anything beside it if avoidable.

    Only a file in rollback mode can make it wait, when someone holds it for themselves; that
    is said after a short wait rather than the usual one.
    """
    return sqlite3.connect(_read_only(path).uri, uri=True, timeout=CLAIM_TIMEOUT_MS / 1000)


def inspect_file(path: Path) -> FileIdentity:
    """Reads a file's identity without writing to it; DatabaseError if unreadable.

    The one exception is what any opening does: a change left half-done by a process that
    stopped is rolled back first, if the file may be written.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise DatabaseError(f"Cannot read {path}: {exc.strerror}.") from exc
    if not header.startswith(SQLITE_HEADER):
        raise DatabaseError(
            f"{path} is not a Jurisdesk database (it is not an SQLite file). "
            "Choose a file created by Jurisdesk, or a new file name."
        )
    wal = sidecar(path, "-wal")
    if not (wal.exists() and wal.stat().st_size > 0) and is_cut_off(path):
        raise DatabaseError(damaged_message(path, "the file is shorter than it should be"))
    try:
        try:
            identity = _read_identity(path)
        except sqlite3.Error as exc:
            if not _left_for_recovery(exc) or _read_only_reason(path) is not None:
                raise
            # A process stopped in the middle of a change (power cut, killed) left its journal
            # for the next opening to roll back, which a read-only connection may not do.
            # Any opening of this writable file would roll it back: do that, then read.
            _recover(path)
            identity = _read_identity(path)
    except sqlite3.Error as exc:
        name = error_name(exc)
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise DatabaseError(in_use_message(path)) from exc
        if _left_for_recovery(exc) and (reason := _read_only_reason(path)) is not None:
            raise DatabaseError(
                f"{path} was left in the middle of a change by a program that stopped (a crash "
                f"or a power cut), and it cannot be put right here because {reason.reason}. "
                "Ask someone who may change the file to open it once in Jurisdesk; that "
                "completes the repair."
            ) from exc
        message = describe_failure(exc, path)
        if message is None or name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            message = damaged_message(path, str(exc))
        raise DatabaseError(message) from exc
    return identity


def _read_identity(path: Path) -> FileIdentity:
    connection = read_connection(path)
    try:
        app_id = connection.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    finally:
        connection.close()
    return FileIdentity(application_id=int(app_id), revision=revision)


def _left_for_recovery(error: sqlite3.Error) -> bool:
    return error_name(error) in ("SQLITE_READONLY_ROLLBACK", "SQLITE_READONLY_RECOVERY")


def _recover(path: Path) -> None:
    # A plain connection changes nothing else: no journal mode is set, and it only reads.
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


def check_identity(path: Path, identity: FileIdentity) -> None:
    """Refuses a file that is not ours, damaged, or from a newer Jurisdesk."""
    if identity.application_id != APPLICATION_ID:
        raise DatabaseError(
            f"{path} is an SQLite file but not a Jurisdesk database. "
            "Choose a file created by Jurisdesk, or a new file name."
        )
    if identity.revision is None:
        raise DatabaseError(f"{path} has no schema version; it may be damaged.")
    if identity.revision not in known_revisions():
        raise DatabaseError(
            f"{path} was written by a newer version of Jurisdesk "
            f"(schema {identity.revision}). Install the newer Jurisdesk to open it."
        )


def integrity_problems(path: Path, *, limit: int = 10) -> list[str]:
    """What ``PRAGMA integrity_check`` finds in a file, read without writing to it."""
    try:
        connection = read_connection(path)
        try:
            rows = connection.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return [str(exc)]
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def _revision_through(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


# ----------------------------------------------------------------------------- backups


def backups_folder(path: Path) -> Path:
    """Where the automatic copies of a database are kept: ``backups/`` beside it."""
    return path.parent / BACKUPS_FOLDER


def _backup_name(path: Path, kind: str, stamp: str) -> str:
    return f"{path.stem}.{kind}-{stamp}{path.suffix or '.sqlite'}"


def daily_backup_path(path: Path, day: date) -> Path:
    return backups_folder(path) / _backup_name(path, "daily", day.isoformat())


# What follows "NAME.KIND-": the day of a daily copy; the schema a pre-upgrade copy was made
# from, then when, with a number if two were made in one second.
_STAMPS = {
    "daily": r"(?P<when>\d{4}-\d{2}-\d{2})",
    "before-upgrade": r"[\w.]+-(?P<when>\d{8}-\d{6})(?:-(?P<n>\d+))?",
    "before-restore": r"(?P<when>\d{8}-\d{6})(?:-(?P<n>\d+))?",
}
BACKUP_KINDS = tuple(_STAMPS)


def _backup_pattern(path: Path, kind: str) -> re.Pattern[str]:
    before, after = f"{path.stem}.{kind}-", path.suffix or ".sqlite"
    return re.compile(re.escape(before) + _STAMPS[kind] + re.escape(after))


def automatic_backups(path: Path, kind: str) -> list[Path]:
    """A database's automatic copies of one kind (see BACKUP_KINDS), oldest first."""
    folder = backups_folder(path)
    if not folder.is_dir():
        return []
    pattern = _backup_pattern(path, kind)
    found = []
    for entry in folder.iterdir():
        match = pattern.fullmatch(entry.name)
        if match:
            number = int(match.groupdict().get("n") or 1)
            found.append((match.group("when"), number, entry))
    return [entry for _, _, entry in sorted(found)]


def rotate(path: Path, kind: str, keep: int) -> list[Path]:
    """Removes all but the newest `keep` copies of one kind; returns what it removed."""
    removed = automatic_backups(path, kind)[:-keep] if keep > 0 else []
    for old in removed:
        remove_quietly(old)
    return removed


def stamped_backup_path(path: Path, kind: str, label: str = "") -> Path:
    """A new copy's name in the backups folder; never the name of an existing copy."""
    stamp = f"{label}{datetime.now():%Y%m%d-%H%M%S}"
    target = backups_folder(path) / _backup_name(path, kind, stamp)
    number = 2
    while target.exists():
        target = backups_folder(path) / _backup_name(path, kind, f"{stamp}-{number}")
        number += 1
    return target


def _pre_upgrade_copy(engine: Engine, path: Path, revision: str) -> Path:
    target = stamped_backup_path(path, "before-upgrade", f"{revision}-")
    target.parent.mkdir(exist_ok=True)
    with raw_connection(engine) as connection:
        copy_database(connection, target)
    rotate(path, "before-upgrade", UPGRADE_BACKUPS_KEPT)
    return target


def make_daily_backup(engine: Engine, path: Path, today: date) -> Path | None:
    """Today's copy of the database, unless it exists; the oldest beyond 14 are removed.

    DatabaseError if the database turns out damaged (its copy fails SQLite's quick check);
    OSError, LockTimeout or sqlite3.Error if the copy cannot be written.
    """
    target = daily_backup_path(path, today)
    if target.exists():
        return None
    with database_lock(path, timeout=10):
        if target.exists():  # made meanwhile by another window
            return None
        new_folder = not target.parent.exists()
        target.parent.mkdir(exist_ok=True)
        try:
            with raw_connection(engine) as connection:
                copy_database(connection, target, check=True)
        except BaseException as exc:
            if new_folder:
                with contextlib.suppress(OSError):
                    target.parent.rmdir()  # left as it was, when nothing could go in it
            name = error_name(exc)
            if not isinstance(exc, sqlite3.DatabaseError) or (
                name and not name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
            ):
                raise  # a full disk or a busy file: the copy failed, not the database
            raise DatabaseError(damaged_message(path, str(exc))) from exc
        rotate(path, "daily", DAILY_BACKUPS_KEPT)
    return target


# ----------------------------------------------------------------------------- leftovers


def leftovers(path: Path) -> list[Path]:
    """Files an interrupted creation, upgrade, backup or restore of this database left."""
    own = temporary_pattern(path.name)
    copies = [_backup_pattern(path, kind) for kind in BACKUP_KINDS]
    legacy = re.compile(rf"{re.escape(path.stem)}\.before-upgrade-.+{re.escape(path.suffix)}")
    found: list[Path] = []
    for folder in (path.parent, backups_folder(path)):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            temporary = _TEMPORARY.fullmatch(name)
            if own.fullmatch(name):
                found.append(entry)
            elif temporary and any(p.fullmatch(temporary.group("of")) for p in copies):
                found.append(entry)  # a copy of this database's that was never finished
            elif legacy.fullmatch(name) and is_cut_off(entry):
                # Earlier releases copied byte by byte before upgrading; a copy killed half way
                # cannot be opened and is no backup.
                found.append(entry)
    return found


# A temporary file of any name (see app.db_files.temporary_name), with SQLite's journals.
_TEMPORARY = re.compile(r"\.(?P<of>.+?)(\.[0-9a-f]{8})?\.part(-\w+)?")


def _remove_leftovers(path: Path) -> None:
    found = leftovers(path)
    if not found:
        return
    try:
        # Under the lock nobody is writing any of them: whatever is there is left over. Taken
        # only if free: another process creating or copying now will clean up next time.
        with database_lock(path, timeout=0):
            _remove_leftovers_locked(path)
    except (OSError, LockTimeout):
        pass


def set_aside_orphans(path: Path) -> None:
    """Moves the write-ahead log and journal of a database file that is gone out of the way.

    SQLite replays a `-wal` file it finds beside a database onto it, without knowing it
    belongs to another (a file deleted while Jurisdesk ran, or a process killed): a new
    database created beside a stale log would be corrupt from its first write. The log is
    renamed, not deleted, in case it is ever wanted; the shared-memory index is only a cache.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for suffix in ("-wal", "-journal"):
        orphan = path.with_name(path.name + suffix)
        if orphan.exists():
            try:
                orphan.rename(orphan.with_name(f"{orphan.name}.orphaned-{stamp}"))
            except OSError as exc:
                raise DatabaseError(
                    f"{orphan} is left from a database that is no longer there, and cannot be "
                    f"moved aside ({exc.strerror}). Move or delete it, then try again."
                ) from exc
    remove_quietly(path.with_name(path.name + "-shm"))


def _remove_leftovers_locked(path: Path) -> None:
    for entry in leftovers(path):
        remove_quietly(entry)


# ----------------------------------------------------------------------------- opening


def _read_only_reason(path: Path) -> ReadOnly | None:
    folder = path.parent
    try:
        flags = os.statvfs(folder).f_flag
    except (AttributeError, OSError):  # no statvfs on Windows
        flags = 0
    if flags & getattr(os, "ST_RDONLY", 0):
        return ReadOnly(
            "its disk is mounted read-only",
            "To make changes, copy it to a disk you can write to and open the copy.",
        )
    if not os.access(path, os.W_OK):
        return ReadOnly(
            "the file is read-only for you",
            "Ask for permission to change the file, or copy it to a folder of your own and "
            "open the copy.",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return ReadOnly(
            f"its folder {folder} is read-only, and SQLite needs to write its journal there",
            "Ask for permission to change files in that folder, or copy the database to a "
            "folder of your own and open the copy.",
        )
    return None


def _connect_first(engine: Engine, path: Path, *, wait: bool = False) -> None:
    """Makes the first connection, so a file that cannot be used fails here, not later.

    wait: a busy file is tried again until the busy timeout has passed. Setting WAL mode needs
    the file to itself for a moment, and SQLite answers "locked" at once, without waiting,
    while another process is upgrading it or copying it. (A network folder's file is held by
    one user at a time: there the claim's own timeout decides.)
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            return
        except DBAPIError as exc:
            busy = error_name(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
            if busy and wait and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            engine.dispose()
            if busy:
                raise DatabaseError(in_use_message(path)) from exc
            message = describe_failure(exc, path)
            if message is None:
                raise
            raise DatabaseError(message) from exc


def is_disk_full(error: BaseException | None, path: Path) -> bool:
    """Whether writing path failed because its disk is full: said so by the system or SQLite,
    or a write error with (nearly) no space left."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    name = error_name(error)
    return name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _nearly_full(path))


def _open_engine(path: Path, network: bool) -> tuple[Engine, ReadOnly | None]:
    """The engine for a writable file; on a full disk, one that can still read it."""
    engine = _make_engine(_network(path) if network else _normal(path))
    try:
        _connect_first(engine, path, wait=not network)
    except DatabaseError as exc:
        cause = exc.__cause__
        if not (isinstance(cause, DBAPIError) and is_disk_full(cause, path)):
            raise
    else:
        return engine, None
    # The disk is full: open it so it can still be read and copied to another disk.
    full = _make_engine(_full_disk(path))
    try:
        _connect_first(full, path)
    except DatabaseError:
        # Another window holds it, so its shared memory exists and a reader can use it.
        full = _make_engine(_read_only(path))
        _connect_first(full, path)
    return full, _disk_full()


def _create(path: Path) -> None:
    """Builds a new database beside path and renames it into place when complete."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from exc
    try:
        with database_lock(path):
            if path.exists():
                return  # another process created it while we waited
            _remove_leftovers_locked(path)
            set_aside_orphans(path)
            partial = temporary_name(path)
            try:
                engine = _make_engine(_building(partial))
                try:
                    with engine.begin() as connection:
                        connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                    _migrate_to_head(engine)
                finally:
                    engine.dispose()
                publish(partial, path)
            except BaseException:
                remove_quietly(partial)
                raise
    except LockTimeout as exc:
        raise DatabaseError(
            f"{path} is being created by another Jurisdesk process that does not finish. "
            "Close the other Jurisdesk windows and try again."
        ) from exc
    except (OSError, sqlite3.Error, DBAPIError) as exc:
        message = _cannot_create(path, exc)
        if message is None:
            raise
        raise DatabaseError(message) from exc


def _cannot_create(path: Path, error: BaseException) -> str | None:
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC:
            return (
                f"Cannot create {path}: the disk is full. Free some space on that disk, or "
                "choose a folder on another disk."
            )
        return (
            f"Cannot create {path}: {error.strerror or error}. Choose a folder where you may "
            "save files, or ask for permission to write in this one."
        )
    message = describe_failure(error, path)
    if message is None:
        return None  # a bug in a migration, not the user's folder
    return f"Cannot create {path}. {message}"


def _upgrade(engine: Engine, path: Path, head: str) -> Path | None:
    """Upgrades under the lock, after a copy; None if another process upgraded it first."""
    try:
        with database_lock(path):
            revision = _revision_through(engine)
            if revision == head:
                return None
            if revision not in known_revisions():
                raise DatabaseError(
                    f"{path} was upgraded meanwhile by a newer version of Jurisdesk "
                    f"(schema {revision}). Install the newer Jurisdesk to open it."
                )
            _remove_leftovers_locked(path)
            try:
                backup = _pre_upgrade_copy(engine, path, str(revision))
            except (OSError, sqlite3.Error) as exc:
                reason = describe_failure(exc, path) or str(exc)
                raise DatabaseError(
                    f"{path} comes from an older Jurisdesk and must be upgraded, but the copy "
                    f"made first could not be written to {backups_folder(path)}: {reason} "
                    "The file was not changed."
                ) from exc
            _migrate_to_head(engine)
    except LockTimeout as exc:
        raise DatabaseError(
            f"{path} is being upgraded by another Jurisdesk process that does not finish. "
            "Close the other Jurisdesk windows and try again."
        ) from exc
    # Best effort: the upgraded schema in the main file, so the log is not needed to read it.
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except DBAPIError:
        pass
    return backup


def _daily_backup_failed(path: Path, error: BaseException) -> str:
    if isinstance(error, LockTimeout):
        reason = "another Jurisdesk process kept the database busy"
    elif (isinstance(error, OSError) and error.errno == errno.ENOSPC) or (
        error_name(error) == "SQLITE_FULL" or _nearly_full(path)
    ):
        reason = "the disk is full"
    elif isinstance(error, OSError):
        reason = str(error.strerror or error).lower()
    else:
        reason = str(error)
    return (
        f"Today's automatic backup copy could not be written to {backups_folder(path)}: "
        f"{reason}. The database opened normally; to be safe, make a copy on another disk "
        "with File ▸ Backup copy."
    )


def open_database(
    path: Path,
    *,
    create: bool = True,
    network: bool | None = None,
    daily_backup: bool = True,
    today: date | None = None,
) -> OpenedDatabase:
    """Opens (or creates) a Jurisdesk database, upgrading an older schema after a backup.

    A file from a newer Jurisdesk, one that is not ours, or one that is damaged is refused and
    left untouched. network=None detects a network folder (see app.db_files); True or False
    decides it. today is the day of the daily backup (tests pass one).
    """
    path = Path(path).expanduser()
    head = head_revision()
    if network is None:
        network = is_network_folder(path.parent)
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file. Choose a file in it.")
    created = False
    if not path.exists():
        if not create:
            raise DatabaseError(
                f"{path} does not exist. Check the file name, or create the database by "
                "starting Jurisdesk or with `jurisdesk --db PATH demo`."
            )
        _create(path)
        created = True
    elif path.stat().st_size == 0:
        raise DatabaseError(
            f"{path} is an empty file, not a Jurisdesk database. "
            "Delete it or choose another file name."
        )
    identity = inspect_file(path)
    check_identity(path, identity)

    notices: list[str] = []
    read_only = _read_only_reason(path)
    if read_only is not None:
        if identity.revision != head:
            raise DatabaseError(
                f"{path} comes from an older Jurisdesk and must be upgraded before it can be "
                f"used, but it can only be read, because {read_only.reason}. {read_only.advice}"
            )
        engine = _make_engine(_read_only(path))
        try:
            _connect_first(engine, path)
        except DatabaseError as exc:
            # Only reading is possible here, and even that failed: say both.
            raise DatabaseError(
                f"{exc} (Jurisdesk tried to open it read-only, because {read_only.reason}. "
                f"{read_only.advice})"
            ) from exc
    else:
        engine, read_only = _open_engine(path, network)
        if read_only is not None and identity.revision != head:
            engine.dispose()
            raise DatabaseError(
                f"{path} comes from an older Jurisdesk and must be upgraded, but it can only "
                f"be read, because {read_only.reason}. {read_only.advice}"
            )
    if read_only is not None:
        notices.append(read_only.banner(path))
    if network:
        notices.append(NETWORK_NOTE.format(path=path))

    backup: Path | None = None
    daily: Path | None = None
    try:
        if identity.revision != head:
            backup = _upgrade(engine, path, head)
        if read_only is None:
            _remove_leftovers(path)
            # A new database has nothing to lose yet; every later first opening of a day does.
            if daily_backup and not created:
                try:
                    daily = make_daily_backup(engine, path, today or date.today())
                except (OSError, LockTimeout, sqlite3.Error) as exc:
                    notices.append(_daily_backup_failed(path, exc))
    except BaseException:
        engine.dispose()
        raise
    return OpenedDatabase(
        engine=engine,
        path=path,
        schema_revision=head,
        backup_path=backup,
        read_only=read_only,
        network=network,
        daily_backup=daily,
        notices=tuple(notices),
    )
