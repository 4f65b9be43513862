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
from app.locations import Location, OfficeServer
from app.paths import demo_database_path
from app.services.errors import UserError
from ui import office_database, welcome
from ui.common import colours, errors
from ui.common.garbage import collect_on_gui_thread
from ui.common.wheel_guard import install_wheel_guard
from ui.icon import application_icon
from ui.opening import Opening
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
        collect_on_gui_thread(existing)
        return existing
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    application = QApplication(argv if argv is not None else sys.argv[:1])
    # No application display name: X11, Wayland and Windows append it to every window title,
    # which made the main window read "Jurisdesk — b.sqlite — Jurisdesk".
    # Fusion looks the same on every office PC, so help texts and screenshots match; with a
    # focus frame that can be seen, and a selection colour that reads (ui/common/colours.py).
    colours.install(application)
    application.setWindowIcon(application_icon())
    install_wheel_guard(application)
    collect_on_gui_thread(application)
    return application


def choose_instead(
    location: Location,
    refused: UserError,
    *,
    parent: QWidget | None = None,
    folder: str = "",
) -> Location | None:
    """Says why location cannot be opened and asks what to open instead: another file or a
    new one; for an office database, the same again (a server that was down) or another
    office database. None: the person chose to quit. Nothing is opened here."""
    while True:
        if isinstance(location, OfficeServer):
            # Standard buttons only for their place: the same role keeps them in this order.
            answer = errors.message(
                parent,
                "Cannot open the database",
                str(refused),
                icon=QMessageBox.Icon.Warning,
                informative="Try again, connect to another office database, open a database "
                "file, or quit.",
                buttons=Button.Ok | Button.SaveAll | Button.Open | Button.Close,
                default=Button.Ok,
                labels={Button.Ok: "Try again", Button.SaveAll: "Other office database…",
                        Button.Open: "Open a file…", Button.Close: "Quit"},
            )  # fmt: skip
            choice = {Button.Ok: "retry", Button.SaveAll: "connect", Button.Open: "open"}
            start = Path(folder or Path.home())
        else:
            answer = errors.message(
                parent,
                "Cannot open the database",
                str(refused),
                icon=QMessageBox.Icon.Warning,
                informative="Open another database file, create a new one, or quit.",
                buttons=Button.Open | Button.Save | Button.Close,
                default=Button.Open,
                labels={Button.Open: "Open another…", Button.Save: "Create new…",
                        Button.Close: "Quit"},
            )  # fmt: skip
            choice = {Button.Open: "open", Button.Save: "create"}
            start = location.parent
        chosen = choice.get(answer, "quit")
        name = ""
        if chosen == "retry":
            return location
        if chosen == "connect" and isinstance(location, OfficeServer):
            server = office_database.ask_server(parent, location)
            if server is not None:
                return server
        elif chosen == "open":
            name, _ = QFileDialog.getOpenFileName(
                parent, "Open database", str(start), DATABASE_FILTER
            )
        elif chosen == "create":
            name, _ = QFileDialog.getSaveFileName(
                parent, "New database", str(start / "jurisdesk.sqlite"), DATABASE_FILTER
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
        if name:
            return Path(name)


def remembered_database(settings: Settings) -> Location | None:
    """The database opened last, if it still exists (an office database is tried as it is:
    only connecting tells); never the demo's file."""
    demo = demo_database_path().resolve()
    for location in settings.recent_databases():
        if isinstance(location, OfficeServer):
            return location
        if location.resolve() == demo:
            continue
        return location if location.is_file() else None
    return None


def choose_first_database(
    new_path: Path, *, actor: str | None, settings: Settings
) -> Location | None:
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
        if dialog.choice is welcome.Choice.CONNECT:
            assert dialog.server is not None
            return dialog.server
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
    location: Location,
    *,
    actor: str | None,
    first_start: bool = False,
    notices: Sequence[str] = (),
) -> int:
    """The desktop app's main loop; returns the process exit code.

    location: a database file, or an office database on a server. first_start: nothing named
    a database and there is no file at location (the per-user default) yet, so the database
    opened last or the welcome dialog decides. notices: problems met while looking for the
    database (an IT settings file that cannot be read), shown first.
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
    if first_start and isinstance(location, Path):
        chosen = choose_first_database(location, actor=actor, settings=settings)
        if chosen is None:
            return 0
        location = chosen
    from ui.main_window import MainWindow

    # The window shows first, with its menus; the database opens, and the modules that show it
    # load, on a pool thread meanwhile (about two thirds of a start's work).
    window = MainWindow(None, settings)
    window.show_opening(location)
    # The bundle's own test starts the program this way and expects it to quit by itself.
    announce_when_shown(window)
    window.show()
    open_in_window(window, location, actor)
    try:
        return int(application.exec())
    finally:
        # The dashboard may still be reading in the background (a quit soon after the start):
        # the database is closed, and Python finalised, only once no thread uses them.
        QThreadPool.globalInstance().waitForDone()
        # The window may have switched to another database meanwhile.
        if window.workspace_ready:
            window.store.close()


def open_in_window(window: MainWindow, location: Location, actor: str | None) -> Opening:
    """Opens location on a pool thread and shows it in window. The server's questions (a
    password, setting up an empty office database) are asked over the window; a database that
    cannot be opened offers a choice, quitting with status 2 when the user declines every
    one."""
    from ui.main_window import load_workspace

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
        if not window.isVisible():  # closed while it opened
            return
        window.show_refused(location)
        folder = window.settings.last_folder()
        chosen = choose_instead(location, error, parent=window, folder=folder)
        if chosen is None:
            QCoreApplication.exit(2)
            return
        window.show_opening(chosen)
        open_in_window(window, chosen, actor)

    opening = Opening(
        window,
        location,
        actor,
        opened=opened,
        refused=refused,
        create_file=True,
        prepare=load_workspace,
    )
    opening.start()
    return opening
