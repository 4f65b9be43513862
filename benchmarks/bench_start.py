"""How much CPU a start costs, from launching `jurisdesk` until its main window is shown.

Whole processes, as a user starts them: `python -m app --db DB` with the offscreen platform and
the bundle's smoke test (ui/smoke.py) set to quit as soon as the window is shown, on the demo
database and on one of 1,000 jurisdictions, 5,000 facilities and 3,000 responses
(benchmarks.bulk). What is measured is CPU time (user + system) of the child process, not wall
time, so a busy machine slows a run without changing its cost much.

The floor is a bare PySide6 script from the same interpreter that creates a QApplication, shows
a QMainWindow and quits when it is shown: what any Qt program pays to start. The floor and the
two starts are run one after the other, round after round (the median of each is judged), so
all three see the same machine. Each case has its own temporary home and XDG folders, kept over
its rounds like a user's: an untimed first round makes what a first start of the day makes
(the daily backup copy, caches, compiled bytecode in a folder of the run's own), then every
timed round is an ordinary start.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("JURISDESK_BENCH_START_ROUNDS", "5"))
SHOWN_MESSAGE = "Jurisdesk main window shown"  # ui.smoke.SHOWN_MESSAGE, not imported: no Qt here
FLOOR_LABEL = "floor: bare PySide6 window"
TARGETS = {"demo database": 4.0, "1,000 jurisdictions": 5.0}

_FLOOR = """
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class Shown(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Show:
            print("shown", flush=True)
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
    shown: str  # what the process prints when its window is shown


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


def cpu_ms(case: Case) -> float:
    """Runs the case's process once; the CPU (user + system) it used, in milliseconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        case.command,
        cwd=REPO,
        env=_environment(case.home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0 or case.shown not in result.stdout:
        raise RuntimeError(
            f"{case.label}: exit status {result.returncode}, no “{case.shown}”:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used * 1000


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
        Case(FLOOR_LABEL, (sys.executable, "-c", _FLOOR), work / "home-floor", "shown"),
        Case("demo database", (*start, str(demo)), work / "home-demo", SHOWN_MESSAGE),
        Case("1,000 jurisdictions", (*start, str(bulk)), work / "home-bulk", SHOWN_MESSAGE),
    ]


def measure(all_cases: Sequence[Case], rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Every case once per round, interleaved, after one untimed round."""
    for case in all_cases:
        cpu_ms(case)
    samples: dict[str, list[float]] = {case.label: [] for case in all_cases}
    for round_number in range(rounds):
        # Rotated, so no case always runs straight after another.
        shift = round_number % len(all_cases)
        for case in [*all_cases[shift:], *all_cases[:shift]]:
            samples[case.label].append(cpu_ms(case))
    return samples


def rows(rounds: int = ROUNDS) -> list[dict[str, object]]:
    """One row per start: its median CPU ms, the floor's, their ratio and the target ratio."""
    with tempfile.TemporaryDirectory(prefix="jurisdesk-bench-start-") as folder:
        samples = measure(cases(Path(folder)), rounds)
    floor_ms = statistics.median(samples[FLOOR_LABEL])
    result: list[dict[str, object]] = []
    for label, target in TARGETS.items():
        ms = statistics.median(samples[label])
        ratio = ms / floor_ms
        result.append(
            {
                "label": label,
                "ms": round(ms, 1),
                "floor label": FLOOR_LABEL,
                "floor ms": round(floor_ms, 1),
                "ratio": round(ratio, 2),
                "target ratio": target,
                "result": "met" if ratio <= target else "missed",
                "samples": [round(s) for s in samples[label]],
                "floor samples": [round(s) for s in samples[FLOOR_LABEL]],
            }
        )
    return result


def table(measured: Sequence[dict[str, object]]) -> str:
    lines = [
        "| start | CPU ms | floor | floor CPU ms | × floor | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in measured:
        lines.append(
            f"| {row['label']} | {row['ms']:.0f} | {row['floor label']} | "
            f"{row['floor ms']:.0f} | {row['ratio']:.2f} | ≤ {row['target ratio']:g} | "
            f"{row['result']} |"
        )
    return "\n".join(lines)


def main() -> None:
    print(f"CPU from launch until the main window is shown; median of {ROUNDS} rounds")
    measured = rows()
    print(table(measured))
    for row in measured:
        print(f"  {row['label']}: {row['samples']} ms; floor {row['floor samples']} ms")
    missed = [str(row["label"]) for row in measured if row["result"] == "missed"]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
