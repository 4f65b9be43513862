"""Window and UI state kept between runs (QSettings): geometry, selection, recent databases,
name. Never a password: an office database is remembered by its address, which has none."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.locations import AddressError, Location, parse_location

ORGANIZATION = "Jurisdesk"
APPLICATION = "Jurisdesk"
MAX_RECENT = 8
# The paper sizes the PDF exports know (app.reports.pdf.PAPERS), as the menu shows them.
PAPERS = {"letter": "US Letter", "a4": "A4"}
DEFAULT_PAPER = "letter"


def location_key(location: Location) -> str:
    """How the settings name a database: a file by its full path, an office database by its
    address (which never holds a password)."""
    if isinstance(location, Path):
        return str(location.resolve())
    return location.address


def stored_key(location: Location) -> str:
    """location_key of a database read back from the recent list, which keeps full paths:
    resolving each again would touch the disk, and a recent file on a network folder that is
    offline could hold up the window."""
    return str(location) if isinstance(location, Path) else location.address


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

    # Where the user was, per database (ids differ between databases).
    def _place_key(self, database: Location, what: str) -> str:
        # A digest, because slashes in a key would nest INI groups.
        digest = hashlib.sha1(location_key(database).encode("utf-8")).hexdigest()[:16]
        return f"places/{digest}/{what}"

    def last_jurisdiction(self, database: Location) -> int | None:
        value = self._settings.value(self._place_key(database, "jurisdiction"))
        try:
            return int(str(value)) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def set_last_jurisdiction(self, database: Location, jurisdiction_id: int | None) -> None:
        self._settings.setValue(
            self._place_key(database, "jurisdiction"),
            "" if jurisdiction_id is None else jurisdiction_id,
        )

    def last_tab(self) -> str:
        return str(self._settings.value("window/tab", "profile") or "profile")

    def set_last_tab(self, name: str) -> None:
        self._settings.setValue("window/tab", name)

    # Databases: files, and office databases by their address.
    def recent_databases(self) -> list[Location]:
        """The databases opened last, newest first; an entry that is no longer a usable file
        path or address (edited by hand, from another version) is left out."""
        value = self._settings.value("files/recent", [])
        if isinstance(value, str):  # INI files give back one item as a plain string
            value = [value]
        items = value if isinstance(value, list) else []
        databases: list[Location] = []
        for item in items:
            text = str(item).strip() if item is not None else ""
            if not text:
                continue
            try:
                databases.append(parse_location(text))
            except AddressError:
                continue
        return databases

    def add_recent_database(self, location: Location) -> list[Location]:
        if isinstance(location, Path):
            location = location.resolve()
        key = location_key(location)
        databases = [location] + [
            known for known in self.recent_databases() if stored_key(known) != key
        ]
        databases = databases[:MAX_RECENT]
        self._settings.setValue("files/recent", [stored_key(known) for known in databases])
        return databases

    def clear_recent_databases(self) -> None:
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
