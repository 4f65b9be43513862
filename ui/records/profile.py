"""The Profile tab: the jurisdiction's own facts, saved automatically as the user types."""

# ruff: noqa: N815 - Qt signals keep Qt's camelCase (currentChanged, openResponse).

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services import records
from app.services.errors import Conflict, InvalidInput, UserError
from app.services.fields import record_kind
from app.services.records import Record
from app.services.store import Store
from ui.common import errors
from ui.common.colours import styled
from ui.common.forms import RecordForm
from ui.common.operations import wait_for
from ui.records.dialog import keep_mine_after_conflict, kept_by_note

Button = QMessageBox.StandardButton
AUTOSAVE_DELAY_MS = 800  # long enough not to save mid-word, short enough that nothing is lost


class ProfilePanel(QWidget):
    """Autosave: valid input is stored ~0.8 s after typing stops, and at once before the user
    switches jurisdiction, tab or database, or closes the window. Invalid input is never stored;
    leaving with it asks first, so nothing typed is lost silently."""

    saved = Signal(object)  # Record
    statusMessage = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.kind = record_kind("jurisdiction")
        self.record: Record | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_DELAY_MS)

        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Save status")
        self.save_button = QPushButton("Save &now")
        self.save_button.setToolTip("Changes are saved automatically; this saves at once.")
        self.kept_note = QLabel()
        self.kept_note.setWordWrap(True)
        styled(self.kept_note, "color: {warning};")
        # Clear of the menu bar's letters, the list's Find and State, and Save now.
        self.form = RecordForm(self.kind, reserved_mnemonics="fevjhrnit")
        scroll = QScrollArea()
        scroll.setAccessibleName("Jurisdiction profile")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.addWidget(self.form)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.state_label)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.kept_note)
        layout.addWidget(scroll, 1)

        self.form.edited.connect(self._edited)
        self.timer.timeout.connect(self.save_now)
        self.save_button.clicked.connect(self.save_now)
        self.set_jurisdiction(None)

    # -- switching ------------------------------------------------------------------------

    @property
    def jurisdiction_id(self) -> int | None:
        return self.record.id if self.record else None

    def set_jurisdiction(self, jurisdiction_id: int | None) -> None:
        """Shows a jurisdiction; call maybe_leave() first so pending typing is stored."""
        self.timer.stop()
        self.record = None
        if jurisdiction_id is not None:
            try:
                self.record = records.get(self.store, "jurisdiction", jurisdiction_id)
            except UserError as exc:
                errors.show_error(self, exc)
        self.form.load(self.record.values if self.record else None)
        self.form.setEnabled(self.record is not None)
        note = kept_by_note(self.store, "jurisdiction", self.record.id) if self.record else ""
        self.kept_note.setText(note)
        self.kept_note.setVisible(bool(note))
        self._show_state()

    def reload(self) -> None:
        """Reads the stored values again, unless the user has typing pending."""
        if self.record is not None and not self.form.is_dirty():
            self.set_jurisdiction(self.record.id)

    def has_unsaved_changes(self) -> bool:
        return self.record is not None and self.form.is_dirty()

    def maybe_leave(self) -> bool:
        """Saves pending typing; if it cannot be saved, asks. False means stay here."""
        if not self.has_unsaved_changes():
            return True
        if self.save_now():
            return True
        problems = "\n".join(
            f"• {self.kind.field(name).label} {message}"
            for name, message in self.form.problems().items()
        )
        answer = errors.ask(
            self,
            "Profile not saved",
            "The jurisdiction's profile has changes that cannot be saved yet:",
            informative=problems or "Saving failed.",
            buttons=Button.Discard | Button.Cancel,
            default=Button.Cancel,
            labels={Button.Cancel: "Go back and fix it", Button.Discard: "Discard my changes"},
        )
        if answer == Button.Discard:
            if self.record is not None:
                self.set_jurisdiction(self.record.id)
            return True
        self.form.reveal_problems()
        self.form.focus_first_problem()
        return False

    # -- saving ---------------------------------------------------------------------------

    def _edited(self) -> None:
        self._show_state()
        if self.form.is_valid():
            self.timer.start()
        else:
            self.timer.stop()

    def save_now(self) -> bool:
        """Stores the changed fields if they are valid; True when nothing is left unsaved."""
        self.timer.stop()
        if self.record is None:
            return True
        changes = self.form.changes()
        if not changes:
            self._show_state()
            return True
        if not self.form.is_valid():
            self._show_state()
            return False
        store, record = self.store, self.record
        try:
            # On a pool thread: leaving the tab waits for a busy database, never freezes.
            stored = wait_for(
                lambda: records.update(store, "jurisdiction", record.id, changes, record.version),
                busy=self.form,
            )
        except InvalidInput as exc:
            self.form.show_problems(exc.problems)
            self._show_state()
            return False
        except Conflict as exc:
            return self._resolve_conflict(exc, changes)
        except UserError as exc:
            errors.show_error(self, exc)
            self._show_state()
            return False
        self._stored(stored)
        return True

    def _resolve_conflict(self, error: Conflict, changes: dict[str, Any]) -> bool:
        assert self.record is not None
        try:
            fresh = records.get(self.store, "jurisdiction", self.record.id)
        except UserError as exc:
            errors.show_error(self, exc)
            return False
        if not keep_mine_after_conflict(self, self.kind, error):
            self.set_jurisdiction(fresh.id)
            self.statusMessage.emit("Reloaded the profile with the other person's changes.")
            return True
        try:
            store = self.store
            stored = wait_for(
                lambda: records.update(store, "jurisdiction", fresh.id, changes, fresh.version),
                busy=self.form,
            )
        except UserError as exc:
            errors.show_error(self, exc)
            return False
        self._stored(stored)
        return True

    def _stored(self, stored: Record) -> None:
        self.record = stored
        # Only the baseline moves: anything typed since the save started stays on screen.
        self.form.mark_saved(stored.values)
        self._show_state()
        self.statusMessage.emit("Saved")
        self.saved.emit(stored)

    def _show_state(self) -> None:
        if self.record is None:
            self.heading.setText("No jurisdiction selected")
            self.state_label.setText("")
            self.save_button.setEnabled(False)
            return
        self.heading.setText(self.record.title)
        dirty = self.form.is_dirty()
        if not dirty:
            text = "All changes saved"
        elif self.form.is_valid():
            text = "Saving shortly…"
        else:
            text = "Not saved — correct the field marked in red"
        self.state_label.setText(text)
        self.save_button.setEnabled(dirty and self.form.is_valid())
