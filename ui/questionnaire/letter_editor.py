"""The Letter step: the attorney composes the response letter over Jurisdesk's draft.

Jurisdesk drafts every part of the letter from the answers and the records; here the office
sets the date, letterhead, addressee, signer and cc list, and rewrites any paragraph. Only what
differs from the draft is kept (app.letter.edits), saved about a second after the last change.
Beside the form, the letter as it will print, re-drawn shortly after each change.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import shiboken6
from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.letter.composed import ComposedLetter, LetterPart, Signer
from app.letter.edits import LINE_LIMIT, MAX_LINES, EditedText, LetterEdits
from app.reports import model
from app.reports.text import long_date
from app.services import Conflict, Locked, Store, UserError, letters
from ui.common.colours import styled, tint
from ui.common.dates import DateField
from ui.common.errors import show_error
from ui.common.operations import run_in_background, wait_for
from ui.questionnaire.inputs import MUTED_COLOR
from ui.questionnaire.letter_preview import LetterPreview

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 1000
# A save still running after this long is waiting for the database: the window says so.
WAITING_AFTER_MS = 300
OUT_OF_DATE = "The answers changed after this paragraph was rewritten."
PART_TITLES = {
    "reference": "Reference line",
    "salutation": "Salutation",
    "opening": "Opening paragraph",
    "closing": "Closing paragraph",
}
# Mnemonics clear of the menu bar's (File, Edit, View, Jurisdiction, Response, Help), the
# jurisdiction list's (Find, State) and the editor's (Steps); tests/ui/test_keyboard_access.py.
LETTERHEAD_LABELS = (
    ("name", "Na&me"),
    ("office", "&Office"),
    ("street", "&Street"),
    ("city_state_zip", "City, state, &ZIP"),
    ("phone", "Pho&ne"),
)
_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


# ---------------------------------------------------------------------------- the source


@dataclasses.dataclass(frozen=True)
class LetterSource:
    """What the step shows and composes from: the stored state (which composes again from
    edits not saved yet) and the letter without any edits."""

    state: letters.LetterState
    # The letter without any edits: what each field the office leaves empty prints.
    drafted: ComposedLetter

    @property
    def view(self) -> model.Letter | None:
        return self.state.view

    @property
    def default_signer(self) -> Signer | None:
        return self.state.default_signer if self.state.editable else self.state.letter.signer

    def compose(self, edits: LetterEdits) -> ComposedLetter:
        return self.state.compose(edits)


def load_source(store: Store, response_id: int) -> LetterSource:
    state = letters.state(store, response_id)
    return LetterSource(state, state.compose(LetterEdits()))


def signer_label(signer: Signer) -> str:
    return f"{signer.name} — {signer.title}" if signer.title else signer.name


def _signer_json(signer: Signer) -> dict[str, str]:
    values = {"name": signer.name, "title": signer.title, "office": signer.office}
    return {k: v for k, v in values.items() if v}


def _same_signer(a: Signer, edited: Mapping[str, str] | None) -> bool:
    return edited is not None and _signer_json(a) == dict(edited)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _lines_problem(lines: Sequence[str]) -> str | None:
    if len(lines) > MAX_LINES:
        return f"{len(lines)} lines; at most {MAX_LINES} print. Until shortened, it is not saved."
    long = next((line for line in lines if len(line) > LINE_LIMIT), None)
    if long is not None:
        return f"A line is {len(long):,} characters long; at most {LINE_LIMIT} fit."
    return None


# ---------------------------------------------------------------------------- widgets


class GrowingTextEdit(QPlainTextEdit):
    """A plain text box as tall as its text (within limits), so the page scrolls, not the box,
    and Tab moves on to the next field instead of typing a tab."""

    def __init__(
        self, parent: QWidget | None = None, *, min_lines: int = 2, max_lines: int = 30
    ) -> None:
        super().__init__(parent)
        self.min_lines, self.max_lines = min_lines, max_lines
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.textChanged.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        margin = self.document().documentMargin()
        width = max(60, self.viewport().width() - int(2 * margin) - 4)
        text = self.toPlainText() or self.placeholderText() or " "
        if text.endswith("\n"):
            text += " "
        rect = metrics.boundingRect(0, 0, width, 1_000_000, Qt.TextFlag.TextWordWrap, text)
        line = metrics.lineSpacing()
        height = min(max(rect.height(), self.min_lines * line), self.max_lines * line)
        frame = 2 * self.frameWidth() + int(2 * margin) + 6
        self.setFixedHeight(height + frame)

    def setPlaceholderText(self, text: str) -> None:
        super().setPlaceholderText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()


class ParagraphBox(QFrame):
    """One paragraph of the letter: its heading, the question it answers, the text, and what
    became of Jurisdesk's draft."""

    edited = Signal(str, object)  # the part's key, its EditedText (None: as drafted)

    def __init__(self, part: LetterPart, edit: EditedText | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.key = part.key
        self.drafted = part.drafted
        self.edit = edit
        self._loading = False
        title = part.heading or PART_TITLES.get(part.key) or "Statement"
        self.title = title
        self.setObjectName("letterParagraph")

        self.heading = QLabel(title, self)
        tint(self.heading, semibold=True)
        self.edited_label = QLabel("Edited", self)
        self.edited_label.setObjectName("editedChip")
        styled(
            self.edited_label,
            "#editedChip {{ background: {help_background}; color: {help_title};"
            " border-radius: 7px; padding: 0px 8px; font-weight: 600; }}",
        )
        self.edited_label.setToolTip("This paragraph is the office's text, not Jurisdesk's draft")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading)
        top.addWidget(self.edited_label)
        top.addStretch(1)

        asked = part.quoted or part.summarised
        self.quoted: QLabel | None = None
        if asked:
            shown = f"“{asked}”" if part.quoted else f"The question, summarised: {asked}"
            self.quoted = QLabel(shown, self)
            self.quoted.setWordWrap(True)
            self.quoted.setTextFormat(Qt.TextFormat.PlainText)
            self.quoted.setTextInteractionFlags(_SELECTABLE)
            self.quoted.setAccessibleName(f"{title}, as issued")
            font = self.quoted.font()
            font.setItalic(True)
            self.quoted.setFont(font)
            tint(self.quoted, MUTED_COLOR)
            self.quoted.setContentsMargins(12, 0, 0, 0)

        self.text = GrowingTextEdit(self, min_lines=1 if part.key == "salutation" else 2)
        self.text.setAccessibleName(f"{title}: paragraph")
        self.text.setPlaceholderText(part.drafted)
        self.text.setPlainText(part.text)
        self.heading.setBuddy(self.text)
        self.text.textChanged.connect(self._typed)

        self.revert_button = QPushButton("Use Jurisdesk's draft", self)
        self.revert_button.setToolTip("Drop this text: print the paragraph as Jurisdesk drafts it")
        self.revert_button.setAccessibleName(f"{title}: use Jurisdesk's draft")
        self.revert_button.clicked.connect(self.use_draft)
        below = QHBoxLayout()
        below.setContentsMargins(0, 0, 0, 0)
        below.addStretch(1)
        below.addWidget(self.revert_button)

        # The banner of a paragraph rewritten before the answers changed.
        self.banner = QFrame(self)
        self.banner.setObjectName("staleBanner")
        styled(
            self.banner,
            "#staleBanner {{ background: {notice_background}; border: 1px solid {notice_border};"
            " border-radius: 4px; }}",
        )
        self.banner.setAccessibleName(f"{title}: out of date")
        self.banner_text = QLabel(f"⚠  {OUT_OF_DATE}", self.banner)
        self.banner_text.setWordWrap(True)
        tint(self.banner_text, "notice_text", semibold=True)
        explain = QLabel(
            "Your text is printed until you decide. Jurisdesk's new draft from today's answers:",
            self.banner,
        )
        explain.setWordWrap(True)
        tint(explain, "notice_text")
        self.new_draft = QLabel(part.drafted, self.banner)
        self.new_draft.setWordWrap(True)
        self.new_draft.setTextFormat(Qt.TextFormat.PlainText)
        self.new_draft.setTextInteractionFlags(_SELECTABLE)
        self.new_draft.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.new_draft.setAccessibleName(f"{title}: the new draft")
        self.new_draft.setObjectName("newDraft")
        styled(
            self.new_draft,
            "#newDraft {{ background: {base}; color: {text}; border: 1px solid {notice_border};"
            " padding: 6px; }}",
        )
        self.keep_button = QPushButton("Keep my text", self.banner)
        self.keep_button.setToolTip("Your text stays; it is no longer marked out of date")
        self.keep_button.setAccessibleName(f"{title}: keep my text")
        self.keep_button.clicked.connect(self.keep_mine)
        self.use_new_button = QPushButton("Use the new draft", self.banner)
        self.use_new_button.setToolTip("Replace your text with the new draft")
        self.use_new_button.setAccessibleName(f"{title}: use the new draft")
        self.use_new_button.clicked.connect(self.use_draft)
        choices = QHBoxLayout()
        choices.addWidget(self.keep_button)
        choices.addWidget(self.use_new_button)
        choices.addStretch(1)
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 8, 10, 8)
        banner_layout.setSpacing(6)
        banner_layout.addWidget(self.banner_text)
        banner_layout.addWidget(explain)
        banner_layout.addWidget(self.new_draft)
        banner_layout.addLayout(choices)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        if self.quoted is not None:
            layout.addWidget(self.quoted)
        layout.addWidget(self.text)
        layout.addLayout(below)
        layout.addWidget(self.banner)
        self._show_state()

    # -- state -----------------------------------------------------------------------------

    @property
    def out_of_date(self) -> bool:
        """Rewritten from a draft that is not today's (as app.letter.drafting decides it)."""
        edit = self.edit
        return (
            edit is not None
            and edit.drafted is not None
            and edit.drafted.strip() != self.drafted.strip()
        )

    def _show_state(self) -> None:
        self.edited_label.setVisible(self.edit is not None)
        self.revert_button.setVisible(self.edit is not None and not self.out_of_date)
        self.banner.setVisible(self.out_of_date)
        self.text.setAccessibleDescription(
            OUT_OF_DATE if self.out_of_date else ("Edited" if self.edit is not None else "")
        )

    def _set(self, edit: EditedText | None) -> None:
        self.edit = edit
        self._show_state()
        self.edited.emit(self.key, edit)

    def _typed(self) -> None:
        if self._loading:
            return
        text = self.text.toPlainText().strip()
        if not text or text == self.drafted.strip():
            # Empty prints the draft (shown greyed in the box); the draft itself is no edit.
            self._set(None)
            return
        # While out of date the paragraph keeps the draft it was rewritten from, so typing
        # never hides the question of which text should go out.
        base = self.edit.drafted if self.edit is not None and self.out_of_date else self.drafted
        self._set(EditedText(text, base))

    def _load_text(self, text: str) -> None:
        self._loading = True
        try:
            self.text.setPlainText(text)
        finally:
            self._loading = False

    # -- the choices -----------------------------------------------------------------------

    def use_draft(self) -> None:
        """Back to Jurisdesk's draft (today's): the edit is removed."""
        self._load_text(self.drafted)
        self._set(None)

    def keep_mine(self) -> None:
        """Keeps the office's text, now counted as rewritten from today's draft."""
        if self.edit is not None:
            self._set(EditedText(self.edit.text, self.drafted))

    def set_read_only(self, read_only: bool) -> None:
        self.text.setReadOnly(read_only)
        for button in (self.revert_button, self.keep_button, self.use_new_button):
            button.setEnabled(not read_only)


# ---------------------------------------------------------------------------- the step


class LetterStep(QWidget):
    """The form (left) and the preview (right) of one response's letter."""

    saved = Signal(int)  # the response's version after the letter was saved
    changed = Signal()  # what the letter says changed on screen

    def __init__(
        self,
        store: Store,
        response_id: int,
        parent: QWidget | None = None,
        *,
        version: Callable[[], int] | None = None,
        paper: str = "letter",
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.response_id = response_id
        # The response's version as the window that holds this step knows it (the editor's),
        # so one version is checked by every save and workflow action of the window.
        self._version_of = version
        self.version = 0
        self.source: LetterSource | None = None
        self.edits = LetterEdits()
        self.saved_edits = LetterEdits()
        self.dirty = False
        self.save_problem: str | None = None
        self.last_saved: datetime | None = None
        self.read_only = True
        self.paragraphs: dict[str, ParagraphBox] = {}
        # What a refused save (someone else changed the response) does: read it all again.
        self.on_conflict: Callable[[], None] = self.reload

        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave.timeout.connect(self.save_in_background)
        # A background save still running after this long is waiting for the database.
        self._saving: tuple[LetterEdits, int] | None = None  # what a background save sends
        self._save_again = False
        self.waiting_for_database = False
        self._waiting = QTimer(self)
        self._waiting.setSingleShot(True)
        self._waiting.setInterval(WAITING_AFTER_MS)
        self._waiting.timeout.connect(self._show_waiting)

        title = QLabel("Letter", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.save_state = QLabel(self)
        self.save_state.setAccessibleName("Letter save state")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.save_state)
        self.intro = QLabel(
            "Jurisdesk drafts the letter from the answers. Change what you want; an empty "
            "field prints Jurisdesk's text, shown greyed.",
            self,
        )
        self.intro.setWordWrap(True)
        tint(self.intro, MUTED_COLOR)
        self.note = QLabel(self)
        self.note.setObjectName("letterNote")
        self.note.setWordWrap(True)
        styled(
            self.note,
            "#letterNote {{ background: {notice_background}; color: {notice_text};"
            " border: 1px solid {notice_border}; border-radius: 4px; padding: 6px 10px; }}",
        )
        self.note.hide()
        self.stale_note = QLabel(self)
        self.stale_note.setWordWrap(True)
        tint(self.stale_note, "warning", semibold=True)
        self.stale_note.hide()

        self.form_area = QScrollArea(self)
        self.form_area.setAccessibleName("Letter details")
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QFrame.Shape.NoFrame)
        self.form_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_area.setMinimumWidth(300)
        self.form: QWidget | None = None
        self.preview = LetterPreview(self, paper=paper)
        self.preview.setMinimumWidth(220)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.form_area)
        self.splitter.addWidget(self.preview)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([440, 300])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 8)
        layout.addLayout(heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.note)
        layout.addWidget(self.stale_note)
        layout.addWidget(self.splitter, 1)
        self.reload()

    # ------------------------------------------------------------------------ loading

    def current_version(self) -> int:
        return self._version_of() if self._version_of is not None else self.version

    def reload(self) -> None:
        """Reads the letter again; an unsaved change is dropped (the caller saved it first)."""
        self.autosave.stop()
        self.dirty = False
        self.save_problem = None
        scroll = self.form_area.verticalScrollBar().value()
        try:
            self.source = load_source(self.store, self.response_id)
        except UserError as exc:
            self.source = None
            self._build_form(None)
            self.read_only = True
            self.note.setText(str(exc))
            self.note.show()
            self._set_save_state()
            return
        state = self.source.state
        self.version = state.version
        self.edits = self.saved_edits = state.edits
        self.read_only = not state.editable or self.store.read_only
        self._build_form(self.source)
        self._apply_read_only()
        self._show_stale()
        self._set_save_state()
        # Where the person was reading, once the new form is laid out.
        bar = self.form_area.verticalScrollBar()
        QTimer.singleShot(0, bar, lambda: bar.setValue(scroll))
        self._ask_preview(now=True)

    def refresh(self) -> None:
        """Shown again: the answers may have changed the draft, so read it again (unless
        something typed here is still to be saved)."""
        if not self.dirty:
            self.reload()

    def discard(self) -> None:
        """Forgets what is not saved (the window reloads everything after a refusal)."""
        self.autosave.stop()
        self.dirty = False

    def _apply_read_only(self) -> None:
        source = self.source
        if source is None:
            return
        if self.store.read_only:
            why = "This database is open read-only, so the letter cannot be changed here."
        elif not source.state.letter.draft:
            why = (
                "Approved — the letter is read-only and prints as approved. Reopen the "
                "response to change it."
            )
        else:
            why = (
                "In review — the letter is read-only, so the approver approves exactly this "
                "letter. Send the response back to draft to change it."
            )
        self.note.setText(why)
        self.note.setVisible(self.read_only)
        ro = self.read_only
        self.date.setEnabled(not ro)
        for edit in self.letterhead.values():
            edit.setEnabled(not ro)
        self.signer.setEnabled(not ro)
        for box in (self.addressee, self.cc):
            box.setReadOnly(ro)
        for paragraph in self.paragraphs.values():
            paragraph.set_read_only(ro)

    # ------------------------------------------------------------------------ the form

    def _build_form(self, source: LetterSource | None) -> None:
        old = self.form_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.paragraphs = {}
        form = QWidget(self.form_area.viewport())
        form.setObjectName("letterForm")
        column = QVBoxLayout(form)
        column.setContentsMargins(0, 4, 12, 12)
        column.setSpacing(8)
        self.form = form
        if source is not None:
            self._fill_form(source, form, column)
        column.addStretch(1)
        # Filled first: the scroll area shows the form, and with it at once every child made
        # before (a child added to a widget on screen would show only after the next events).
        self.form_area.setWidget(form)
        if self.paragraphs:
            # The form is made after the preview: Tab goes from its end on to the preview.
            last = list(self.paragraphs.values())[-1].use_new_button
            QWidget.setTabOrder(last, self.preview.pages)

    def _fill_form(self, source: LetterSource, form: QWidget, column: QVBoxLayout) -> None:
        drafted, edits = source.drafted, self.edits
        letter = source.state.letter if source.view is None else source.compose(edits)

        # One form for every section, in letter order, so the labels line up.
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        fields.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        fields.addRow(self._section("Letterhead", form))

        self.letterhead: dict[str, QLineEdit] = {}
        head = letter.letterhead if source.view is None else None
        for name, label in LETTERHEAD_LABELS:
            edit = QLineEdit(form)
            placeholder = getattr(drafted.letterhead, name) or ""
            edit.setPlaceholderText(placeholder)
            edit.setText(
                (getattr(head, name) or "") if head is not None else edits.letterhead.get(name, "")
            )
            edit.setMaxLength(LINE_LIMIT)
            edit.setClearButtonEnabled(True)
            edit.setAccessibleName(f"Letterhead: {label.replace('&', '').lower()}")
            edit.setToolTip(f"Empty: “{placeholder}”" if placeholder else "Empty: not printed")
            edit.textEdited.connect(lambda text, n=name: self._letterhead_changed(n, text))
            self.letterhead[name] = edit
            fields.addRow(self._label(label, edit, form), edit)

        fields.addRow(self._section("Date and addressee", form))
        self.date = DateField(form)
        self.date.setAccessibleName("Letter date")
        self.date.line.setPlaceholderText(f"{drafted.dated.isoformat()} (Jurisdesk's date)")
        self.date.set_date(edits.date if source.view is not None else letter.dated)
        self.date.setToolTip(
            f"Empty: dated {long_date(drafted.dated)} — the day it is printed, or the day of "
            "approval once approved. Type 2017-08-14 or 08/14/2017; F4 opens a calendar."
        )
        self.date.changed.connect(self._date_changed)
        fields.addRow(self._label("Letter &date", self.date, form), self.date)

        self.addressee = GrowingTextEdit(form, min_lines=3, max_lines=MAX_LINES)
        self.addressee.setAccessibleName("Addressee")
        self.addressee.setPlaceholderText("\n".join(drafted.addressee))
        self.addressee.setPlainText("\n".join(letter.addressee))
        self.addressee.setToolTip("One line per line of the address; empty: Jurisdesk's addressee")
        self.addressee_problem = self._problem_label(form)
        self.addressee.textChanged.connect(self._addressee_changed)
        fields.addRow(
            self._label("&Addressee", self.addressee, form),
            self._with_problem(self.addressee, self.addressee_problem, form),
        )

        # One form for both sections, so their labels line up.
        fields.addRow(self._section("Signature and copies", form))
        sign = fields
        self.signer = QComboBox(form)
        self.signer.setAccessibleName("Signed by")
        self.signer.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.signer.setMinimumContentsLength(16)
        self.signer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fill_signers(source, letter)
        self.signer.setToolTip(self.signer.currentText())  # in full, where the box cuts it
        self.signer.currentTextChanged.connect(self.signer.setToolTip)
        self.signer.currentIndexChanged.connect(self._signer_changed)
        sign.addRow(self._label("Si&gned by", self.signer, form), self.signer)
        self.cc = GrowingTextEdit(form, min_lines=2, max_lines=MAX_LINES)
        self.cc.setAccessibleName("Copies (cc), one per line")
        self.cc.setPlaceholderText("One per line, e.g. Alan R. Hanson, Acting Assistant AG")
        self.cc.setPlainText("\n".join(letter.cc))
        self.cc_problem = self._problem_label(form)
        self.cc.textChanged.connect(self._cc_changed)
        sign.addRow(
            self._label("&Copies (cc)", self.cc, form),
            self._with_problem(self.cc, self.cc_problem, form),
        )
        column.addLayout(fields)

        column.addWidget(self._section("Paragraphs", form))
        hint = QLabel(
            "In letter order. Rewrite any paragraph; “Use Jurisdesk's draft” gives it back.",
            form,
        )
        hint.setWordWrap(True)
        tint(hint, MUTED_COLOR)
        column.addWidget(hint)
        for part in letter.parts:
            box = ParagraphBox(part, edits.text_of(part.key), form)
            box.edited.connect(self._paragraph_changed)
            self.paragraphs[part.key] = box
            column.addWidget(box)

    @staticmethod
    def _section(text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 8, 0, 0)
        return label

    @staticmethod
    def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setBuddy(buddy)
        return label

    @staticmethod
    def _problem_label(parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setWordWrap(True)
        tint(label, "error")
        label.hide()
        return label

    @staticmethod
    def _with_problem(field: QWidget, problem: QLabel, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(problem)
        return box

    def _fill_signers(self, source: LetterSource, letter: ComposedLetter) -> None:
        combo = self.signer
        default = source.default_signer
        combo.addItem(
            f"{signer_label(default)} (Jurisdesk's choice)"
            if default is not None
            else "The approver (Jurisdesk's choice)",
            None,
        )
        chosen = self.edits.signer if source.view is not None else None
        index = 0
        for signer in source.state.signers:
            combo.addItem(signer_label(signer), signer)
            if _same_signer(signer, chosen):
                index = combo.count() - 1
        if chosen and index == 0:
            # Picked earlier from someone no longer among the contacts: still the signer.
            kept = Signer(chosen["name"], chosen.get("title"), chosen.get("office"))
            combo.addItem(signer_label(kept), kept)
            index = combo.count() - 1
        if source.view is None and letter.signer is not None:
            combo.setItemText(0, signer_label(letter.signer))
        combo.setCurrentIndex(index)

    # ------------------------------------------------------------------------ changes

    def first_input(self) -> QWidget:
        return self.date if self.source is not None else self.form_area

    def _change(self, edits: LetterEdits) -> None:
        if self.read_only or edits == self.edits:
            return
        self.edits = edits
        self.dirty = edits != self.saved_edits
        if self.dirty:
            self.autosave.start()  # restarted by each change: saved a second after the last
        self._set_save_state()
        self._show_stale()
        self._ask_preview()
        self.changed.emit()

    def _date_changed(self) -> None:
        self._change(dataclasses.replace(self.edits, date=self.date.date()))

    def _letterhead_changed(self, name: str, text: str) -> None:
        head = dict(self.edits.letterhead)
        if text.strip():
            head[name] = text.strip()
        else:
            head.pop(name, None)  # cleared: the draft's, shown greyed
        self._change(dataclasses.replace(self.edits, letterhead=head))

    def _addressee_changed(self) -> None:
        if self.source is None:
            return
        lines = _lines(self.addressee.toPlainText())
        problem = _lines_problem(lines)
        self.addressee_problem.setText(problem or "")
        self.addressee_problem.setVisible(problem is not None)
        if problem is not None:
            return
        addressee = None if not lines or lines == self.source.drafted.addressee else lines
        self._change(dataclasses.replace(self.edits, addressee=addressee))

    def _cc_changed(self) -> None:
        lines = _lines(self.cc.toPlainText())
        problem = _lines_problem(lines)
        self.cc_problem.setText(problem or "")
        self.cc_problem.setVisible(problem is not None)
        if problem is None:
            self._change(dataclasses.replace(self.edits, cc=lines))

    def _signer_changed(self, index: int) -> None:
        signer = self.signer.itemData(index)
        chosen = _signer_json(signer) if isinstance(signer, Signer) else None
        self._change(dataclasses.replace(self.edits, signer=chosen))

    def _paragraph_changed(self, key: str, edit: EditedText | None) -> None:
        self._change(self.edits.with_text(key, edit))

    def _show_stale(self) -> None:
        stale = [box for box in self.paragraphs.values() if box.out_of_date]
        if not stale:
            self.stale_note.hide()
            return
        names = ", ".join(box.title for box in stale)
        if len(stale) == 1:
            text = f"1 paragraph needs a decision ({names}): the answers changed after it was "
        else:
            text = f"{len(stale)} paragraphs need a decision ({names}): the answers changed "
            text += "after they were "
        self.stale_note.setText(text + "rewritten. Approval waits for the decision.")
        self.stale_note.show()

    def _ask_preview(self, *, now: bool = False) -> None:
        source, edits = self.source, self.edits
        if source is not None:
            self.preview.request(lambda: source.compose(edits), now=now)

    # ------------------------------------------------------------------------ saving

    def save_in_background(self) -> None:
        """The autosave: sends the edits on a pool thread, so a busy database never freezes
        the window; typing goes on meanwhile and is saved by the next round."""
        self.autosave.stop()
        if self._saving is not None:
            self._save_again = True
            return
        if not self.dirty or self.read_only:
            if self.read_only:
                self.dirty = False
            return
        edits, version = self.edits, self.current_version()
        self._saving = (edits, version)
        self._save_again = False
        self._set_save_state(saving=True)
        self._waiting.start()
        store, response_id = self.store, self.response_id
        run_in_background(
            self,
            "",
            lambda: letters.save(store, response_id, edits, expected_version=version),
            lambda new_version: self._background_saved(edits, new_version),
            self._background_failed,
            busy_dialog=False,
        )

    def _show_waiting(self) -> None:
        if self._saving is not None:
            self.waiting_for_database = True
            self._set_save_state(saving=True)

    def _end_background(self) -> bool:
        """Clears the save under way; False when the step was closed meanwhile."""
        if not shiboken6.isValid(self):
            return False
        self._saving = None
        self._waiting.stop()
        self.waiting_for_database = False
        return True

    def _background_saved(self, edits: LetterEdits, version: int) -> None:
        if not self._end_background():
            return
        self._saved(edits, version)
        if self._save_again or self.dirty:
            self.save_in_background()

    def _background_failed(self, error: BaseException) -> None:
        if not self._end_background():
            return
        self._refused(error)

    def _wait_for_background_save(self) -> None:
        """Lets a save under way end (the window keeps answering), before saving again."""
        while self._saving is not None and shiboken6.isValid(self):
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)

    def save_now(self) -> bool:
        """Saves the letter's edits now; False when they could not be saved (reason shown)."""
        self.autosave.stop()
        self._wait_for_background_save()
        if not self.dirty:
            return True
        if self.read_only:
            self.dirty = False
            return True
        edits, expected = self.edits, self.current_version()
        self._set_save_state(saving=True)
        store, response_id = self.store, self.response_id
        try:
            # On a pool thread: the window answers, and says it waits, on a busy database.
            version = wait_for(
                lambda: letters.save(store, response_id, edits, expected_version=expected),
                waiting=self._say_waiting,
            )
        except Exception as exc:
            if self._end_background():
                self._refused(exc)
            return False
        if not self._end_background():
            return False
        self._saved(edits, version)
        return True

    def _say_waiting(self) -> None:
        if shiboken6.isValid(self):
            self.waiting_for_database = True
            self._set_save_state(saving=True)

    def _saved(self, edits: LetterEdits, version: int) -> None:
        self.version = version
        self.saved_edits = edits
        self.dirty = self.edits != edits
        self.last_saved = datetime.now()
        self.save_problem = None
        self._set_save_state()
        self.saved.emit(version)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, Conflict | Locked):
            self.dirty = False
            show_error(self, exc)
            self.on_conflict()
        elif isinstance(exc, UserError):  # InvalidInput among them: what the office corrects
            self._set_save_state(problem=str(exc))
            show_error(self, exc)
        else:  # a bug: keep what was typed, tell the user, log the trace
            self._set_save_state(problem="an unexpected error (see the log)")
            show_error(self, exc)

    def _set_save_state(self, *, saving: bool = False, problem: str | None = None) -> None:
        self.save_problem = problem
        if self.read_only:
            text, color = "Read-only", MUTED_COLOR
        elif problem:
            text, color = f"Letter not saved: {problem}", "error"
        elif self.waiting_for_database:
            text, color = "Waiting for the database…", MUTED_COLOR
        elif saving or self.dirty:
            text, color = "Saving…", MUTED_COLOR
        elif self.last_saved is not None:
            text, color = f"Letter saved {self.last_saved:%H:%M}", "success"
        else:
            text, color = "Letter saved", "success"
        self.save_state.setText(text)
        self.save_state.setToolTip(text)
        tint(self.save_state, color)


__all__ = ["LetterSource", "LetterStep", "ParagraphBox", "load_source"]
