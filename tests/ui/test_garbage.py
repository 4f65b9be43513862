"""Cycles holding widgets are collected on the window's thread, never on a pool thread."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ui.common import garbage


class _Held(QWidget):
    """A widget kept alive only by a reference cycle, as a closed editor and its callbacks."""

    freed_in: list[QThread | None]

    def __del__(self) -> None:
        self.freed_in.append(QThread.currentThread())


def test_a_cycle_holding_a_widget_is_collected_on_the_window_s_thread(qtbot: QtBot) -> None:
    assert not gc.isenabled()  # the collector of tests/ui/conftest.py, as the application's
    freed_in: list[QThread | None] = []
    widget = _Held()
    widget.freed_in = freed_in
    widget.cycle = widget  # type: ignore[attr-defined]
    gone = weakref.ref(widget)
    del widget

    kept: list[list[int]] = []

    def allocate() -> None:
        # Far past the first generation's threshold, and kept (Python counts allocations less
        # deallocations): Python would collect here, on this thread.
        kept.extend([index] for index in range(gc.get_threshold()[0] * 20))

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert gone() is not None, "collected off the window's thread"
    qtbot.waitUntil(lambda: gone() is None, timeout=5 * garbage.INTERVAL_MS + 2000)
    assert freed_in == [QThread.currentThread()]
    kept.clear()


def test_python_collects_by_itself_again_once_stopped(qapp: object) -> None:
    collector = garbage.GuiThreadCollector()
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()
    gc.disable()  # back to the state the test's own collector keeps until its teardown
