"""The paragraph every PDF sets user text in: reportlab's, with right-to-left text drawn in
reading order line by line (app.reports.bidi).

Lines are broken on the text in reading order, which has the same width as in drawing order;
only when a line is drawn are its characters put in drawing order. A paragraph that starts with
a Hebrew or Arabic letter is right to left: its lines are set against the right margin, as a
word processor sets them, unless the caller fixes the direction (an English sentence holding a
Hebrew name stays left to right) or the alignment (a table's column keeps its own).
"""

from __future__ import annotations

from typing import Any, Literal

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import paragraph as platypus

from app.reports import bidi, fonts

Direction = Literal["auto", "ltr"]


class Paragraph(platypus.Paragraph):  # type: ignore[misc]  # reportlab ships no type information
    style: ParagraphStyle
    blPara: Any  # noqa: N815 - reportlab's name
    # Almost every paragraph holds no right-to-left text and keeps these defaults, with no
    # attributes of its own: a long report holds tens of thousands of paragraphs.
    _reordered = False
    _base = 0
    _reading: str | None = None

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        *args: Any,
        direction: Direction = "auto",
        align_to_direction: bool = True,
        **kw: Any,
    ) -> None:
        super().__init__(text, style, *args, **kw)
        plain = " ".join("".join(getattr(frag, "text", "") for frag in self.frags).split())
        if not bidi.has_right_to_left(plain):
            return
        self._reordered = True
        # What a screen reader should say for it: its letters as typed, Arabic unjoined.
        self._reading = "".join(fonts.typed_letters(char) for char in plain)
        self._base = 0 if direction == "ltr" else bidi.paragraph_level(plain)
        if self._base and align_to_direction and self.style.alignment == TA_LEFT:
            self.style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)

    @property
    def reading_text(self) -> str | None:
        """What a screen reader should say for a paragraph drawn out of reading order; None
        when it is drawn as it reads (or is a piece of one: the whole carries the text)."""
        return self._reading

    def drawPara(self, debug: int = 0) -> None:
        if not self._reordered:
            super().drawPara(debug)
            return
        logical = self.blPara
        self.blPara = _in_drawing_order(logical, self._base)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = logical

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        # reportlab builds the pieces without the direction: each keeps the whole paragraph's,
        # so its second page does not change sides when it happens to start with an English word.
        parts: list[Any] = super().split(availWidth, availHeight)
        if not self._reordered:
            return parts
        for part in parts:
            if isinstance(part, Paragraph) and part is not self:
                part.style = self.style
                part._base, part._reordered, part._reading = self._base, True, None
        return parts


def _line_texts(lines: list[Any], kind: int) -> list[str]:
    if kind == 0:
        return [" ".join(words) for _extra, words in lines]
    return ["".join(getattr(frag, "text", "") for frag in line.words) for line in lines]


def _in_drawing_order(para: Any, base: int) -> Any:
    """A copy of the broken lines with each line's characters in drawing order."""
    texts = _line_texts(para.lines, para.kind)
    # Levels are resolved over the whole paragraph (a number at the start of a line takes its
    # direction from the words before it); lines were joined by one space where they broke.
    paragraph_levels = bidi.levels(" ".join(texts), base)
    lines = []
    start = 0
    for line, text in zip(para.lines, texts, strict=True):
        line_levels = paragraph_levels[start : start + len(text)]
        start += len(text) + 1
        order = bidi.visual_indices(text, line_levels, base)
        drawn = [bidi.drawn_char(text[i], line_levels[i]) for i in order]
        if para.kind == 0:
            extra, _words = line
            lines.append((extra, "".join(drawn).split(" ")))
        else:
            lines.append(line.clone(words=_frags_in_order(line.words, text, order, drawn)))
    return para.clone(lines=lines)


def _frags_in_order(frags: list[Any], text: str, order: list[int], drawn: list[str]) -> list[Any]:
    """The line's styled pieces (fonts, links) cut and put in drawing order."""
    owner: list[int] = []
    for number, frag in enumerate(frags):
        owner.extend([number] * len(getattr(frag, "text", "")))
    # Pieces without text (anchors, images) keep their place at the start of the line.
    out = [frag for frag in frags if not getattr(frag, "text", "")]
    for position, index in enumerate(order):
        frag = frags[owner[index]]
        if out and getattr(out[-1], "_source", None) is frag:
            out[-1].text += drawn[position]
        else:
            piece = frag.clone(text=drawn[position])
            piece._source = frag
            out.append(piece)
    return out
