"""The Evidence tab: documents attached by dialog or drag-and-drop, opened, copied and verified."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QPushButton, QWidget

from app.services import evidence
from app.services.errors import UserError
from app.services.records import Record
from app.services.store import Store
from ui.common import errors
from ui.common.operations import run_in_background
from ui.common.table_model import Column, field_column, human_size
from ui.records.panel import RecordPanel


def _dropped_files(event: QDropEvent | QDragEnterEvent) -> list[Path]:
    data = event.mimeData()
    if not data.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]


class EvidencePanel(RecordPanel):
    """Evidence files of a jurisdiction; the bytes live in the database with their SHA-256."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, "evidence", parent=parent)
        self._temp_folder: Path | None = None
        self.add_button.setText("&Attach file…")
        self.add_button.setToolTip("Attach a document (Insert); you can also drop files here.")
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open a copy in the program your computer uses for it.")
        self.save_copy_button = QPushButton("Save cop&y…")
        self.save_copy_button.setToolTip("Write the stored file to a folder of your choice.")
        self.verify_button = QPushButton("&Verify")
        self.verify_button.setToolTip("Check the stored file still matches its SHA-256.")
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

        return [
            field_column(kind.field("filename")),
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

    def _update_buttons(self) -> None:
        super()._update_buttons()
        has_record = self.current_record() is not None
        for name in ("open_button", "save_copy_button", "verify_button"):
            button = getattr(self, name, None)
            if button is not None:
                button.setEnabled(has_record)

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
                f"Attaching {path.name}…",
                partial(evidence.attach_file, self.store, jurisdiction_id, path),
                self._attached,
            )

    def _attached(self, record: Record) -> None:
        self.refresh()
        self.select_record(record.id)
        self.statusMessage.emit(
            f"Attached {record.title} ({human_size(record.get('size'))}). "
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
        """Writes a copy to a private temporary folder and opens it with the system's viewer."""
        record = self.current_record()
        if record is None:
            return None
        if self._temp_folder is None:
            self._temp_folder = Path(tempfile.mkdtemp(prefix="jurisdesk-evidence-"))
        folder = self._temp_folder / str(record.id)
        folder.mkdir(exist_ok=True)
        target = folder / (Path(str(record.get("filename") or "")).name or f"evidence-{record.id}")
        try:
            evidence.save_copy(self.store, record.id, target)
        except Exception as exc:
            errors.show_error(self, exc)
            return None
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            errors.message(
                self,
                "Cannot open the file",
                f"No program on this computer opens {target.suffix or 'this kind of'} files.",
                icon=QMessageBox.Icon.Warning,
                informative=f"A copy was written to {target}; use Save copy to keep it elsewhere.",
            )
        self.statusMessage.emit(f"Opened a copy of {record.title}.")
        return target

    def save_copy(self) -> None:
        record = self.current_record()
        if record is None:
            return
        suggested = str(Path.home() / Path(str(record.get("filename") or "evidence")).name)
        name, _filter = QFileDialog.getSaveFileName(self, "Save a copy of the evidence", suggested)
        if not name:
            return
        target = Path(name)
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
            f"Checking {record.title}…",
            lambda: evidence.verify(self.store, record.id),
            lambda ok: self._verified(record, ok),
        )

    def _verified(self, record: Record, ok: bool) -> None:
        if ok:
            self.statusMessage.emit(f"Verified: {record.title} matches its SHA-256.")
            errors.message(
                self,
                "File verified",
                f"{record.title} is intact: it matches the SHA-256 recorded when it was attached.",
                informative=f"SHA-256 {record.get('sha256')}",
            )
        else:
            self.statusMessage.emit(f"Warning: {record.title} does not match its SHA-256.")
            errors.message(
                self,
                "File does not match",
                f"{record.title} no longer matches the SHA-256 recorded when it was attached.",
                icon=QMessageBox.Icon.Warning,
                informative="The stored copy may be damaged. Attach the original document again "
                "and keep a backup copy of the database.",
            )

    def extend_context_menu(self, menu: QMenu) -> None:
        menu.addSeparator()
        for button in (self.open_button, self.save_copy_button, self.verify_button):
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)


def _folder_error(path: Path) -> Exception:
    return UserError(f"{path.name} is a folder; attach the documents inside it instead.")
