"""The history of one response (its audit entries) as a table in a non-blocking window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.audit import HistoryEntry
from app.vocabulary import ResponseStatus
from ui.history_panel import ELSEWHERE, imported_from

ACTIONS = {
    "create": "Started",
    "prefill": "Pre-filled",
    "answer": "Answered",
    "update": "Changed",
    "clear": "Cleared",
    "status": "Status changed",
    "approve": "Approved",
    "submit": "Submitted",
    "reopen": "Reopened",
    "delete": "Deleted",
    "import": "Imported",
    "file": "Filed",
}
FIELDS = {
    "value": "answer",
    "basis": "policy or practice",
    "narrative": "narrative",
    "conditions": "conditions",
    "as_of": "as of",
    "information_source": "information source",
    "instruments": "cited instruments",
    "evidence": "evidence",
    "approved_by": "approved by",
    "approver_title": "approver's title",
    "reviewed_by": "reviewed by",
    "approved_at": "approved at",
    "submitted_on": "submitted on",
    "submission_method": "method",
    "reason": "reason",
    "status": "status",
    "approved_snapshot": "approved record (SHA-256)",
    "filed_letter": "letter (SHA-256)",
}
HEADERS = ("When", "Who", "What", "Before", "After")


def _local(at: datetime) -> str:
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return ResponseStatus.of(value).label
    except KeyError:
        return value


def describe(entry: HistoryEntry) -> tuple[str, str, str, str, str]:
    """One row of the history as users read it."""
    action = ACTIONS.get(entry.action, entry.action)
    field = FIELDS.get(entry.field or "", entry.field or "")
    old, new = entry.old_value, entry.new_value
    if entry.action == "status":
        old, new = _status(old), _status(new)
        what = action + (f" — reason: {entry.entity_label}" if entry.entity_label else "")
    else:
        label = entry.entity_label or ""
        what = " — ".join(part for part in (action, label, field) if part)
    when, who = _local(entry.at), entry.actor
    if entry.imported:
        # Another database's word: shown as such, never as something done here.
        when, who = f"{when} {ELSEWHERE}", f"{who} {ELSEWHERE}"
    return (when, who, imported_from(entry) + what, _short(old), _short(new))


def _short(value: str | None, limit: int = 200) -> str:
    if value is None:
        return ""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


class HistoryModel(QAbstractTableModel):
    def __init__(self, entries: Sequence[HistoryEntry], parent: Any = None) -> None:
        super().__init__(parent)
        self.rows = [describe(e) for e in entries]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None


class HistoryDialog(QDialog):
    """Who changed what and when, newest first; it does not block the editor."""

    def __init__(
        self, title: str, entries: Sequence[HistoryEntry], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History — {title}")
        self.resize(900, 480)
        self.model = HistoryModel(entries, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("History of this response")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(entries)} changes, newest first.", self))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
