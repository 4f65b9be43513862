"""A new response starts on the jurisdiction's open request: its questionnaire, its due date,
and a preparer from the staff list."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialog

from app import questionnaires
from app.services import open_requests, records, responses, staff
from app.services.staff import StaffInput
from app.services.store import Store
from tests.helpers import make_jurisdiction
from ui import responses_panel
from ui.responses_panel import NewResponseDialog, ResponsesPanel

PSP = "doj-psp-2017"
JAG = "byrne-jag-fy2017"


@pytest.fixture
def city(store: Store) -> dict[str, int]:
    city = make_jurisdiction(store)
    psp = records.create(
        store,
        "request",
        {
            "program": "Public Safety Partnership (PSP)",
            "issuing_office": "U.S. Department of Justice, Office of Justice Programs",
            "fiscal_year": 2017,
            "due_on": date.today().replace(year=date.today().year + 1).isoformat(),
        },
        parent_id=city.id,
    )
    jag = records.create(
        store,
        "request",
        {"program": "Byrne JAG FY2017", "issuing_office": "DOJ OJP", "due_on": "2017-10-05"},
        parent_id=city.id,
    )
    return {"city": city.id, "psp": psp.id, "jag": jag.id}


def answer_with(monkeypatch: pytest.MonkeyPatch, fill) -> list[NewResponseDialog]:
    """The next New response dialog is handled by `fill(dialog)` instead of a person."""
    shown: list[NewResponseDialog] = []

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, NewResponseDialog)
        shown.append(dialog)
        fill(dialog)
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(responses_panel, "run_dialog", run)
    return shown


def panel_for(qtbot, store: Store, jurisdiction_id: int) -> ResponsesPanel:
    panel = ResponsesPanel(store)
    qtbot.addWidget(panel)
    panel.set_jurisdiction(jurisdiction_id)
    return panel


def test_start_takes_the_open_request_its_questionnaire_and_a_preparer(
    qtbot, store: Store, city: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    staff.create(store, StaffInput("Tom Becker", "Paralegal", prepares=True))
    staff.create(store, StaffInput("Priya Raman", "Assistant City Attorney", prepares=True))
    staff.create(store, StaffInput("Dana Whitfield", "City Attorney", approves=True))
    store.actor = "Priya Raman"
    seen: dict[str, object] = {}

    def start(dialog: NewResponseDialog) -> None:
        seen["questionnaire"] = dialog.questionnaire.currentData()
        seen["request"] = dialog.request.currentData()
        seen["due"] = dialog.due_note.text()
        seen["prepared_by"] = dialog.prepared_by.currentText()
        seen["preparers"] = [
            dialog.prepared_by.itemText(i) for i in range(dialog.prepared_by.count())
        ]
        seen["focus"] = dialog.focusWidget() is dialog.questionnaire
        dialog.ok.click()

    answer_with(monkeypatch, start)
    panel = panel_for(qtbot, store, city["city"])
    new_id = panel.new_response()
    assert new_id is not None

    assert seen["questionnaire"] == PSP
    assert seen["request"] == city["psp"]
    due = records.get(store, "request", city["psp"])["due_on"]
    assert seen["due"] == f"Due {due:%B} {due.day}, {due.year}, the request's due date."
    assert seen["prepared_by"] == "Priya Raman"
    assert seen["preparers"] == ["Priya Raman", "Tom Becker"], "only people who prepare"
    assert seen["focus"], "the cursor starts in the first field"

    created = responses.get_response(store, new_id).summary
    assert created.questionnaire_key == PSP
    assert created.request_id == city["psp"]
    assert created.due_on == due
    assert created.prepared_by == "Priya Raman"
    assert panel.model.index(0, 3).data() == due.isoformat()


def test_choosing_another_request_chooses_its_questionnaire(
    qtbot, store: Store, city: dict[str, int]
) -> None:
    definitions = questionnaires.available()
    defaults = open_requests.new_response_defaults(store, city["city"], definitions=definitions)
    dialog = NewResponseDialog(
        definitions,
        records.list_records(store, "request", city["city"]),
        defaults=defaults,
    )
    qtbot.addWidget(dialog)
    assert dialog.questionnaire.currentData() == PSP

    dialog.request.setCurrentIndex(dialog.request.findData(city["jag"]))
    assert dialog.questionnaire.currentData() == JAG
    assert dialog.due_note.text() == "Due October 5, 2017, the request's due date."

    dialog.request.setCurrentIndex(dialog.request.findData(None))
    assert dialog.questionnaire.currentData() == JAG, "no request: the choice stays"
    assert dialog.due_note.text().startswith("No due date")
    assert dialog.choice() == responses_panel.NewResponse(JAG, None, None)


def test_without_a_staff_list_the_preparer_is_who_works_on_this_pc(
    qtbot, store: Store, city: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def start(dialog: NewResponseDialog) -> None:
        assert dialog.prepared_by.currentText() == "Test Clerk"
        assert dialog.prepared_by.count() == 0
        dialog.prepared_by.setCurrentText("  A. Temp  ")
        dialog.ok.click()

    shown = answer_with(monkeypatch, start)
    new_id = panel_for(qtbot, store, city["city"]).new_response()
    assert len(shown) == 1
    assert new_id is not None
    assert responses.get_response(store, new_id).summary.prepared_by == "A. Temp"


def test_a_jurisdiction_without_requests_preselects_nothing(
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_jurisdiction(store, name="City of Stockton", state="CA")

    def look(dialog: NewResponseDialog) -> None:
        assert dialog.request.currentData() is None
        assert dialog.questionnaire.currentIndex() == 0
        dialog.reject()

    shown = answer_with(monkeypatch, look)
    assert panel_for(qtbot, store, other.id).new_response() is None
    assert len(shown) == 1
