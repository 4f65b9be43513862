"""Files import-json must refuse, a fuzzed importer, and big imports: memory and the write lock."""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services import exchange, records
from app.services.errors import UserError
from app.services.exchange import ExchangeError, merge
from app.services.store import WRITE_NOTE, WRITE_NOTE_LIFETIME, Store, open_store
from benchmarks.exchange_file import write_big_file
from tests.helpers import DATA, run_cli, run_python, sha256_file
from tests.stores import (
    Location,
    database_fingerprint,
    drop_database,
    fresh_store,
    holding_the_write_lock,
    raw_execute,
    shorten_busy_timeout,
)
from tests.test_exchange import _build

pytestmark = pytest.mark.both_stores
STORE_KINDS = ("sqlite", "postgresql")

BAD = DATA / "bad"
VALID = BAD / "_valid.json"


def _readme_rows() -> list[tuple[str, str]]:
    """(file, message fragment) for each row of the first table of tests/data/bad/README.md."""
    text = (BAD / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([^`]+\.json)` \| [^|]+ \| `(.+)` \|$", text, re.MULTILINE)


CORPUS = _readme_rows()


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding _valid.json, which every refusal below must leave byte for byte."""
    path = tmp_path_factory.mktemp("bad-files") / "jurisdesk.sqlite"
    store = open_store(path, actor="Test Clerk")
    exchange.import_file(store, VALID)
    store.close()
    return path


def _database_bytes(path: Path) -> tuple[str, str | None]:
    wal = path.with_name(path.name + "-wal")
    return sha256_file(path), sha256_file(wal) if wal.exists() else None


def _assert_refused(database: Path, file: Path, words: str) -> None:
    before = _database_bytes(database)

    result = run_cli(database, "import-json", str(file))

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"jurisdesk: error: {file} was not imported: ")
    assert words in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr) < 3_000  # a message to read, whatever the file holds
    assert _database_bytes(database) == before


def test_every_bad_file_is_listed_in_the_readme() -> None:
    listed = {name for name, _words in CORPUS}
    assert len(listed) == len(CORPUS), "a file is listed twice"
    assert listed | {VALID.name} == {p.name for p in BAD.glob("*.json")}


@pytest.mark.parametrize(("name", "words"), CORPUS, ids=[name for name, _ in CORPUS])
def test_bad_file_is_refused_and_nothing_written(loaded_db: Path, name: str, words: str) -> None:
    _assert_refused(loaded_db, BAD / name, words)


def _deep(path: Path) -> None:
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)


def _too_large(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(exchange.MAX_FILE_BYTES + 1)  # sparse: no disk space, no time


def _variant(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        document = json.loads(VALID.read_text(encoding="utf-8"))
        change(document)
        path.write_text(json.dumps(document), encoding="utf-8")

    return write


def _folder(path: Path) -> None:
    path.mkdir()


def _unreadable(path: Path) -> None:
    path.write_bytes(VALID.read_bytes())
    path.chmod(0)


GENERATED: dict[str, tuple[Callable[[Path], None], str]] = {
    "100,000 levels": (_deep, "nests lists and objects more than 20 deep"),
    "too large": (_too_large, "Jurisdesk imports exchange files of up to 256 MB"),
    "long name": (
        _variant(lambda d: d["jurisdiction"].update(name="x" * 10_000_000)),
        "is 10,000,000 characters long; the limit is 200",
    ),
    "long member name": (
        _variant(lambda d: d["jurisdiction"].update({"x" * 1_000_000: 1})),
        "is not a member",
    ),
    "a folder": (_folder, "is a folder, not a file"),
    "missing": (lambda _path: None, "does not exist"),
    "unreadable": (_unreadable, "you do not have permission"),
}


@pytest.mark.parametrize("case", list(GENERATED))
def test_generated_bad_file_is_refused(loaded_db: Path, tmp_path: Path, case: str) -> None:
    if case == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads any file, whatever its permissions")
    make, words = GENERATED[case]
    target = tmp_path / "case.json"
    make(target)
    try:
        _assert_refused(loaded_db, target, words)
    finally:
        if target.exists() and not target.is_dir():
            target.chmod(0o600)


def test_unreadable_file_is_reported(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same refusal, in-process, where running as root cannot hide it."""
    target = tmp_path / "locked.json"
    target.write_bytes(VALID.read_bytes())

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ExchangeError) as caught:
        exchange.import_file(store, target)
    assert caught.value.problems == [
        "$: locked.json cannot be read: you do not have permission to open it. Copy it "
        "somewhere you can read, or ask whoever manages the folder."
    ]


# ----------------------------------------------------------------------------- fuzzing


@pytest.fixture(scope="module", params=STORE_KINDS)
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], Store, Store]]:
    """The full jurisdiction's export, its own database, and another that starts empty."""
    locations: list[Location]
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("fuzz")
        locations = [folder / "source.sqlite", folder / "other.sqlite"]
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"fuzz_{uuid.uuid4().hex[:16]}"
        locations = [server.url(f"{name}_source"), server.url(f"{name}_other")]
    opened = [
        fresh_store(locations[0], actor="Test Clerk"),
        fresh_store(locations[1], actor="Receiving Clerk"),
    ]
    source, other = (next(store) for store in opened)
    jurisdiction = _build(source, hostile=True)
    document = exchange.export_document(source, jurisdiction)
    yield document, source, other
    for store in opened:
        store.close()
    for location in locations:
        if isinstance(location, str):
            drop_database(location)


def _members(node: Any) -> list[tuple[str, Any]]:
    """Every (member, value) of the document's objects: values that are valid somewhere."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        found += [(k, v) for k, v in node.items() if not isinstance(v, dict | list)]
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            found += _members(item)
    return found


SPECIAL_TEXT = [
    "",
    "x" * 300,
    "\ud800",
    "bad \udfff text",
    "\x00",
    "2017-02-30",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "not*base64",
    "yes",
    "approved",
    "submitted",
    "=1+1",
    "doj-psp-2017",
]
MEMBER_NAMES = ["uuid", "version", "name", "facility", "value", "answers", "status", "size"]
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**25), max_value=10**25)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(SPECIAL_TEXT),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(MEMBER_NAMES), children, max_size=3)
    ),
    max_leaves=6,
)


def _mutate(draw: Callable[[st.SearchStrategy[Any]], Any], document: dict[str, Any]) -> Any:
    """The document with one to three members or items deleted, replaced or added."""
    broken: Any = copy.deepcopy(document)
    members = _members(document)
    uuids = [value for name, value in members if name == "uuid"]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        node = broken
        # Down a random path: most damage is deep inside a record, some at the top.
        while draw(st.integers(min_value=0, max_value=4)):
            children = [
                child
                for child in (node.values() if isinstance(node, dict) else node)
                if isinstance(child, dict | list) and child
            ]
            if not children:
                break
            node = draw(st.sampled_from(children))
        action = draw(st.sampled_from(["delete", "replace", "add", "reuse", "reuse a UUID"]))
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        new = draw(st.sampled_from(uuids)) if action == "reuse a UUID" else draw(values)
        if action == "reuse" and isinstance(node, dict):
            # A value another record has for the same member: valid alone, maybe not here.
            name, value = draw(st.sampled_from(members))
            node[name] = value
        elif action == "delete" and keys:
            del node[draw(st.sampled_from(keys))]
        elif action == "add" or not keys:
            if isinstance(node, dict):
                node[draw(st.text(max_size=8) | st.sampled_from(MEMBER_NAMES))] = new
            else:
                node.append(new)
        else:
            node[draw(st.sampled_from(keys))] = new
    return broken


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_fuzzed_file_imports_or_is_refused_cleanly(
    fuzzed: tuple[dict[str, Any], Store, Store],
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    document, source, other = fuzzed
    store = data.draw(st.sampled_from([source, other]), label="into")
    broken = _mutate(data.draw, document)
    path = tmp_path_factory.mktemp("fuzzed") / "fuzzed.json"
    path.write_text(json.dumps(broken), encoding="utf-8")  # surrogates escaped, as JSON allows
    fingerprint = database_fingerprint(store)
    refusal: ExchangeError | None = None
    try:
        exchange.import_file(store, path)
    except ExchangeError as exc:  # any other exception fails the test
        refusal = exc
    except UserError as exc:
        # Only an office database refuses text with NUL, which a file holds: for that alone.
        if store.server is None or "contains a NUL character" not in str(exc):
            raise
        assert database_fingerprint(store) == fingerprint
    if refusal is not None:
        assert refusal.problems
        assert all(problem.startswith("$") for problem in refusal.problems)
        assert database_fingerprint(store) == fingerprint


# ----------------------------------------------------------------------------- big imports


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_big_import_needs_little_more_memory_than_the_file(tmp_path: Path) -> None:
    """Peak memory growth (resident set, so SQLite's and Python's alike) stays under 2.5 times
    the file: the file's bytes are held once and nothing is copied whole."""
    big = write_big_file(tmp_path / "big.json", 40)
    result = run_python(
        """
        import json, sys
        from pathlib import Path
        from app.services import exchange
        from app.services.store import open_store
        from benchmarks import memory

        store = open_store(Path(sys.argv[1]), actor="Test Clerk")
        # A small import first, so that what every import loads once is loaded already.
        exchange.import_file(store, Path(sys.argv[3]))
        before = memory.start_peak()
        result = exchange.import_file(store, Path(sys.argv[2]))
        growth = memory.peak() - before
        print(json.dumps({"growth": growth, "evidence": result.created["evidence"]}))
        """,
        str(tmp_path / "jurisdesk.sqlite"),
        str(big),
        str(VALID),
        timeout=300,
    )
    measured = json.loads(result.stdout)
    assert measured["evidence"] > 0
    assert measured["growth"] < 2.5 * big.stat().st_size, measured


def test_refused_file_never_waits_for_the_write_lock(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user holds the write lock; a bad file is still refused for what is wrong with
    it, at once, instead of waiting and failing as busy."""
    exchange.import_file(store, VALID)
    with holding_the_write_lock(store), pytest.raises(ExchangeError) as caught:
        exchange.import_file(store, BAD / "missing-reference.json")
    assert caught.value.problems[0].startswith("$.statistics[0].facility: refers to facility")


def test_a_save_that_waits_for_an_import_in_vain_is_told_who_imports(
    db_location: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    shorten_busy_timeout(monkeypatch, 200)
    monkeypatch.setattr(merge, "ANNOUNCED_RECORDS", 0)
    opening = fresh_store(db_location, actor="Ada Importer")
    importing = next(opening)
    colleague = open_store(db_location, actor="Bo Colleague")
    jurisdiction = records.create(
        colleague, "jurisdiction", {"name": "Other", "kind": "city", "state": "MD"}
    )
    writing, finish = threading.Event(), threading.Event()
    history = merge._Writer.history

    def slow_history(writer: merge._Writer) -> None:
        history(writer)
        writing.set()  # the import holds the write lock from here until `finish`
        finish.wait(timeout=30)

    monkeypatch.setattr(merge._Writer, "history", slow_history)
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(exchange.import_file(importing, VALID)))
    worker.start()
    try:
        assert writing.wait(timeout=30)
        with pytest.raises(UserError) as caught:
            records.update(colleague, "jurisdiction", jurisdiction.id, {"name": "Renamed"}, None)
    finally:
        finish.set()
        worker.join(timeout=30)
    message = str(caught.value)
    assert message.startswith("An import is in progress (started by Ada Importer at ")
    assert message.endswith("); try again in a moment.")
    assert outcome
    assert outcome[0].created["facilities"] == 2
    # Once the import is done, the note is gone and saving works again.
    assert records.update(colleague, "jurisdiction", jurisdiction.id, {"name": "Renamed"}, None)
    opening.close()
    colleague.close()


def test_a_note_left_by_an_import_that_died_is_ignored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    shorten_busy_timeout(monkeypatch, 200, store)
    jurisdiction = records.create(
        store, "jurisdiction", {"name": "A", "kind": "city", "state": "MD"}
    )
    long_ago = (datetime.now(UTC) - WRITE_NOTE_LIFETIME - timedelta(minutes=1)).replace(tzinfo=None)
    raw_execute(
        store,
        (
            "INSERT INTO office_setting (uuid, version, created_at, updated_at, key, value) "
            "VALUES ('00000000-0000-4000-8000-00000000000a', 1, ?, ?, ?, "
            "'An import is in progress')",
            (long_ago, long_ago, WRITE_NOTE),
        ),
    )
    with holding_the_write_lock(store), pytest.raises(UserError) as caught:
        records.update(store, "jurisdiction", jurisdiction.id, {"name": "B"}, None)
    assert "is busy" in str(caught.value)
    assert "An import is in progress" not in str(caught.value)
