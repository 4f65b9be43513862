"""The start page: counts by status, open responses by due date, overdue highlighting."""

from __future__ import annotations

import time
from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.services import records, responses
from app.services.responses import AnswerInput
from app.services.store import Store
from tests.helpers import approve_as_read
from ui.dashboard import (
    COMPLETE,
    DAYS_LEFT,
    JURISDICTION,
    LOADING,
    QUESTIONNAIRE,
    STATUS,
    TABLE_TITLE,
    URGENCY_ROLE,
    DashboardView,
    OpenResponsesModel,
    open_responses,
    overdue_colour,
    soon_colour,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = date(2017, 8, 14)
PSP = "doj-psp-2017"


def city_with_response(store: Store, name: str, due: str | None, *, jail: bool = True) -> int:
    city = records.create(store, "jurisdiction", {"name": name, "state": "NM", "kind": "city"})
    facility = records.create(
        store,
        "facility",
        {
            "name": f"{name} holding",
            "facility_type": "holding",
            "operator_type": "city",
            "operator_name": name,
            "sets_policy": True,
        },
        parent_id=city.id,
    )
    request_id = None
    if due:
        request = records.create(
            store,
            "request",
            {"program": "PSP", "issuing_office": "DOJ OJP", "due_on": due},
            parent_id=city.id,
        )
        request_id = request.id
    detail = responses.start_response(store, city.id, PSP, request_id=request_id)
    if jail:
        responses.save_answer(
            store, detail.summary.id, "access", facility.id, AnswerInput(value="yes")
        )
    return detail.summary.id


def complete(store: Store, response_id: int) -> None:
    detail = responses.get_response(store, response_id)
    for key in ("access", "notice", "hold"):
        for facility in detail.facilities:
            responses.save_answer(store, response_id, key, facility.id, AnswerInput(value="no"))


@pytest.fixture
def data(store: Store) -> dict[str, int]:
    overdue = city_with_response(store, "Stockton", "2017-08-10")
    soon = city_with_response(store, "Albuquerque", "2017-08-18")
    later = city_with_response(store, "Baltimore", "2017-09-30")
    undated = city_with_response(store, "San Bernardino", None, jail=False)
    approved = city_with_response(store, "Memphis", "2017-08-01")
    complete(store, approved)
    responses.submit_for_review(store, approved)
    approve_as_read(store, approved, "A. Lawyer", "City Attorney")
    submitted = city_with_response(store, "Toledo", "2017-08-01")
    complete(store, submitted)
    responses.submit_for_review(store, submitted)
    approve_as_read(store, submitted, "A. Lawyer", "City Attorney")
    responses.mark_submitted(store, submitted, "2017-08-01", "E-mail")
    complete(store, later)
    responses.submit_for_review(store, later)
    return {
        "overdue": overdue,
        "soon": soon,
        "later": later,
        "undated": undated,
        "approved": approved,
        "submitted": submitted,
    }


@pytest.fixture
def view(qtbot, store: Store, data: dict[str, int]) -> DashboardView:
    widget = DashboardView(store, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1024, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_counts_by_status(view) -> None:
    counts = {status: tile.count.text() for status, tile in view.tiles.items()}
    assert counts == {"draft": "3", "in_review": "1", "approved": "1", "submitted": "1"}


def test_open_responses_sorted_by_due_date_and_highlighted(view, data) -> None:
    model = view.model
    names = [model.index(r, JURISDICTION).data() for r in range(model.rowCount())]
    # Submitted ones are not open; no due date comes last.
    assert names == ["Memphis", "Stockton", "Albuquerque", "Baltimore", "San Bernardino"]
    rows = {name: r for r, name in enumerate(names)}
    assert model.index(rows["Stockton"], DAYS_LEFT).data() == "4 days overdue"
    assert model.index(rows["Stockton"], 0).data(URGENCY_ROLE) == "overdue"
    assert model.index(rows["Stockton"], 0).data(Qt.ItemDataRole.BackgroundRole) == overdue_colour()
    assert model.index(rows["Albuquerque"], DAYS_LEFT).data() == "4 days"
    assert model.index(rows["Albuquerque"], 3).data(Qt.ItemDataRole.BackgroundRole) == soon_colour()
    assert model.index(rows["Baltimore"], 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(rows["Baltimore"], STATUS).data() == "In review"
    assert model.index(rows["San Bernardino"], DAYS_LEFT).data() == ""
    assert model.index(rows["Stockton"], COMPLETE).data() == "33%"


def test_another_today_changes_the_highlighting(qtbot, store, data) -> None:
    widget = DashboardView(store, today=lambda: date(2017, 9, 25))
    qtbot.addWidget(widget)
    urgency = {
        widget.model.index(r, 0).data(): widget.model.index(r, 0).data(URGENCY_ROLE)
        for r in range(widget.model.rowCount())
    }
    assert urgency["Albuquerque"] == "overdue"
    assert urgency["Baltimore"] == "soon"


def test_background_loading_fills_the_same_table(qtbot, view, store, data) -> None:
    widget = DashboardView(store, today=lambda: TODAY, background=True)
    qtbot.addWidget(widget)
    assert widget.loading
    assert widget.table_label.text() == LOADING
    widget.refresh()  # asked again while reading: reads once more afterwards
    qtbot.waitUntil(lambda: not widget.loading, timeout=10_000)
    assert widget.table_label.text() == TABLE_TITLE
    assert widget.model.rows == view.model.rows
    assert widget.selected() == view.model.rows[0]


def test_questionnaire_column_gets_the_room_left(view) -> None:
    header = view.table.horizontalHeader()
    title = view.model.index(0, QUESTIONNAIRE).data()
    needed = view.table.fontMetrics().horizontalAdvance(title)
    assert header.sectionSize(QUESTIONNAIRE) > needed
    assert header.sectionSize(JURISDICTION) < header.sectionSize(QUESTIONNAIRE)


def test_click_or_enter_opens_a_response(qtbot, view, data) -> None:
    model = view.model
    row = [model.index(r, 0).data() for r in range(model.rowCount())].index("Albuquerque")
    rect = view.table.visualRect(model.index(row, 1))
    with qtbot.waitSignal(view.openResponse) as opened:
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [data["soon"]]
    view.table.setFocus()
    view.table.selectRow(0)
    with qtbot.waitSignal(view.openResponse) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [data["approved"]]
    with qtbot.waitSignal(view.openResponse) as opened:
        view.continue_button.click()
    assert opened.args == [data["approved"]]


def test_refresh_picks_up_new_responses(qtbot, store) -> None:
    widget = DashboardView(store, today=lambda: TODAY)
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 0
    assert not widget.continue_button.isEnabled()
    assert not widget.empty.isHidden()
    city_with_response(store, "Lansing", "2017-08-20")
    widget.refresh()
    assert widget.model.rowCount() == 1
    assert widget.tiles["draft"].count.text() == "1"


def test_model_handles_thousands_of_rows_quickly(qtbot, store, data) -> None:
    summaries = responses.list_responses(store) * 600  # 3,600 rows
    model = OpenResponsesModel()
    started = time.perf_counter()
    model.set_rows(open_responses(summaries, TODAY))
    for row in range(model.rowCount()):
        model.index(row, DAYS_LEFT).data()
    assert model.rowCount() == 3000
    assert time.perf_counter() - started < 2.0


def test_an_empty_dashboard_stays_compact_at_the_top(qtbot, store: Store) -> None:
    empty = DashboardView(store)
    qtbot.addWidget(empty)
    empty.resize(900, 700)
    empty.refresh()
    empty.show()
    qtbot.waitExposed(empty)
    assert empty.empty.isVisible()
    # Without the filler the layout spread the tiles and the message over the whole height.
    assert empty.empty.geometry().bottom() < empty.height() // 3
