"""The start page: responses by status and the open ones by due date, overdue first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.services import Store, responses
from app.services.responses import ResponseSummary
from app.vocabulary import ResponseStatus
from ui.common.colours import Kind, follow_palette, roles, styled
from ui.common.errors import show_error
from ui.common.operations import run_in_background
from ui.common.table_model import RowsModel, put_row

AnyIndex = QModelIndex | QPersistentModelIndex
JURISDICTION, QUESTIONNAIRE, STATUS, DUE, DAYS_LEFT, COMPLETE = range(6)
HEADERS = ("Jurisdiction", "Questionnaire", "Status", "Due", "Days left", "Complete")
SOON_DAYS = 7
MAX_NAME_CHARS = 34
TABLE_TITLE = "&Open responses, soonest due first"
LOADING = "Reading the responses…"
RESPONSE_ID_ROLE = Qt.ItemDataRole.UserRole
URGENCY_ROLE = Qt.ItemDataRole.UserRole + 1
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 2  # what ProgressDelegate paints


def overdue_colour() -> QColor:
    return QColor(roles().overdue_row)


def soon_colour() -> QColor:
    return QColor(roles().soon_row)


def legend_text() -> str:
    """What the rows' colours mean; the Days left column says it in words as well."""
    if roles().kind is Kind.HIGH_CONTRAST:  # rows are not tinted under high contrast
        return f"“Days left” says which responses are overdue or due within {SOON_DAYS} days."
    return f"Red rows are overdue; amber rows are due within {SOON_DAYS} days."


@dataclass(frozen=True)
class OpenResponse:
    """One row of the table, with everything it shows worked out once."""

    id: int
    jurisdiction: str
    questionnaire: str
    status: str
    due_on: date | None
    days_left: int | None
    percent: int
    urgency: str  # "overdue", "soon" or ""


def open_row(s: ResponseSummary, today: date) -> OpenResponse | None:
    """The row of one response, or None once it is submitted (no longer open)."""
    if s.status == ResponseStatus.SUBMITTED.value:
        return None
    days = (s.due_on - today).days if s.due_on else None
    urgency = ""
    if days is not None:
        urgency = "overdue" if days < 0 else "soon" if days <= SOON_DAYS else ""
    return OpenResponse(
        s.id,
        s.jurisdiction_name,
        s.questionnaire_title,
        s.status_label,
        s.due_on,
        days,
        s.completeness.percent,
        urgency,
    )


def row_order(row: OpenResponse) -> tuple[bool, date, str, int]:
    """Soonest due first, no due date last; then by jurisdiction, then as listed (by id)."""
    return (row.due_on is None, row.due_on or date.max, row.jurisdiction.casefold(), row.id)


def open_responses(summaries: Sequence[ResponseSummary], today: date) -> list[OpenResponse]:
    """Responses not yet submitted, soonest due first (no due date last)."""
    rows = [row for s in summaries if (row := open_row(s, today)) is not None]
    rows.sort(key=row_order)
    return rows


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many responses have each status (every status listed, 0 if none)."""
    counts = {status.value: 0 for status in ResponseStatus}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def days_left_text(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return f"{-days} day{'s' * (days != -1)} overdue"
    if days == 0:
        return "Due today"
    return f"{days} day{'s' * (days != 1)}"


class OpenResponsesModel(RowsModel[OpenResponse]):
    """The open responses; replaced as a whole on refresh, so thousands of rows stay quick,
    and one row at a time after a change (put), so the view keeps its place."""

    headers = HEADERS

    def row_of(self, response_id: int) -> int:
        for row, item in enumerate(self.rows):
            if item.id == response_id:
                return row
        return -1

    def put(self, response_id: int, row: OpenResponse | None) -> int:
        """Replaces, moves, inserts or (None) removes one response's row; its new position."""
        return put_row(self, self.rows, self.row_of(response_id), row, row_order)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.jurisdiction,
                row.questionnaire,
                row.status,
                row.due_on.strftime("%Y-%m-%d") if row.due_on else "—",
                days_left_text(row.days_left),
                f"{row.percent}%",
            )[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.urgency == "overdue":
                return overdue_colour()
            if row.urgency == "soon":
                return soon_colour()
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.urgency:
            colours = roles()
            if column != DAYS_LEFT:
                return QColor(colours.row_text)
            overdue = row.urgency == "overdue"
            return QColor(colours.overdue_text if overdue else colours.soon_text)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (DAYS_LEFT, COMPLETE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.urgency == "overdue":
                return "Overdue"
            if row.urgency == "soon":
                return f"Due within {SOON_DAYS} days"
            return None
        if role == RESPONSE_ID_ROLE:
            return row.id
        if role == URGENCY_ROLE:
            return row.urgency
        if role == PERCENT_ROLE and column == COMPLETE:
            return row.percent
        return None


class ProgressDelegate(QStyledItemDelegate):
    """Paints the % complete as a slim bar with the number beside it, over the row's colours."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        percent = index.data(PERCENT_ROLE)
        if percent is None:
            super().paint(painter, option, index)
            return
        # The base paint draws the selection or row background; the text is drawn below.
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        rect: QRect = option.rect
        metrics = option.fontMetrics
        text_width = metrics.horizontalAdvance("100%") + 8
        bar_height = max(6, metrics.height() // 2)
        bar = QRect(
            rect.left() + 6,
            rect.center().y() - bar_height // 2,
            max(10, rect.width() - text_width - 12),
            bar_height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        colours = roles()
        painter.setBrush(QColor(colours.progress_groove))
        painter.drawRoundedRect(bar, 3, 3)
        filled = QRect(bar)
        filled.setWidth(int(bar.width() * int(percent) / 100))
        done = int(percent) == 100
        painter.setBrush(QColor(colours.progress_done if done else colours.progress_fill))
        if filled.width() > 0:
            painter.drawRoundedRect(filled, 3, 3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        text_rect = QRect(bar.right() + 4, rect.top(), text_width, rect.height())
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            f"{percent}%",
        )
        painter.restore()


class StatusTile(QFrame):
    """A count with its status name, e.g. "3 / In review"."""

    def __init__(self, label: str, color: str, parent: QWidget | None = None) -> None:
        """color: the role (ui.common.colours) of the stripe along the top."""
        super().__init__(parent)
        self.setObjectName("statusTile")
        self.stripe_role = color
        styled(
            self,
            "#statusTile {{ background: {tile_background}; border: 1px solid {tile_border};"
            f" border-top: 4px solid {{{color}}}; border-radius: 4px; }}}}"
            " #statusTile QLabel {{ color: {text}; }}",
        )
        follow_palette(self, self._show_stripe)
        self.count = QLabel("0", self)
        font = self.count.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.count.setFont(font)
        self.label = QLabel(label, self)
        styled(self.label, "color: {tile_label};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 10)
        layout.addWidget(self.count)
        layout.addWidget(self.label)
        self.setAccessibleName(label)

    def _show_stripe(self) -> None:
        """The stripe's colour as a property, for the contrast test to read."""
        self.setProperty("stripe", roles().status(self.stripe_role))

    def set_count(self, count: int) -> None:
        self.count.setText(f"{count:,}")
        self.setAccessibleDescription(f"{count} responses")


class DashboardViewLayout(QWidget):
    """Layout only: tiles, the table of open responses, the Continue button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Responses", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.tiles = {s.value: StatusTile(s.label, s.value, self) for s in ResponseStatus}
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        tiles.addStretch(1)
        self.table_label = QLabel(TABLE_TITLE, self)
        # Semibold through the font: a style sheet would keep the palette it was polished with.
        heading = self.table_label.font()
        heading.setWeight(heading.Weight.DemiBold)
        self.table_label.setFont(heading)
        self.table = QTableView(self)
        self.table.setAccessibleName("Open responses")
        self.table_label.setBuddy(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.empty = QLabel(
            "No open responses. Start one from a jurisdiction's Responses tab with "
            "“New response…”.",
            self,
        )
        self.empty.setWordWrap(True)
        styled(self.empty, "color: {muted};")
        self.legend = QLabel(self)
        styled(self.legend, "color: {muted};")
        follow_palette(self.legend, lambda: self.legend.setText(legend_text()))
        self.continue_button = QPushButton("&Continue", self)
        self.continue_button.setToolTip("Open the selected response (Enter)")
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend)
        bottom.addStretch(1)
        bottom.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addLayout(tiles)
        layout.addSpacing(8)
        layout.addWidget(self.table_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        # Takes the room the hidden table leaves, so an empty dashboard stays compact at the top.
        self.filler = QWidget(self)
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.filler, 1)
        layout.addLayout(bottom)


class DashboardView(DashboardViewLayout):
    """Behaviour: reads the responses once per refresh; a click or Enter opens one."""

    openResponse = Signal(int)  # noqa: N815  (Qt-style name the main window connects to)

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        background: bool = False,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.today = today
        # Reading thousands of responses takes a second or more: in the main window that
        # happens off the GUI thread, so the window answers while the table fills.
        self.background = background
        self.loading = False
        self._reload = False
        # Responses changed while the whole list was being read: read again once it is in.
        self._pending: set[int] = set()
        # Each response's status, for the counts at the top when one of them changes.
        self._statuses: dict[int, str] = {}
        self.model = OpenResponsesModel(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(COMPLETE, ProgressDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(QUESTIONNAIRE, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._open_index)
        # Enter is handled here rather than through `activated`: some styles also emit
        # activated on a single click, which would open the response twice.
        self.table.installEventFilter(self)
        self.continue_button.clicked.connect(self.open_selected)
        self.refresh()

    def refresh(self) -> None:
        if not self.background:
            try:
                summaries = responses.list_responses(self.store)
            except Exception as exc:  # shown, not raised: the start page must still appear
                show_error(self, exc)
                return
            self._show(summaries)
            return
        if self.loading:
            self._reload = True  # something changed while reading: read again after
            return
        self.loading = True
        self._reload = False
        self.table_label.setText(LOADING)
        store = self.store
        run_in_background(
            self,
            LOADING,
            lambda: responses.list_responses(store),
            self._loaded,
            self._load_failed,
            busy_dialog=False,
        )

    def _loaded(self, summaries: list[ResponseSummary]) -> None:
        if not isValid(self):  # closed while the responses were read
            return
        self.loading = False
        self.table_label.setText(TABLE_TITLE)
        self._show(summaries)
        if self._reload:
            self.refresh()
            return
        pending, self._pending = self._pending, set()
        for response_id in sorted(pending):
            self.update_response(response_id)

    def _load_failed(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self.loading = False
        self.table_label.setText(TABLE_TITLE)
        show_error(self, error)  # shown, not raised: the start page must still appear

    def _show(self, summaries: Sequence[ResponseSummary]) -> None:
        self._statuses = {s.id: s.status for s in summaries}
        self._show_counts()
        self.model.set_rows(open_responses(summaries, self.today()))
        has_rows = self._show_table()
        if has_rows:
            self._fit_columns()
            self.table.selectRow(0)

    def _show_counts(self) -> None:
        counts = status_counts(self._statuses.values())
        for status, tile in self.tiles.items():
            tile.set_count(counts.get(status, 0))

    def _show_table(self) -> bool:
        has_rows = bool(self.model.rows)
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.filler.setVisible(not has_rows)
        self.continue_button.setEnabled(has_rows)
        return has_rows

    def update_response(self, response_id: int) -> None:
        """One response changed (answered, moved on in its workflow, started, deleted): reads
        that one again and puts its row in place; the counts at the top follow.

        Reading one response takes about a millisecond whatever the number of others, so it
        is read here rather than in the background; the table keeps its selection and scroll
        position. While the whole list is being read, it is read again once that is in.
        """
        if self.loading:
            self._pending.add(response_id)
            return
        try:
            summary = responses.response_summary(self.store, response_id)
        except Exception as exc:  # shown, not raised, as for the whole list
            show_error(self, exc)
            return
        self._show_response(response_id, summary)

    def _show_response(self, response_id: int, summary: ResponseSummary | None) -> None:
        """Shows one response as read (None: it is gone)."""
        if summary is None:
            self._statuses.pop(response_id, None)
        else:
            self._statuses[response_id] = summary.status
        self._show_counts()
        row = open_row(summary, self.today()) if summary is not None else None
        selected = self.selected()
        current = self.table.currentIndex()
        scroll = self.table.verticalScrollBar().value()
        self.model.put(response_id, row)
        has_rows = self._show_table()
        if has_rows and row is None and selected is not None and selected.id == response_id:
            # The selected one left the list: the one after it takes its place.
            self.table.selectRow(min(current.row(), self.model.rowCount() - 1))
        self.table.verticalScrollBar().setValue(scroll)

    def _fit_columns(self) -> None:
        """Short columns as wide as their texts; the questionnaire title takes the rest.

        Measured from the rows rather than with ResizeToContents, which would lay out every
        one of thousands of rows; a name longer than MAX_NAME_CHARS is elided (tooltip whole).
        """
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        pad = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 12
        rows = self.model.rows
        texts: dict[int, set[str]] = {
            JURISDICTION: {r.jurisdiction for r in rows},
            STATUS: {r.status for r in rows},
            DUE: {"0000-00-00"},
            DAYS_LEFT: {days_left_text(r.days_left) for r in rows},
            COMPLETE: {"100%" + "x" * 10},  # the bar beside the number
        }
        longest_name = metrics.averageCharWidth() * MAX_NAME_CHARS
        for column, values in texts.items():
            width = max(
                header.fontMetrics().horizontalAdvance(HEADERS[column]) + pad,
                max((metrics.horizontalAdvance(v) for v in values), default=0) + pad,
            )
            if column == JURISDICTION:
                width = min(width, longest_name)
            self.table.setColumnWidth(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.open_selected()
            return True
        return super().eventFilter(watched, event)

    def _open_index(self, index: QModelIndex) -> None:
        response_id = index.data(RESPONSE_ID_ROLE)
        if response_id is not None:
            self.openResponse.emit(int(response_id))

    def selected(self) -> OpenResponse | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.row_at(index.row())

    def open_selected(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rows:
            index = self.model.index(0, 0)
        if index.isValid():
            self._open_index(index)
