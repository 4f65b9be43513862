"""An office database on a PostgreSQL server: its address, opening it, what is refused and
why, and IT's upgrade — against a real throwaway server (tests/postgres_server.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

import app.db
from app.locations import AddressError, OfficeServer, parse_location, parse_server
from app.paths import DB_ENV_VAR, effective_default_database
from app.services import UserError, audit, demo, jurisdictions, responses
from app.services.store import EmptyOfficeDatabase, open_store

REPO = Path(__file__).resolve().parent.parent


def _address(url: str) -> str:
    """The address as a user writes it (the fixtures give SQLAlchemy's spelling)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def _execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


# == the address =============================================================================


def test_an_address_is_read_as_it_is_written_and_shown_without_password() -> None:
    server = parse_server("postgresql://clerk@db.city.gov:5433/jurisdesk?sslmode=require")
    assert server == OfficeServer(
        database="jurisdesk",
        user="clerk",
        host="db.city.gov",
        port=5433,
        options=(("sslmode", "require"),),
    )
    assert server.address == "postgresql://clerk@db.city.gov:5433/jurisdesk?sslmode=require"
    assert server.server_name == "db.city.gov:5433"
    assert parse_location(server.address) == server
    assert parse_location("postgres://db/office") == OfficeServer("office", host="db")
    # A file is a file, whatever its name.
    assert parse_location("~/postgresql.sqlite") == Path.home() / "postgresql.sqlite"


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("postgresql://clerk:s3cret@db/office", "never stores passwords"),
        ("postgresql://clerk@db/office?password=s3cret", "never stores passwords"),
        ("postgresql://clerk@db/", "names no database"),
        ("postgresql://clerk@db:port/office", "not a usable office database address"),
    ],
)
def test_an_unusable_address_says_what_to_fix(address: str, said: str) -> None:
    with pytest.raises(AddressError, match=said) as caught:
        parse_location(address)
    assert "s3cret" not in str(caught.value)


def test_the_address_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DB_ENV_VAR, "postgresql://clerk@db/office")
    assert effective_default_database() == OfficeServer("office", user="clerk", host="db")
    monkeypatch.setenv(DB_ENV_VAR, "postgresql://clerk:pw@db/office")
    with pytest.raises(AddressError, match=DB_ENV_VAR):
        effective_default_database()
    result = _run("list", env={DB_ENV_VAR: "postgresql://clerk:pw@db/office"})
    assert result.returncode == 2
    assert "JURISDESK_DB" in result.stderr
    assert "never stores passwords" in result.stderr
    assert "Traceback" not in result.stderr
    assert ":pw@" not in result.stderr


# == opening =================================================================================


def test_the_demo_on_an_office_database_lists_and_checks_from_the_command_line(
    postgres_url: str,
) -> None:
    address = _address(postgres_url)
    refused = _run("--db", address, "list")
    assert refused.returncode == 2
    assert "is empty" in refused.stderr
    assert "upgrade" in refused.stderr
    loaded = _run("--db", address, "demo")
    assert loaded.returncode == 0, loaded.stderr
    listed = _run("--db", address, "list")
    assert listed.returncode == 0, listed.stderr
    assert "City of Stockton (CA)" in listed.stdout
    checked = _run("--db", address, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "PROBLEMS" not in checked.stdout


def test_an_empty_office_database_is_said_to_be_empty_unless_it_is_to_be_set_up(
    postgres_url: str,
) -> None:
    # The window asks the person on EmptyOfficeDatabase, then opens with create=True.
    with pytest.raises(EmptyOfficeDatabase, match="has not been set up for Jurisdesk"):
        open_store(postgres_url, create=False)
    open_store(postgres_url, create=True).close()
    open_store(postgres_url, create=False).close()


def test_an_office_database_works_like_a_file(postgres_url: str) -> None:
    store = open_store(postgres_url, actor="Deputy")
    try:
        assert store.path is None
        assert isinstance(store.location, OfficeServer)
        assert store.location.database in postgres_url
        demo.load_demo(store)
        names = [row.name for row in jurisdictions.overview(store)]
        assert "City of Albuquerque" in names
    finally:
        store.close()


def test_a_reviewer_s_long_reason_is_kept_whole_in_an_office_database(
    postgres_url: str,
) -> None:
    # The label of an audit entry once had a length PostgreSQL enforces (SQLite never did).
    store = open_store(postgres_url, actor="Reviewer")
    try:
        demo.load_demo(store)
        complete = next(row for row in responses.list_responses(store) if row.completeness.complete)
        responses.submit_for_review(store, complete.id)
        reason = "Cite the county's written policy for each facility. " * 12
        responses.return_to_draft(store, complete.id, reason)
        labels = [entry.entity_label for entry in audit.history(store, response_uuid=complete.uuid)]
        assert reason.strip() in labels
    finally:
        store.close()


def test_an_unreachable_server_is_named_and_what_to_do_said(tmp_path: Path) -> None:
    address = f"postgresql://clerk@/office?host={tmp_path}"  # no server listens there
    with pytest.raises(UserError, match="cannot reach the office database office") as caught:
        open_store(address)
    assert "ask IT" in str(caught.value)
    result = _run("--db", address, "list")
    assert result.returncode == 2
    assert "cannot reach" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_the_server_does_not_have_is_named(postgres_url: str) -> None:
    missing = postgres_url.replace("/test_", "/missing_", 1)
    with pytest.raises(UserError, match="has no database named missing_"):
        open_store(missing)


def test_a_database_of_another_program_is_refused_and_left_alone(postgres_url: str) -> None:
    _execute(postgres_url, "CREATE TABLE invoices (id integer primary key)")
    with pytest.raises(UserError, match="tables that are not Jurisdesk's"):
        open_store(postgres_url)
    engine = sa.create_engine(postgres_url)
    try:
        assert sa.inspect(engine).get_table_names() == ["invoices"]
    finally:
        engine.dispose()


def _at_revision(url: str, revision: str) -> None:
    engine = sa.create_engine(url)
    try:
        command.upgrade(app.db.alembic_config(engine), revision)
    finally:
        engine.dispose()


def test_an_older_office_database_is_refused_never_upgraded_by_a_client(
    postgres_url: str,
) -> None:
    _at_revision(postgres_url, "0005")
    with pytest.raises(UserError) as caught:
        open_store(postgres_url)
    message = str(caught.value)
    assert "schema version 0005" in message
    assert app.db.head_revision() in message
    assert "ask IT" in message
    assert "upgrade" in message
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert found.scalar_one() == "0005"
    finally:
        engine.dispose()


def test_a_newer_office_database_is_refused(postgres_url: str) -> None:
    open_store(postgres_url).close()
    _execute(postgres_url, "UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(UserError, match="newer version of Jurisdesk"):
        open_store(postgres_url)
    result = _run("--db", _address(postgres_url), "upgrade", "--no-backup")
    assert result.returncode == 2
    assert "newer version of Jurisdesk" in result.stderr


# == upgrading (IT) ==========================================================================


def test_it_upgrades_an_office_database_after_a_pg_dump_backup(
    postgres_url: str, tmp_path: Path
) -> None:
    _at_revision(postgres_url, "0005")
    backup = tmp_path / "office.dump"
    result = _run("--db", _address(postgres_url), "upgrade", "--backup", str(backup))
    assert result.returncode == 0, result.stderr
    assert f"Backup written to {backup}" in result.stdout
    assert f"from schema version 0005 to {app.db.head_revision()}" in result.stdout
    assert backup.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    open_store(postgres_url).close()  # now at this Jurisdesk's revision
    again = _run("--db", _address(postgres_url), "upgrade", "--no-backup")
    assert again.returncode == 0
    assert "already at schema version" in again.stdout


def test_upgrade_sets_up_an_empty_office_database(postgres_url: str) -> None:
    result = _run("--db", _address(postgres_url), "upgrade")
    assert result.returncode == 0, result.stderr
    assert "is set up for Jurisdesk" in result.stdout
    store = open_store(postgres_url, create=False)
    store.close()


def test_an_existing_backup_file_is_never_overwritten(postgres_url: str, tmp_path: Path) -> None:
    _at_revision(postgres_url, "0005")
    backup = tmp_path / "kept.dump"
    backup.write_bytes(b"an earlier backup")
    result = _run("--db", _address(postgres_url), "upgrade", "--backup", str(backup))
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert backup.read_bytes() == b"an earlier backup"
    with pytest.raises(UserError, match="schema version 0005"):
        open_store(postgres_url)


def test_restoring_over_an_office_database_is_left_to_it(postgres_url: str) -> None:
    result = _run("--db", _address(postgres_url), "restore", "some.sqlite")
    assert result.returncode == 2
    assert "pg_restore" in result.stderr
