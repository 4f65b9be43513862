"""The application icon, for window title bars, the task bar and the Dock."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from app.paths import resource_path

ICON_FILE = ("icons", "jurisdesk.png")


def application_icon() -> QIcon:
    """The Jurisdesk mark (resources/icons/jurisdesk.png); an empty icon if the file is missing,
    so a damaged installation still starts."""
    path = resource_path(*ICON_FILE)
    return QIcon(str(path)) if path.is_file() else QIcon()
