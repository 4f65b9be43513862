"""Two kinds of error: the user's to fix (a clear dialog), or ours (logged, with an apology).

Every message box in the GUI goes through present(), so tests can answer dialogs instead of
blocking on them (they monkeypatch ui.common.errors.present).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.logs import rotating_handler
from app.paths import log_dir
from app.services.errors import Conflict, InvalidInput, Locked, UserError

log = logging.getLogger("jurisdesk")

Button = QMessageBox.StandardButton


def log_file() -> Path:
    return log_dir() / "jurisdesk.log"


def configure_logging() -> Path:
    path = log_file()
    handler = rotating_handler(path)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def present(box: QMessageBox) -> int:
    """Shows a built message box modally and returns the button pressed (the test seam)."""
    return box.exec()


def message(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
    informative: str = "",
    buttons: Button = Button.Ok,
    default: Button = Button.NoButton,
    labels: Mapping[Button, str] | None = None,
) -> Button:
    """A message box with standard buttons (optionally relabelled); returns the one chosen.

    Plain text: messages name files and records as users typed them, and a name such as
    "<b>x</b>.pdf" must read as itself, not as markup.
    """
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if informative:
        box.setInformativeText(informative)
    for standard, label in (labels or {}).items():
        button = box.button(standard)
        if button is not None:
            button.setText(label)
    if default != Button.NoButton:
        box.setDefaultButton(default)
    return Button(present(box))


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    informative: str = "",
    buttons: Button = Button.Yes | Button.No,
    default: Button = Button.No,
    labels: Mapping[Button, str] | None = None,
) -> Button:
    return message(
        parent,
        title,
        text,
        icon=QMessageBox.Icon.Question,
        informative=informative,
        buttons=buttons,
        default=default,
        labels=labels,
    )


def confirm_discard(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    informative: str,
    stay: str,
    discard: str | None = None,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
) -> bool:
    """Asks whether to throw away what is unsaved; going back (stay) is the default."""
    labels = {Button.Cancel: stay}
    if discard is not None:
        labels[Button.Discard] = discard
    answer = message(
        parent,
        title,
        text,
        icon=icon,
        informative=informative,
        buttons=Button.Discard | Button.Cancel,
        default=Button.Cancel,
        labels=labels,
    )
    return answer == Button.Discard


def _title_for(error: UserError) -> str:
    if isinstance(error, Conflict):
        return "Changed by someone else"
    if isinstance(error, Locked):
        return "Read-only"
    if isinstance(error, InvalidInput):
        return "Please check the form"
    return "Cannot do that"


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Shows a user error as it is, and anything else as a logged bug with the log's path."""
    if isinstance(error, UserError):
        message(parent, _title_for(error), str(error), icon=QMessageBox.Icon.Warning)
        return
    details = "".join(traceback.format_exception(error))
    log.error("Unexpected error:\n%s", details)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Something went wrong")
    box.setText(
        "Sorry — Jurisdesk hit an unexpected problem and could not finish this action. "
        "Nothing was half-saved."
    )
    box.setInformativeText(
        f"The details were written to {log_file()}. Please send that file to support."
    )
    box.setDetailedText(details)
    present(box)
