"""The migrations on PostgreSQL (the office mode's server): they run on an empty database to
head, build the schema they build in a SQLite file, agree with the models, and the data
migration (0005, the audit chain) computes on PostgreSQL what it computes on SQLite.

Each test gets its own database on a throwaway server (tests/postgres_server.py)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import app.db
from app.db import head_revision
from app.models import Base
from app.services import audit
from tests.helpers import DATA


@contextmanager
def _engine(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _upgrade(engine: sa.Engine, revision: str = "head") -> None:
    # The way app.db runs them: env.py takes the engine from the configuration.
    command.upgrade(app.db.alembic_config(engine), revision)


def _revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _sqlite_at_head(tmp_path: Path) -> Path:
    """A new database file made as the application makes one."""
    path = tmp_path / "fresh.sqlite"
    opened = app.db.open_database(path, daily_backup=False)
    opened.engine.dispose()
    return path


def _family(column_type: sa.types.TypeEngine[Any]) -> tuple[Any, ...]:
    """A column's type as both databases can state it: SQLite's BLOB is PostgreSQL's BYTEA,
    its DATETIME PostgreSQL's TIMESTAMP (without time zone: the application stores UTC)."""
    if isinstance(column_type, sa.Boolean):
        return ("boolean",)
    if isinstance(column_type, sa.Integer):
        return ("integer",)
    if isinstance(column_type, sa.DateTime):
        return ("datetime", column_type.timezone)
    if isinstance(column_type, sa.Date):
        return ("date",)
    if isinstance(column_type, sa.LargeBinary):
        return ("binary",)
    if isinstance(column_type, sa.Text):
        return ("text",)
    if isinstance(column_type, sa.String):
        return ("string", column_type.length)
    raise AssertionError(f"a column type this test does not know: {column_type!r}")


def _default(default: str | None) -> str | None:
    if default is None or default.startswith("nextval("):
        # PostgreSQL numbers a single integer key from a sequence (SERIAL); SQLite's integer
        # primary key is the row id. Both number new rows themselves.
        return None
    # PostgreSQL states the type of a literal: 'pdf'::character varying.
    return re.sub(r"::[a-z ]+$", "", default)


def _schema(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    inspector = sa.inspect(engine)
    schema: dict[str, dict[str, Any]] = {}
    for table in sorted(inspector.get_table_names()):
        columns = {
            column["name"]: (
                _family(column["type"]),
                column["nullable"],
                _default(column["default"]),
            )
            for column in inspector.get_columns(table)
        }
        primary_key = inspector.get_pk_constraint(table)
        foreign_keys = sorted(
            (
                key["name"],
                tuple(key["constrained_columns"]),
                key["referred_table"],
                tuple(key["referred_columns"]),
                (key.get("options") or {}).get("ondelete"),
            )
            for key in inspector.get_foreign_keys(table)
        )
        uniques = sorted(
            (unique["name"], tuple(unique["column_names"]))
            for unique in inspector.get_unique_constraints(table)
        )
        # PostgreSQL lists the index behind each unique constraint too; SQLite keeps those out.
        indexes = sorted(
            (index["name"], tuple(index["column_names"]), bool(index["unique"]))
            for index in inspector.get_indexes(table)
            if not index.get("duplicates_constraint")
        )
        schema[table] = {
            "columns": columns,
            "column_order": list(columns),
            "primary_key": (primary_key["name"], tuple(primary_key["constrained_columns"])),
            "foreign_keys": foreign_keys,
            "unique": uniques,
            "indexes": indexes,
        }
    return schema


def test_migrations_run_to_head_on_an_empty_postgresql_database(postgres_url: str) -> None:
    with _engine(postgres_url) as engine:
        assert engine.dialect.name == "postgresql"
        _upgrade(engine)
        assert _revision(engine) == head_revision()
        # A second run finds nothing to do.
        _upgrade(engine)
        assert _revision(engine) == head_revision()


def test_postgresql_gets_the_schema_sqlite_gets(postgres_url: str, tmp_path: Path) -> None:
    sqlite_path = _sqlite_at_head(tmp_path)
    with _engine(f"sqlite:///{sqlite_path}") as engine:
        expected = _schema(engine)
    with _engine(postgres_url) as engine:
        _upgrade(engine)
        found = _schema(engine)

    assert sorted(found) == sorted(expected)
    assert "alembic_version" in found
    for table in expected:
        for part in ("columns", "primary_key", "foreign_keys", "unique", "indexes"):
            assert found[table][part] == expected[table][part], f"{table}: {part} differ"


def test_models_and_migrations_agree_on_postgresql(postgres_url: str) -> None:
    with _engine(postgres_url) as engine:
        _upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, Base.metadata)
    assert differences == [], "the models and the PostgreSQL schema the migrations make differ"


# ----------------------------------------------------------------------------- data


def _copy_rows(source: sa.Engine, target: sa.Engine) -> None:
    """Every row of every table, as a move from a SQLite file to a server would copy them."""
    tables = sa.MetaData()
    tables.reflect(source)
    with source.connect() as reading, target.begin() as writing:
        for table in tables.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [dict(row) for row in reading.execute(sa.select(table)).mappings()]
            if rows:
                writing.execute(
                    sa.table(table.name, *(sa.column(c) for c in rows[0])).insert(), rows
                )
            # Rows copied with their keys leave a table's sequence behind them: the next
            # insert (0005 appends entries) must number after the copied rows.
            if "id" in table.c:
                writing.execute(
                    sa.text(
                        "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                        f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                    ),
                    {"table": table.name},
                )


def _replace_nul(path: Path) -> int:
    """PostgreSQL's text cannot hold U+0000, which SQLite's can (the fixture's hostile text
    has one): both copies get U+FFFD instead, so that the upgrades hash the same content.
    Returns how many values changed."""
    changed = 0
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            selected = ", ".join(f'"{column}"' for column in columns)
            for rowid, *values in connection.execute(
                f'SELECT rowid, {selected} FROM "{table}"'
            ).fetchall():
                for column, value in zip(columns, values, strict=True):
                    if isinstance(value, str) and "\x00" in value:
                        connection.execute(
                            f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?',
                            (value.replace("\x00", "\ufffd"), rowid),
                        )
                        changed += 1
        connection.commit()
    finally:
        connection.close()
    return changed


def _contents(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    tables = sa.MetaData()
    tables.reflect(engine)
    contents = {}
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.c)
            columns = sorted(table.c, key=lambda column: column.name)
            contents[table.name] = [
                tuple(row) for row in connection.execute(sa.select(*columns).order_by(*order))
            ]
    return contents


def _chain_holds(engine: sa.Engine) -> bool:
    """Every link as app.services.audit defines it: numbered from 1, linked, self-hashed."""
    with engine.connect() as connection:
        rows = [
            dict(row)
            for row in connection.execute(
                sa.text("SELECT * FROM audit_entry ORDER BY sequence")
            ).mappings()
        ]
    assert rows, "the fixture has an audit trail"
    previous = audit.GENESIS_HASH
    for number, row in enumerate(rows, start=1):
        if row["sequence"] != number or row["previous_hash"] != previous:
            return False
        if audit.hash_of(row | {"at": row["at"].replace(tzinfo=UTC)}) != row["entry_hash"]:
            return False
        previous = row["entry_hash"]
    return True


def test_the_audit_chain_migration_computes_on_postgresql_what_it_does_on_sqlite(
    postgres_url: str, tmp_path: Path
) -> None:
    """The first released schema's committed database, copied into PostgreSQL at 0001 and
    upgraded there, ends with the same rows as the file upgraded in SQLite: same chain, same
    hashes, same filed-letter anchors."""
    sqlite_path = tmp_path / "user.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", sqlite_path)
    assert _replace_nul(sqlite_path) > 0, "the fixture's hostile text holds a NUL"

    with _engine(postgres_url) as server, _engine(f"sqlite:///{sqlite_path}") as file:
        assert _revision(file) == "0001"
        _upgrade(server, "0001")
        _copy_rows(file, server)
        _upgrade(server)
        _upgrade(file)
        assert _revision(server) == _revision(file) == head_revision()
        assert _chain_holds(server)
        upgraded_on_server, upgraded_in_file = _contents(server), _contents(file)

    assert sorted(upgraded_on_server) == sorted(upgraded_in_file)
    for table, rows in upgraded_in_file.items():
        assert upgraded_on_server[table] == rows, f"{table} differs after the upgrade"


@pytest.mark.parametrize("revision", ["0004", "0005"])
def test_upgrading_from_an_intermediate_revision_on_postgresql(
    postgres_url: str, revision: str
) -> None:
    """An empty server database left at an older revision upgrades in later steps, as a server
    set up by one release and upgraded by the next would."""
    with _engine(postgres_url) as engine:
        _upgrade(engine, revision)
        assert _revision(engine) == revision
        _upgrade(engine)
        assert _revision(engine) == head_revision()
        with engine.connect() as connection:
            format_default = connection.execute(
                sa.text(
                    "SELECT column_default FROM information_schema.columns "
                    "WHERE table_name = 'filed_document' AND column_name = 'format'"
                )
            ).scalar_one()
    assert format_default.startswith("'pdf'")
