"""After one change the dashboard and the jurisdiction list update that one row: the new values
show, the counts follow, the selection and scroll position stay, and nothing else is read."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from app.services import jurisdictions, records, responses
from app.services.responses import AnswerInput
from app.services.store import Store
from tests.helpers import approve_as_read
from tests.ui.test_dashboard import TODAY, city_with_response, complete
from ui.dashboard import COMPLETE, JURISDICTION, STATUS, DashboardView
from ui.navigator import Navigator


@dataclass
class Reads:
    """How often the whole lists were read."""

    responses: int = 0
    jurisdictions: int = 0


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    reads = Reads()
    every_response = responses.list_responses
    every_jurisdiction = jurisdictions.overview

    def list_responses(store: Store, jurisdiction_id: int | None = None):
        if jurisdiction_id is None:
            reads.responses += 1
        return every_response(store, jurisdiction_id)

    def overview(*args, **kwargs):
        reads.jurisdictions += 1
        return every_jurisdiction(*args, **kwargs)

    monkeypatch.setattr(responses, "list_responses", list_responses)
    monkeypatch.setattr(jurisdictions, "overview", overview)
    return reads


@pytest.fixture
def data(store: Store) -> dict[str, int]:
    ids = {
        "overdue": city_with_response(store, "Stockton", "2017-08-10"),
        "soon": city_with_response(store, "Albuquerque", "2017-08-18"),
        "later": city_with_response(store, "Baltimore", "2017-09-30"),
        "undated": city_with_response(store, "San Bernardino", None, jail=False),
    }
    complete(store, ids["later"])
    responses.submit_for_review(store, ids["later"])
    return ids


@pytest.fixture
def view(qtbot, store: Store, data) -> DashboardView:
    widget = DashboardView(store, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1024, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def names(view: DashboardView) -> list[str]:
    model = view.model
    return [model.index(r, JURISDICTION).data() for r in range(model.rowCount())]


def cell(view: DashboardView, response_id: int, column: int) -> str:
    row = view.model.row_of(response_id)
    assert row >= 0
    return str(view.model.index(row, column).data())


def counts(view: DashboardView) -> dict[str, str]:
    return {status: tile.count.text() for status, tile in view.tiles.items()}


def selected_id(view: DashboardView) -> int | None:
    selected = view.selected()
    return selected.id if selected is not None else None


def select(view: DashboardView, response_id: int) -> None:
    view.table.selectRow(view.model.row_of(response_id))
    assert view.selected() is not None


def first_facility(store: Store, response_id: int) -> int:
    return responses.get_response(store, response_id).facilities[0].id


def test_a_saved_answer_updates_only_its_row(view, store, data, full_reads) -> None:
    soon = data["soon"]
    select(view, soon)
    before = names(view)
    assert cell(view, soon, COMPLETE) == "33%"
    responses.save_answer(store, soon, "notice", first_facility(store, soon), AnswerInput("no"))
    view.update_response(soon)
    assert cell(view, soon, COMPLETE) == "66%"
    assert full_reads.responses == 0
    assert names(view) == before
    assert selected_id(view) == soon
    assert view.table.selectionModel().isRowSelected(view.model.row_of(soon))


def test_workflow_steps_move_the_counts_and_submitted_leaves(view, store, data, full_reads):
    later = data["later"]
    select(view, data["overdue"])
    assert counts(view) == {"draft": "3", "in_review": "1", "approved": "0", "submitted": "0"}
    approve_as_read(store, later, "A. Lawyer", "City Attorney")
    view.update_response(later)
    assert counts(view) == {"draft": "3", "in_review": "0", "approved": "1", "submitted": "0"}
    # Approved is still open: it has to be sent yet.
    assert cell(view, later, STATUS) == "Approved"
    responses.mark_submitted(store, later, "2017-08-14", "E-mail")
    view.update_response(later)
    assert counts(view) == {"draft": "3", "in_review": "0", "approved": "0", "submitted": "1"}
    assert view.model.row_of(later) < 0
    assert names(view) == ["Stockton", "Albuquerque", "San Bernardino"]
    assert full_reads.responses == 0
    assert selected_id(view) == data["overdue"]


def test_the_selection_follows_its_response_when_another_leaves_above(view, store, data):
    select(view, data["undated"])  # the last row
    complete(store, data["overdue"])
    responses.submit_for_review(store, data["overdue"])
    approve_as_read(store, data["overdue"], "A. Lawyer", "City Attorney")
    responses.mark_submitted(store, data["overdue"], "2017-08-14", "E-mail")
    view.update_response(data["overdue"])  # the first row leaves
    assert selected_id(view) == data["undated"]


def test_when_the_selected_one_leaves_the_next_is_selected(view, store, data) -> None:
    select(view, data["soon"])
    responses.delete_response(store, data["soon"])
    view.update_response(data["soon"])
    assert counts(view)["draft"] == "2"
    assert selected_id(view) == data["later"]


def test_a_new_response_is_put_in_due_order(view, store, data, full_reads) -> None:
    select(view, data["later"])
    started = city_with_response(store, "Lansing", "2017-08-20")
    view.update_response(started)
    assert names(view) == ["Stockton", "Albuquerque", "Lansing", "Baltimore", "San Bernardino"]
    assert counts(view)["draft"] == "4"
    assert selected_id(view) == data["later"]
    assert full_reads.responses == 0


def test_a_row_whose_due_date_moves_moves_and_stays_selected(view, store, data) -> None:
    undated = data["undated"]
    select(view, undated)
    summary = responses.get_response(store, undated).summary
    request = records.create(
        store,
        "request",
        {"program": "PSP", "issuing_office": "DOJ OJP", "due_on": "2017-08-01"},
        parent_id=summary.jurisdiction_id,
    )
    responses.update_details(store, undated, request_id=request.id)
    view.update_response(undated)
    assert names(view)[0] == "San Bernardino"
    assert cell(view, undated, 0) == "San Bernardino"
    assert view.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "Overdue"
    assert selected_id(view) == undated
    assert view.table.currentIndex().row() == 0


def test_the_scroll_position_stays(qtbot, store: Store, full_reads) -> None:
    made = [city_with_response(store, f"Town {n:02d}", f"2017-08-{n + 1:02d}") for n in range(28)]
    widget = DashboardView(store, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.show()
    qtbot.waitExposed(widget)
    bar = widget.table.verticalScrollBar()
    assert bar.maximum() > 10
    select(widget, made[-1])
    bar.setValue(bar.maximum() // 2)
    kept = bar.value()
    responses.delete_response(store, made[0])  # a row above the ones showing leaves
    widget.update_response(made[0])
    responses.save_answer(
        store, made[20], "notice", first_facility(store, made[20]), AnswerInput("no")
    )
    widget.update_response(made[20])
    assert bar.value() == kept
    assert selected_id(widget) == made[-1]
    assert full_reads.responses == 1  # the first showing only


def test_changes_while_the_list_is_read_are_read_after_it(qtbot, store, data) -> None:
    widget = DashboardView(store, today=lambda: TODAY, background=True)
    qtbot.addWidget(widget)
    assert widget.loading
    soon = data["soon"]
    responses.save_answer(store, soon, "notice", first_facility(store, soon), AnswerInput("no"))
    widget.update_response(soon)
    qtbot.waitUntil(lambda: not widget.loading, timeout=10_000)
    assert cell(widget, soon, COMPLETE) == "66%"


# ------------------------------------------------------------------------- the navigator


@pytest.fixture
def navigator(qtbot, store: Store, data) -> Navigator:
    widget = Navigator(store)
    qtbot.addWidget(widget)
    widget.resize(300, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def text_of(navigator: Navigator, jurisdiction_id: int) -> str:
    row = navigator.model.row_of(jurisdiction_id)
    assert row >= 0
    return str(navigator.model.index(row).data())


def test_the_list_updates_the_one_jurisdiction(qtbot, navigator, store, data, full_reads):
    baltimore = responses.get_response(store, data["later"]).summary.jurisdiction_id
    stockton = responses.get_response(store, data["overdue"]).summary.jurisdiction_id
    navigator.select(stockton)
    chosen: list[object] = []
    navigator.jurisdictionSelected.connect(chosen.append)
    assert text_of(navigator, baltimore).endswith("1 response · 1 open")
    responses.start_response(store, baltimore, "doj-psp-2017")
    navigator.update_jurisdiction(baltimore)
    assert text_of(navigator, baltimore).endswith("2 responses · 2 open")
    # Renamed to sort first: it moves; the chosen one stays chosen, nothing is announced.
    place = records.get(store, "jurisdiction", baltimore)
    records.update(store, "jurisdiction", baltimore, {"name": "Aaron"}, place.version)
    navigator.update_jurisdiction(baltimore)
    assert navigator.model.row_of(baltimore) == 0
    assert navigator.selected_id() == stockton
    assert navigator.list_view.currentIndex().row() == navigator.model.row_of(stockton)
    assert chosen == []
    assert full_reads.jurisdictions == 0
    assert navigator.count_label.text() == "4 jurisdictions"


def test_a_jurisdiction_the_search_no_longer_finds_leaves_the_list(qtbot, navigator, store, data):
    navigator.search_edit.setText("Stock")
    navigator.search_now()
    stockton = navigator.model.item_at(0)
    assert stockton is not None
    assert navigator.model.rowCount() == 1
    place = records.get(store, "jurisdiction", stockton.id)
    records.update(store, "jurisdiction", stockton.id, {"name": "Lodi"}, place.version)
    navigator.update_jurisdiction(stockton.id)
    assert navigator.model.rowCount() == 0
    assert navigator.count_label.text() == "Nothing matches the search."
    records.update(store, "jurisdiction", stockton.id, {"name": "Stockton"}, place.version + 1)
    navigator.update_jurisdiction(stockton.id)
    assert navigator.model.rowCount() == 1


# ----------------------------------------------------------------------- the main window


def test_the_editor_s_changes_update_rows_not_lists(qtbot, window, store, full_reads) -> None:
    soon = city_with_response(store, "Albuquerque", "2017-08-18")
    window.navigator.refresh()
    window.dashboard.refresh()
    qtbot.waitUntil(lambda: not window.dashboard.loading, timeout=10_000)
    full_reads.responses = full_reads.jurisdictions = 0
    place = responses.get_response(store, soon).summary.jurisdiction_id
    editor = window.open_response(soon)
    assert editor is not None
    responses.save_answer(store, soon, "notice", first_facility(store, soon), AnswerInput("no"))
    editor.changed.emit()  # as the editor does after saving
    assert cell(window.dashboard, soon, COMPLETE) == "66%"
    # Started from the editor's side: a response the list did not count yet.
    other = responses.start_response(store, place, "doj-psp-2017").summary.id
    editor.close_editor()
    assert window.stack.currentWidget() is window.dashboard
    editor = window.open_response(other)
    assert editor is not None
    editor.close_editor()
    assert window.dashboard.model.row_of(other) >= 0
    assert "2 responses" in text_of(window.navigator, place)
    assert full_reads.responses == 0
    assert full_reads.jurisdictions == 0
