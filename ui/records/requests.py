"""The Requests and grants tab: federal requests, grant awards and the chosen award's conditions."""

# ruff: noqa: N815 - Qt signals keep Qt's camelCase (currentChanged, openResponse).

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QSplitter, QVBoxLayout, QWidget

from app.services.records import Record
from app.services.store import Store
from ui.records.panel import RecordPanel


class RequestsAndGrantsPanel(QWidget):
    """Three tables; the conditions table follows the award selected above it."""

    changed = Signal()
    historyRequested = Signal(str, str)
    statusMessage = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.requests = RecordPanel(store, "request")
        self.awards = RecordPanel(store, "award")
        self.conditions = RecordPanel(store, "condition")
        # Three tables in one tab: each Alt+letter once. The requests' table keeps Filter,
        # Add and Delete; the others' Add buttons get letters of their own (Delete, Edit
        # and the filters are there by Tab, the Delete key and the Edit menu).
        for panel, add in (
            (self.awards, "Add grant a&ward…"),
            (self.conditions, "Add grant &condition…"),
        ):
            panel.add_button.setText(add)
            panel.filter_label.setText("Filter:")
            panel.delete_button.setText("Delete…")
        self._active: RecordPanel = self.requests
        self._jurisdiction_id: int | None = None
        self.conditions_box = QGroupBox("Conditions of the selected award")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        for title, panel in (
            ("Federal requests (letters and questionnaires received)", self.requests),
            ("Grant awards", self.awards),
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(panel)
            self.splitter.addWidget(box)
        QVBoxLayout(self.conditions_box).addWidget(self.conditions)
        self.splitter.addWidget(self.conditions_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        for panel in self.panels():
            panel.changed.connect(self.changed)
            panel.historyRequested.connect(self.historyRequested)
            panel.statusMessage.connect(self.statusMessage)
            panel.activated.connect(lambda p=panel: self._activate(p))
        self.awards.currentRecordChanged.connect(self._award_chosen)
        self.awards.changed.connect(lambda: self._award_chosen(self.awards.current_record()))

    def panels(self) -> tuple[RecordPanel, RecordPanel, RecordPanel]:
        return (self.requests, self.awards, self.conditions)

    def _activate(self, panel: RecordPanel) -> None:
        self._active = panel

    def active_panel(self) -> RecordPanel:
        """The table the user last worked in, for Edit ▸ New/Edit/Delete."""
        return self._active

    def set_jurisdiction(self, jurisdiction_id: int | None) -> None:
        self._jurisdiction_id = jurisdiction_id
        self.requests.set_parent(jurisdiction_id)
        self.awards.set_parent(jurisdiction_id)
        self._award_chosen(self.awards.current_record())

    def _award_chosen(self, award: Record | None) -> None:
        if award is None and self.awards.model.rowCount():
            # Conditions are what users come here for: show the first award's at once.
            self.awards.table.selectRow(0)
            award = self.awards.current_record()
        jurisdiction_id = self._jurisdiction_id
        if award is None:
            self.conditions_box.setTitle("Conditions of the selected award")
            self.conditions.set_parent(None)
            self.conditions.empty_label.setText("Select a grant award above to see its conditions.")
            self.conditions.empty_label.show()
        else:
            year = award.get("fiscal_year")
            self.conditions_box.setTitle(f"Conditions of {award.title} FY{year}")
            self.conditions.set_parent(award.id, jurisdiction_id)

    def refresh(self) -> None:
        for panel in self.panels():
            if panel.parent_id is not None:
                panel.refresh()
