"""Opening and copying stored evidence: programs are refused, names on disk are safe."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from app.services import evidence, records
from app.services.safe_files import HEAD_BYTES, NAME_LIMIT, OPEN_NAME_LIMIT
from app.services.store import Store

pytestmark = pytest.mark.both_stores

PDF = b"%PDF-1.4\n" + b"Bernalillo County MDC policy\n" * 50
PE = b"MZ\x90\x00" + b"\x00" * 60


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder beside the test's database."""
    path = tmp_path / "opened"
    path.mkdir()
    return path


@pytest.fixture
def jurisdiction(store: Store) -> int:
    return records.create(
        store, "jurisdiction", {"name": "City of Albuquerque", "kind": "city", "state": "NM"}
    ).id


def test_a_pdf_is_copied_for_opening_under_its_own_name(
    store: Store, jurisdiction: int, folder: Path
) -> None:
    doc = evidence.attach_bytes(store, jurisdiction, "MDC ICE access policy.pdf", PDF)
    target = evidence.copy_for_opening(store, doc.id, folder)
    assert target == folder / "MDC ICE access policy.pdf"
    assert target.read_bytes() == PDF
    assert [p.name for p in folder.iterdir()] == [target.name]  # no part file left behind


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("report\u202efdp.exe", PE),
        ("notes.pdf", b"\x7fELF\x02\x01\x01\x00"),
        ("policy.hta", b"<html><hta:application/></html>"),
        ("agenda.txt.lnk", b"L\x00\x00\x00\x01\x14\x02\x00"),
        ("evidence", PE),
    ],
)
def test_a_program_is_refused_and_nothing_is_written(
    store: Store, jurisdiction: int, folder: Path, filename: str, content: bytes
) -> None:
    doc = evidence.attach_bytes(store, jurisdiction, filename, content)
    with pytest.raises(evidence.WouldRunProgram) as refused:
        evidence.copy_for_opening(store, doc.id, folder)
    assert str(refused.value) == (
        "This file could run a program on this PC, so Jurisdesk does not open it. "
        "Save a copy to look at it with care."
    )
    assert not refused.value.verdict.allowed
    assert refused.value.filename == filename
    assert list(folder.iterdir()) == []


def test_the_record_keeps_the_name_exactly_as_attached(store: Store, jurisdiction: int) -> None:
    name = "report\u202efdp.exe"
    doc = evidence.attach_bytes(store, jurisdiction, name, PE)
    (stored,) = records.list_records(store, "evidence", jurisdiction)
    assert stored["filename"] == name
    assert doc.title == name
    assert evidence.copy_name(name, doc.id) == "reportfdp.exe"


def test_lists_judge_every_file_of_the_jurisdiction(store: Store, jurisdiction: int) -> None:
    pdf = evidence.attach_bytes(store, jurisdiction, "policy.pdf", PDF)
    exe = evidence.attach_bytes(store, jurisdiction, "report\u202efdp.exe", PE)
    elf = evidence.attach_bytes(store, jurisdiction, "notes.pdf", b"\x7fELF")
    empty = evidence.attach_bytes(store, jurisdiction, "empty.txt", b"")
    other = records.create(
        store, "jurisdiction", {"name": "City of Chicago", "kind": "city", "state": "IL"}
    )
    evidence.attach_bytes(store, other.id, "x.exe", PE)
    verdicts = evidence.verdicts(store, jurisdiction)
    assert {key: v.allowed for key, v in verdicts.items()} == {
        pdf.id: True,
        exe.id: False,
        elf.id: False,
        empty.id: True,
    }
    assert verdicts[exe.id].hidden_characters


def test_macros_deep_in_a_document_are_found_when_opening(
    store: Store, jurisdiction: int, folder: Path
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/scan.png", random.Random(1).randbytes(3 * HEAD_BYTES))
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    doc = evidence.attach_bytes(store, jurisdiction, "memo.docx", buffer.getvalue())
    assert evidence.verdicts(store, jurisdiction)[doc.id].allowed  # the list's quick look
    with pytest.raises(evidence.WouldRunProgram) as refused:
        evidence.copy_for_opening(store, doc.id, folder)
    assert "macros" in refused.value.verdict.reason


def test_long_multibyte_names_fit_the_file_system(
    store: Store, jurisdiction: int, folder: Path
) -> None:
    name = "法" * 250 + ".pdf"  # 254 characters, 754 bytes in UTF-8
    doc = evidence.attach_bytes(store, jurisdiction, name, PDF)
    opened = evidence.copy_for_opening(store, doc.id, folder)
    assert len(opened.name.encode()) <= OPEN_NAME_LIMIT
    assert opened.suffix == ".pdf"
    assert opened.read_bytes() == PDF

    copy_name = evidence.copy_name(name, doc.id)
    assert len(copy_name.encode()) <= NAME_LIMIT
    # A name as long as the file system allows still saves: the part file is short.
    saved = evidence.save_copy(store, doc.id, folder / copy_name)
    assert saved.read_bytes() == PDF


def test_a_name_with_nothing_left_falls_back_to_the_record_number(
    store: Store, jurisdiction: int, folder: Path
) -> None:
    doc = evidence.attach_bytes(store, jurisdiction, "\u202e...", PDF)
    assert evidence.copy_for_opening(store, doc.id, folder).name == f"evidence-{doc.id}"
    assert evidence.copy_name("::.pdf", doc.id) == "__.pdf"
    assert evidence.copy_name(".pdf", doc.id) == f"evidence-{doc.id}.pdf"
