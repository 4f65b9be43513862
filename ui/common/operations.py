"""Long work off the GUI thread, with success and failure callbacks run back on the GUI thread."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    @Slot()
    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as exc:  # handed to the GUI thread, which decides how to show it
            self._deliver(self.signals.failed, exc)
        else:
            self._deliver(self.signals.succeeded, result)

    @staticmethod
    def _deliver(signal: Any, value: object) -> None:
        # The window that asked may have closed while the work ran (e.g. quitting during the
        # dashboard's first load): then there is no one left to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


_running: set[_Job] = set()


def run_in_background(
    parent: QWidget | None,
    label: str,
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None] | None = None,
    *,
    busy_dialog: bool = True,
) -> _Job:
    """Runs work() on a pool thread with a busy indicator; the window keeps answering.

    work must not touch widgets. on_failure defaults to ui.common.errors.show_error. Without
    busy_dialog the caller shows the wait itself (e.g. "Loading…" in place of a table), for
    loads that should never put a dialog in front of the window.
    """
    from ui.common.errors import show_error

    progress: QProgressDialog | None = None
    if busy_dialog:
        progress = QProgressDialog(label, "", 0, 0, parent)
        progress.setCancelButton(None)
        progress.setMinimumDuration(400)  # quick jobs finish before any dialog flashes up
        progress.setWindowTitle("Jurisdesk")
    job = _Job(work)
    _running.add(job)

    def finished() -> None:
        if progress is not None:
            progress.reset()
            progress.deleteLater()
        _running.discard(job)
        # The connections hold the callbacks, and through them the window that asked (a letter
        # preview holds its pages): cut them, or every finished job keeps its window alive.
        for signal in (job.signals.succeeded, job.signals.failed):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect()
        job.signals.deleteLater()

    def succeeded(result: Any) -> None:
        finished()
        on_success(result)

    def failed(error: BaseException) -> None:
        finished()
        (on_failure or (lambda exc: show_error(parent, exc)))(error)

    job.signals.succeeded.connect(succeeded)
    job.signals.failed.connect(failed)
    QThreadPool.globalInstance().start(job)
    return job
