"""Main window: jurisdictions on the left; the dashboard or a jurisdiction's tabs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from app import __version__
from app.services import backup, records
from app.services.errors import UserError
from app.services.responses import ResponseSummary
from app.services.store import Store, open_store
from ui.common import errors
from ui.common.operations import run_in_background
from ui.dashboard import DashboardView
from ui.evidence_panel import EvidencePanel
from ui.history_panel import HistoryPanel, RecordHistoryDialog
from ui.navigator import Navigator
from ui.questionnaire import ResponseEditor
from ui.records import ProfilePanel, RecordDialog, RecordPanel, RequestsAndGrantsPanel
from ui.records.dialog import delete_record
from ui.report_actions import ChosenJurisdiction, ChosenResponse, ReportActions
from ui.responses_panel import ResponsesPanel
from ui.settings import Settings

log = logging.getLogger("jurisdesk.ui")
Button = QMessageBox.StandardButton

# Tab labels are short so all nine fit at 1024 pixels; the tooltip gives the full name.
TABS: tuple[tuple[str, str, str], ...] = (
    ("profile", "Profile", "The jurisdiction's own facts; saved as you type"),
    ("facilities", "Facilities", "Jails and holding facilities, and who operates them"),
    ("instruments", "Instruments", "Legal instruments: policies, ordinances, orders, agreements"),
    ("evidence", "Evidence", "Documents kept as evidence, with their SHA-256"),
    ("requests", "Requests && grants", "Federal requests, grant awards and their conditions"),
    ("statistics", "Statistics", "Detainer statistics: requests received, honored, declined"),
    ("contacts", "Contacts", "People who prepare, review and sign"),
    ("responses", "Responses", "Answers to federal questionnaires"),
    ("history", "History", "Every change: who, when, old and new value"),
)
FIRST_START_MIN = QSize(1024, 768)
TAB_NAMES = tuple(name for name, _label, _tip in TABS)
_RECORD_TABS = {
    "facilities": "facility",
    "instruments": "instrument",
    "statistics": "statistic",
    "contacts": "contact",
}


class MainWindow(QMainWindow):
    """Views are built in _build_*; every signal is connected in _wire_* methods."""

    def __init__(
        self, store: Store, settings: Settings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings or Settings()
        self.editor: ResponseEditor | None = None
        self._return_to: QWidget | None = None
        self._history_windows: list[RecordHistoryDialog] = []
        self._jurisdiction_id: int | None = None
        self._stale: set[str] = set()
        self._closing_ok = False
        self.setWindowTitle("Jurisdesk")
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._build_workspace()
        self._restore()

    # == layout ===========================================================================

    def _action(
        self,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon: QStyle.StandardPixmap | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        a = self._action
        self.new_database_action = a(
            "&New database…", self.new_database, tip="Create an empty database file"
        )
        self.open_database_action = a(
            "&Open database…",
            self.open_database,
            QKeySequence.StandardKey.Open,
            sp.SP_DialogOpenButton,
            "Open another database file",
        )
        self.backup_action = a(
            "&Backup copy…",
            self.backup_copy,
            icon=sp.SP_DriveHDIcon,
            tip="Write a complete copy of this database",
        )
        self.import_action = a(
            "&Import JSON…",
            self.import_json,
            icon=sp.SP_ArrowDown,
            tip="Read a jurisdiction from an exchange file",
        )
        self.export_action = a(
            "&Export JSON…",
            self.export_json,
            icon=sp.SP_ArrowUp,
            tip="Write the selected jurisdiction to an exchange file",
        )
        self.reports = ReportActions(
            self,
            self.statusBar(),
            self.settings,
            store=lambda: self.store,
            response=self.current_response,
            jurisdiction=self.current_jurisdiction,
            folder=self._folder,
            remember_folder=self._remember_folder,
        )
        self.staff_name_action = a(
            "Set &my name…",
            self.ask_staff_name,
            tip="The name written into the history of every change",
        )
        self.quit_action = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.new_record_action = a(
            "&New record…", self.new_record, QKeySequence.StandardKey.New, sp.SP_FileDialogNewFolder
        )
        self.edit_record_action = a(
            "&Edit…",
            self.edit_record,
            icon=sp.SP_FileDialogDetailedView,
            tip="Edit the selected record (Enter)",
        )
        self.delete_record_action = a(
            "&Delete…",
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
            sp.SP_TrashIcon,
            "Delete the selected record",
        )
        self.find_action = a("&Find jurisdiction", self.focus_search, QKeySequence.StandardKey.Find)

        self.dashboard_action = a(
            "&Dashboard",
            self.show_dashboard,
            "Ctrl+1",
            sp.SP_DesktopIcon,
            "What is due across all jurisdictions",
        )
        self.tab_actions: dict[str, QAction] = {}
        for number, (name, label, tip) in enumerate(TABS, start=2):
            key = f"Ctrl+{number % 10}"
            title = tip.split(":")[0] if ":" in tip else label.replace("&&", "and")
            self.tab_actions[name] = a(title, partial(self.show_tab, name), key, tip=tip)
        self.refresh_action = a(
            "&Refresh",
            self.refresh,
            QKeySequence.StandardKey.Refresh,
            sp.SP_BrowserReload,
            "Read everything again from the database",
        )
        self.refresh_action.setShortcut(QKeySequence("F5"))

        self.new_jurisdiction_action = a(
            "&New jurisdiction…",
            self.new_jurisdiction,
            "Ctrl+Shift+N",
            sp.SP_FileDialogNewFolder,
            "Record a city, county or other jurisdiction",
        )
        self.delete_jurisdiction_action = a(
            "&Delete jurisdiction…",
            self.delete_jurisdiction,
            tip="Delete the selected jurisdiction and its records",
        )
        self.about_action = a("&About Jurisdesk", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_database_action)
        file_menu.addAction(self.open_database_action)
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.reports.add_to_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.staff_name_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        # Tooltips of disabled entries explain why they are disabled.
        file_menu.setToolTipsVisible(True)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.new_record_action)
        edit_menu.addAction(self.edit_record_action)
        edit_menu.addAction(self.delete_record_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        edit_menu.addSeparator()
        preferences = edit_menu.addAction("&Preferences…")
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        preferences.triggered.connect(self.ask_staff_name)
        edit_menu.aboutToShow.connect(self._update_actions)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.dashboard_action)
        view_menu.addSeparator()
        for action in self.tab_actions.values():
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)

        jurisdiction_menu = bar.addMenu("&Jurisdiction")
        jurisdiction_menu.addAction(self.new_jurisdiction_action)
        jurisdiction_menu.addAction(self.delete_jurisdiction_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in (
            self.dashboard_action,
            None,
            self.new_jurisdiction_action,
            self.new_record_action,
            self.edit_record_action,
            self.delete_record_action,
            None,
            self.import_action,
            self.export_action,
            self.backup_action,
        ):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        self.database_label = QLabel()
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actor_label = QLabel()
        self.statusBar().addPermanentWidget(self.actor_label)
        self.statusBar().addPermanentWidget(self.database_label)

    def _build_workspace(self) -> None:
        """Everything that shows the open database; rebuilt when another database is opened."""
        store = self.store
        self.navigator = Navigator(store)
        self.navigator.setMinimumWidth(self.fontMetrics().averageCharWidth() * 28)

        self.profile = ProfilePanel(store)
        self.facilities = RecordPanel(store, "facility")
        self.instruments = RecordPanel(store, "instrument")
        self.evidence = EvidencePanel(store)
        self.requests = RequestsAndGrantsPanel(store)
        self.statistics = RecordPanel(store, "statistic")
        self.contacts = RecordPanel(store, "contact")
        self.responses = ResponsesPanel(store)
        self.history = HistoryPanel(store)
        self.tab_widgets: dict[str, QWidget] = {
            "profile": self.profile,
            "facilities": self.facilities,
            "instruments": self.instruments,
            "evidence": self.evidence,
            "requests": self.requests,
            "statistics": self.statistics,
            "contacts": self.contacts,
            "responses": self.responses,
            "history": self.history,
        }
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        for name, label, tip in TABS:
            index = self.tabs.addTab(self.tab_widgets[name], label)
            shortcut = self.tab_actions[name].shortcut()
            native = shortcut.toString(QKeySequence.SequenceFormat.NativeText)
            self.tabs.setTabToolTip(index, f"{tip} ({native})")

        self.dashboard = DashboardView(store, background=True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.dashboard)
        self.stack.addWidget(self.tabs)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        self._wire_workspace()
        self._show_database()

    # == behaviour: wiring =================================================================

    def _wire_workspace(self) -> None:
        self.navigator.jurisdictionSelected.connect(self._jurisdiction_chosen)
        self.navigator.list_view.clicked.connect(lambda _index: self._show_jurisdiction_page())
        self.tabs.currentChanged.connect(self._tab_changed)
        self.stack.currentChanged.connect(lambda _i: self._update_actions())
        self.profile.saved.connect(lambda _record: self._after_change(refresh_profile=False))
        self.profile.statusMessage.connect(self.show_message)
        panels: list[Any] = [
            self.facilities,
            self.instruments,
            self.evidence,
            self.requests,
            self.statistics,
            self.contacts,
        ]
        for panel in panels:
            panel.changed.connect(self._after_change)
            panel.statusMessage.connect(self.show_message)
            panel.historyRequested.connect(self.show_record_history)
        for panel in (*panels[:3], *panels[4:], *self.requests.panels()):
            panel.currentRecordChanged.connect(lambda _record: self._update_actions())
        for view in (self.dashboard, self.responses):
            view.openResponse.connect(self.open_response)
            view.table.selectionModel().selectionChanged.connect(self._update_actions)

    # == navigation ========================================================================

    def _jurisdiction_chosen(self, jurisdiction_id: int | None) -> None:
        if jurisdiction_id == self._jurisdiction_id:
            self._show_jurisdiction_page()
            return
        if not self._leave_current():
            # Stay on the jurisdiction whose profile still has unsaved typing.
            self.navigator.select(self._jurisdiction_id, notify=False)
            return
        self._load_jurisdiction(jurisdiction_id)

    def _leave_current(self) -> bool:
        """Stores pending typing in the profile and any open response; False means stay."""
        if not self.profile.maybe_leave():
            return False
        return self._close_editor()

    def _load_jurisdiction(self, jurisdiction_id: int | None) -> None:
        self._jurisdiction_id = jurisdiction_id
        self.settings.set_last_jurisdiction(self.store.path, jurisdiction_id)
        self.profile.set_jurisdiction(jurisdiction_id)
        self._stale = set(TAB_NAMES) - {"profile"}
        if jurisdiction_id is None:
            self.stack.setCurrentWidget(self.dashboard)
        else:
            self._show_jurisdiction_page()
        self._load_tab(self.current_tab())
        self._update_actions()

    def _show_jurisdiction_page(self) -> None:
        if self._jurisdiction_id is None:
            return
        if self.editor is not None and self.stack.currentWidget() is self.editor:
            return
        self.stack.setCurrentWidget(self.tabs)
        self._load_tab(self.current_tab())

    def _tab_changed(self, index: int) -> None:
        name = TAB_NAMES[index] if 0 <= index < len(TAB_NAMES) else "profile"
        if name != "profile":
            # Switching tab is leaving the form: store what was typed now.
            self.profile.save_now()
        self.settings.set_last_tab(name)
        self._load_tab(name)
        self._update_actions()

    def _load_tab(self, name: str) -> None:
        """Tabs load when first shown for a jurisdiction, so switching jurisdiction is quick."""
        if name not in self._stale:
            return
        self._stale.discard(name)
        jurisdiction_id = self._jurisdiction_id
        widget = self.tab_widgets[name]
        if name == "history":
            summary = self.navigator.selected()
            uuid = summary.uuid if summary else self._uuid_of(jurisdiction_id)
            self.history.set_jurisdiction(uuid)
        elif isinstance(widget, RecordPanel):
            widget.set_parent(jurisdiction_id)
        elif hasattr(widget, "set_jurisdiction"):
            widget.set_jurisdiction(jurisdiction_id)

    def _uuid_of(self, jurisdiction_id: int | None) -> str | None:
        if jurisdiction_id is None:
            return None
        try:
            return records.get(self.store, "jurisdiction", jurisdiction_id).uuid
        except UserError:
            return None

    def current_tab(self) -> str:
        index = self.tabs.currentIndex()
        return TAB_NAMES[index] if 0 <= index < len(TAB_NAMES) else "profile"

    def show_dashboard(self) -> None:
        if not self._leave_current():
            return
        self.navigator.clear_selection(notify=False)
        self._jurisdiction_id = None
        self.profile.set_jurisdiction(None)
        self.settings.set_last_jurisdiction(self.store.path, None)
        self.dashboard.refresh()
        self.stack.setCurrentWidget(self.dashboard)
        self._update_actions()

    def select_jurisdiction(self, jurisdiction_id: int) -> bool:
        """Selects a jurisdiction as if clicked in the list, and shows its tabs."""
        if jurisdiction_id == self._jurisdiction_id:
            self._show_jurisdiction_page()
            return True
        if not self.navigator.select(jurisdiction_id):
            return False
        if self._jurisdiction_id != jurisdiction_id and self.navigator.selected_id() == (
            jurisdiction_id
        ):
            # Already highlighted in the list (so no selection signal): load it directly.
            self._jurisdiction_chosen(jurisdiction_id)
        return self._jurisdiction_id == jurisdiction_id

    def show_tab(self, name: str) -> None:
        """Shows one of the jurisdiction's tabs (see TAB_NAMES) of the selected jurisdiction."""
        if name not in TAB_NAMES:
            raise ValueError(f"unknown tab {name!r}; expected one of {', '.join(TAB_NAMES)}")
        if self._jurisdiction_id is None:
            self.show_message("Choose a jurisdiction first.")
            return
        self._show_jurisdiction_page()
        self.tabs.setCurrentIndex(TAB_NAMES.index(name))

    def focus_search(self) -> None:
        self.navigator.focus_search()

    def refresh(self) -> None:
        self.navigator.refresh()
        self.profile.reload()
        self._stale = set(TAB_NAMES) - {"profile"} if self._jurisdiction_id else set()
        self._load_tab(self.current_tab())
        self.dashboard.refresh()
        self.show_message("Refreshed.")

    def _after_change(self, refresh_profile: bool = True) -> None:
        """Something was saved: counts in the list and other tabs may show it."""
        self.navigator.refresh()
        current = self.current_tab()
        self._stale |= {"history", "evidence", "statistics"} - {current}
        if refresh_profile:
            self.profile.reload()
        if current == "history":
            self.history.refresh()
        self._update_actions()

    # == records ===========================================================================

    def current_panel(self) -> RecordPanel | None:
        """The record table the Edit menu acts on, if a record tab is showing."""
        if self.stack.currentWidget() is not self.tabs or self._jurisdiction_id is None:
            return None
        widget = self.tab_widgets[self.current_tab()]
        if isinstance(widget, RequestsAndGrantsPanel):
            return widget.active_panel()
        return widget if isinstance(widget, RecordPanel) else None

    def _update_actions(self) -> None:
        panel = self.current_panel()
        has_jurisdiction = self._jurisdiction_id is not None
        if panel is not None:
            noun = panel.kind.label.lower()
            self.new_record_action.setText(f"&New {noun}…")
            self.new_record_action.setEnabled(panel.parent_id is not None)
            has_record = panel.current_record() is not None
            self.edit_record_action.setEnabled(has_record)
            self.delete_record_action.setEnabled(has_record)
        else:
            # No record table showing: New jurisdiction has its own action and button.
            self.new_record_action.setText("&New record…")
            self.new_record_action.setEnabled(False)
            self.edit_record_action.setEnabled(False)
            self.delete_record_action.setEnabled(
                has_jurisdiction and self.navigator.list_view.hasFocus()
            )
        self.export_action.setEnabled(has_jurisdiction)
        self.reports.update()
        self.delete_jurisdiction_action.setEnabled(has_jurisdiction)
        self.new_record_action.setToolTip(self.new_record_action.text().replace("&", ""))

    def new_record(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            panel.add_record()

    def edit_record(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            panel.edit_record()

    def delete_selected(self) -> None:
        if self.navigator.list_view.hasFocus():
            self.delete_jurisdiction()
            return
        panel = self.current_panel()
        if panel is not None:
            panel.delete_record()

    def new_jurisdiction(self) -> RecordDialog | None:
        if not self._leave_current():
            return None
        dialog = RecordDialog(self.store, "jurisdiction", parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._jurisdiction_created)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _jurisdiction_created(self, record: records.Record) -> None:
        self.navigator.refresh()
        self.select_jurisdiction(record.id)
        self.show_tab("profile")
        self.show_message(f"Saved jurisdiction “{record.title}”.")

    def delete_jurisdiction(self) -> bool:
        if self._jurisdiction_id is None:
            return False
        try:
            record = records.get(self.store, "jurisdiction", self._jurisdiction_id)
        except UserError as exc:
            errors.show_error(self, exc)
            return False
        # Typing pending in its profile goes with it; no point asking to save first.
        self.profile.set_jurisdiction(None)
        if not delete_record(self, self.store, self.profile.kind, record):
            self.profile.set_jurisdiction(record.id)
            return False
        self._load_jurisdiction(None)
        self.navigator.clear_selection(notify=False)
        self.navigator.refresh()
        self.show_message(f"Deleted jurisdiction “{record.title}”.")
        return True

    def show_record_history(self, entity_uuid: str, title: str) -> RecordHistoryDialog:
        window = RecordHistoryDialog(self.store, entity_uuid, title, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._history_windows.append(window)
        window.destroyed.connect(lambda *_: self._history_windows.remove(window))
        window.show()
        return window

    # == responses (the guided questionnaire) ==============================================

    def open_response(self, response_id: int) -> ResponseEditor | None:
        if not self._close_editor():
            return None
        try:
            editor = ResponseEditor(self.store, response_id)
        except UserError as exc:
            errors.show_error(self, exc)
            return None
        self.editor = editor
        self._return_to = self.stack.currentWidget()
        # The letter of the response being edited is one click away from its toolbar.
        editor.toolbar.addSeparator()
        editor.toolbar.addAction(self.reports.export_letter_action)
        editor.toolbar.addAction(self.reports.print_letter_action)
        self.stack.addWidget(editor)
        self.stack.setCurrentWidget(editor)
        editor.closed.connect(self._editor_closed)
        editor.changed.connect(self._response_changed)
        self._update_actions()
        return editor

    def current_response(self) -> ChosenResponse | None:
        """The response open in the editor, else the one selected in the view showing."""
        shown = self.stack.currentWidget()
        if self.editor is not None and shown is self.editor:
            summary: ResponseSummary | None = self.editor.summary
        elif shown is self.tabs and self.current_tab() == "responses":
            summary = self.responses.selected()
        elif shown is self.dashboard:
            row = self.dashboard.selected()
            if row is None:
                return None
            return ChosenResponse(row.id, row.jurisdiction, row.questionnaire)
        else:
            summary = None
        if summary is None:
            return None
        return ChosenResponse(summary.id, summary.jurisdiction_name, summary.questionnaire_title)

    def current_jurisdiction(self) -> ChosenJurisdiction | None:
        """The jurisdiction of the full report: the open response's, else the one selected."""
        response = self.current_response()
        if (
            response is not None
            and self.editor is not None
            and response.id == (self.editor.response_id)
        ):
            return ChosenJurisdiction(response.jurisdiction, response_id=response.id)
        summary = self.navigator.selected()
        if summary is not None and self._jurisdiction_id == summary.id:
            return ChosenJurisdiction(summary.name, id=summary.id)
        if response is not None:
            return ChosenJurisdiction(response.jurisdiction, response_id=response.id)
        return None

    def _close_editor(self) -> bool:
        """Saves and removes an open response editor; False if its typing cannot be saved."""
        editor = self.editor
        if editor is None:
            return True
        if editor.has_unsaved_changes():
            editor.save_now()
            if editor.has_unsaved_changes():
                self.stack.setCurrentWidget(editor)
                if not errors.confirm_discard(
                    self,
                    "Answer not saved",
                    "The response you are editing has changes that could not be saved.",
                    informative="Go back to it, or discard those changes?",
                    stay="Go back",
                ):
                    return False
        self.editor = None
        self.stack.removeWidget(editor)
        editor.deleteLater()
        return True

    def _editor_closed(self) -> None:
        back = self._return_to
        if self._close_editor():
            target = back if back in (self.dashboard, self.tabs) else self.dashboard
            self.stack.setCurrentWidget(target)
            self._response_changed()

    def _response_changed(self) -> None:
        self.navigator.refresh()
        for view in (self.responses, self.dashboard):
            if view.isVisible():
                view.refresh()
        self._stale.add("history")

    # == files =============================================================================

    def _folder(self) -> str:
        return self.settings.last_folder() or str(Path.home())

    def _remember_folder(self, path: Path) -> None:
        self.settings.set_last_folder(path.parent)

    def new_database(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "New database",
            str(Path(self._folder()) / "jurisdesk.sqlite"),
            "Jurisdesk databases (*.sqlite);;All files (*)",
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
                "File ▸ Open database.",
            )
            return
        self.switch_database(path, create=True)

    def open_database(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open database", self._folder(), "Jurisdesk databases (*.sqlite);;All files (*)"
        )
        if name:
            self.switch_database(Path(name), create=False)

    def switch_database(self, path: Path, *, create: bool = False) -> bool:
        """Opens another database in this window; a refused file leaves the current one open."""
        if not self._leave_current():
            return False
        try:
            new_store = open_store(path, actor=self.store.actor, create=create)
        except UserError as exc:
            errors.show_error(self, exc)
            return False
        self._save_state()
        old = self.store
        self.store = new_store
        for window in list(self._history_windows):
            window.close()
        self._jurisdiction_id = None
        self._build_workspace()
        old.close()
        self.settings.add_recent_file(path)
        self._remember_folder(path)
        self._restore_place()
        self.show_message(f"Opened {path}.")
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for number, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{number} {path}")
            action.triggered.connect(lambda _c=False, p=path: self.switch_database(p))
            action.setEnabled(path.resolve() != self.store.path.resolve())
        if not files:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("&Clear this list", self.settings.clear_recent_files)

    def backup_copy(self) -> None:
        suggested = f"{self.store.path.stem}-backup-{date.today().isoformat()}.sqlite"
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Backup copy",
            str(Path(self._folder()) / suggested),
            "Jurisdesk databases (*.sqlite);;All files (*)",
        )
        if not name:
            return
        target = Path(name)
        self._remember_folder(target)
        store = self.store
        # The save dialog already asked before replacing an existing file.
        run_in_background(
            self,
            "Writing the backup copy…",
            lambda: backup.backup_to(store, target, replace=True),
            lambda path: self.show_message(f"Backup copy written to {path}."),
        )

    def import_json(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import JSON", self._folder(), "Exchange files (*.json);;All files (*)"
        )
        if not name:
            return
        path = Path(name)
        self._remember_folder(path)
        from app.services import exchange

        store = self.store
        run_in_background(
            self,
            f"Importing {path.name}…",
            lambda: exchange.import_file(store, path),
            self._imported,
            self._import_failed,
        )

    def _imported(self, result: Any) -> None:
        self.navigator.refresh()
        jurisdiction_id = getattr(result, "jurisdiction_id", None)
        if jurisdiction_id is not None:
            self._jurisdiction_id = None  # reload every tab: the import may have changed them
            self.select_jurisdiction(jurisdiction_id)
        text = result.describe()
        self.show_message(text)
        errors.message(self, "Import finished", text)

    def _import_failed(self, error: BaseException) -> None:
        problems = getattr(error, "problems", None)
        if isinstance(error, UserError) and problems:
            box = QMessageBox(
                QMessageBox.Icon.Warning, "Import refused", str(error).split("\n")[0], parent=self
            )
            box.setInformativeText("\n".join(str(p) for p in problems[:10]))
            box.setDetailedText("\n".join(str(p) for p in problems))
            errors.present(box)
        else:
            errors.show_error(self, error)

    def export_json(self) -> None:
        summary = self.navigator.selected()
        if summary is None:
            self.show_message("Choose a jurisdiction to export first.")
            return
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in summary.name).strip()
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export JSON",
            str(Path(self._folder()) / f"{safe or 'jurisdiction'}.json"),
            "Exchange files (*.json);;All files (*)",
        )
        if not name:
            return
        target = Path(name)
        self._remember_folder(target)
        from app.services import exchange

        store, jurisdiction_id = self.store, summary.id
        run_in_background(
            self,
            f"Exporting {summary.name}…",
            lambda: exchange.export_jurisdiction(store, jurisdiction_id, target),
            lambda result: self.show_message(f"Exported {summary.name} to {result.path}."),
        )

    # == people ============================================================================

    def ask_staff_name(self) -> None:
        name, ok = QInputDialog.getText(
            self,
            "Your name",
            "Your name as it should appear in the history of changes:",
            QLineEdit.EchoMode.Normal,
            self.store.actor,
        )
        if ok and name.strip():
            self.set_staff_name(name.strip())

    def set_staff_name(self, name: str) -> None:
        self.settings.set_staff_name(name)
        self.store.actor = name
        self._show_database()
        self.show_message(f"Changes are now recorded as made by {name}.")

    def show_about(self) -> None:
        errors.message(
            self,
            "About Jurisdesk",
            f"Jurisdesk {__version__}",
            informative=(
                "Records a jurisdiction's facilities, policies and evidence, and answers federal "
                "questionnaires.\n\n"
                f"Database: {self.store.path}\n"
                f"Schema: {self.store.database.schema_revision}\n"
                f"Working as: {self.store.actor}\n"
                f"Log file: {errors.log_file()}"
            ),
        )

    # == status and state ==================================================================

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _show_database(self) -> None:
        self.database_label.setText(f"Database: {self.store.path}")
        self.database_label.setToolTip(str(self.store.path))
        self.actor_label.setText(f"Working as: {self.store.actor}")
        self.setWindowTitle(f"Jurisdesk — {self.store.path.name}")

    def _restore(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.place_for_first_start()
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        self.settings.add_recent_file(self.store.path)
        self._restore_place()

    def place_for_first_start(self) -> None:
        """Most of the screen, centred: the minimum size would hide columns and the tabs."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        width = min(max(available.width() * 9 // 10, FIRST_START_MIN.width()), available.width())
        height = min(
            max(available.height() * 9 // 10, FIRST_START_MIN.height()), available.height()
        )
        self.resize(width, height)
        # The frame is not known before the window is shown; centre the client area instead.
        frame = self.frameGeometry()
        frame.moveCenter(available.center())
        self.move(frame.topLeft())

    def _restore_place(self) -> None:
        splitter = self.settings.splitter("main")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        last = self.settings.last_jurisdiction(self.store.path)
        tab = self.settings.last_tab()
        if last is not None and self.select_jurisdiction(last):
            self.show_tab(tab if tab in TAB_NAMES else "profile")
        else:
            self.stack.setCurrentWidget(self.dashboard)
        self._update_actions()

    def _save_state(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        self.settings.set_splitter("main", self.splitter.saveState())
        self.settings.set_last_jurisdiction(self.store.path, self._jurisdiction_id)
        self.settings.set_last_tab(self.current_tab())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._leave_current():
            event.ignore()
            return
        self._save_state()
        for window in list(self._history_windows):
            window.close()
        event.accept()
