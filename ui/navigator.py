"""The left-hand list of jurisdictions: search, state filter, and counts of what each holds."""

# ruff: noqa: N815 - Qt signals keep Qt's camelCase (currentChanged, openResponse).

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from app.services import jurisdictions
from app.services.jurisdictions import JurisdictionSummary
from app.services.store import Store
from app.vocabulary import US_STATES, JurisdictionKind
from ui.common.colours import styled
from ui.common.table_model import put_row

AnyIndex = QModelIndex | QPersistentModelIndex
_NONE = QModelIndex()
ID_ROLE = Qt.ItemDataRole.UserRole


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary_text(item: JurisdictionSummary) -> str:
    """Two lines: the name and state, then what it holds."""
    counts = [_plural(item.facilities, "facility", "facilities")]
    if item.responses:
        counts.append(_plural(item.responses, "response", "responses"))
        if item.open_responses:
            counts.append(f"{item.open_responses} open")
    return f"{item.name} ({item.state})\n" + " · ".join(counts)


class JurisdictionListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[JurisdictionSummary] = []

    def set_items(self, items: Sequence[JurisdictionSummary]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> JurisdictionSummary | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, jurisdiction_id: int) -> int:
        for row, item in enumerate(self._items):
            if item.id == jurisdiction_id:
                return row
        return -1

    def put(self, jurisdiction_id: int, item: JurisdictionSummary | None) -> int:
        """Replaces, moves, inserts or (None) removes one jurisdiction; its new position."""
        at = self.row_of(jurisdiction_id)
        return put_row(self, self._items, at, item, jurisdictions.list_order)

    def rowCount(self, parent: AnyIndex = _NONE) -> int:
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return summary_text(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return summary_text(item).replace("\n", ", ")
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = JurisdictionKind.of(item.kind).label if item.kind else ""
            return f"{item.name}\n{kind}, {US_STATES.get(item.state, item.state)}"
        if role == ID_ROLE:
            return item.id
        return None


class Navigator(QWidget):
    """Search and pick a jurisdiction; emits the chosen id (None when nothing is chosen)."""

    jurisdictionSelected = Signal(object)  # int | None

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._selected: int | None = None
        self.model = JurisdictionListModel(self)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Name, police agency or state")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Find jurisdiction")
        search_label = QLabel("F&ind:")
        search_label.setBuddy(self.search_edit)
        self.state_combo = QComboBox()
        self.state_combo.setAccessibleName("State filter")
        self.state_combo.addItem("All states", None)
        for code, name in sorted(US_STATES.items(), key=lambda kv: kv[1]):
            self.state_combo.addItem(f"{name} ({code})", code)
        state_label = QLabel("Sta&te:")
        state_label.setBuddy(self.state_combo)
        self.list_view = QListView()
        self.list_view.setModel(self.model)
        self.list_view.setAccessibleName("Jurisdictions")
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setAlternatingRowColors(True)
        self.list_view.setSpacing(3)
        # Every entry is two lines: with uniform sizes a list of thousands lays out at once.
        self.list_view.setUniformItemSizes(
            True
        )  # two-line entries need air between them to read apart
        # Long names are elided with "…"; the tooltip has them whole.
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        styled(self.count_label, "color: {muted};")

        layout = QVBoxLayout(self)
        margin = self.style().pixelMetric(self.style().PixelMetric.PM_LayoutLeftMargin)
        layout.setContentsMargins(margin, margin // 2, 0, 0)
        layout.addWidget(search_label)
        layout.addWidget(self.search_edit)
        layout.addWidget(state_label)
        layout.addWidget(self.state_combo)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.count_label)

        # Search as the user types, but not on every keystroke with thousands of rows.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.state_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.list_view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.search_edit.installEventFilter(self)
        self.refresh()

    def sizeHint(self) -> QSize:
        # Wide enough for "City of San Bernardino (CA)" and its counts line.
        hint = super().sizeHint()
        return QSize(self.fontMetrics().averageCharWidth() * 36, hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.search_now()
            self.list_view.setFocus()
            if self.model.rowCount() and not self.list_view.currentIndex().isValid():
                self.list_view.setCurrentIndex(self.model.index(0))
            return True
        return super().eventFilter(watched, event)

    def search_now(self) -> None:
        """Searches at once instead of after the pause in typing."""
        self._search_timer.stop()
        self.refresh()

    def refresh(self) -> None:
        """Reloads the list (names and counts) and keeps the selection if still listed."""
        items = jurisdictions.overview(
            self.store, self.search_edit.text(), self.state_combo.currentData()
        )
        keep = self._selected
        self.list_view.selectionModel().blockSignals(True)
        try:
            self.model.set_items(items)
            row = self.model.row_of(keep) if keep is not None else -1
            if row >= 0:
                self.list_view.selectionModel().setCurrentIndex(
                    self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
        finally:
            self.list_view.selectionModel().blockSignals(False)
        self._update_count()

    def update_jurisdiction(self, jurisdiction_id: int) -> None:
        """One jurisdiction changed (its name, facilities or responses): reads that one again,
        under the current search, and puts it in place; the selection, the current row and the
        scroll position stay. Under a millisecond, where refresh() reads every jurisdiction."""
        item = jurisdictions.overview_row(
            self.store, jurisdiction_id, self.search_edit.text(), self.state_combo.currentData()
        )
        view = self.list_view
        scroll = view.verticalScrollBar().value()
        selection = view.selectionModel()
        selection.blockSignals(True)  # as in refresh(): the selection is not the user's doing
        try:
            self.model.put(jurisdiction_id, item)
            row = self.model.row_of(self._selected) if self._selected is not None else -1
            if row >= 0:
                if selection.currentIndex().row() != row or not selection.hasSelection():
                    selection.setCurrentIndex(
                        self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
                    )
            elif selection.currentIndex().isValid():
                # The chosen one is no longer found by the search; nothing else is chosen.
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        finally:
            selection.blockSignals(False)
        view.verticalScrollBar().setValue(scroll)
        view.viewport().update()
        self._update_count()

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        filtered = bool(self.search_edit.text().strip()) or self.state_combo.currentIndex() > 0
        if shown == 0 and not filtered:
            self.count_label.setText("No jurisdictions yet. Use Jurisdiction ▸ New jurisdiction.")
        elif shown == 0:
            self.count_label.setText("Nothing matches the search.")
        else:
            self.count_label.setText(_plural(shown, "jurisdiction", "jurisdictions"))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item_at(current.row()) if current.isValid() else None
        new = item.id if item else None
        if new != self._selected:
            self._selected = new
            self.jurisdictionSelected.emit(new)

    def selected_id(self) -> int | None:
        return self._selected

    def selected(self) -> JurisdictionSummary | None:
        row = self.model.row_of(self._selected) if self._selected is not None else -1
        return self.model.item_at(row)

    def select(self, jurisdiction_id: int | None, *, notify: bool = True) -> bool:
        """Selects a jurisdiction, clearing the search if it hides it."""
        if jurisdiction_id is None:
            self.clear_selection(notify=notify)
            return True
        row = self.model.row_of(jurisdiction_id)
        if row < 0 and (self.search_edit.text() or self.state_combo.currentIndex() > 0):
            self.search_edit.blockSignals(True)
            self.search_edit.clear()
            self.search_edit.blockSignals(False)
            self.state_combo.blockSignals(True)
            self.state_combo.setCurrentIndex(0)
            self.state_combo.blockSignals(False)
            self.refresh()
            row = self.model.row_of(jurisdiction_id)
        if row < 0:
            return False
        if not notify:
            self._selected = jurisdiction_id
        self.list_view.setCurrentIndex(self.model.index(row))
        return True

    def clear_selection(self, *, notify: bool = True) -> None:
        selection = self.list_view.selectionModel()
        selection.blockSignals(True)
        selection.clearSelection()
        selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        selection.blockSignals(False)
        previous, self._selected = self._selected, None
        if notify and previous is not None:
            self.jurisdictionSelected.emit(None)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()
