"""Sign-off from the editor (review, approve, submit, reopen), its dialogs, the Responses tab."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from app.services import audit, records, responses
from app.services.responses import AnswerInput
from app.services.staff import StaffEntry
from app.services.store import Store
from tests.helpers import (
    approve_as_read,
    make_facility,
    make_jurisdiction,
    run_python,
    staff_member,
)
from ui import responses_panel
from ui.questionnaire import ResponseEditor
from ui.questionnaire import editor as editor_module
from ui.questionnaire.conflict import Choice, ConflictDialog, ConflictFacts
from ui.questionnaire.drafts import Draft
from ui.questionnaire.editor import REVIEW_STEP
from ui.questionnaire.facility_grid import ANSWER
from ui.records.dialog import RecordDialog
from ui.records.profile import ProfilePanel
from ui.responses_panel import NewResponseDialog, ResponsesPanel
from ui.workflow_dialogs import Approval, ApproveDialog, ReasonDialog, SubmittedDialog

# The offscreen platform warns when a shown window's size limits change; not a bug of ours.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PSP = "doj-psp-2017"


def make_city(store: Store) -> dict[str, int]:
    city = make_jurisdiction(
        store,
        name="Baltimore City",
        state="MD",
        police_agency="Baltimore Police Department",
        chief_legal_officer="Andre M. Davis",
        chief_legal_officer_title="City Solicitor",
    )
    booking = make_facility(
        store,
        city.id,
        name="Central Booking and Intake Center",
        facility_type="booking",
        operator_type="state",
        operator_name="State of Maryland",
    )
    holding = make_facility(
        store,
        city.id,
        controlled=True,
        name="District holding cells",
        facility_type="holding",
        operator_name="Baltimore Police Department",
    )
    detail = responses.start_response(store, city.id, PSP)
    return {
        "city": city.id,
        "booking": booking.id,
        "holding": holding.id,
        "response": detail.summary.id,
    }


def answer_holding(store: Store, ids: dict[str, int], keys=("access", "notice", "hold")) -> None:
    for key in keys:
        responses.save_answer(
            store,
            ids["response"],
            key,
            ids["holding"],
            AnswerInput(value="no", narrative="Officers do not ask about immigration status."),
            expected_version=responses.NO_ANSWER_YET,
        )


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    return make_city(store)


def open_editor(qtbot, store: Store, response_id: int) -> ResponseEditor:
    widget = ResponseEditor(store, response_id)
    qtbot.addWidget(widget)
    widget.resize(1024, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fill_with(monkeypatch: pytest.MonkeyPatch, module, fill) -> list[QDialog]:
    """The next dialogs are filled by `fill(dialog)` instead of waiting for a person."""
    shown: list[QDialog] = []

    def run(dialog: QDialog) -> bool:
        shown.append(dialog)
        fill(dialog)
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(module, "run_dialog", run)
    return shown


def test_submit_approve_mark_submitted_then_reopen(qtbot, store, ids, db_path, monkeypatch):
    answer_holding(store, ids)
    staff_member(store, "Andre M. Davis", "City Solicitor of Baltimore")
    staff_member(store, "Test Clerk", "Paralegal", prepares=True)
    editor = open_editor(qtbot, store, ids["response"])
    editor.go_to(REVIEW_STEP)
    assert editor.review.approval_note.text() == (
        "Submit it for review; the reviewer then approves it."
    )
    editor.submit_action.trigger()
    assert editor.status.text() == "In review"
    assert editor.approve_action.isEnabled()
    # In review nobody edits: the approver approves what they read.
    assert editor.banner.text().startswith("In review — read-only")
    editor.go_to("access")
    in_review = editor.pages["access"].grid
    assert in_review is not None
    assert not in_review.form(0).value_input.isEnabled()
    assert editor.save_state.text() == "Read-only"

    def approve(dialog: ApproveDialog) -> None:
        # Picked from the staff list: the preparer is not offered (the office's rule).
        names = [dialog.approver.itemText(i) for i in range(dialog.approver.count())]
        assert names == ["Andre M. Davis"]
        assert "Test Clerk prepared this response" in dialog.rule_note.text()
        assert dialog.focusWidget() is dialog.approver
        assert dialog.approver_title.text() == "City Solicitor of Baltimore"
        assert dialog.reviewed_by.currentText() == "Test Clerk, Paralegal"
        assert dialog.ok.isEnabled()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    fill_with(monkeypatch, editor_module, approve)
    editor.approve_action.trigger()

    stored = responses.get_response(store, ids["response"]).summary
    assert stored.status == "approved"
    assert stored.approved_by == "Andre M. Davis"
    assert stored.approver_title == "City Solicitor of Baltimore"
    assert stored.reviewed_by == "Test Clerk"
    # Read-only: banner, every answer control disabled, nothing to save.
    assert editor.banner.isVisible()
    assert editor.banner.text().startswith(
        "Approved by Andre M. Davis, City Solicitor of Baltimore on "
    )
    assert editor.banner.text().endswith("— read-only. Reopen to change.")
    editor.go_to("access")
    grid = editor.pages["access"].grid
    assert grid is not None
    assert not grid.model.flags(grid.model.index(0, ANSWER)) & Qt.ItemFlag.ItemIsEditable
    for form in (grid.form(row) for row in range(len(grid.model.rows))):
        for widget in (form.value_input, form.narrative, form.basis, form.instruments):
            assert not widget.isEnabled()
    holding_form = grid.form([f.id for f, _ in grid.model.rows].index(ids["holding"]))
    button = next(b for b in holding_form.value_input.buttons if b.property("choice") == "yes")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert not button.isChecked()
    assert not editor.has_unsaved_changes()
    assert not editor.save_action.isEnabled()
    assert editor.save_now()
    assert editor.save_state.text() == "Read-only"
    assert (
        responses.get_response(store, ids["response"]).answer("access", ids["holding"]).value
        == "no"
    )  # type: ignore[union-attr]
    assert not editor.submit_action.isVisible()
    assert editor.submitted_action.isVisible()

    def submitted(dialog: SubmittedDialog) -> None:
        dialog.method.setCurrentText("Portal")
        dialog.submitted_on.set_date(date(2017, 8, 17))
        dialog.ok.click()

    fill_with(monkeypatch, editor_module, submitted)
    editor.submitted_action.trigger()
    stored = responses.get_response(store, ids["response"]).summary
    assert stored.status == "submitted"
    assert stored.submitted_on == date(2017, 8, 17)
    assert stored.submission_method == "Portal"
    assert editor.banner.text().startswith("Submitted on August 17, 2017 by Portal.")

    def reason(dialog: ReasonDialog) -> None:
        assert not dialog.ok.isEnabled()  # a reason is required
        qtbot.keyClicks(dialog.reason, "The state corrected its detainer count.")
        dialog.ok.click()

    fill_with(monkeypatch, editor_module, reason)
    editor.reopen_action.trigger()
    assert responses.get_response(store, ids["response"]).summary.status == "draft"
    assert not editor.banner.isVisible()
    editor.go_to("access")
    grid = editor.pages["access"].grid
    assert grid is not None
    holding_form = grid.form([f.id for f, _ in grid.model.rows].index(ids["holding"]))
    assert holding_form.value_input.isEnabled()
    button = next(b for b in holding_form.value_input.buttons if b.property("choice") == "yes")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert editor.save_now()
    assert (
        responses.get_response(store, ids["response"]).answer("access", ids["holding"]).value
        == "yes"
    )  # type: ignore[union-attr]

    history = editor.show_history()
    qtbot.addWidget(history)
    rows = history.model.rows
    whats = [row[2] for row in rows]
    assert any("Reopened" in w for w in whats)
    assert any("The state corrected its detainer count." in (row[4] or "") for row in rows)
    assert any(
        w == "Status changed — reason: The state corrected its detainer count." for w in whats
    )
    assert any(row[3] == "Approved" and row[4] == "Submitted" for row in rows)
    history.close()


def test_send_back_to_draft_needs_a_reason(qtbot, store, ids, monkeypatch):
    answer_holding(store, ids)
    editor = open_editor(qtbot, store, ids["response"])
    assert editor.submit_for_review()
    assert editor.return_action.isVisible()

    def cancel(dialog: ReasonDialog) -> None:
        dialog.reject()

    fill_with(monkeypatch, editor_module, cancel)
    editor.return_action.trigger()
    assert responses.get_response(store, ids["response"]).summary.status == "in_review"

    def reason(dialog: ReasonDialog) -> None:
        qtbot.keyClicks(dialog.reason, "Cite the general order.")
        dialog.ok.click()

    fill_with(monkeypatch, editor_module, reason)
    editor.return_action.trigger()
    assert responses.get_response(store, ids["response"]).summary.status == "draft"
    entries = audit.history(store, response_uuid=editor.summary.uuid)
    assert any(
        e.action == "status" and e.entity_label == "Cite the general order." for e in entries
    )


OTHER_CLERK = """
import sys
from pathlib import Path
from app.services import responses
from app.services.store import open_store
store = open_store(Path(sys.argv[1]), actor="Other clerk")
responses.save_answer(store, int(sys.argv[2]), "statement", None,
                      responses.AnswerInput(value="Their statement."))
"""


def _conflict(qtbot, store, ids, monkeypatch, choice: Choice):
    """Types a statement while another process saves one first; answers the dialog with
    `choice`. Returns the editor, what the dialog was shown, and the save's outcome."""
    editor = open_editor(qtbot, store, ids["response"])
    editor.go_to("statement")
    text = editor.pages["statement"].form.value_input.text  # type: ignore[union-attr]
    assert text is not None
    run_python(OTHER_CLERK, str(store.path), str(ids["response"]))
    shown: list[ConflictFacts] = []
    monkeypatch.setattr(
        editor_module, "resolve_conflict", lambda _p, facts: shown.append(facts) or choice
    )
    qtbot.keyClicks(text, "My statement.")
    saved = editor.save_now()
    assert len(shown) == 1
    return editor, shown[0], saved


def _stored_statement(store, ids) -> object:
    return responses.get_response(store, ids["response"]).answer("statement").value  # type: ignore[union-attr]


def test_a_conflict_shows_both_versions_and_can_take_theirs(qtbot, store, ids, monkeypatch):
    editor, facts, saved = _conflict(qtbot, store, ids, monkeypatch, Choice.THEIRS)
    assert saved
    assert facts.mine.value == "My statement."
    assert facts.theirs is not None
    assert facts.theirs.value == "Their statement."
    assert facts.saved_by is not None
    assert facts.saved_by.startswith("Other clerk at ")
    assert not editor.has_unsaved_changes()
    shown = editor.pages["statement"].form.value_input.text  # type: ignore[union-attr]
    assert shown is not None
    assert shown.toPlainText() == "Their statement."
    assert _stored_statement(store, ids) == "Their statement."


def test_a_conflict_can_keep_what_was_typed_and_the_history_keeps_theirs(
    qtbot, store, ids, monkeypatch
):
    editor, _facts, saved = _conflict(qtbot, store, ids, monkeypatch, Choice.MINE)
    assert saved
    assert not editor.has_unsaved_changes()
    assert _stored_statement(store, ids) == "My statement."
    values = [e.old_value for e in audit.history(store, response_uuid=editor.summary.uuid)]
    assert "Their statement." in values


def test_a_conflict_decided_later_keeps_the_typing_unsaved(qtbot, store, ids, monkeypatch):
    editor, _facts, saved = _conflict(qtbot, store, ids, monkeypatch, Choice.LATER)
    assert not saved
    assert editor.has_unsaved_changes()
    assert "changed by someone else" in (editor.save_problem or "")
    assert _stored_statement(store, ids) == "Their statement."


def test_the_conflict_dialog_sets_the_versions_side_by_side(qtbot, store, ids):
    definition = responses.get_response(store, ids["response"]).questionnaire
    question = definition.question("statement")
    mine = Draft(question, None, value="Mine.", narrative="Same")
    saved = responses.save_answer(
        store, ids["response"], "statement", None, AnswerInput(value="Theirs.", narrative="Same")
    )
    dialog = ConflictDialog(ConflictFacts(question, None, mine, saved, "Other clerk", {}, {}))
    qtbot.addWidget(dialog)
    texts = {label.text(): label for label in dialog.findChildren(QLabel)}
    assert "Mine." in texts
    assert "Theirs." in texts
    assert texts["Mine."].font().bold()
    assert not any(label.font().bold() for text, label in texts.items() if text == "Same")
    assert "Other clerk" in dialog.findChildren(QLabel)[0].text()


def test_unsaveable_edit_asks_before_closing(qtbot, store, ids, dialogs):
    editor = open_editor(qtbot, store, ids["response"])
    editor.go_to("statement")
    text = editor.pages["statement"].form.value_input.text  # type: ignore[union-attr]
    assert text is not None
    text.setPlainText("x" * 100_001)
    dialogs.answer(QMessageBox.StandardButton.Cancel)
    assert not editor.close_editor()
    assert dialogs.titles == ["Some answers are not saved"]
    assert editor.has_unsaved_changes()


# ----------------------------------------------------------------------------- dialogs


def _staff(id_: int, name: str, title: str) -> StaffEntry:
    return StaffEntry(id_, f"uuid-{id_}", 1, name, title, True, True, True, True)


def test_approve_dialog_picks_an_approver_from_the_staff_list(qtbot):
    empty = ApproveDialog(me="Jane Roe")
    qtbot.addWidget(empty)
    assert not empty.ok.isEnabled()
    assert "approver from the staff list" in empty.problem.text()
    assert "No one on the staff list may approve" in empty.rule_note.text()

    people = [_staff(1, "Jane Roe", "City Attorney"), _staff(2, "Sam Poe", "Deputy")]
    dialog = ApproveDialog(
        approvers=people, reviewers=people, me="Sam Poe", prepared_by="jane  roe",
        warnings=["Question 1, Holding: the answer rests on a written policy but cites none."],
    )  # fmt: skip
    qtbot.addWidget(dialog)
    # The preparer (case and spacing aside) is not offered; the warning must be read.
    assert [dialog.approver.itemText(i) for i in range(dialog.approver.count())] == ["Sam Poe"]
    assert dialog.approver_title.text() == "Deputy"
    assert "cites none" in dialog.warnings.text()
    assert not dialog.ok.isEnabled()
    assert "read the warnings" in dialog.problem.text()
    dialog.acknowledge.setChecked(True)
    assert dialog.ok.isEnabled()
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.approval() == Approval(approver_id=2, reviewer_id=2)
    assert dialog.approver.accessibleName() == "Approved by"
    # An office that allows it lets the preparer approve.
    allowed = ApproveDialog(approvers=people, prepared_by="Jane Roe", approver_must_differ=False)
    qtbot.addWidget(allowed)
    assert allowed.approver.count() == 2


def test_submitted_dialog_other_method_and_no_future_date(qtbot):
    dialog = SubmittedDialog(today=date(2017, 8, 18))
    qtbot.addWidget(dialog)
    assert dialog.ok.isEnabled()
    assert dialog.submission().method == "E-mail"
    dialog.submitted_on.set_date(date(2017, 9, 1))
    assert not dialog.ok.isEnabled()  # not in the future
    dialog.submitted_on.set_date(date(2017, 8, 18))
    assert dialog.ok.isEnabled()
    dialog.method.setCurrentText("Other")
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.other, "Fax")
    assert dialog.ok.isEnabled()
    assert dialog.submission().method == "Fax"


def test_reason_dialog_refuses_blank(qtbot):
    dialog = ReasonDialog("Reopen response", "Say why.")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.reason, "   ")
    assert not dialog.ok.isEnabled()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    qtbot.keyClicks(dialog.reason, "typo")
    assert dialog.ok.isEnabled()
    assert dialog.reason_text() == "typo"


# ----------------------------------------------------------------------------- Responses tab


def test_responses_panel_lists_starts_opens_and_deletes(qtbot, store, ids, monkeypatch, dialogs):
    request = records.create(
        store,
        "request",
        {"program": "Byrne JAG FY2017", "issuing_office": "DOJ OJP", "due_on": "2017-10-05"},
        parent_id=ids["city"],
    )
    panel = ResponsesPanel(store)
    qtbot.addWidget(panel)
    panel.set_jurisdiction(ids["city"])
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, 0).data() == "DOJ Public Safety Partnership letter (August 2017)"
    assert panel.model.index(0, 2).data() == "Draft"

    def start(dialog: NewResponseDialog) -> None:
        dialog.questionnaire.setCurrentIndex(dialog.questionnaire.findData("byrne-jag-fy2017"))
        dialog.request.setCurrentIndex(dialog.request.findData(request.id))
        dialog.ok.click()

    fill_with(monkeypatch, responses_panel, start)
    with qtbot.waitSignal(panel.openResponse) as opened:
        new_id = panel.new_response()
    assert opened.args == [new_id]
    assert panel.model.rowCount() == 2
    created = responses.get_response(store, new_id).summary  # type: ignore[arg-type]
    assert created.questionnaire_key == "byrne-jag-fy2017"
    assert created.request_id == request.id
    assert panel.model.index(0, 3).data() == "2017-10-05"

    with qtbot.waitSignal(panel.openResponse) as opened:
        panel.open_button.click()
    assert opened.args == [new_id]

    dialogs.answer(QMessageBox.StandardButton.Yes)
    assert panel.delete_selected()
    assert panel.model.rowCount() == 1
    assert [s.id for s in responses.list_responses(store, ids["city"])] == [ids["response"]]


def test_responses_panel_refuses_to_delete_a_locked_response(qtbot, store, ids, dialogs):
    answer_holding(store, ids)
    responses.submit_for_review(store, ids["response"])
    approve_as_read(store, ids["response"], "Andre M. Davis", "City Solicitor")
    panel = ResponsesPanel(store)
    qtbot.addWidget(panel)
    panel.set_jurisdiction(ids["city"])
    assert not panel.delete_selected()
    assert dialogs.titles == ["Cannot delete"]
    assert "Reopen it" in dialogs.shown[0].text
    assert len(responses.list_responses(store, ids["city"])) == 1
    panel.set_jurisdiction(None)
    assert panel.model.rowCount() == 0
    assert not panel.new_button.isEnabled()


def test_editing_a_record_an_approved_response_kept_says_so(qtbot, store, ids):
    answer_holding(store, ids)
    responses.submit_for_review(store, ids["response"])
    approve_as_read(store, ids["response"], "Andre M. Davis", "City Solicitor")
    holding = records.get(store, "facility", ids["holding"])
    dialog = RecordDialog(store, "facility", record=holding)
    qtbot.addWidget(dialog)
    note = dialog.kept_note.text()
    assert not dialog.kept_note.isHidden()
    assert note.startswith("This approved response keeps the facts as they were approved")
    assert "DOJ Public Safety Partnership letter (August 2017), approved" in note
    # A record no approved response printed gets no note.
    other = make_facility(store, ids["city"], name="Annex", operator_name="Baltimore City")
    fresh = RecordDialog(store, "facility", record=other)
    qtbot.addWidget(fresh)
    assert fresh.kept_note.isHidden()
    profile = ProfilePanel(store)
    qtbot.addWidget(profile)
    profile.set_jurisdiction(ids["city"])
    assert profile.kept_note.text() == note


def test_typing_without_pause_is_saved_within_a_second(qtbot, store, ids):
    editor = open_editor(qtbot, store, ids["response"])
    editor.go_to("statement")
    text = editor.pages["statement"].form.value_input.text  # type: ignore[union-attr]
    assert text is not None
    typed = ""
    saved_while_typing = None
    # Ten keystrokes a second for two seconds: the autosave timer is not restarted by each.
    for index, letter in enumerate("The city does not run a jail."[:20]):
        qtbot.keyClicks(text, letter)
        typed += letter
        qtbot.wait(100)
        stored = responses.get_response(store, ids["response"]).answer("statement")
        if stored is not None and saved_while_typing is None:
            saved_while_typing = index
    assert saved_while_typing is not None
    assert saved_while_typing <= 10  # within about a second of the first keystroke
    assert editor.save_now()
    assert _stored_statement(store, ids) == typed
