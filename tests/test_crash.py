"""A writer killed with SIGKILL at any moment loses nothing it acknowledged, and the database
still opens, passes its check and takes more saves.

The writers are forked from one process that has already imported Jurisdesk, so a hundred
kills take seconds rather than a minute of interpreter start-ups; each is still a real process
that the kernel kills mid-write.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.services import integrity, records, responses
from app.services.store import open_store
from tests.helpers import REPO, child_env, make_facility, make_jurisdiction, start_psp

# `make soak` raises both: a thousand kills over up to half an hour.
KILLS = int(os.environ.get("JURISDESK_SOAK_KILLS", "100"))
TIME_LIMIT_S = float(os.environ.get("JURISDESK_SOAK_SECONDS", "90"))

# The forking writer: reads "go RUN" lines; for each, forks a child that opens the store and
# saves until killed, printing one JSON line per save *after* its transaction committed.
WRITER = """
import json, os, sys
from pathlib import Path
from app.services import records, responses
from app.services.responses import AnswerInput
from app.services.store import open_store

path, jurisdiction_id, response_id, facility_id = Path(sys.argv[1]), *map(int, sys.argv[2:5])
# Opened once before forking so every module is loaded; closed so no connection crosses a fork.
open_store(path, actor="Writer").close()
print("ready", flush=True)
pid = 0
for line in sys.stdin:
    run = int(line.split()[1])
    if pid:
        os.waitpid(pid, 0)  # the previous writer is dead before the next one starts
    pid = os.fork()
    if pid == 0:
        store = open_store(path, actor=f"Writer {run}")
        saved = 0
        while True:
            saved += 1
            name = f"run {run} save {saved}"
            if saved % 2:
                records.create(store, "contact", {"name": name, "role": "signatory"},
                               parent_id=jurisdiction_id)
                kind = "contact"
            else:
                responses.save_answer(store, response_id, "access", facility_id,
                                      AnswerInput(value="no", narrative=name))
                kind = "answer"
            # Acknowledged only now: the save's transaction has committed.
            os.write(1, (json.dumps({"kind": kind, "name": name, "run": run,
                                     "save": saved}) + "\\n").encode())
    print(f"child {pid}", flush=True)
if pid:
    os.waitpid(pid, 0)
"""


def _order(name: str) -> tuple[int, int]:
    _, run, _, save = name.split()
    return int(run), int(save)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks its writers")
def test_no_acknowledged_save_is_lost_to_a_hundred_kills(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    store = open_store(path, actor="Setup")
    j = make_jurisdiction(store)
    city = make_facility(store, j.id, controlled=True)
    response_id = start_psp(store, j.id).summary.id
    store.close()

    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(path), str(j.id),
         str(response_id), str(city.id)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", env=child_env(), cwd=REPO, bufsize=1,
    )  # fmt: skip
    assert writer.stdout is not None
    assert writer.stdin is not None
    assert writer.stdout.readline().strip() == "ready"
    acknowledged: list[dict[str, object]] = []
    killed = 0
    randomness = random.Random(20170803)
    started = time.monotonic()
    try:
        while killed < KILLS and time.monotonic() - started < TIME_LIMIT_S:
            writer.stdin.write(f"go {killed}\n")
            writer.stdin.flush()
            line = writer.stdout.readline()
            while not line.startswith("child "):
                acknowledged.append(json.loads(line))
                line = writer.stdout.readline()
            pid = int(line.split()[1])
            # Anywhere from opening the file to deep in a run of saves.
            time.sleep(randomness.uniform(0.0, 0.3))
            os.kill(pid, signal.SIGKILL)
            killed += 1
    finally:
        # Closing its input ends the writer; the rest of its output is read after.
        rest, errors = writer.communicate(timeout=30)
    acknowledged += [json.loads(line) for line in rest.splitlines() if line.startswith("{")]
    assert killed >= KILLS, f"only {killed} kills within {TIME_LIMIT_S} s"
    assert writer.returncode == 0, errors
    assert len(acknowledged) > KILLS  # the kills fell among saves, not only at start-up

    reopened = open_store(path, actor="Checker")
    try:
        contacts = {r.title for r in records.list_records(reopened, "contact", j.id)}
        lost = [a["name"] for a in acknowledged if a["kind"] == "contact"]
        lost = [name for name in lost if name not in contacts]
        assert lost == [], f"{len(lost)} acknowledged saves were lost, first {lost[0]}"
        answer = responses.get_response(reopened, response_id).answer("access", city.id)
        last_answer = max(
            (str(a["name"]) for a in acknowledged if a["kind"] == "answer"), key=_order
        )
        assert answer is not None
        assert answer.narrative is not None
        # The stored answer is the last acknowledged one or a later save that committed
        # just before its writer died.
        assert _order(answer.narrative) >= _order(last_answer)
        report = integrity.check(reopened)
        assert report.ok, report.problems
        # The figures docs/reliability.md quotes (shown with pytest -s).
        elapsed = time.monotonic() - started
        print(
            f"\n{killed} kills, {len(acknowledged)} acknowledged saves, none lost, {elapsed:.0f} s"
        )
        # And the office goes on working.
        records.create(
            reopened, "contact", {"name": "After the crashes", "role": "signatory"}, parent_id=j.id
        )
    finally:
        reopened.close()
