"""The user manual's window: F1 or Help ▸ User manual, opened at the page for what is showing.

The manual is HTML under resources/manual/ (so it ships in the wheel and the installed bundle),
one page per task, with the pictures `make screenshots` takes (resources/manual/images/).
current_view() names what the user is looking at; VIEW_PAGES says which page explains it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.paths import resource_path

#: Every page of the manual, in the order of its contents: file name and title (the title is
#: also the page's <title> and <h1>).
PAGES: tuple[tuple[str, str], ...] = (
    ("index.html", "Jurisdesk user manual"),
    ("getting-started.html", "Getting started"),
    ("dashboard.html", "The dashboard"),
    ("profile.html", "A jurisdiction's profile"),
    ("facilities.html", "Facilities and who runs them"),
    ("instruments.html", "Legal instruments"),
    ("evidence.html", "Evidence files"),
    ("requests.html", "Federal requests and grants"),
    ("statistics.html", "Detainer statistics"),
    ("contacts.html", "Contacts"),
    ("responses.html", "Starting and opening a response"),
    ("answering.html", "Answering a questionnaire"),
    ("review.html", "Review and approval"),
    ("letter.html", "The response letter"),
    ("reports.html", "Reports and workbooks"),
    ("history.html", "The history and the integrity check"),
    ("staff.html", "The staff list"),
    ("backups.html", "Backups and restore"),
    ("office-database.html", "Working with an office database"),
    ("shortcuts.html", "Keyboard shortcuts"),
)
TITLES = dict(PAGES)
HOME = "index.html"

#: What can be showing (current_view()) and the page that explains it, with an anchor where
#: the page has a section for it.
VIEW_PAGES: dict[str, str] = {
    "opening": "getting-started.html",
    "dashboard": "dashboard.html",
    "tab:profile": "profile.html",
    "tab:facilities": "facilities.html",
    "tab:instruments": "instruments.html",
    "tab:evidence": "evidence.html",
    "tab:requests": "requests.html",
    "tab:statistics": "statistics.html",
    "tab:contacts": "contacts.html",
    "tab:responses": "responses.html",
    "tab:history": "history.html",
    "question": "answering.html",
    "question:facilities": "answering.html#facility-grid",
    "letter": "letter.html",
    "review": "review.html",
    "staff": "staff.html",
    "record:jurisdiction": "profile.html",
    "record:facility": "facilities.html",
    "record:instrument": "instruments.html",
    "record:evidence": "evidence.html",
    "record:request": "requests.html",
    "record:award": "requests.html#grants",
    "record:condition": "requests.html#grants",
    "record:statistic": "statistics.html",
    "record:contact": "contacts.html",
    "approve": "review.html#approve",
    "send-back": "review.html#send-back",
    "reopen": "review.html#reopen",
    "submitted": "review.html#submitted",
    "new-response": "responses.html",
    "welcome": "getting-started.html",
    "office-database": "office-database.html",
}


def manual_folder() -> Path:
    return resource_path("manual")


def page_url(page: str) -> QUrl:
    """page is a file name with an optional #anchor."""
    name, _, anchor = page.partition("#")
    url = QUrl.fromLocalFile(str(manual_folder() / name))
    if anchor:
        url.setFragment(anchor)
    return url


def page_for(view: str) -> str:
    return VIEW_PAGES.get(view, HOME)


# == what is showing ====================================================================


def _dialog_view(dialog: QWidget) -> str | None:
    """The view a dialog stands for, by its class (imported lazily: the workspace loads later)."""
    from ui.records.dialog import RecordDialog
    from ui.staff_window import StaffDialogView, StaffListView
    from ui.workflow_dialogs import ApproveDialogView, ReasonDialogView, SubmittedDialogView

    if isinstance(dialog, RecordDialog):
        return f"record:{dialog.kind.key}"
    if isinstance(dialog, StaffListView | StaffDialogView):
        return "staff"
    if isinstance(dialog, ApproveDialogView):
        return "approve"
    if isinstance(dialog, ReasonDialogView):
        return "reopen" if dialog.windowTitle().startswith("Reopen") else "send-back"
    if isinstance(dialog, SubmittedDialogView):
        return "submitted"
    name = type(dialog).__module__
    if name == "ui.welcome":
        return "welcome"
    if name == "ui.office_database":
        return "office-database"
    if name == "ui.responses_panel":
        return "new-response"
    return None


def _editor_view(editor: Any) -> str:
    from ui.questionnaire.editor import LETTER_STEP, REVIEW_STEP

    key = editor.current_key
    if key == LETTER_STEP:
        return "letter"
    if key == REVIEW_STEP or key is None:
        return "review"
    try:
        question = editor.detail.questionnaire.question(key)
    except (KeyError, LookupError, AttributeError):
        return "question"
    return "question:facilities" if question.is_facility_scope else "question"


def current_view(window: Any, active: QWidget | None = None) -> str:
    """What the user is looking at: a dialog of the window if one is active, else the main
    window's page (dashboard, a jurisdiction's tab, the response editor's step)."""
    active = active if active is not None else QApplication.activeWindow()
    if isinstance(active, QDialog):
        view = _dialog_view(active)
        if view is not None:
            return view
    if not getattr(window, "workspace_ready", False):
        return "opening"
    shown = window.stack.currentWidget()
    if window.editor is not None and shown is window.editor:
        return _editor_view(window.editor)
    if shown is window.tabs:
        return f"tab:{window.current_tab()}"
    return "dashboard"


# == the window =========================================================================


class HelpWindow(QWidget):
    """The manual: contents on the left, the page on the right, Back and Forward above."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Jurisdesk — User manual")
        self.setAccessibleName("User manual")
        self.setObjectName("helpWindow")

        self.back_button = QPushButton("‹  &Back", self)
        self.back_button.setAccessibleName("Back")
        self.back_button.setToolTip("The page shown before (Alt+Left)")
        self.forward_button = QPushButton("For&ward  ›", self)
        self.forward_button.setAccessibleName("Forward")
        self.forward_button.setToolTip("The next page (Alt+Right)")
        self.contents_button = QPushButton("&Contents", self)
        self.contents_button.setAccessibleName("Contents page")
        self.close_button = QPushButton("Close", self)
        self.close_button.setToolTip("Close the manual (Escape)")

        self.contents = QListWidget(self)
        self.contents.setAccessibleName("Contents")
        self.contents.setAccessibleDescription("The pages of the manual; Enter opens one")
        for name, title in PAGES:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.contents.addItem(item)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpPage")
        self.browser.setAccessibleName("Manual page")
        self.browser.setOpenLinks(True)
        # Links to the manual's own pages open here; a web address opens in the browser.
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(manual_folder())])
        # The pages link manual.css, which Qt's rich text does not load itself: it applies to
        # every page shown here.
        self.browser.document().setDefaultStyleSheet(
            (manual_folder() / "manual.css").read_text(encoding="utf-8")
        )

        buttons = QHBoxLayout()
        for button in (self.back_button, self.forward_button, self.contents_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 780])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.resize(1000, 720)

        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.contents_button.clicked.connect(lambda: self.show_page(HOME))
        self.close_button.clicked.connect(self.close)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.browser.sourceChanged.connect(self._source_changed)
        self.contents.itemActivated.connect(self._item_chosen)
        self.contents.itemClicked.connect(self._item_chosen)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        self.setTabOrder(self.contents, self.browser)

    # == pages ============================================================================

    def show_page(self, page: str) -> None:
        """page: a file name of PAGES, with an optional #anchor."""
        url = page_url(page)
        if url == self.browser.source():
            return
        self.browser.setSource(url)

    def page(self) -> str:
        """The file name of the page showing."""
        return self.browser.source().fileName()

    def title(self) -> str:
        return self.browser.documentTitle()

    def _source_changed(self, url: QUrl) -> None:
        name = url.fileName()
        self.setWindowTitle(f"{TITLES.get(name, 'User manual')} — Jurisdesk user manual")
        self.contents.blockSignals(True)
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.contents.setCurrentItem(item)
        self.contents.blockSignals(False)

    def _item_chosen(self, item: QListWidgetItem) -> None:
        self.show_page(str(item.data(Qt.ItemDataRole.UserRole)))

    # == keys =============================================================================

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        if event.modifiers() & Qt.KeyboardModifier.AltModifier:
            if event.key() == Qt.Key.Key_Left:
                self.browser.backward()
                return
            if event.key() == Qt.Key.Key_Right:
                self.browser.forward()
                return
        super().keyPressEvent(event)


# == opening it ===========================================================================

_help_window: HelpWindow | None = None


def help_window(parent: QWidget | None = None) -> HelpWindow:
    """The one manual window; made a child of parent when parent blocks every other window
    (an application-modal dialog), so that it can still be used."""
    global _help_window
    window = _help_window
    if window is not None and not shiboken6.isValid(window):
        window = None
    if window is not None and parent is not None and window.parentWidget() is not parent:
        window.close()
        window.deleteLater()
        window = None
    if window is None:
        window = HelpWindow(parent)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        _help_window = window
    return window


def show_help(page: str, parent: QWidget | None = None) -> HelpWindow:
    window = help_window(parent)
    window.show_page(page)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def show_help_for(main_window: Any, active: QWidget | None = None) -> HelpWindow:
    """Opens the manual at the page for what main_window (or its active dialog) shows."""
    active = active if active is not None else QApplication.activeWindow()
    modal = QApplication.activeModalWidget()
    parent = (
        modal
        if modal is not None
        and modal.isModal()
        and (modal.windowModality() == Qt.WindowModality.ApplicationModal)
        else None
    )
    return show_help(page_for(current_view(main_window, active)), parent)


class HelpKey(QObject):
    """F1 where the main window's shortcut does not reach: in a dialog or the staff list."""

    def __init__(self, main_window: Any) -> None:
        super().__init__(main_window)
        self.main_window = main_window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not event.matches(QKeySequence.StandardKey.HelpContents):
            return False
        active = QApplication.activeWindow()
        if active is None or active is self.main_window or isinstance(active, HelpWindow):
            return False
        if not shiboken6.isValid(self.main_window):
            return False
        show_help_for(self.main_window, active)
        return True


def install_help_key(main_window: Any) -> HelpKey:
    key = HelpKey(main_window)
    app = QApplication.instance()
    if app is not None:
        app.installEventFilter(key)
        main_window.destroyed.connect(lambda *_: _remove(app, key))
    return key


def _remove(app: QObject, key: QObject) -> None:
    if shiboken6.isValid(app) and shiboken6.isValid(key):
        app.removeEventFilter(key)
