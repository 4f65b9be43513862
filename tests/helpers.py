"""Builders and process helpers shared by the storage, records, responses and CLI tests."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.services import letters, records, responses, staff
from app.services.records import Record
from app.services.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
PSP = "doj-psp-2017"
FACILITY_QUESTIONS = ("access", "notice", "hold")

# Text users paste from e-mails, spreadsheets and scanned letters: every piece must survive.
HOSTILE_TEXTS: dict[str, str] = {
    "markup": "<script>alert('x')</script>&amp;<b>bold</b>",
    "formula_eq": '=HYPERLINK("http://example.invalid","click")',
    "formula_plus": "+1",
    "formula_minus": "-1",
    "formula_at": "@SUM(A1)",
    "arabic": "مدينة ألبوكيرك — سجن المقاطعة",
    "hebrew": "שלום עולם, בית הכלא של המחוז",
    "emoji_zwj": "👩‍👩‍👧‍👦 👨🏽‍⚖️ 🏳️‍🌈",
    "combining": "e\u0301 a\u0308 n\u0303 Z\u0336\u0337",
    "nul": "before\x00after\x00",
    "long": ("Ωx" * 50_000),  # 100,000 characters: exactly the limit
}


def jurisdiction_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "City of Albuquerque",
        "kind": "city",
        "state": "NM",
        "police_agency": "Albuquerque Police Department",
    }
    values.update(overrides)
    return values


def make_jurisdiction(store: Store, **overrides: Any) -> Record:
    return records.create(store, "jurisdiction", jurisdiction_values(**overrides))


def make_facility(
    store: Store, jurisdiction_id: int, *, controlled: bool = False, **overrides: Any
) -> Record:
    values: dict[str, Any] = (
        {
            "name": "Prisoner Transport Center",
            "facility_type": "transport",
            "operator_type": "city",
            "operator_name": "City of Albuquerque",
            "sets_policy": True,
        }
        if controlled
        else {
            "name": "Metropolitan Detention Center",
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "Bernalillo County",
            "sets_policy": False,
        }
    )
    values.update(overrides)
    return records.create(store, "facility", values, parent_id=jurisdiction_id)


def make_instrument(store: Store, jurisdiction_id: int, **overrides: Any) -> Record:
    values: dict[str, Any] = {
        "instrument_type": "mou",
        "title": "Arrangement with ICE at the Prisoner Transport Center",
        "level": "local",
        "adopted_on": "2009-03-01",
    }
    values.update(overrides)
    return records.create(store, "instrument", values, parent_id=jurisdiction_id)


def valid_values(kind: str) -> dict[str, Any]:
    """Valid values for every record kind except jurisdiction (which has its own builder)."""
    return {
        "jurisdiction": jurisdiction_values(),
        "facility": {
            "name": "Metropolitan Detention Center",
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "Bernalillo County",
        },
        "instrument": {
            "instrument_type": "general_order",
            "title": "General Order 1-04",
            "level": "local",
            "adopted_on": "2010-01-01",
            "url": "https://www.cabq.gov/police",
        },
        "evidence": {"filename": "letter.pdf", "obtained_on": "2017-08-04"},
        "request": {
            "program": "Public Safety Partnership",
            "issuing_office": "U.S. Department of Justice",
            "fiscal_year": 2017,
            "letter_date": "2017-08-03",
            "due_on": "2017-08-18",
        },
        "award": {"program": "Byrne JAG", "fiscal_year": 2017, "status": "applied"},
        "condition": {"title": "48-hour release notice", "status": "in_force"},
        "statistic": {
            "period_start": "2017-01-01",
            "period_end": "2017-06-30",
            "received": 3,
            "source": "Public-records response",
        },
        "contact": {"name": "Jessica Hernandez", "role": "signatory", "email": "ja@cabq.gov"},
    }[kind]


def start_psp(store: Store, jurisdiction_id: int) -> responses.ResponseDetail:
    return responses.start_response(store, jurisdiction_id, PSP)


def answer_all_required(store: Store, response_id: int, facility_ids: Iterable[int]) -> None:
    for facility_id in facility_ids:
        for key in FACILITY_QUESTIONS:
            responses.save_answer(
                store, response_id, key, facility_id, responses.AnswerInput(value="no")
            )


def complete_response(store: Store) -> tuple[Record, Record, Record, int]:
    """A jurisdiction with a county jail and a city-run center, a PSP response fully answered.

    Returns (jurisdiction, county jail, city facility, response id)."""
    j = make_jurisdiction(store)
    county = make_facility(store, j.id)
    city = make_facility(store, j.id, controlled=True)
    response_id = start_psp(store, j.id).summary.id
    answer_all_required(store, response_id, [city.id])
    return j, county, city, response_id


def staff_member(store: Store, name: str, title: str, **roles: bool) -> int:
    """The id of the active staff member called `name`, added with `roles` if missing."""
    for entry in staff.list_staff(store, active_only=True):
        if entry.name == name.strip():
            return entry.id
    roles = {"prepares": False, "reviews": True, "approves": True} | roles
    return staff.create(store, staff.StaffInput(name.strip(), title.strip(), **roles)).id


def approve_as_read(
    store: Store,
    response_id: int,
    approver: str,
    title: str,
    *,
    reviewed_by: str | None = None,
    **options: Any,
) -> responses.ResponseSummary:
    """Approves as the approver would: a staff member, after reading the response, its
    warnings acknowledged."""
    detail = responses.get_response(store, response_id)
    reviewer = None if reviewed_by is None else staff_member(store, reviewed_by, "Reviewer")
    return letters.approve(
        store,
        response_id,
        staff_member(store, approver, title),
        seen_state=detail.review_state,
        acknowledged=[w.key for w in detail.warnings],
        reviewer_id=reviewer,
        **options,
    )


def approved_response(store: Store) -> tuple[Record, Record, Record, int]:
    built = complete_response(store)
    responses.submit_for_review(store, built[3])
    approve_as_read(store, built[3], "Timothy M. Keller", "Mayor")
    return built


# ----------------------------------------------------------------------------- stores

_TEMPLATE: list[Path] = []


def _template() -> Path:
    """An empty database at head, made once per test process by open_store itself."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="jurisdesk-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        store = open_store(folder / "template.sqlite", actor="Template")
        store.close()
        _TEMPLATE.append(folder / "template.sqlite")
    return _TEMPLATE[0]


_BUILT: dict[str, tuple[Path, Any]] = {}


def fresh_store(
    path: Path,
    actor: str = "Test Clerk",
    *,
    built: tuple[str, Callable[[Store], Any]] | None = None,
) -> Generator[Store, None, None]:
    """A store on a new database: a copy of an empty one at head (opening skips migrating),
    or with `built=(name, builder)` a copy of what builder(store) wrote, built once per process.

    A second, idle connection stays open meanwhile, as when another Jurisdesk window is open;
    it keeps SQLite from checkpointing the WAL at the end of every use case, which makes the
    tests several times faster and changes nothing they check.
    """
    source = _template()
    if built is not None:
        name, builder = built
        if name not in _BUILT:
            target = source.with_name(f"{name}.sqlite")
            shutil.copyfile(source, target)
            builder_store = open_store(target, actor=actor)
            try:
                _BUILT[name] = (target, builder(builder_store))
            finally:
                builder_store.close()
        source = _BUILT[name][0]
    shutil.copyfile(source, path)
    store = open_store(path, actor=actor)
    idle = sqlite3.connect(path)
    idle.execute("SELECT count(*) FROM sqlite_master").fetchall()  # joins the WAL
    try:
        yield store
    finally:
        idle.close()
        store.close()


def built_result(name: str) -> Any:
    """What the builder of a `built` store returned (ids of the records it made)."""
    return _BUILT[name][1]


# ----------------------------------------------------------------------------- raw database


def raw_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, no Jurisdesk code in between."""
    return sqlite3.connect(path)


def count_rows(path: Path, table: str) -> int:
    connection = raw_connect(path)
    try:
        return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        connection.close()


def table_counts(path: Path) -> dict[str, int]:
    connection = raw_connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: int(connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables
        }
    finally:
        connection.close()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ----------------------------------------------------------------------------- processes


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a Jurisdesk child process: this checkout, no JURISDESK_DB."""
    env = {k: v for k, v in os.environ.items() if k != "JURISDESK_DB"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def python_code(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code), *args]


def run_python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Runs code in a new Python process with the services on this checkout; fails loudly."""
    result = subprocess.run(
        python_code(code, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=child_env(),
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"child failed:\n{result.stdout}\n{result.stderr}"
    return result


def cli_command(db: Path | None, *args: str) -> list[str]:
    command = [sys.executable, "-m", "app.cli"]
    if db is not None:
        command += ["--db", str(db)]
    return [*command, *args]


def run_cli(
    db: Path | None,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(db, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=dict(env) if env is not None else child_env(),
        cwd=REPO,
        timeout=timeout,
        check=False,
    )


def start_all(
    commands: Sequence[Sequence[str]], env: Mapping[str, str] | None = None
) -> list[subprocess.Popen[str]]:
    """Starts processes together (so they really overlap); collect them with finish_all."""
    return [
        subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=dict(env) if env is not None else child_env(),
            cwd=REPO,
        )
        for command in commands
    ]


def finish_all(
    processes: Sequence[subprocess.Popen[str]], timeout: float = 60
) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            raise AssertionError(f"child timed out:\n{out}\n{err}") from None
        results.append((process.returncode, out, err))
    return results
