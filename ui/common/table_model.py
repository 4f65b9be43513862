"""One table model for every kind of record, with columns built from the record's field specs."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)

from app.services.fields import FieldKind, FieldSpec, RecordKind
from app.services.records import Record
from app.vocabulary import US_STATES

AnyIndex = QModelIndex | QPersistentModelIndex
_NONE = QModelIndex()


T = TypeVar("T")


class RowsModel(QAbstractTableModel, Generic[T]):
    """A read-only table of rows of one type under fixed headers; subclasses supply data().

    The rows are replaced as a whole (set_rows), so thousands of them stay quick.
    """

    headers: Sequence[str] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self.rows = self.ordered(rows)
        self.endResetModel()

    def ordered(self, rows: Sequence[T]) -> list[T]:
        """The order rows are shown in; as given unless a subclass sorts them."""
        return list(rows)

    def row_at(self, row: int) -> T | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: AnyIndex = _NONE) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = _NONE) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None


def put_row(
    model: QAbstractItemModel,
    rows: list[T],
    at: int,
    item: T | None,
    order: Callable[[T], Any],
) -> int:
    """Puts one changed row of a sorted list in place without resetting the model: replaced
    where it is, moved where `order` now puts it, inserted (at < 0) or removed (item None).

    Views keep their selection, current row and scroll position, since rows are moved, not
    re-created. `rows` is the model's own list, changed here between the begin/end calls.
    Returns the row's new position, or -1 when it was removed (or was never there).
    """
    root = QModelIndex()
    if item is None:
        if 0 <= at < len(rows):
            model.beginRemoveRows(root, at, at)
            del rows[at]
            model.endRemoveRows()
        return -1
    if at < 0:
        to = bisect.bisect_right(rows, order(item), key=order)
        model.beginInsertRows(root, to, to)
        rows.insert(to, item)
        model.endInsertRows()
        return to
    others = rows[:at] + rows[at + 1 :]
    to = bisect.bisect_right(others, order(item), key=order)
    if to != at:
        # Qt counts the destination in the rows as they are before the move.
        model.beginMoveRows(root, at, at, root, to + 1 if to > at else to)
        del rows[at]
        rows.insert(to, item)
        model.endMoveRows()
    else:
        rows[at] = item
    # A list model's columnCount is not callable from Python: it has the one column.
    last = max(model.columnCount(root) - 1, 0) if isinstance(model, QAbstractTableModel) else 0
    model.dataChanged.emit(model.index(to, 0), model.index(to, last))
    return to


def human_size(size: int | None) -> str:
    """Bytes as people read them: 980 bytes, 14.2 KB, 3.1 MB."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size:,} byte" + ("" if size == 1 else "s")
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:,.1f} {unit}"
    raise AssertionError(size)


def display_value(spec: FieldSpec, value: Any, references: Mapping[int, str] | None = None) -> str:
    """A stored value as users read it: choice labels, Yes/No, ISO dates, referenced titles."""
    if spec.kind is FieldKind.BOOLEAN:
        return "Yes" if value else "No"
    if value is None or value == "":
        return ""
    if spec.kind is FieldKind.CHOICE:
        return dict(spec.choice_items()).get(str(value), str(value))
    if spec.kind is FieldKind.DATE and isinstance(value, date | datetime):
        return value.isoformat()
    if spec.kind is FieldKind.INTEGER and isinstance(value, int):
        # Years read wrong with a thousands separator.
        return str(value) if spec.name == "fiscal_year" else f"{value:,}"
    if spec.kind is FieldKind.REFERENCE:
        return (references or {}).get(value, f"#{value}")
    if spec.kind is FieldKind.STATE:
        return str(value)
    # One line in a cell: paragraphs are folded, the tooltip shows them whole.
    return " ".join(str(value).split())


def sort_key(value: Any) -> tuple[int, Any]:
    """Comparable across rows: empty cells last, text without regard to case."""
    if value is None or value == "":
        return (1, "")
    if isinstance(value, str):
        return (0, value.casefold())
    if isinstance(value, bool):
        return (0, int(value))
    return (0, value)


@dataclass(frozen=True)
class Column:
    """One table column: its header, the text shown and the value it sorts by."""

    key: str
    header: str
    text: Callable[[Record], str]
    sort_value: Callable[[Record], Any]
    numeric: bool = False
    tooltip: str = ""


def field_column(spec: FieldSpec, references: Mapping[int, str] | None = None) -> Column:
    def text(record: Record) -> str:
        return display_value(spec, record.get(spec.name), references)

    def sort_value(record: Record) -> Any:
        value = record.get(spec.name)
        if spec.kind in (FieldKind.CHOICE, FieldKind.REFERENCE):
            return text(record)
        return value

    return Column(
        key=spec.name,
        header=spec.label,
        text=text,
        sort_value=sort_value,
        numeric=spec.kind is FieldKind.INTEGER,
        tooltip=spec.help,
    )


def default_columns(
    kind: RecordKind, references: Mapping[str, Mapping[int, str]] | None = None
) -> list[Column]:
    """Every field except paragraphs, which belong in the form, not in a cell."""
    references = references or {}
    return [
        field_column(spec, references.get(spec.name))
        for spec in kind.fields
        if spec.kind is not FieldKind.LONG_TEXT
    ]


class RecordTableModel(QAbstractTableModel):
    """A list of records of one kind, read-only; editing happens in the record dialog."""

    def __init__(
        self,
        kind: RecordKind,
        columns: Sequence[Column] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self._columns = list(columns) if columns is not None else default_columns(kind)
        self._records: list[Record] = []

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def set_records(self, records: Sequence[Record]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def records(self) -> list[Record]:
        return list(self._records)

    def record_at(self, row: int) -> Record | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def row_of(self, record_id: int) -> int:
        for row, record in enumerate(self._records):
            if record.id == record_id:
                return row
        return -1

    def column_of(self, key: str) -> int:
        for column, spec in enumerate(self._columns):
            if spec.key == key:
                return column
        return -1

    def sort_value(self, row: int, column: int) -> tuple[int, Any]:
        return sort_key(self._columns[column].sort_value(self._records[row]))

    def rowCount(self, parent: AnyIndex = _NONE) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = _NONE) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._records[index.row()]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            value = record.get(column.key)
            full = value if isinstance(value, str) else column.text(record)
            return full or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return record.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._columns[section].tooltip or None
        return None


class FilterProxy(QSortFilterProxyModel):
    """Filters on any column's text, case-insensitively; sorts by the source's sort values."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter_text(self, text: str) -> None:
        expression = QRegularExpression(
            QRegularExpression.escape(text.strip()),
            QRegularExpression.PatternOption.CaseInsensitiveOption,
        )
        self.setFilterRegularExpression(expression)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        source = self.sourceModel()
        if isinstance(source, RecordTableModel):
            return source.sort_value(left.row(), left.column()) < source.sort_value(
                right.row(), right.column()
            )
        key = getattr(source, "sort_value", None)
        if key is not None:
            return bool(key(left.row(), left.column()) < key(right.row(), right.column()))
        return super().lessThan(left, right)


def state_name(code: str) -> str:
    return US_STATES.get(code, "")
