"""Every script a user types prints in the PDF exports: Latin, Greek, Cyrillic, Hebrew, Arabic
(joined, right to left), Chinese, Japanese, Korean Hangul and emoji in monochrome, each set in a
font that has its glyphs and embedded as a subset. Checked on real exports read back with
poppler (pdffonts, pdftotext, pdftoppm) and pypdf."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import paragraph as platypus

from app.reports import fonts
from app.reports.bidi import visual
from app.reports.paragraph import Paragraph
from app.reports.pdf_layout import rich
from app.reports.text import joined
from tests.report_data import letter_and_report

SAMPLES = {
    "greek": "Ελληνικά",
    "russian": "Русский",
    "hebrew": "עברית",
    "arabic": "العربية",
    "korean": "한국어",
    "chinese": "中文",
    "japanese": "日本語",
    "emoji": "😀✅",
}
# The font each script is drawn in (subset names are "ABCDEF+<font>").
EXPECTED_FONT = {
    "greek": "DejaVuSerif",
    "russian": "DejaVuSerif",
    "hebrew": "DejaVuSans",
    "arabic": "DejaVuSans",
    "korean": "NanumSquareR",
    "chinese": "DroidSansFallback",
    "japanese": "DroidSansFallback",
    "emoji": None,  # 😀 is in DejaVu Sans, ✅ only in Symbola
}
NARRATIVE = "Scripts: " + ", ".join(SAMPLES.values()) + ". Arabic with lam-alef: لا إله end."
# The presentation forms of العربية in drawing order (left to right on the page).
ARABIC_DRAWN = "\ufe94\ufef4\ufe91\ufeae\ufecc\ufedf\ufe8d"
UNASSIGNED = "\u0378"  # no font has it: drawn as the .notdef box

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm")),
    reason="poppler-utils (pdffonts, pdftotext, pdftoppm) is not installed",
)


@dataclass(frozen=True)
class Exports:
    letter: Path
    report: Path


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    folder = tmp_path_factory.mktemp("scripts")
    facility = f"Holding {SAMPLES['korean']} 😀✅"
    return Exports(*letter_and_report(folder, facility, NARRATIVE))


def run(*args: str | Path) -> str:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True)
    return result.stdout


def pdffonts(path: Path) -> list[tuple[str, str, str]]:
    """(name, emb, sub) of every font in the PDF."""
    lines = run("pdffonts", path).splitlines()[2:]
    rows = []
    for line in lines:
        cells = line.split()
        # name type... encoding emb sub uni object-number generation
        rows.append((cells[0], cells[-5], cells[-4]))
    return rows


def drawn_fonts(path: Path) -> list[tuple[str, str]]:
    """(text, font name without the subset tag) of every piece of text drawn, in stream order."""
    pieces: list[tuple[str, str]] = []
    for page in pypdf.PdfReader(path).pages:

        def visit(text: str, _cm: object, _tm: object, font: object, _size: object) -> None:
            if text.strip() and font is not None:
                base = str(font.get("/BaseFont", ""))  # type: ignore[attr-defined]
                pieces.append((text, base.lstrip("/").split("+")[-1]))

        page.extract_text(visitor_text=visit)
    return pieces


def render(markup: str, folder: Path, name: str, *, as_given_right: bool = False) -> list[bytes]:
    """The rows of pixels (grey, 100 dpi) of a small page holding one paragraph of `markup`,
    set as the exports set it; as_given_right: drawn in the order given, against the right
    margin as a right-to-left paragraph is."""
    fonts.register()
    pdf = folder / f"{name}.pdf"
    doc = SimpleDocTemplate(
        str(pdf), pagesize=(220, 60), leftMargin=10, rightMargin=10, topMargin=10, bottomMargin=10
    )
    style = ParagraphStyle("s", fontName=fonts.SERIF, fontSize=16)
    if as_given_right:
        paragraph = platypus.Paragraph(markup, ParagraphStyle("r", style, alignment=TA_RIGHT))
    else:
        paragraph = Paragraph(markup, style)
    doc.build([paragraph])
    run("pdftoppm", "-gray", "-r", "100", "-singlefile", pdf, folder / name)
    data = (folder / f"{name}.pgm").read_bytes()
    # Binary PGM: "P5\n<width> <height>\n255\n" then the pixels.
    _magic, size, _maxval, pixels = data.split(b"\n", 3)
    width, height = map(int, size.split())
    return [pixels[row * width : (row + 1) * width] for row in range(height)]


def inked(rows: list[bytes]) -> bool:
    return any(value < 128 for row in rows for value in row)


@pytest.mark.parametrize("which", ["letter", "report"])
def test_every_font_is_embedded_as_a_subset(exported: Exports, which: str) -> None:
    rows = pdffonts(getattr(exported, which))
    names = {name.split("+")[-1] for name, _, _ in rows}
    assert {"DejaVuSerif", "DejaVuSans", "NanumSquareR", "DroidSansFallback", "Symbola"} <= names
    for name, emb, sub in rows:
        assert (emb, sub) == ("yes", "yes"), name


def test_each_script_is_drawn_in_a_font_that_has_it(exported: Exports) -> None:
    pieces = drawn_fonts(exported.letter)
    for key, sample in SAMPLES.items():
        used = {font for text, font in pieces if any(c in text for c in sample if c.strip())}
        assert used, key
        if EXPECTED_FONT[key] is not None:
            assert EXPECTED_FONT[key] in used, (key, used)
    emoji_fonts = {font for text, font in pieces if "✅" in text}
    assert emoji_fonts == {"Symbola"}
    assert {font for text, font in pieces if "한" in text} == {"NanumSquareR"}


def test_every_character_has_a_glyph(tmp_path: Path) -> None:
    """Each character rendered alone is ink and not the empty box a missing glyph gives."""
    box = render(rich(UNASSIGNED, fonts.SERIF), tmp_path, "box")
    assert inked(box)
    for key, sample in SAMPLES.items():
        for index, char in enumerate(sample):
            assert fonts.chain(fonts.SERIF).face_for(char) is not None, (key, char)
            drawn = render(rich(char, fonts.SERIF), tmp_path, f"{key}{index}")
            assert inked(drawn), (key, char)
            assert drawn != box, f"{char!r} ({key}) prints as an empty box"


def test_text_copied_from_the_letter_is_what_was_typed(exported: Exports) -> None:
    text = " ".join(run("pdftotext", exported.letter, "-").split())
    # Right-to-left runs may be set off by direction marks in the extracted text.
    plain = text.replace("\u202b", "").replace("\u202c", "")
    for key, sample in SAMPLES.items():
        assert sample in plain, key
    assert "لا إله" in plain  # the lam-alef ligature copies as its two letters, in order


def test_arabic_is_joined_and_drawn_right_to_left(tmp_path: Path) -> None:
    fonts.register()
    assert visual(joined(SAMPLES["arabic"])) == ARABIC_DRAWN
    # English around Arabic keeps reading left to right.
    assert visual(joined("See العربية here")) == f"See {ARABIC_DRAWN} here"
    # On paper: exactly the joined forms, right to left; not the letters as typed.
    printed = render(rich(SAMPLES["arabic"], fonts.SERIF), tmp_path, "printed")
    drawn_joined = render(
        f'<font face="{fonts.SANS}">{ARABIC_DRAWN}</font>', tmp_path, "joined", as_given_right=True
    )
    unjoined = render(
        f'<font face="{fonts.SANS}">{SAMPLES["arabic"][::-1]}</font>',
        tmp_path,
        "unjoined",
        as_given_right=True,
    )
    assert printed == drawn_joined
    assert printed != unjoined


def test_hebrew_is_drawn_right_to_left() -> None:
    assert visual("עברית") == "תירבע"
    assert visual("Hebrew עברית text") == "Hebrew תירבע text"
    assert visual("סעיף 12 עברית") == "תירבע 12 ףיעס"


def test_vowel_marks_are_kept_on_their_letters() -> None:
    drawn = visual(joined("عِلْم"))
    assert "\u0650" in drawn
    assert "\u0652" in drawn
    # Each mark follows the letter it sits on, in drawing order as in reading order.
    assert drawn.index("\u0650") == drawn.index("\ufecb") + 1
