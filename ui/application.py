"""Starts the desktop app: Qt set-up, error handling, opening the database, the main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from app import __version__
from app.paths import demo_database_path
from app.services.errors import UserError
from ui import welcome
from ui.common import errors
from ui.common.operations import run_in_background
from ui.common.wheel_guard import install_wheel_guard
from ui.icon import application_icon
from ui.settings import APPLICATION, ORGANIZATION, Settings
from ui.smoke import announce_when_shown, quit_when_ready

if TYPE_CHECKING:
    from app.services.store import Store
    from ui.main_window import MainWindow

log = logging.getLogger("jurisdesk.ui")
Button = QMessageBox.StandardButton
DATABASE_FILTER = "Jurisdesk databases (*.sqlite);;All files (*)"


def _install_excepthook() -> None:
    """An error nobody caught is our bug: log it and apologise, instead of vanishing."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        try:
            errors.show_error(QApplication.activeWindow(), error.with_traceback(trace))
        except Exception:  # the dialog itself failed; the log still gets the original
            log.exception("Could not show the error dialog", exc_info=(kind, error, trace))

    sys.excepthook = hook


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        install_wheel_guard(existing)
        return existing
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    application = QApplication(argv if argv is not None else sys.argv[:1])
    # No application display name: X11, Wayland and Windows append it to every window title,
    # which made the main window read "Jurisdesk — b.sqlite — Jurisdesk".
    # Fusion looks the same on every office PC, so help texts and screenshots match.
    application.setStyle("Fusion")
    application.setWindowIcon(application_icon())
    install_wheel_guard(application)
    return application


def open_or_choose(
    path: Path,
    actor: str | None,
    *,
    refused: UserError | None = None,
    parent: QWidget | None = None,
) -> Store | None:
    """Opens the database; a refused file offers another file or a new one, never a traceback.

    refused: why path was already refused (it was tried in the background): the choice is
    offered at once."""
    from app.services.store import open_store

    while True:
        try:
            if refused is not None:
                raise refused
            return open_store(path, actor=actor)
        except UserError as exc:
            refused = None
            answer = errors.message(
                parent,
                "Cannot open the database",
                str(exc),
                icon=QMessageBox.Icon.Warning,
                informative="Open another database file, create a new one, or quit.",
                buttons=Button.Open | Button.Save | Button.Close,
                default=Button.Open,
                labels={Button.Open: "Open another…", Button.Save: "Create new…",
                        Button.Close: "Quit"},
            )  # fmt: skip
            if answer == Button.Open:
                name, _ = QFileDialog.getOpenFileName(
                    parent, "Open database", str(path.parent), DATABASE_FILTER
                )
            elif answer == Button.Save:
                name, _ = QFileDialog.getSaveFileName(
                    parent, "New database", str(path.parent / "jurisdesk.sqlite"), DATABASE_FILTER
                )
                if name and Path(name).exists():
                    errors.message(
                        parent,
                        "File already exists",
                        f"{Path(name).name} already exists; choose a new name for a new database.",
                        icon=QMessageBox.Icon.Warning,
                    )
                    continue
            else:
                return None
            if not name:
                continue
            path = Path(name)


def remembered_database(settings: Settings) -> Path | None:
    """The database opened last, if it still exists; never the demo's file."""
    demo = demo_database_path().resolve()
    for path in settings.recent_files():
        if path.resolve() == demo:
            continue
        return path if path.is_file() else None
    return None


def choose_first_database(new_path: Path, *, actor: str | None, settings: Settings) -> Path | None:
    """The first start: the database opened last, else the welcome dialog's choice; None to quit.

    Nothing is created here except the demo's own file when the person asks for the demo.
    """
    remembered = remembered_database(settings)
    if remembered is not None:
        return remembered
    while True:
        dialog = welcome.ask(new_path, settings.last_folder())
        if dialog.choice is welcome.Choice.QUIT:
            return None
        if dialog.choice is not welcome.Choice.DEMO:
            assert dialog.path is not None
            return dialog.path
        from app.services import demo

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return demo.prepare_demo_database(demo_database_path(), actor=actor)
        except UserError as exc:
            errors.show_error(None, exc)
        finally:
            QApplication.restoreOverrideCursor()


def run(
    path: Path,
    *,
    actor: str | None,
    first_start: bool = False,
    notices: Sequence[str] = (),
) -> int:
    """The desktop app's main loop; returns the process exit code.

    first_start: nothing named a database and there is none at path (the per-user default)
    yet, so the database opened last or the welcome dialog decides. notices: problems met
    while looking for the database (an IT settings file that cannot be read), shown first.
    """
    application = make_application()
    errors.configure_logging()
    _install_excepthook()
    settings = Settings()
    actor = actor or settings.staff_name() or None
    for notice in notices:
        log.warning(notice)
        errors.message(
            None, "Jurisdesk settings file ignored", notice, icon=QMessageBox.Icon.Warning
        )
    if first_start:
        chosen = choose_first_database(path, actor=actor, settings=settings)
        if chosen is None:
            return 0
        path = chosen
    from ui.main_window import MainWindow

    # The window shows first, with its menus; the database opens, and the modules that show it
    # load, on a pool thread meanwhile (about two thirds of a start's work).
    window = MainWindow(None, settings)
    window.show_opening(path)
    # The bundle's own test starts the program this way and expects it to quit by itself.
    announce_when_shown(window)
    window.show()
    open_in_window(window, path, actor)
    try:
        return int(application.exec())
    finally:
        # The dashboard may still be reading in the background (a quit soon after the start):
        # the database is closed, and Python finalised, only once no thread uses them.
        QThreadPool.globalInstance().waitForDone()
        # The window may have switched to another database meanwhile.
        if window.workspace_ready:
            window.store.close()


def open_in_window(window: MainWindow, path: Path, actor: str | None) -> None:
    """Opens path on a pool thread and shows it in window; a refused file offers a choice
    (quitting with status 2 when the user declines every one)."""

    def work() -> Store:
        from app.services.store import open_store
        from ui.main_window import load_workspace

        store = open_store(path, actor=actor)
        try:
            load_workspace()
        except BaseException:
            store.close()
            raise
        return store

    def opened(store: Store) -> None:
        if not window.isVisible():  # closed while it opened
            store.close()
            return
        window.open_workspace(store)
        quit_when_ready(QApplication.instance())

    def refused(error: BaseException) -> None:
        if not isinstance(error, UserError):
            errors.show_error(window, error)
            QCoreApplication.exit(1)
            return
        window.show_refused(path)
        store = open_or_choose(path, actor, refused=error, parent=window)
        if store is None:
            QCoreApplication.exit(2)
            return
        opened(store)

    run_in_background(window, "Opening the database…", work, opened, refused, busy_dialog=False)
