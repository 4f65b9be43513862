"""An office database on PostgreSQL beside a SQLite file: opening, saving, and the reads the
window makes, on the same data in the same run.

Each operation is timed on a SQLite file and on an office database holding the same rows,
alternating round after round (the order swapped every round), so both see the same machine.
The floor of each row is the SQLite file's median for the same operation; the ratio is office
÷ SQLite, the milliseconds are what a person waits (wall clock, median). Measured through the
use cases the window calls, in this process:

- opening the database (open_store, until it is ready to read): the demo database and one of
  1,000 jurisdictions, 5,000 facilities and 3,000 responses (benchmarks.bulk);
- on the 1,000-jurisdiction database: saving one answer (responses.save_answer, what autosave
  calls while someone types), saving a record edit (records.update of a jurisdiction's
  profile), reading the whole dashboard and navigator (responses.list_responses and
  jurisdictions.overview: on opening, and on returning to the dashboard), and the single-row
  reads that follow a save (responses.response_summary and jurisdictions.overview_row).

The server is a throwaway one (tests/postgres_server.py) on this machine, reached through its
Unix socket, switched back to PostgreSQL's durable defaults (fsync, synchronous_commit and full
page writes on: a commit waits for its WAL to reach the disk, as on an office's server; its
shared_buffers stay the tests' 16 MB, the data being in the system's file cache anyway);
SQLite runs as Jurisdesk opens a file (WAL, synchronous=NORMAL). An office's server is across
the network, and every round trip to it adds the network's latency (a few tenths of a
millisecond on an office LAN, more over a VPN), so each office row names how many round trips
the operation makes, counted in an untimed pass from libpq's trace (each ReadyForQuery the
server sends ends one), with the pool's liveness check of a connection it hands out again and
the start-up of a new connection (on a network, TCP, TLS and the password exchange add a few
more to that one).

Without PostgreSQL's server programs (initdb, pg_ctl: Debian's package postgresql) the
benchmark prints why it is skipped and gives one row saying so; nothing fails.

JURISDESK_BENCH_OFFICE_ROUNDS (20) sets the rounds of the saves and single-row reads (opening
takes half as many, reading the whole dashboard a quarter, at least 3 each);
JURISDESK_BENCH_OFFICE_JURISDICTIONS (1000) the size of the big database, for short runs
while developing.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import event
from sqlalchemy.pool import Pool

from app.locations import Location, OfficeServer, parse_server
from app.services import demo, jurisdictions, records, responses
from app.services.responses import AnswerInput
from app.services.store import Store, open_store
from benchmarks.bulk import populate

ROUNDS = int(os.environ.get("JURISDESK_BENCH_OFFICE_ROUNDS", "20"))
JURISDICTIONS = int(os.environ.get("JURISDESK_BENCH_OFFICE_JURISDICTIONS", "1000"))
FLOOR_LABEL = "the same on a SQLite file"
ACTOR = "Benchmark"
# In the big database (benchmarks.bulk): response 1 is a draft of jurisdiction 1, whose first
# facility is a county jail.
RESPONSE_ID = 1
JURISDICTION_ID = 1
FACILITY_ID = 1
DURABLE = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "on"}


# ----------------------------------------------------------------------------- round trips


class RoundTrips:
    """Counts the round trips of psycopg connections from libpq's trace (every exchange ends
    with the server's ReadyForQuery), listening on every pool while counting."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._traced: dict[int, tuple[Any, IO[str]]] = {}
        self._counted = 0
        self._files = 0

    def _trace(self, dbapi_connection: Any) -> None:
        if (
            getattr(dbapi_connection, "pgconn", None) is None
            or id(dbapi_connection) in self._traced
        ):
            return  # a SQLite connection, or one traced already
        self._files += 1
        stream = (self._folder / f"trace-{self._files}.txt").open("w+", encoding="utf-8")
        dbapi_connection.pgconn.trace(stream.fileno())
        self._traced[id(dbapi_connection)] = (dbapi_connection, stream)

    def _untrace(self, key: int) -> None:
        connection, stream = self._traced.pop(key)
        connection.pgconn.untrace()  # writes out what libpq holds back
        stream.seek(0)
        self._counted += sum("\tReadyForQuery\t" in line for line in stream)
        stream.close()

    def _connect(self, dbapi_connection: Any, _record: Any) -> None:
        if getattr(dbapi_connection, "pgconn", None) is not None:
            self._counted += 1  # its start-up exchange, before the trace could begin
        self._trace(dbapi_connection)

    def _checkout(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if getattr(dbapi_connection, "pgconn", None) is None:
            return
        if id(dbapi_connection) not in self._traced:
            # Made before counting began, so handed out again: the pool pinged it
            # (pool_pre_ping) just before this event, before any trace could see it.
            self._counted += 1
            self._trace(dbapi_connection)

    def _close(self, dbapi_connection: Any, _record: Any) -> None:
        if id(dbapi_connection) in self._traced:
            self._untrace(id(dbapi_connection))

    def take(self) -> int:
        """The round trips counted since the last take(); tracing then starts afresh."""
        connections = [connection for connection, _stream in self._traced.values()]
        for key in list(self._traced):
            self._untrace(key)
        counted, self._counted = self._counted, 0
        for connection in connections:
            self._trace(connection)
        return counted

    @contextlib.contextmanager
    def listening(self) -> Iterator[RoundTrips]:
        hooks = {"connect": self._connect, "checkout": self._checkout, "close": self._close}
        for name, hook in hooks.items():
            event.listen(Pool, name, hook)
        try:
            yield self
        finally:
            for name, hook in hooks.items():
                event.remove(Pool, name, hook)
            self.take()
            for key in list(self._traced):
                self._untrace(key)


# ----------------------------------------------------------------------------- the operations


@dataclass
class Side:
    """One database kind (SQLite or office) with its databases and open store."""

    demo: Location
    big: Location
    store: Store | None = None
    answer_version: int | None = None
    profile_version: int | None = None
    edits: int = 100_000  # a new text or number for every save
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def opened(self) -> Store:
        assert self.store is not None
        return self.store


def _open_demo(side: Side) -> None:
    open_store(side.demo, actor=ACTOR, create=False).close()


def _open_big(side: Side) -> None:
    open_store(side.big, actor=ACTOR, create=False).close()


def _save_answer(side: Side) -> None:
    side.edits += 1  # a different text each time, as while typing
    saved = responses.save_answer(
        side.opened,
        RESPONSE_ID,
        "access",
        FACILITY_ID,
        AnswerInput(
            value="outside_control",
            narrative=f"Run by the county; its written policy applies (note {side.edits}).",
        ),
        expected_version=side.answer_version,
    )
    side.answer_version = saved.version


def _save_record(side: Side) -> None:
    side.edits += 1
    saved = records.update(
        side.opened,
        "jurisdiction",
        JURISDICTION_ID,
        {"population": side.edits},
        side.profile_version,
    )
    side.profile_version = saved.version


def _read_dashboard(side: Side) -> None:
    responses.list_responses(side.opened)
    jurisdictions.overview(side.opened)


def _read_rows(side: Side) -> None:
    responses.response_summary(side.opened, RESPONSE_ID)
    jurisdictions.overview_row(side.opened, JURISDICTION_ID)


@dataclass(frozen=True)
class Operation:
    label: str
    run: Callable[[Side], None]
    rounds: int
    needs_store: bool = True


def operations(rounds: int = ROUNDS, size: int = JURISDICTIONS) -> list[Operation]:
    half, few = max(3, rounds // 2), max(3, rounds // 4)
    big = f"{size:,} jurisdictions"
    return [
        Operation("open the demo database", _open_demo, half, needs_store=False),
        Operation(f"open {big}", _open_big, half, needs_store=False),
        Operation("save one answer (autosave)", _save_answer, rounds),
        Operation("save a record edit (a profile)", _save_record, rounds),
        Operation(f"dashboard + navigator read whole, {big}", _read_dashboard, few),
        Operation("after a save: its dashboard row + list row read", _read_rows, rounds),
    ]


# ----------------------------------------------------------------------------- the server


def _superuser(server: Any, *, autocommit: bool = False) -> Any:
    import psycopg

    from tests.postgres_server import ROLE

    return psycopg.connect(
        host=str(server.socket_dir), user=ROLE, dbname="postgres", autocommit=autocommit
    )


def _durable(server: Any) -> None:
    """PostgreSQL's own defaults again: the tests' server trades durability for speed."""
    with _superuser(server, autocommit=True) as connection:
        for name, value in DURABLE.items():
            connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        connection.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with _superuser(server) as connection:
            now = {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in DURABLE}
        if now == DURABLE:
            return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not take its settings: {now}")


def _address(server: Any, name: str) -> OfficeServer:
    from tests.postgres_server import ROLE

    server.create_database(name)
    return parse_server(f"postgresql://{ROLE}@/{name}?host={server.socket_dir}")


def _sizes(server: Any, sqlite: Side, office: Side) -> str:
    assert isinstance(sqlite.big, Path)
    assert isinstance(office.big, OfficeServer)
    with _superuser(server) as connection:
        row = connection.execute("SELECT pg_database_size(%s)", [office.big.database]).fetchone()
    megabytes = 1024 * 1024
    return (
        f"the big database: {sqlite.big.stat().st_size / megabytes:.0f} MB as a SQLite file, "
        f"{row[0] / megabytes:.0f} MB on the server"
    )


def _fill(side: Side, size: int) -> None:
    store = open_store(side.demo, actor=ACTOR)
    try:
        demo.load_demo(store)
    finally:
        store.close()
    populate(
        side.big, jurisdictions=size, facilities_per_jurisdiction=5, responses=3 * size
    ).close()


def _time(run: Callable[[Side], None], side: Side) -> float:
    started = time.perf_counter()
    run(side)
    return (time.perf_counter() - started) * 1000


def measure(
    sqlite: Side, office: Side, counter: RoundTrips, all_operations: list[Operation]
) -> dict[str, int]:
    """Fills each side's samples; returns the office round trips of each operation."""
    trips: dict[str, int] = {}
    for operation in all_operations:
        for side in (sqlite, office):
            if operation.needs_store and side.store is None:
                side.store = open_store(side.big, actor=ACTOR, create=False)
            # Untimed: what a first call costs once (queries compiled, modules loaded).
            operation.run(side)
        with counter.listening():
            counter.take()
            operation.run(office)
            trips[operation.label] = counter.take()
        for round_number in range(operation.rounds):
            order = (sqlite, office) if round_number % 2 == 0 else (office, sqlite)
            for side in order:
                side.samples.setdefault(operation.label, []).append(_time(operation.run, side))
    for side in (sqlite, office):
        if side.store is not None:
            side.store.close()
            side.store = None
    return trips


def skipped(reason: str) -> list[dict[str, object]]:
    print(f"   skipped: install postgresql to measure the office database ({reason})")
    return [{"label": "skipped: PostgreSQL cannot be started here (install postgresql)"}]


def rows(rounds: int = ROUNDS, size: int = JURISDICTIONS) -> list[dict[str, object]]:
    """One row per operation: the office database's median ms, the SQLite file's beside it
    as the floor, and their ratio."""
    try:
        from tests.postgres_server import PostgresServer, PostgresUnavailable
    except ImportError as exc:  # the benchmarks run from the repository, beside tests/
        return skipped(str(exc))
    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        return skipped(" ".join(str(exc).split()))
    all_operations = operations(rounds, size)
    with tempfile.TemporaryDirectory(prefix="jurisdesk-bench-office-") as folder, server:
        work = Path(folder)
        _durable(server)
        sqlite = Side(work / "demo.sqlite", work / "big.sqlite")
        office = Side(_address(server, "bench_demo"), _address(server, "bench_big"))
        for side in (sqlite, office):
            _fill(side, size)
        print(f"   {_sizes(server, sqlite, office)}", flush=True)
        (work / "traces").mkdir()
        trips = measure(sqlite, office, RoundTrips(work / "traces"), all_operations)
    result: list[dict[str, object]] = []
    for operation in all_operations:
        ms = statistics.median(office.samples[operation.label])
        floor_ms = statistics.median(sqlite.samples[operation.label])
        result.append(
            {
                "label": f"{operation.label} ({trips[operation.label]} round trips)",
                "ms": round(ms, 2),
                "floor_label": FLOOR_LABEL,
                "floor_ms": round(floor_ms, 2),
                "ratio": round(ms / floor_ms, 2),
                "samples": [round(s, 1) for s in office.samples[operation.label]],
                "floor samples": [round(s, 1) for s in sqlite.samples[operation.label]],
            }
        )
    return result


def main() -> None:
    measured = rows()
    print(
        f"office database (PostgreSQL, local socket) beside a SQLite file, {JURISDICTIONS:,} "
        "jurisdictions; median ms"
    )
    print("| operation | office | SQLite | office ÷ SQLite |")
    print("|---|---|---|---|")
    for row in measured:
        if "ms" not in row:
            print(f"| {row['label']} | | | |")
            continue
        print(f"| {row['label']} | {row['ms']:.1f} | {row['floor_ms']:.1f} | {row['ratio']:.2f} |")


if __name__ == "__main__":
    main()
