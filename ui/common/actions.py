"""One way to make a menu or toolbar action: text, shortcut, icon and the tip that explains it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

Shortcut = QKeySequence | QKeySequence.StandardKey | str


def make_action(
    window: QWidget,
    text: str,
    shortcut: Shortcut | None = None,
    icon: QStyle.StandardPixmap | None = None,
    tip: str = "",
) -> QAction:
    """An action owned by the window; whoever builds it connects its trigger."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    return action


def connect_triggers(triggers: Iterable[tuple[QAction, Callable[[], object]]]) -> None:
    """Runs each slot when its action is triggered; the checked flag is not passed on."""
    for action, slot in triggers:
        action.triggered.connect(lambda _checked=False, run=slot: run())
