"""Progress and cancellation for long work, without Qt: the GUI passes these to app code.

`progress(done, total, text)` says how far the work is; `cancelled()` says whether the user
asked it to stop. Work that sees `cancelled()` raises Cancelled at a point where stopping
leaves nothing half done; whoever started the work treats Cancelled as a quiet end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

#: done, total (0: not known), what is being done now.
Progress = Callable[[int, int, str], None]
#: True once the user asked the work to stop.
CancelCheck = Callable[[], bool]


class Cancelled(Exception):
    """The user cancelled the work; it stopped without leaving anything half written."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class Cancellation:
    """A cancel request shared between the thread that asks and the one that works.

    Calling it answers "cancelled yet?", so it can be passed wherever a CancelCheck is taken.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raises Cancelled if the user asked to stop."""
        if self._event.is_set():
            raise Cancelled()


def no_progress(done: int, total: int, text: str) -> None:
    """The progress of work nobody watches."""


def never_cancelled() -> bool:
    return False


def check(cancelled: CancelCheck | None) -> None:
    """Raises Cancelled if cancelled says so (None: the work cannot be cancelled)."""
    if cancelled is not None and cancelled():
        raise Cancelled()
