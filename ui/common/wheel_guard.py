"""Keeps the mouse wheel from changing a choice, number or date the pointer merely passes over."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

# Spin boxes include every QDateEdit and QDoubleSpinBox.
GUARDED = (QComboBox, QAbstractSpinBox)


class WheelGuard(QObject):
    """Sees every widget's events first (it filters the application), so no widget is missed.

    Someone scrolling a long page with the pointer over a combo box means to scroll the page:
    the wheel changes such a widget only once it has the keyboard focus.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(watched, GUARDED) and not watched.hasFocus():
                # Handled-but-ignored: Qt then offers the event to the parent, which scrolls.
                event.ignore()
                return True
        elif (
            kind == QEvent.Type.Polish
            and isinstance(watched, GUARDED)
            and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus
        ):
            # Their default WheelFocus would hand them the focus on the first turn of the wheel,
            # and with it every following turn.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def install_wheel_guard(application: QCoreApplication) -> None:
    """Guards every widget of the application from now on; calling it again changes nothing."""
    if application.findChild(WheelGuard) is None:
        # Parented to the application, which keeps it alive as long as it filters.
        application.installEventFilter(WheelGuard(application))
