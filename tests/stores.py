"""Fresh databases on both stores for the service and concurrency tests: a SQLite file, or a
database on the throwaway PostgreSQL server of this test process (tests/postgres_server.py).

A location is where a test's database goes: a file path, or the ``postgresql+psycopg://`` URL of
a database that does not exist yet. ``fresh_store(location)`` creates it as a copy of an empty
database at head (or of what a builder wrote, built once per process and store): a file is
copied, a server database is made with ``CREATE DATABASE ... TEMPLATE``, which is several times
cheaper than running the migrations for every test.

The counting and raw-SQL helpers here read and change a database behind Jurisdesk's back on
either store, as another tool would.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

import app.db
import app.db_server
from app.db_server import WRITE_LOCK
from app.services.store import Store, open_store
from tests import helpers

Location = Path | str

# Built template databases, per server (its socket folder) and name: the builder's result.
_TEMPLATES: dict[tuple[str, str], Any] = {}
EMPTY = "empty"


# ----------------------------------------------------------------------------- server


def _admin(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    """A connection to the server's maintenance database (CREATE and DROP DATABASE)."""
    parsed = make_url(url)
    host = parsed.query.get("host")
    return psycopg.connect(
        host=host if isinstance(host, str) else None,
        port=parsed.port,
        user=parsed.username,
        dbname="postgres",
        autocommit=True,
    )


def database_name(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name


def with_database(url: str, name: str) -> str:
    """The URL of another database on the same server."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _server_key(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.host or ''}:{parsed.port or ''}:{parsed.query.get('host', '')}"


def _create(url: str, template: str | None = None) -> None:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name(url)))
    with _admin(url) as connection:
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            if connection.info.server_version >= 150000:
                # Copying the template's files is several times quicker than writing them
                # through the WAL (15's default), with fsync off as on the test server.
                statement += sql.SQL(" STRATEGY FILE_COPY")
        connection.execute(statement)


def create_database(url: str, options: str) -> None:
    """An empty database at url made with CREATE DATABASE's options (a collation, ...), as
    IT may make one; options is trusted SQL."""
    statement = sql.SQL("CREATE DATABASE {} {}").format(
        sql.Identifier(database_name(url)),
        sql.SQL(options),
    )
    with _admin(url) as connection:
        connection.execute(statement)


def drop_database(url: str) -> None:
    """Drops the database at url if it exists, closing what is still connected to it."""
    with _admin(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(url))
            )
        )


def _template_name(name: str) -> str:
    return "template_" + re.sub(r"[^a-z0-9_]", "_", name.lower())


def _server_template(
    url: str, name: str, builder: Callable[[Store], Any] | None, actor: str
) -> tuple[str, Any]:
    """The template database `name` on url's server, made once per process: the empty database
    at head set up by open_store itself, or a copy of it holding what builder wrote."""
    key = (_server_key(url), name)
    template = _template_name(name)
    if key not in _TEMPLATES:
        target = with_database(url, template)
        result: Any = None
        if builder is None:
            _create(target)
            store = open_store(target, actor="Template")
            store.close()
        else:
            _create(target, _server_template(url, EMPTY, None, actor)[0])
            store = open_store(target, actor=actor)
            try:
                result = builder(store)
            finally:
                store.close()
        _TEMPLATES[key] = result
    return template, _TEMPLATES[key]


# ----------------------------------------------------------------------------- both


def fresh_store(
    location: Location,
    actor: str = "Test Clerk",
    *,
    built: tuple[str, Callable[[Store], Any]] | None = None,
) -> Generator[Store, None, None]:
    """A store on a new database at location, as tests.helpers.fresh_store makes a file: a
    copy of an empty database at head, or with ``built=(name, builder)`` of what
    builder(store) wrote, built once per process and store."""
    if isinstance(location, Path):
        yield from helpers.fresh_store(location, actor, built=built)
        return
    if built is None:
        template, _result = _server_template(location, EMPTY, None, actor)
    else:
        template, _result = _server_template(location, built[0], built[1], actor)
    _create(location, template)
    store = open_store(location, actor=actor)
    try:
        yield store
    finally:
        store.close()


def create_empty(location: Location) -> Location:
    """An empty database at location, as a user or IT starts one: nothing for a file (the
    command that uses it creates it), an empty database without tables on a server."""
    if not isinstance(location, Path):
        _create(location)
    return location


def built_result(location: Location, name: str) -> Any:
    """What the builder of a `built` store returned (ids of the records it made)."""
    if isinstance(location, Path):
        return helpers.built_result(name)
    return _TEMPLATES[(_server_key(location), name)]


def another_location(location: Location, name: str) -> Location:
    """A second database beside location, on the same store (not created yet)."""
    if isinstance(location, Path):
        return location.with_name(f"{name}.sqlite")
    return with_database(location, f"{database_name(location)}_{name}"[:63])


# ----------------------------------------------------------------------------- raw access


def location_text(store: Store) -> str:
    """Where store's database is, as a child process's open_store (or --db) takes it: the
    file's path or the server's address."""
    if store.path is not None:
        return str(store.path)
    assert store.server is not None
    return store.server.address


def location_of(store: Store) -> Location:
    return store.path if store.path is not None else location_text(store)


class RawConnection:
    """A plain DB-API connection, no Jurisdesk code in between, that takes SQLite's ``?``
    parameters on both stores (for PostgreSQL they become psycopg's ``%s``)."""

    def __init__(self, location: Location) -> None:
        self.server = not isinstance(location, Path)
        self._connection: Any
        if isinstance(location, Path):
            self._connection = sqlite3.connect(location)
            self._connection.execute("PRAGMA foreign_keys=ON")
        else:
            parsed = make_url(location)
            host = parsed.query.get("host")
            self._connection = psycopg.connect(
                host=host if isinstance(host, str) else parsed.host,
                port=parsed.port,
                user=parsed.username,
                dbname=parsed.database,
            )

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Runs one statement; returns the cursor (fetchone, fetchall, description)."""
        if self.server:
            statement = statement.replace("%", "%%").replace("?", "%s")
        return self._connection.execute(statement, tuple(params))

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def dump(self) -> Iterator[str]:
        """A file's whole content as SQL (sqlite3's iterdump)."""
        assert not self.server
        return iter(self._connection.iterdump())

    def close(self) -> None:
        self._connection.close()


@contextmanager
def raw_connection(target: Store | Location) -> Iterator[RawConnection]:
    connection = RawConnection(location_of(target) if isinstance(target, Store) else target)
    try:
        yield connection
    finally:
        connection.close()


def raw_execute(target: Store | Location, *statements: str | tuple[str, Sequence[Any]]) -> None:
    """Changes the database behind Jurisdesk's back, in one transaction, as a damaged copy or
    another tool would: each statement plain or as (statement, ? parameters)."""
    with raw_connection(target) as connection:
        for statement in statements:
            text, params = (statement, ()) if isinstance(statement, str) else statement
            connection.execute(text, params)
        connection.commit()


def forge_audit_trail(
    target: Store | Location, *statements: str | tuple[str, Sequence[Any]]
) -> None:
    """Changes the audit trail as only someone with every right on the database can: first
    lifting the guard that refuses changes to its entries (migration 0009), as the owner of
    an office database or whoever may write a file can."""
    location = location_of(target) if isinstance(target, Store) else target
    if isinstance(location, Path):
        lift = [
            f"DROP TRIGGER IF EXISTS audit_entry_kept_{change}" for change in ("update", "delete")
        ]
    else:
        lift = ["ALTER TABLE audit_entry DISABLE TRIGGER USER"]
    raw_execute(target, *lift, *statements)


def raw_rows(
    target: Store | Location, statement: str, params: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """What a query returns, read behind Jurisdesk's back: a dict a row."""
    with raw_connection(target) as connection:
        cursor = connection.execute(statement, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def raw_one(target: Store | Location, statement: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row a query returns (which must return one)."""
    with raw_connection(target) as connection:
        row = connection.execute(statement, params).fetchone()
    assert row is not None, statement
    return row[0]


def table_counts(target: Store | Location) -> dict[str, int]:
    """Rows in every table of the database, read behind Jurisdesk's back."""
    if isinstance(target, Store) and target.path is not None:
        return helpers.table_counts(target.path)
    if isinstance(target, Path):
        return helpers.table_counts(target)
    with raw_connection(target) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        return {
            name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for (name,) in tables
        }


def count_rows(target: Store | Location, table: str) -> int:
    return table_counts(target)[table]


def database_fingerprint(target: Store | Location) -> str:
    """Every row of every table: equal fingerprints mean nothing was written. (A server's
    sequences are left out: PostgreSQL advances them in transactions that roll back too.)"""
    location = location_of(target) if isinstance(target, Store) else target
    digest = hashlib.sha256()
    with raw_connection(location) as connection:
        if isinstance(location, Path):
            for line in connection.dump():
                digest.update(line.encode() + b"\n")
            return digest.hexdigest()
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).fetchall()
        for (name,) in tables:
            rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
            digest.update(f"{name}\n".encode())
            for row in sorted(repr(row) for row in rows):
                digest.update(row.encode() + b"\n")
    return digest.hexdigest()


@contextmanager
def holding_the_write_lock(target: Store | Location) -> Iterator[None]:
    """Another Jurisdesk holds the write lock meanwhile (a long import): SQLite's BEGIN
    IMMEDIATE on a file, the advisory lock every writer takes first on a server."""
    location = location_of(target) if isinstance(target, Store) else target
    with raw_connection(location) as connection:
        if isinstance(location, Path):
            connection.execute("BEGIN IMMEDIATE")
        else:
            connection.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
        try:
            yield
        finally:
            connection.rollback()


def shorten_busy_timeout(
    monkeypatch: pytest.MonkeyPatch, milliseconds: int, *stores: Store
) -> None:
    """How long a writer waits for another before the user reads "busy", on both stores:
    SQLite's busy timeout (set as connections open: the stores' pooled ones are closed) and
    the server's lock_timeout (set as each write begins)."""
    monkeypatch.setattr(app.db, "BUSY_TIMEOUT_MS", milliseconds)
    monkeypatch.setattr(app.db_server, "BUSY_TIMEOUT_MS", milliseconds)
    for store in stores:
        store.engine.dispose()
