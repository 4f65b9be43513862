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

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThreadPool
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QApplication

from app.services import demo, responses
from app.services.store import open_store
from ui.application import make_application
from ui.common.colours import dark_palette
from ui.main_window import MainWindow
from ui.questionnaire.editor import LETTER_STEP, REVIEW_STEP
from ui.settings import APPLICATION, ORGANIZATION, Settings

SIZE = (1280, 800)
SMALL_SIZE = (1024, 768)
# Eleven days into the fifteen the 2017 letters gave: due "in 4 days", so amber rows show.
AS_OF = date(2017, 8, 14)
FONT = ("DejaVu Sans", 9)
ACTOR = "Maria Lopez, Deputy City Attorney"
DATABASE_NAME = "jurisdesk-demo.sqlite"
# The user manual's pictures (resources/manual/images, shipped with the program): copies of
# these screenshots, narrower and in 256 colours so the manual stays small.
MANUAL_FOLDER = Path(__file__).resolve().parent.parent / "resources" / "manual" / "images"
MANUAL_WIDTH = 960
MANUAL_IMAGES = (
    "dashboard.png",
    "profile.png",
    "facilities.png",
    "questionnaire-facility-grid.png",
    "letter.png",
    "review.png",
    "history.png",
)


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
        self.prefix = ""  # "dark-" for the second round, under the dark palette

    def shoot(self, name: str) -> Path:
        settle(self.application)
        path = self.folder / f"{self.prefix}{name}"
        if not self.window.grab().save(str(path), "PNG"):
            raise OSError(f"Could not write {path}")
        self.written.append(path)
        return path


def manual_images() -> tuple[str, ...]:
    """The file names of the pictures the user manual shows, as take_all() writes them."""
    return MANUAL_IMAGES


def write_manual_images(screenshots: list[Path], folder: Path) -> list[Path]:
    """Copies of the manual's screenshots into folder, MANUAL_WIDTH wide, in 256 colours."""
    folder.mkdir(parents=True, exist_ok=True)
    by_name = {path.name: path for path in screenshots}
    missing = [name for name in MANUAL_IMAGES if name not in by_name]
    if missing:
        raise RuntimeError(f"The tour took no {', '.join(missing)}")
    written = []
    for name in MANUAL_IMAGES:
        image = QImage(str(by_name[name]))
        small = image.scaledToWidth(MANUAL_WIDTH, Qt.TransformationMode.SmoothTransformation)
        small = small.convertToFormat(
            QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither
        )
        path = folder / name
        if not small.save(str(path)):  # PNG, from the name
            raise OSError(f"Could not write {path}")
        written.append(path)
    return written


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
            # The same views again under the dark palette Qt 6 follows in Windows' dark mode.
            application.setPalette(dark_palette())
            window.resize(*SIZE)
            camera.prefix = "dark-"
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
    editor.go_to(LETTER_STEP)
    camera.shoot("letter.png")
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
    parser.add_argument(
        "--manual",
        type=Path,
        default=MANUAL_FOLDER,
        help="where to write the user manual's pictures (default: resources/manual/images)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jurisdesk-screenshots-") as work:
        written = take_all(args.folder, Path(work))
    written += write_manual_images(written, args.manual)
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
