"""The File menu's database work: new, open, connect to an office database, recent, backup
copy, restore, and JSON exchange."""

# ruff: noqa: N815 - Qt signals keep Qt's camelCase (currentChanged, openResponse).

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QStyle, QWidget

from app.locations import OfficeServer
from app.services.errors import UserError
from ui import office_database
from ui.common import errors
from ui.common.actions import connect_triggers, make_action
from ui.common.file_names import file_stem
from ui.common.operations import run_in_background
from ui.settings import Settings, location_key, stored_key

if TYPE_CHECKING:
    from app.services.jurisdictions import JurisdictionSummary
    from app.services.store import Store

DATABASE_FILES = "Jurisdesk databases (*.sqlite);;All files (*)"
EXCHANGE_FILES = "Exchange files (*.json);;All files (*)"
RESTORE_TIP = "Replace this database with a backup copy; the current one is kept first"
RESTORE_ON_SERVER_TIP = (
    "An office database is restored by IT, with PostgreSQL's own tools (pg_restore), for "
    "everyone at once"
)
BACKUP_TIP = "Write a complete copy of this database"
BACKUP_ON_SERVER_TIP = (
    "Write a copy of the office database into a Jurisdesk file on this PC (IT backs up the "
    "server itself)"
)


class DatabaseActions(QObject):
    """Picks the files and office databases; the window opens the chosen database and shows
    what was imported."""

    # The window rebuilds its views around another database, so it does the switching.
    openRequested = Signal(object, bool)  # a file's Path or an OfficeServer, create
    restoreRequested = Signal(object)  # the checked backup copy to put in place
    imported = Signal(object)  # the exchange import's result
    statusMessage = Signal(str)

    def __init__(
        self,
        window: QWidget,
        settings: Settings,
        store: Callable[[], Store],
        jurisdiction: Callable[[], JurisdictionSummary | None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self._store = store
        self._jurisdiction = jurisdiction
        self._build_actions()

    # == layout ===========================================================================

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        w = self.window
        self.new_database_action = make_action(
            w, "&New database…", tip="Create an empty database file"
        )
        self.open_database_action = make_action(
            w,
            "&Open database…",
            QKeySequence.StandardKey.Open,
            sp.SP_DialogOpenButton,
            "Open another database file",
        )
        self.connect_action = make_action(
            w,
            "Connect to o&ffice database…",
            icon=sp.SP_DriveNetIcon,
            tip="Open the database your office shares on a server, at the address IT gave you",
        )
        self.recent_menu = QMenu("Open &Recent", w)
        self.recent_menu.setToolTipsVisible(True)
        self.backup_action = make_action(w, "&Backup copy…", icon=sp.SP_DriveHDIcon, tip=BACKUP_TIP)
        self.restore_action = make_action(
            w, "Re&store from backup…", icon=sp.SP_BrowserReload, tip=RESTORE_TIP
        )
        self.import_action = make_action(
            w,
            "&Import JSON…",
            icon=sp.SP_ArrowDown,
            tip="Read a jurisdiction from an exchange file",
        )
        self.export_action = make_action(
            w,
            "&Export JSON…",
            icon=sp.SP_ArrowUp,
            tip="Write the selected jurisdiction to an exchange file",
        )
        connect_triggers(
            (
                (self.new_database_action, self.new_database),
                (self.open_database_action, self.open_database),
                (self.connect_action, self.connect_office_database),
                (self.backup_action, self.backup_copy),
                (self.restore_action, self.restore_backup),
                (self.import_action, self.import_json),
                (self.export_action, self.export_json),
            )
        )
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)

    def add_to_menu(self, menu: QMenu) -> None:
        menu.addAction(self.new_database_action)
        menu.addAction(self.open_database_action)
        menu.addAction(self.connect_action)
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        menu.addAction(self.backup_action)
        menu.addAction(self.restore_action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)

    def update(self, has_jurisdiction: bool) -> None:
        self.export_action.setEnabled(has_jurisdiction)
        on_server = self._store().server is not None
        # Jurisdesk never replaces a shared database under everyone's feet.
        self.restore_action.setEnabled(not on_server)
        self.restore_action.setToolTip(RESTORE_ON_SERVER_TIP if on_server else RESTORE_TIP)
        self.restore_action.setStatusTip(self.restore_action.toolTip())
        self.backup_action.setToolTip(BACKUP_ON_SERVER_TIP if on_server else BACKUP_TIP)
        self.backup_action.setStatusTip(self.backup_action.toolTip())

    # == folders ==========================================================================

    def folder(self) -> str:
        """Where file dialogs start: the folder of the last file chosen."""
        return self.settings.last_folder() or str(Path.home())

    def remember_folder(self, path: Path) -> None:
        self.settings.set_last_folder(path.parent)

    # == databases ========================================================================

    def new_database(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.window,
            "New database",
            str(Path(self.folder()) / "jurisdesk.sqlite"),
            DATABASE_FILES,
        )
        if not name:
            return
        path = Path(name)
        if path.suffix == "":
            path = path.with_suffix(".sqlite")
        if path.exists():
            errors.message(
                self.window,
                "File already exists",
                f"{path.name} already exists.",
                icon=QMessageBox.Icon.Warning,
                informative="Choose another name for a new database, or open this one with "
                "File ▸ Open database.",
            )
            return
        self.openRequested.emit(path, True)

    def open_database(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Open database", self.folder(), DATABASE_FILES
        )
        if name:
            self.openRequested.emit(Path(name), False)

    def connect_office_database(self) -> None:
        """Asks for the office database's address (starting from the one open, else the one
        used last) and has the window connect to it."""
        initial = self._store().server or next(
            (
                known
                for known in self.settings.recent_databases()
                if isinstance(known, OfficeServer)
            ),
            None,
        )
        server = office_database.ask_server(self.window, initial)
        if server is not None:
            self.openRequested.emit(server, False)

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        databases = self.settings.recent_databases()
        current = location_key(self._store().location)
        for number, location in enumerate(databases, start=1):
            if isinstance(location, OfficeServer):
                text = f"{office_database.short_name(location)} (office database)"
                tip = location.address
            else:
                text = tip = str(location)
            action = self.recent_menu.addAction(f"&{number} {text}")
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.triggered.connect(
                lambda _c=False, known=location: self.openRequested.emit(known, False)
            )
            action.setEnabled(stored_key(location) != current)
        if not databases:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("&Clear this list", self.settings.clear_recent_databases)

    def backup_copy(self) -> None:
        """A complete copy in a Jurisdesk file; of an office database too (IT backs up the
        server itself with PostgreSQL's tools)."""
        from app.services import backup

        store = self._store()
        if store.path is not None:
            stem = store.path.stem
        else:
            assert store.server is not None
            stem = file_stem(store.server.database)
        suggested = f"{stem}-backup-{date.today().isoformat()}.sqlite"
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Backup copy", str(Path(self.folder()) / suggested), DATABASE_FILES
        )
        if not name:
            return
        target = Path(name)
        self.remember_folder(target)
        # The save dialog already asked before replacing an existing file.
        run_in_background(
            self.window,
            "Writing the backup copy…",
            lambda: backup.backup_to(store, target, replace=True),
            lambda path: self.statusMessage.emit(f"Backup copy written to {path}."),
        )

    def restore_backup(self) -> None:
        """Picks a backup copy, checks it, and asks before the window puts it in place."""
        from app.services import backup, restore

        current = self._store().path
        if current is None:
            server = self._store().server
            assert server is not None
            name = office_database.sentence(office_database.full_name(server))
            errors.message(
                self.window,
                "Restore from backup",
                f"{name} is shared on a server: IT restores it, with PostgreSQL's own tools "
                "(pg_restore), for everyone at once.",
                informative="Jurisdesk can write a copy of it into a file on this PC with "
                "File ▸ Backup copy….",
            )
            return
        automatic = backup.backups_folder(current)
        start = automatic if automatic.is_dir() else Path(self.folder())
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Restore from backup", str(start), DATABASE_FILES
        )
        if not name:
            return
        chosen = Path(name)
        try:
            checked = restore.check_backup(chosen)
        except UserError as exc:
            errors.message(
                self.window,
                "Cannot restore this file",
                str(exc),
                icon=QMessageBox.Icon.Warning,
                informative=f"{current.name} was not changed.",
            )
            return
        upgrade = (
            " It comes from an older Jurisdesk and will be upgraded when it opens."
            if checked.needs_upgrade
            else ""
        )
        answer = errors.ask(
            self.window,
            "Restore from backup",
            f"Replace {current.name} with the backup copy {chosen.name}?",
            informative=(
                f"The database as it is now is copied into {automatic} first, so this can be "
                f"undone.{upgrade} Close Jurisdesk on other PCs and in other windows that "
                "use this database before you go on."
            ),
            labels={QMessageBox.StandardButton.Yes: "Restore"},
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restoreRequested.emit(chosen)

    # == exchange files ===================================================================

    def import_json(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Import JSON", self.folder(), EXCHANGE_FILES
        )
        if not name:
            return
        path = Path(name)
        self.remember_folder(path)
        from app.services import exchange

        store = self._store()
        run_in_background(
            self.window,
            f"Importing {path.name}…",
            lambda: exchange.import_file(store, path),
            self._imported,
            self._import_failed,
        )

    def _imported(self, result: Any) -> None:
        self.imported.emit(result)
        text = result.describe()
        self.statusMessage.emit(text)
        errors.message(self.window, "Import finished", text)

    def _import_failed(self, error: BaseException) -> None:
        problems = getattr(error, "problems", None)
        if isinstance(error, UserError) and problems:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Import refused",
                str(error).split("\n")[0],
                parent=self.window,
            )
            box.setInformativeText("\n".join(str(p) for p in problems[:10]))
            box.setDetailedText("\n".join(str(p) for p in problems))
            errors.present(box)
        else:
            errors.show_error(self.window, error)

    def export_json(self) -> None:
        summary = self._jurisdiction()
        if summary is None:
            self.statusMessage.emit("Choose a jurisdiction to export first.")
            return
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in summary.name).strip()
        name, _ = QFileDialog.getSaveFileName(
            self.window,
            "Export JSON",
            str(Path(self.folder()) / f"{safe or 'jurisdiction'}.json"),
            EXCHANGE_FILES,
        )
        if not name:
            return
        target = Path(name)
        self.remember_folder(target)
        from app.services import exchange

        store, jurisdiction_id = self._store(), summary.id
        run_in_background(
            self.window,
            f"Exporting {summary.name}…",
            lambda: exchange.export_jurisdiction(store, jurisdiction_id, target),
            lambda result: self.statusMessage.emit(f"Exported {summary.name} to {result.path}."),
        )
