"""Background work: results reach the GUI thread, and a closed window is no error."""

import shiboken6
from pytestqt.qtbot import QtBot

from ui.common.operations import _Job, run_in_background


def test_work_runs_off_the_gui_thread_and_reports_back(qtbot: QtBot) -> None:
    results: list[object] = []
    run_in_background(None, "Counting…", lambda: sum(range(10)), results.append, busy_dialog=False)
    qtbot.waitUntil(lambda: results == [45])


def test_a_result_for_a_window_that_closed_meanwhile_is_dropped_quietly() -> None:
    job = _Job(lambda: 1)
    shiboken6.delete(job.signals)  # what quitting does to the receiver's side
    job.run()  # must not raise "Signal source has been deleted"


class _Pages:
    """Stands for what a window keeps (a letter preview keeps its page images)."""


def test_a_finished_job_keeps_nothing_of_the_window_that_asked(qtbot: QtBot) -> None:
    """The callbacks hold the window that asked; a finished job must let it go, or every
    preview of a day's work stays in memory (a window open all day grew 10 MB a letter)."""
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    done: list[object] = []

    def ask() -> weakref.ref[_Pages]:
        held = _Pages()

        def succeeded(result: object) -> None:
            done.append((result, held is not None))

        run_in_background(None, "", lambda: 1, succeeded, busy_dialog=False)
        return weakref.ref(held)

    gone = ask()
    qtbot.waitUntil(lambda: len(done) == 1)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert gone() is None
