"""The guided questionnaire: answer step by step, autosaved, then review and sign off.

The autosave (and File ▸ Save) stores the answers on a pool thread, so a database kept busy
by another user shows "Waiting for the database…" while the window keeps answering and the
typing goes on; what comes back is applied on the GUI thread. Saves whose result the next
step needs (changing step, the workflow actions, closing) wait for it (save_now).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

import shiboken6
from PySide6.QtCore import QEventLoop, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDialog, QListWidgetItem, QMessageBox, QWidget

from app import questionnaires
from app.questionnaires import Question
from app.questionnaires.checks import Finding
from app.reports.text import long_date
from app.services import (
    Conflict,
    InvalidInput,
    Locked,
    Store,
    UserError,
    audit,
    letters,
    records,
    responses,
    staff,
)
from app.services.responses import ResponseDetail, ResponseSummary
from app.services.review_notes import returned_reason
from app.vocabulary import ResponseStatus
from ui.common import errors
from ui.common.colours import follow_palette, tint
from ui.common.errors import show_error
from ui.common.operations import run_in_background, wait_for
from ui.questionnaire.conflict import Choice, ConflictFacts, resolve_conflict
from ui.questionnaire.drafts import Draft, Slot
from ui.questionnaire.editor_view import (
    DONE,
    LETTER,
    MISSING,
    OPTIONAL,
    REVIEW,
    UNSAVED,
    ResponseEditorView,
    marker_icon,
)
from ui.questionnaire.history import HistoryDialog
from ui.questionnaire.inputs import evidence_label, instrument_label
from ui.questionnaire.letter_editor import LetterStep
from ui.questionnaire.question_page import QuestionPage
from ui.questionnaire.review import ReviewInput, parse_step_link, review_html
from ui.workflow_dialogs import ApproveDialog, ReasonDialog, SubmittedDialog

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 700
# A save still under way after this long is waiting for the database's write lock.
WAITING_AFTER_MS = 300
WAITING_TEXT = "Waiting for the database…"
WAITING_TIP = (
    "Someone else is writing to the database. What you type is kept and saved as soon as "
    "the database is free; you can go on working."
)
REVIEW_STEP = "__review__"
# The letter is composed after the answers it is drafted from, and read before sign-off.
LETTER_STEP = "__letter__"
STEP_KEY_ROLE = Qt.ItemDataRole.UserRole
MARKER_ROLE = Qt.ItemDataRole.UserRole + 1
# Characters of a send-back reason the banner shows; the history keeps all of it.
SENT_BACK_SHOWN = 1000


# Small question boxes, kept apart so tests can answer them without a modal loop.
def ask_to_reload(parent: QWidget, message: str) -> bool:
    answer = errors.ask(
        parent,
        "Changed by someone else",
        message,
        informative="Reload the response now? Answers you have not saved are set aside.",
        labels={errors.Button.Yes: "&Reload", errors.Button.No: "&Keep editing"},
    )
    return answer == errors.Button.Yes


def confirm_close_unsaved(parent: QWidget, problems: str) -> bool:
    return errors.confirm_discard(
        parent,
        "Some answers are not saved",
        f"These answers could not be saved: {problems}",
        icon=QMessageBox.Icon.Warning,
        informative="Close anyway and lose them, or go back and correct them?",
        discard="Close and &lose them",
        stay="&Go back",
    )


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def step_titles(questions: Sequence[Question], limit: int = 100) -> dict[str, str]:
    """Short step names: federal questions often open with the same long clause, so the
    words a question shares with another are replaced by "…" to show what sets it apart."""
    words = {q.key: q.text.split() for q in questions}
    titles = {}
    for question in questions:
        mine = words[question.key]
        shared = 0
        for other in questions:
            if other.key == question.key:
                continue
            theirs = words[other.key]
            common = 0
            while common < min(len(mine), len(theirs)) and mine[common] == theirs[common]:
                common += 1
            shared = max(shared, common)
        rest = mine[shared:]
        # Hide only a long shared opening, and only if enough is left to tell steps apart.
        text = "… " + " ".join(rest) if shared >= 6 and len(rest) >= 6 else question.text
        titles[question.key] = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return titles


@dataclasses.dataclass(eq=False)
class BackgroundSave:
    """Answers being saved on a pool thread: what was sent, and what came back for each."""

    # The slot, what was sent for it, and the version it was sent against.
    entries: list[tuple[Slot, responses.AnswerInput, int]]
    # Problems found before sending (a value that cannot be saved), shown with the results.
    problems: list[str] = dataclasses.field(default_factory=list)
    outcomes: dict[Slot, responses.AnswerRecord | BaseException] = dataclasses.field(
        default_factory=dict
    )
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    applied: bool = False

    def run(self, store: Store, response_id: int) -> BackgroundSave:
        """On the pool thread: saves each answer in turn (nothing here touches widgets)."""
        try:
            for slot, entry, version in self.entries:
                try:
                    self.outcomes[slot] = responses.save_answer(
                        store, response_id, slot[0], slot[1], entry, expected_version=version
                    )
                except responses.AnswerConflict as exc:
                    self.outcomes[slot] = exc
                except (Conflict, Locked) as exc:
                    self.outcomes[slot] = exc
                    break  # the response changed under us: the rest waits for a reload
                except Exception as exc:
                    self.outcomes[slot] = exc
        finally:
            self.done.set()
        return self


class ResponseEditor(ResponseEditorView):
    """Edits one response; every answer is saved on its own, shortly after the last keystroke."""

    closed = Signal()
    changed = Signal()

    def __init__(
        self,
        store: Store,
        response_id: int,
        parent: QWidget | None = None,
        *,
        paper: str = "letter",
    ):
        super().__init__(parent)
        self.store = store
        self.response_id = response_id
        # The paper the letter is exported on (File ▸ Paper size): the preview shows that.
        self.paper = paper
        self.detail: ResponseDetail = responses.get_response(store, response_id)
        self.drafts: dict[Slot, Draft] = {}
        self.dirty: set[Slot] = set()
        self.save_problem: str | None = None
        self.last_saved: datetime | None = None
        self.pages: dict[str, QuestionPage] = {}
        self.step_keys: list[str] = []
        self.current_key: str | None = None
        self.history_dialog: HistoryDialog | None = None
        self.letter_page: LetterStep | None = None
        self._closing = False
        # The save under way on a pool thread, and whether another was asked for meanwhile.
        self.background_save: BackgroundSave | None = None
        self._save_again = False
        self.waiting_for_database = False

        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave.timeout.connect(self.save_in_background)
        self._waiting = QTimer(self)
        self._waiting.setSingleShot(True)
        self._waiting.setInterval(WAITING_AFTER_MS)
        self._waiting.timeout.connect(self._show_waiting)

        self._load_citations()
        self._make_drafts()
        self._connect()
        self._rebuild_steps()
        self._show_summary()
        self._apply_lock()
        self._set_save_state()
        first = self.step_keys[0] if self.step_keys else REVIEW_STEP
        self.go_to(first)

    # ------------------------------------------------------------------------ set-up

    def _load_citations(self) -> None:
        approved = self.detail.approved
        if approved is not None:
            # Approved: cite the records as the approval kept them, not as they read today.
            instruments, evidence = list(approved.instruments), list(approved.evidence)
        else:
            jurisdiction_id = self.detail.summary.jurisdiction_id
            instruments = records.list_records(self.store, "instrument", jurisdiction_id)
            evidence = records.list_records(self.store, "evidence", jurisdiction_id)
        self.instruments = [(r.id, instrument_label(r)) for r in instruments]
        self.evidence = [(r.id, evidence_label(r)) for r in evidence]

    def _slots(self, question: Question) -> list[int | None]:
        if question.is_facility_scope and self.detail.facilities:
            return [f.id for f in self.detail.facilities]
        return [None]

    def _make_drafts(self) -> None:
        self.drafts = {}
        for question in self.detail.questionnaire.questions:
            for facility_id in self._slots(question):
                record = self.detail.answer(question.key, facility_id)
                self.drafts[(question.key, facility_id)] = Draft.of(question, facility_id, record)

    def _connect(self) -> None:
        self.steps.currentRowChanged.connect(self._step_clicked)
        self.previous_button.clicked.connect(self.previous_step)
        self.next_button.clicked.connect(self.next_step)
        # Alt+Left/Right and Page Up/Down, also in the main window's Response menu.
        self.previous_action.triggered.connect(lambda _checked=False: self.previous_step())
        self.next_action.triggered.connect(lambda _checked=False: self.next_step())
        self.review.browser.anchorClicked.connect(self._link_clicked)
        # A palette change (Windows going dark) redraws the markers and the review's colours.
        follow_palette(self.steps, self._recolour)
        self.submit_action.triggered.connect(self.submit_for_review)
        self.return_action.triggered.connect(self.return_to_draft)
        self.approve_action.triggered.connect(self.approve)
        self.submitted_action.triggered.connect(self.mark_submitted)
        self.reopen_action.triggered.connect(self.reopen)
        self.history_action.triggered.connect(self.show_history)
        self.save_action.triggered.connect(self._save_action)
        self.close_action.triggered.connect(self.close_editor)

    # ------------------------------------------------------------------------ state

    @property
    def summary(self) -> ResponseSummary:
        return self.detail.summary

    @property
    def locked(self) -> bool:
        return self.summary.locked

    @property
    def read_only(self) -> bool:
        """Only a draft is edited (in review the approver reads what they will approve), and
        only in a database that can be written."""
        return self.summary.status != ResponseStatus.DRAFT.value or self.store.read_only

    def _answer_values(self) -> list[questionnaires.AnswerValue]:
        """What is on screen now (valid values only), so steps react before the save lands."""
        values = []
        for (key, facility_id), draft in self.drafts.items():
            try:
                value = draft.normalized_value()
            except questionnaires.AnswerError:
                continue
            facility_key = None if facility_id is None else str(facility_id)
            values.append(
                questionnaires.AnswerValue(key, facility_key, value, draft.current_result())
            )
        return values

    def visible_questions(self) -> list[Question]:
        values = questionnaires.values_by_question(self._answer_values())
        return questionnaires.visible_questions(self.detail.questionnaire, values)

    def completeness(self) -> questionnaires.Completeness:
        facility_keys = [str(f.id) for f in self.detail.facilities]
        return questionnaires.completeness(
            self.detail.questionnaire, self._answer_values(), facility_keys
        )

    # ------------------------------------------------------------------------ steps

    def _marker(self, question: Question, missing: set[str]) -> str:
        slots = [(question.key, f) for f in self._slots(question)]
        if any(s in self.dirty and self.drafts[s].errors for s in slots):
            return UNSAVED
        if question.key in missing:
            return MISSING
        answered = any(not questionnaires.is_empty(self.drafts[s].value) for s in slots)
        return DONE if answered else OPTIONAL

    def _rebuild_steps(self) -> None:
        """The step list for the questions visible now, with markers; keeps the current step."""
        visible = self.visible_questions()
        done = self.completeness()
        missing = {m.question_key for m in done.missing}
        keys = [q.key for q in visible] + [LETTER_STEP, REVIEW_STEP]
        titles = step_titles(self.detail.questionnaire.questions)
        tips = {
            DONE: "Answered",
            MISSING: "Missing an answer — required",
            OPTIONAL: "Optional — not answered",
            UNSAVED: "Not saved — see the message on the step",
        }
        # What a screen reader says after the step's name: the marker's meaning, in words.
        spoken = {
            DONE: "answered",
            MISSING: "missing an answer",
            OPTIONAL: "optional",
            UNSAVED: "not saved",
        }
        self.steps.blockSignals(True)
        if keys != self.step_keys:
            self.steps.clear()
            for question in visible:
                item = QListWidgetItem(f"{question.number}.  {titles[question.key]}", self.steps)
                item.setData(STEP_KEY_ROLE, question.key)
            letter = QListWidgetItem("Letter", self.steps)
            letter.setIcon(marker_icon(LETTER))
            letter.setData(STEP_KEY_ROLE, LETTER_STEP)
            letter.setToolTip(
                "The response letter: date, letterhead, signer and every paragraph, "
                "with a preview as it will print"
            )
            review = QListWidgetItem("Review and sign-off", self.steps)
            review.setIcon(marker_icon(REVIEW))
            review.setData(STEP_KEY_ROLE, REVIEW_STEP)
            review.setToolTip("Every answer, what is missing, and the sign-off")
            self.step_keys = keys
        for row, question in enumerate(visible):
            item = self.steps.item(row)
            marker = self._marker(question, missing)
            item.setIcon(marker_icon(marker))
            item.setToolTip(f"{tips[marker]}\n\n{question.number}. {question.text}")
            item.setData(MARKER_ROLE, marker)  # read by tests
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{question.number}. {titles[question.key]} — {spoken[marker]}",
            )
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, tips[marker])
        if self.current_key in self.step_keys:
            self.steps.setCurrentRow(self.step_keys.index(self.current_key))
        self.steps.blockSignals(False)
        if self.current_key is not None and self.current_key not in self.step_keys:
            # The question on screen was hidden by an answer elsewhere: show the review.
            self.go_to(REVIEW_STEP)
        self._show_progress(done)

    def _page(self, question: Question) -> QuestionPage:
        page = self.pages.get(question.key)
        if page is None:
            drafts = [self.drafts[(question.key, f)] for f in self._slots(question)]
            page = QuestionPage(
                question,
                self.detail.facilities,
                drafts,
                self.instruments,
                self.evidence,
                self.stack,
            )
            page.edited.connect(self._edited)
            page.set_read_only(self.read_only)
            self.pages[question.key] = page
            self.stack.addWidget(page)
        return page

    def set_paper(self, paper: str) -> None:
        self.paper = paper
        if self.letter_page is not None:
            self.letter_page.preview.set_paper(paper)

    def _letter_page(self) -> LetterStep:
        """The Letter step, made when first shown (it composes the whole letter)."""
        if self.letter_page is None:
            page = LetterStep(
                self.store,
                self.response_id,
                self.stack,
                version=lambda: self.summary.version,
                paper=self.paper,
            )
            page.saved.connect(self._letter_saved)
            page.on_conflict = self._letter_refused
            self.letter_page = page
            self.stack.addWidget(page)
        else:
            # The answers may have changed since it was last shown, and the draft with them.
            self.letter_page.refresh()
        return self.letter_page

    def go_to(self, key: str, facility_id: int | None = None, *, focus: bool = False) -> None:
        """Shows a step; whatever was typed on the step being left is saved on a pool thread
        meanwhile (a busy database never holds up the move)."""
        if self.dirty:
            self.save_in_background()
        if self.letter_page is not None and self.letter_page.dirty:
            self.letter_page.save_in_background()
        if key not in self.step_keys:
            key = REVIEW_STEP
        self.current_key = key
        if key == REVIEW_STEP:
            self._show_review()
            self.stack.setCurrentWidget(self.review)
        elif key == LETTER_STEP:
            letter = self._letter_page()
            self.stack.setCurrentWidget(letter)
            if focus:
                letter.first_input().setFocus()
        else:
            page = self._page(self.detail.questionnaire.question(key))
            page.focus_facility(facility_id)
            self.stack.setCurrentWidget(page)
            if focus:
                page.first_input().setFocus()
        index = self.step_keys.index(key)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(index)
        self.steps.blockSignals(False)
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.step_keys) - 1)
        last = len(self.step_keys) - 1
        self.step_position.setText(
            "Review and sign-off" if index == last else f"Step {index + 1} of {last}"
        )
        if key == LETTER_STEP:
            self.step_position.setText(f"Letter — step {index + 1} of {last}")

    def _step_clicked(self, row: int) -> None:
        if 0 <= row < len(self.step_keys):
            self.go_to(self.step_keys[row])

    def next_step(self) -> None:
        index = self.step_keys.index(self.current_key) if self.current_key else -1
        if index + 1 < len(self.step_keys):
            self.go_to(self.step_keys[index + 1], focus=True)

    def previous_step(self) -> None:
        index = self.step_keys.index(self.current_key) if self.current_key else 0
        if index > 0:
            self.go_to(self.step_keys[index - 1], focus=True)

    def _link_clicked(self, url: QUrl) -> None:
        target = parse_step_link(url.toString())
        if target is not None:
            self.go_to(target[0], target[1], focus=True)

    # ------------------------------------------------------------------------ saving

    def _edited(self, draft: Draft) -> None:
        if self.read_only:
            return
        self.dirty.add(draft.slot)
        # Counted from the first unsaved keystroke, not restarted by each one: someone typing
        # without pause still has their words stored within a second.
        if not self.autosave.isActive():
            self.autosave.start()
        self._set_save_state()
        self._rebuild_steps()

    def has_unsaved_changes(self) -> bool:
        return bool(self.dirty) or (self.letter_page is not None and self.letter_page.dirty)

    def _save_action(self) -> None:
        """File ▸ Save: the answers on a pool thread, then the letter."""
        self.save_in_background()
        if self.letter_page is not None:
            self.letter_page.save_now()

    def save_in_background(self) -> None:
        """Saves the edited answers on a pool thread (the autosave); results are applied when
        they come back. A save already under way is followed by another when it ends."""
        self.autosave.stop()
        if self.background_save is not None:
            self._save_again = True
            return
        if not self.dirty:
            return
        if self.read_only:
            self.dirty.clear()
            self._set_save_state()
            return
        pending = BackgroundSave([])
        for slot in sorted(self.dirty, key=self._slot_order):
            draft = self.drafts[slot]
            try:
                entry = draft.to_input()
            except InvalidInput as exc:  # checked here: nothing to send to the database
                draft.errors = {p.field: p.message for p in exc.problems}
                pending.problems.append(f"Question {draft.question.number}: {exc}")
                continue
            pending.entries.append((slot, entry, draft.version))
        if not pending.entries:
            pending.done.set()
            self.background_save = pending
            self._apply_background_save(pending)
            return
        self.background_save = pending
        self._save_again = False
        self._set_save_state(saving=True)
        self._waiting.start()
        store, response_id = self.store, self.response_id
        run_in_background(
            self,
            "",
            lambda: pending.run(store, response_id),
            lambda _result: self._background_save_ended(pending),
            lambda error: self._background_save_failed(pending, error),
            busy_dialog=False,
        )

    def _show_waiting(self) -> None:
        if self.background_save is not None and not self.background_save.done.is_set():
            self.waiting_for_database = True
            self._set_save_state(saving=True)

    def _background_save_ended(self, pending: BackgroundSave) -> None:
        if shiboken6.isValid(self):  # the window may have closed while the save ran
            self._apply_background_save(pending)

    def _background_save_failed(self, pending: BackgroundSave, error: BaseException) -> None:
        if not shiboken6.isValid(self) or pending.applied:
            return
        if pending is self.background_save:
            self._end_background_save()
        show_error(self, error)
        self._set_save_state(problem="an unexpected error (see the log)")

    def _end_background_save(self) -> None:
        self.background_save = None
        self.waiting_for_database = False
        self._waiting.stop()

    def _finish_background_save(self) -> None:
        """Waits for the save under way (the caller needs its result) and applies it."""
        pending = self.background_save
        if pending is None:
            return
        # The window keeps answering (and says it waits) while a busy database holds the save.
        while not pending.done.is_set() and shiboken6.isValid(self):
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        if not shiboken6.isValid(self):
            return
        self._apply_background_save(pending, resave=False)

    def _apply_background_save(self, pending: BackgroundSave, *, resave: bool = True) -> None:
        """Takes back what a background save stored, as a save on the GUI thread would have:
        an answer typed on meanwhile keeps its typing (and is saved next), a conflict is
        settled by the person, a refusal offers to reload."""
        if pending.applied or pending is not self.background_save:
            return  # applied already (someone waited for it), or dropped by a reload
        pending.applied = True
        self._end_background_save()
        problems = list(pending.problems)
        saved = 0
        again = self._save_again
        self._save_again = False
        for slot, sent, _version in pending.entries:
            outcome = pending.outcomes.get(slot)
            draft = self.drafts.get(slot)
            if outcome is None or draft is None:
                continue  # not tried (stopped at a refusal): still dirty
            if isinstance(outcome, responses.AnswerRecord):
                if self._typed_since(draft, sent):
                    # Typed on while it was saved: keep the typing, saved next at this version.
                    draft.version = outcome.version
                    again = True
                else:
                    draft.take(outcome)
                    self.dirty.discard(slot)
                saved += 1
            elif isinstance(outcome, responses.AnswerConflict):
                choice = self._settle_conflict(draft, outcome)
                if choice is Choice.LATER:
                    problems.append(f"Question {draft.question.number}: {outcome}")
                elif choice is Choice.MINE:
                    again = True  # over theirs, at their version
            elif isinstance(outcome, Conflict | Locked):
                self._refresh_pages()
                self._set_save_state(problem=str(outcome))
                if saved:
                    self.changed.emit()
                if ask_to_reload(self, str(outcome)):
                    self.reload()
                return
            elif isinstance(outcome, UserError):
                problems.append(str(outcome))
            else:  # a bug: keep the typing, tell the user, log the trace
                problems.append("an unexpected error (see the log)")
                show_error(self, outcome)
        self._after_saves(bool(saved), problems)
        if resave and again and self.dirty and not self.autosave.isActive():
            self.autosave.start()

    def _after_saves(self, saved: bool, problems: list[str]) -> None:
        """What the screen shows after a round of saves, background or not."""
        if saved:
            self.last_saved = datetime.now()
            self._record_saved()
        self._refresh_pages()
        self._set_save_state(problem="; ".join(problems) or None)
        self._rebuild_steps()
        if saved:
            self.changed.emit()

    @staticmethod
    def _typed_since(draft: Draft, sent: responses.AnswerInput) -> bool:
        try:
            return draft.to_input() != sent
        except InvalidInput:
            return True

    def save_now(self) -> bool:
        """Saves every edited answer, then the letter; False if anything could not be saved
        (the reason is shown). A background save under way is waited for first."""
        answers = self._save_answers()
        # After the answers: a refused letter save reloads the window, dropping unsaved answers.
        letter = self.letter_page is None or self.letter_page.save_now()
        return answers and letter

    def _letter_saved(self, version: int) -> None:
        """The letter's save raised the response's version: keep it, so the next workflow
        action (or letter save) is checked against the response as this window left it."""
        summary = dataclasses.replace(self.summary, version=version)
        self.detail = dataclasses.replace(self.detail, summary=summary)
        self.changed.emit()

    def _letter_refused(self) -> None:
        """Someone else changed the response (or it left draft): read it all again."""
        if self.dirty:
            self._save_answers()
        self.reload()

    def _save_answers(self) -> bool:
        self.autosave.stop()
        self._finish_background_save()
        if not self.dirty:
            return True
        if self.read_only:
            self.dirty.clear()
            return True
        self._set_save_state(saving=True)
        problems: list[str] = []
        saved = 0
        for slot in sorted(self.dirty, key=self._slot_order):
            draft = self.drafts[slot]
            try:
                try:
                    record = self._save_draft(draft)
                except responses.AnswerConflict as exc:
                    choice = self._settle_conflict(draft, exc)
                    if choice is Choice.THEIRS:
                        continue
                    if choice is Choice.LATER:
                        problems.append(f"Question {draft.question.number}: {exc}")
                        continue
                    record = self._save_draft(draft)  # over theirs, at their version
            except InvalidInput as exc:
                draft.errors = {p.field: p.message for p in exc.problems}
                problems.append(f"Question {draft.question.number}: {exc}")
                continue
            except (Conflict, Locked) as exc:
                self._refresh_pages()
                self._set_save_state(problem=str(exc))
                if ask_to_reload(self, str(exc)):
                    self.reload()
                return False
            except UserError as exc:
                problems.append(str(exc))
                continue
            except Exception as exc:  # a bug: keep the typing, tell the user, log the trace
                problems.append("an unexpected error (see the log)")
                show_error(self, exc)
                continue
            draft.take(record)
            self.dirty.discard(slot)
            saved += 1
        if not shiboken6.isValid(self):  # closed while a save waited for the database
            return False
        self._after_saves(bool(saved), problems)
        return not problems

    def _save_draft(self, draft: Draft) -> responses.AnswerRecord:
        """Saves one answer now, on a pool thread: the window answers (and says it waits)
        while a busy database holds the save."""
        store, response_id, key = self.store, self.response_id, draft.question.key
        facility_id, entry, version = draft.facility_id, draft.to_input(), draft.version
        try:
            return wait_for(
                lambda: responses.save_answer(
                    store, response_id, key, facility_id, entry, expected_version=version
                ),
                waiting=self._say_waiting,
            )
        finally:
            if shiboken6.isValid(self):
                self.waiting_for_database = False

    def _say_waiting(self) -> None:
        if shiboken6.isValid(self):
            self.waiting_for_database = True
            self._set_save_state(saving=True)

    def _settle_conflict(self, draft: Draft, conflict: responses.AnswerConflict) -> Choice:
        """Someone saved this answer first: the person compares both and picks one."""
        theirs = conflict.theirs
        saved_by = None
        if theirs is not None:
            last = audit.history(self.store, entity_uuid=theirs.uuid, limit=1)
            if last:
                when = last[0].at.astimezone()
                saved_by = f"{last[0].actor} at {when:%H:%M} on {long_date(when.date())}"
        facility = next((f for f in self.detail.facilities if f.id == draft.facility_id), None)
        facts = ConflictFacts(
            draft.question,
            facility.name if facility else None,
            copy.copy(draft),  # as typed, whatever is chosen next
            theirs,
            saved_by,
            dict(self.instruments),
            dict(self.evidence),
        )
        choice = resolve_conflict(self, facts)
        if choice is Choice.THEIRS:
            if theirs is None:
                vars(draft).update(vars(Draft(draft.question, draft.facility_id)))
            else:
                draft.take(theirs)
            self.dirty.discard(draft.slot)
            self._rebuild_page(draft.question.key)
        elif choice is Choice.MINE:
            draft.version = theirs.version if theirs is not None else responses.NO_ANSWER_YET
        return choice

    def _rebuild_page(self, key: str) -> None:
        """Builds a question's page again from its drafts (after they were replaced)."""
        page = self.pages.pop(key, None)
        if page is None:
            return
        self.stack.removeWidget(page)
        page.deleteLater()
        if self.current_key == key:
            self.current_key = None
            self.go_to(key)

    def _slot_order(self, slot: Slot) -> tuple[int, int]:
        keys = self.detail.questionnaire.question_keys
        return (keys.index(slot[0]), slot[1] or 0)

    def _record_saved(self) -> None:
        """Keeps the loaded detail in step with what the drafts now hold after a save."""
        completeness = self.completeness()
        summary = dataclasses.replace(self.summary, completeness=completeness)
        self.detail = dataclasses.replace(self.detail, summary=summary)
        self._show_progress(completeness)
        self._update_actions()

    def _refresh_pages(self) -> None:
        for page in self.pages.values():
            page.refresh()
        if self.current_key == REVIEW_STEP:
            self._show_review()

    def _set_save_state(self, *, saving: bool = False, problem: str | None = None) -> None:
        self.save_problem = problem
        if self.read_only:
            text, color = "Read-only", "muted"
        elif problem:
            text, color = f"Not saved: {problem}", "error"
        elif self.waiting_for_database:
            text, color = WAITING_TEXT, "warning"
        elif saving or self.dirty:
            text, color = "Saving…", "muted"
        elif self.last_saved is not None:
            text, color = f"Saved {self.last_saved:%H:%M}", "success"
        else:
            text, color = "Saved", "success"
        self.save_state.setText(text)
        self.save_state.setToolTip(WAITING_TIP if text == WAITING_TEXT else text)
        tint(self.save_state, color)

    def reload(self) -> None:
        """Reads the response again; what could not be saved is dropped (the user agreed)."""
        self.autosave.stop()
        # What a background save still brings back belongs to the answers being dropped.
        self._end_background_save()
        self._save_again = False
        self.dirty.clear()
        if self.letter_page is not None:
            # Read again when shown (go_to below does it if the letter is on screen).
            self.letter_page.discard()
        self.detail = responses.get_response(self.store, self.response_id)
        self._load_citations()
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        self._make_drafts()
        self.step_keys = []
        self._rebuild_steps()
        self._show_summary()
        self._apply_lock()
        self._set_save_state()
        self.go_to(self.current_key or REVIEW_STEP)

    # ------------------------------------------------------------------------ display

    def _show_summary(self) -> None:
        summary = self.summary
        self.title.setText(f"{summary.questionnaire_title}")
        parts = [summary.jurisdiction_name]
        if summary.due_on:
            parts.append(f"due {long_date(summary.due_on)}")
        if summary.prepared_by:
            parts.append(f"prepared by {summary.prepared_by}")
        parts.append(f"questionnaire version {summary.questionnaire_version}")
        self.subtitle.setText(" · ".join(parts))
        self.status.setText(summary.status_label)
        self._show_progress(self.completeness())
        self._update_actions()
        self._show_sent_back()

    def _show_sent_back(self) -> None:
        """The reviewer's reason, while the response is a draft because they sent it back."""
        try:
            note = returned_reason(self.store, self.response_id)
        except UserError:
            note = None  # the response itself is what matters; its summary is already shown
        if note is None:
            self.sent_back.hide()
            return
        when = long_date(note.sent_back_at.astimezone().date())
        self.sent_back.heading.setText(f"Sent back by {note.sent_back_by} on {when}:")
        reason = note.reason or "(no reason given)"
        if len(reason) > SENT_BACK_SHOWN:
            reason = reason[: SENT_BACK_SHOWN - 1] + "… (the full reason is in the History)"
        self.sent_back.reason.setText(reason)
        self.sent_back.show()

    def _show_progress(self, done: questionnaires.Completeness) -> None:
        self.progress.setValue(done.percent)
        self.progress.setFormat("%p%")
        missing = len(done.missing)
        counts = f"{done.answered} of {done.required} required answers"
        self.completeness_label.setText(
            f"{counts} · all given" if not missing else f"{counts} · {missing} missing"
        )

    def _missing_text(self, done: questionnaires.Completeness) -> str:
        names = {str(f.id): f.name for f in self.detail.facilities}
        items = [
            f"{m.number}" + (f" ({names.get(m.facility_key, '')})" if m.facility_key else "")
            for m in done.missing
        ]
        shown = ", ".join(items[:6]) + (" …" if len(items) > 6 else "")
        return (
            f"Still to answer: question {shown}."
            if len(items) == 1
            else (f"Still to answer: questions {shown}.")
        )

    def _update_actions(self) -> None:
        status = ResponseStatus.of(self.summary.status)
        done = self.completeness()
        draft, review = ResponseStatus.DRAFT, ResponseStatus.IN_REVIEW
        self.submit_action.setVisible(status is draft)
        self.return_action.setVisible(status is review)
        self.approve_action.setVisible(status in (draft, review))
        self.submitted_action.setVisible(status is ResponseStatus.APPROVED)
        self.reopen_action.setVisible(self.locked)
        note = ""
        if done.missing:
            note = f"Approval needs every required answer. {self._missing_text(done)}"
        elif status is review and self.detail.errors:
            note = "The checks found problems (listed below); send it back to correct them."
        elif status is draft and self.detail.errors:
            note = "Correct the problems listed below, then submit it for review."
        elif status is draft:
            note = "Submit it for review; the reviewer then approves it."
        self.approve_action.setEnabled(
            status is review and not done.missing and not self.detail.errors
        )
        self.approve_action.setToolTip(note or "Approve and lock the response")
        self.review.approval_note.setText(note if status in (draft, review) else "")
        self.review.approval_note.setVisible(bool(note) and status in (draft, review))
        for button in self.review.buttons:
            button.setVisible(button.defaultAction().isVisible())

    def _apply_lock(self) -> None:
        summary = self.summary
        if summary.status == ResponseStatus.IN_REVIEW.value:
            self.banner.setText(
                "In review — read-only, so the approver approves exactly what is shown. "
                "Send it back to draft to change an answer."
            )
        elif summary.locked:
            when = (
                long_date(summary.approved_at.date()) if summary.approved_at else "an earlier date"
            )
            who = summary.approved_by or "the approver"
            if summary.approver_title:
                who += f", {summary.approver_title}"
            text = f"Approved by {who} on {when} — read-only. Reopen to change."
            if summary.status == ResponseStatus.SUBMITTED.value and summary.submitted_on:
                method = f" by {summary.submission_method}" if summary.submission_method else ""
                text = f"Submitted on {long_date(summary.submitted_on)}{method}. " + text
            self.banner.setText(text)
        elif self.store.read_only:
            self.banner.setText(
                "This database is open read-only, so answers cannot be changed here."
            )
        self.banner.setVisible(self.read_only)
        for page in self.pages.values():
            page.set_read_only(self.read_only)
        self.save_action.setEnabled(not self.read_only)
        self._set_save_state()

    def _findings(self) -> tuple[Finding, ...]:
        """The checks' findings: of the saved draft (saved first), or of what is in review."""
        if self.read_only:
            return self.detail.findings
        if self.dirty:
            self.save_now()
        try:
            found = responses.check_response(self.store, self.response_id)
        except UserError:
            return self.detail.findings
        # Kept with the detail, so the sign-off buttons say what the review step lists.
        self.detail = dataclasses.replace(self.detail, findings=found)
        self._update_actions()
        return found

    def _recolour(self) -> None:
        """The step markers and the review page again, in the active palette's colours."""
        fixed = {LETTER_STEP: LETTER, REVIEW_STEP: REVIEW}
        for row in range(self.steps.count()):
            item = self.steps.item(row)
            marker = item.data(MARKER_ROLE) or fixed.get(item.data(STEP_KEY_ROLE))
            if marker:
                item.setIcon(marker_icon(marker))
        if self.current_key == REVIEW_STEP:
            self._show_review()

    def _show_review(self) -> None:
        done = self.completeness()
        data = ReviewInput(
            questions=self.visible_questions(),
            facilities=self.detail.facilities,
            drafts=self.drafts,
            missing=done.missing,
            unsaved=[s for s in self.dirty if self.drafts[s].errors],
            instrument_labels=dict(self.instruments),
            evidence_labels=dict(self.evidence),
            findings=self._findings(),
        )
        scroll = self.review.browser.verticalScrollBar().value()
        self.review.browser.setHtml(review_html(data))
        self.review.browser.verticalScrollBar().setValue(scroll)

    # ------------------------------------------------------------------------ workflow

    def _workflow(self, change: Callable[[], ResponseSummary]) -> bool:
        """Runs one status change after saving; shows why if it is refused."""
        if not self.save_now():
            return False
        try:
            # On a pool thread: a busy database makes the window wait, not freeze.
            wait_for(change, waiting=self._say_waiting)
        except UserError as exc:
            if not shiboken6.isValid(self):
                return False
            self.waiting_for_database = False
            if isinstance(exc, Conflict):
                if ask_to_reload(self, str(exc)):
                    self.reload()
            else:
                show_error(self, exc)
            return False
        if not shiboken6.isValid(self):
            return False
        self.waiting_for_database = False
        # Read it all again: a response in review shows (and approves) exactly what is stored,
        # an approved one its approved record.
        self.reload()
        self.changed.emit()
        return True

    # The actions below read self.summary.version when they run, after _workflow saved what
    # was typed: a letter save raises the response's version, and is this window's own change.

    def submit_for_review(self) -> bool:
        return self._workflow(
            lambda: responses.submit_for_review(
                self.store, self.response_id, expected_version=self.summary.version
            )
        )

    def return_to_draft(self) -> bool:
        dialog = ReasonDialog(
            "Send back to draft",
            "Say what the preparer should change. The reason is kept in the history.",
            "&Send back",
            self,
        )
        if not run_dialog(dialog):
            return False
        reason = dialog.reason_text()
        return self._workflow(
            lambda: responses.return_to_draft(
                self.store, self.response_id, reason, expected_version=self.summary.version
            )
        )

    def approve(self) -> bool:
        if not self.save_now():
            return False
        done = self.completeness()
        if done.missing:
            errors.message(self, "Cannot approve yet", self._missing_text(done))
            return False
        if self.detail.errors:
            errors.message(
                self,
                "Cannot approve yet",
                "The checks found problems; they are listed in the review step. "
                + self.detail.errors[0].message,
            )
            self.go_to(REVIEW_STEP)
            return False
        # What this window shows is what is approved: its state and warnings, as read.
        seen, warnings = self.detail.review_state, self.detail.warnings
        try:
            approvers = staff.list_staff(
                self.store, role=staff.StaffRole.APPROVES, active_only=True
            )
            reviewers = staff.list_staff(self.store, role=staff.StaffRole.REVIEWS, active_only=True)
            must_differ = staff.get_approver_must_differ(self.store)
        except UserError as exc:
            show_error(self, exc)
            return False
        dialog = ApproveDialog(
            self,
            approvers=approvers,
            reviewers=reviewers,
            me=self.store.actor,
            prepared_by=self.summary.prepared_by,
            approver_must_differ=must_differ,
            warnings=[w.message for w in warnings],
        )
        if not run_dialog(dialog):
            return False
        approval = dialog.approval()
        return self._workflow(
            lambda: letters.approve(
                self.store,
                self.response_id,
                approval.approver_id,
                seen_state=seen,
                acknowledged=[w.key for w in warnings],
                reviewer_id=approval.reviewer_id,
                expected_version=self.summary.version,
            )
        )

    def mark_submitted(self) -> bool:
        dialog = SubmittedDialog(self)
        if not run_dialog(dialog):
            return False
        submission = dialog.submission()
        return self._workflow(
            lambda: responses.mark_submitted(
                self.store,
                self.response_id,
                submission.submitted_on,
                submission.method,
                expected_version=self.summary.version,
            )
        )

    def reopen(self) -> bool:
        dialog = ReasonDialog(
            "Reopen response",
            "Reopening unlocks the answers and returns the response to draft; it must be "
            "reviewed and approved again. Say why — the reason is kept in the history.",
            "&Reopen",
            self,
        )
        if not run_dialog(dialog):
            return False
        reason = dialog.reason_text()
        return self._workflow(
            lambda: responses.reopen(
                self.store, self.response_id, reason, expected_version=self.summary.version
            )
        )

    def show_history(self) -> HistoryDialog:
        entries = audit.history(self.store, response_uuid=self.summary.uuid)
        if self.history_dialog is not None:
            self.history_dialog.close()
            self.history_dialog.deleteLater()
        self.history_dialog = HistoryDialog(self.summary.questionnaire_title, entries, self)
        self.history_dialog.show()
        return self.history_dialog

    # ------------------------------------------------------------------------ closing

    def close_editor(self) -> bool:
        """Saves and says `closed`; refused if answers cannot be saved and the user keeps them."""
        if not self.save_now():
            problems = self.save_problem or "unknown problem"
            if not confirm_close_unsaved(self, problems):
                return False
            self.dirty.clear()
        self._closing = True
        if self.history_dialog is not None:
            self.history_dialog.close()
        self.closed.emit()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing and not self.close_editor():
            event.ignore()
            return
        super().closeEvent(event)
