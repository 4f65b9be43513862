"""The Letter step of the response editor, driven like a user: paragraphs, date, signer,
out-of-date paragraphs, autosave with the response's version, and the live preview."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from app.services import letters, records, responses
from app.services.responses import AnswerInput
from app.services.store import Store
from tests.ui.test_workflow_ui import answer_holding, make_city, open_editor
from ui.questionnaire import ResponseEditor
from ui.questionnaire.editor import LETTER_STEP, REVIEW_STEP, STEP_KEY_ROLE
from ui.questionnaire.letter_editor import OUT_OF_DATE, LetterStep

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SAVED_WITHIN_MS = 5000
PREVIEW_WITHIN_MS = 20000


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    found = make_city(store)
    answer_holding(store, found)
    return found


def letter_step(qtbot, store: Store, response_id: int) -> tuple[ResponseEditor, LetterStep]:
    editor = open_editor(qtbot, store, response_id)
    editor.go_to(LETTER_STEP)
    page = editor.letter_page
    assert page is not None
    assert editor.stack.currentWidget() is page
    return editor, page


def type_at_end(qtbot, box: QPlainTextEdit, text: str) -> None:
    box.setFocus()
    box.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(box, text)


def wait_saved(qtbot, page: LetterStep) -> None:
    qtbot.waitUntil(lambda: not page.dirty and page.save_problem is None, timeout=SAVED_WITHIN_MS)


def test_letter_step_comes_before_the_review(qtbot, store, ids):
    editor = open_editor(qtbot, store, ids["response"])
    keys = [editor.steps.item(r).data(STEP_KEY_ROLE) for r in range(editor.steps.count())]
    assert keys[-2:] == [LETTER_STEP, REVIEW_STEP]
    assert editor.steps.item(len(keys) - 2).text() == "Letter"


def test_typed_paragraph_is_autosaved_with_the_draft_it_rewrites(qtbot, store, ids):
    editor, page = letter_step(qtbot, store, ids["response"])
    drafted = page.paragraphs["opening"].drafted
    type_at_end(qtbot, page.paragraphs["opening"].text, " We are glad to help.")
    assert page.dirty
    assert page.paragraphs["opening"].edited_label.isVisible()
    wait_saved(qtbot, page)
    state = letters.state(store, ids["response"])
    edited = state.edits.text_of("opening")
    assert edited is not None
    assert edited.text == drafted + " We are glad to help."
    assert edited.drafted == drafted == state.letter.part("opening").drafted
    # The window keeps the response's new version, for the next save and workflow action.
    assert editor.summary.version == state.version
    # The preview shows the letter's pages once the change is drawn.
    qtbot.waitUntil(lambda: not page.preview.busy, timeout=PREVIEW_WITHIN_MS)
    assert page.preview.page_count >= 1
    assert not page.preview.pages.labels[0].pixmap().isNull()
    assert "as it will print" in page.preview.state.text()


def test_use_jurisdesks_draft_removes_the_edit(qtbot, store, ids):
    _editor, page = letter_step(qtbot, store, ids["response"])
    box = page.paragraphs["closing"]
    assert not box.revert_button.isVisible()
    type_at_end(qtbot, box.text, " Thank you.")
    wait_saved(qtbot, page)
    assert letters.state(store, ids["response"]).edits.text_of("closing") is not None
    assert box.revert_button.isVisible()
    qtbot.mouseClick(box.revert_button, Qt.MouseButton.LeftButton)
    assert box.text.toPlainText() == box.drafted
    assert not box.edited_label.isVisible()
    wait_saved(qtbot, page)
    assert letters.state(store, ids["response"]).edits.text_of("closing") is None


def test_paragraph_rewritten_before_the_answers_changed_is_shown_out_of_date(qtbot, store, ids):
    editor, page = letter_step(qtbot, store, ids["response"])
    box = page.paragraphs["access"]
    assert not box.banner.isVisible()
    type_at_end(qtbot, box.text, " Our officers are trained on this.")
    wait_saved(qtbot, page)
    mine = box.text.toPlainText().strip()

    # The answer changes (here from another window) while the response is a draft.
    answer = responses.get_response(store, ids["response"]).answer("access", ids["holding"])
    assert answer is not None
    responses.save_answer(
        store,
        ids["response"],
        "access",
        ids["holding"],
        AnswerInput(value="no", narrative="Federal agents are given no access without a warrant."),
        expected_version=answer.version,
    )
    editor.go_to(REVIEW_STEP)
    editor.go_to(LETTER_STEP)  # shown again: read again
    page = editor.letter_page
    assert page is not None
    box = page.paragraphs["access"]
    state = letters.state(store, ids["response"])
    assert state.letter.part("access").out_of_date
    assert box.banner.isVisible()
    assert box.banner_text.text().endswith(OUT_OF_DATE)
    assert box.new_draft.text() == state.letter.part("access").drafted
    assert "no access without a warrant" in box.new_draft.text()
    assert box.text.toPlainText() == mine  # still the office's text until it decides
    assert page.stale_note.isVisible()

    qtbot.mouseClick(box.keep_button, Qt.MouseButton.LeftButton)
    assert not box.banner.isVisible()
    assert not page.stale_note.isVisible()
    wait_saved(qtbot, page)
    state = letters.state(store, ids["response"])
    assert not state.letter.part("access").out_of_date
    assert state.letter.part("access").text == mine


def test_use_the_new_draft_of_an_out_of_date_paragraph(qtbot, store, ids):
    _editor, page = letter_step(qtbot, store, ids["response"])
    type_at_end(qtbot, page.paragraphs["access"].text, " Mine.")
    wait_saved(qtbot, page)
    answer = responses.get_response(store, ids["response"]).answer("access", ids["holding"])
    assert answer is not None
    responses.save_answer(store, ids["response"], "access", ids["holding"],
                          AnswerInput(value="no", narrative="Changed."),
                          expected_version=answer.version)  # fmt: skip
    page.refresh()
    box = page.paragraphs["access"]
    assert box.banner.isVisible()
    qtbot.mouseClick(box.use_new_button, Qt.MouseButton.LeftButton)
    assert box.text.toPlainText() == box.drafted
    wait_saved(qtbot, page)
    assert letters.state(store, ids["response"]).edits.text_of("access") is None


def test_letter_date_and_signer_are_stored(qtbot, store, ids):
    records.create(
        store,
        "contact",
        {"name": "Jessica Hernandez", "title": "Deputy City Solicitor", "role": "signatory"},
        parent_id=ids["city"],
    )
    _editor, page = letter_step(qtbot, store, ids["response"])
    assert page.date.date() is None
    assert "(Jurisdesk's date)" in page.date.line.placeholderText()
    qtbot.keyClicks(page.date.line, "2017-08-14")
    labels = [page.signer.itemText(i) for i in range(page.signer.count())]
    assert labels == [
        "Jessica Hernandez — Deputy City Solicitor (Jurisdesk's choice)",
        "Jessica Hernandez — Deputy City Solicitor",
        "Andre M. Davis — City Solicitor",  # the chief legal officer, from the profile
    ]
    page.signer.setCurrentIndex(2)
    wait_saved(qtbot, page)
    state = letters.state(store, ids["response"])
    assert state.edits.date == date(2017, 8, 14)
    assert state.edits.signer == {
        "name": "Andre M. Davis",
        "title": "City Solicitor",
        "office": "Baltimore City",
    }
    assert state.letter.dated == date(2017, 8, 14)
    assert state.letter.signer is not None
    assert state.letter.signer.name == "Andre M. Davis"
    # Back to Jurisdesk's choice: no signer is stored.
    page.signer.setCurrentIndex(0)
    wait_saved(qtbot, page)
    assert letters.state(store, ids["response"]).edits.signer is None


def test_letterhead_placeholder_is_the_draft_and_clearing_returns_to_it(qtbot, store, ids):
    _editor, page = letter_step(qtbot, store, ids["response"])
    phone = page.letterhead["phone"]
    name = page.letterhead["name"]
    assert name.placeholderText() == page.source.drafted.letterhead.name
    assert name.text() == ""
    qtbot.keyClicks(phone, "(410) 396-3100")
    wait_saved(qtbot, page)
    assert letters.state(store, ids["response"]).edits.letterhead == {"phone": "(410) 396-3100"}
    phone.selectAll()
    qtbot.keyClick(phone, Qt.Key.Key_Delete)
    wait_saved(qtbot, page)
    assert letters.state(store, ids["response"]).edits.letterhead == {}


def test_letter_is_read_only_in_review(qtbot, store, ids):
    version = responses.get_response(store, ids["response"]).summary.version
    responses.submit_for_review(store, ids["response"], expected_version=version)
    _editor, page = letter_step(qtbot, store, ids["response"])
    assert page.read_only
    assert page.note.isVisible()
    assert page.note.text().startswith("In review — the letter is read-only")
    assert not page.date.isEnabled()
    assert not page.signer.isEnabled()
    assert not any(edit.isEnabled() for edit in page.letterhead.values())
    box = page.paragraphs["opening"]
    assert box.text.isReadOnly()
    assert not box.revert_button.isEnabled()
    assert page.save_state.text() == "Read-only"
    qtbot.waitUntil(lambda: not page.preview.busy, timeout=PREVIEW_WITHIN_MS)
    assert page.preview.page_count >= 1


def test_workflow_action_after_a_letter_save_is_no_false_conflict(qtbot, store, ids, dialogs):
    editor, page = letter_step(qtbot, store, ids["response"])
    type_at_end(qtbot, page.paragraphs["opening"].text, " Saved first.")
    wait_saved(qtbot, page)
    # And one change still waiting for its autosave when the action is chosen.
    type_at_end(qtbot, page.paragraphs["closing"].text, " Not saved yet.")
    assert page.dirty
    editor.submit_action.trigger()
    assert "Changed by someone else" not in dialogs.titles
    assert editor.status.text() == "In review"
    edits = letters.state(store, ids["response"]).edits
    assert edits.text_of("opening") is not None
    assert edits.text_of("closing") is not None
    # The letter on screen is read-only now, as the answers are.
    assert editor.stack.currentWidget() is editor.letter_page
    assert editor.letter_page.read_only


def test_letter_save_refused_when_someone_else_changed_the_response(qtbot, store, ids, dialogs):
    _editor, page = letter_step(qtbot, store, ids["response"])
    version = responses.get_response(store, ids["response"]).summary.version
    responses.submit_for_review(store, ids["response"], expected_version=version)
    type_at_end(qtbot, page.paragraphs["opening"].text, " Too late.")
    assert not page.save_now()
    assert dialogs.titles == ["Changed by someone else"]
    assert page.read_only  # read again: it is in review now
    assert letters.state(store, ids["response"]).edits.text_of("opening") is None


def test_controls_are_named_and_labelled(qtbot, store, ids):
    _editor, page = letter_step(qtbot, store, ids["response"])
    assert page.form is not None
    from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

    buddies = {label.buddy() for label in page.form.findChildren(QLabel) if label.buddy()}
    for widget in [*page.letterhead.values(), page.signer, page.addressee, page.cc]:
        assert widget.accessibleName()
        assert widget in buddies
    assert page.date.accessibleName() == "Letter date"
    for box in page.paragraphs.values():
        assert box.text.accessibleName()
        assert box.text in buddies
        assert box.text.tabChangesFocus()
    assert isinstance(page.signer, QComboBox)
    assert page.signer.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert isinstance(page.letterhead["name"], QLineEdit)


def test_export_letter_as_word_from_the_editor_toolbar(
    qtbot, window, store, ids, tmp_path, choose_file
):
    import docx

    editor = window.open_response(ids["response"])
    assert editor is not None
    action = window.reports.export_letter_docx_action
    assert action in editor.toolbar.actions()
    chosen = tmp_path / "letter"  # typed without its extension: .docx is added
    choose_file("getSaveFileName", chosen)
    action.trigger()
    target = tmp_path / "letter.docx"
    qtbot.waitUntil(
        lambda: (
            window.reports.last_result is not None and window.reports.last_result.path == target
        ),
        timeout=PREVIEW_WITHIN_MS,
    )
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Baltimore City" in text


def test_tab_follows_the_letter(qtbot, store, ids):
    editor, page = letter_step(qtbot, store, ids["response"])
    editor.activateWindow()
    expected = [
        *page.letterhead.values(),
        page.date.line,
        page.addressee,
        page.signer,
        page.cc,
        *(box.text for box in page.paragraphs.values()),
    ]
    expected[0].setFocus()
    qtbot.waitUntil(lambda: expected[0].hasFocus())
    reached = [expected[0]]
    for _ in expected[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert [w.accessibleName() for w in reached] == [w.accessibleName() for w in expected]
    # From the last paragraph, Tab goes on to the preview beside the form.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.preview.pages


def test_wheel_over_the_signer_scrolls_the_form_not_the_choice(qtbot, store, ids):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    _editor, page = letter_step(qtbot, store, ids["response"])
    combo = page.signer
    assert combo.count() >= 2
    before = combo.currentIndex()
    centre = combo.rect().center()
    event = QWheelEvent(
        QPointF(centre),
        QPointF(combo.mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(combo, event)
    assert combo.currentIndex() == before
    assert not page.dirty


def test_a_letter_autosave_waits_for_a_busy_database_without_freezing(qtbot, store, ids):
    """Another connection holds the write lock: the letter's autosave waits on a pool
    thread, the window keeps answering and says so, and the text is saved once it can be."""
    import sqlite3

    from PySide6.QtCore import QTimer

    editor, page = letter_step(qtbot, store, ids["response"])
    box = page.paragraphs["opening"]
    blocker = sqlite3.connect(store.path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    ticks: list[int] = []
    clock = QTimer()
    clock.timeout.connect(lambda: ticks.append(1))
    clock.start(20)
    try:
        type_at_end(qtbot, box.text, " We write while the database is busy.")
        page.save_in_background()
        qtbot.waitUntil(lambda: page.waiting_for_database, timeout=5000)
        assert "Waiting for the database" in page.save_state.text()
        seen = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) > seen + 5, timeout=5000)  # the window answers
    finally:
        blocker.rollback()
        blocker.close()
    qtbot.waitUntil(lambda: page._saving is None and not page.dirty, timeout=15000)
    clock.stop()
    stored = letters.state(store, editor.response_id).edits.text_of("opening")
    assert stored is not None
    assert stored.text.endswith(" We write while the database is busy.")


def test_the_preview_is_on_the_paper_chosen_for_exports(qtbot, store, ids, window) -> None:
    """Letter is 8.5 × 11 in (height 1.29 × width), A4 210 × 297 mm (1.41 ×)."""

    def shape() -> float:
        pixmap = page.preview.pages.labels[0].pixmap()
        return pixmap.height() / pixmap.width()

    window.reports.set_paper("a4")
    editor = window.open_response(ids["response"])
    assert editor is not None
    editor.go_to(LETTER_STEP)
    page = editor.letter_page
    assert page is not None
    qtbot.waitUntil(lambda: not page.preview.busy and page.preview.page_count > 0,
                    timeout=PREVIEW_WITHIN_MS)  # fmt: skip
    assert shape() == pytest.approx(297 / 210, abs=0.01)
    # Chosen again while the letter is open: the preview follows.
    window.reports.set_paper("letter")
    qtbot.waitUntil(lambda: not page.preview.busy, timeout=PREVIEW_WITHIN_MS)
    assert shape() == pytest.approx(11 / 8.5, abs=0.01)
