"""Python's cycle collector, run on the window's thread only.

Python collects reference cycles in whichever thread happens to allocate when a threshold is
crossed, and that is often a pool thread (a save, an export). A cycle may hold the last
reference to a widget or dialog (a closed editor and its callbacks): collected there, the
widget is deleted off the window's thread, and Qt crashes the process. So automatic collection
is switched off, and a timer on the window's thread collects when Python would have, by the
same thresholds. Plain reference counting, which frees almost everything, is unaffected.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# Often enough that garbage never piles up, rarely enough to cost nothing measurable.
INTERVAL_MS = 200


class GuiThreadCollector(QObject):
    """Collects cycles from the thread it was made in (the window's), by Python's thresholds."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return
        # The oldest generation whose count passed its threshold, as Python itself picks.
        generation = 0
        if counts[1] > self.thresholds[1]:
            generation = 1
            if counts[2] > self.thresholds[2]:
                generation = 2
        gc.collect(generation)

    def stop(self) -> None:
        """Collects what is left here, then gives collection back to Python."""
        self.timer.stop()
        gc.collect()
        gc.enable()


_installed: GuiThreadCollector | None = None


def collect_on_gui_thread(application: QObject) -> GuiThreadCollector:
    """Installs the collector once per process (call on the window's thread)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector(application)
    return _installed


def stop_collecting_on_gui_thread() -> None:
    global _installed
    if _installed is not None:
        _installed.stop()
        _installed.deleteLater()
        _installed = None
