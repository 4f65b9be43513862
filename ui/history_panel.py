"""The History tab and the per-record history window: who changed what, when, newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services import audit
from app.services.audit import HistoryEntry
from app.services.history_words import action_label, field_label, record_label
from app.services.store import Store
from ui.common.table_model import FilterProxy, RowsModel, sort_key
from ui.records.panel import RecordTableView

AnyIndex = QModelIndex | QPersistentModelIndex
_NONE = QModelIndex()

# What follows the time and the name of an entry read from an exchange file: this database
# cannot vouch for either.
ELSEWHERE = "(recorded elsewhere)"


def local_time(moment: datetime) -> str:
    if moment.tzinfo is None:  # stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def imported_from(entry: HistoryEntry) -> str:
    """The words before an imported entry's action: the file it came from, and when."""
    if entry.imported_at is None:
        return ""
    return f"Imported from {entry.imported_from} on {local_time(entry.imported_at)}: "


def change_text(entry: HistoryEntry) -> str:
    old = _short(entry.old_value)
    new = _short(entry.new_value)
    if entry.action == "update" or (old and new):
        return f"{old or '(empty)'} → {new or '(empty)'}"
    return new or old


def _short(value: str | None, limit: int = 120) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HistoryTableModel(RowsModel[HistoryEntry]):
    """Audit entries as rows: when, who, action, record, field, change."""

    headers = ("When", "Who", "Action", "Record", "Field", "Change")

    def text(self, row: int, column: int) -> str:
        entry = self.rows[row]
        if column == 0:
            return f"{local_time(entry.at)} {ELSEWHERE}" if entry.imported else local_time(entry.at)
        if column == 1:
            return f"{entry.actor} {ELSEWHERE}" if entry.imported else entry.actor
        if column == 2:
            return imported_from(entry) + action_label(entry.action)
        if column == 3:
            return record_label(entry)
        if column == 4:
            return field_label(entry.entity_kind, entry.field)
        return change_text(entry)

    def sort_value(self, row: int, column: int) -> tuple[int, Any]:
        if column == 0:
            entry = self.rows[row]
            # Ties in time keep the service's newest-first order.
            return sort_key((entry.at, -row))
        return sort_key(self.text(row, column))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 5:
            entry = self.rows[index.row()]
            return f"Before: {entry.old_value or '(empty)'}\nAfter: {entry.new_value or '(empty)'}"
        return None


class HistoryPanel(QWidget):
    """A filterable audit table for a jurisdiction, or for one record."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.jurisdiction_uuid: str | None = None
        self.entity_uuid: str | None = None
        self.model = HistoryTableModel(self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name, record, field or value…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter history")
        label = QLabel("Filte&r:")  # Alt+T is the list's State
        label.setBuddy(self.filter_edit)
        self.count_label = QLabel()
        self.table = RecordTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("History")
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        bar = QHBoxLayout()
        bar.addWidget(label)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.filter_edit.textChanged.connect(self._filter)

    def set_jurisdiction(self, jurisdiction_uuid: str | None) -> None:
        self.jurisdiction_uuid = jurisdiction_uuid
        self.entity_uuid = None
        self.refresh()

    def set_entity(self, entity_uuid: str) -> None:
        self.entity_uuid = entity_uuid
        self.jurisdiction_uuid = None
        self.refresh()

    def refresh(self) -> None:
        if self.entity_uuid:
            entries = audit.history(self.store, entity_uuid=self.entity_uuid)
        elif self.jurisdiction_uuid:
            entries = audit.history(self.store, jurisdiction_uuid=self.jurisdiction_uuid)
        else:
            entries = []
        self.model.set_rows(entries)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.fit_columns()
        self._update_count()

    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        word = "change" if total == 1 else "changes"
        self.count_label.setText(
            f"{total} {word}" if shown == total else f"{shown} of {total} {word}"
        )

    def texts(self) -> list[list[str]]:
        """What the table shows, row by row in view order (for tests and screenshots)."""
        return [
            [str(self.proxy.index(r, c).data()) for c in range(self.proxy.columnCount())]
            for r in range(self.proxy.rowCount())
        ]


class RecordHistoryDialog(QDialog):
    """The history of one record, in its own window beside the main one."""

    def __init__(
        self, store: Store, entity_uuid: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History — {title}")
        self.panel = HistoryPanel(store)
        self.panel.set_entity(entity_uuid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{_escape(title)}</b>"))
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
        width = self.fontMetrics().averageCharWidth() * 110
        self.resize(width, width * 5 // 8)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
