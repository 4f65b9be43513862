"""How much memory a big import needs, as a ratio to the file's size, and how long it holds the
write lock that other users' saves wait for (10 s at most, then they are told who imports).

Two files of the size given (JURISDESK_BENCH_EXCHANGE_MB, 200 by default): one mostly evidence
(scanned letters, as big exchange files are), one mostly records and their history. Each is
imported into an empty database in a process of its own, whose peak resident memory is
measured over the import (so SQLite's memory counts as well as Python's); the lock is timed
from BEGIN IMMEDIATE to COMMIT of each writing transaction. The floor is json.loads of the same
file, measured the same way: what reading it in one piece costs before anything is checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from benchmarks.exchange_file import write_big_file

REPO = Path(__file__).resolve().parent.parent
MEGABYTES = float(os.environ.get("JURISDESK_BENCH_EXCHANGE_MB", "200"))

_IMPORT = """
import json, sys, time
from pathlib import Path
from sqlalchemy import event
from app.services import exchange
from app.services.store import open_store
from benchmarks import memory

store = open_store(Path(sys.argv[1]), actor="Benchmark")
held, began = [], {}

@event.listens_for(store.engine, "begin")
def _begin(connection):
    if connection.get_execution_options().get("jurisdesk_writes"):
        began[id(connection)] = time.perf_counter()

@event.listens_for(store.engine, "commit")
def _commit(connection):
    if id(connection) in began:
        held.append(time.perf_counter() - began.pop(id(connection)))

exchange.import_file(store, Path(sys.argv[3]))  # loads what every import loads once
held.clear()
before = memory.start_peak()
started = time.perf_counter()
exchange.import_file(store, Path(sys.argv[2]))
seconds = time.perf_counter() - started
growth = memory.peak() - before
print(json.dumps({"growth": growth, "seconds": seconds, "lock": max(held)}))
"""

_FLOOR = """
import json, sys
from pathlib import Path
from benchmarks import memory
before = memory.start_peak()
document = json.loads(Path(sys.argv[1]).read_bytes())
print(json.dumps({"growth": memory.peak() - before}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        check=True,
    )
    measured: dict[str, float] = json.loads(result.stdout)
    return measured


def main() -> None:
    small = REPO / "tests" / "data" / "bad" / "_valid.json"
    cases = {
        "mostly evidence": {},
        "mostly records": {"facilities": 3_000, "history": 30_000},
    }
    print(f"importing a {MEGABYTES:g} MB exchange file into an empty database")
    print("| file | peak memory growth | × file size | × json.loads | lock held | import |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for label, options in cases.items():
            path = write_big_file(Path(folder) / "big.json", MEGABYTES, **options)
            size = path.stat().st_size
            database = Path(folder) / f"{len(label)}.sqlite"
            measured = _child(_IMPORT, str(database), str(path), str(small))
            floor = _child(_FLOOR, str(path))
            print(
                f"| {label} | {measured['growth'] / 1_048_576:,.0f} MB "
                f"| {measured['growth'] / size:.2f} | {measured['growth'] / floor['growth']:.2f} "
                f"| {measured['lock']:.1f} s | {measured['seconds']:.1f} s |"
            )


if __name__ == "__main__":
    main()
