"""Evidence through the GUI: attach (dialog and drag-and-drop), open, save a copy, verify.

Files that could run a program are never handed to the system; the user is offered a copy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.services import evidence, records
from app.services.store import Store
from ui import evidence_panel
from ui.common import errors

CONTENT = "Bernalillo County MDC — ICE access policy, 2009.\n".encode() * 400


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "incoming" / "MDC ICE access policy.pdf"
    path.parent.mkdir()
    path.write_bytes(CONTENT)
    return path


@pytest.fixture
def evidence_tab(window, store: Store):
    albuquerque = records.create(
        store, "jurisdiction", {"name": "City of Albuquerque", "kind": "city", "state": "NM"}
    )
    window.navigator.refresh()
    window.select_jurisdiction(albuquerque.id)
    window.show_tab("evidence")
    return window.evidence


def test_attach_verify_and_save_copy(
    qtbot, evidence_tab, store: Store, document: Path, tmp_path: Path, choose_file, dialogs
) -> None:
    panel = evidence_tab
    choose_file("getOpenFileNames", [document])
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)

    (stored,) = records.list_records(store, "evidence", panel.parent_id)
    assert stored["filename"] == "MDC ICE access policy.pdf"
    assert stored["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    model = panel.model
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[:4] == [
        "MDC ICE access policy.pdf",
        "application/pdf",
        "19.9 KB",
        stored["sha256"][:16] + "…",
    ]
    assert model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == stored["sha256"]
    assert panel.current_record().id == stored.id  # the new file is selected
    assert "Attached MDC ICE access policy.pdf" in panel.window().statusBar().currentMessage()

    qtbot.mouseClick(panel.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialogs.titles == ["File verified"], timeout=5000)

    copy = tmp_path / "copy.pdf"
    choose_file("getSaveFileName", copy)
    qtbot.mouseClick(panel.save_copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(copy.exists, timeout=5000)
    assert copy.read_bytes() == CONTENT


def test_open_writes_a_temporary_copy_and_opens_it(
    qtbot, evidence_tab, document: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    evidence_tab.attach_files([document])
    qtbot.waitUntil(lambda: evidence_tab.model.rowCount() == 1, timeout=5000)
    target = evidence_tab.open_file()
    assert target is not None
    assert target.read_bytes() == CONTENT
    assert target.name == document.name
    assert opened == [QUrl.fromLocalFile(str(target))]


def test_drop_files_onto_the_table_attaches_them(
    qtbot, evidence_tab, store: Store, document: Path
) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(document))])
    viewport = evidence_tab.table.viewport()
    where = QPoint(10, 10)
    # As a real drag does: enter (accepted, since these are files), then drop.
    # Qt's drag-enter event takes a whole-pixel point, its drop event a fractional one.
    enter = QDragEnterEvent(
        where, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(where),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, drop)
    qtbot.waitUntil(lambda: evidence_tab.model.rowCount() == 1, timeout=5000)
    assert [r.title for r in records.list_records(store, "evidence", evidence_tab.parent_id)] == [
        document.name
    ]


def test_verify_warns_when_the_stored_file_does_not_match(
    qtbot, evidence_tab, document: Path, dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import evidence

    evidence_tab.attach_files([document])
    qtbot.waitUntil(lambda: evidence_tab.model.rowCount() == 1, timeout=5000)
    monkeypatch.setattr(evidence, "verify", lambda store, evidence_id: False)
    evidence_tab.verify()
    qtbot.waitUntil(lambda: dialogs.titles == ["File does not match"], timeout=5000)


def test_a_folder_is_refused_with_a_message(qtbot, evidence_tab, tmp_path: Path, dialogs) -> None:
    evidence_tab.attach_files([tmp_path])
    assert dialogs.shown[-1].text.endswith("is a folder; attach the documents inside it instead.")
    assert evidence_tab.model.rowCount() == 0


PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56
BLOCKED = [
    pytest.param("report\u202efdp.exe", PE, "reportfdp.exe", ".exe: it is a Windows", id="rlo"),
    pytest.param("notes.pdf", b"\x7fELF\x02\x01", "notes.pdf", "itself is a Linux", id="elf"),
    pytest.param(
        "Policy.desktop", b"[Desktop Entry]\nExec=sh\n", "Policy.desktop", "a shortcut",
        id="desktop",
    ),
    pytest.param(
        "agenda.pdf.lnk", b"L\x00\x00\x00\x01\x14\x02\x00", "agenda.pdf.lnk", "a shortcut",
        id="lnk",
    ),
    pytest.param("install.bat", b"@echo off\r\n", "install.bat", "a script", id="bat"),
]  # fmt: skip


@pytest.fixture
def opener(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every file handed to the system's programs; none is really opened."""
    handed: list[object] = []
    monkeypatch.setattr(evidence_panel, "hand_to_system", lambda path: handed.append(path) or True)
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: handed.append(url) or True)
    )
    return handed


@pytest.fixture
def save_dialog(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The name each save dialog suggested; the copy goes to tmp_path/copies under that name."""
    suggested: list[str] = []
    (tmp_path / "copies").mkdir()

    def save_file_name(_parent, _caption, proposed, *args, **kwargs):
        suggested.append(proposed)
        return str(tmp_path / "copies" / Path(proposed).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_file_name))
    return suggested


def _attach(panel, store: Store, filename: str, content: bytes) -> int:
    record = evidence.attach_bytes(store, panel.parent_id, filename, content)
    panel.refresh()
    assert panel.select_record(record.id)
    return record.id


@pytest.mark.parametrize(("filename", "content", "shown", "reason"), BLOCKED)
def test_open_never_hands_a_program_to_the_system_and_offers_a_copy(
    qtbot, evidence_tab, store: Store, dialogs, opener, save_dialog, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, filename: str, content: bytes, shown: str, reason: str,
) -> None:  # fmt: skip
    _attach(evidence_tab, store, filename, content)
    offered: list[list[str]] = []

    def present(box: QMessageBox) -> int:
        offered.append([button.text() for button in box.buttons()])
        return dialogs(box)

    monkeypatch.setattr(errors, "present", present)
    dialogs.answer(QMessageBox.StandardButton.Save)
    qtbot.mouseClick(evidence_tab.open_button, Qt.MouseButton.LeftButton)

    assert opener == []
    (refusal,) = dialogs.shown
    assert refusal.title == "File not opened"
    assert sorted(offered[0]) == ["Cancel", "Save a copy…"]
    assert refusal.text == (
        "This file could run a program on this PC, so Jurisdesk does not open it. "
        "Save a copy to look at it with care."
    )
    assert refusal.informative.startswith(f"“{shown}”\n")
    assert reason in refusal.informative
    assert "\u202e" not in refusal.informative
    # Nothing was written where the system's programs would look.
    temporary = evidence_tab._temp_folder
    assert temporary is None or not any(temporary.rglob("*.*"))

    assert [Path(name).name for name in save_dialog] == [shown]
    copy = tmp_path / "copies" / shown
    qtbot.waitUntil(copy.exists, timeout=5000)
    assert copy.read_bytes() == content
    assert opener == []


def test_declining_the_copy_saves_nothing(
    qtbot, evidence_tab, store: Store, dialogs, opener, save_dialog
) -> None:
    _attach(evidence_tab, store, "report\u202efdp.exe", PE)
    dialogs.answer(QMessageBox.StandardButton.Cancel)
    assert evidence_tab.open_file() is None
    assert dialogs.titles == ["File not opened"]
    assert save_dialog == []
    assert opener == []


def test_the_list_shows_the_real_name_with_a_warning(
    qtbot, evidence_tab, store: Store, opener
) -> None:
    _attach(evidence_tab, store, "MDC policy.pdf", CONTENT)
    blocked_id = _attach(evidence_tab, store, "report\u202efdp.exe", PE)
    model = evidence_tab.model
    column = model.column_of("filename")
    rows = {model.record_at(row).id: row for row in range(model.rowCount())}
    blocked = model.index(rows[blocked_id], column)
    assert blocked.data() == "reportfdp.exe"
    assert not blocked.data(Qt.ItemDataRole.DecorationRole).isNull()
    tooltip = blocked.data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("reportfdp.exe\nIts name ends in .exe: it is a Windows program.")
    assert "hidden characters" in tooltip
    assert "\u202e" not in tooltip
    assert "save a copy" in evidence_tab.open_button.toolTip()

    pdf = model.index(1 - rows[blocked_id], column)
    assert pdf.data() == "MDC policy.pdf"
    assert pdf.data(Qt.ItemDataRole.DecorationRole) is None
    assert pdf.data(Qt.ItemDataRole.ToolTipRole) == "MDC policy.pdf"
    # The record still holds the name exactly as attached.
    assert records.get(store, "evidence", blocked_id)["filename"] == "report\u202efdp.exe"


def test_a_pdf_still_opens_through_the_system(
    qtbot, evidence_tab, store: Store, dialogs, opener
) -> None:
    _attach(evidence_tab, store, "CON.pdf", CONTENT)
    qtbot.mouseClick(evidence_tab.open_button, Qt.MouseButton.LeftButton)
    assert dialogs.shown == []
    (target,) = opener
    assert isinstance(target, Path)
    assert target.name == "_CON.pdf"  # a Windows device name made safe
    assert target.read_bytes() == CONTENT


def test_the_edit_dialog_says_what_a_disguised_name_really_is(
    qtbot, evidence_tab, store: Store
) -> None:
    from ui.records.dialog import RecordDialog

    attached = evidence.attach_bytes(
        store, evidence_tab.parent_id, "report\u202efdp.exe", b"MZ fake program"
    )
    dialog = RecordDialog(store, "evidence", record=attached)
    qtbot.addWidget(dialog)
    assert not dialog.kept_note.isHidden()
    assert "Its real name is “reportfdp.exe”" in dialog.kept_note.text()
