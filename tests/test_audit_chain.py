"""The record proves itself: the audit trail is a hash chain, and approvals, approved records,
filed letters, evidence and statuses are held against it. Each tampering below is made with plain
SQL (sqlite3, or psycopg on the office server), as anyone with the file or a database role could,
and `jurisdesk check` (a real process) exits 1 naming the first broken link; imported history
stays visibly imported."""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest

from app.reports import exports
from app.services import audit, evidence, exchange, integrity
from app.services.store import Store, open_store
from tests.helpers import (
    approved_response,
    finish_all,
    make_jurisdiction,
    run_cli,
    start_all,
    start_psp,
)
from tests.stores import (
    Location,
    built_result,
    create_empty,
    forge_audit_trail,
    fresh_store,
    raw_execute,
    raw_one,
    raw_rows,
)

pytestmark = pytest.mark.both_stores

ACTOR = "Test Clerk"
EVIDENCE_BYTES = b"%PDF-1.4 Resolution 2017-42 of the City Council\n"


@dataclass(frozen=True)
class World:
    response_id: int
    response_uuid: str
    draft_id: int
    draft_uuid: str
    evidence_id: int
    evidence_uuid: str
    filing_id: int
    filing_uuid: str


def _build(store: Store) -> World:
    """An approved response with a filed letter, an evidence file, and a draft response."""
    j, _county, _city, response_id = approved_response(store)
    doc = evidence.attach_bytes(store, j.id, "resolution-2017-42.pdf", EVIDENCE_BYTES)
    with tempfile.TemporaryDirectory() as folder:
        filed = exports.export_letter(store, response_id, Path(folder) / "letter.pdf")
    assert filed.filing is not None
    draft = start_psp(store, j.id).summary
    approved = next(r for r in exports.list_filings(store, response_id))
    return World(
        response_id=response_id,
        response_uuid=_one(store, "SELECT uuid FROM response WHERE id = ?", (response_id,)),
        draft_id=draft.id,
        draft_uuid=draft.uuid,
        evidence_id=doc.id,
        evidence_uuid=doc.uuid,
        filing_id=approved.id,
        filing_uuid=_one(store, "SELECT uuid FROM filed_document WHERE id = ?", (approved.id,)),
    )


@pytest.fixture
def store(db_location: Location) -> Iterator[Store]:
    yield from fresh_store(db_location, ACTOR, built=("audit-chain", _build))


@pytest.fixture
def world(store: Store, db_location: Location) -> World:
    result = built_result(db_location, "audit-chain")
    assert isinstance(result, World)
    return result


# ----------------------------------------------------------------------------- helpers


# Behind Jurisdesk's back, with ? parameters on either store, by someone with every right.
_sql = forge_audit_trail
_one = raw_one


def _sequence(location: Location, where: str, params: Sequence[Any] = ()) -> int:
    """The sequence number of the one local entry matching `where`."""
    rows = raw_rows(
        location, f"SELECT sequence FROM audit_entry WHERE imported_at IS NULL AND {where}", params
    )
    assert len(rows) == 1, (where, rows)
    return int(rows[0]["sequence"])


def _check(location: Location, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(location, "check", "--json", *args)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def _assert_first_broken_link(location: Location, sequence: int, *words: str) -> dict[str, Any]:
    """`check` exits 1, and names entry #sequence first: in JSON and in the plain report."""
    code, report = _check(location)
    assert code == 1, report
    assert not report["ok"]
    first = report["first_broken_link"]
    assert first is not None, report["problems"]
    assert first["sequence"] == sequence, first
    for word in words:
        assert word in first["problem"], (word, first["problem"])
    plain = run_cli(location, "check")
    assert plain.returncode == 1
    lines = plain.stdout.splitlines()
    broken = next(line for line in lines if line.startswith("FIRST BROKEN LINK: "))
    assert f"#{sequence} (" in broken
    assert lines[-1].startswith("PROBLEMS FOUND: ")
    return dict(first)


def _chained_rows(location: Location) -> list[dict[str, Any]]:
    return raw_rows(location, "SELECT * FROM audit_entry ORDER BY sequence")


def _rehash(fields: dict[str, Any]) -> str:
    """What a forger who read app.services.audit computes for an entry."""
    return audit.hash_of(fields | {"at": _stored(fields["at"])})


def _stored(value: Any) -> Any:
    """A time as read back: SQLite's text, or PostgreSQL's timestamp (both UTC, no zone)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value


def _shift_after(sequence: int) -> list[str | tuple[str, Sequence[Any]]]:
    """Statements that make room after entry #sequence (the unique number refuses a plain +1)."""
    return [
        ("UPDATE audit_entry SET sequence = -sequence WHERE sequence > ?", (sequence,)),
        "UPDATE audit_entry SET sequence = 1 - sequence WHERE sequence < 0",
    ]


def _forged(location: Location, after: int, response_uuid: str) -> dict[str, Any]:
    """An approval by "Mayor" that never happened, placed right after entry #after."""
    previous = _one(location, "SELECT entry_hash FROM audit_entry WHERE sequence = ?", (after,))
    return {
        "at": "2017-08-17 16:00:00.000000",
        "actor": "Mayor",
        "action": "approve",
        "entity_kind": "response",
        "entity_uuid": response_uuid,
        "entity_label": None,
        "jurisdiction_uuid": None,
        "response_uuid": response_uuid,
        "field": "approved_by",
        "old_value": None,
        "new_value": "Mayor",
        "sequence": after + 1,
        "previous_hash": previous,
        "imported_from": None,
        "imported_at": None,
    }


def _insert(fields: dict[str, Any], entry_hash: str) -> tuple[str, Sequence[Any]]:
    row = fields | {"entry_hash": entry_hash}
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return f"INSERT INTO audit_entry ({names}) VALUES ({marks})", list(row.values())


# ----------------------------------------------------------------------------- untouched


def test_an_untouched_database_passes_and_names_its_chain_head(
    store: Store, db_location: Location
) -> None:
    rows = _chained_rows(db_location)
    assert [r["sequence"] for r in rows] == list(range(1, len(rows) + 1))
    head = rows[-1]

    code, report = _check(db_location)

    assert code == 0, report["problems"]
    assert report["ok"]
    assert report["problems"] == []
    assert report["first_broken_link"] is None
    assert report["chain_head"] == {"sequence": head["sequence"], "hash": head["entry_hash"]}
    assert report["checked"]["audit trail entries"] == len(rows)
    assert report["checked"]["filed letters"] == 1
    plain = run_cli(db_location, "check")
    assert plain.returncode == 0, plain.stdout
    assert f"#{head['sequence']} {head['entry_hash'][:16]}" in plain.stdout
    assert head["entry_hash"] in plain.stdout
    assert plain.stdout.splitlines()[-1].startswith("OK: ")
    # The head as printed on paper is still held.
    printed = run_cli(
        db_location, "check", "--head", f"{head['sequence']}:{head['entry_hash'][:16]}"
    )
    assert printed.returncode == 0, printed.stdout


def test_every_entry_links_to_the_one_before_and_hashes_its_own_content(
    store: Store, db_location: Location
) -> None:
    previous = audit.GENESIS_HASH
    for row in _chained_rows(db_location):
        assert row["previous_hash"] == previous
        assert _rehash(row) == row["entry_hash"]
        previous = row["entry_hash"]


def test_approvals_filings_and_evidence_are_links_with_their_digests(
    store: Store, world: World, db_location: Location
) -> None:
    snapshot = _one(db_location, "SELECT approved_snapshot FROM response WHERE id = ?",
                    (world.response_id,))  # fmt: skip
    approved = _one(
        db_location,
        "SELECT new_value FROM audit_entry WHERE field = 'approved_snapshot' AND entity_uuid = ?",
        (world.response_uuid,),
    )
    assert approved == hashlib.sha256(snapshot.encode()).hexdigest()
    content, sha256 = (
        _one(db_location, f"SELECT {column} FROM filed_document WHERE id = ?", (world.filing_id,))
        for column in ("content", "sha256")
    )
    assert hashlib.sha256(content).hexdigest() == sha256
    filing = _sequence(
        db_location, "field = 'filed_letter' AND entity_uuid = ?", (world.filing_uuid,)
    )
    assert _one(db_location, "SELECT new_value FROM audit_entry WHERE sequence = ?", (filing,)) == (
        sha256
    )
    # The letter keeps the chain head it was filed at: its own filing entry.
    (kept,) = exports.list_filings(store, world.response_id)
    assert kept.chain_head is not None
    assert kept.chain_head.sequence == filing
    assert kept.chain_head.entry_hash == _one(
        db_location, "SELECT entry_hash FROM audit_entry WHERE sequence = ?", (filing,)
    )
    attached = _one(
        db_location,
        "SELECT new_value FROM audit_entry WHERE field = 'sha256' AND entity_uuid = ?",
        (world.evidence_uuid,),
    )
    assert attached == hashlib.sha256(EVIDENCE_BYTES).hexdigest()


# ----------------------------------------------------------------------------- the trail itself


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE audit_entry SET new_value = 'Somebody Else' WHERE sequence = 2",
        "DELETE FROM audit_entry WHERE sequence = 2",
        "DELETE FROM audit_entry",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(
    store: Store, world: World, db_location: Location, change: str
) -> None:
    before = raw_rows(db_location, "SELECT * FROM audit_entry ORDER BY sequence")
    with pytest.raises(Exception, match="audit trail is kept as written") as refused:
        raw_execute(db_location, change)
    assert type(refused.value).__module__.split(".")[0] in ("sqlite3", "psycopg")
    assert raw_rows(db_location, "SELECT * FROM audit_entry ORDER BY sequence") == before
    code, report = _check(db_location)
    assert code == 0, report["problems"]


def test_an_edited_entry_is_caught(store: Store, world: World, db_location: Location) -> None:
    target = _sequence(db_location, "action = 'approve' AND field = 'approved_by'")
    _sql(db_location, ("UPDATE audit_entry SET new_value = 'Somebody Else' WHERE sequence = ?",
                   (target,)))  # fmt: skip
    first = _assert_first_broken_link(db_location, target, "no longer matches the hash")
    assert first["actor"] == ACTOR
    assert "Somebody Else" in first["what"]


def test_a_deleted_entry_is_caught(store: Store, world: World, db_location: Location) -> None:
    target = _sequence(
        db_location,
        "action = 'answer' AND field = 'value' AND entity_label LIKE '1 —%' "
        "ORDER BY sequence LIMIT 1",
    )
    _sql(db_location, ("DELETE FROM audit_entry WHERE sequence = ?", (target,)))
    _assert_first_broken_link(db_location, target + 1, f"entry #{target} is missing", "deleted")


def test_a_back_dated_entry_is_caught(store: Store, world: World, db_location: Location) -> None:
    target = _sequence(db_location, "action = 'status' AND new_value = 'approved'")
    _sql(db_location, (
        "UPDATE audit_entry SET at = '2017-08-17 09:00:00.000000' WHERE sequence = ?", (target,)
    ))  # fmt: skip
    first = _assert_first_broken_link(db_location, target, "back-dated")
    assert first["at"].startswith("2017-08-17T09:00:00")


def test_a_forged_entry_is_caught(store: Store, world: World, db_location: Location) -> None:
    after = _sequence(db_location, "action = 'status' AND new_value = 'in_review'")
    forged = _forged(db_location, after, world.response_uuid)
    made_up = hashlib.sha256(b"looks like a hash").hexdigest()
    _sql(db_location, *_shift_after(after), _insert(forged, made_up))
    first = _assert_first_broken_link(db_location, after + 1, "written outside Jurisdesk")
    assert first["actor"] == "Mayor"


def test_a_forged_entry_with_a_correct_hash_breaks_the_next_link(
    store: Store, world: World, db_location: Location
) -> None:
    """A forger who knows the canonical form hashes the forged entry right; the entry after it
    still names its true predecessor."""
    after = _sequence(db_location, "action = 'status' AND new_value = 'in_review'")
    forged = _forged(db_location, after, world.response_uuid)
    _sql(db_location, *_shift_after(after), _insert(forged, _rehash(forged)))
    _assert_first_broken_link(db_location, after + 2, "no longer follows the entry before it")


def test_a_rewritten_chain_shows_against_the_filed_letter_and_the_paper(
    store: Store, world: World, db_location: Location
) -> None:
    """Forged and every later hash recomputed: the chain holds, but not against the head the
    filed letter kept, nor against the head printed on an earlier report."""
    head = audit.chain_head(store)
    assert head is not None
    after = _sequence(db_location, "action = 'status' AND new_value = 'in_review'")
    forged = _forged(db_location, after, world.response_uuid)
    _sql(db_location, *_shift_after(after), _insert(forged, _rehash(forged)))
    statements: list[str | tuple[str, Sequence[Any]]] = []
    previous = forged_hash = _rehash(forged)
    for row in _chained_rows(db_location):
        if row["sequence"] <= after + 1:
            continue
        row["previous_hash"] = previous
        previous = _rehash(row)
        statements.append(
            ("UPDATE audit_entry SET previous_hash = ?, entry_hash = ? WHERE sequence = ?",
             (row["previous_hash"], previous, row["sequence"]))
        )  # fmt: skip
    _sql(db_location, *statements)
    assert forged_hash

    filing = _sequence(
        db_location, "field = 'filed_letter' AND entity_uuid = ?", (world.filing_uuid,)
    )
    _assert_first_broken_link(db_location, filing, "rewritten after the letter was filed")
    code, report = _check(db_location, "--head", f"{head.sequence}:{head.short}")
    assert code == 1
    assert any(f"#{head.sequence} {head.short}, does not match" in p for p in report["problems"])


# ----------------------------------------------------------------------------- records vs trail


def test_an_answer_changed_in_an_approved_response_is_caught(
    store: Store, world: World, db_location: Location
) -> None:
    _sql(db_location, (
        "UPDATE answer SET narrative = 'We hold everyone 48 hours.' WHERE response_id = ? "
        "AND question_key = 'hold' AND facility_id IS NOT NULL "
        "AND value = '\"no\"'", (world.response_id,)))  # fmt: skip
    approval = _sequence(
        db_location, "field = 'approved_snapshot' AND entity_uuid = ?", (world.response_uuid,)
    )
    first = _assert_first_broken_link(
        db_location,
        approval,
        "the answer to question 3 for 'Prisoner Transport Center' was changed",
    )
    assert first["actor"] == ACTOR


def test_an_edited_approved_record_is_caught(
    store: Store, world: World, db_location: Location
) -> None:
    _sql(db_location, ("UPDATE response SET approved_snapshot = "
                   "replace(approved_snapshot, 'Timothy M. Keller', 'Somebody Else') "
                   "WHERE id = ?", (world.response_id,)))  # fmt: skip
    approval = _sequence(
        db_location, "field = 'approved_snapshot' AND entity_uuid = ?", (world.response_uuid,)
    )
    _assert_first_broken_link(db_location, approval, "changed after approval")


@pytest.mark.parametrize("with_its_sha256", [False, True], ids=["bytes", "bytes-and-sha256"])
def test_a_filed_letters_replaced_bytes_are_caught(
    store: Store, world: World, db_location: Location, with_its_sha256: bool
) -> None:
    other = b"%PDF-1.4 a different letter"
    changes = "content = ?, size = ?" + (", sha256 = ?" if with_its_sha256 else "")
    params: list[Any] = [other, len(other)]
    if with_its_sha256:
        params.append(hashlib.sha256(other).hexdigest())
    _sql(db_location, (f"UPDATE filed_document SET {changes} WHERE id = ?",
                   (*params, world.filing_id)))  # fmt: skip
    filing = _sequence(
        db_location, "field = 'filed_letter' AND entity_uuid = ?", (world.filing_uuid,)
    )
    words = "recorded when it was filed" if with_its_sha256 else "not the letter that was filed"
    _assert_first_broken_link(db_location, filing, words)


def test_evidence_replaced_with_its_sha256_is_caught(
    store: Store, world: World, db_location: Location
) -> None:
    other = b"%PDF-1.4 Resolution 2017-42, as someone would rather it read\n"
    sha256 = hashlib.sha256(other).hexdigest()
    _sql(db_location, ("UPDATE evidence SET content = ?, sha256 = ?, size = ? WHERE id = ?",
                   (other, sha256, len(other), world.evidence_id)))  # fmt: skip
    attached = _sequence(
        db_location, "field = 'sha256' AND entity_uuid = ?", (world.evidence_uuid,)
    )
    first = _assert_first_broken_link(
        db_location, attached, "Evidence 'resolution-2017-42.pdf'", "recorded when it was attached"
    )
    assert first["actor"] == ACTOR


def test_a_response_approved_by_sql_alone_is_caught(
    store: Store, world: World, db_location: Location
) -> None:
    _sql(db_location, (
        "UPDATE response SET status = 'approved', approved_by = 'Mayor' WHERE id = ?",
        (world.draft_id,),
    ))  # fmt: skip
    started = _sequence(db_location, "action = 'create' AND entity_uuid = ?", (world.draft_uuid,))
    _assert_first_broken_link(
        db_location, started, "it is approved, but the entry that started it", "leaves it draft"
    )


def test_a_status_changed_back_by_sql_is_caught_at_the_latest_status_entry(
    store: Store, world: World, db_location: Location
) -> None:
    """An approved response quietly made a draft again (to edit it unseen) contradicts its
    latest status entry, which says approved."""
    _sql(db_location, ("UPDATE response SET status = 'draft' WHERE id = ?", (world.response_id,)))
    approved = _sequence(db_location, "action = 'status' AND new_value = 'approved'")
    _assert_first_broken_link(db_location, approved, "it is draft, but its latest status entry")


@pytest.mark.sqlite_only("PostgreSQL's typed columns refuse a time that names no time")
def test_values_written_in_the_wrong_form_are_damage_not_a_crash(
    store: Store, world: World, db_location: Location
) -> None:
    """Another tool may write a time that names no time, or a file's bytes as text: the check
    reports them (exit 1) instead of failing itself (exit 70)."""
    target = _sequence(db_location, "action = 'status' AND new_value = 'approved'")
    _sql(
        db_location,
        ("UPDATE audit_entry SET at = 'last Tuesday' WHERE sequence = ?", (target,)),
        ("UPDATE evidence SET content = 'plain text' WHERE id = ?", (world.evidence_id,)),
    )
    _assert_first_broken_link(db_location, target, "unreadable time “last Tuesday”")
    _code, report = _check(db_location)
    evidence_name = "Evidence 'resolution-2017-42.pdf'"
    assert any(p.startswith(evidence_name) and "do not match" in p for p in report["problems"])


def test_a_bad_chain_head_argument_is_bad_input(store: Store, db_location: Location) -> None:
    result = run_cli(db_location, "check", "--head", "twelve")
    assert result.returncode == 2
    assert "not a chain head" in result.stderr


# ----------------------------------------------------------------------------- writers


def test_concurrent_writers_extend_one_chain_without_gaps(
    store: Store, db_location: Location
) -> None:
    """Several processes writing at once: each append takes the write lock first, so the
    numbers stay consecutive and every link holds."""
    script = (
        "import sys\n"
        "from app.services import records\n"
        "from app.services.store import open_store\n"
        "store = open_store(sys.argv[1], actor=sys.argv[2])\n"
        "for n in range(8):\n"
        "    records.create(store, 'jurisdiction', {'name': f'{sys.argv[2]} {n}',"
        " 'kind': 'city', 'state': 'NM'})\n"
        "store.close()\n"
    )
    before = len(_chained_rows(db_location))
    results = finish_all(
        start_all(
            [[sys.executable, "-c", script, str(db_location), f"Writer {n}"] for n in range(3)]
        )
    )
    assert all(code == 0 for code, _out, _err in results), results
    rows = _chained_rows(db_location)
    assert [r["sequence"] for r in rows] == list(range(1, before + 25))
    report = integrity.check(store)
    assert report.ok, report.problems


# ----------------------------------------------------------------------------- imported history


def _exchange_file_with_history(tmp_path: Path) -> tuple[Path, str]:
    """An exchange file whose history says the Mayor approved the response in 2017 (and set it
    approved), though the response in the file is a draft."""
    source = open_store(tmp_path / "source.sqlite", actor="Other Office")
    try:
        j = make_jurisdiction(source)
        response = start_psp(source, j.id).summary
        target = tmp_path / "albuquerque-2017.json"
        exchange.export_jurisdiction(source, j.id, target)
    finally:
        source.close()
    document = json.loads(target.read_text(encoding="utf-8"))
    said = {
        "entity_kind": "response",
        "entity_uuid": response.uuid,
        "entity_label": None,
        "response_uuid": response.uuid,
        "old_value": None,
    }
    document["audit"] += [
        said | {"at": "2017-08-17T16:00:00+00:00", "actor": "Mayor", "action": "approve",
                "field": "approved_by", "new_value": "Mayor"},
        said | {"at": "2017-08-17T16:00:01+00:00", "actor": "Mayor", "action": "status",
                "field": "status", "old_value": "in_review", "new_value": "approved"},
    ]  # fmt: skip
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return target, response.uuid


def test_imported_history_is_stored_and_shown_as_imported(
    tmp_path: Path, db_location: Location
) -> None:
    exchange_file, response_uuid = _exchange_file_with_history(tmp_path)
    db = create_empty(db_location)
    before = datetime.now(UTC) - timedelta(seconds=1)
    result = run_cli(db, "--as", "Receiving Clerk", "import-json", str(exchange_file))
    assert result.returncode == 0, result.stdout + result.stderr

    rows = [r for r in _chained_rows(db) if r["actor"] == "Mayor"]
    assert [(r["action"], r["field"]) for r in rows] == [
        ("approve", "approved_by"),
        ("status", "status"),
    ]
    for row in rows:
        assert row["imported_from"] == "albuquerque-2017.json"
        assert before <= _stored(row["imported_at"]) <= datetime.now(UTC)
    # The file's time, kept as its word.
    assert _stored(rows[0]["at"]) == datetime(2017, 8, 17, 16, 0, tzinfo=UTC)
    # The import itself is a local entry, by the person who imported.
    (own,) = [r for r in _chained_rows(db) if r["field"] == "history"]
    assert (own["actor"], own["action"], own["imported_at"]) == ("Receiving Clerk", "import", None)
    assert "albuquerque-2017.json" in own["new_value"]

    store = open_store(db, create=False)
    try:
        shown = [e for e in audit.history(store, response_uuid=response_uuid) if e.actor == "Mayor"]
        assert shown
        assert all(e.imported for e in shown)
        assert all(e.imported_from == "albuquerque-2017.json" for e in shown)
    finally:
        store.close()

    # The imported "approved" status is the other database's word: the response here is a
    # draft, its own status entry says so, and the check passes.
    code, report = _check(db)
    assert code == 0, report["problems"]


def test_imported_history_passed_off_as_local_is_caught(
    tmp_path: Path, db_location: Location
) -> None:
    exchange_file, _uuid = _exchange_file_with_history(tmp_path)
    db = create_empty(db_location)
    assert run_cli(db, "import-json", str(exchange_file)).returncode == 0
    sequence = _one(
        db, "SELECT sequence FROM audit_entry WHERE actor = 'Mayor' AND action = 'approve'"
    )
    _sql(
        db, "UPDATE audit_entry SET imported_from = NULL, imported_at = NULL WHERE actor = 'Mayor'"
    )
    _assert_first_broken_link(db, sequence, "no longer matches the hash")


# ----------------------------------------------------------------------------- on paper


def test_the_full_report_prints_the_chain_head(
    store: Store, db_location: Location, tmp_path: Path
) -> None:
    head = audit.chain_head(store)
    assert head is not None
    jurisdiction = _one(db_location, "SELECT id FROM jurisdiction")
    result = exports.export_report(store, jurisdiction, tmp_path / "report.pdf")
    text = "".join(
        "".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(result.path).pages
    )
    assert f"Audittrailhead#{head.sequence}{head.short}" in text
    assert head.entry_hash in text
    assert f"check--head{head.sequence}:{head.short}" in text
