"""How entries of the audit trail read to people, on screen and in the full report: actions,
record kinds and fields by their labels, never the tables' and columns' names."""

from __future__ import annotations

from app.services.audit import ACTION_LABELS, HistoryEntry
from app.services.fields import RECORD_KINDS

# Audit entries name tables; users know the record kinds' labels.
_KIND_BY_TABLE = {
    str(getattr(kind.model, "__tablename__", kind.key)): kind for kind in RECORD_KINDS.values()
}
_OTHER_KINDS = {"response": "Response", "answer": "Answer"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.capitalize())


def kind_label(entity_kind: str) -> str:
    kind = _KIND_BY_TABLE.get(entity_kind)
    if kind is not None:
        return kind.label
    return _OTHER_KINDS.get(entity_kind, entity_kind.replace("_", " ").capitalize())


def record_label(entry: HistoryEntry) -> str:
    """ "Facility: Metropolitan Detention Center", or the kind alone."""
    kind = kind_label(entry.entity_kind)
    return f"{kind}: {entry.entity_label}" if entry.entity_label else kind


def field_label(entity_kind: str, field: str | None) -> str:
    if not field:
        return ""
    kind = _KIND_BY_TABLE.get(entity_kind)
    if kind is not None:
        try:
            return kind.field(field).label
        except KeyError:
            pass
    return field.replace("_", " ").capitalize()
