"""The Staff list window: who prepares, reviews and approves, and the office's approval rule."""

# ruff: noqa: N815 - Qt signals keep Qt's camelCase (historyRequested).

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import staff
from app.services.errors import Conflict, FieldProblem, InvalidInput, UserError
from app.services.staff import StaffEntry, StaffInput, StaffRole
from app.services.store import Store
from ui.common import errors
from ui.common.colours import roles, styled
from ui.common.forms import ERROR_STYLE, HELP_STYLE
from ui.common.operations import wait_for
from ui.common.table_model import RowsModel
from ui.records.panel import RecordTableView

AnyIndex = QModelIndex | QPersistentModelIndex
NAME, TITLE, PREPARES, REVIEWS, APPROVES, STATUS = range(6)
ROLE_COLUMNS = {
    PREPARES: StaffRole.PREPARES,
    REVIEWS: StaffRole.REVIEWS,
    APPROVES: StaffRole.APPROVES,
}
STAFF_ID_ROLE = Qt.ItemDataRole.UserRole
# What each role lets someone do, as the dialog's checkboxes say it.
ROLE_CAPTIONS = {
    StaffRole.PREPARES: "&Prepares responses (answers the questions)",
    StaffRole.REVIEWS: "&Reviews responses (checks them, or sends them back)",
    StaffRole.APPROVES: "&Approves responses (signs off and locks them)",
}


class StaffModel(RowsModel[StaffEntry]):
    """The staff list as the service orders it: people still here first, by name."""

    headers = ("Name", "Title", "Prepares", "Reviews", "Approves", "Status")

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column in ROLE_COLUMNS:
                return "✓" if entry.has_role(ROLE_COLUMNS[column]) else ""
            return (entry.name, entry.title, "", "", "", _status(entry))[column]
        if role == Qt.ItemDataRole.AccessibleTextRole and column in ROLE_COLUMNS:
            return "yes" if entry.has_role(ROLE_COLUMNS[column]) else "no"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ROLE_COLUMNS:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not entry.active:
            return QColor(roles().muted)  # people who left stay legible
        if role == Qt.ItemDataRole.ToolTipRole and not entry.active:
            return f"{entry.name} has left; the name stays on the responses they worked on."
        if role == STAFF_ID_ROLE:
            return entry.id
        return None

    def row_of(self, staff_id: int) -> int:
        return next((row for row, e in enumerate(self.rows) if e.id == staff_id), -1)


def _status(entry: StaffEntry) -> str:
    return "Active" if entry.active else "Inactive (left)"


# ----------------------------------------------------------------------------- the dialog


class StaffDialogView(QDialog):
    """Layout: name, title and the three roles, each with room for what is wrong with it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.name = QLineEdit(self)
        self.name.setMaxLength(staff.NAME_LIMIT)
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("First and last name, e.g. Dana Whitfield")
        self.title_edit = QLineEdit(self)
        self.title_edit.setMaxLength(staff.TITLE_LIMIT)
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("e.g. Deputy City Attorney, Paralegal")
        self.name_problem = self._problem_label()
        self.title_problem = self._problem_label()
        self.roles = {role: QCheckBox(ROLE_CAPTIONS[role], self) for role in StaffRole}
        form = QFormLayout()
        for caption, edit, problem in (
            ("&Name: *", self.name, self.name_problem),
            ("&Title: *", self.title_edit, self.title_problem),
        ):
            label = QLabel(caption, self)
            label.setBuddy(edit)
            form.addRow(label, edit)
            form.addRow("", problem)
        roles_box = QVBoxLayout()
        roles_box.setSpacing(4)
        for box in self.roles.values():
            roles_box.addWidget(box)
        form.addRow(QLabel("Roles:", self), roles_box)
        self.hint = QLabel(
            f"Fields marked * are required (up to {staff.NAME_LIMIT} characters each). "
            "Tick every role this person has.",
            self,
        )
        self.hint.setWordWrap(True)
        styled(self.hint, HELP_STYLE)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)

    def _problem_label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        styled(label, ERROR_STYLE)
        label.hide()
        return label


class StaffDialog(StaffDialogView):
    """Adds or edits one person; the service checks what was typed when Save is pressed.

    Opened with open() (window-modal, non-blocking); `saved` carries the stored StaffEntry.
    """

    saved = Signal(object)

    def __init__(
        self, store: Store, entry: StaffEntry | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.entry = entry
        self.result_entry: StaffEntry | None = None
        self.setWindowTitle("Add a person" if entry is None else f"Edit {entry.name}")
        if entry is not None:
            self.name.setText(entry.name)
            self.title_edit.setText(entry.title)
            for role, box in self.roles.items():
                box.setChecked(entry.has_role(role))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Typing starts in the first field, whichever button opened the dialog.
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def typed(self) -> StaffInput:
        return StaffInput(
            name=self.name.text(),
            title=self.title_edit.text(),
            prepares=self.roles[StaffRole.PREPARES].isChecked(),
            reviews=self.roles[StaffRole.REVIEWS].isChecked(),
            approves=self.roles[StaffRole.APPROVES].isChecked(),
        )

    def show_problems(self, problems: list[FieldProblem]) -> None:
        shown = {
            "name": (self.name_problem, self.name),
            "title": (self.title_problem, self.title_edit),
        }
        for label, _edit in shown.values():
            label.hide()
        first: QLineEdit | None = None
        for problem in problems:
            label, edit = shown.get(problem.field, (self.title_problem, self.title_edit))
            label.setText(str(problem))
            label.show()
            first = first or edit
        if first is not None:
            first.setFocus()

    def accept(self) -> None:
        try:
            # On a pool thread: a busy database disables the dialog, never freezes the window.
            store, typed, entry = self.store, self.typed(), self.entry
            if entry is None:
                self.result_entry = wait_for(lambda: staff.create(store, typed), busy=self)
            else:
                self.result_entry = wait_for(
                    lambda: staff.update(store, entry.id, typed, expected_version=entry.version),
                    busy=self,
                )
        except InvalidInput as exc:
            self.show_problems(exc.problems)
            return
        except Conflict as exc:
            errors.show_error(self, exc)
            super().reject()  # the list reloads; the user edits the current version again
            return
        except UserError as exc:
            errors.show_error(self, exc)
            return
        self.saved.emit(self.result_entry)
        super().accept()


# ----------------------------------------------------------------------------- the window


class StaffListView(QDialog):
    """Layout: what the list is for, the buttons, the table and the office's approval rule."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Staff list")
        self.setSizeGripEnabled(True)
        intro = QLabel(
            "The people in your office who prepare, review and approve responses. "
            "When someone leaves, deactivate them: they are no longer offered in the lists, "
            "and their name stays on the responses they worked on.",
            self,
        )
        intro.setWordWrap(True)
        self.add_button = QPushButton("&Add person…", self)
        self.add_button.setToolTip("Add someone to the staff list (Insert)")
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.setToolTip("Change the selected person's name, title or roles (Enter)")
        self.deactivate_button = QPushButton("&Deactivate…", self)
        self.history_button = QPushButton("&History…", self)
        self.history_button.setToolTip("Every change to the selected person's entry")
        self.show_left = QCheckBox("Show people who have &left", self)
        self.show_left.setChecked(True)
        bar = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.deactivate_button,
            self.history_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.show_left)

        self.model = StaffModel(self)
        self.table = RecordTableView(self)
        self.table.setSortingEnabled(False)  # kept in the service's order: who is here first
        self.table.setModel(self.model)
        self.table.setAccessibleName("Staff list")
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel(self)
        self.empty_label.setWordWrap(True)
        styled(self.empty_label, HELP_STYLE)

        self.approver_must_differ = QCheckBox(staff.APPROVER_MUST_DIFFER_LABEL, self)
        self.approver_must_differ.setAccessibleName(staff.APPROVER_MUST_DIFFER_LABEL)
        rule_help = QLabel(
            "Applies to everyone who uses this database: whoever prepared a response "
            "cannot also approve it. Changing it is recorded in the history.",
            self,
        )
        rule_help.setWordWrap(True)
        styled(rule_help, HELP_STYLE)
        rule_help.setIndent(self.fontMetrics().averageCharWidth() * 4)
        policy = QGroupBox("Office policy", self)
        policy_layout = QVBoxLayout(policy)
        policy_layout.addWidget(self.approver_must_differ)
        policy_layout.addWidget(rule_help)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("Cl&ose")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(policy)
        layout.addWidget(self.buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 110, self.fontMetrics().height() * 30)


class StaffListWindow(StaffListView):
    """Behaviour: lists, adds, edits, deactivates; the rule's checkbox saves as it is clicked.

    Not modal: it can stay open beside the main window.
    """

    historyRequested = Signal(str, str)  # staff member's uuid, window title
    statusMessage = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.dialog: StaffDialog | None = None
        self.add_button.clicked.connect(self.add_person)
        self.edit_button.clicked.connect(self.edit_person)
        self.deactivate_button.clicked.connect(self.toggle_active)
        self.history_button.clicked.connect(self.request_history)
        self.show_left.toggled.connect(lambda _on: self.refresh())
        self.table.addRequested.connect(self.add_person)
        self.table.editRequested.connect(self.edit_person)
        self.table.deleteRequested.connect(self.toggle_active)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._update_buttons()
        )
        self.approver_must_differ.toggled.connect(self._rule_changed)
        self.buttons.rejected.connect(self.close)
        self.refresh()

    # -- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        chosen = self.current()
        try:
            people = staff.list_staff(self.store, active_only=not self.show_left.isChecked())
            rule = staff.get_approver_must_differ(self.store)
        except UserError as exc:
            errors.show_error(self, exc)
            people, rule = [], self.approver_must_differ.isChecked()
        self.model.set_rows(people)
        self.approver_must_differ.blockSignals(True)
        self.approver_must_differ.setChecked(rule)
        self.approver_must_differ.blockSignals(False)
        if (chosen is None or not self.select(chosen.id)) and self.model.rows:
            self.table.selectRow(0)
        self.empty_label.setText(
            ""
            if self.model.rows
            else "Nobody is on the staff list yet. Press “Add person…” to add the first."
        )
        self.empty_label.setVisible(not self.model.rows)
        self._update_buttons()

    def current(self) -> StaffEntry | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.row_at(index.row())

    def select(self, staff_id: int) -> bool:
        row = self.model.row_of(staff_id)
        if row < 0:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def _update_buttons(self) -> None:
        chosen = self.current()
        self.edit_button.setEnabled(chosen is not None)
        self.history_button.setEnabled(chosen is not None)
        self.deactivate_button.setEnabled(chosen is not None)
        if chosen is not None and not chosen.active:
            self.deactivate_button.setText("&Reactivate")
            self.deactivate_button.setToolTip(f"{chosen.name} is back: offer them again")
        else:
            self.deactivate_button.setText("&Deactivate…")
            self.deactivate_button.setToolTip(
                "The selected person has left: stop offering them (their name stays on "
                "the responses they worked on)"
            )

    # -- actions --------------------------------------------------------------------------

    def add_person(self) -> StaffDialog:
        return self._open_dialog(None)

    def edit_person(self) -> StaffDialog | None:
        chosen = self.current()
        if chosen is None:
            return None
        try:
            # The newest copy, so the version the dialog checks against is current.
            chosen = staff.get(self.store, chosen.id)
        except UserError as exc:
            errors.show_error(self, exc)
            self.refresh()
            return None
        return self._open_dialog(chosen)

    def _open_dialog(self, entry: StaffEntry | None) -> StaffDialog:
        dialog = StaffDialog(self.store, entry, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        dialog.rejected.connect(self.refresh)
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, entry: StaffEntry) -> None:
        self.refresh()
        self.select(entry.id)
        self.table.setFocus()
        self.statusMessage.emit(f"Saved {entry.name} on the staff list.")

    def toggle_active(self) -> bool:
        """Deactivates the selected person (after asking), or reactivates one who left."""
        chosen = self.current()
        if chosen is None:
            return False
        if chosen.active and not self._confirm_deactivate(chosen):
            return False
        change = staff.deactivate if chosen.active else staff.reactivate
        try:
            done = change(self.store, chosen.id, expected_version=chosen.version)
        except UserError as exc:
            errors.show_error(self, exc)
            self.refresh()
            return False
        self.refresh()
        self.select(done.id)
        self.statusMessage.emit(
            f"{done.name} is {'active again' if done.active else 'marked as having left'}."
        )
        return True

    def _confirm_deactivate(self, entry: StaffEntry) -> bool:
        answer = errors.ask(
            self,
            "Deactivate",
            f"Mark {entry.name} as having left the office?",
            informative=(
                f"{entry.name} will no longer be offered as preparer, reviewer or approver. "
                "Their name stays on every response they worked on, and you can reactivate "
                "them later."
            ),
            buttons=errors.Button.Yes | errors.Button.Cancel,
            default=errors.Button.Yes,
            labels={errors.Button.Yes: "&Deactivate"},
        )
        return answer == errors.Button.Yes

    def request_history(self) -> None:
        chosen = self.current()
        if chosen is not None:
            self.historyRequested.emit(chosen.uuid, f"Staff member: {chosen.name}")

    def _rule_changed(self, required: bool) -> None:
        try:
            store = self.store
            stored = wait_for(
                lambda: staff.set_approver_must_differ(store, required),
                busy=self.approver_must_differ,
            )
        except UserError as exc:
            errors.show_error(self, exc)
            stored = not required
        self.approver_must_differ.blockSignals(True)
        self.approver_must_differ.setChecked(stored)
        self.approver_must_differ.blockSignals(False)
        self.statusMessage.emit(
            "The approver must now differ from the preparer."
            if stored
            else "The preparer may now also approve a response."
        )
