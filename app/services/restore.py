"""Putting a backup copy back in place of a database: checked first, the replaced file kept.

The chosen file must be a Jurisdesk database no newer than this Jurisdesk and pass SQLite's
integrity check. The database it replaces is first copied into ``backups/`` beside it, then
the checked copy is renamed over it, so a failure at any point leaves one or the other whole.
Nobody may have the database open meanwhile: a restore under someone's feet would mix two files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.db import (
    RESTORE_BACKUPS_KEPT,
    DatabaseError,
    check_identity,
    describe_failure,
    error_name,
    head_revision,
    in_use_message,
    inspect_file,
    integrity_problems,
    read_connection,
    rotate,
    stamped_backup_path,
)
from app.db_files import (
    LockTimeout,
    copy_database,
    copy_file,
    database_lock,
    publish,
    remove_quietly,
    sidecar,
    temporary_name,
)
from app.services.errors import UserError

# Long enough for another window's pending save to finish; short enough to say "in use".
EXCLUSIVE_WAIT_MS = 2_000


@dataclass(frozen=True)
class CheckedBackup:
    """A file that may be restored, and what restoring it means."""

    path: Path
    schema_revision: str
    # An older schema is upgraded (after its own copy) when the restored database is opened.
    needs_upgrade: bool


@dataclass(frozen=True)
class Restored:
    database: Path
    source: Path
    # The database as it was before, in backups/; None if there was none.
    kept_copy: Path | None


def check_backup(candidate: Path, *, integrity: bool = True) -> CheckedBackup:
    """Refuses, with the reason, a file that is not a sound Jurisdesk database for this version.

    Reads the file without writing to it or beside it. integrity=False leaves out SQLite's
    integrity check, which reads the whole file (restore_database checks its copy instead).
    """
    candidate = candidate.expanduser()
    if not candidate.is_file():
        raise UserError(f"{candidate} does not exist or is not a file; choose a backup copy.")
    try:
        identity = inspect_file(candidate)
        check_identity(candidate, identity)
    except DatabaseError as exc:
        raise UserError(f"{candidate} cannot be restored: {exc}") from exc
    if integrity:
        problems = integrity_problems(candidate)
        if problems:
            raise UserError(_failed_check(candidate, problems))
    revision = str(identity.revision)
    return CheckedBackup(candidate, revision, needs_upgrade=revision != head_revision())


def _failed_check(candidate: Path, problems: list[str]) -> str:
    shown = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
    return (
        f"{candidate} cannot be restored: it fails SQLite's integrity check ({shown}). "
        "Choose another backup copy; nothing was changed."
    )


def restore_database(database: Path, candidate: Path) -> Restored:
    """Replaces database with a checked copy of candidate, after keeping a copy of database.

    Refused (UserError, nothing changed) if the candidate fails check_backup, or if anyone
    has the database open: close it in every window and on every PC first.
    """
    database, candidate = database.expanduser(), candidate.expanduser()
    if candidate.exists() and database.exists() and candidate.samefile(database):
        raise UserError(f"{candidate} is the database itself; choose a backup copy of it.")
    check_backup(candidate, integrity=False)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        with database_lock(database, timeout=10):
            return _replace(database, candidate)
    except LockTimeout as exc:
        raise UserError(
            f"{database} is being upgraded, copied or restored by another Jurisdesk process. "
            "Wait for it to finish and try again; nothing was changed."
        ) from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(
                f"Cannot restore: the disk holding {database} is full; nothing was changed. "
                "Free some space on that disk and try again."
            ) from exc
        raise UserError(
            f"Cannot restore {database}: {exc.strerror or exc}; nothing was changed."
        ) from exc


def _replace(database: Path, candidate: Path) -> Restored:
    partial = temporary_name(database)
    kept: Path | None = None
    try:
        source = read_connection(candidate)
        try:
            copy_database(source, partial)
        finally:
            source.close()
        # The copy is what gets renamed into place, so the copy is what is checked.
        problems = _problems_of_copy(partial)
        if problems:
            raise UserError(_failed_check(candidate, problems))
        holder = _hold(database) if database.exists() else None
        try:
            if database.exists():
                kept = _keep_copy(database, holder)
            # SQLite's files beside the replaced database belong to it, not to the copy.
            for suffix in ("-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    sidecar(database, suffix).unlink()
            if holder is not None and os.name == "nt":
                holder.close()  # Windows cannot rename over a file that is still open
            publish(partial, database)
        finally:
            if holder is not None:
                holder.close()
    except BaseException:
        remove_quietly(partial)
        raise
    if kept is not None:
        rotate(database, "before-restore", RESTORE_BACKUPS_KEPT)
    return Restored(database=database, source=candidate, kept_copy=kept)


def _problems_of_copy(partial: Path) -> list[str]:
    connection = sqlite3.connect(partial)
    try:
        rows = connection.execute("PRAGMA integrity_check(10)").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]  # too damaged for the check to finish
    finally:
        connection.close()
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def _hold(database: Path) -> sqlite3.Connection | None:
    """A connection holding the database so nobody else can open it until it is closed;
    None if the file is too damaged for SQLite to hold (exactly what a restore is for).

    Leaving WAL mode needs every other connection gone, and exclusive locking keeps it so.
    """
    holder = sqlite3.connect(database, timeout=EXCLUSIVE_WAIT_MS / 1000, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("PRAGMA journal_mode=DELETE").fetchone()
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("COMMIT")
    except sqlite3.Error as exc:
        holder.close()
        name = error_name(exc)
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return None
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise UserError(
                f"Cannot restore while the database is open: {in_use_message(database)} "
                "Nothing was changed."
            ) from exc
        message = describe_failure(exc, database)
        if message is None:
            raise
        raise UserError(f"Cannot restore: {message}") from exc
    return holder


def _keep_copy(database: Path, holder: sqlite3.Connection | None) -> Path:
    target = stamped_backup_path(database, "before-restore")
    target.parent.mkdir(exist_ok=True)
    if holder is not None:
        # Through the holding connection: opening the file again here would drop its lock.
        return copy_database(holder, target)
    # SQLite cannot read it: keep its bytes, and its log, which may hold the latest changes.
    copy_file(database, target)
    for suffix in ("-wal", "-journal"):
        if sidecar(database, suffix).exists():
            copy_file(sidecar(database, suffix), sidecar(target, suffix))
    return target
