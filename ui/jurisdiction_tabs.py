"""A jurisdiction's nine tabs, from its profile to its history; each loads when first shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QTabWidget, QWidget

from app.services.store import Store
from ui.evidence_panel import EvidencePanel
from ui.history_panel import HistoryPanel
from ui.records import ProfilePanel, RecordPanel, RequestsAndGrantsPanel
from ui.responses_panel import ResponsesPanel
from ui.tab_list import TAB_NAMES, TABS

__all__ = ["TABS", "TAB_NAMES", "JurisdictionTabs"]


class JurisdictionTabs(QTabWidget):
    """The tabs of the jurisdiction shown; those marked stale reload when next shown."""

    def __init__(
        self,
        store: Store,
        shortcuts: Mapping[str, QKeySequence],
        jurisdiction_uuid: Callable[[int | None], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._jurisdiction_uuid = jurisdiction_uuid
        self.stale: set[str] = set()
        self.profile = ProfilePanel(store)
        self.facilities = RecordPanel(store, "facility")
        self.instruments = RecordPanel(store, "instrument")
        self.evidence = EvidencePanel(store)
        self.requests = RequestsAndGrantsPanel(store)
        self.statistics = RecordPanel(store, "statistic")
        self.contacts = RecordPanel(store, "contact")
        self.responses = ResponsesPanel(store)
        self.history = HistoryPanel(store)
        self.widgets: dict[str, QWidget] = {
            "profile": self.profile,
            "facilities": self.facilities,
            "instruments": self.instruments,
            "evidence": self.evidence,
            "requests": self.requests,
            "statistics": self.statistics,
            "contacts": self.contacts,
            "responses": self.responses,
            "history": self.history,
        }
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        for name, label, tip in TABS:
            index = self.addTab(self.widgets[name], label)
            native = shortcuts[name].toString(QKeySequence.SequenceFormat.NativeText)
            self.setTabToolTip(index, f"{tip} ({native})")

    def current_tab(self) -> str:
        index = self.currentIndex()
        return TAB_NAMES[index] if 0 <= index < len(TAB_NAMES) else "profile"

    def show_tab(self, name: str) -> None:
        self.setCurrentIndex(TAB_NAMES.index(name))

    def record_panel(self) -> RecordPanel | None:
        """The record table of the tab showing, if it has one."""
        widget = self.widgets[self.current_tab()]
        if isinstance(widget, RequestsAndGrantsPanel):
            return widget.active_panel()
        return widget if isinstance(widget, RecordPanel) else None

    def load(self, name: str, jurisdiction_id: int | None) -> None:
        """Tabs load when first shown for a jurisdiction, so switching jurisdiction is quick."""
        if name not in self.stale:
            return
        self.stale.discard(name)
        widget = self.widgets[name]
        if name == "history":
            self.history.set_jurisdiction(self._jurisdiction_uuid(jurisdiction_id))
        elif isinstance(widget, RecordPanel):
            widget.set_parent(jurisdiction_id)
        elif hasattr(widget, "set_jurisdiction"):
            widget.set_jurisdiction(jurisdiction_id)
