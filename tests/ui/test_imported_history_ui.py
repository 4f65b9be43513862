"""Imported history reads as imported in both History views: from which file and when, with its
time and actor shown as recorded elsewhere, never as something done in this database."""

from __future__ import annotations

from pathlib import Path

from app.services import audit, exchange
from app.services.store import Store
from tests.test_audit_chain import _exchange_file_with_history
from ui.history_panel import HistoryTableModel
from ui.questionnaire.history import describe


def test_imported_entries_read_as_recorded_elsewhere(store: Store, tmp_path: Path) -> None:
    exchange_file, response_uuid = _exchange_file_with_history(tmp_path)
    exchange.import_file(store, exchange_file)
    entries = audit.history(store, response_uuid=response_uuid)
    model = HistoryTableModel()
    model.set_rows(entries)

    texts = [[model.text(row, column) for column in range(6)] for row in range(len(entries))]
    (approved,) = [t for t in texts if t[1].startswith("Mayor") and t[4] == "Approved by"]
    assert approved[0].endswith(" (recorded elsewhere)")
    assert approved[1] == "Mayor (recorded elsewhere)"
    assert approved[2].startswith("Imported from albuquerque-2017.json on ")
    assert approved[2].endswith(": Approved")
    # Everything the file's history says (the other office's entries too) reads as imported;
    # what this database did itself reads as before: the importing clerk, no prefix.
    imported = [t for t, e in zip(texts, entries, strict=True) if e.imported]
    local = [t for t, e in zip(texts, entries, strict=True) if not e.imported]
    assert {t[1] for t in imported} == {"Mayor (recorded elsewhere)",
                                        "Other Office (recorded elsewhere)"}  # fmt: skip
    assert all(t[2].startswith("Imported from albuquerque-2017.json on ") for t in imported)
    assert local
    assert {t[1] for t in local} == {"Test Clerk"}
    assert not any("recorded elsewhere" in t[0] or t[2].startswith("Imported from") for t in local)

    (status,) = [describe(e) for e in entries if e.actor == "Mayor" and e.action == "status"]
    when, who, what, old, new = status
    assert when.endswith(" (recorded elsewhere)")
    assert who == "Mayor (recorded elsewhere)"
    assert what.startswith("Imported from albuquerque-2017.json on ")
    assert what.endswith(": Status changed")
    assert (old, new) == ("In review", "Approved")
