"""The Evidence tab: documents attached by dialog or drag-and-drop, opened, copied and verified."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QWidget,
)

from app.services import evidence
from app.services.errors import UserError
from app.services.records import Record
from app.services.safe_files import Verdict, shown_name
from app.services.store import Store
from ui.common import errors
from ui.common.operations import run_in_background
from ui.common.table_model import AnyIndex, Column, RecordTableModel, field_column, human_size
from ui.records.panel import RecordPanel

Button = QMessageBox.StandardButton

HIDDEN_CHARACTERS = (
    "Its name as attached holds hidden characters that change how it reads; "
    "Jurisdesk leaves them out when it shows the name."
)


def hand_to_system(path: Path) -> bool:
    """Opens a file with the program the system uses for it; False when there is none."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _shown(record: Record) -> str:
    return shown_name(str(record.get("filename") or "")) or f"evidence #{record.id}"


def _explanation(verdict: Verdict) -> str:
    lines = [] if verdict.allowed else [verdict.reason]
    if verdict.hidden_characters:
        lines.append(HIDDEN_CHARACTERS)
    return "\n".join(lines)


class EvidenceTableModel(RecordTableModel):
    """The evidence list, with a warning on each file Jurisdesk will not open, and why."""

    def __init__(self, *args: Any, warning: QIcon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warning = warning
        self.verdicts: Mapping[int, Verdict] = {}

    def set_verdict(self, evidence_id: int, verdict: Verdict) -> None:
        self.verdicts = {**self.verdicts, evidence_id: verdict}
        row, column = self.row_of(evidence_id), self.column_of("filename")
        if row >= 0 and column >= 0:
            self.dataChanged.emit(self.index(row, column), self.index(row, column))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == self.column_of("filename"):
            record = self.record_at(index.row())
            verdict = self.verdicts.get(record.id) if record is not None else None
            if verdict is not None and record is not None:
                if role == Qt.ItemDataRole.DecorationRole and not verdict.allowed:
                    return self.warning
                if role == Qt.ItemDataRole.ToolTipRole:
                    # Never the name as stored: its hidden characters would mislead here too.
                    return "\n".join(filter(None, [_shown(record), _explanation(verdict)]))
            elif role == Qt.ItemDataRole.ToolTipRole and record is not None:
                return _shown(record)
        return super().data(index, role)


def _dropped_files(event: QDropEvent | QDragEnterEvent) -> list[Path]:
    data = event.mimeData()
    if not data.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]


class EvidencePanel(RecordPanel):
    """Evidence files of a jurisdiction; the bytes live in the database with their SHA-256."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, "evidence", parent=parent)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        # The shared panel builds a plain model; this one also knows which files stay closed.
        self.evidence_model = EvidenceTableModel(self.kind, self.columns({}), self, warning=warning)
        self.model = self.evidence_model
        self.proxy.setSourceModel(self.model)
        self._temp_folder: Path | None = None
        self.add_button.setText("&Attach file…")
        self.add_button.setToolTip("Attach a document (Insert); you can also drop files here.")
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open a copy in the program your computer uses for it.")
        self.save_copy_button = QPushButton("Save &copy…")
        self.save_copy_button.setToolTip("Write the stored file to a folder of your choice.")
        self.verify_button = QPushButton("Verif&y")
        self.verify_button.setToolTip("Check the stored file still matches its SHA-256.")
        # Buttons keep their natural width at the right, as the row's other buttons do.
        self.extra_buttons.addStretch()
        for button in (self.open_button, self.save_copy_button, self.verify_button):
            self.extra_buttons.addWidget(button)
        self.table.viewport().setAcceptDrops(True)
        self.table.viewport().installEventFilter(self)
        self.table.setToolTip("Drop files here to attach them.")
        self.open_button.clicked.connect(self.open_file)
        self.save_copy_button.clicked.connect(self.save_copy)
        self.verify_button.clicked.connect(self.verify)
        self._update_buttons()

    def columns(self, references: dict[str, dict[int, str]]) -> list[Column]:
        kind = self.kind

        def sha(record: Record) -> str:
            value = str(record.get("sha256") or "")
            return value[:16] + "…" if value else ""

        filename = kind.field("filename")
        return [
            # Shown without hidden characters: "report<RLO>fdp.exe" must not read as a PDF.
            Column("filename", filename.label, _shown, _shown, tooltip=filename.help),
            Column("media_type", "Type", lambda r: str(r.get("media_type") or ""),
                   lambda r: r.get("media_type")),
            Column("size", "Size", lambda r: human_size(r.get("size")), lambda r: r.get("size"),
                   numeric=True),
            Column("sha256", "SHA-256", sha, lambda r: r.get("sha256"),
                   tooltip="Fingerprint of the file when it was attached"),
            field_column(kind.field("obtained_from")),
            field_column(kind.field("obtained_on")),
            field_column(kind.field("instrument_id"), references.get("instrument_id")),
            field_column(kind.field("description")),
        ]  # fmt: skip

    def _update_empty(self) -> None:
        super()._update_empty()
        if self.parent_id is not None and self.model.rowCount() == 0:
            self.empty_label.setText(
                "No evidence yet. Press “Attach file” or drop documents onto the table."
            )

    def refresh(self) -> None:
        found = {} if self.parent_id is None else evidence.verdicts(self.store, self.parent_id)
        self.evidence_model.verdicts = found
        super().refresh()

    def current_verdict(self) -> Verdict | None:
        record = self.current_record()
        return None if record is None else self.evidence_model.verdicts.get(record.id)

    def _update_buttons(self) -> None:
        super()._update_buttons()
        has_record = self.current_record() is not None
        for name in ("open_button", "save_copy_button", "verify_button"):
            button = getattr(self, name, None)
            if button is not None:
                button.setEnabled(has_record)
        if getattr(self, "open_button", None) is not None:
            verdict = self.current_verdict()
            self.open_button.setToolTip(
                "This file could run a program, so Jurisdesk does not open it; save a copy instead."
                if verdict is not None and not verdict.allowed
                else "Open a copy in the program your computer uses for it."
            )

    # -- attaching ------------------------------------------------------------------------

    def add_record(self) -> None:  # attaching opens no record dialog, so none is returned
        if self.parent_id is None:
            return
        names, _filter = QFileDialog.getOpenFileNames(
            self, "Attach evidence files", "", "All files (*)"
        )
        self.attach_files([Path(name) for name in names])

    def attach_files(self, paths: list[Path]) -> None:
        """Attaches each file off the GUI thread (files can be large)."""
        jurisdiction_id = self.parent_id
        if jurisdiction_id is None:
            return
        for path in paths:
            if path.is_dir():
                errors.show_error(self, _folder_error(path))
                continue
            run_in_background(
                self,
                f"Attaching {shown_name(path.name)}…",
                partial(evidence.attach_file, self.store, jurisdiction_id, path),
                self._attached,
            )

    def _attached(self, record: Record) -> None:
        self.refresh()
        self.select_record(record.id)
        self.statusMessage.emit(
            f"Attached {_shown(record)} ({human_size(record.get('size'))}). "
            "Press Enter to describe it."
        )
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table.viewport()
            and self.parent_id is not None
            and isinstance(event, QDragEnterEvent | QDropEvent)
            and _dropped_files(event)
        ):
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self.attach_files(_dropped_files(event))
            return True
        return super().eventFilter(watched, event)

    # -- using the stored file ------------------------------------------------------------

    def open_file(self) -> Path | None:
        """Writes a copy to a private temporary folder and opens it with the system's viewer.

        A file that could run a program is never handed to the system; the user is offered to
        save a copy instead.
        """
        record = self.current_record()
        if record is None:
            return None
        if self._temp_folder is None:
            self._temp_folder = Path(tempfile.mkdtemp(prefix="jurisdesk-evidence-"))
        folder = self._temp_folder / str(record.id)
        try:
            folder.mkdir(exist_ok=True)
            target = evidence.copy_for_opening(self.store, record.id, folder)
        except evidence.WouldRunProgram as refused:
            self._refuse_to_open(record, refused)
            return None
        except OSError as exc:
            errors.show_error(self, UserError(f"Cannot write to {folder}: {exc.strerror}."))
            return None
        except Exception as exc:
            errors.show_error(self, exc)
            return None
        if not hand_to_system(target):
            self._message(
                "Cannot open the file",
                f"No program on this computer opens {target.suffix or 'this kind of'} files.",
                informative=f"A copy was written to {target}; use Save copy to keep it elsewhere.",
                icon=QMessageBox.Icon.Warning,
            )
        self.statusMessage.emit(f"Opened a copy of {_shown(record)}.")
        return target

    def _refuse_to_open(self, record: Record, refused: evidence.WouldRunProgram) -> None:
        # Opening judged the whole file, which may have found what the list's quick look did not.
        self.evidence_model.set_verdict(record.id, refused.verdict)
        self._update_buttons()
        self.statusMessage.emit(f"Not opened: {_shown(record)} could run a program.")
        answer = self._message(
            "File not opened",
            str(refused),
            informative=f"“{_shown(record)}”\n{_explanation(refused.verdict)}",
            icon=QMessageBox.Icon.Warning,
            buttons=Button.Save | Button.Cancel,
            default=Button.Save,
            labels={Button.Save: "Save a copy…"},
        )
        if answer == Button.Save:
            self.save_copy()

    def save_copy(self) -> None:
        record = self.current_record()
        if record is None:
            return
        name = evidence.copy_name(str(record.get("filename") or ""), record.id)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save a copy of the evidence", str(Path.home() / name)
        )
        if not chosen:
            return
        target = Path(chosen)
        run_in_background(
            self,
            f"Saving {target.name}…",
            lambda: evidence.save_copy(self.store, record.id, target),
            lambda path: self.statusMessage.emit(f"Saved a copy to {path}."),
        )

    def verify(self) -> None:
        record = self.current_record()
        if record is None:
            return
        run_in_background(
            self,
            f"Checking {_shown(record)}…",
            lambda: evidence.verify(self.store, record.id),
            lambda ok: self._verified(record, ok),
        )

    def _verified(self, record: Record, ok: bool) -> None:
        name = _shown(record)
        if ok:
            self.statusMessage.emit(f"Verified: {name} matches its SHA-256.")
            self._message(
                "File verified",
                f"{name} is intact: it matches the SHA-256 recorded when it was attached.",
                informative=f"SHA-256 {record.get('sha256')}",
            )
        else:
            self.statusMessage.emit(f"Warning: {name} does not match its SHA-256.")
            self._message(
                "File does not match",
                f"{name} no longer matches the SHA-256 recorded when it was attached.",
                icon=QMessageBox.Icon.Warning,
                informative="The stored copy may be damaged. Attach the original document again "
                "and keep a backup copy of the database.",
            )

    def _message(self, title: str, text: str, **options: Any) -> Button:
        return errors.message(self, title, text, **options)

    def extend_context_menu(self, menu: QMenu) -> None:
        menu.addSeparator()
        for button in (self.open_button, self.save_copy_button, self.verify_button):
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)


def _folder_error(path: Path) -> Exception:
    return UserError(f"{path.name} is a folder; attach the documents inside it instead.")
