"""The first start: how to begin, asked before anything is created.

Shown when nothing names a database (no --db, no JURISDESK_DB, no IT settings file) and there
is none at the per-user default location yet. The dialog only chooses; ui.application creates
or opens the file afterwards.
"""

from __future__ import annotations

from enum import Enum, auto
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.locations import OfficeServer
from ui.common import errors

DATABASE_FILES = "Jurisdesk databases (*.sqlite);;All files (*)"

INTRO = (
    "Jurisdesk keeps your office's records in a database file, and none has been set up on "
    "this computer yet. Choose how to begin: nothing is created until you do."
)
OPEN_TEXT = "A database you already have: from a colleague, on a shared folder, or a backup copy."
CONNECT_TEXT = (
    "The database your office shares on a server, at the address your IT department gave you."
)
DEMO_TEXT = (
    "Four sample cities from the August 2017 letters, in a separate demo file. "
    "Nothing is added to a database of your own."
)


class Choice(Enum):
    CREATE = auto()
    OPEN = auto()
    CONNECT = auto()
    DEMO = auto()
    QUIT = auto()


def _description(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return label


class WelcomeDialog(QDialog):
    """Create a new database (at the default location or another), open one, connect to the
    office database on a server, explore the demo, or quit. Escape and closing the window
    quit; each choice is a button with a mnemonic."""

    def __init__(self, new_path: Path, folder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Jurisdesk")
        self.setAccessibleName("Welcome to Jurisdesk")
        self.setAccessibleDescription(INTRO)
        self.new_path = new_path
        self.folder = folder or str(Path.home())
        self.choice = Choice.QUIT
        self.path: Path | None = None
        self.server: OfficeServer | None = None

        heading = QLabel("Welcome to Jurisdesk")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        heading.setAccessibleName("Welcome to Jurisdesk")
        intro = _description(INTRO)

        self.create_button = self._button("&Create a new, empty database", self._create)
        self.location_label = _description("")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location_button = self._button("C&hoose another location…", self._choose_location)
        self.location_button.setAccessibleName("Choose another location for the new database")
        self.open_button = self._button("&Open an existing database…", self._open)
        self.open_button.setAccessibleDescription(OPEN_TEXT)
        self.connect_button = self._button("Co&nnect to an office database…", self._connect)
        self.connect_button.setAccessibleDescription(CONNECT_TEXT)
        self.demo_button = self._button("Explore the &demo", self._demo)
        self.demo_button.setAccessibleDescription(DEMO_TEXT)

        choices = QGridLayout()
        choices.setHorizontalSpacing(16)
        choices.setVerticalSpacing(12)
        choices.setColumnStretch(1, 1)
        choices.addWidget(self.create_button, 0, 0, Qt.AlignmentFlag.AlignTop)
        choices.addWidget(self.location_label, 0, 1)
        choices.addWidget(
            self.location_button, 1, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        )
        choices.addWidget(self.open_button, 2, 0, Qt.AlignmentFlag.AlignTop)
        choices.addWidget(_description(OPEN_TEXT), 2, 1)
        choices.addWidget(self.connect_button, 3, 0, Qt.AlignmentFlag.AlignTop)
        choices.addWidget(_description(CONNECT_TEXT), 3, 1)
        choices.addWidget(self.demo_button, 4, 0, Qt.AlignmentFlag.AlignTop)
        choices.addWidget(_description(DEMO_TEXT), 4, 1)

        buttons = QDialogButtonBox()
        self.quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setAccessibleName("Quit Jurisdesk")
        self.quit_button.setAutoDefault(False)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(choices)
        layout.addStretch(1)
        layout.addWidget(buttons)

        self.create_button.setDefault(True)
        self.create_button.setFocus()
        self._show_location()
        width = self.fontMetrics().averageCharWidth()
        self.setMinimumWidth(width * 110)

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _show_location(self) -> None:
        text = f"Location: {self.new_path}"
        self.location_label.setText(text)
        self.location_label.setToolTip(str(self.new_path))
        self.create_button.setAccessibleDescription(f"The new database will be at {self.new_path}")

    # == choices ==========================================================================

    def _finish(self, choice: Choice, path: Path | None) -> None:
        self.choice = choice
        self.path = path
        self.accept()

    def _create(self) -> None:
        self._finish(Choice.CREATE, self.new_path)

    def _choose_location(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "New database", str(self.new_path), DATABASE_FILES
        )
        if not name:
            return
        path = Path(name)
        if path.suffix == "":
            path = path.with_suffix(".sqlite")
        if path.exists():
            errors.message(
                self,
                "File already exists",
                f"{path.name} already exists.",
                icon=QMessageBox.Icon.Warning,
                informative="Choose another name for a new database, or open this one with "
                "“Open an existing database…”.",
            )
            return
        self.new_path = path
        self._show_location()
        self.create_button.setFocus()

    def _open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open database", self.folder, DATABASE_FILES)
        if name:
            self._finish(Choice.OPEN, Path(name))

    def _connect(self) -> None:
        from ui.office_database import ask_server

        server = ask_server(self)
        if server is not None:
            self.server = server
            self._finish(Choice.CONNECT, None)

    def _demo(self) -> None:
        self._finish(Choice.DEMO, None)

    def reject(self) -> None:
        self.choice = Choice.QUIT
        self.path = None
        self.server = None
        super().reject()


def present(dialog: WelcomeDialog) -> None:
    """Shows the dialog modally until a choice is made (the test seam)."""
    dialog.exec()


def ask(new_path: Path, folder: str = "", parent: QWidget | None = None) -> WelcomeDialog:
    """Asks how to begin; the returned dialog holds the choice and its path (or server)."""
    dialog = WelcomeDialog(new_path, folder, parent)
    present(dialog)
    return dialog
