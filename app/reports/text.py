"""User text made safe for PDF markup and spreadsheet cells, without changing what it says.

Control characters: a database may hold anything the user pasted, including NUL. Every C0
control except tab, line feed and carriage return, DEL, the C1 controls, lone surrogates and the
non-characters U+FFFE/U+FFFF are shown as U+FFFD (�) in both PDF and Excel, so a reader sees
that something unprintable was there instead of it silently vanishing. Everything else is kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

REPLACEMENT = "\ufffd"

# openpyxl refuses exactly C0 controls other than tab/LF/CR; we add DEL, C1, surrogates and
# non-characters because no PDF font has glyphs for them either.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Excel refuses a cell longer than this; longer text is continued elsewhere, never cut.
EXCEL_CELL_LIMIT = 32_767

# A Paragraph longer than this is split into several so reportlab can break it across pages
# quickly (splitting one huge paragraph is quadratic) and never hits a layout error.
PARAGRAPH_CHUNK = 1_500


def printable(text: str) -> str:
    """The text with unprintable characters replaced by U+FFFD and newlines normalised."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNPRINTABLE.sub(REPLACEMENT, text)


# --- dates and citations as documents print them -----------------------------------------------

# The letter is English whatever the desktop's language: strftime's %B would print the month of
# the user's locale ("noviembre 30, 2026" on a Spanish desktop), so the names are fixed here.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def long_date(day: date) -> str:
    """“August 18, 2017”, the form US legal correspondence uses, in any desktop locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


# Names that read "the City of X"; a name such as "Baltimore City" takes no article.
_NAMES_WITH_ARTICLE = ("city of ", "county of ", "town of ", "village of ", "state of ",
                       "city and county of ", "borough of ", "township of ")  # fmt: skip


def with_article(name: str) -> str:
    """The name as it reads inside a sentence: "the City of X", but "Baltimore City"."""
    lowered = name.lower()
    if lowered.startswith("the ") or not lowered.startswith(_NAMES_WITH_ARTICLE):
        return name
    return f"the {name}"


NBSP = "\u00a0"

# "§ 1373", "§§ 7282–7282.5", "8 U.S.C. 1373", "U.S.C. § 1357": a line must never end on a
# section sign or on "U.S.C.", which reads as a typo in a letter to a federal office.
_AFTER_SECTION_SIGN = re.compile(r"(§+)[ \t]+(?=\S)")
_TITLE_BEFORE_CODE = re.compile(r"(\d+)[ \t]+(?=U\.S\.C\.)")
_AFTER_CODE = re.compile(r"(U\.S\.C\.A?)[ \t]+(?=[\d§])")


def bind_citations(text: str) -> str:
    """The text with non-breaking spaces inside legal citations, for printing only: what the
    user typed is stored unchanged and only its line breaks on paper differ."""
    if "§" not in text and "U.S.C." not in text:
        return text
    text = _AFTER_SECTION_SIGN.sub(lambda m: m.group(1) + NBSP, text)
    text = _TITLE_BEFORE_CODE.sub(lambda m: m.group(1) + NBSP, text)
    return _AFTER_CODE.sub(lambda m: m.group(1) + NBSP, text)


def cell_text(text: str) -> str:
    """Text as stored in a spreadsheet cell (same replacement rule as the PDF)."""
    return _UNPRINTABLE.sub(REPLACEMENT, text)


def split_for_cells(text: str, limit: int = EXCEL_CELL_LIMIT) -> list[str]:
    """Consecutive parts no longer than Excel allows; joined they give the text back exactly."""
    return [text[i : i + limit] for i in range(0, len(text), limit)] or [""]


def chunks(paragraph: str, size: int = PARAGRAPH_CHUNK) -> Iterator[str]:
    """Pieces of one paragraph, cut at a space near `size` where there is one."""
    start = 0
    while len(paragraph) - start > size:
        cut = paragraph.rfind(" ", start + size // 2, start + size)
        if cut <= start:
            cut = start + size
        yield paragraph[start:cut]
        start = cut
    yield paragraph[start:]


# --- Arabic letters -----------------------------------------------------------------------------
# reportlab draws one glyph per character and shapes nothing. Arabic letters are therefore joined
# here, in reading order: each takes its isolated, initial, medial or final presentation form
# (arabic_reshaper), lam-alef becomes its obligatory ligature, and vowel marks are kept. Lines are
# put in drawing order later, once the paragraph is broken into lines (app.reports.bidi); the
# fonts' ToUnicode maps turn presentation forms back into letters (app.reports.fonts), so copying
# gives back what was typed.

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


@functools.cache
def _reshaper() -> Any:
    """arabic_reshaper set up to keep what the user typed: vowel marks and tatweel stay, and of
    the ligatures only lam-alef, which Arabic requires; the word and phrase ligatures (e.g.
    "Allah", "Sallallahou alayhe wasallam") would print one sign for what the user spelt out.
    Imported on first use: most documents have no Arabic."""
    from arabic_reshaper import ArabicReshaper
    from arabic_reshaper.ligatures import LIGATURES

    lam_alef = {
        name
        for name, _ in LIGATURES
        if name.startswith("ARABIC LIGATURE LAM WITH ALEF") and not name.endswith("MAKSURA")
    }
    return ArabicReshaper(
        configuration={
            "delete_harakat": False,
            "delete_tatweel": False,
            "support_zwj": True,
            "support_ligatures": True,
            **{name: name in lam_alef for name, _ in LIGATURES},
        }
    )


def joined(text: str) -> str:
    """Arabic letters in the presentation forms that join them; other text unchanged."""
    if not _ARABIC.search(text):
        return text
    return str(_reshaper().reshape(text))


def markup(text: str) -> str:
    """Escapes text for a reportlab Paragraph: <, > and & print as typed, never as tags."""
    return escape(text)
