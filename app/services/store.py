"""The open database and who is working in it; every use case runs in one transaction here."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import (
    WRITE_OPTION,
    DatabaseError,
    OpenedDatabase,
    describe_failure,
    error_name,
    open_database,
)
from app.locations import AddressError, Location, OfficeServer, parse_location
from app.models import OfficeSetting
from app.models.base import utcnow
from app.services.errors import Conflict, UserError

# An office setting a long write (an import) keeps while it runs: the sentence others read
# when their save waited for the write lock in vain, instead of a bare "busy". A note left by
# a process that died is ignored once it is older than any import takes.
WRITE_NOTE = "write_in_progress"
WRITE_NOTE_LIFETIME = timedelta(minutes=30)


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors when no login name is known
        return "unknown user"


def describe_location_failure(error: BaseException, location: Location) -> str | None:
    """What the user reads when the database at location fails (None: a bug in Jurisdesk)."""
    if isinstance(location, OfficeServer):
        from app.db_server import describe_server_failure

        return describe_server_failure(error, location)
    return describe_failure(error, location)


@dataclass
class Store:
    database: OpenedDatabase
    # Recorded in the audit trail: the OS user unless the staff member chose a name.
    actor: str = field(default_factory=default_actor)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    @property
    def path(self) -> Path | None:
        """The database file; None for an office database on a server."""
        return self.database.path

    @property
    def location(self) -> Location:
        """Where the database is: its file, or its office server (shown to users as is)."""
        return self.database.location

    @property
    def server(self) -> OfficeServer | None:
        """The office server, when the database is shared on one (app.db_server)."""
        return self.database.server

    def describe_failure(self, error: BaseException) -> str | None:
        """What the user reads when the database fails (None: a bug in Jurisdesk)."""
        return describe_location_failure(error, self.location)

    def _is_busy(self, error: DBAPIError) -> bool:
        if self.database.server is not None:
            from app.db_server import is_busy

            return is_busy(error)
        return error_name(error).startswith("SQLITE_BUSY")

    @property
    def read_only(self) -> bool:
        """Opened for reading only (see OpenedDatabase.read_only for why); writes are refused."""
        return self.database.read_only is not None

    @property
    def notices(self) -> tuple[str, ...]:
        """What the user should be told once about this database: read-only, network folder."""
        return self.database.notices

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One short session per user action: commit on success, nothing written on failure."""
        if self.database.read_only is not None:
            assert self.path is not None  # only a file is opened read-only
            raise UserError(self.database.read_only.refusal(self.path))
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
        except DBAPIError as exc:
            # A full disk, a damaged file, a busy one, a lost server: the user's to fix. The
            # transaction was rolled back, so nothing of it was written.
            message = self.describe_failure(exc)
            if message is None:
                raise
            raise UserError(self._write_note(exc) or message) from exc
        finally:
            session.close()

    def _write_note(self, error: DBAPIError) -> str | None:
        """What a long write in progress left for those who find the database busy."""
        if not self._is_busy(error):
            return None
        try:
            # A plain read: it neither waits for the write lock nor is refused by it.
            with Session(self.engine) as session:
                row = session.scalars(
                    select(OfficeSetting).where(OfficeSetting.key == WRITE_NOTE)
                ).first()
        except DBAPIError:
            return None
        if row is None or utcnow() - row.updated_at > WRITE_NOTE_LIFETIME:
            return None
        return row.value

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
        except DBAPIError as exc:
            message = self.describe_failure(exc)
            if message is None:
                raise
            raise UserError(message) from exc
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


class PasswordNeeded(UserError):
    """The office server wants a password: the window asks for it and tries again."""

    def __init__(self, message: str, *, wrong: bool = False) -> None:
        super().__init__(message)
        self.wrong = wrong


class EmptyOfficeDatabase(UserError):
    """The office database has not been set up for Jurisdesk (opened without create): the
    window asks whether to set it up."""


def open_store(
    location: Location | str,
    actor: str | None = None,
    *,
    create: bool = True,
    network: bool | None = None,
    password: str | None = None,
) -> Store:
    """Opens the database at location: a file (network=None detects a network folder, see
    app.db) or an office database on a server (app.db_server; password only if the server
    asks for one and libpq finds none in PGPASSWORD or ~/.pgpass)."""
    try:
        if isinstance(location, str):
            location = parse_location(location)
        if isinstance(location, OfficeServer):
            from app import db_server

            try:
                database = db_server.open_server_database(
                    location, create=create, password=password
                )
            except db_server.PasswordNeeded as exc:
                raise PasswordNeeded(str(exc), wrong=exc.wrong) from exc
            except db_server.EmptyDatabase as exc:
                raise EmptyOfficeDatabase(str(exc)) from exc
        else:
            database = open_database(location, create=create, network=network)
    except (DatabaseError, AddressError) as exc:
        raise UserError(str(exc)) from exc
    return Store(database, actor or default_actor())
