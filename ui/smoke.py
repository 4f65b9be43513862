"""A start-up check for installed bundles: with JURISDESK_SMOKE_TEST set, the app says when its
main window is on screen and when it shows the open database, then quits by itself
(scripts/bundle-test runs it). Each line gives the CPU time the process had used by then,
which benchmarks/bench_start.py reads.

JURISDESK_SMOKE_DELAY_MS overrides the wait before quitting (benchmarks/bench_start.py sets 0)."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

SMOKE_TEST_VAR = "JURISDESK_SMOKE_TEST"
SHOWN_MESSAGE = "Jurisdesk main window shown"
READY_MESSAGE = "Jurisdesk database shown"
DELAY_VAR = "JURISDESK_SMOKE_DELAY_MS"
QUIT_AFTER_MS = 1000


class _ShownWatcher(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Show:
            self._done = True
            announce(SHOWN_MESSAGE)
        return False


def announce(message: str) -> None:
    """Prints message with the CPU time (all threads, since the process began) used so far."""
    print(f"{message} after {time.process_time() * 1000:.1f} ms of CPU", flush=True)


def quit_after_ms() -> int:
    """QUIT_AFTER_MS, or JURISDESK_SMOKE_DELAY_MS when it holds a number of milliseconds."""
    try:
        return max(0, int(os.environ.get(DELAY_VAR, "")))
    except ValueError:
        return QUIT_AFTER_MS


def _smoke_test() -> bool:
    if not os.environ.get(SMOKE_TEST_VAR):
        return False
    if sys.stdout is None:  # a windowed program on Windows has no standard output
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - kept for the process's lifetime
    return True


def announce_when_shown(window: QWidget) -> None:
    """When JURISDESK_SMOKE_TEST is set: once window is shown, print SHOWN_MESSAGE to stdout.
    Does nothing otherwise."""
    if not _smoke_test():
        return
    if window.isVisible():
        announce(SHOWN_MESSAGE)
        return
    window.installEventFilter(_ShownWatcher(window))


def quit_when_ready(app: QCoreApplication | None) -> None:
    """When JURISDESK_SMOKE_TEST is set: the open database is shown, so print READY_MESSAGE and
    quit the app about a second later. Does nothing otherwise."""
    if not _smoke_test() or app is None:
        return
    announce(READY_MESSAGE)
    QTimer.singleShot(quit_after_ms(), app.quit)
