"""Schema changes go through migrations: models and migrations agree, every committed database of
an older release upgrades without losing data, and an upgrade is preceded by a backup."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import app.db
from app.db import head_revision, known_revisions
from app.models import Base
from app.services import audit, evidence, integrity, records, responses, staff
from app.services.store import Store, open_store
from tests.helpers import (
    DATA,
    folder_listing,
    make_jurisdiction,
    run_cli,
    sha256_file,
    table_counts,
)

FIXTURES = sorted(DATA.glob("schema-*.sqlite"))
KNOWN_NAME = "City of Albuquerque"


def test_a_fixture_exists_for_the_first_released_schema() -> None:
    assert DATA / "schema-0001.sqlite" in FIXTURES
    for fixture in FIXTURES:
        assert fixture.stat().st_size < 300_000, f"{fixture.name} is too big to commit"


def test_there_is_a_fixture_for_every_revision_but_possibly_the_unreleased_head() -> None:
    """A release that adds a migration must also add its schema-NNNN.sqlite (see README)."""
    revisions = {p.stem.removeprefix("schema-") for p in FIXTURES}
    assert revisions <= known_revisions(), "a fixture names a revision that does not exist"
    assert "0001" in revisions


def _revision_of(path: Path) -> str:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        connection.close()


def _dump(path: Path) -> list[str]:
    """Every table's rows and the schema, as SQL: equal dumps hold the same data."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _snapshot(path: Path) -> dict[str, Any]:
    """What a user's file holds, read with plain sqlite3 before Jurisdesk touches it."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {
            "jurisdictions": sorted(
                r[0] for r in connection.execute("SELECT name FROM jurisdiction")
            ),
            "answers": sorted(
                connection.execute("SELECT slot, value, narrative, as_of FROM answer").fetchall(),
                key=repr,
            ),
            "evidence": sorted(
                connection.execute("SELECT filename, sha256, content FROM evidence").fetchall()
            ),
        }
    finally:
        connection.close()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_committed_database_upgrades_to_head_with_its_data(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    shutil.copyfile(fixture, path)
    old_revision = _revision_of(path)
    counts_before = table_counts(path)
    before = _snapshot(path)
    assert KNOWN_NAME in before["jurisdictions"]
    assert before["answers"], "fixtures hold answers"
    assert before["evidence"], "fixtures hold evidence"

    store = open_store(path, actor="Upgrade Test")
    try:
        assert _revision_of(path) == head_revision()
        if old_revision != head_revision():
            assert store.database.backup_path is not None
            assert _revision_of(store.database.backup_path) == old_revision
        else:
            assert store.database.backup_path is None

        # Through the services, the way the app reads them.
        names = [r.title for r in records.list_records(store, "jurisdiction")]
        assert KNOWN_NAME in names
        summaries = responses.list_responses(store)
        assert summaries
        read_answers = []
        for summary in summaries:
            detail = responses.get_response(store, summary.id)
            assert detail.summary.questionnaire_key == "doj-psp-2017"
            read_answers += [(a.question_key, a.narrative) for a in detail.answers]
        narratives = {n for _, _, n, _ in before["answers"]}
        assert narratives == {n for _, n in read_answers}
        for row in records.list_records(store, "evidence"):
            assert evidence.verify(store, row.id)
            content = evidence.content_of(store, row.id)
            assert (row["filename"], row["sha256"], content) in before["evidence"]
    finally:
        store.close()

    counts_after = table_counts(path)
    for table, count in counts_before.items():
        if table == "alembic_version":
            continue
        assert counts_after.get(table) == count, f"rows of {table} changed in the upgrade"
    assert _snapshot(path) == before


def test_models_and_migrations_agree(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "a model changed without a migration (or the reverse)"


def _database_at_head(path: Path) -> None:
    store = open_store(path, actor="Clerk")
    make_jurisdiction(store)
    store.close()


def test_opening_a_database_already_at_head_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    _database_at_head(path)
    listing = folder_listing(tmp_path)
    store = open_store(path)
    store.close()
    assert store.database.backup_path is None
    assert not [n for n in folder_listing(tmp_path) - listing if "before-upgrade" in n]


# ----------------------------------------------------------------------------- a fake release 2

PROBE_MIGRATION = '''
"""A later release: adds a table.

Revision ID: 9002
Revises: {down}
"""
import sqlalchemy as sa
from alembic import op

revision = "9002"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    {body}
'''


@pytest.fixture
def next_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Turns the shipped head into an *older* schema by adding one migration after it."""

    def install(body: str) -> None:
        folder = tmp_path / "migrations"
        shutil.copytree(app.db.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
        down = head_revision()
        (folder / "versions" / "9002_probe.py").write_text(
            PROBE_MIGRATION.format(down=down, body=body), encoding="utf-8"
        )
        monkeypatch.setattr(app.db, "MIGRATIONS_DIR", folder)
        assert head_revision() == "9002"

    return install


def test_older_schema_is_backed_up_before_upgrading(
    tmp_path: Path, next_release: Callable[[str], None]
) -> None:
    office = tmp_path / "office"
    office.mkdir()
    path = office / "jurisdesk.sqlite"
    _database_at_head(path)
    original = sha256_file(path)
    old = head_revision()
    next_release('op.create_table("probe", sa.Column("id", sa.Integer, primary_key=True))')

    before = _dump(path)

    store = open_store(path)
    store.close()

    backup = store.database.backup_path
    assert backup is not None
    assert backup.parent == office / "backups"
    assert re.fullmatch(rf"jurisdesk\.before-upgrade-{old}-\d{{8}}-\d{{6}}\.sqlite", backup.name)
    assert _dump(backup) == before, "the backup holds the database as it was before"
    assert sha256_file(path) != original
    assert _revision_of(backup) == old
    assert _revision_of(path) == "9002"
    assert "probe" in table_counts(path)
    assert "probe" not in table_counts(backup)


def test_failed_upgrade_leaves_the_backup(
    tmp_path: Path, next_release: Callable[[str], None]
) -> None:
    path = tmp_path / "jurisdesk.sqlite"
    _database_at_head(path)
    before = _dump(path)
    old = head_revision()
    next_release('raise RuntimeError("migration bug")')

    with pytest.raises(RuntimeError, match="migration bug"):
        open_store(path)

    backups = [p for p in (tmp_path / "backups").iterdir() if ".before-upgrade-" in p.name]
    assert len(backups) == 1
    assert _dump(backups[0]) == before
    assert _dump(path) == before
    assert _revision_of(path) == old, "the failed migration was rolled back"


def test_upgrade_keeps_no_approved_record_for_earlier_responses(tmp_path: Path) -> None:
    """0003 adds response.approved_snapshot, empty: responses approved before it print their
    letter from the current records, as they did."""
    path = tmp_path / "user.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", path)
    open_store(path, actor="Upgrade Test").close()
    connection = sqlite3.connect(path)
    try:
        columns = {row[1]: row for row in connection.execute("PRAGMA table_info(response)")}
        kept = connection.execute(
            "SELECT count(*) FROM response WHERE approved_snapshot IS NOT NULL"
        ).fetchone()[0]
    finally:
        connection.close()
    assert columns["approved_snapshot"][2] == "TEXT"
    assert columns["approved_snapshot"][3] == 0  # nullable
    assert kept == 0


def test_upgrade_through_0004_adds_an_empty_staff_list_and_the_default_rule(
    tmp_path: Path,
) -> None:
    """0004 adds the staff list and office settings, empty: the approver must differ from the
    preparer (the default) until the office says otherwise, and staff can be added at once."""
    path = tmp_path / "user.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", path)
    assert "staff_member" not in table_counts(path)
    store = open_store(path, actor="Upgrade Test")
    try:
        assert _revision_of(path) == head_revision()
        assert staff.list_staff(store) == []
        assert staff.get_approver_must_differ(store) is True
        added = staff.create(store, staff.StaffInput("Dana Whitfield", "City Attorney"))
        assert staff.set_approver_must_differ(store, False) is False
    finally:
        store.close()
    counts = table_counts(path)
    assert (counts["staff_member"], counts["office_setting"]) == (1, 1)
    connection = sqlite3.connect(path)
    try:
        columns = {row[1]: row for row in connection.execute("PRAGMA table_info(staff_member)")}
        stored = connection.execute(
            "SELECT name, title, prepares, reviews, approves, active, uuid FROM staff_member"
        ).fetchall()
    finally:
        connection.close()
    assert {"name", "title", "prepares", "reviews", "approves", "active"} <= set(columns)
    assert all(columns[name][3] == 1 for name in ("name", "title", "active"))  # NOT NULL
    assert stored == [("Dana Whitfield", "City Attorney", 0, 0, 0, 1, added.uuid)]


def _chain(path: Path) -> list[dict[str, Any]]:
    connection = sqlite3.connect(path)
    try:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute("SELECT * FROM audit_entry ORDER BY sequence")]
    finally:
        connection.close()


def _holds(rows: list[dict[str, Any]]) -> bool:
    """Every link as app.services.audit defines it: numbered from 1, linked, self-hashed."""
    previous = audit.GENESIS_HASH
    for number, row in enumerate(rows, start=1):
        at = datetime.fromisoformat(row["at"]).replace(tzinfo=UTC)
        if row["sequence"] != number or row["previous_hash"] != previous:
            return False
        if audit.hash_of(row | {"at": at}) != row["entry_hash"]:
            return False
        previous = row["entry_hash"]
    return True


def test_upgrade_through_0005_chains_the_existing_trail(tmp_path: Path) -> None:
    """0005 computes the chain over the entries written before it, in the order they were
    written; the code then extends it, and `check` finds it whole."""
    path = tmp_path / "user.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", path)
    connection = sqlite3.connect(path)
    try:
        written = [r[0] for r in connection.execute("SELECT id FROM audit_entry ORDER BY id")]
    finally:
        connection.close()

    store = open_store(path, actor="Upgrade Test")
    try:
        rows = _chain(path)
        assert [r["id"] for r in rows] == written
        assert _holds(rows)
        assert not any(r["imported_at"] or r["imported_from"] for r in rows)
        assert {r["actor"] for r in rows} == {"Fixture Builder"}, "nothing needed recording"
        make_jurisdiction(store, name="Town of Chained")
        report = integrity.check(store)
        assert report.problems == []
        assert report.head is not None
        assert report.head.sequence == len(written) + 1
    finally:
        store.close()
    assert _holds(_chain(path))
    result = run_cli(path, "check")
    assert result.returncode == 0, result.stdout


def test_upgrade_to_0005_records_what_the_trail_never_did(tmp_path: Path) -> None:
    """Before 0005, importing kept no status entry for a response that arrived approved nor a
    SHA-256 entry for an evidence file; 0005 records them as found, once, and gives a letter
    filed before it the chain head of its filing entry."""
    path = tmp_path / "user.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", path)
    engine = app.db.make_engine(path)
    try:
        command.upgrade(app.db.alembic_config(engine), "0004")
    finally:
        engine.dispose()
    letter = b"%PDF-1.4 the letter as filed"
    digest = hashlib.sha256(letter).hexdigest()
    connection = sqlite3.connect(path)
    try:
        response_uuid = connection.execute("SELECT uuid FROM response").fetchone()[0]
        connection.execute("UPDATE response SET status = 'submitted'")
        connection.execute("DELETE FROM audit_entry WHERE field = 'sha256'")
        connection.execute(
            "INSERT INTO filed_document (response_id, kind, sha256, filed_at, filed_by, "
            "filename, size, content, uuid, version, created_at, updated_at) VALUES "
            "(1, 'letter', ?, '2026-12-02 10:00:00.000000', 'Clerk', 'letter.pdf', ?, ?, "
            "'f0000000-0000-4000-8000-000000000001', 1, '2026-12-02 10:00:00.000000', "
            "'2026-12-02 10:00:00.000000')",
            (digest, len(letter), letter),
        )
        connection.execute(
            "INSERT INTO audit_entry (at, actor, action, entity_kind, entity_uuid, "
            "response_uuid, field, new_value) VALUES ('2026-12-02 10:00:00.000000', 'Clerk', "
            "'file', 'response', ?, ?, 'filed_letter', ?)",
            (response_uuid, response_uuid, digest),
        )
        connection.commit()
    finally:
        connection.close()

    store = open_store(path, actor="Upgrade Test")
    try:
        report = integrity.check(store)
        assert report.problems == []
    finally:
        store.close()
    rows = _chain(path)
    assert _holds(rows)
    found = [(r["action"], r["entity_kind"], r["field"], r["new_value"]) for r in rows
             if r["actor"] == "Jurisdesk upgrade"]  # fmt: skip
    evidence_sha256 = _snapshot(path)["evidence"][0][1]
    assert found == [
        ("upgrade", "response", "status", "submitted"),
        ("upgrade", "evidence", "sha256", evidence_sha256),
    ]
    (filing,) = [r for r in rows if r["field"] == "filed_letter"]
    connection = sqlite3.connect(path)
    try:
        kept = connection.execute(
            "SELECT chain_head_sequence, chain_head_hash FROM filed_document"
        ).fetchone()
    finally:
        connection.close()
    assert kept == (filing["sequence"], filing["entry_hash"])
