"""The item models, without any widget: rows, cell texts, sorting and filtering."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import Qt

from app.services import jurisdictions, records
from app.services.audit import HistoryEntry
from app.services.fields import record_kind
from app.services.records import Record
from app.services.store import Store
from ui.common.table_model import FilterProxy, RecordTableModel, display_value, human_size
from ui.history_panel import HistoryTableModel
from ui.navigator import JurisdictionListModel

DISPLAY = Qt.ItemDataRole.DisplayRole


def _city(store: Store, name: str = "City of Albuquerque", state: str = "NM") -> Record:
    return records.create(store, "jurisdiction", {"name": name, "kind": "city", "state": state})


def _facility(store: Store, parent: int, name: str, operator_type: str, sets: bool) -> Record:
    return records.create(
        store,
        "facility",
        {
            "name": name,
            "facility_type": "jail",
            "operator_type": operator_type,
            "operator_name": "Bernalillo County",
            "sets_policy": sets,
        },
        parent,
    )


def _texts(model, column: int) -> list[str]:
    return [model.index(row, column).data(DISPLAY) for row in range(model.rowCount())]


def test_record_model_shows_labels_yes_no_and_skips_paragraph_columns(store: Store) -> None:
    city = _city(store)
    _facility(store, city.id, "Metropolitan Detention Center", "county", False)
    _facility(store, city.id, "Prisoner Transport Center", "city", True)
    model = RecordTableModel(record_kind("facility"))
    model.set_records(records.list_records(store, "facility", city.id))

    assert model.rowCount() == 2
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "Address" not in headers  # long text belongs in the form
    assert headers[:2] == ["Name", "Type"]
    assert _texts(model, headers.index("Operator type")) == ["County", "City"]
    assert _texts(model, headers.index("We set policy here")) == ["No", "Yes"]
    assert _texts(model, headers.index("Type")) == ["Jail", "Jail"]


def test_proxy_sorts_by_value_and_filters_any_column(store: Store) -> None:
    city = _city(store)
    for year, amount in ((2019, 9_000), (2017, 120_000), (2018, None)):
        records.create(
            store,
            "award",
            {"program": f"JAG {year}", "fiscal_year": year, "status": "applied", "amount": amount},
            city.id,
        )
    model = RecordTableModel(record_kind("award"))
    model.set_records(records.list_records(store, "award", city.id))
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    amount = model.column_of("amount")

    proxy.sort(amount, Qt.SortOrder.AscendingOrder)
    # Numbers sort as numbers (9,000 before 120,000), empty cells last.
    assert _texts(proxy, amount) == ["9,000", "120,000", ""]
    proxy.sort(model.column_of("fiscal_year"), Qt.SortOrder.DescendingOrder)
    assert _texts(proxy, model.column_of("fiscal_year")) == ["2019", "2018", "2017"]

    proxy.set_filter_text("jag 2018")
    assert proxy.rowCount() == 1
    proxy.set_filter_text("applied")  # matches the status label in another column
    assert proxy.rowCount() == 3


def test_display_values() -> None:
    instrument = record_kind("instrument")
    assert display_value(instrument.field("adopted_on"), date(2009, 5, 1)) == "2009-05-01"
    assert display_value(instrument.field("instrument_type"), "287g") == "287(g) agreement"
    assert display_value(instrument.field("summary"), "two\nlines") == "two lines"
    evidence = record_kind("evidence")
    assert display_value(evidence.field("instrument_id"), 4, {4: "MOU"}) == "MOU"
    assert human_size(1) == "1 byte"
    assert human_size(2048) == "2.0 KB"
    assert human_size(5 * 1024 * 1024) == "5.0 MB"


def test_navigator_model_counts(store: Store) -> None:
    city = _city(store)
    _facility(store, city.id, "MDC", "county", False)
    _city(store, "Baltimore City", "MD")
    model = JurisdictionListModel()
    model.set_items(jurisdictions.overview(store))
    assert model.rowCount() == 2
    assert model.index(0).data(DISPLAY) == "Baltimore City (MD)\n0 facilities"
    assert model.index(1).data(DISPLAY) == "City of Albuquerque (NM)\n1 facility"
    assert model.index(1).data(Qt.ItemDataRole.UserRole) == city.id


def test_history_model_texts_and_sorting() -> None:
    def entry(minute: int, field: str | None, old: str | None, new: str | None) -> HistoryEntry:
        return HistoryEntry(
            at=datetime(2017, 8, 10, 12, minute, tzinfo=UTC),
            actor="Pat",
            action="update" if field else "create",
            entity_kind="facility",
            entity_uuid="u1",
            entity_label="MDC",
            field=field,
            old_value=old,
            new_value=new,
        )

    model = HistoryTableModel()
    model.set_rows([entry(5, "operator_name", "City", "Bernalillo County"), entry(1, *[None] * 3)])
    assert model.rowCount() == 2
    assert model.index(0, 2).data(DISPLAY) == "Changed"
    assert model.index(0, 3).data(DISPLAY) == "Facility: MDC"
    assert model.index(0, 4).data(DISPLAY) == "Operator"  # the field's label, not its name
    assert model.index(0, 5).data(DISPLAY) == "City → Bernalillo County"
    assert model.index(1, 2).data(DISPLAY) == "Created"
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, 2).data(DISPLAY) == "Created"
