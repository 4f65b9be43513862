"""packaging/notices.py names every bundled distribution with its licence and the full text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULE = "=" * 78


@pytest.fixture(scope="module")
def notices(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("notices") / "THIRD-PARTY-NOTICES.txt"
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "notices.py"), "--out", str(out)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return out.read_text(encoding="utf-8")


def _section(text: str, title_start: str) -> str:
    """The body of the section whose title line starts with title_start."""
    marker = f"{RULE}\n{title_start}"
    start = text.index(marker)
    body_start = text.index(f"{RULE}\n", start + len(RULE) + 1) + len(RULE) + 1
    end = text.find(f"\n{RULE}\n", body_start)
    return text[body_start : end if end != -1 else None]


@pytest.mark.parametrize(
    ("title", "licence", "phrase"),
    [
        ("PySide6_Essentials ", "LGPL-3.0", "LGPL version 3"),
        ("reportlab ", "BSD", "Redistribution and use in source and binary forms"),
        ("SQLAlchemy ", "MIT", "Permission is hereby granted"),
    ],
)
def test_each_distribution_has_its_licence_and_text(
    notices: str, title: str, licence: str, phrase: str
) -> None:
    body = _section(notices, title)
    assert "Version:" in body
    assert licence in body.split("Licence:", 1)[1].splitlines()[0]
    assert phrase in body


def test_qt_is_under_the_lgpl_with_its_text_and_where_to_get_the_source(notices: str) -> None:
    body = _section(notices, "Qt and Qt for Python")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in body
    assert "GNU GENERAL PUBLIC LICENSE" in body
    assert "https://download.qt.io/official_releases/qt/" in body
    assert "replace" in body


def test_python_and_the_fonts_are_named(notices: str) -> None:
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in _section(notices, "Python 3.")
    assert "Bitstream" in _section(notices, "DejaVu fonts")


def test_build_tools_are_left_out(notices: str) -> None:
    titles = {line.split(" ")[0].lower() for line in notices.split(f"{RULE}\n")[1::2]}
    assert not {"pip", "setuptools", "pyinstaller", "jurisdesk"} & titles
