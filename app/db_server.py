"""Opening an office database on a PostgreSQL server, shared by everyone in the office.

The same schema and migrations as a file (app.db), with what a shared server needs instead of
SQLite's file locks:

- Writes take one advisory lock for their whole transaction, as SQLite's BEGIN IMMEDIATE takes
  the file's write lock: a use case's reads and version checks see exactly what it will
  overwrite, conflicts behave as on a file, and the audit chain stays one chain. Readers never
  wait. A writer waits at most BUSY_TIMEOUT_MS for another, then the user reads "busy".
- A client never upgrades a shared database: an older schema is refused with what to tell IT,
  who run ``jurisdesk --db ADDRESS upgrade``. An empty database is set up by the commands that
  create a database (as a new file would be), a newer schema is refused.
- No backup copies beside it (there is no "beside"): the server is backed up by IT with
  PostgreSQL's own tools, see docs/office-database.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError

from app.db import (
    BUSY_TIMEOUT_MS,
    WRITE_OPTION,
    DatabaseError,
    OpenedDatabase,
    head_revision,
    known_revisions,
)
from app.locations import OfficeServer

# Advisory lock keys (per database): "JSDK" for writes, and one more for setting up or
# upgrading the schema, which must not run twice at once.
WRITE_LOCK = 0x4A53444B
SCHEMA_LOCK = 0x4A53444C
CONNECT_TIMEOUT_SECONDS = 10
# Tables whose presence says "this is a Jurisdesk database" (a server has no application id).
OUR_TABLES = frozenset({"alembic_version", "jurisdiction", "audit_entry", "response"})


class PasswordNeeded(DatabaseError):
    """The server asks for a password that was not given (or a wrong one was)."""

    def __init__(self, message: str, *, wrong: bool = False) -> None:
        super().__init__(message)
        self.wrong = wrong


class EmptyDatabase(DatabaseError):
    """The office database has no tables yet, and the opening was not to set it up."""


def engine_url(server: OfficeServer, password: str | None = None) -> URL:
    query = dict(server.options)
    return URL.create(
        "postgresql+psycopg",
        username=server.user,
        password=password,
        host=server.host,
        port=server.port,
        database=server.database,
        query=query,
    )


def _begin(connection: Connection) -> None:
    # psycopg opens the transaction at the first statement; these are its first two.
    if connection.get_execution_options().get(WRITE_OPTION, False):
        # One round trip: the wait's limit for this transaction, then the lock (the select
        # list is evaluated in order).
        connection.exec_driver_sql(
            f"SELECT set_config('lock_timeout', '{int(BUSY_TIMEOUT_MS)}', true), "
            f"pg_advisory_xact_lock({WRITE_LOCK})"
        )


def make_server_engine(server: OfficeServer, password: str | None = None) -> Engine:
    # libpq reads PGPASSWORD and ~/.pgpass itself when no password is given, and the
    # options in the address (sslmode, ...) go to it as they are.
    connect_args: dict[str, object] = {"application_name": "Jurisdesk"}
    if not any(key == "connect_timeout" for key, _value in server.options):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    engine = create_engine(
        engine_url(server, password),
        pool_pre_ping=True,  # a server restarted overnight: reconnect, do not fail
        # Each PC counts against the server's max_connections: two kept open (the window and
        # its background work), a few more at a busy moment.
        pool_size=2,
        max_overflow=3,
        connect_args=connect_args,
    )
    event.listen(engine, "begin", _begin)
    return engine


# ----------------------------------------------------------------------------- errors


def _sqlstate(error: BaseException) -> str:
    if isinstance(error, DBAPIError):
        error = error.orig  # type: ignore[assignment]
    return str(getattr(error, "sqlstate", "") or "")


def _detail(error: BaseException) -> str:
    if isinstance(error, DBAPIError):
        error = error.orig  # type: ignore[assignment]
    return " ".join(str(error).split())


def is_busy(error: BaseException) -> bool:
    """Another writer held the office database longer than a writer waits."""
    return _sqlstate(error) in {"55P03", "40001", "40P01"}


def describe_server_failure(error: BaseException, server: OfficeServer) -> str | None:
    """What the user should read when the server fails, or None if it is a bug in Jurisdesk."""
    state = _sqlstate(error)
    detail = _detail(error)
    where = f"the office database {server.database} on {server.server_name}"
    if is_busy(error):
        return (
            f"{_capitalised(where)} is busy: a colleague is saving a long change "
            "(an import). Wait a moment and try again."
        )
    if "cannot contain NUL" in detail:
        return (
            "The text contains a NUL character (an invisible control character, usually "
            "pasted from another program), which the office database cannot store. Nothing "
            "was saved: remove it (retype the text) and save again."
        )
    if state == "22001":
        return (
            f"A text is longer than {where} can store ({detail}). Nothing was saved: "
            "shorten it and save again."
        )
    if state == "42501":
        return (
            f"Your database role may not do this in {where} ({detail}); nothing was changed. "
            "Ask IT to grant the role Jurisdesk's rights (docs/office-database.md)."
        )
    if state.startswith("53"):
        return (
            f"The server holding {where} is out of space or resources ({detail}). Nothing "
            "was saved. Tell IT."
        )
    if state == "25006":
        return (
            f"{_capitalised(where)} is read-only at the moment ({detail}); nothing "
            "was saved. Ask IT whether the server is being maintained."
        )
    if state.startswith(("08", "57")) or (isinstance(error, OperationalError) and not state):
        return (
            f"The connection to {where} was lost ({detail}). Nothing of the last change was "
            "saved. Check the network, then try again; if it persists, ask IT whether the "
            "server is running."
        )
    return None


def _capitalised(phrase: str) -> str:
    """A phrase ("the server …") as a sentence begins it."""
    return phrase[:1].upper() + phrase[1:]


def _the_server(server: OfficeServer) -> str:
    """ "the server db.city.gov", or "the PostgreSQL server on this PC" for a local one."""
    name = server.server_name
    return "the PostgreSQL server on this PC" if name == "this PC" else f"the server {name}"


def _refusal(detail: str) -> str | None:
    """The reason a server that answered gave for refusing the connection (its FATAL line)."""
    _before, found, reason = detail.partition("FATAL:")
    return " ".join(reason.split()) or None if found else None


def _connect_failure(error: DBAPIError, server: OfficeServer) -> Exception:
    # libpq reports a refused connection as text (there is no SQLSTATE before the session
    # exists): the server's FATAL line says why.
    state = _sqlstate(error)
    detail = _detail(error)
    where = f"the office database {server.database} on {server.server_name}"
    user = server.user or "your user"
    the_server = _capitalised(_the_server(server))
    if "no password supplied" in detail:
        return PasswordNeeded(
            f"{the_server} asks for the password of {user} "
            f"to open {where}. Jurisdesk's window asks for it; for the command line, put it "
            "in PGPASSWORD or ~/.pgpass (docs/office-database.md)."
        )
    if state == "28P01" or "password authentication failed" in detail:
        return PasswordNeeded(
            f"The server refused the password for {user} on {where}. Check it and try again.",
            wrong=True,
        )
    if state == "3D000" or (f'database "{server.database}" does not exist' in detail):
        return DatabaseError(
            f"{the_server} has no database named "
            f"{server.database}. "
            "Check the address, or ask IT to create it (docs/office-database.md)."
        )
    if state == "28000" or ("role" in detail and "does not exist" in detail):
        return DatabaseError(
            f"{the_server} does not know the user {user}. "
            "Check the user "
            "name in the address, or ask IT for access."
        )
    if "pg_hba.conf" in detail:
        return DatabaseError(
            f"{the_server} does not let {user} in from this "
            f"PC ({_refusal(detail) or detail}). Ask IT to allow it "
            "(docs/office-database.md), or check sslmode in the address."
        )
    if state == "42501" or "permission denied" in detail:
        return DatabaseError(
            f"Your database role may not open {where} ({detail}). Ask IT to grant the role "
            "Jurisdesk's rights (docs/office-database.md)."
        )
    refused = _refusal(detail)
    if refused is not None:
        # The server answered, and said no: the network is fine, IT can act on the reason.
        return DatabaseError(
            f"{the_server} refused to open {where}: {refused}. Tell IT this message."
        )
    return DatabaseError(
        f"Jurisdesk cannot reach {where} ({detail}). Check the address and the network, or "
        "ask IT whether the server is running."
    )


# ----------------------------------------------------------------------------- identity


def _tables(connection: Connection) -> set[str]:
    rows = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    )
    return {str(row[0]) for row in rows}


def _revision(connection: Connection) -> str | None:
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def _state(engine: Engine) -> tuple[set[str], str | None]:
    with engine.connect() as connection:
        tables = _tables(connection)
        revision = _revision(connection) if "alembic_version" in tables else None
    return tables, revision


def _not_ours(server: OfficeServer) -> DatabaseError:
    return DatabaseError(
        f"The database {server.database} on {server.server_name} holds tables that are not "
        "Jurisdesk's. Check the address: Jurisdesk needs a database of its own "
        "(docs/office-database.md)."
    )


def older_message(server: OfficeServer, revision: str, head: str) -> str:
    return (
        f"The office database {server.database} on {server.server_name} has schema version "
        f"{revision}; this Jurisdesk needs version {head}. A shared database is never upgraded "
        "by one person's Jurisdesk: ask IT to back it up and upgrade it with "
        f"`jurisdesk --db {server.address} upgrade` (docs/office-database.md). Until then, "
        "open it with the Jurisdesk version the office used so far."
    )


def newer_message(server: OfficeServer, revision: str) -> str:
    return (
        f"The office database {server.database} on {server.server_name} was upgraded for a "
        f"newer version of Jurisdesk (schema {revision}). Install the newer Jurisdesk to open "
        "it; ask IT which version the office uses."
    )


@contextlib.contextmanager
def _schema_lock(engine: Engine) -> Iterator[Connection]:
    """Only one client sets up or upgrades the schema; the others wait, then see it done."""
    with engine.connect() as connection:
        connection.execute(text(f"SELECT pg_advisory_lock({SCHEMA_LOCK})"))
        connection.commit()
        try:
            yield connection
        finally:
            connection.execute(text(f"SELECT pg_advisory_unlock({SCHEMA_LOCK})"))
            connection.commit()


def _migrate(engine: Engine) -> None:
    from alembic import command

    from app.db import alembic_config  # only to set up or upgrade: Alembic loads slowly

    command.upgrade(alembic_config(engine), "head")


def _set_up(engine: Engine, server: OfficeServer) -> None:
    with _schema_lock(engine):
        tables, _revision_now = _state(engine)
        if tables and "alembic_version" not in tables:
            raise _not_ours(server)
        if not tables:
            try:
                _migrate(engine)
            except DBAPIError as exc:
                if _sqlstate(exc) != "42501":
                    raise
                raise DatabaseError(
                    f"The office database {server.database} on {server.server_name} is empty, "
                    f"and {server.user or 'your user'} may not set it up ({_detail(exc)}). Ask "
                    "IT to set it up as its owner: `jurisdesk --db ADDRESS upgrade` "
                    "(docs/office-database.md)."
                ) from exc


def _connect(server: OfficeServer, password: str | None) -> Engine:
    engine = make_server_engine(server, password)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        raise _connect_failure(exc, server) from exc
    return engine


def _checked(engine: Engine, server: OfficeServer, *, create: bool) -> str:
    """The schema revision after setting up an empty database (when create); refuses what
    is not ours, or not at this Jurisdesk's revision."""
    head = head_revision()
    tables, revision = _state(engine)
    if not tables:
        if not create:
            raise EmptyDatabase(
                f"The office database {server.database} on {server.server_name} is empty: it "
                "has not been set up for Jurisdesk yet. Check the address; if it is right, "
                "ask IT to set it up (as its owner: `jurisdesk --db ADDRESS upgrade`, "
                "docs/office-database.md)."
            )
        _set_up(engine, server)
        tables, revision = _state(engine)
    if not tables >= OUR_TABLES:
        raise _not_ours(server)
    if revision is None:
        raise DatabaseError(
            f"The office database {server.database} on {server.server_name} has no schema "
            "version; it may be damaged. Ask IT to restore it from a backup."
        )
    if revision not in known_revisions():
        raise DatabaseError(newer_message(server, revision))
    if revision != head:
        raise DatabaseError(older_message(server, revision, head))
    return revision


def open_server_database(
    server: OfficeServer, *, create: bool = True, password: str | None = None
) -> OpenedDatabase:
    """Connects to an office database at this Jurisdesk's schema revision.

    create: an empty database is set up (the commands that create data, and File ▸ Connect,
    which asks first). PasswordNeeded when the server wants a password that was not given.
    """
    engine = _connect(server, password)
    try:
        revision = _checked(engine, server, create=create)
    except DBAPIError as exc:
        engine.dispose()
        message = describe_server_failure(exc, server)
        if message is None:
            raise
        raise DatabaseError(message) from exc
    except BaseException:
        engine.dispose()
        raise
    return OpenedDatabase(engine=engine, path=None, server=server, schema_revision=revision)


def server_revision(server: OfficeServer, password: str | None = None) -> str | None:
    """The schema revision the office database has (None: empty)."""
    engine = _connect(server, password)
    try:
        tables, revision = _state(engine)
    finally:
        engine.dispose()
    if tables and "alembic_version" not in tables:
        raise _not_ours(server)
    return revision


def upgrade_server(server: OfficeServer, password: str | None = None) -> tuple[str | None, str]:
    """Sets up or upgrades the office database to this Jurisdesk's schema (for IT, after a
    backup); returns the revisions before and after. Refuses a newer or foreign database."""
    engine = _connect(server, password)
    try:
        with _schema_lock(engine):
            tables, before = _state(engine)
            if tables and "alembic_version" not in tables:
                raise _not_ours(server)
            if before is not None and before not in known_revisions():
                raise DatabaseError(newer_message(server, before))
            if before != head_revision():
                _migrate(engine)
            _tables_after, after = _state(engine)
    except DBAPIError as exc:
        message = describe_server_failure(exc, server)
        if message is None:
            raise
        raise DatabaseError(message) from exc
    finally:
        engine.dispose()
    assert after is not None
    return before, after


# ----------------------------------------------------------------------------- backup (IT)


def find_pg_dump() -> str | None:
    """PostgreSQL's pg_dump: on PATH, or where Debian keeps it (one folder a version)."""
    import re
    import shutil

    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_dump"),
        key=lambda p: tuple(int(n) for n in re.findall(r"\d+", p.parent.parent.name)),
    )
    return str(candidates[-1]) if candidates else None


def dump_server(server: OfficeServer, target: Path, password: str | None = None) -> None:
    """A backup of the whole office database with pg_dump (custom format, for pg_restore).
    Written beside target and renamed when complete; DatabaseError says what failed."""
    import os
    import subprocess

    from app.db_files import remove_quietly, temporary_name

    program = find_pg_dump()
    if program is None:
        raise DatabaseError(
            "pg_dump, PostgreSQL's backup tool, was not found. Install PostgreSQL's client "
            "tools (Debian: postgresql-client), or back up the database with your own tools "
            "first and run the upgrade with --no-backup."
        )
    if target.exists():
        raise DatabaseError(f"{target} already exists; choose another name with --backup FILE.")
    environment = dict(os.environ)
    if password is not None:
        environment["PGPASSWORD"] = password
    partial = temporary_name(target)
    try:
        result = subprocess.run(
            [program, "--format=custom", f"--file={partial}", f"--dbname={server.address}"],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )
        if result.returncode != 0:
            raise DatabaseError(
                f"The backup with pg_dump failed, so the database was not upgraded: "
                f"{' '.join(result.stderr.split())}"
            )
        os.replace(partial, target)
    except OSError as exc:
        raise DatabaseError(
            f"The backup could not be written to {target} ({exc.strerror or exc}), so the "
            "database was not upgraded. Choose another place with --backup FILE."
        ) from exc
    finally:
        remove_quietly(partial)
