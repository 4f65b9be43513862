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
