"""Record editing: one generic table panel and dialog per record kind, and the Profile tab."""

from ui.records.dialog import RecordDialog, confirm_delete, delete_record
from ui.records.panel import RecordPanel, RecordTableView
from ui.records.profile import ProfilePanel
from ui.records.requests import RequestsAndGrantsPanel

__all__ = [
    "ProfilePanel",
    "RecordDialog",
    "RecordPanel",
    "RecordTableView",
    "RequestsAndGrantsPanel",
    "confirm_delete",
    "delete_record",
]
