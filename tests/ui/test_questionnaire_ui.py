"""The guided questionnaire, driven like a user: answers, autosave, conditions, review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtWidgets import QRadioButton

from app import questionnaires
from app.questionnaires import Question
from app.services import open_store, records, responses
from app.services.store import Store
from tests.helpers import make_facility, make_instrument, make_jurisdiction
from ui.questionnaire import ResponseEditor
from ui.questionnaire import editor as editor_module
from ui.questionnaire.answer_form import AnswerForm
from ui.questionnaire.drafts import Draft
from ui.questionnaire.editor import MARKER_ROLE, REVIEW_STEP, STEP_KEY_ROLE
from ui.questionnaire.facility_grid import ANSWER, CONTROL, FACILITY, NARRATIVE, OPERATOR

PSP = "doj-psp-2017"

# The offscreen platform warns when a shown window's size limits change; not a bug of ours.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make_city(store: Store) -> dict[str, int]:
    """Albuquerque: a county-run jail it cannot answer for, and a city facility it can."""
    city = make_jurisdiction(
        store,
        chief_legal_officer="Esteban A. Aguilar Jr.",
        chief_legal_officer_title="City Attorney",
    )
    jail = make_facility(store, city.id)
    transport = make_facility(store, city.id, controlled=True)
    resolution = make_instrument(
        store,
        city.id,
        title="Immigrant Friendly City resolution",
        number="R-2000-123",
        instrument_type="resolution",
        adopted_on=None,
    )
    request = records.create(
        store,
        "request",
        {
            "program": "Public Safety Partnership",
            "issuing_office": "DOJ OJP",
            "due_on": "2017-08-18",
        },
        parent_id=city.id,
    )
    response = responses.start_response(store, city.id, PSP, request_id=request.id)
    return {
        "city": city.id,
        "jail": jail.id,
        "transport": transport.id,
        "resolution": resolution.id,
        "response": response.summary.id,
    }


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    return make_city(store)


@pytest.fixture
def editor(qtbot, store: Store, ids: dict[str, int]) -> ResponseEditor:
    widget = ResponseEditor(store, ids["response"])
    qtbot.addWidget(widget)
    widget.resize(1024, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def settled(qtbot, editor: ResponseEditor) -> None:
    """Waits for the saves a step change started on a pool thread to land."""
    qtbot.waitUntil(lambda: editor.background_save is None and not editor.dirty, timeout=10_000)


def reread(db_path: Path, response_id: int) -> responses.ResponseDetail:
    """The response as another program would see it: a new Store on the same file."""
    other = open_store(db_path, actor="Someone else")
    try:
        return responses.get_response(other, response_id)
    finally:
        other.close()


def radio(form: AnswerForm, value: str) -> QRadioButton:
    for button in form.value_input.buttons:
        if button.property("choice") == value:
            assert isinstance(button, QRadioButton)
            return button
    raise AssertionError(value)


def click(qtbot, button: QRadioButton) -> None:
    """Clicks the round indicator, as a user does (a radio ignores clicks beyond its label)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def facility_form(editor: ResponseEditor, key: str, facility_id: int) -> AnswerForm:
    page = editor.pages[key]
    assert page.grid is not None
    page.grid.select_facility(facility_id)
    row = [f.id for f, _ in page.grid.model.rows].index(facility_id)
    return page.grid.form(row)


def step_keys(editor: ResponseEditor) -> list[str]:
    return [editor.steps.item(r).data(STEP_KEY_ROLE) for r in range(editor.steps.count())]


def answer_city_yes(qtbot, editor: ResponseEditor, key: str, facility_id: int) -> AnswerForm:
    editor.go_to(key)
    form = facility_form(editor, key, facility_id)
    click(qtbot, radio(form, "yes"))
    return form


def test_grid_shows_prefilled_outside_control_and_the_city_facility(editor, ids) -> None:
    page = editor.pages["access"]
    assert page.grid is not None
    model = page.grid.model
    rows = {model.index(r, FACILITY).data(): r for r in range(model.rowCount())}
    jail = rows["Metropolitan Detention Center"]
    assert model.index(jail, OPERATOR).data() == "Bernalillo County — county"
    assert model.index(jail, CONTROL).data() == "No"
    assert model.index(jail, ANSWER).data() == "Outside our control"
    assert "operated by Bernalillo County" in model.index(jail, NARRATIVE).data()
    city = rows["Prisoner Transport Center"]
    assert model.index(city, CONTROL).data() == "Yes"
    assert model.index(city, ANSWER).data() == "Not answered"
    # The form for the jail shows the pre-filled choice and says why.
    form = facility_form(editor, "access", ids["jail"])
    assert radio(form, "outside_control").isChecked()
    assert "does not set policy" in page.grid.outside_note.text()


def test_answer_city_facility_with_narrative_and_citation(qtbot, editor, ids, db_path) -> None:
    form = answer_city_yes(qtbot, editor, "access", ids["transport"])
    qtbot.keyClicks(form.narrative, "Officers let ICE interview arrestees at the PTC.")
    form.instruments.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(editor.next_button, Qt.MouseButton.LeftButton)  # saves on a pool thread

    assert editor.current_key == "notice"  # moved at once, while the save runs
    settled(qtbot, editor)
    stored = reread(db_path, ids["response"])
    answer = stored.answer("access", ids["transport"])
    assert answer is not None
    assert answer.value == "yes"
    assert answer.result == "yes"
    assert answer.narrative == "Officers let ICE interview arrestees at the PTC."
    assert answer.instrument_ids == (ids["resolution"],)
    # The county jail keeps its pre-filled answer; combined, the city answers yes.
    assert stored.answer("access", ids["jail"]).result == "outside_control"  # type: ignore[union-attr]
    question = stored.questionnaire.question("access")
    assert stored.question_result(question) == "yes"
    # The step is marked answered, the others still missing.
    markers = {
        editor.steps.item(r).data(STEP_KEY_ROLE): editor.steps.item(r).data(MARKER_ROLE)
        for r in range(editor.steps.count())
    }
    assert markers["access"] == "done"
    assert markers["notice"] == "missing"
    assert editor.save_state.text().startswith("Saved")


def test_grid_combo_edit_changes_the_answer(qtbot, editor, ids, db_path) -> None:
    page = editor.pages["access"]
    assert page.grid is not None
    model = page.grid.model
    row = [f.id for f, _ in model.rows].index(ids["transport"])
    # What the combo delegate does when the user picks "No" in the grid.
    assert model.setData(model.index(row, ANSWER), "no")
    assert radio(page.grid.form(row), "no").isChecked()
    assert editor.save_now()
    assert reread(db_path, ids["response"]).answer("access", ids["transport"]).value == "no"  # type: ignore[union-attr]


def test_review_lists_answers_and_missing_links(qtbot, editor, ids) -> None:
    answer_city_yes(qtbot, editor, "access", ids["transport"])
    editor.go_to(REVIEW_STEP)
    text = editor.review.browser.toPlainText()
    assert "2 required answers are missing" in text
    assert "Question 2 — Prisoner Transport Center" in text
    assert "Question 3 — Prisoner Transport Center" in text
    assert "Metropolitan Detention Center" in text
    assert "Outside our control — operated by Bernalillo County (county)." in text
    assert "Yes — a statute, rule, policy or practice ensures access" in text
    assert "Result for the jurisdiction: Yes" in text
    # Questions 2 and 3 wait for the transport center, not just the county jail's answer.
    assert text.count("Result for the jurisdiction: Incomplete — some facilities") == 2
    # A missing answer is a link to its step, with the facility selected.
    editor.review.browser.anchorClicked.emit(QUrl(f"step:notice@{ids['transport']}"))
    assert editor.current_key == "notice"
    grid = editor.pages["notice"].grid
    assert grid is not None
    assert grid.model.rows[grid.table.currentIndex().row()][0].id == ids["transport"]

    answer_city_yes(qtbot, editor, "notice", ids["transport"])
    answer_city_yes(qtbot, editor, "hold", ids["transport"])
    editor.go_to(REVIEW_STEP)
    assert "Every required answer is given." in editor.review.browser.toPlainText()
    assert editor.completeness_label.text() == "6 of 6 required answers · all given"
    assert editor.progress.value() == 100


def test_conditional_follow_up_appears_and_disappears(qtbot, editor, ids, db_path) -> None:
    assert "access_conditions" not in step_keys(editor)
    editor.go_to("access")
    form = facility_form(editor, "access", ids["transport"])
    click(qtbot, radio(form, "partial"))
    # Visible at once, before the autosave lands.
    assert step_keys(editor)[:2] == ["access", "access_conditions"]
    qtbot.mouseClick(editor.next_button, Qt.MouseButton.LeftButton)
    assert editor.current_key == "access_conditions"
    page = editor.pages["access_conditions"]
    assert page.form is not None
    assert page.text.text() == "Describe the conditions or limits that apply to DHS access."
    assert page.form.value_input.text is not None
    qtbot.keyClicks(page.form.value_input.text, "Only with a judicial warrant.")
    editor.go_to("access")
    settled(qtbot, editor)
    assert reread(db_path, ids["response"]).answer("access_conditions").value == (  # type: ignore[union-attr]
        "Only with a judicial warrant."
    )
    click(qtbot, radio(form, "yes"))
    assert "access_conditions" not in step_keys(editor)


def test_keyboard_moves_between_steps(qtbot, editor) -> None:
    editor.activateWindow()
    qtbot.waitActive(editor)
    editor.steps.setFocus()
    assert editor.current_key == "access"
    qtbot.keyClick(editor.steps, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert editor.current_key == "notice"
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_PageDown)
    assert editor.current_key == "hold"
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert editor.current_key == "notice"
    editor.steps.setFocus()
    qtbot.keyClick(editor.steps, Qt.Key.Key_Down)
    assert editor.current_key == "hold"
    qtbot.keyClick(editor.steps, Qt.Key.Key_End)
    assert editor.current_key == REVIEW_STEP
    assert not editor.next_button.isEnabled()


def test_autosave_after_typing_pause(qtbot, editor, ids, db_path) -> None:
    editor.go_to("statement")
    page = editor.pages["statement"]
    assert page.form is not None
    assert page.form.value_input.text is not None
    qtbot.keyClicks(page.form.value_input.text, "The police do not ask about status.")
    assert editor.has_unsaved_changes()
    assert editor.save_state.text() == "Saving…"
    qtbot.waitUntil(lambda: not editor.has_unsaved_changes(), timeout=3000)
    assert editor.save_state.text().startswith("Saved")
    stored = reread(db_path, ids["response"]).answer("statement")
    assert stored is not None
    assert stored.value == "The police do not ask about status."


def test_closing_with_a_pending_edit_saves_it(qtbot, editor, ids, db_path) -> None:
    form = answer_city_yes(qtbot, editor, "hold", ids["transport"])
    qtbot.keyClicks(form.conditions, "Only on a formal written request")
    assert editor.has_unsaved_changes()
    with qtbot.waitSignal(editor.closed, timeout=1000):
        editor.close()
    answer = reread(db_path, ids["response"]).answer("hold", ids["transport"])
    assert answer is not None
    assert answer.value == "yes"
    assert answer.conditions == "Only on a formal written request"


def test_text_over_the_limit_is_shown_inline_and_not_saved(qtbot, editor, ids, db_path) -> None:
    editor.go_to("statement")
    page = editor.pages["statement"]
    assert page.form is not None
    assert page.form.value_input.text is not None
    page.form.value_input.text.setPlainText("x" * 100_001)  # a paste that is too long
    assert not editor.save_now()
    error = page.form.value_input.error
    assert error.isVisible()
    assert "100,001 characters long; the limit is 100,000" in error.text()
    assert editor.save_state.text().startswith("Not saved:")
    assert editor.has_unsaved_changes()
    assert reread(db_path, ids["response"]).answer("statement") is None
    markers = {
        editor.steps.item(r).data(STEP_KEY_ROLE): editor.steps.item(r).data(MARKER_ROLE)
        for r in range(editor.steps.count())
    }
    assert markers["statement"] == "unsaved"
    # Switching steps keeps the typing; correcting it saves it.
    editor.go_to("access")
    editor.go_to("statement")
    assert len(page.form.value_input.text.toPlainText()) == 100_001
    page.form.value_input.text.setPlainText("Short enough.")
    assert editor.save_now()
    assert not error.isVisible()
    assert reread(db_path, ids["response"]).answer("statement").value == "Short enough."  # type: ignore[union-attr]


def test_number_out_of_range_is_an_inline_error(qtbot) -> None:
    question = Question(
        key="holds",
        number="5",
        kind="number",
        text="How many hold requests were received?",
        help="",
        source="",
        required=True,
        scope="jurisdiction",
        min=0,
        max=1000,
    )
    form = AnswerForm(question, [], [])
    qtbot.addWidget(form)
    draft = Draft(question, None)
    form.bind(draft)
    assert form.value_input.line is not None
    assert "from 0 to 1,000" in form.value_input.line.placeholderText()
    qtbot.keyClicks(form.value_input.line, "1500")
    assert draft.value == "1500"
    with pytest.raises(responses.InvalidInput) as caught:
        draft.to_input()
    draft.errors = {p.field: p.message for p in caught.value.problems}
    form.show()
    form.show_errors()
    assert form.value_input.error.isVisible()
    assert form.value_input.error.text() == "1500 is above the maximum of 1000."


def test_review_is_refused_while_the_city_run_facility_is_unanswered(
    qtbot, editor, ids, monkeypatch
) -> None:
    assert editor.approve_action.isVisible()
    assert not editor.approve_action.isEnabled()
    tip = editor.approve_action.toolTip()
    assert "Approval needs every required answer" in tip
    assert "1 (Prisoner Transport Center)" in tip
    editor.go_to(REVIEW_STEP)
    assert "Still to answer" in editor.review.approval_note.text()
    # The checks list the city's own facility as a problem, linked to its step.
    review = editor.review.browser.toHtml()
    assert "must be corrected before it can be sent for review" in review
    assert "Prisoner Transport Center: not answered" in review
    refused: list[str] = []
    monkeypatch.setattr(editor_module, "show_error", lambda _p, exc: refused.append(str(exc)))
    assert not editor.submit_for_review()
    assert editor.summary.status == "draft"
    assert "Prisoner Transport Center" in refused[0]
    for key in ("access", "notice", "hold"):
        answer_city_yes(qtbot, editor, key, ids["transport"])
    assert editor.save_now()
    editor.go_to(REVIEW_STEP)
    assert "must be corrected" not in editor.review.browser.toHtml()
    assert editor.submit_for_review()
    assert editor.summary.status == "in_review"
    assert editor.approve_action.isEnabled()


def test_outside_control_for_the_city_run_facility_is_listed_as_a_problem(
    qtbot, editor, ids
) -> None:
    for key in ("access", "notice", "hold"):
        answer_city_yes(qtbot, editor, key, ids["transport"])
    editor.go_to("access")
    click(qtbot, radio(facility_form(editor, "access", ids["transport"]), "outside_control"))
    editor.go_to(REVIEW_STEP)
    review = editor.review.browser.toHtml()
    assert "answered “outside our control”, but the facility register says we run it" in review
    assert "Question 1, Prisoner Transport Center" in review


def test_questionnaire_without_facilities_answers_once(qtbot, store) -> None:
    town = records.create(
        store, "jurisdiction", {"name": "Town of Nowhere", "state": "CA", "kind": "town"}
    )
    detail = responses.start_response(store, town.id, PSP)
    editor = ResponseEditor(store, detail.summary.id)
    qtbot.addWidget(editor)
    page = editor.pages["access"]
    assert page.grid is None
    assert page.form is not None
    click(qtbot, radio(page.form, "not_applicable"))
    assert editor.save_now()
    assert responses.get_response(store, detail.summary.id).answer("access").value == (  # type: ignore[union-attr]
        "not_applicable"
    )


def test_byrne_jag_date_and_text_questions(qtbot, store) -> None:
    city = records.create(
        store, "jurisdiction", {"name": "City of Stockton", "state": "CA", "kind": "city"}
    )
    detail = responses.start_response(store, city.id, "byrne-jag-fy2017")
    editor = ResponseEditor(store, detail.summary.id)
    qtbot.addWidget(editor)
    form = editor.pages["certification"].form
    assert form is not None
    assert "certifier_name" not in step_keys(editor)
    click(qtbot, radio(form, "yes"))
    assert step_keys(editor)[:5] == [
        "certification",
        "certifier_name",
        "certifier_title",
        "certification_date",
        "application_number",
    ]
    editor.go_to("certification_date")
    date_form = editor.pages["certification_date"].form
    assert date_form is not None
    assert date_form.value_input.date_edit is not None
    assert date_form.value_input.date_edit.date() is None  # "No date" until one is chosen
    date_form.value_input.date_edit.set_date(date(2017, 9, 5))
    editor.go_to("certifier_name")
    settled(qtbot, editor)
    saved = responses.get_response(store, detail.summary.id).answer("certification_date")
    assert saved is not None
    assert saved.value == date(2017, 9, 5)
    assert questionnaires.is_empty(None)


def test_a_federal_question_shows_its_words_as_issued_and_a_follow_up_says_whose(
    editor,
) -> None:
    question = editor.detail.questionnaire.question("access")
    assert question.issued is not None
    page = editor.pages["access"]
    assert page.text.text() == question.issued.text
    assert page.caption.text().startswith("Question 1 ·")
    assert page.source.text() == f"Source: {question.issued.source}"
    # The plain-language reading leads the explanation instead.
    assert page.help.text().startswith(question.text)
    editor.go_to("statement")
    statement = editor.pages["statement"]
    assert statement.caption.text().startswith("Jurisdesk follow-up 4 ·")
