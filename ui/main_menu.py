"""The main window's menus and toolbar: what each action is called, its key and where it sits."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStyle, QToolBar

from ui.common.actions import make_action
from ui.database_actions import DatabaseActions
from ui.report_actions import ReportActions
from ui.tab_list import TABS


class MainMenu(QObject):
    """Layout only: MainWindow connects every action here to what it does."""

    def __init__(
        self, window: QMainWindow, database: DatabaseActions, reports: ReportActions
    ) -> None:
        super().__init__(window)
        self.window = window
        self.database = database
        self.reports = reports
        self._build_actions()
        self._build_menus()
        self._build_toolbar()

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        w = self.window
        self.staff_name_action = make_action(
            w, "Set &my name…", tip="The name written into the history of every change"
        )
        self.staff_list_action = make_action(
            w,
            "S&taff list…",
            tip="Who prepares, reviews and approves responses, and the office's approval rule",
        )
        self.quit_action = make_action(w, "&Quit", QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.new_record_action = make_action(
            w, "&New record…", QKeySequence.StandardKey.New, sp.SP_FileDialogNewFolder
        )
        self.edit_record_action = make_action(
            w, "&Edit…", icon=sp.SP_FileDialogDetailedView, tip="Edit the selected record (Enter)"
        )
        self.delete_record_action = make_action(
            w,
            "&Delete…",
            QKeySequence.StandardKey.Delete,
            sp.SP_TrashIcon,
            "Delete the selected record",
        )
        self.record_history_action = make_action(
            w, "&History of this record…", tip="Every change to the selected record"
        )
        self.find_action = make_action(w, "&Find jurisdiction", QKeySequence.StandardKey.Find)
        self.preferences_action = make_action(w, "&Preferences…")
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)

        self.dashboard_action = make_action(
            w, "&Dashboard", "Ctrl+1", sp.SP_DesktopIcon, "What is due across all jurisdictions"
        )
        self.tab_actions: dict[str, QAction] = {}
        for number, (name, label, tip) in enumerate(TABS, start=2):
            key = f"Ctrl+{number % 10}"
            title = tip.split(":")[0] if ":" in tip else label.replace("&&", "and")
            self.tab_actions[name] = make_action(w, title, key, tip=tip)
        self.refresh_action = make_action(
            w,
            "&Refresh",
            QKeySequence.StandardKey.Refresh,
            sp.SP_BrowserReload,
            "Read everything again from the database",
        )
        self.refresh_action.setShortcut(QKeySequence("F5"))

        self.new_jurisdiction_action = make_action(
            w,
            "&New jurisdiction…",
            "Ctrl+Shift+N",
            sp.SP_FileDialogNewFolder,
            "Record a city, county or other jurisdiction",
        )
        self.delete_jurisdiction_action = make_action(
            w, "&Delete jurisdiction…", tip="Delete the selected jurisdiction and its records"
        )
        self.help_action = make_action(
            w,
            "&User manual",
            QKeySequence.StandardKey.HelpContents,
            tip="The manual, open at the page for what is showing (F1)",
        )
        self.about_action = make_action(w, "&About Jurisdesk")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        file_menu = bar.addMenu("&File")
        self.database.add_to_menu(file_menu)
        file_menu.addSeparator()
        self.reports.add_to_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.staff_name_action)
        file_menu.addAction(self.staff_list_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        # Tooltips of disabled entries explain why they are disabled.
        file_menu.setToolTipsVisible(True)

        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addAction(self.new_record_action)
        self.edit_menu.addAction(self.edit_record_action)
        self.edit_menu.addAction(self.delete_record_action)
        self.edit_menu.addAction(self.record_history_action)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.find_action)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.preferences_action)

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

        # The open response's actions (its toolbar's, and moving between steps); shown only
        # while a response is open, see show_response_actions.
        self.response_menu = bar.addMenu("&Response")
        self.response_menu.menuAction().setVisible(False)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.help_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def show_response_actions(self, groups: list[list[QAction]]) -> None:
        """Fills the Response menu with the open response's actions, a separator between
        groups; no groups hides the menu (no response open)."""
        self.response_menu.clear()
        for group in groups:
            if self.response_menu.actions():
                self.response_menu.addSeparator()
            self.response_menu.addActions(group)
        self.response_menu.menuAction().setVisible(bool(groups))

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self.window)
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
            self.database.import_action,
            self.database.export_action,
            self.database.backup_action,
        ):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.window.addToolBar(toolbar)
        self.toolbar = toolbar
