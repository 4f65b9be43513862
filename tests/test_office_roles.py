"""The roles and rights docs/office-database.md tells IT to create, run exactly as written there
(its SQL blocks are read from the page, so page and test cannot drift apart), against a
throwaway server (tests/postgres_server.py): staff can do all their work and no more, tables a
later upgrade adds are theirs too, and a dump restored as the page says checks clean and keeps
the rights.

The server trusts every local connection, so no passwords are needed here; the statements are
run with psql, as IT runs them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command

import app.db
from app.cli import main
from app.services import UserError, records, staff
from app.services.store import open_store
from tests.postgres_server import ROLE, PostgresServer, find_binaries

DOC = Path(__file__).resolve().parent.parent / "docs" / "office-database.md"
# The names the page uses: the database, the owner role, the staff group and one person.
DATABASE = "jurisdesk"
OWNER = "jurisdesk_owner"
PERSON = "mgarcia"
_BLOCK = re.compile(
    r"<!-- tests/test_office_roles\.py runs this block: (?P<name>\w+) -->\n"
    r"```sql\n(?P<sql>.*?)```",
    re.DOTALL,
)


def client_program(name: str) -> str:
    """psql, pg_dump or pg_restore: beside the server's programs (the same version), else on
    PATH."""
    beside = (find_binaries() / "pg_ctl").resolve().parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    assert found, f"{name} is missing: install PostgreSQL's client programs (postgresql-client)"
    return found


def documented_sql() -> dict[str, str]:
    blocks = {found["name"]: found["sql"] for found in _BLOCK.finditer(DOC.read_text("utf-8"))}
    assert set(blocks) == {"roles", "database", "person"}, f"the page's SQL blocks: {set(blocks)}"
    return blocks


@dataclass(frozen=True)
class Office:
    server: PostgresServer
    sql: dict[str, str]

    def address(self, role: str, database: str = DATABASE) -> str:
        return f"postgresql://{role}@/{database}?host={self.server.socket_dir}"

    def psql(self, sql: str, *, database: str = "postgres") -> None:
        """Runs statements as IT does: psql as a superuser, stopping at the first error."""
        result = subprocess.run(
            [
                client_program("psql"),
                *("-X", "-q", "-v", "ON_ERROR_STOP=1"),
                *("-h", str(self.server.socket_dir), "-U", ROLE, "-d", database),
            ],
            input=sql,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    def tool(self, name: str, *args: str) -> None:
        result = subprocess.run(
            [client_program(name), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{name}: {result.stderr}"

    def set_up_as_documented(self) -> None:
        self.psql(self.sql["roles"])
        self.psql(self.sql["database"])
        self.psql(self.sql["person"])


@pytest.fixture
def office(postgres_server: PostgresServer) -> Iterator[Office]:
    """The server, and afterwards none of what the page's statements made."""
    yield Office(postgres_server, documented_sql())
    with psycopg.connect(
        host=str(postgres_server.socket_dir), user=ROLE, dbname="postgres", autocommit=True
    ) as connection:
        for (name,) in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'jurisdesk%'"
        ).fetchall():
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.execute(f"DROP ROLE IF EXISTS outsider, {PERSON}, jurisdesk_staff, {OWNER}")


def _jurisdesk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def _refused(office: Office, role: str, statement: str) -> str:
    with (
        psycopg.connect(
            host=str(office.server.socket_dir), user=role, dbname=DATABASE
        ) as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege) as refusal,
    ):
        connection.execute(statement)
    return str(refusal.value)


def _cannot_change_the_schema(office: Office) -> None:
    assert "must be owner" in _refused(office, PERSON, "DROP TABLE answer")
    assert "must be owner" in _refused(office, PERSON, "ALTER TABLE answer ADD COLUMN x integer")
    assert "permission denied" in _refused(office, PERSON, "TRUNCATE audit_entry")
    assert "permission denied" in _refused(office, PERSON, "CREATE TABLE x (a integer)")
    # The audit trail is append-only for staff: its guard refuses changes, and only the owner
    # may lift it.
    kept = "audit trail is kept as written"
    assert kept in _refused(office, PERSON, "UPDATE audit_entry SET actor = 'Somebody Else'")
    assert kept in _refused(office, PERSON, "DELETE FROM audit_entry")
    for lifting in (
        "ALTER TABLE audit_entry DISABLE TRIGGER USER",
        "DROP TRIGGER audit_entry_kept ON audit_entry",
        "DROP FUNCTION audit_entry_kept() CASCADE",
    ):
        assert "must be owner" in _refused(office, PERSON, lifting), lifting


def _staff_carry_on(office: Office, capsys: pytest.CaptureFixture[str], chain_head: str) -> None:
    """After a restore or a copy into the office database: it checks clean with the same chain
    head, staff add to it (the sequences came along: new rows get new ids), and still cannot
    change the schema."""
    status, checked = _jurisdesk(capsys, "--db", office.address(PERSON), "check")
    assert status == 0, checked
    assert chain_head in checked
    store = open_store(office.address(PERSON), actor="M. Garcia", create=False)
    try:
        created = records.create(
            store, "jurisdiction", {"name": "Town of Test", "kind": "town", "state": "NM"}
        )
        assert created.id > 4
    finally:
        store.close()
    _cannot_change_the_schema(office)


def test_staff_work_with_the_documented_rights_and_cannot_change_the_schema(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office.set_up_as_documented()
    # Set up by an older Jurisdesk (the owner's upgrade then), before the staff list existed.
    engine = sa.create_engine(
        office.address(OWNER).replace("postgresql://", "postgresql+psycopg://", 1)
    )
    try:
        command.upgrade(app.db.alembic_config(engine), "0003")
    finally:
        engine.dispose()
    status, said = _jurisdesk(capsys, "--db", office.address(PERSON), "list")
    assert status == 2
    assert "has schema version 0003" in said

    backup = tmp_path / "before.dump"
    status, said = _jurisdesk(
        capsys, "--db", office.address(OWNER), "upgrade", "--backup", str(backup)
    )
    assert status == 0, said
    assert "upgraded from schema version 0003" in said
    assert backup.stat().st_size > 0

    # Staff do their work, also in the tables the upgrade added (the default privileges).
    for command_line in (["demo"], ["list"], ["check"]):
        status, said = _jurisdesk(capsys, "--db", office.address(PERSON), *command_line)
        assert status == 0, said
    store = open_store(office.address(PERSON), actor="M. Garcia", create=False)
    try:
        staff.create(store, staff.StaffInput(name="M. Garcia", title="Paralegal", prepares=True))
        profile = records.get(store, "jurisdiction", 1)
        records.update(store, "jurisdiction", 1, {"population": 123_456}, profile.version)
        created = records.create(
            store, "jurisdiction", {"name": "Town of Test", "kind": "town", "state": "NM"}
        )
        assert created.id > 4
    finally:
        store.close()
    _cannot_change_the_schema(office)
    assert "OK: checked" in _jurisdesk(capsys, "--db", office.address(PERSON), "check")[1]

    # Nobody outside the staff group gets in, though the server lets every role try.
    office.psql("CREATE ROLE outsider LOGIN;")
    with pytest.raises(UserError, match="may not open"):
        open_store(office.address("outsider"), create=False)


def test_a_dump_restored_as_documented_checks_clean_and_keeps_the_rights(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = DOC.read_text("utf-8")
    assert "pg_dump --format=custom --file=" in page
    assert page.count("pg_restore --single-transaction --exit-on-error \\\n") == 2
    assert "createdb --owner=jurisdesk_owner jurisdesk_scratch" in page

    office.set_up_as_documented()
    status, said = _jurisdesk(capsys, "--db", office.address(OWNER), "upgrade")
    assert status == 0, said
    assert "is set up for Jurisdesk" in said
    assert _jurisdesk(capsys, "--db", office.address(PERSON), "demo")[0] == 0
    status, checked = _jurisdesk(capsys, "--db", office.address(PERSON), "check")
    assert status == 0, checked
    chain_head = next(line for line in checked.splitlines() if "chain head" in line)

    dump = tmp_path / "jurisdesk.dump"
    office.tool("pg_dump", "--format=custom", f"--file={dump}", office.address(OWNER))

    # The page's proof of a backup: restored into a scratch database, it checks clean.
    socket = str(office.server.socket_dir)
    office.tool("createdb", "-h", socket, "-U", ROLE, f"--owner={OWNER}", "jurisdesk_scratch")
    office.tool(
        "pg_restore",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={office.address(OWNER, 'jurisdesk_scratch')}",
        str(dump),
    )
    status, checked = _jurisdesk(
        capsys, "--db", office.address(OWNER, "jurisdesk_scratch"), "check"
    )
    assert status == 0, checked
    assert chain_head in checked

    # The restore itself.
    office.psql(f"ALTER DATABASE {DATABASE} RENAME TO jurisdesk_replaced;")
    office.psql(office.sql["database"])
    status, said = _jurisdesk(capsys, "--db", office.address(PERSON), "list")
    assert status == 2
    assert "empty" in said
    office.tool(
        "pg_restore",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={office.address(OWNER)}",
        str(dump),
    )

    _staff_carry_on(office, capsys, chain_head)
    assert _jurisdesk(capsys, "--db", office.address(PERSON), "check")[0] == 0


def test_a_file_copied_in_by_the_owner_is_the_staffs_to_work_in_and_copied_back_out(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office.set_up_as_documented()
    source = tmp_path / "office.sqlite"
    assert _jurisdesk(capsys, "--db", str(source), "demo")[0] == 0
    status, checked = _jurisdesk(capsys, "--db", str(source), "check")
    assert status == 0, checked
    chain_head = next(line for line in checked.splitlines() if "chain head" in line)

    status, said = _jurisdesk(capsys, "--db", str(source), "copy", "--to", office.address(OWNER))
    assert status == 0, said
    _staff_carry_on(office, capsys, chain_head)

    # Staff may take everything out into a file of their own (File ▸ Backup copy).
    copy = tmp_path / "from-the-office.sqlite"
    status, said = _jurisdesk(capsys, "--db", office.address(PERSON), "backup", "--out", str(copy))
    assert status == 0, said
    status, listed = _jurisdesk(capsys, "--db", str(copy), "list")
    assert status == 0, listed
    assert "Town of Test" in listed
