"""Writes the documentation's screenshots from the demo data: `python -m ui.screenshots FOLDER`.

Everything happens in a temporary folder (database and QSettings), so the user's own settings
and databases are never read or changed. The dashboard is shown as of a fixed day shortly
before the demo letters' due date, so the pictures do not change from one run to the next.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

# Set before Qt is imported, as the platform is chosen when the application is created.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TZ"] = "UTC"  # times in the History tab read the same wherever this runs
if hasattr(time, "tzset"):
    time.tzset()

from PySide6.QtCore import QCoreApplication, QSettings, QThreadPool
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from app.services import demo, responses
from app.services.store import open_store
from ui.application import make_application
from ui.main_window import MainWindow
from ui.questionnaire.editor import REVIEW_STEP
from ui.settings import APPLICATION, ORGANIZATION, Settings

SIZE = (1280, 800)
SMALL_SIZE = (1024, 768)
# Eleven days into the fifteen the 2017 letters gave: due "in 4 days", so amber rows show.
AS_OF = date(2017, 8, 14)
FONT = ("DejaVu Sans", 9)
ACTOR = "Maria Lopez, Deputy City Attorney"
DATABASE_NAME = "jurisdesk-demo.sqlite"


@contextmanager
def private_settings(folder: Path) -> Iterator[Settings]:
    """QSettings in folder, for this run only."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield Settings(QSettings())


def settle(application: QApplication) -> None:
    """Lets background loads finish and the window lay itself out and paint."""
    for _ in range(3):
        QThreadPool.globalInstance().waitForDone(10_000)
        application.processEvents()
        application.sendPostedEvents()
        application.processEvents()


class Photographer:
    def __init__(self, application: QApplication, window: MainWindow, folder: Path) -> None:
        self.application = application
        self.window = window
        self.folder = folder
        self.written: list[Path] = []

    def shoot(self, name: str) -> Path:
        settle(self.application)
        path = self.folder / name
        if not self.window.grab().save(str(path), "PNG"):
            raise OSError(f"Could not write {path}")
        self.written.append(path)
        return path


def jurisdiction_id(window: MainWindow, name: str) -> int:
    model = window.navigator.model
    for row in range(model.rowCount()):
        item = model.item_at(row)
        if item is not None and name in item.name:
            return item.id
    raise LookupError(f"The demo has no jurisdiction named like {name!r}")


def take_all(folder: Path, work: Path) -> list[Path]:
    application = make_application([sys.argv[0]])
    application.setFont(QFont(*FONT))
    application.setCursorFlashTime(0)  # a steady text cursor, not one caught mid-blink
    folder.mkdir(parents=True, exist_ok=True)
    with private_settings(work / "settings") as settings:
        store = open_store(work / DATABASE_NAME, actor=ACTOR, create=True)
        try:
            demo.load_demo(store)
            window = MainWindow(store, settings)
            window.dashboard.today = lambda: AS_OF
            window.resize(*SIZE)
            window.show()
            # The real path is a random temporary folder; the name alone reads better.
            window.database_label.setText(f"Database: {DATABASE_NAME}")
            window.setWindowTitle(f"Jurisdesk — {DATABASE_NAME}")
            camera = Photographer(application, window, folder)
            _tour(window, camera, store)
            window.close()
            return camera.written
        finally:
            store.close()


def _tour(window: MainWindow, camera: Photographer, store: object) -> None:
    window.show_dashboard()
    camera.shoot("dashboard.png")

    albuquerque = jurisdiction_id(window, "Albuquerque")
    window.select_jurisdiction(albuquerque)
    window.show_tab("profile")
    camera.shoot("profile.png")
    window.show_tab("facilities")
    camera.shoot("facilities.png")

    psp = next(
        s
        for s in responses.list_responses(window.store, albuquerque)
        if s.questionnaire_key == demo.QUESTIONNAIRE
    )
    window.show_tab("responses")
    editor = window.open_response(psp.id)
    if editor is None:
        raise RuntimeError("The PSP response of Albuquerque did not open")
    first = editor.visible_questions()[0]
    editor.go_to(first.key)
    camera.shoot("questionnaire-facility-grid.png")
    editor.go_to(REVIEW_STEP)
    camera.shoot("review.png")
    editor.close_editor()

    window.show_tab("history")
    camera.shoot("history.png")

    window.show_dashboard()
    window.resize(*SMALL_SIZE)
    camera.shoot("dashboard-1024.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="where to write the PNG files")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jurisdesk-screenshots-") as work:
        written = take_all(args.folder, Path(work))
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
