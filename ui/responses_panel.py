"""A jurisdiction's responses: list them, start a new one, open or delete one."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import questionnaires
from app.reports.text import long_date
from app.services import Store, UserError, open_requests, records, responses
from app.services.open_requests import NewResponseDefaults
from app.services.records import Record
from app.services.responses import ResponseSummary
from ui.common import errors
from ui.common.colours import styled
from ui.common.errors import show_error
from ui.common.operations import wait_for
from ui.common.table_model import RowsModel
from ui.dashboard import ProgressDelegate

AnyIndex = QModelIndex | QPersistentModelIndex
QUESTIONNAIRE, VERSION, STATUS, DUE, COMPLETE = range(5)
HEADERS = ("Questionnaire", "Version", "Status", "Due", "Complete")
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 2  # what ProgressDelegate paints
RESPONSE_ID_ROLE = Qt.ItemDataRole.UserRole
PREPARED_BY_LIMIT = 200  # as Response.prepared_by keeps it


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = errors.ask(
        parent,
        title,
        text,
        buttons=errors.Button.Yes | errors.Button.Cancel,
        default=errors.Button.Cancel,
        labels={errors.Button.Yes: "&Delete"},
    )
    return answer == errors.Button.Yes


class ResponsesModel(RowsModel[ResponseSummary]):
    """One jurisdiction's responses, newest first."""

    headers = HEADERS

    def ordered(self, rows: Sequence[ResponseSummary]) -> list[ResponseSummary]:
        return sorted(rows, key=lambda s: -s.id)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.questionnaire_title,
                str(row.questionnaire_version),
                row.status_label,
                row.due_on.strftime("%Y-%m-%d") if row.due_on else "—",
                f"{row.completeness.percent}%",
            )[index.column()]
        if role == PERCENT_ROLE and index.column() == COMPLETE:
            return row.completeness.percent
        if role == RESPONSE_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and row.locked:
            return f"{row.status_label} — read-only until reopened"
        return None


@dataclass(frozen=True)
class NewResponse:
    questionnaire_key: str
    request_id: int | None
    prepared_by: str | None = None


class NewResponseDialog(QDialog):
    """Pick the questionnaire and, optionally, the federal request it answers.

    With `defaults`, the jurisdiction's open request, its questionnaire and the preparer are
    chosen already (see app.services.open_requests); picking another request picks its
    questionnaire too.
    """

    def __init__(
        self,
        definitions: list[questionnaires.Questionnaire],
        requests: list[Record],
        parent: QWidget | None = None,
        *,
        defaults: NewResponseDefaults | None = None,
    ) -> None:
        super().__init__(parent)
        defaults = defaults or NewResponseDefaults()
        self.setWindowTitle("New response")
        self.setMinimumWidth(520)
        self.questionnaire = QComboBox(self)
        self.questionnaire.setAccessibleName("Questionnaire")
        for definition in definitions:
            self.questionnaire.addItem(
                f"{definition.title} (version {definition.version})", definition.key
            )
        self.request = QComboBox(self)
        self.request.setAccessibleName("Federal request")
        self.request.addItem("— none —", None)
        for request in requests:
            due = request.get("due_on")
            label = request.title + (f" — due {due:%Y-%m-%d}" if due else "")
            self.request.addItem(label, request.id)
        self._due = {request.id: request.get("due_on") for request in requests}
        self._questionnaire_of = dict(defaults.questionnaire_by_request)
        self.due_note = QLabel(self)
        self.due_note.setWordWrap(True)
        self.prepared_by = QComboBox(self)
        self.prepared_by.setEditable(True)
        self.prepared_by.setAccessibleName("Prepared by")
        self.prepared_by.setToolTip(
            "Who prepares the answers: pick from the staff list (File ▸ Staff list) or type a name"
        )
        self.prepared_by.addItems(list(defaults.preparers))
        line = self.prepared_by.lineEdit()
        if line is not None:
            line.setMaxLength(PREPARED_BY_LIMIT)
        self.prepared_by.setCurrentText(defaults.prepared_by or "")
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        styled(self.description, "color: {muted};")
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        for caption, widget in (
            ("&Questionnaire:", self.questionnaire),
            ("&Answers:", self.request),
            ("&Prepared by:", self.prepared_by),
        ):
            caption_label = QLabel(caption, self)
            caption_label.setBuddy(widget)
            form.addRow(caption_label, widget)
            if widget is self.request:
                form.addRow("", self.due_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Start")
        self.ok.setEnabled(bool(definitions))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.description)
        layout.addWidget(buttons)
        self._descriptions = {d.key: d.description for d in definitions}
        self.questionnaire.currentIndexChanged.connect(self._describe)
        self._choose(self.questionnaire, defaults.questionnaire_key)
        self._choose(self.request, defaults.request_id)
        self.request.currentIndexChanged.connect(self._request_chosen)
        self._describe()
        self._show_due()
        self.questionnaire.setFocus()

    @staticmethod
    def _choose(combo: QComboBox, value: object) -> None:
        index = combo.findData(value) if value is not None else -1
        if index >= 0:
            combo.setCurrentIndex(index)

    def _request_chosen(self) -> None:
        self._choose(self.questionnaire, self._questionnaire_of.get(self.request.currentData()))
        self._show_due()

    def _show_due(self) -> None:
        # A response's due date is its request's: say so, so nobody looks for a date field.
        due = self._due.get(self.request.currentData())
        if self.request.currentData() is None:
            text = "No due date: choose the request it answers to take the request's due date."
        elif due is None:
            text = "The request has no due date."
        else:
            text = f"Due {long_date(due)}, the request's due date."
        self.due_note.setText(text)

    def _describe(self) -> None:
        key = self.questionnaire.currentData()
        self.description.setText(self._descriptions.get(key, ""))

    def accept(self) -> None:
        if self.questionnaire.currentData() is None:
            return
        super().accept()

    def choice(self) -> NewResponse:
        return NewResponse(
            self.questionnaire.currentData(),
            self.request.currentData(),
            self.prepared_by.currentText().strip() or None,
        )


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class ResponsesPanel(QWidget):
    """The Responses tab of a jurisdiction."""

    openResponse = Signal(int)  # noqa: N815  (Qt-style name the main window connects to)
    # A response was deleted: the jurisdiction list's counts and the dashboard follow.
    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.jurisdiction_id: int | None = None
        self.model = ResponsesModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Responses of this jurisdiction")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setItemDelegateForColumn(COMPLETE, ProgressDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(QUESTIONNAIRE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)
        self.new_button = QPushButton("&New response…", self)
        self.open_button = QPushButton("&Open", self)
        self.delete_button = QPushButton("&Delete…", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

        self.new_button.clicked.connect(self.new_response)
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.activated.connect(lambda _index: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_jurisdiction(self, jurisdiction_id: int | None) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.refresh()

    def refresh(self) -> None:
        if self.jurisdiction_id is None:
            self.model.set_rows([])
        else:
            try:
                self.model.set_rows(responses.list_responses(self.store, self.jurisdiction_id))
            except UserError as exc:
                show_error(self, exc)
                self.model.set_rows([])
        if self.model.rows:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> ResponseSummary | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.rows[index.row()]

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.new_button.setEnabled(self.jurisdiction_id is not None)
        self.open_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def new_response(self) -> int | None:
        if self.jurisdiction_id is None:
            return None
        definitions = questionnaires.available()
        try:
            requests = records.list_records(self.store, "request", self.jurisdiction_id)
            defaults = open_requests.new_response_defaults(
                self.store, self.jurisdiction_id, definitions=definitions
            )
        except UserError as exc:
            show_error(self, exc)
            return None
        if defaults.prepared_by is None:
            # Nobody on the staff list fits: the name this PC works under, as before.
            defaults = dataclasses.replace(defaults, prepared_by=self.store.actor)
        dialog = NewResponseDialog(definitions, requests, self, defaults=defaults)
        if not run_dialog(dialog):
            return None
        choice = dialog.choice()
        try:
            store, jurisdiction_id = self.store, self.jurisdiction_id
            detail = wait_for(
                lambda: responses.start_response(
                    store,
                    jurisdiction_id,
                    choice.questionnaire_key,
                    request_id=choice.request_id,
                    prepared_by=choice.prepared_by,
                ),
                busy=self,
            )
        except Exception as exc:  # a user error gets its message, a bug the apology
            show_error(self, exc)
            return None
        self.refresh()
        self.openResponse.emit(detail.summary.id)
        return detail.summary.id

    def open_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.openResponse.emit(chosen.id)

    def delete_selected(self) -> bool:
        chosen = self.selected()
        if chosen is None:
            return False
        if chosen.locked:
            errors.message(
                self,
                "Cannot delete",
                f"This response is {chosen.status_label.lower()} and kept as the record of "
                "what was signed. Reopen it (with a reason) before deleting it.",
            )
            return False
        answered = chosen.completeness.answered
        if not confirm(
            self,
            "Delete response",
            f"Delete the response to “{chosen.questionnaire_title}” with its answers "
            f"({answered} required answers given)? The deletion is kept in the history.",
        ):
            return False
        try:
            store = self.store
            wait_for(
                lambda: responses.delete_response(
                    store, chosen.id, expected_version=chosen.version
                ),
                busy=self,
            )
        except Exception as exc:
            show_error(self, exc)
            self.refresh()
            return False
        self.refresh()
        self.changed.emit()
        return True


__all__ = ["ResponsesPanel"]
