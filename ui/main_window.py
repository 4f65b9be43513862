"""Main window: jurisdictions on the left; the dashboard or a jurisdiction's tabs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.locations import Location, OfficeServer
from app.paths import demo_database_path
from app.services.errors import UserError
from ui import office_database
from ui.common import errors
from ui.common.actions import connect_triggers
from ui.common.colours import styled
from ui.database_actions import DatabaseActions
from ui.help import HelpWindow, install_help_key, show_help_for
from ui.main_menu import MainMenu
from ui.report_actions import ChosenJurisdiction, ChosenResponse, ReportActions
from ui.settings import Settings
from ui.tab_list import TAB_NAMES

if TYPE_CHECKING:
    # The workspace (panels, dashboard, editor) and the services they call bring SQLAlchemy and
    # most of the program: the window shows first, with only its menus, and they come after
    # (load_workspace(), run in the background while the database opens).
    from app.services import records
    from app.services.jurisdictions import JurisdictionSummary
    from app.services.responses import ResponseSummary
    from app.services.store import Store
    from ui.history_panel import RecordHistoryDialog
    from ui.opening import Opening
    from ui.questionnaire import ResponseEditor
    from ui.records import RecordDialog, RecordPanel
    from ui.staff_window import StaffListWindow

log = logging.getLogger("jurisdesk.ui")

FIRST_START_MIN = QSize(1024, 768)
DEMO_NOTE = "Demo database — sample data from August 2017"


def load_workspace() -> None:
    """Imports what shows an open database. Safe on a pool thread: these modules only define
    classes and value constants; no widget or pixmap is made at import."""
    import ui.dashboard
    import ui.history_panel
    import ui.jurisdiction_tabs
    import ui.navigator
    import ui.questionnaire
    import ui.records
    import ui.staff_window  # noqa: F401


@contextmanager
def _waiting() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class MainWindow(QMainWindow):
    """Composes the menus, navigator, dashboard and tabs; every signal is connected in _wire_*."""

    #: The open database; set by open_workspace(), before which only the menus are there.
    store: Store

    def __init__(
        self, store: Store | None, settings: Settings | None = None, parent: QWidget | None = None
    ) -> None:
        """With store None the window shows at once with its menus and "Opening…", and
        open_workspace() fills it once the database is open (see ui.application)."""
        super().__init__(parent)
        self.settings = settings or Settings()
        self.workspace_ready = False
        self.editor: ResponseEditor | None = None
        self._return_to: QWidget | None = None
        self._history_windows: list[RecordHistoryDialog] = []
        self.staff_window: StaffListWindow | None = None
        self._jurisdiction_id: int | None = None
        self._closing_ok = False
        # An office database being connected to (File ▸ Connect, the recent list).
        self.connecting: Opening | None = None
        self.setWindowTitle("Jurisdesk")
        self._build_actions()
        self._build_status_bar()
        self._restore_geometry()
        if store is None:
            self._show_opening()
        else:
            self.open_workspace(store)

    def _show_opening(self) -> None:
        """What shows while the database opens: the menus (only Quit, About and the user
        manual work yet)."""
        self.opening_label = QLabel("Opening the database…")
        self.opening_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.opening_label)
        self._enable_menus(False)

    def show_opening(self, location: Location) -> None:
        """Names the database being opened, in the window's title, centre and status bar."""
        if isinstance(location, OfficeServer):
            self.opening_label.setText(
                f"Connecting to the office database {office_database.short_name(location)}…"
            )
        else:
            self.opening_label.setText(f"Opening {location.name}…")
        self._name_database(location)

    def show_refused(self, location: Location) -> None:
        """Behind the dialog that says why location cannot be opened, and offers others."""
        if isinstance(location, OfficeServer):
            name = office_database.sentence(office_database.full_name(location))
            self.opening_label.setText(f"{name} could not be opened.")
        else:
            self.opening_label.setText(f"{location.name} could not be opened.")

    def _enable_menus(self, enabled: bool) -> None:
        keep = {self.quit_action, self.main_menu.about_action, self.main_menu.help_action}
        for menu in self.menuBar().findChildren(QMenu):
            for action in menu.actions():
                if action not in keep and not action.isSeparator():
                    action.setEnabled(enabled)
        self.toolbar.setEnabled(enabled)

    def open_workspace(self, store: Store) -> None:
        """Shows store in this window: the list, dashboard and tabs, where the user left off."""
        self.store = store
        self._build_workspace()
        self.workspace_ready = True
        self._enable_menus(True)
        self.settings.add_recent_database(self.store.location)
        self._restore_place()

    # == layout ===========================================================================

    def _build_actions(self) -> None:
        self.database = DatabaseActions(
            self, self.settings, store=lambda: self.store, jurisdiction=self._selected_jurisdiction
        )
        self.reports = ReportActions(
            self,
            self.statusBar(),
            self.settings,
            store=lambda: self.store,
            response=self.current_response,
            jurisdiction=self.current_jurisdiction,
            folder=self.database.folder,
            remember_folder=self.database.remember_folder,
        )
        self.reports.paperChanged.connect(self._paper_changed)
        self.main_menu = MainMenu(self, self.database, self.reports)
        # Tests and ui/screenshots.py reach these on the window.
        self.new_database_action = self.database.new_database_action
        self.open_database_action = self.database.open_database_action
        self.connect_action = self.database.connect_action
        self.recent_menu = self.database.recent_menu
        self.backup_action = self.database.backup_action
        self.restore_action = self.database.restore_action
        self.import_action = self.database.import_action
        self.export_action = self.database.export_action
        self.staff_name_action = self.main_menu.staff_name_action
        self.staff_list_action = self.main_menu.staff_list_action
        self.quit_action = self.main_menu.quit_action
        self.find_action = self.main_menu.find_action
        self.toolbar = self.main_menu.toolbar
        self._wire_actions()

    def _build_status_bar(self) -> None:
        self.database_label = QLabel()
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actor_label = QLabel()
        self.demo_label = QLabel(DEMO_NOTE)
        # Bold through the font: a style sheet would keep the palette it was polished with.
        bold = self.demo_label.font()
        bold.setBold(True)
        self.demo_label.setFont(bold)
        self.demo_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.demo_label)
        self.statusBar().addPermanentWidget(self.actor_label)
        self.statusBar().addPermanentWidget(self.database_label)

    def _build_workspace(self) -> None:
        """Everything that shows the open database; rebuilt when another database is opened."""
        from ui.dashboard import DashboardView
        from ui.jurisdiction_tabs import JurisdictionTabs
        from ui.navigator import Navigator

        store = self.store
        self.navigator = Navigator(store)
        self.navigator.setMinimumWidth(self.fontMetrics().averageCharWidth() * 28)

        shortcuts = {name: action.shortcut() for name, action in self.main_menu.tab_actions.items()}
        self.tabs = JurisdictionTabs(store, shortcuts, self._jurisdiction_uuid)
        # The panels stay reachable on the window, as tests and ui/screenshots.py expect.
        self.tab_widgets = self.tabs.widgets
        self.profile = self.tabs.profile
        self.facilities = self.tabs.facilities
        self.instruments = self.tabs.instruments
        self.evidence = self.tabs.evidence
        self.requests = self.tabs.requests
        self.statistics = self.tabs.statistics
        self.contacts = self.tabs.contacts
        self.responses = self.tabs.responses
        self.history = self.tabs.history

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
        self.banner = self._database_banner()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._wire_workspace()
        self._show_database()

    def _database_banner(self) -> QLabel:
        """What the user must keep in mind while this database is open: that it is read-only,
        or on a network folder. Shown above everything, for as long as it is open."""
        banner = QLabel("\n".join(self.store.notices))
        banner.setObjectName("databaseBanner")
        banner.setWordWrap(True)
        banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        styled(
            banner,
            "#databaseBanner {{ background: {notice_background}; color: {notice_text};"
            " border-bottom: 1px solid {notice_border}; padding: 6px 10px; }}",
        )
        banner.setVisible(bool(self.store.notices))
        return banner

    # == behaviour: wiring =================================================================

    def _wire_actions(self) -> None:
        menu = self.main_menu
        connect_triggers(
            (
                (menu.staff_name_action, self.ask_staff_name),
                (menu.staff_list_action, self.show_staff_list),
                (menu.preferences_action, self.ask_staff_name),
                (menu.quit_action, self.close),
                (menu.new_record_action, self.new_record),
                (menu.edit_record_action, self.edit_record),
                (menu.delete_record_action, self.delete_selected),
                (menu.record_history_action, self.record_history),
                (menu.find_action, self.focus_search),
                (menu.dashboard_action, self.show_dashboard),
                *((menu.tab_actions[name], partial(self.show_tab, name)) for name in TAB_NAMES),
                (menu.refresh_action, self.refresh),
                (menu.new_jurisdiction_action, self.new_jurisdiction),
                (menu.delete_jurisdiction_action, self.delete_jurisdiction),
                (menu.about_action, self.show_about),
                (menu.help_action, self.show_help),
            )
        )
        menu.edit_menu.aboutToShow.connect(self._update_actions)
        self.database.openRequested.connect(self.open_location)
        self.database.restoreRequested.connect(self.restore_database)
        self.database.imported.connect(self._imported)
        self.database.statusMessage.connect(self.show_message)
        # F1 in a dialog or the staff list, where the window's own shortcut does not reach.
        install_help_key(self)

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
        self.responses.changed.connect(self._after_change)
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
        self.settings.set_last_jurisdiction(self.store.location, jurisdiction_id)
        self.profile.set_jurisdiction(jurisdiction_id)
        self.tabs.stale = set(TAB_NAMES) - {"profile"}
        if jurisdiction_id is None:
            self.stack.setCurrentWidget(self.dashboard)
        else:
            self._show_jurisdiction_page()
        self.tabs.load(self.tabs.current_tab(), self._jurisdiction_id)
        self._update_actions()

    def _show_jurisdiction_page(self) -> None:
        if self._jurisdiction_id is None:
            return
        if self.editor is not None and self.stack.currentWidget() is self.editor:
            return
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.load(self.tabs.current_tab(), self._jurisdiction_id)

    def _tab_changed(self, index: int) -> None:
        name = TAB_NAMES[index] if 0 <= index < len(TAB_NAMES) else "profile"
        if name != "profile":
            # Switching tab is leaving the form: store what was typed now.
            self.profile.save_now()
        self.settings.set_last_tab(name)
        self.tabs.load(name, self._jurisdiction_id)
        self._update_actions()

    def _selected_jurisdiction(self) -> JurisdictionSummary | None:
        return self.navigator.selected()

    def _jurisdiction_uuid(self, jurisdiction_id: int | None) -> str | None:
        from app.services import records

        summary = self.navigator.selected()
        if summary is not None:
            return summary.uuid
        if jurisdiction_id is None:
            return None
        try:
            return records.get(self.store, "jurisdiction", jurisdiction_id).uuid
        except UserError:
            return None

    def current_tab(self) -> str:
        return self.tabs.current_tab()

    def show_dashboard(self) -> None:
        if not self._leave_current():
            return
        self.navigator.clear_selection(notify=False)
        self._jurisdiction_id = None
        self.profile.set_jurisdiction(None)
        self.settings.set_last_jurisdiction(self.store.location, None)
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
        self.tabs.show_tab(name)

    def focus_search(self) -> None:
        self.navigator.focus_search()

    def refresh(self) -> None:
        self.navigator.refresh()
        self.profile.reload()
        self.tabs.stale = set(TAB_NAMES) - {"profile"} if self._jurisdiction_id else set()
        self.tabs.load(self.tabs.current_tab(), self._jurisdiction_id)
        self.dashboard.refresh()
        self.show_message("Refreshed.")

    def _after_change(self, refresh_profile: bool = True) -> None:
        """Something was saved: counts in the list and other tabs may show it."""
        if self._jurisdiction_id is not None:
            self.navigator.update_jurisdiction(self._jurisdiction_id)
        else:
            self.navigator.refresh()
        current = self.current_tab()
        self.tabs.stale |= {"history", "evidence", "statistics"} - {current}
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
        return self.tabs.record_panel()

    def _update_actions(self) -> None:
        if not self.workspace_ready:  # the menus stay off until the database is open
            return
        menu = self.main_menu
        panel = self.current_panel()
        has_jurisdiction = self._jurisdiction_id is not None
        if panel is not None:
            noun = panel.kind.label.lower()
            menu.new_record_action.setText(f"&New {noun}…")
            menu.new_record_action.setEnabled(panel.parent_id is not None)
            has_record = panel.current_record() is not None
            menu.edit_record_action.setEnabled(has_record)
            menu.delete_record_action.setEnabled(has_record)
            menu.record_history_action.setEnabled(has_record)
        else:
            # No record table showing: New jurisdiction has its own action and button.
            menu.new_record_action.setText("&New record…")
            menu.new_record_action.setEnabled(False)
            menu.edit_record_action.setEnabled(False)
            menu.record_history_action.setEnabled(False)
            menu.delete_record_action.setEnabled(
                has_jurisdiction and self.navigator.list_view.hasFocus()
            )
        self.database.update(has_jurisdiction)
        self.reports.update()
        menu.delete_jurisdiction_action.setEnabled(has_jurisdiction)
        menu.new_record_action.setToolTip(menu.new_record_action.text().replace("&", ""))

    def new_record(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            panel.add_record()

    def edit_record(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            panel.edit_record()

    def record_history(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            panel.request_history()

    def delete_selected(self) -> None:
        if self.navigator.list_view.hasFocus():
            self.delete_jurisdiction()
            return
        panel = self.current_panel()
        if panel is not None:
            panel.delete_record()

    def new_jurisdiction(self) -> RecordDialog | None:
        from ui.records import RecordDialog

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
        from app.services import records
        from ui.records.dialog import delete_record

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
        from ui.history_panel import RecordHistoryDialog

        window = RecordHistoryDialog(self.store, entity_uuid, title, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._history_windows.append(window)
        window.destroyed.connect(lambda *_: self._history_windows.remove(window))
        window.show()
        return window

    # == responses (the guided questionnaire) ==============================================

    def _paper_changed(self, paper: str) -> None:
        if self.editor is not None:
            self.editor.set_paper(paper)

    def open_response(self, response_id: int) -> ResponseEditor | None:
        from ui.questionnaire import ResponseEditor

        if not self._close_editor():
            return None
        try:
            editor = ResponseEditor(self.store, response_id, paper=self.reports.paper())
        except UserError as exc:
            errors.show_error(self, exc)
            return None
        self.editor = editor
        self._return_to = self.stack.currentWidget()
        # The letter of the response being edited is one click away from its toolbar.
        editor.toolbar.addSeparator()
        editor.toolbar.addAction(self.reports.export_letter_action)
        editor.toolbar.addAction(self.reports.export_letter_docx_action)
        editor.toolbar.addAction(self.reports.print_letter_action)
        # Every toolbar action in a menu too, with the steps, for the keyboard (Alt+R).
        letter = [
            self.reports.export_letter_action,
            self.reports.export_letter_docx_action,
            self.reports.print_letter_action,
        ]
        self.main_menu.show_response_actions(
            [
                editor.workflow_actions,
                [editor.previous_action, editor.next_action],
                [editor.history_action, editor.save_action, editor.close_action],
                letter,
            ]
        )
        self.stack.addWidget(editor)
        self.stack.setCurrentWidget(editor)
        # The keyboard goes with the eyes: into the response, on its list of steps. Left where
        # it was (the hidden list of responses hands it to the search box), the response's
        # own keys (Alt+arrows, Ctrl+S, Ctrl+W, Ctrl+H) would not reach it.
        editor.steps.setFocus(Qt.FocusReason.OtherFocusReason)
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
        self.main_menu.show_response_actions([])
        self.stack.removeWidget(editor)
        editor.deleteLater()
        return True

    def _editor_closed(self) -> None:
        back = self._return_to
        if self._close_editor():
            target = back if back in (self.dashboard, self.tabs) else self.dashboard
            self.stack.setCurrentWidget(target)
            self._response_changed()
            # Back on the list the response was opened from, with the keyboard.
            if target is self.dashboard:
                self.dashboard.table.setFocus(Qt.FocusReason.OtherFocusReason)
            elif self.current_tab() == "responses":
                self.responses.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _response_changed(self) -> None:
        """The editor saved its response, or closed: that response's row on the dashboard and
        its jurisdiction's counts in the list are read again, not every response."""
        from ui.questionnaire import ResponseEditor

        sender = self.sender()
        editor = self.editor or (sender if isinstance(sender, ResponseEditor) else None)
        if editor is None:  # not told which response: read them all, as before
            self.navigator.refresh()
            if self.dashboard.isVisible():
                self.dashboard.refresh()
        else:
            # Also while hidden behind the editor: one row costs about a millisecond.
            self.dashboard.update_response(editor.response_id)
            self.navigator.update_jurisdiction(editor.summary.jurisdiction_id)
        if self.responses.isVisible():
            self.responses.refresh()  # one jurisdiction's responses
        self.tabs.stale.add("history")

    # == databases ========================================================================

    def open_location(self, location: Location, create: bool = False) -> None:
        """Opens a database file (create: a new one), or connects to an office database."""
        if isinstance(location, OfficeServer):
            self.connect_office_database(location)
        else:
            self.switch_database(location, create=create)

    def switch_database(self, path: Path, *, create: bool = False) -> bool:
        """Opens another database file in this window; a refused file leaves the current one
        open."""
        from app.services.store import open_store

        if not self._leave_current():
            return False
        if self.connecting is not None:
            self.connecting.cancel()  # the file chosen since wins
        try:
            new_store = open_store(path, actor=self.store.actor, create=create)
        except UserError as exc:
            errors.show_error(self, exc)
            return False
        self._show_store(new_store)
        self.show_message(f"Opened {path}.")
        return True

    def connect_office_database(self, server: OfficeServer) -> Opening | None:
        """Connects to an office database on a pool thread, the window answering meanwhile,
        and shows it once connected. The server may ask for a password, and an empty
        database is set up only if the person agrees. A server that cannot be reached, or a
        database this Jurisdesk cannot use, leaves the current database open, saying why."""
        from ui.opening import Opening

        name = office_database.short_name(server)
        if self.connecting is not None and not self.connecting.finished:
            self.show_message("Jurisdesk is still connecting to an office database; wait a moment.")
            return None
        if not self._leave_current():
            return None
        opening = Opening(
            self,
            server,
            self.store.actor,
            opened=self._connected,
            refused=self._not_connected,
            label=f"Connecting to the office database {name}…",
        )
        self.connecting = opening
        self.statusBar().showMessage(f"Connecting to the office database {name}…")
        opening.start()
        return opening

    def _connected(self, store: Store) -> None:
        self.connecting = None
        self.statusBar().clearMessage()
        if not self.isVisible() or not self._leave_current():
            # Closed meanwhile, or typing that cannot be saved yet: the person stays.
            store.close()
            return
        self._show_store(store)
        self.show_message(f"Connected to {office_database.full_name(store.location)}.")

    def _not_connected(self, error: BaseException) -> None:
        from ui.opening import Declined

        self.connecting = None
        self.statusBar().clearMessage()
        if isinstance(error, Declined):
            self.show_message(str(error))
        elif isinstance(error, UserError) and self.workspace_ready:
            current = office_database.full_name(self.store.location)
            errors.message(
                self,
                "Cannot connect to the office database",
                str(error),
                icon=QMessageBox.Icon.Warning,
                informative=f"You are still working in {current}.",
            )
        else:
            errors.show_error(self, error)

    def _show_store(self, new_store: Store) -> None:
        """Shows another open database in this window in place of the current one."""
        self._save_state()
        old = self.store
        self.store = new_store
        for window in list(self._history_windows):
            window.close()
        self._close_staff_list()
        self._jurisdiction_id = None
        self._build_workspace()
        old.close()
        self.settings.add_recent_database(new_store.location)
        if new_store.path is not None:
            self.database.remember_folder(new_store.path)
        self._restore_place()

    def restore_database(self, backup_copy: Path) -> bool:
        """Puts a backup copy in place of the open database and reopens it.

        The window lets go of the database first: a file cannot be replaced under its own
        connections. If the restore is refused, the database is reopened as it was.
        """
        from app.services import restore
        from app.services.store import open_store

        path = self.store.path
        if path is None:  # IT restores an office database with PostgreSQL's tools
            errors.message(
                self,
                "Restore from backup",
                "An office database on a server is restored by IT, with PostgreSQL's own tools.",
                icon=QMessageBox.Icon.Warning,
            )
            return False
        if not self._leave_current():
            return False
        self._save_state()
        for window in list(self._history_windows):
            window.close()
        self._close_staff_list()
        old = self.store
        old.close()
        try:
            with _waiting():
                result = restore.restore_database(path, backup_copy)
        except UserError as exc:
            # Nothing was changed; the window's database reconnects on its next use.
            errors.show_error(self, exc)
            return False
        try:
            new_store = open_store(path, actor=old.actor)
        except UserError as exc:
            errors.show_error(self, exc)
            return False
        self.store = new_store
        self._jurisdiction_id = None
        self._build_workspace()
        self._restore_place()
        kept = f" The database as it was is kept as {result.kept_copy}." if result.kept_copy else ""
        self.show_message(f"Restored from {backup_copy.name}.{kept}")
        return True

    def _imported(self, result: Any) -> None:
        self.navigator.refresh()
        jurisdiction_id = getattr(result, "jurisdiction_id", None)
        if jurisdiction_id is not None:
            self._jurisdiction_id = None  # reload every tab: the import may have changed them
            self.select_jurisdiction(jurisdiction_id)

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

    def show_staff_list(self) -> StaffListWindow:
        """The staff list of the open database, beside the main window (one at a time)."""
        from ui.staff_window import StaffListWindow

        if self.staff_window is None:
            window = StaffListWindow(self.store, self)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.statusMessage.connect(self.show_message)
            window.historyRequested.connect(self.show_record_history)
            window.destroyed.connect(lambda *_: self._forget_staff_list(window))
            self.staff_window = window
        self.staff_window.show()
        self.staff_window.raise_()
        self.staff_window.activateWindow()
        return self.staff_window

    def _forget_staff_list(self, window: StaffListWindow) -> None:
        # A window closed earlier may be destroyed after a new one opened: keep the new one.
        if self.staff_window is window:
            self.staff_window = None

    def _close_staff_list(self) -> None:
        # It lists the people of the database it was opened on.
        if self.staff_window is not None:
            self.staff_window.close()
            self.staff_window = None

    def show_help(self) -> HelpWindow:
        """The user manual, at the page for what is showing."""
        return show_help_for(self)

    def show_about(self) -> None:
        if not self.workspace_ready:
            errors.message(self, "About Jurisdesk", f"Jurisdesk {__version__}")
            return
        errors.message(
            self,
            "About Jurisdesk",
            f"Jurisdesk {__version__}",
            informative=(
                "Records a jurisdiction's facilities, policies and evidence, and answers federal "
                "questionnaires.\n\n"
                f"{self._database_line()}\n"
                f"Schema: {self.store.database.schema_revision}\n"
                f"Working as: {self.store.actor}\n"
                f"Log file: {errors.log_file()}"
            ),
        )

    # == status and state ==================================================================

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _database_line(self) -> str:
        """The open database as About names it."""
        server = self.store.server
        if server is None:
            return f"Database: {self.store.path}"
        return f"Office database: {office_database.short_name(server)}\nAddress: {server.address}"

    def _name_database(self, location: Location, *, demo: bool = False) -> None:
        """Names the database in the title bar and the status bar: a file by its name and
        path, an office database as "DATABASE on SERVER" and its address."""
        if isinstance(location, OfficeServer):
            self.database_label.setText(f"Office database: {office_database.short_name(location)}")
            self.database_label.setToolTip(location.address)
            self.setWindowFilePath("")
        else:
            self.database_label.setText(f"Database: {location}")
            self.database_label.setToolTip(str(location))
            self.setWindowFilePath(str(location))
        # The name only; no application display name is set, so no platform appends one.
        self.setWindowTitle(
            "Jurisdesk — Demo database"
            if demo
            else f"Jurisdesk — {office_database.short_name(location)}"
        )

    def _show_database(self) -> None:
        self.actor_label.setText(f"Working as: {self.store.actor}")
        demo = self.is_demo()
        self.demo_label.setVisible(demo)
        self._name_database(self.store.location, demo=demo)

    def is_demo(self) -> bool:
        """True when the open database is the demo's own file (jurisdesk --demo)."""
        path = self.store.path
        if path is None:
            return False
        try:
            return path.resolve() == demo_database_path().resolve()
        except OSError:
            return False

    def _restore_geometry(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.place_for_first_start()
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

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
        last = self.settings.last_jurisdiction(self.store.location)
        tab = self.settings.last_tab()
        if last is not None and self.select_jurisdiction(last):
            self.show_tab(tab if tab in TAB_NAMES else "profile")
        else:
            self.stack.setCurrentWidget(self.dashboard)
        self._update_actions()

    def _save_state(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        if not self.workspace_ready:
            self.settings.sync()
            return
        self.settings.set_splitter("main", self.splitter.saveState())
        self.settings.set_last_jurisdiction(self.store.location, self._jurisdiction_id)
        self.settings.set_last_tab(self.current_tab())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.workspace_ready and not self._leave_current():
            event.ignore()
            return
        if self.connecting is not None:
            self.connecting.cancel()  # a connection made after all is closed
        self._save_state()
        for window in list(self._history_windows):
            window.close()
        self._close_staff_list()
        event.accept()
