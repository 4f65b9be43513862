"""Backup copies of the open database, consistent even while others are writing.

Besides the copies the user asks for, Jurisdesk keeps its own in ``backups/`` beside the
database (see app.db): one on the first opening of each day (the last 14 days kept), one before
every upgrade and one before every restore (the last 5 of each).
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from pathlib import Path

from app.db import (
    DAILY_BACKUPS_KEPT,
    RESTORE_BACKUPS_KEPT,
    UPGRADE_BACKUPS_KEPT,
    automatic_backups,
    backups_folder,
    describe_failure,
    raw_connection,
)
from app.db_files import copy_database, remove_quietly, temporary_pattern
from app.services.errors import UserError
from app.services.store import Store

__all__ = [
    "DAILY_BACKUPS_KEPT",
    "RESTORE_BACKUPS_KEPT",
    "UPGRADE_BACKUPS_KEPT",
    "automatic_backups",
    "backup_to",
    "backups_folder",
]


def backup_to(store: Store, target: Path, *, replace: bool = False) -> Path:
    """Writes a complete copy, or nothing: the copy is made beside the target, then renamed."""
    target = target.expanduser()
    if store.path is None:
        return _copy_of_office_database(store, target, replace=replace)
    if target.resolve() == store.path.resolve():
        raise UserError(f"{target} is the open database; choose another file for the backup.")
    if target.exists() and not replace:
        raise UserError(f"{target} already exists; choose another name or use --force.")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist; create it or choose another.")
    _remove_unfinished(target)
    try:
        # Through the store's own connection: on a network folder or a full disk it is the
        # only one that can read the file.
        with raw_connection(store.engine) as connection:
            copy_database(connection, target)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(_target_full(target)) from exc
        raise UserError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    except sqlite3.Error as exc:
        message = describe_failure(exc, target)
        if message is None:
            raise
        if "full" in message:
            message = _target_full(target)
        raise UserError(message) from exc
    return target


def _copy_of_office_database(store: Store, target: Path, *, replace: bool) -> Path:
    """A backup copy of an office database is a Jurisdesk file on this PC, made by copying
    every record into it (the server itself is backed up by IT with pg_dump)."""
    from app.services import copying

    if target.exists() and not replace:
        raise UserError(f"{target} already exists; choose another name or use --force.")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist; create it or choose another.")
    copying.copy_to_new_file(store, target, replace=replace)
    return target


def _target_full(target: Path) -> str:
    return (
        f"Cannot write {target}: its disk is full; nothing was written. Free some space there, "
        "or choose another disk for the backup."
    )


def _remove_unfinished(target: Path) -> None:
    """Temporary copies an earlier, interrupted backup to the same file left behind."""
    pattern = temporary_pattern(target.name)
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            if pattern.fullmatch(entry.name):
                remove_quietly(entry)
