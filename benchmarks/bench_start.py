"""How much CPU a start costs, from launching `jurisdesk` until its main window is shown, and
until it shows the open database (list, dashboard, the place the user left).

Whole processes, as a user starts them: `python -m app --db DB` with the offscreen platform and
the bundle's smoke test (ui/smoke.py), which prints, at each of the two moments, the CPU time
(user + system, every thread) the process has used since it began; on the demo database and on
one of 1,000 jurisdictions, 5,000 facilities and 3,000 responses (benchmarks.bulk). CPU time,
not wall time, so a busy machine slows a run without changing its cost much.

The floor is a bare PySide6 script from the same interpreter that creates a QApplication, shows a
QMainWindow and prints its CPU time when it is shown: what any Qt program pays to start. The floor
and the two starts are run one after the other, round after round (the median of each is judged), so
all three see the same machine. Each case has its own temporary home and XDG folders, kept over its
rounds like a user's: an untimed first round makes what a first start of the day makes (the daily
backup copy, caches, compiled bytecode in a folder of the run's own), then every timed round is an
ordinary start.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("JURISDESK_BENCH_START_ROUNDS", "5"))
# ui.smoke's messages, not imported: no Qt in this process.
SHOWN_MESSAGE = "Jurisdesk main window shown"
READY_MESSAGE = "Jurisdesk database shown"
FLOOR_LABEL = "floor: bare PySide6 window"
DATABASES = ("demo database", "1,000 jurisdictions")
# The target ratio for the window shown, per database; the database shown has none.
TARGETS = {"demo database": 4.0, "1,000 jurisdictions": 5.0}
_SAID = re.compile(r"^(?P<message>.+) after (?P<ms>[0-9.]+) ms of CPU$")

_FLOOR = """
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class Shown(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Show:
            print(f"shown after {time.process_time() * 1000:.1f} ms of CPU", flush=True)
            QTimer.singleShot(0, application.quit)
        return False


application = QApplication([])
window = QMainWindow()
watcher = Shown()
window.installEventFilter(watcher)
window.show()
application.exec()
"""


@dataclass(frozen=True)
class Case:
    label: str
    command: tuple[str, ...]
    home: Path
    said: tuple[str, ...]  # the moments the process reports ("… after N ms of CPU")


def _environment(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XDG_", "JURISDESK_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[variable] = str(home / variable.lower())
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    return env | {
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "QT_QPA_PLATFORM": "offscreen",
        "JURISDESK_SMOKE_TEST": "1",
        "JURISDESK_SMOKE_DELAY_MS": "0",
        "PYTHONPATH": str(REPO),
        # An installed Jurisdesk starts from compiled bytecode: the untimed round compiles
        # every module once, here rather than beside the sources.
        "PYTHONPYCACHEPREFIX": str(home.parent / "bytecode"),
    }


def cpu_ms(case: Case) -> dict[str, float]:
    """Runs the case's process once; the CPU milliseconds it had used at each moment it said."""
    result = subprocess.run(
        case.command,
        cwd=REPO,
        env=_environment(case.home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = {
        found["message"]: float(found["ms"])
        for found in map(_SAID.match, result.stdout.splitlines())
        if found is not None
    }
    if result.returncode != 0 or set(case.said) - set(said):
        raise RuntimeError(
            f"{case.label}: exit status {result.returncode}, expected {case.said}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return said


def _make_demo(path: Path, home: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "app", "--db", str(path), "demo"],
        cwd=REPO,
        env=_environment(home),
        capture_output=True,
        check=True,
    )


def _make_bulk(path: Path) -> None:
    from benchmarks.bulk import populate

    populate(path).close()


def cases(work: Path) -> list[Case]:
    """The floor and the two starts, with their databases made in work."""
    demo = work / "demo.sqlite"
    bulk = work / "bulk.sqlite"
    _make_demo(demo, work / "home-setup")
    _make_bulk(bulk)
    start = (sys.executable, "-m", "app", "--db")
    return [
        Case(FLOOR_LABEL, (sys.executable, "-c", _FLOOR), work / "home-floor", ("shown",)),
        Case(DATABASES[0], (*start, str(demo)), work / "home-demo", (SHOWN_MESSAGE, READY_MESSAGE)),
        Case(DATABASES[1], (*start, str(bulk)), work / "home-bulk", (SHOWN_MESSAGE, READY_MESSAGE)),
    ]


def measure(all_cases: Sequence[Case], rounds: int = ROUNDS) -> dict[tuple[str, str], list[float]]:
    """Every case once per round, interleaved, after one untimed round; the CPU ms of each
    (case, moment)."""
    for case in all_cases:
        cpu_ms(case)
    samples: dict[tuple[str, str], list[float]] = {}
    for round_number in range(rounds):
        # Rotated, so no case always runs straight after another.
        shift = round_number % len(all_cases)
        for case in [*all_cases[shift:], *all_cases[:shift]]:
            for moment, ms in cpu_ms(case).items():
                samples.setdefault((case.label, moment), []).append(ms)
    return samples


def rows(rounds: int = ROUNDS) -> list[dict[str, object]]:
    """Two rows per database (window shown, database shown): the median CPU ms, the floor's,
    their ratio, and for the window shown the target ratio."""
    with tempfile.TemporaryDirectory(prefix="jurisdesk-bench-start-") as folder:
        samples = measure(cases(Path(folder)), rounds)
    floor = samples[(FLOOR_LABEL, "shown")]
    floor_ms = statistics.median(floor)
    result: list[dict[str, object]] = []
    for database in DATABASES:
        for moment, what in ((SHOWN_MESSAGE, "window shown"), (READY_MESSAGE, "database shown")):
            ms = statistics.median(samples[(database, moment)])
            ratio = ms / floor_ms
            target = TARGETS[database] if moment == SHOWN_MESSAGE else None
            result.append(
                {
                    "label": f"{database}: {what}",
                    "ms": round(ms, 1),
                    "floor label": FLOOR_LABEL,
                    "floor ms": round(floor_ms, 1),
                    "ratio": round(ratio, 2),
                    "target ratio": target,
                    "result": "" if target is None else ("met" if ratio <= target else "missed"),
                    "samples": [round(s) for s in samples[(database, moment)]],
                    "floor samples": [round(s) for s in floor],
                }
            )
    return result


def table(measured: Sequence[dict[str, object]]) -> str:
    lines = [
        "| start | CPU ms | floor | floor CPU ms | × floor | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in measured:
        target = "" if row["target ratio"] is None else f"≤ {row['target ratio']:g}"
        lines.append(
            f"| {row['label']} | {row['ms']:.0f} | {row['floor label']} | "
            f"{row['floor ms']:.0f} | {row['ratio']:.2f} | {target} | "
            f"{row['result']} |"
        )
    return "\n".join(lines)


def main() -> None:
    print(f"CPU from launch until the window, then the database, is shown; median of {ROUNDS}")
    measured = rows()
    print(table(measured))
    for row in measured:
        print(f"  {row['label']}: {row['samples']} ms; floor {row['floor samples']} ms")
    missed = [str(row["label"]) for row in measured if row["result"] == "missed"]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
