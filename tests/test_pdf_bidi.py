"""Hebrew and Arabic read right to left on paper, line after line from the top, with numbers,
brackets and vowel marks where a reader expects them.

The drawing order is checked against python-bidi, an independent implementation of the Unicode
bidirectional algorithm, and real PDFs are read back word by word with poppler."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bidi import get_display
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.platypus import SimpleDocTemplate

from app.reports import bidi
from app.reports.pdf_layout import make_styles, para, paragraphs
from tests.report_data import letter_and_report
from tests.test_pdf_accessibility import struct_elements

# Letters of both directions, digits of both kinds, the separators and terminators numbers
# take, brackets and spaces: every rule of the algorithm that documents meet.
ALPHABET = "abZ אבג عرب 019 ٣٤ .,:-+/%$#'!?()[]  \u00a0"
HEBREW = (
    "בית המשפט העליון קבע כי העירייה אינה מחזיקה עצירים מעבר ל-48 שעות, וכי סעיף 1373 "
    "חל על כל הבקשות (ראו נספח א׳) בשנת 2017, בהתאם למדיניות המחוז ולהסכם עם המדינה."
)


def drawn(text: str, base: int) -> str:
    """text's characters in the order we draw them, brackets not mirrored (python-bidi does
    not mirror)."""
    return "".join(text[i] for i in bidi.visual_indices(text, bidi.levels(text, base), base))


@settings(max_examples=3000, deadline=None)
@given(text=st.text(alphabet=ALPHABET, min_size=1, max_size=24), base=st.sampled_from([0, 1]))
def test_lines_are_drawn_in_the_order_the_bidirectional_algorithm_gives(
    text: str, base: int
) -> None:
    assert drawn(text, base) == get_display(text, base_dir="LR"[base])


def test_the_paragraph_direction_is_that_of_its_first_letter() -> None:
    assert bidi.paragraph_level("12 שלום world") == 1
    assert bidi.paragraph_level("(see) שלום") == 0
    assert bidi.paragraph_level("123 ...") == 0


def test_numbers_keep_their_digits_in_order_inside_hebrew() -> None:
    assert bidi.visual("סעיף 12.5% מתוך 1,000") == "1,000 ךותמ 12.5% ףיעס"
    assert bidi.visual("עלות $1,250.00 לשנה") == "הנשל $1,250.00 תולע"
    assert bidi.visual("ל-48 שעות") == "תועש 48-ל"


def test_brackets_face_the_text_they_enclose() -> None:
    # On paper "(ראו נספח)" shows its opening bracket at the right, facing left.
    assert bidi.visual("(ראו נספח)") == "(חפסנ ואר)"
    assert bidi.visual("שלום (abc) עולם") == "םלוע (abc) םולש"
    assert bidi.visual("Hebrew (שלום) text") == "Hebrew (םולש) text"


def test_vowel_marks_stay_after_the_letter_they_sit_on() -> None:
    line = bidi.visual("עִבְרִית")
    assert line == "תירִבְעִ"
    for index, char in enumerate(line):
        if char in "\u05b0\u05b4":
            assert line[index - 1] not in "\u05b0\u05b4"


def test_trailing_spaces_stay_at_the_end_of_the_line() -> None:
    assert drawn("שלום  ", 0) == "םולש  "
    assert drawn("abc  ", 1) == "  abc"


# ----------------------------------------------------------------------------- on paper

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


# The frame's edges on a page 260 points wide with 20-point margins (frames pad by 6 points).
LEFT_EDGE = 20 + 6
RIGHT_EDGE = 260 - 20 - 6


def build(folder: Path, flowables: list[object], size: tuple[float, float]) -> Path:
    pdf = folder / "rtl.pdf"
    margins = {"leftMargin": 20, "rightMargin": 20, "topMargin": 20, "bottomMargin": 20}
    SimpleDocTemplate(str(pdf), pagesize=size, **margins).build(flowables)
    return pdf


def drawn_lines(pdf: Path) -> list[tuple[float, float, list[str]]]:
    """(left, right, words left to right as drawn) of every line, page after page."""
    result = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = []
    for block in re.findall(r"<line (.*?)</line>", result.stdout, re.S):
        words = re.findall(r'<word xMin="([\d.]+)"[^>]*>(.*?)</word>', block)
        left = float(re.search(r'xMin="([\d.]+)"', block).group(1))  # type: ignore[union-attr]
        right = float(re.search(r'xMax="([\d.]+)"', block).group(1))  # type: ignore[union-attr]
        ordered = [word for _x, word in sorted(words, key=lambda item: float(item[0]))]
        lines.append((left, right, ordered))
    return lines


def read_right_to_left(lines: list[tuple[float, float, list[str]]]) -> list[str]:
    """The words as a Hebrew reader reads them: top line first, each line from the right,
    each word's letters from the right."""
    return [word[::-1] for _left, _right, words in lines for word in reversed(words)]


@needs_poppler
def test_a_hebrew_paragraph_reads_from_its_first_line_down(tmp_path: Path) -> None:
    styles = make_styles()
    pdf = build(tmp_path, [para(HEBREW, styles.body)], (260, 400))
    lines = drawn_lines(pdf)
    assert len(lines) >= 5, "the paragraph wraps over several lines"
    words = read_right_to_left(lines)
    assert words[0] == "בית", "the first line holds the first words"
    # Digits read left to right inside the line; everything else reads back as typed.
    typed = [w[::-1] if re.fullmatch(r"[\d,.]+", w) else w for w in HEBREW.split()]
    assert [w for w in words if not re.search(r"[\d()]", w)] == [
        w for w in typed if not re.search(r"[\d()]", w)
    ]
    # Set against the right margin, as a right-to-left paragraph is.
    rights = {round(right) for _left, right, _words in lines}
    assert rights == {RIGHT_EDGE}


@needs_poppler
def test_a_right_to_left_paragraph_split_over_two_pages_keeps_its_order(tmp_path: Path) -> None:
    styles = make_styles()
    text = " ".join([HEBREW] * 3)
    pdf = build(tmp_path, paragraphs(text, styles.body), (260, 150))
    lines = drawn_lines(pdf)
    pages = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=False
    ).stdout
    assert "Pages:" in pages
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) > 1  # type: ignore[union-attr]
    words = read_right_to_left(lines)
    assert words[0] == "בית"
    assert [w for w in words if w == "בית"] == ["בית"] * 3
    assert {round(right) for _left, right, _words in lines} == {RIGHT_EDGE}


@needs_poppler
def test_an_english_sentence_with_a_hebrew_name_stays_left_to_right(tmp_path: Path) -> None:
    styles = make_styles()
    pdf = build(tmp_path, [para("Held at מתקן המעצר today.", styles.body)], (260, 120))
    [(left, _right, words)] = drawn_lines(pdf)
    assert round(left) == LEFT_EDGE, "set against the left margin"
    assert words == ["Held", "at", "רצעמה", "ןקתמ", "today."]


# ----------------------------------------------------------------------------- read aloud

ARABIC_NAME = "مركز الاحتجاز"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return letter_and_report(tmp_path_factory.mktemp("bidi"), ARABIC_NAME, HEBREW)


def actual_texts(pdf: Path) -> dict[str, list[str]]:
    """The ActualText of every structure element, by role."""
    found: dict[str, list[str]] = {}
    for element in struct_elements(pdf):
        if "/ActualText" in element:
            found.setdefault(str(element["/S"]), []).append(str(element["/ActualText"]))
    return found


def test_a_screen_reader_hears_right_to_left_text_as_typed(
    exported: tuple[Path, Path],
) -> None:
    letter, report = exported
    # The paragraph drawn line by line in drawing order reads, as a whole, as typed.
    assert HEBREW in actual_texts(letter)["/P"]
    # A table cell holding an Arabic name: its letters as typed, not their joined forms.
    assert ARABIC_NAME in actual_texts(report)["/TD"]
    # English paragraphs are read from what is drawn: they carry no replacement text.
    assert all(bidi.has_right_to_left(text) for texts in actual_texts(letter).values()
               for text in texts)  # fmt: skip


def test_the_letters_own_sentences_are_never_set_inside_a_right_to_left_paragraph(
    exported: tuple[Path, Path],
) -> None:
    letter, _report = exported
    texts = actual_texts(letter)["/P"]
    # The narrative is its own paragraph, between the answer and whatever the letter adds.
    assert HEBREW in texts
    assert all(not text.startswith("In part.") for text in texts)
