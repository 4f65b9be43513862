"""Long work off the GUI thread, with success and failure callbacks run back on the GUI thread.

run_in_background shows a busy indicator; run_with_progress also shows how far the work is
and a Cancel button that asks the work to stop (see app.progress); wait_for runs work whose
result the caller needs before it goes on (a save before closing), the window answering.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import (
    SIGNAL,
    SLOT,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget

from app.progress import Cancellation, Cancelled, Progress

__all__ = [
    "Cancellation",
    "Cancelled",
    "Progress",
    "ProgressDialog",
    "run_in_background",
    "run_with_progress",
    "wait_for",
]

T = TypeVar("T")

# Quick jobs finish before any dialog flashes up.
SHOW_AFTER_MS = 400
CANCELLING = "Cancelling…"


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()
        # Set once run() has returned from its last emit: only then may the signals go.
        self.ran = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as exc:  # handed to the GUI thread, which decides how to show it
            self._deliver(self.signals.failed, exc)
        else:
            self._deliver(self.signals.succeeded, result)
        finally:
            self.ran.set()

    @staticmethod
    def _deliver(signal: Any, value: object) -> None:
        # The window that asked may have closed while the work ran (e.g. quitting during the
        # dashboard's first load): then there is no one left to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


_running: set[_Job] = set()
# Finished jobs whose pool thread may still be inside emit(): the queued result can reach the
# window before emit() has returned there, and cutting the connections or deleting the signals
# under it crashes the process. Each is let go once its run() has returned (see _release).
_retiring: list[tuple[threading.Event, QObject, tuple[Any, ...]]] = []
# How long the window waits for a job's thread to leave emit(): microseconds as a rule.
_LEAVE_EMIT_SECONDS = 0.5


def _release(job: _Job | _ProgressJob, *signals: Any) -> None:
    """Cuts a finished job's connections and lets its signals object go. The connections hold
    the callbacks, and through them the window that asked (a letter preview holds its pages):
    kept, every finished job would keep its window alive."""
    # Event.wait lets go of the GIL, so the pool thread can finish its emit() meanwhile.
    job.ran.wait(_LEAVE_EMIT_SECONDS)
    _retiring.append((job.ran, job.signals, signals))
    still_running = []
    for ran, owner, connected in _retiring:
        if not ran.is_set():
            still_running.append((ran, owner, connected))
            continue
        for signal in connected:
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect()
        with contextlib.suppress(RuntimeError):
            owner.deleteLater()
    _retiring[:] = still_running


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
        progress.setMinimumDuration(SHOW_AFTER_MS)  # quick jobs finish before a dialog flashes
        progress.setWindowTitle("Jurisdesk")
    job = _Job(work)
    _running.add(job)

    def finished() -> None:
        if progress is not None:
            progress.reset()
            progress.deleteLater()
        _running.discard(job)
        _release(job, job.signals.succeeded, job.signals.failed)

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


def wait_for(
    work: Callable[[], T],
    *,
    waiting: Callable[[], None] | None = None,
    busy: QWidget | None = None,
    after_ms: int = SHOW_AFTER_MS,
) -> T:
    """Runs work on a pool thread and returns what it returns (or raises what it raises),
    the window answering meanwhile: for a save whose outcome decides what comes next (closing,
    a workflow step, a dialog's OK), which a busy database may hold for seconds.

    For the first after_ms only timers and painting are handled; keys and clicks wait, as they
    would for a save on the window's thread, so a quick save changes nothing for the user.
    After that, busy (the dialog or form whose save it is) is disabled so it cannot be saved
    twice, the cursor says "busy", waiting() is called (to say "Waiting for the database…"),
    and everything else answers. The caller must not rely on the rest of the screen staying as
    it was (the editors check that they still exist afterwards)."""
    job = _Job(work)
    outcome: list[tuple[bool, Any]] = []
    job.signals.succeeded.connect(lambda result: outcome.append((True, result)))
    job.signals.failed.connect(lambda error: outcome.append((False, error)))
    _running.add(job)
    QThreadPool.globalInstance().start(job)
    deadline = time.monotonic() + after_ms / 1000
    flags = QEventLoop.ProcessEventsFlag.WaitForMoreEvents
    quiet = flags | QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
    told = False
    try:
        while not outcome:
            if not told and time.monotonic() >= deadline:
                told = True
                if busy is not None:
                    busy.setEnabled(False)
                QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
                if waiting is not None:
                    waiting()
            QApplication.processEvents(flags if told else quiet, 50)
    finally:
        if told:
            QApplication.restoreOverrideCursor()
            if busy is not None and shiboken6.isValid(busy):
                busy.setEnabled(True)
        _running.discard(job)
        _release(job, job.signals.succeeded, job.signals.failed)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


class ProgressDialog(QProgressDialog):
    """A progress dialog whose Cancel asks the work to stop and stays up until it has.

    QProgressDialog hides itself the moment Cancel is pressed; here Cancel (the button,
    Escape or closing the window) only sets the cancellation and says "Cancelling…", and the
    dialog goes when the work has really stopped (finish()).
    """

    def __init__(self, label: str, parent: QWidget | None, cancellation: Cancellation) -> None:
        super().__init__(label, "", 0, 0, parent)
        self.cancellation = cancellation
        self.cancel_button = QPushButton("Cancel", self)
        self.setCancelButton(self.cancel_button)
        self.setWindowTitle("Jurisdesk")
        self.setAutoReset(False)
        self.setAutoClose(False)
        self.setMinimumDuration(SHOW_AFTER_MS)
        # The built-in canceled → cancel() connection hides the dialog at once: replaced.
        QObject.disconnect(self, SIGNAL("canceled()"), self, SLOT("cancel()"))
        self.canceled.connect(self.request_cancel)

    def request_cancel(self) -> None:
        if self.cancellation.cancelled:
            return
        self.cancellation.cancel()
        self.setLabelText(CANCELLING)
        self.cancel_button.setEnabled(False)

    def report(self, done: int, total: int, text: str) -> None:
        if self.cancellation.cancelled:
            return  # "Cancelling…" stays until the work stops
        if total > 0:
            if self.maximum() != total:
                self.setRange(0, total)
            self.setValue(min(done, total))
        if text:
            self.setLabelText(text)

    def reject(self) -> None:  # Escape
        self.request_cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.request_cancel()

    def finish(self) -> None:
        self.canceled.disconnect(self.request_cancel)
        self.reset()
        self.hide()
        self.deleteLater()


class _ProgressSignals(_Signals):
    progressed = Signal(int, int, str)
    cancelled = Signal()


class _ProgressJob(QRunnable):
    def __init__(self, work: Callable[[Progress, Cancellation], Any]) -> None:
        super().__init__()
        self.work = work
        self.cancellation = Cancellation()
        self.signals = _ProgressSignals()
        self.ran = threading.Event()  # as _Job.ran

    def progress(self, done: int, total: int, text: str) -> None:
        with contextlib.suppress(RuntimeError):
            self.signals.progressed.emit(done, total, text)

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(self.progress, self.cancellation)
        except Cancelled:
            with contextlib.suppress(RuntimeError):
                self.signals.cancelled.emit()
        except BaseException as exc:  # handed to the GUI thread, which decides how to show it
            _Job._deliver(self.signals.failed, exc)
        else:
            _Job._deliver(self.signals.succeeded, result)
        finally:
            self.ran.set()


_running_with_progress: set[_ProgressJob] = set()


def run_with_progress(
    parent: QWidget | None,
    label: str,
    work: Callable[[Progress, Cancellation], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    *,
    modal: bool = False,
) -> _ProgressJob:
    """Runs work(progress, cancellation) on a pool thread with a progress dialog and Cancel.

    work calls progress(done, total, text) as it goes (total 0: not known), and polls the
    cancellation (calling it, or cancellation.check()); raising app.progress.Cancelled ends
    it quietly, and on_cancelled (if any) runs instead of on_success. Cancel in the dialog
    only asks: the dialog says "Cancelling…" until the work has stopped. work must not touch
    widgets. on_failure defaults to ui.common.errors.show_error.
    """
    from ui.common.errors import show_error

    job = _ProgressJob(work)
    dialog = ProgressDialog(label, parent, job.cancellation)
    if modal:
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
    job.dialog = dialog  # type: ignore[attr-defined]  # for tests: the dialog of this job
    _running_with_progress.add(job)

    def finished() -> None:
        dialog.finish()
        _running_with_progress.discard(job)
        signals = job.signals
        _release(job, signals.succeeded, signals.failed, signals.progressed, signals.cancelled)

    def succeeded(result: Any) -> None:
        finished()
        on_success(result)

    def failed(error: BaseException) -> None:
        finished()
        (on_failure or (lambda exc: show_error(parent, exc)))(error)

    def cancelled() -> None:
        finished()
        if on_cancelled is not None:
            on_cancelled()

    job.signals.succeeded.connect(succeeded)
    job.signals.failed.connect(failed)
    job.signals.cancelled.connect(cancelled)
    job.signals.progressed.connect(dialog.report)
    QThreadPool.globalInstance().start(job)
    return job
