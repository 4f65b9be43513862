"""`jurisdesk export` and `export-comparison` run as real commands in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from openpyxl import load_workbook

from app.services.store import open_store
from tests.report_data import PSP, build_sample_data

ROOT = Path(__file__).resolve().parent.parent


def jurisdesk(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    path = tmp_path_factory.mktemp("cli") / "jurisdesk.sqlite"
    store = open_store(path, actor="Test Clerk")
    try:
        approved, draft = build_sample_data(store)
    finally:
        store.close()
    return path, approved, draft


def test_export_letter_report_and_workbook(
    sample_db: tuple[Path, int, int], tmp_path: Path
) -> None:
    db, approved, _draft = sample_db
    letter = tmp_path / "letter.pdf"
    done = jurisdesk(db, "export", "--response", str(approved), "--format", "pdf",
                     "--kind", "letter", "--out", str(letter), "--paper", "a4")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Filed: SHA-256" in done.stdout
    reader = pypdf.PdfReader(letter)
    assert round(float(reader.pages[0].mediabox.height)) == 842
    assert "Prisoner Transport Center" in "".join(p.extract_text() for p in reader.pages)

    report = tmp_path / "report.pdf"
    done = jurisdesk(db, "export", "--response", str(approved), "--format", "pdf",
                     "--kind", "report", "--out", str(report))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Evidence index" in "".join(p.extract_text() for p in pypdf.PdfReader(report).pages)

    book = tmp_path / "book.xlsx"
    done = jurisdesk(db, "export", "--response", str(approved), "--format", "xlsx",
                     "--out", str(book))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert load_workbook(book).sheetnames[0] == "Summary"

    comparison = tmp_path / "comparison.xlsx"
    done = jurisdesk(db, "export-comparison", "--questionnaire", PSP, "--out", str(comparison))
    assert done.returncode == 0, done.stderr
    assert load_workbook(comparison).sheetnames == [
        "Matrix",
        "Legend",
        "Answers by facility",
        "Narratives",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--response", "999", "--format", "pdf", "--out", "{out}/x.pdf"],
         "no response with id 999"),
        (["export", "--response", "1", "--format", "doc", "--out", "{out}/x.doc"],
         "invalid choice: 'doc'"),
        (["export", "--response", "1", "--format", "pdf", "--out", "{out}/missing/x.pdf"],
         "does not exist"),
        (["export", "--response", "1", "--format", "pdf", "--out", "{out}/x.pdf",
          "--paper", "legal"], "invalid choice: 'legal'"),
        (["export-comparison", "--questionnaire", "nope", "--out", "{out}/c.xlsx"],
         "no questionnaire"),
    ],
)  # fmt: skip
def test_errors_exit_2_with_one_line_and_no_file(
    sample_db: tuple[Path, int, int], tmp_path: Path, args: list[str], message: str
) -> None:
    db, _approved, _draft = sample_db
    out = tmp_path / "out"
    out.mkdir()
    done = jurisdesk(db, *(a.replace("{out}", str(out)) for a in args))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("jurisdesk")
    assert message in lines[0]
    assert list(out.iterdir()) == []


def test_unwritable_folder_exits_2_and_leaves_nothing(
    sample_db: tuple[Path, int, int], tmp_path: Path
) -> None:
    if os.name == "nt":
        pytest.skip("folder permissions are POSIX here")
    db, approved, _draft = sample_db
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):
            # root ignores permission bits; a path under a regular file is unwritable for all.
            target = tmp_path / "file.txt"
            target.write_text("not a folder")
            out = target / "x.pdf"
        else:
            out = locked / "x.pdf"
        done = jurisdesk(db, "export", "--response", str(approved), "--format", "pdf",
                         "--out", str(out))  # fmt: skip
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Cannot write" in done.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_export_letter_as_word(sample_db: tuple[Path, int, int], tmp_path: Path) -> None:
    import docx

    db, _approved, draft = sample_db
    letter = tmp_path / "letter.docx"
    done = jurisdesk(db, "export", "--response", str(draft), "--format", "docx",
                     "--kind", "letter", "--out", str(letter))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Exported to {letter}" in done.stdout
    document = docx.Document(str(letter))
    text = "\n".join(p.text for p in document.paragraphs)
    for table in document.tables:
        text += "\n".join(cell.text for row in table.rows for cell in row.cells)
    assert "Baltimore" in text  # the draft response's jurisdiction


def test_word_export_is_only_for_the_letter(
    sample_db: tuple[Path, int, int], tmp_path: Path
) -> None:
    db, approved, _draft = sample_db
    out = tmp_path / "report.docx"
    done = jurisdesk(db, "export", "--response", str(approved), "--format", "docx",
                     "--kind", "report", "--out", str(out))  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--format docx writes the response letter only" in lines[0]
    assert not out.exists()
