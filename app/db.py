"""Opening a Jurisdesk database file: SQLite settings, identity checks, backup and migration."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event

# PRAGMA application_id marks a file as ours ("JSDK"), so a foreign SQLite file is never touched.
APPLICATION_ID = 0x4A53444B
BUSY_TIMEOUT_MS = 10_000
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database file that cannot be opened; the message tells the user what to do."""


@dataclass(frozen=True)
class OpenedDatabase:
    engine: Engine
    path: Path
    schema_revision: str
    # Where the pre-migration copy went, if the file had to be upgraded.
    backup_path: Path | None = None


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by us (see _begin), not implicitly by the driver at the first
    # write: otherwise a use case's reads run outside its transaction and a version check
    # could pass while another process is already changing the row.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Execution option marking a connection whose transaction will write.
WRITE_OPTION = "jurisdesk_writes"


def _begin(connection: Connection) -> None:
    # A writing use case takes SQLite's write lock up front (BEGIN IMMEDIATE): its reads and
    # its version checks then see exactly what it will overwrite. Readers never block writers.
    writes = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def make_engine(path: Path) -> Engine:
    # The pool keeps idle connections open between user actions (no lock is held while idle),
    # so SQLite does not checkpoint the WAL on every close; each use case still runs in its
    # own short transaction, and several Jurisdesk processes share one file safely.
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin)
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


@dataclass(frozen=True)
class FileIdentity:
    application_id: int
    revision: str | None


def _inspect(path: Path) -> FileIdentity:
    """Reads a file's identity without writing a byte to it (read-only URI)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"Cannot read {path}: {exc.strerror}.") from exc
    if header != SQLITE_HEADER:
        raise DatabaseError(
            f"{path} is not a Jurisdesk database (it is not an SQLite file). "
            "Choose a file created by Jurisdesk, or a new file name."
        )
    # With a write-ahead log beside it, the newest pages (the header included) may live only
    # in the log, so read through SQLite normally; without one, "immutable" guarantees that
    # not even a lock file is created next to a file that may not be ours.
    wal = path.with_name(path.name + "-wal")
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("" if wal.exists() else "&immutable=1")
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is damaged or not a database: {exc}.") from exc
    return FileIdentity(application_id=int(app_id), revision=revision)


def backup_file(source: Path, target: Path) -> Path:
    """A consistent copy of a live database, using SQLite's online backup."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _timestamped_backup(path: Path, revision: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.before-upgrade-{revision}-{stamp}{path.suffix}")
    # The WAL may hold committed pages the main file does not have yet; copy both.
    shutil.copy2(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    return target


def _stamp_new(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")


def open_database(path: Path, *, create: bool = True) -> OpenedDatabase:
    """Opens (or creates) a Jurisdesk database, upgrading an older schema after a backup.

    A file from a newer Jurisdesk, or one that is not ours, is refused and left untouched.
    """
    path = Path(path).expanduser()
    head = head_revision()
    backup: Path | None = None
    if path.exists() and path.stat().st_size > 0:
        identity = _inspect(path)
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
        if identity.revision != head:
            backup = _timestamped_backup(path, identity.revision)
    elif path.exists():
        raise DatabaseError(
            f"{path} is an empty file, not a Jurisdesk database. "
            "Delete it or choose another file name."
        )
    elif not create:
        raise DatabaseError(
            f"{path} does not exist. Check the file name, or create the database by starting "
            "Jurisdesk or with `jurisdesk --db PATH demo`."
        )
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from exc

    engine = make_engine(path)
    try:
        if backup is None and not path.exists():
            _stamp_new(engine)
        command.upgrade(alembic_config(engine), "head")
        # Writes the new or upgraded schema into the main file, so its identity reads true
        # even for a reader that ignores the log.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:
        engine.dispose()
        raise
    return OpenedDatabase(engine=engine, path=path, schema_revision=head, backup_path=backup)
