"""Window and UI state kept between runs (QSettings): geometry, selection, recent files, name."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Jurisdesk"
APPLICATION = "Jurisdesk"
MAX_RECENT = 8
# The paper sizes the PDF exports know (app.reports.pdf.PAPERS), as the menu shows them.
PAPERS = {"letter": "US Letter", "a4": "A4"}
DEFAULT_PAPER = "letter"


class Settings:
    """Typed access to the few things the GUI remembers; never records or answers."""

    def __init__(self, settings: QSettings | None = None) -> None:
        # The default constructor follows QSettings.setDefaultFormat/setPath (tests rely on it)
        # and the organisation and application names set in ui.application.
        self._settings = settings or QSettings()

    def sync(self) -> None:
        self._settings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # Window layout.
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, value: QByteArray) -> None:
        self._settings.setValue("window/geometry", value)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, value: QByteArray) -> None:
        self._settings.setValue("window/state", value)

    def splitter(self, name: str) -> QByteArray | None:
        return self._bytes(f"splitters/{name}")

    def set_splitter(self, name: str, value: QByteArray) -> None:
        self._settings.setValue(f"splitters/{name}", value)

    # Where the user was, per database (ids differ between files).
    def _place_key(self, database: Path, what: str) -> str:
        # A digest, because slashes in a key would nest INI groups.
        digest = hashlib.sha1(str(database.resolve()).encode("utf-8")).hexdigest()[:16]
        return f"places/{digest}/{what}"

    def last_jurisdiction(self, database: Path) -> int | None:
        value = self._settings.value(self._place_key(database, "jurisdiction"))
        try:
            return int(str(value)) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def set_last_jurisdiction(self, database: Path, jurisdiction_id: int | None) -> None:
        self._settings.setValue(
            self._place_key(database, "jurisdiction"),
            "" if jurisdiction_id is None else jurisdiction_id,
        )

    def last_tab(self) -> str:
        return str(self._settings.value("window/tab", "profile") or "profile")

    def set_last_tab(self, name: str) -> None:
        self._settings.setValue("window/tab", name)

    # Files.
    def recent_files(self) -> list[Path]:
        value = self._settings.value("files/recent", [])
        if isinstance(value, str):  # INI files give back one item as a plain string
            value = [value]
        items = value if isinstance(value, list) else []
        return [Path(str(item)) for item in items if item]

    def add_recent_file(self, path: Path) -> list[Path]:
        path = path.resolve()
        files = [path] + [p for p in self.recent_files() if p != path]
        files = files[:MAX_RECENT]
        self._settings.setValue("files/recent", [str(p) for p in files])
        return files

    def clear_recent_files(self) -> None:
        self._settings.setValue("files/recent", [])

    def last_folder(self) -> str:
        return str(self._settings.value("files/folder", "") or "")

    def set_last_folder(self, folder: Path) -> None:
        self._settings.setValue("files/folder", str(folder))

    # The person working: their name goes into the audit trail.
    def staff_name(self) -> str:
        return str(self._settings.value("user/staff_name", "") or "")

    def set_staff_name(self, name: str) -> None:
        self._settings.setValue("user/staff_name", name.strip())

    # Paper for letters, reports and printing.
    def paper(self) -> str:
        value = str(self._settings.value("reports/paper", DEFAULT_PAPER) or DEFAULT_PAPER)
        return value if value in PAPERS else DEFAULT_PAPER

    def set_paper(self, paper: str) -> None:
        self._settings.setValue("reports/paper", paper if paper in PAPERS else DEFAULT_PAPER)
