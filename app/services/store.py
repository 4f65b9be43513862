"""The open database and who is working in it; every use case runs in one transaction here."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import WRITE_OPTION, DatabaseError, OpenedDatabase, open_database
from app.services.errors import Conflict, UserError


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors when no login name is known
        return "unknown user"


@dataclass
class Store:
    database: OpenedDatabase
    # Recorded in the audit trail: the OS user unless the staff member chose a name.
    actor: str = field(default_factory=default_actor)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    @property
    def path(self) -> Path:
        return self.database.path

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One short session per user action: commit on success, nothing written on failure."""
        session = Session(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        try:
            with session.begin():
                yield session
        except StaleDataError as exc:
            # The version check in SQL caught a write that slipped in between: same as Conflict.
            raise Conflict(
                "This record was changed or deleted by someone else just now. "
                "Reload it to see their changes, then make yours again."
            ) from exc
        except OperationalError as exc:
            if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
                raise UserError(
                    f"The database {self.path.name} is busy in another Jurisdesk window or on "
                    "another PC. Wait a moment and try again."
                ) from exc
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def open_store(path: Path, actor: str | None = None, *, create: bool = True) -> Store:
    try:
        database = open_database(path, create=create)
    except DatabaseError as exc:
        raise UserError(str(exc)) from exc
    return Store(database, actor or default_actor())
