"""The add/edit dialog for any kind of record, and the delete and conflict questions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services import approved_record, records
from app.services.errors import Conflict, InvalidInput, UserError
from app.services.fields import FieldKind, RecordKind, record_kind
from app.services.records import Record
from app.services.safe_files import shown_name
from app.services.store import Store
from app.vocabulary import ResponseStatus
from ui.common import errors
from ui.common.colours import styled
from ui.common.forms import RecordForm
from ui.common.operations import wait_for

Button = QMessageBox.StandardButton


def reference_options(
    store: Store, kind: RecordKind, jurisdiction_id: int | None
) -> dict[str, list[tuple[int, str]]]:
    """The records each reference field may point at: those of the same jurisdiction."""
    options: dict[str, list[tuple[int, str]]] = {}
    for spec in kind.fields:
        if spec.kind is FieldKind.REFERENCE and spec.references and jurisdiction_id is not None:
            options[spec.name] = [
                (r.id, r.title or f"#{r.id}")
                for r in records.list_records(store, spec.references, jurisdiction_id)
            ]
    return options


def kept_by_note(store: Store, kind_key: str, record_id: int) -> str:
    """Which approved responses keep their own copy of a record, for whoever edits it; "" if
    none. Editing the record changes what drafts print, never what was approved."""
    try:
        kept = approved_record.responses_keeping(store, kind_key, record_id)
    except UserError:
        return ""
    if not kept:
        return ""
    names = "; ".join(f"{k.title}, {ResponseStatus.of(k.status).label.lower()}" for k in kept)
    one = len(kept) == 1
    return (
        f"{'This approved response keeps' if one else 'These approved responses keep'} "
        f"the facts as they were approved, and {'its' if one else 'their'} letter will not "
        f"show changes made here: {names}. Reopen {'it' if one else 'one'} to use the change."
    )


def keep_mine_after_conflict(parent: QWidget | None, kind: RecordKind, error: Conflict) -> bool:
    """Asks what to do when someone else saved first; True means save the user's fields anyway."""
    choice = errors.message(
        parent,
        "Changed by someone else",
        f"This {kind.label.lower()} was changed by someone else while you were editing it.",
        icon=QMessageBox.Icon.Warning,
        informative=(
            "Reload shows their version (what you typed here is discarded). "
            "Keep mine saves the fields you changed over theirs; their other changes stay.\n\n"
            f"{error}"
        ),
        buttons=Button.Reset | Button.Save,
        default=Button.Reset,
        labels={Button.Reset: "Reload", Button.Save: "Keep mine"},
    )
    return choice == Button.Save


def confirm_delete(parent: QWidget | None, store: Store, kind: RecordKind, record: Record) -> bool:
    """Asks before deleting, naming what goes with the record."""
    affected = records.dependents(store, kind.key, record.id)
    title = record.title or f"#{record.id}"
    if affected:
        informative = "Deleting it also affects:\n" + "\n".join(f"• {line}" for line in affected)
    else:
        informative = "No other records depend on it."
    informative += "\n\nThe history keeps a note of the deletion."
    answer = errors.ask(
        parent,
        f"Delete {kind.label.lower()}",
        f"Delete the {kind.label.lower()} “{title}”?",
        informative=informative,
        buttons=Button.Yes | Button.Cancel,
        default=Button.Cancel,
        labels={Button.Yes: "Delete"},
    )
    return answer == Button.Yes


def delete_record(parent: QWidget | None, store: Store, kind: RecordKind, record: Record) -> bool:
    """Confirms and deletes; True when the record is gone."""
    try:
        if not confirm_delete(parent, store, kind, record):
            return False
        # On a pool thread: a busy database makes the window wait, not freeze.
        wait_for(
            lambda: records.delete(store, kind.key, record.id, expected_version=record.version)
        )
    except UserError as exc:
        errors.show_error(parent, exc)
        return False
    return True


class RecordDialog(QDialog):
    """Adds or edits one record; Save is enabled only while every field is valid.

    Opened with open() (window-modal, non-blocking); `saved` carries the stored record.
    """

    saved = Signal(object)

    def __init__(
        self,
        store: Store,
        kind: RecordKind | str,
        *,
        record: Record | None = None,
        parent_id: int | None = None,
        references: Mapping[str, Sequence[tuple[int, str]]] | None = None,
        initial: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.kind = record_kind(kind) if isinstance(kind, str) else kind
        self.record = record
        self.parent_id = parent_id
        self.result_record: Record | None = None
        noun = self.kind.label.lower()
        if record is None:
            self.setWindowTitle(f"New {noun}")
        else:
            self.setWindowTitle(f"{self.kind.label}: {record.title or '#' + str(record.id)}")
        self.setSizeGripEnabled(True)

        self.form = RecordForm(self.kind, references=references, reserved_mnemonics="sc")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Not a Tab stop of its own: the dialog opens in the first field, and fields scroll
        # into view as Tab reaches them.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.kept_note = QLabel(
            kept_by_note(store, self.kind.key, record.id) if record is not None else ""
        )
        self.kept_note.setWordWrap(True)
        styled(self.kept_note, "color: {warning};")
        self.kept_note.setVisible(bool(self.kept_note.text()))
        if record is not None and self.kind.key == "evidence":
            # The field shows the name as attached; hidden reordering characters can make
            # "report<RLO>fdp.exe" read as a PDF, so say what it really is.
            shown = shown_name(str(record.get("filename") or ""))
            if shown != record.get("filename"):
                self.kept_note.setText(
                    f"This file name holds hidden characters that change how it reads. "
                    f"Its real name is “{shown}”."
                )
                self.kept_note.setVisible(True)
        self.hint = QLabel("Fields marked * are required.")
        styled(self.hint, "color: {muted};")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("&Cancel")

        layout = QVBoxLayout(self)
        layout.addWidget(self.kept_note)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form.validityChanged.connect(self.save_button.setEnabled)

        self.form.load(initial if record is None else record.values)
        self.save_button.setEnabled(self.form.is_valid())
        self.form.focus_first_field()
        # Sized to the form, within the screen: short forms need no scrolling.
        chars = self.fontMetrics().averageCharWidth()
        wanted = self.form.sizeHint().height() + self.buttons.sizeHint().height() * 3
        screen = self.screen().availableGeometry() if self.screen() else None
        limit = screen.height() * 85 // 100 if screen else wanted
        self.resize(chars * 95, min(wanted, limit))

    def accept(self) -> None:
        if not self.form.is_valid():
            self.form.reveal_problems()
            self.form.focus_first_problem()
            return
        try:
            self.result_record = self._save()
        except InvalidInput as exc:
            self.form.show_problems(exc.problems)
            return
        except Conflict as exc:
            self._resolve_conflict(exc)
            return
        except UserError as exc:
            errors.show_error(self, exc)
            return
        self.saved.emit(self.result_record)
        super().accept()

    def _save(self, expected_version: int | None = None) -> Record:
        """Saves on a pool thread; the dialog is disabled if a busy database holds it up."""
        store, key = self.store, self.kind.key
        if self.record is None:
            values, parent_id = self.form.values(), self.parent_id
            return wait_for(lambda: records.create(store, key, values, parent_id), busy=self)
        record_id, changes = self.record.id, self.form.changes()
        version = expected_version if expected_version is not None else self.record.version
        return wait_for(lambda: records.update(store, key, record_id, changes, version), busy=self)

    def _resolve_conflict(self, error: Conflict) -> None:
        assert self.record is not None
        try:
            fresh = records.get(self.store, self.kind.key, self.record.id)
        except UserError as exc:  # deleted meanwhile
            errors.show_error(self, exc)
            return
        if keep_mine_after_conflict(self, self.kind, error):
            mine = self.form.changes()
            self.record = fresh
            self.form.mark_saved(fresh.values)
            # Re-applying only the user's fields keeps their typing and the other person's rest.
            try:
                store, key = self.store, self.kind.key
                self.result_record = wait_for(
                    lambda: records.update(store, key, fresh.id, mine, fresh.version), busy=self
                )
            except UserError as exc:
                errors.show_error(self, exc)
                return
            self.saved.emit(self.result_record)
            super().accept()
        else:
            self.record = fresh
            self.form.load(fresh.values)

    def reject(self) -> None:
        if self.form.is_dirty() and not errors.confirm_discard(
            self,
            "Discard changes?",
            "You have typed changes that are not saved.",
            informative="Discard them, or go back and save?",
            stay="Keep editing",
        ):
            return
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in a one-line field saves only when Save is enabled; otherwise nothing happens.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.form.is_valid():
            self.form.reveal_problems()
            return
        super().keyPressEvent(event)
