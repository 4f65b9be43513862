"""The embedded TrueType fonts of every PDF, and per-character fallback between them.

DejaVu Serif sets letters and DejaVu Sans the tables; both ship in resources/fonts so a PDF
looks the same on every PC. Characters DejaVu Serif lacks (Arabic, Hebrew, many symbols) are set
in DejaVu Sans; characters neither has (Chinese, Japanese, Korean ideographs) in the first
fallback font found (a bundled resources/fonts/fallback/*.ttf, else a known system font).
Without any, such characters still extract as text but print as empty boxes.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resource_path
from app.reports.text import markup

SERIF = "JD-Serif"
SERIF_BOLD = "JD-Serif-Bold"
SERIF_ITALIC = "JD-Serif-Italic"
SERIF_BOLD_ITALIC = "JD-Serif-BoldItalic"
SANS = "JD-Sans"
SANS_BOLD = "JD-Sans-Bold"
FALLBACK = "JD-Fallback"

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

_lock = threading.Lock()


class FontMissing(RuntimeError):
    """The bundled fonts are not where the installation put them: a broken install."""


def _register(name: str, path: Path) -> TTFont:
    font = TTFont(name, str(path))
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
def _coverage(name: str) -> frozenset[int]:
    register()
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


@dataclass(frozen=True)
class FaceChain:
    """The faces tried in order for one style of text, e.g. bold serif."""

    faces: tuple[str, ...]

    def face_for(self, char: str) -> str | None:
        code = ord(char)
        for face in self.faces:
            if code in _coverage(face):
                return face
        if _fallback() is not None and code in _coverage(FALLBACK):
            return FALLBACK
        return None


def chain(face: str) -> FaceChain:
    """Serif faces fall back to the matching sans face, then to the CJK fallback."""
    sans = SANS_BOLD if "Bold" in face else SANS
    return FaceChain((face,) if face == sans else (face, sans))


def runs_markup(text: str, face: str) -> str:
    """Escaped Paragraph markup for `text` set in `face`, switching face where it lacks a glyph.

    Whitespace and characters no font has stay in the surrounding face (they still extract as
    text). A run in another face is wrapped in <font face=…>; the face names are ours, never
    the user's, so no user text reaches an attribute.
    """
    faces = chain(face)
    primary = _coverage(face)
    if all(ord(c) in primary or c.isspace() for c in text):
        return markup(text)
    out: list[str] = []
    run: list[str] = []
    run_face = face
    for char in text:
        wanted = run_face if char.isspace() else (faces.face_for(char) or face)
        if wanted != run_face and run:
            out.append(_wrap("".join(run), run_face, face))
            run = []
        run_face = wanted
        run.append(char)
    if run:
        out.append(_wrap("".join(run), run_face, face))
    return "".join(out)


def _wrap(text: str, run_face: str, base: str) -> str:
    escaped = markup(text)
    return escaped if run_face == base else f'<font face="{run_face}">{escaped}</font>'
