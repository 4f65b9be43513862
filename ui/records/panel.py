"""A tab's table of one kind of record, with filter, add, edit, delete and history."""

# ruff: noqa: N815 - Qt signals keep Qt's camelCase (currentChanged, openResponse).

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import records
from app.services.errors import UserError
from app.services.fields import RecordKind, record_kind
from app.services.records import Record
from app.services.store import Store
from ui.common import errors
from ui.common.colours import styled
from ui.common.table_model import Column, FilterProxy, RecordTableModel, default_columns
from ui.records.dialog import RecordDialog, delete_record, reference_options


class RecordTableView(QTableView):
    """A sortable, keyboard-driven record table: Enter edits, Delete deletes, Insert adds."""

    editRequested = Signal()
    deleteRequested = Signal()
    addRequested = Signal()
    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.doubleClicked.connect(lambda _index: self.editRequested.emit())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.editRequested.emit()
        elif key == Qt.Key.Key_Delete and self.currentIndex().isValid():
            self.deleteRequested.emit()
        elif key == Qt.Key.Key_Insert:
            self.addRequested.emit()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def fit_columns(self) -> None:
        """Columns as wide as their contents, but none wider than about 32 characters."""
        self.resizeColumnsToContents()
        widest = self.fontMetrics().averageCharWidth() * 32
        header = self.horizontalHeader()
        for column in range(header.count()):
            if header.sectionSize(column) > widest:
                header.resizeSection(column, widest)


class RecordPanel(QWidget):
    """Lists the records of one kind for a jurisdiction (or award) and edits them in dialogs."""

    changed = Signal()  # something was created, edited or deleted
    historyRequested = Signal(str, str)  # record uuid, record title
    statusMessage = Signal(str)
    currentRecordChanged = Signal(object)  # Record | None
    activated = Signal()  # the user is working in this table (for the Edit menu)

    def __init__(
        self,
        store: Store,
        kind: RecordKind | str,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.kind = record_kind(kind) if isinstance(kind, str) else kind
        self.parent_id: int | None = None
        self.jurisdiction_id: int | None = None
        self.dialog: RecordDialog | None = None
        self.model = RecordTableModel(self.kind, self.columns({}))
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._wire()
        self._update_buttons()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        noun = self.kind.label.lower()
        plural = self.kind.plural.lower()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(f"Filter {plural}…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(f"Filter {plural}")
        # Mnemonics clear of the menu bar's and the jurisdiction list's (Find, State); Edit
        # has none: Alt+E opens the Edit menu, whose Edit… (and Enter) does the same.
        self.filter_label = filter_label = QLabel("Filte&r:")
        filter_label.setBuddy(self.filter_edit)
        self.add_button = QPushButton(f"&Add {noun}…")
        self.add_button.setToolTip(f"Record a new {noun} (Insert)")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip(f"Edit the selected {noun} (Enter or double-click)")
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip(f"Delete the selected {noun} (Delete)")
        self.extra_buttons = QHBoxLayout()
        self.extra_buttons.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(filter_label)
        bar.addWidget(self.filter_edit, 1)
        bar.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.delete_button)

        self.table = RecordTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(self.kind.plural)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        styled(self.empty_label, "color: {muted};")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        # Below the table: hints, and buttons particular to a kind (e.g. evidence's Open).
        bottom = QHBoxLayout()
        bottom.addWidget(self.empty_label, 1)
        bottom.addLayout(self.extra_buttons)
        layout.addLayout(bottom)

        self.edit_action = QAction("&Edit…", self)
        self.delete_action = QAction("&Delete…", self)
        self.history_action = QAction("&History of this record…", self)

    def _wire(self) -> None:
        self.filter_edit.textChanged.connect(self._filter)
        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_record)
        self.delete_button.clicked.connect(self.delete_record)
        self.table.addRequested.connect(self.add_record)
        self.table.editRequested.connect(self.edit_record)
        self.table.deleteRequested.connect(self.delete_record)
        self.table.focused.connect(self.activated)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.edit_action.triggered.connect(self.edit_record)
        self.delete_action.triggered.connect(self.delete_record)
        self.history_action.triggered.connect(self.request_history)
        self.filter_edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down arrow in the filter box moves into the table, as in a search field.
        if (
            watched is self.filter_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.table.setFocus()
            if not self.table.currentIndex().isValid() and self.proxy.rowCount():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    # -- data -----------------------------------------------------------------------------

    def set_parent(self, parent_id: int | None, jurisdiction_id: int | None = None) -> None:
        """Shows the records of this jurisdiction (or award, for conditions)."""
        self.parent_id = parent_id
        self.jurisdiction_id = jurisdiction_id if jurisdiction_id is not None else parent_id
        self.refresh()

    def _references(self) -> dict[str, list[tuple[int, str]]]:
        return reference_options(self.store, self.kind, self.jurisdiction_id)

    def refresh(self) -> None:
        selected = self.current_record()
        if self.parent_id is None:
            found: list[Record] = []
        else:
            found = records.list_records(self.store, self.kind.key, self.parent_id)
        titles = {name: dict(options) for name, options in self._references().items()}
        self.model.set_columns(self.columns(titles))
        self.model.set_records(found)
        self.table.fit_columns()
        if selected is not None:
            self.select_record(selected.id)
        self._update_empty()
        self._update_buttons()

    def _update_empty(self) -> None:
        noun = self.kind.plural.lower()
        if self.parent_id is None:
            self.empty_label.setText("")
        elif self.model.rowCount() == 0:
            self.empty_label.setText(
                f"No {noun} recorded yet. Press “Add” (or Insert) to record the first one."
            )
        else:
            self.empty_label.setText("")
        self.empty_label.setVisible(bool(self.empty_label.text()))

    def columns(self, references: dict[str, dict[int, str]]) -> list[Column]:
        """The table's columns; references maps each reference field to id → title."""
        return default_columns(self.kind, references)

    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_buttons()

    def current_record(self) -> Record | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.record_at(self.proxy.mapToSource(index).row())

    def select_record(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()
        self.currentRecordChanged.emit(self.current_record())

    def _update_buttons(self) -> None:
        has_parent = self.parent_id is not None
        has_record = self.current_record() is not None
        self.add_button.setEnabled(has_parent)
        self.edit_button.setEnabled(has_record)
        self.delete_button.setEnabled(has_record)
        self.edit_action.setEnabled(has_record)
        self.delete_action.setEnabled(has_record)
        self.history_action.setEnabled(has_record)

    # -- actions --------------------------------------------------------------------------

    def add_record(self) -> RecordDialog | None:
        if self.parent_id is None:
            return None
        return self._open_dialog(None)

    def edit_record(self) -> RecordDialog | None:
        record = self.current_record()
        if record is None:
            return None
        try:
            # The newest copy, so the version the dialog checks against is current.
            record = records.get(self.store, self.kind.key, record.id)
        except UserError as exc:
            errors.show_error(self, exc)
            self.refresh()
            return None
        return self._open_dialog(record)

    def _open_dialog(self, record: Record | None) -> RecordDialog:
        dialog = RecordDialog(
            self.store,
            self.kind,
            record=record,
            parent_id=self.parent_id,
            references=self._references(),
            initial=self.initial_values(),
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def initial_values(self) -> dict[str, object]:
        """Values a new record starts with; subclasses may fill in likely ones."""
        return {}

    def _saved(self, record: Record) -> None:
        self.refresh()
        self.select_record(record.id)
        self.table.setFocus()
        self.statusMessage.emit(f"Saved {self.kind.label.lower()} “{record.title}”.")
        self.changed.emit()

    def delete_record(self) -> bool:
        record = self.current_record()
        if record is None:
            return False
        if not delete_record(self, self.store, self.kind, record):
            self.refresh()
            return False
        self.refresh()
        self.statusMessage.emit(f"Deleted {self.kind.label.lower()} “{record.title}”.")
        self.changed.emit()
        return True

    def request_history(self) -> None:
        record = self.current_record()
        if record is not None:
            self.historyRequested.emit(record.uuid, f"{self.kind.label}: {record.title}")

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if index.isValid():
            self.table.setCurrentIndex(index)
        menu = QMenu(self)
        add = menu.addAction(self.add_button.text())
        add.setEnabled(self.parent_id is not None)
        add.triggered.connect(self.add_record)
        menu.addAction(self.edit_action)
        menu.addAction(self.delete_action)
        menu.addSeparator()
        menu.addAction(self.history_action)
        self.extend_context_menu(menu)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def extend_context_menu(self, menu: QMenu) -> None:
        """Subclasses add their own entries (e.g. evidence: Open, Verify)."""
