"""Backup copies of the open database, consistent even while others are writing."""

from __future__ import annotations

from pathlib import Path

from app.db import backup_file
from app.services.errors import UserError
from app.services.store import Store


def backup_to(store: Store, target: Path, *, replace: bool = False) -> Path:
    """Writes a complete copy, or nothing: the copy is made beside the target, then renamed."""
    target = target.expanduser()
    if target.resolve() == store.path.resolve():
        raise UserError(f"{target} is the open database; choose another file for the backup.")
    if target.exists() and not replace:
        raise UserError(f"{target} already exists; choose another name or use --force.")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist; create it or choose another.")
    partial = target.with_name(f".{target.name}.part")
    try:
        partial.unlink(missing_ok=True)
        backup_file(store.path, partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    return target
