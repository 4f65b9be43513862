"""The embedded TrueType fonts of every PDF, and per-character fallback between them.

DejaVu Serif sets letters and DejaVu Sans the tables; both ship in resources/fonts so a PDF
looks the same on every PC. Characters DejaVu Serif lacks (Arabic, Hebrew, many symbols) are set
in DejaVu Sans; characters neither has in the bundled fallbacks, in this order:

- Chinese and Japanese: the first CJK font found (resources/fonts/fallback/*.ttf, Droid Sans
  Fallback, else a known system font);
- Korean Hangul syllables: NanumSquare (resources/fonts/hangul);
- emoji, dingbats and other symbols, in monochrome: Symbola (resources/fonts/symbols).

Without a font for a character it still extracts as text but prints as an empty box. Every font
is embedded as a subset of the glyphs the document uses.

Copying text out of a PDF gives what the user typed: Arabic is drawn in its joined presentation
forms (app.reports.text.joined), and each font's ToUnicode map sends those glyphs back to
the letters they stand for; characters beyond U+FFFF (emoji) are mapped as UTF-16 pairs.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from app.paths import resource_path
from app.reports.text import markup

SERIF = "JD-Serif"
SERIF_BOLD = "JD-Serif-Bold"
SERIF_ITALIC = "JD-Serif-Italic"
SERIF_BOLD_ITALIC = "JD-Serif-BoldItalic"
SANS = "JD-Sans"
SANS_BOLD = "JD-Sans-Bold"
FALLBACK = "JD-Fallback"
HANGUL = "JD-Hangul"
SYMBOLS = "JD-Symbols"

_FILES = {
    SERIF: "DejaVuSerif.ttf",
    SERIF_BOLD: "DejaVuSerif-Bold.ttf",
    SERIF_ITALIC: "DejaVuSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "DejaVuSerif-BoldItalic.ttf",
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
}

# TrueType-outline fonts with CJK coverage, in order of preference (reportlab cannot embed
# CFF-based .otf files such as Noto Sans CJK).
_SYSTEM_FALLBACKS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)

# Fonts for what neither DejaVu nor the CJK fallback has: bundled file, then system copies.
_EXTRA_FALLBACKS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        HANGUL,
        ("hangul", "NanumSquareR.ttf"),
        (
            "/usr/share/fonts/truetype/nanum/NanumSquareR.ttf",
            "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
            "C:/Windows/Fonts/malgun.ttf",
        ),
    ),
    (
        SYMBOLS,
        ("symbols", "Symbola.ttf"),
        (
            "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
            "C:/Windows/Fonts/seguisym.ttf",
        ),
    ),
)

_lock = threading.Lock()


class FontMissing(RuntimeError):
    """The bundled fonts are not where the installation put them: a broken install."""


# Arabic presentation forms (what joined() gives) and their compatibility letters.
_PRESENTATION_FORMS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _is_presentation_form(code: int) -> bool:
    return any(low <= code <= high for low, high in _PRESENTATION_FORMS)


def typed_letters(char: str) -> str:
    """The letter(s) an Arabic presentation form stands for, in reading order (lam-alef is two);
    any other character itself."""
    if not _is_presentation_form(ord(char)):
        return char
    return unicodedata.normalize("NFKC", char)


def logical_text(code: int) -> str:
    """What a drawn character stands for when text is copied out of the PDF: an Arabic
    presentation form gives its letter(s); everything else itself. A ligature of several letters
    (lam-alef) is given in drawing order, as the rest of its right-to-left run is, so that a
    reader putting the run back in reading order gets the letters as typed."""
    return typed_letters(chr(code))[::-1]


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap with two corrections: presentation forms map to their letters
    and code points beyond U+FFFF to UTF-16 surrogate pairs (reportlab writes them as five hex
    digits, which no reader decodes)."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{_utf16_hex(logical_text(v))}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


class _Font(TTFont):  # type: ignore[misc]  # reportlab ships no type information
    """A reportlab TTFont (embedded as subsets) whose copied text is what the user typed."""

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)  # forgets the document's state
        for index, subset in enumerate(subsets):
            if all(code <= 0xFFFF and not _is_presentation_form(code) for code in subset):
                continue
            base = b"".join((SUBSETN(index), b"+", self.face.name, self.face.subfontNameX))
            name = base.decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + name)
            if stream is not None:
                stream.content = _to_unicode_cmap(name, subset)


def _register(name: str, path: Path) -> TTFont:
    font = _Font(name, str(path))
    pdfmetrics.registerFont(font)
    return font


@functools.cache
def register() -> None:
    """Registers the bundled faces (once per process) and the family mappings for <b>/<i>."""
    with _lock:
        for name, filename in _FILES.items():
            path = resource_path("fonts", filename)
            if not path.exists():
                raise FontMissing(f"The font {path} is missing; reinstall Jurisdesk.")
            _register(name, path)
        for family, regular, bold, italic, bold_italic in (
            (SERIF, SERIF, SERIF_BOLD, SERIF_ITALIC, SERIF_BOLD_ITALIC),
            (SANS, SANS, SANS_BOLD, SANS, SANS_BOLD),
        ):
            addMapping(family, 0, 0, regular)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 1, italic)
            addMapping(family, 1, 1, bold_italic)


@functools.cache
def _fallback() -> TTFont | None:
    bundled = sorted(resource_path("fonts", "fallback").glob("*.tt[fc]"))
    for candidate in [*bundled, *map(Path, _SYSTEM_FALLBACKS)]:
        if candidate.exists():
            try:
                with _lock:
                    return _register(FALLBACK, candidate)
            except Exception:  # a damaged or unsupported system font: try the next one
                continue
    return None


@functools.cache
def _extra_fallbacks() -> tuple[str, ...]:
    """The Hangul and symbol faces registered, in the order they are tried."""
    found: list[str] = []
    for name, bundled, system in _EXTRA_FALLBACKS:
        for candidate in [resource_path("fonts", *bundled), *map(Path, system)]:
            if candidate.exists():
                try:
                    with _lock:
                        _register(name, candidate)
                except Exception:  # a damaged or unsupported system font: try the next one
                    continue
                found.append(name)
                break
    return tuple(found)


def fallbacks() -> tuple[str, ...]:
    """The faces tried after DejaVu, in order: CJK, Hangul, symbols (those found)."""
    register()
    cjk = (FALLBACK,) if _fallback() is not None else ()
    return cjk + _extra_fallbacks()


@functools.cache
def _coverage(name: str) -> frozenset[int]:
    register()
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


@dataclass(frozen=True)
class FaceChain:
    """The faces tried in order for one style of text, e.g. bold serif."""

    faces: tuple[str, ...]  # the fallbacks included

    def face_for(self, char: str) -> str | None:
        code = ord(char)
        for face in self.faces:
            if code in _coverage(face):
                return face
        return None


def chain(face: str) -> FaceChain:
    """Serif faces fall back to the matching sans face, then to the CJK, Hangul and symbol
    fallbacks."""
    sans = SANS_BOLD if "Bold" in face else SANS
    return FaceChain(((face,) if face == sans else (face, sans)) + fallbacks())


def runs_markup(text: str, face: str) -> str:
    """Escaped Paragraph markup for `text` set in `face`, switching face where it lacks a glyph.

    Whitespace stays in the surrounding face where that face has it, and characters no font has
    in the base face (they still extract as text). A run in another face is wrapped in
    <font face=…>; the face names are ours, never the user's, so no user text reaches an
    attribute.
    """
    faces = chain(face)
    primary = _coverage(face)
    if all(ord(c) in primary or c.isspace() for c in text):
        return markup(text)
    text = _unjoin_missing(text, faces)
    out: list[str] = []
    run: list[str] = []
    run_face = face
    for char in text:
        if char.isspace():
            wanted = run_face if ord(char) in _coverage(run_face) else face
        else:
            wanted = faces.face_for(char) or face
        if wanted != run_face and run:
            out.append(_wrap("".join(run), run_face, face))
            run = []
        run_face = wanted
        run.append(char)
    if run:
        out.append(_wrap("".join(run), run_face, face))
    return "".join(out)


def _unjoin_missing(text: str, faces: FaceChain) -> str:
    """Arabic presentation forms no face has, replaced by their plain letters (drawn unjoined;
    the text is in reading order, put in drawing order line by line later) so they print
    instead of showing as boxes."""
    if not any(_is_presentation_form(ord(c)) for c in text):
        return text
    return "".join(typed_letters(c) if faces.face_for(c) is None else c for c in text)


def _wrap(text: str, run_face: str, base: str) -> str:
    escaped = markup(text)
    return escaped if run_face == base else f'<font face="{run_face}">{escaped}</font>'
