"""Evidence through the GUI: attach (dialog and drag-and-drop), open, save a copy, verify."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.services import records
from app.services.store import Store

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
