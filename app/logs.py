"""Log files that rotate: at most about 1 MB each and five old ones, so an office PC that runs
Jurisdesk for years never fills its disk with logs."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _RotatingFile(RotatingFileHandler):
    """Keeps logging when the file cannot be rotated (on Windows another Jurisdesk window may
    hold it open): it then goes on appending and tries again with the next record."""

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:
            if self.stream is None:
                self.stream = self._open()


def rotating_handler(
    path: Path, *, max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT
) -> RotatingFileHandler:
    """A handler writing to path, renamed path.1 … path.N when it would grow past max_bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _RotatingFile(
        path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def append_to_log(
    path: Path, text: str, *, max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT
) -> Path:
    """Writes text as one entry to the log at path, rotating it first if it is full."""
    handler = rotating_handler(path, max_bytes=max_bytes, backup_count=backup_count)
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        record = logging.LogRecord("jurisdesk", logging.ERROR, str(path), 0, text, None, None)
        handler.handle(record)
    finally:
        handler.close()
    return path
