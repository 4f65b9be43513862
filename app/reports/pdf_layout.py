"""Page layout shared by the letter and the report: paper, styles, tables, footers, the build."""

from __future__ import annotations

import io
from ast import literal_eval
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from reportlab.graphics.shapes import inverse, mmult
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    KeepTogether,
    PageTemplate,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import _listWrapOn
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers

from app.reports import fonts
from app.reports.paragraph import Paragraph
from app.reports.tagging import (
    FOOTER,
    DocumentFacts,
    TableTags,
    TaggingCanvas,
    TaggingFrame,
    as_artifact,
    begin_artifact,
    continue_element,
    describe_links,
    end_marked,
    plain_text,
)
from app.reports.text import bind_citations, chunks, joined, printable

PAPER_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}
PAPERS = tuple(PAPER_SIZES)

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#1f3a5f")
GRID = colors.HexColor("#b8c0cc")
HEADER_FILL = colors.HexColor("#e8edf3")
DRAFT_RED = colors.HexColor("#b22222")

MARGIN_X = 1.0 * inch
MARGIN_TOP = 0.9 * inch
MARGIN_BOTTOM = 0.95 * inch


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


class UnknownPaper(ValueError):
    pass


def page_size(paper: str) -> tuple[float, float]:
    try:
        return PAPER_SIZES[paper.lower()]
    except KeyError:
        raise UnknownPaper(f"unknown paper size {paper!r}; choose {' or '.join(PAPERS)}") from None


# ------------------------------------------------------------------------------ text


def rich(text: str, face: str) -> str:
    """Paragraph markup of user text in `face`: escaped, with glyph fallback per character."""
    shown = bind_citations(joined(printable(text)))
    return f'<font face="{face}">{fonts.runs_markup(shown, face)}</font>'


def para(text: str, style: ParagraphStyle, face: str = fonts.SERIF) -> Paragraph:
    """One paragraph of user text in `face`: the short sentences, names and labels of a page."""
    return Paragraph(rich(text, face), style)


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    body_tight: ParagraphStyle
    quote: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_mono: ParagraphStyle
    head_name: ParagraphStyle
    head_line: ParagraphStyle
    cover_title: ParagraphStyle
    cover_sub: ParagraphStyle
    toc1: ParagraphStyle
    toc2: ParagraphStyle


def make_styles() -> Styles:
    fonts.register()
    body = ParagraphStyle(
        "body",
        fontName=fonts.SERIF,
        fontSize=10.5,
        leading=14.5,
        textColor=INK,
        spaceAfter=7,
        alignment=TA_LEFT,
    )
    return Styles(
        body=body,
        body_tight=ParagraphStyle("body_tight", parent=body, spaceAfter=0),
        quote=ParagraphStyle(
            "quote",
            parent=body,
            fontName=fonts.SERIF_ITALIC,
            fontSize=10,
            leading=13.5,
            leftIndent=18,
            rightIndent=18,
            textColor=colors.HexColor("#333333"),
            spaceAfter=8,
        ),
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=MUTED),
        label=ParagraphStyle(
            "label",
            parent=body,
            fontName=fonts.SERIF_BOLD,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        ),
        h1=ParagraphStyle(
            "h1",
            keepWithNext=1,
            fontName=fonts.SANS_BOLD,
            fontSize=15,
            leading=19,
            textColor=RULE,
            spaceBefore=4,
            spaceAfter=10,
        ),
        h2=ParagraphStyle(
            "h2",
            keepWithNext=1,
            fontName=fonts.SANS_BOLD,
            fontSize=11.5,
            leading=15,
            textColor=RULE,
            spaceBefore=12,
            spaceAfter=6,
        ),
        h3=ParagraphStyle(
            "h3",
            keepWithNext=1,
            fontName=fonts.SERIF_BOLD,
            fontSize=10.5,
            leading=14,
            textColor=INK,
            spaceBefore=8,
            spaceAfter=3,
        ),
        cell=ParagraphStyle("cell", fontName=fonts.SANS, fontSize=8, leading=10, textColor=INK),
        cell_head=ParagraphStyle(
            "cell_head", fontName=fonts.SANS_BOLD, fontSize=8, leading=10, textColor=INK
        ),
        cell_mono=ParagraphStyle(
            "cell_mono", fontName=fonts.SANS, fontSize=6.5, leading=8.5, textColor=INK
        ),
        head_name=ParagraphStyle(
            "head_name",
            fontName=fonts.SERIF_BOLD,
            fontSize=17,
            leading=21,
            textColor=RULE,
            alignment=TA_CENTER,
        ),
        head_line=ParagraphStyle(
            "head_line",
            fontName=fonts.SERIF,
            fontSize=9.5,
            leading=12.5,
            textColor=MUTED,
            alignment=TA_CENTER,
        ),
        cover_title=ParagraphStyle(
            "cover_title",
            fontName=fonts.SERIF_BOLD,
            fontSize=24,
            leading=30,
            textColor=RULE,
            alignment=TA_LEFT,
            spaceAfter=12,
        ),
        cover_sub=ParagraphStyle(
            "cover_sub", fontName=fonts.SERIF, fontSize=12, leading=17, textColor=INK
        ),
        toc1=ParagraphStyle(
            "toc1", fontName=fonts.SANS_BOLD, fontSize=10, leading=15, leftIndent=0
        ),
        toc2=ParagraphStyle("toc2", fontName=fonts.SANS, fontSize=9, leading=12.5, leftIndent=16),
    )


def paragraphs(text: str | None, style: ParagraphStyle, face: str | None = None) -> list[Flowable]:
    """User text as flowing paragraphs: one per line, long lines in chunks that can break
    across pages. Never inside a table cell, so there is no length limit."""
    if text is None or not text.strip():
        return []
    face = face or style.fontName
    tight = ParagraphStyle(f"{style.name}-cont", parent=style, spaceAfter=0, spaceBefore=0)
    out: list[Flowable] = []
    lines = printable(text).split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        pieces = list(chunks(line))
        last_line = index == len(lines) - 1 or not any(x.strip() for x in lines[index + 1 :])
        for number, piece in enumerate(pieces):
            end_of_line = number == len(pieces) - 1
            # Chunks of one line join without a gap; lines of one text keep a small gap.
            if end_of_line:
                piece_style = (
                    style
                    if last_line
                    else ParagraphStyle(
                        f"{style.name}-line", parent=style, spaceAfter=min(style.spaceAfter, 3)
                    )
                )
            else:
                piece_style = tight
            out.append(Paragraph(rich(piece, face), piece_style))
    return out


def field_line(label: str, value: str | None, style: ParagraphStyle) -> list[Flowable]:
    """ "Label: value" with a bold label; the value may be long and flows."""
    if value is None or not str(value).strip():
        return []
    text = printable(str(value))
    first, _, rest = text.partition("\n")
    head = f'<font face="{fonts.SERIF_BOLD}">{label}:</font> '
    pieces = list(chunks(first))
    out: list[Flowable] = [Paragraph(head + rich(pieces[0], style.fontName), style)]
    for piece in pieces[1:]:
        out.append(Paragraph(rich(piece, style.fontName), style))
    out.extend(paragraphs(rest, style))
    return out


def date_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def heading(text: str, style: ParagraphStyle, level: int | None) -> Paragraph:
    para = Paragraph(rich(text, style.fontName), style)
    if level is not None:
        para.toc_level = level
        para.toc_text = printable(text)
    return para


# ------------------------------------------------------------------------------ tables


def cell(text: object, style: ParagraphStyle) -> Paragraph:
    """A table cell for a bounded field (names, numbers, dates); long text never goes here."""
    if text is None:
        return Paragraph("", style)
    return Paragraph(rich(str(text), style.fontName), style, align_to_direction=False)


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float],
    styles: Styles,
    *,
    mono_columns: Sequence[int] = (),
    right_columns: Sequence[int] = (),
) -> Table:
    data: list[list[Paragraph]] = [[cell(h, styles.cell_head) for h in header]]
    right = ParagraphStyle("cell_right", parent=styles.cell, alignment=TA_RIGHT)
    for row in rows:
        data.append(
            [
                cell(
                    value,
                    styles.cell_mono
                    if index in mono_columns
                    else right
                    if index in right_columns
                    else styles.cell,
                )
                for index, value in enumerate(row)
            ]
        )
    # Tagged: the first row is the header (TH), repeated on continuation pages as an artifact.
    result = Table(
        data,
        colWidths=list(widths),
        repeatRows=1,
        hAlign="LEFT",
        renderCB=TableTags(header_rows=1),
    )
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # The font a cell starts in (the paragraphs set their own); not Helvetica,
                # reportlab's default, which would be referenced and not embedded.
                ("FONT", (0, 0), (-1, -1), fonts.SANS, 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return result


def key_values(rows: Sequence[tuple[str, object]], styles: Styles, width: float) -> list[Flowable]:
    """A two-column "label | value" table of the rows that have a value; none if none has."""
    shown = [(k, v) for k, v in rows if v not in (None, "")]
    if not shown:
        return []
    data = [[cell(k, styles.cell_head), cell(v, styles.cell)] for k, v in shown]
    # Tagged: each row's label is its header cell (TH, scope row).
    result = Table(
        data,
        colWidths=[1.9 * inch, width - 1.9 * inch],
        hAlign="LEFT",
        renderCB=TableTags(header_columns=1),
    )
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # The font a cell starts in (the paragraphs set their own); not Helvetica,
                # reportlab's default, which would be referenced and not embedded.
                ("FONT", (0, 0), (-1, -1), fonts.SANS, 8),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [result]


def details(label: str, fields: Sequence[tuple[str, str | None]], styles: Styles) -> list[Flowable]:
    """Long text of a record, after its table row: "Label" then each non-empty field."""
    present = [(name, value) for name, value in fields if value and value.strip()]
    if not present:
        return []
    out: list[Flowable] = [Paragraph(rich(label, fonts.SERIF_BOLD), styles.h3)]
    for name, value in present:
        out.extend(field_line(name, value, styles.body))
    return out


def person(name: str | None, title: str | None) -> str | None:
    if not name:
        return None
    return f"{name}, {title}" if title else name


def column_widths(total: float, weights: Sequence[float]) -> list[float]:
    scale = total / sum(weights)
    return [w * scale for w in weights]


# ------------------------------------------------------------------------------ pages


def _footer_form(page: int) -> str:
    return f"JDFooter{page}"


class NumberedCanvas(TaggingCanvas):
    """Prints "Page x of y" without keeping any page: each page shows its footer as a form
    XObject, and the forms are drawn once the last page is done and the total is known. The
    pages go to the PDF as they are finished; what the canvas keeps is the count (and, for
    the structure tree, which element each marked run of content belongs to: tagging)."""

    footer: Callable[[Canvas, int, int], None] | None = None
    contents: Contents | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages_shown = 0

    def showPage(self) -> None:
        self.pages_shown += 1
        if self.footer is not None:
            # Drawn last on the page, where the footer always was.
            begin_artifact(self, FOOTER)
            self.saveState()
            self.doForm(_footer_form(self.pages_shown))
            self.restoreState()
            end_marked(self)
        super().showPage()

    def save(self) -> None:
        if self._code:
            self.showPage()
        total = self.pages_shown
        if self.footer is not None:
            for page in range(1, total + 1):
                self.beginForm(_footer_form(page))
                self.footer(self, page, total)
                self.endForm()
        if self.contents is not None:
            self.contents.draw_page_numbers(self)
        super().save()


def _canvas_with_footer(
    footer: Callable[[Canvas, int, int], None],
    contents: Contents | None = None,
    facts: DocumentFacts | None = None,
) -> type[NumberedCanvas]:
    return type(
        "FooterCanvas",
        (NumberedCanvas,),
        {"footer": staticmethod(footer), "contents": contents, "facts": facts},
    )


# reportlab's contents table style, with the cells' font one of ours (its default, Helvetica,
# would be set, and so referenced without being embedded, before each cell is drawn).
_CONTENTS_TABLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("FONT", (0, 0), (-1, -1), fonts.SANS, 8),
    ]
)


class Contents(TableOfContents):  # type: ignore[misc]  # reportlab ships no type information
    """The table of contents in a single pass. Its entries are the contents headings of the
    story, known before the build (build() collects them), so its length and lines are those
    of reportlab's final pass; only the page numbers are unknown when it is drawn. Each
    entry's dots and page number are a form XObject, drawn at the end as reportlab draws
    them (tableofcontents.drawPageNumbers), like the footers' totals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("tableStyle", _CONTENTS_TABLE)
        super().__init__(**kwargs)
        self._tags = TableTags(role="TOC", after_cell=self._draw_after_text)
        self._after_text: list[tuple[str, tuple[float, ...]]] = []
        self._expected: list[tuple[int, str, str]] = []
        self._placed: list[tuple[int, str, str]] = []
        self._pages: dict[str, int] = {}
        # Per entry: where its text ends, in the coordinates of its paragraph.
        self._ends: dict[str, tuple[int, float, float, float]] = {}
        self._titles: dict[str, str] = {}

    def prefill(self, entries: Sequence[tuple[int, str, str]]) -> None:
        """(level, markup, key) of every entry, in order."""
        self._expected = list(entries)
        # What each entry's links say they lead to, for whoever cannot see the page.
        self._titles = {key: plain_text(markup) for _level, markup, key in entries}
        self._lastEntries = [(level, text, 0, key) for level, text, key in entries]

    def placed(self, level: int, text: str, page: int, key: str) -> None:
        self._placed.append((level, text, key))
        self._pages[key] = page

    # Tagged as TOC, one TOCI per entry, by its table's render callback.
    tags_itself = True

    def wrap(self, width: float, height: float) -> tuple[float, float]:
        result = super().wrap(width, height)
        self._table._renderCB = self._tags
        describe_links(self.canv, self._titles)
        if self._expected:  # else reportlab's own placeholder, as in a plain reportlab build
            self.canv.setNamedCB("drawTOCEntryEnd", self._entry_end(width))
        return result  # type: ignore[no-any-return]

    def _entry_end(self, width: float) -> Callable[[Canvas, str, str], None]:
        def draw(canvas: Canvas, kind: str, label: str) -> None:
            _, level_text, key_text = label.split(",")
            key = str(literal_eval(key_text))
            level = int(level_text)
            x, y = canvas._curr_tx_info["cur_x"], canvas._curr_tx_info["cur_y"]
            self._ends[key] = (level, x, y, width)
            # The dots and page number go after the entry's text, which reportlab writes when
            # the paragraph is done: in reading order, within the entry's tagged content.
            self._after_text.append((key, canvas._currentMatrix))
            style = self.getLevelStyle(level)
            canvas.linkRect("", key, (x, y, width, y + style.leading), relative=1)

        return draw

    def _draw_after_text(self, canvas: Canvas) -> None:
        for key, matrix in self._after_text:
            canvas.saveState()
            # The transformation that, applied in the current one, gives the one recorded.
            canvas.transform(*mmult(inverse(canvas._currentMatrix), matrix))
            canvas.doForm(_contents_form(key))
            canvas.restoreState()
        self._after_text.clear()

    def draw_page_numbers(self, canvas: Canvas) -> None:
        if self._placed != self._expected:
            raise RuntimeError("the contents headings changed during the build")
        for key, (level, x, y, width) in self._ends.items():
            style = self.getLevelStyle(level)
            dot = " . " if 0 <= self.dotsMinLevel <= level else ""
            page = self._pages[key]
            canvas.beginForm(_contents_form(key), -width, -width, 2 * width, 2 * width)
            canvas._curr_tx_info = {"cur_x": x, "cur_y": y}
            drawPageNumbers(canvas, style, [(page, None)], width, 0, dot)
            canvas.endForm()


def _contents_form(key: str) -> str:
    return f"JDContents{key}"


def contents_entries(story: Iterable[Flowable]) -> list[tuple[int, str, str]]:
    """(level, markup, key) of the story's contents headings, keyed as _Document keys them."""
    out: list[tuple[int, str]] = []

    def visit(flowable: Flowable) -> None:
        if isinstance(flowable, KeepTogether | Deferred):
            for inner in flowable._content if isinstance(flowable, KeepTogether) else flowable.lead:
                visit(inner)
            return
        level = getattr(flowable, "toc_level", None)
        if level is not None:
            out.append((level, fonts.runs_markup(flowable.toc_text, fonts.SANS)))

    for flowable in story:
        visit(flowable)
    return [(level, text, f"h{number}") for number, (level, text) in enumerate(out, start=1)]


class Deferred(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """Flowables made only when the build reaches them, so a long report never holds every
    page's flowables at once. Never drawn: the document replaces it by what `make` returns.
    What it makes must hold no contents heading (those are collected before the build)."""

    def __init__(self, make: Callable[[], list[Flowable]], lead: Sequence[Flowable] = ()) -> None:
        super().__init__()
        self.make = make
        # Flowables made already that come first (headings bound to what is made).
        self.lead = list(lead)

    def wrap(self, width: float, available: float) -> tuple[float, float]:
        raise RuntimeError("a Deferred flowable is expanded before it is laid out")


def expand(story: Iterable[Flowable]) -> list[Flowable]:
    """The story with every Deferred replaced by what it makes (for measuring the layout)."""
    out: list[Flowable] = []
    for flowable in story:
        if isinstance(flowable, Deferred):
            out.extend(expand(flowable.make()))
        else:
            out.append(flowable)
    return out


# A heading moves to the next page unless at least this many lines of what follows fit under
# it; fewer reads as a heading stranded at the foot of the page.
LINES_UNDER_HEADING = 2
# The signature block takes at least this many lines of the letter's body to its page.
LINES_WITH_SIGNATURE = 3


def _height(flowable: Flowable, canv: Canvas, width: float, available: float) -> float:
    """Height on the page, with the space after it; a KeepTogether reports its content's."""
    _, high = flowable.wrapOn(canv, width, available)
    if isinstance(flowable, KeepTogether):
        high = flowable._H
    return float(high) + float(flowable.getSpaceAfter())


def _line_height(flowable: Flowable) -> float | None:
    """The leading of a paragraph (a splittable run of lines), None for anything else."""
    if isinstance(flowable, Paragraph):
        return float(flowable.style.leading)
    return None


class _HeadingWithNext(KeepTogether):  # type: ignore[misc]  # reportlab ships no type information
    """A heading (or several) and what follows: starts a new page unless the headings and the
    first lines of what follows fit here. reportlab's own KeepTogether would push the whole of
    a long answer to the next page, leaving a gap; this one lets the answer split under it."""

    def wrap(self, width: float, available: float) -> tuple[float, float]:
        # reportlab's, keeping each part's height: split() needs them and need not wrap again.
        dims: list[tuple[float, float]] = []
        content_width, self._H = _listWrapOn(self._content, width, self.canv, dims=dims)
        self._H0 = dims[0][1] if dims else 0
        self._wrapInfo = width, available
        self._heights = (
            [
                float(f._H if isinstance(f, KeepTogether) else high) + float(f.getSpaceAfter())
                for f, (_, high) in zip(self._content, dims, strict=True)
            ]
            if len(dims) == len(self._content)
            else None
        )
        return content_width, 0xFFFFFF  # always split, as reportlab's

    def split(self, width: float, available: float) -> list[Flowable]:
        last = self._content[-1]
        canv = self.canv
        known = getattr(self, "_heights", None)
        if known is None or getattr(self, "_wrapInfo", None) != (width, available):
            known = [_height(f, canv, width, available) for f in self._content]
        heads_height = sum(known[:-1])
        room = available - heads_height
        leading = _line_height(last) or 12.0
        if known[-1] <= room:
            return [self.NullActionFlowable(), *self._content]
        # A paragraph or table that splits here puts its first lines under the heading.
        splits_here = (
            not isinstance(last, KeepTogether)
            and room >= LINES_UNDER_HEADING * leading
            and len(last.splitOn(canv, width, room)) > 1
        )
        if splits_here:
            return [self.NullActionFlowable(), *self._content]
        return list(super().split(width, available))


def _is_heading(flowable: Flowable) -> bool:
    if isinstance(flowable, KeepTogether):
        return bool(flowable._content) and _is_heading(flowable._content[0])
    return isinstance(flowable, Paragraph) and bool(flowable.getKeepWithNext())


def keep_headings_with_next(story: Sequence[Flowable]) -> list[Flowable]:
    """The story with every heading (and a heading block such as a question as issued) bound
    to what follows it, so no page ends with a heading. reportlab's keepWithNext does this for
    single paragraphs but not for a KeepTogether, hence this pass. A Deferred that follows a
    heading is made here, so the heading binds to what it makes; the others stay deferred."""
    story = list(story)
    out: list[Flowable] = []
    index = 0
    while index < len(story):
        flowable = story[index]
        end = index
        while end < len(story) and _is_heading(story[end]):
            end += 1
        if end > index and end < len(story) and isinstance(story[end], Deferred):
            # Headings before deferred flowables: bound to them when they are made.
            out.append(
                Deferred(partial(_then, story[index:end], story[end]), lead=story[index:end])
            )
            index = end + 1
            continue
        # The contents table fills itself in over several passes; it is not bound to its title.
        if end == index or end == len(story) or isinstance(story[end], TableOfContents):
            out.append(flowable)
            index += 1
            continue
        group = list(story[index : end + 1])
        for head in group[:-1]:
            # Bound here; reportlab must not bind it again when the group splits.
            head.__dict__["keepWithNext"] = 0
        out.append(_HeadingWithNext(group))
        index = end + 1
    return out


def _then(lead: list[Flowable], deferred: Deferred) -> list[Flowable]:
    return [*lead, *deferred.make()]


def _make_next(flowables: list[Flowable]) -> None:
    """Replaces the Deferred at the front of `flowables` by what it makes, headings bound; a
    part ending with a heading takes in what follows it first."""
    made = list(flowables[0].make())
    taken = 1
    while made and _is_heading(made[-1]) and taken < len(flowables):
        following = flowables[taken]
        made.extend(following.make() if isinstance(following, Deferred) else [following])
        taken += 1
    flowables[0:taken] = keep_headings_with_next(made)


class KeepTail(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """Body paragraphs then a block that must not stand alone (the closing and signature): when
    they do not all fit, the block takes at least `lines` lines of the body to the next page."""

    def __init__(self, body: Sequence[Flowable], block: Sequence[Flowable], lines: int) -> None:
        super().__init__()
        self.body = list(body)
        self.block = list(block)
        self.lines = lines

    def wrap(self, width: float, available: float) -> tuple[float, float]:
        return width, 0xFFFFFF  # never drawn whole: always split into its parts

    def split(self, width: float, available: float) -> list[Flowable]:
        parts = [*self.body, *self.block]
        canv = self.canv
        total = sum(_height(f, canv, width, available) for f in parts)
        if total <= available:
            return [KeepTogether.NullActionFlowable(), *parts]
        here: list[Flowable] = []
        used = 0.0
        body_height = sum(_height(f, canv, width, available) for f in self.body)
        last = self.body[-1] if self.body else None
        leading = _line_height(last) if last is not None else None
        tail = self.lines * leading if leading is not None else body_height
        limit = min(available, body_height - tail)
        rest = list(self.body)
        while rest and limit - used > 0:
            flowable = rest[0]
            high = _height(flowable, canv, width, limit - used)
            if used + high <= limit:
                here.append(rest.pop(0))
                used += high
                continue
            pieces = flowable.splitOn(canv, width, limit - used) if _line_height(flowable) else []
            if len(pieces) == 2:
                continue_element(flowable, pieces)
                here.append(pieces[0])
                rest[0] = pieces[1]
            break
        while here and _is_heading(here[-1]):
            rest.insert(0, here.pop())
        # An action first: reportlab places a split's first part unsplit, and a KeepTogether
        # never places unsplit.
        return [KeepTogether.NullActionFlowable(), *here, KeepTogether([*rest, *self.block])]


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab ships no type information
    """Feeds level-1 and level-2 headings to the table of contents and the PDF outline, and
    makes each Deferred's flowables when the build reaches it."""

    keepTogetherClass = _HeadingWithNext  # noqa: N815  # reportlab's hook name
    contents: Contents | None = None

    def filterFlowables(self, flowables: list[Flowable]) -> None:
        while flowables and isinstance(flowables[0], Deferred):
            _make_next(flowables)
        if not flowables:  # the last part made nothing: reportlab skips a None
            flowables.append(None)

    def afterFlowable(self, flowable: Flowable) -> None:
        level = getattr(flowable, "toc_level", None)
        if level is None:
            return
        text = flowable.toc_text
        key = f"h{self.seq.nextf('heading')}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        if self.contents is not None:
            self.contents.placed(level, fonts.runs_markup(text, fonts.SANS), self.page, key)


class Rule(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """A horizontal rule: under the letterhead, and the signature line."""

    # Decoration, not content: tagged as an artifact.
    is_artifact = True

    def __init__(
        self,
        thickness: float,
        color: colors.Color,
        *,
        width: float | None = None,
        space_before: float = 0,
        space_after: float = 0,
    ) -> None:
        super().__init__()
        self.thickness = thickness
        self.color = color
        self.rule_width = width
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = self.rule_width or available_width
        return self.width, self.thickness

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)


def fonts_safe(text: str, canvas: Canvas, max_width: float) -> str:
    """Running-header text cut to fit (the header is a convenience, the body has it whole)."""
    clean = printable(text).replace("\n", " ")
    if canvas.stringWidth(clean, fonts.SANS, 7.5) <= max_width:
        return clean
    while clean and canvas.stringWidth(clean + "…", fonts.SANS, 7.5) > max_width:
        clean = clean[:-1]
    return clean + "…"


def build(
    story: list[Flowable],
    size: tuple[float, float],
    *,
    on_page: Callable[[Canvas, BaseDocTemplate], None],
    footer: Callable[[Canvas, int, int], None],
    title: str,
    author: str,
    subject: str,
    keywords: list[str],
    toc: Contents | None,
    first_page: Callable[[Canvas, BaseDocTemplate], None] | None = None,
    created: datetime | None = None,
) -> RenderedPdf:
    """The PDF of the story: tagged (see app.reports.tagging), in US English, its title shown
    as the window title, every font embedded. `created` is its creation and modification
    date (now if None); the same story and date give the same bytes."""
    story = keep_headings_with_next(story)
    facts = DocumentFacts(
        title=title,
        author=author,
        subject=subject,
        keywords=", ".join(keywords),
        created=created if created is not None else datetime.now(UTC),
    )
    buffer = io.BytesIO()
    doc = _Document(
        buffer,
        pagesize=size,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        keywords=keywords,
        creator="Jurisdesk",
        # The document id is a digest of the metadata and `created`, the dates are `created`
        # (both set by the canvas, tagging.TaggingCanvas): the same data and date give
        # byte-identical PDFs.
        invariant=1,
        # reportlab opens each page in its initial font; its default, Helvetica, is not embedded.
        initialFontName=fonts.SERIF,
        lang=facts.language,
    )
    frame = TaggingFrame(
        MARGIN_X,
        MARGIN_BOTTOM,
        size[0] - 2 * MARGIN_X,
        size[1] - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    # Running headers and the DRAFT mark are artifacts, not content.
    templates = [PageTemplate(id="body", frames=[frame], onPage=as_artifact(on_page))]
    if first_page is not None:
        templates.insert(
            0, PageTemplate(id="cover", frames=[frame], onPage=as_artifact(first_page))
        )
    doc.addPageTemplates(templates)
    # One pass: the contents' entries are known now and their page numbers, like the footers'
    # totals, are filled in at the end (see Contents and NumberedCanvas).
    if toc is not None:
        if not isinstance(toc, Contents):
            raise TypeError("the contents of a build are a pdf_layout.Contents")
        toc.prefill(contents_entries(story))
        doc.contents = toc
    doc.build(story, canvasmaker=_canvas_with_footer(footer, doc.contents, facts))
    content = buffer.getvalue()
    return RenderedPdf(content, doc.page)
