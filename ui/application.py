"""Starts the desktop app: Qt set-up, error handling, opening the database, the main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app import __version__
from app.paths import demo_database_path
from app.services.errors import UserError
from app.services.store import Store, open_store
from ui import welcome
from ui.common import errors
from ui.common.wheel_guard import install_wheel_guard
from ui.icon import application_icon
from ui.settings import APPLICATION, ORGANIZATION, Settings
from ui.smoke import quit_when_shown

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


def open_or_choose(path: Path, actor: str | None) -> Store | None:
    """Opens the database; a refused file offers another file or a new one, never a traceback."""
    while True:
        try:
            return open_store(path, actor=actor)
        except UserError as exc:
            answer = errors.message(
                None,
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
                    None, "Open database", str(path.parent), DATABASE_FILTER
                )
            elif answer == Button.Save:
                name, _ = QFileDialog.getSaveFileName(
                    None, "New database", str(path.parent / "jurisdesk.sqlite"), DATABASE_FILTER
                )
                if name and Path(name).exists():
                    errors.message(
                        None,
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
    store = open_or_choose(path, actor)
    if store is None:
        return 2
    from ui.main_window import MainWindow

    window: MainWindow | None = None
    try:
        window = MainWindow(store, settings)
        # The bundle's own test starts the program this way and expects it to quit by itself.
        quit_when_shown(application, window)
        window.show()
        return int(application.exec())
    finally:
        # The dashboard may still be reading in the background (a quit soon after the start):
        # the database is closed, and Python finalised, only once no thread uses them.
        QThreadPool.globalInstance().waitForDone()
        # The window may have switched to another database meanwhile.
        (window.store if window is not None else store).close()
