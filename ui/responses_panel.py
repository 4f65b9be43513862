"""A jurisdiction's responses: list them, start a new one, open or delete one."""

from __future__ import annotations

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
from app.services import Store, UserError, records, responses
from app.services.records import Record
from app.services.responses import ResponseSummary
from ui.common import errors
from ui.common.errors import show_error
from ui.common.table_model import RowsModel
from ui.dashboard import ProgressDelegate

AnyIndex = QModelIndex | QPersistentModelIndex
QUESTIONNAIRE, VERSION, STATUS, DUE, COMPLETE = range(5)
HEADERS = ("Questionnaire", "Version", "Status", "Due", "Complete")
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 2  # what ProgressDelegate paints
RESPONSE_ID_ROLE = Qt.ItemDataRole.UserRole


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


class NewResponseDialog(QDialog):
    """Pick the questionnaire and, optionally, the federal request it answers."""

    def __init__(
        self,
        definitions: list[questionnaires.Questionnaire],
        requests: list[Record],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
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
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: #555555;")
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        for caption, widget in (
            ("&Questionnaire:", self.questionnaire),
            ("&Answers:", self.request),
        ):
            caption_label = QLabel(caption, self)
            caption_label.setBuddy(widget)
            form.addRow(caption_label, widget)
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
        self._describe()

    def _describe(self) -> None:
        key = self.questionnaire.currentData()
        self.description.setText(self._descriptions.get(key, ""))

    def accept(self) -> None:
        if self.questionnaire.currentData() is None:
            return
        super().accept()

    def choice(self) -> NewResponse:
        return NewResponse(self.questionnaire.currentData(), self.request.currentData())


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class ResponsesPanel(QWidget):
    """The Responses tab of a jurisdiction."""

    openResponse = Signal(int)  # noqa: N815  (Qt-style name the main window connects to)

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
        requests = records.list_records(self.store, "request", self.jurisdiction_id)
        dialog = NewResponseDialog(questionnaires.available(), requests, self)
        if not run_dialog(dialog):
            return None
        choice = dialog.choice()
        try:
            detail = responses.start_response(
                self.store,
                self.jurisdiction_id,
                choice.questionnaire_key,
                request_id=choice.request_id,
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
            responses.delete_response(self.store, chosen.id, expected_version=chosen.version)
        except Exception as exc:
            show_error(self, exc)
            self.refresh()
            return False
        self.refresh()
        return True


__all__ = ["ResponsesPanel"]
