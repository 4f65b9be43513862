"""A start-up check for installed bundles: with JURISDESK_SMOKE_TEST set, the app says when its
main window is on screen and then quits by itself (scripts/bundle-test runs it).

JURISDESK_SMOKE_DELAY_MS overrides the wait before quitting (benchmarks/bench_start.py sets 0,
so a start-up measurement ends when the window is shown)."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

SMOKE_TEST_VAR = "JURISDESK_SMOKE_TEST"
SHOWN_MESSAGE = "Jurisdesk main window shown"
DELAY_VAR = "JURISDESK_SMOKE_DELAY_MS"
QUIT_AFTER_MS = 1000


class _ShownWatcher(QObject):
    def __init__(self, app: QApplication, window: QWidget) -> None:
        super().__init__(window)
        self._app = app
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Show:
            self._done = True
            announce_and_quit(self._app)
        return False


def announce_and_quit(app: QApplication) -> None:
    print(SHOWN_MESSAGE, flush=True)
    QTimer.singleShot(quit_after_ms(), app.quit)


def quit_after_ms() -> int:
    """QUIT_AFTER_MS, or JURISDESK_SMOKE_DELAY_MS when it holds a number of milliseconds."""
    try:
        return max(0, int(os.environ.get(DELAY_VAR, "")))
    except ValueError:
        return QUIT_AFTER_MS


def quit_when_shown(app: QApplication, window: QWidget) -> None:
    """When JURISDESK_SMOKE_TEST is set: once window is shown, print SHOWN_MESSAGE to stdout and
    quit the app about a second later. Does nothing otherwise."""
    if not os.environ.get(SMOKE_TEST_VAR):
        return
    if sys.stdout is None:  # a windowed program on Windows has no standard output
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - kept for the process's lifetime
    if window.isVisible():
        announce_and_quit(app)
        return
    window.installEventFilter(_ShownWatcher(app, window))
