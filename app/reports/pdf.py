"""The response letter and the full jurisdiction report as PDF (reportlab, embedded DejaVu).

Both are pure functions of the read models in app.reports.model and return the PDF bytes.
Builds are reproducible: reportlab's invariant mode fixes the document id and dates, and the
letter prints no generation time, so the same approved response gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from app import questionnaires
from app.reports import fonts
from app.reports.model import (
    AnswerView,
    JurisdictionReport,
    Letter,
    QuestionView,
    ResponseView,
    long_date,
)
from app.reports.text import chunks, printable, visual_order

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
    return f'<font face="{face}">{fonts.runs_markup(visual_order(printable(text)), face)}</font>'


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


def _styles() -> Styles:
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
            "label", parent=body, fontName=fonts.SERIF_BOLD, spaceBefore=6, spaceAfter=3
        ),
        h1=ParagraphStyle(
            "h1",
            fontName=fonts.SANS_BOLD,
            fontSize=15,
            leading=19,
            textColor=RULE,
            spaceBefore=4,
            spaceAfter=10,
        ),
        h2=ParagraphStyle(
            "h2",
            fontName=fonts.SANS_BOLD,
            fontSize=11.5,
            leading=15,
            textColor=RULE,
            spaceBefore=12,
            spaceAfter=6,
        ),
        h3=ParagraphStyle(
            "h3",
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


def _field_line(label: str, value: str | None, style: ParagraphStyle) -> list[Flowable]:
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


def cell(text: object, style: ParagraphStyle) -> Paragraph:
    """A table cell for a bounded field (names, numbers, dates); long text never goes here."""
    if text is None:
        return Paragraph("", style)
    return Paragraph(rich(str(text), style.fontName), style)


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
    result = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return result


def _date(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1048576:.1f} MB"


# ------------------------------------------------------------------------------ pages


class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type information
    """Defers each page until the end so every footer can say "Page x of y"."""

    footer: Callable[[Canvas, int, int], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self.footer is not None:
                self.footer(self, self._pageNumber, total)
            super().showPage()
        super().save()


def _canvas_with_footer(footer: Callable[[Canvas, int, int], None]) -> type[NumberedCanvas]:
    return type("FooterCanvas", (NumberedCanvas,), {"footer": staticmethod(footer)})


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab ships no type information
    """Feeds level-1 and level-2 headings to the table of contents and the PDF outline."""

    def afterFlowable(self, flowable: Flowable) -> None:
        level = getattr(flowable, "toc_level", None)
        if level is None:
            return
        text = flowable.toc_text
        key = f"h{self.seq.nextf('heading')}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        self.notify("TOCEntry", (level, fonts.runs_markup(text, fonts.SANS), self.page, key))


def heading(text: str, style: ParagraphStyle, level: int | None) -> Paragraph:
    para = Paragraph(rich(text, style.fontName), style)
    if level is not None:
        para.toc_level = level
        para.toc_text = printable(text)
    return para


# ------------------------------------------------------------------------------ answers


def _answer_flowables(
    answer: AnswerView, jurisdiction_name: str, styles: Styles, *, in_letter: bool
) -> list[Flowable]:
    out: list[Flowable] = []
    facility = answer.facility
    if facility is not None:
        operator = f"{facility.operator_name} ({facility.operator_type_label.lower()})"
        out.append(
            Paragraph(
                rich(facility.name, fonts.SERIF_BOLD)
                + rich(f" — operated by {operator}", fonts.SERIF),
                styles.h3,
            )
        )
        if not facility.sets_policy:
            out.append(
                Paragraph(
                    rich(
                        f"This facility is outside the control of {_the(jurisdiction_name)}",
                        fonts.SERIF,
                    )
                    + rich(
                        f": {facility.operator_name} sets its policies and practices.", fonts.SERIF
                    ),
                    styles.body,
                )
            )
    if not answer.answered and not answer.narrative:
        out.append(Paragraph(rich("No answer recorded.", fonts.SERIF_ITALIC), styles.body))
        return out
    if answer.value_text:
        out.extend(_field_line("Answer", answer.value_text, styles.body))
    out.extend(paragraphs(answer.narrative, styles.body))
    out.extend(_field_line("Conditions", answer.conditions, styles.body))
    details = []
    if answer.basis_label:
        details.append(f"Basis: {answer.basis_label}")
    if answer.as_of:
        details.append(f"as of {long_date(answer.as_of)}")
    if details:
        out.append(Paragraph(rich("; ".join(details) + ".", fonts.SERIF), styles.small))
    out.extend(_field_line("Information from", answer.information_source, styles.small))
    if answer.instruments:
        cited = "; ".join(i.reference for i in answer.instruments)
        out.extend(_field_line("Authority cited", cited, styles.body))
    if answer.evidence and not in_letter:
        listed = "; ".join(e.filename for e in answer.evidence)
        out.extend(_field_line("Evidence", listed, styles.small))
    return out


def _question_flowables(
    question: QuestionView,
    jurisdiction_name: str,
    styles: Styles,
    *,
    in_letter: bool,
    level: int | None = None,
) -> list[Flowable]:
    head = heading(f"Question {question.number}", styles.h2, level)
    out: list[Flowable] = [
        KeepTogether([head, *paragraphs(question.text, styles.quote, fonts.SERIF_ITALIC)])
    ]
    if question.per_facility and question.answers:
        for answer in question.answers:
            out.extend(_answer_flowables(answer, jurisdiction_name, styles, in_letter=in_letter))
        summary = _summary_sentence(question)
        if summary:
            out.append(Paragraph(rich(summary, fonts.SERIF_ITALIC), styles.body))
    elif question.per_facility:
        out.append(
            Paragraph(
                rich("No detention facilities are recorded for this jurisdiction.", fonts.SERIF),
                styles.body,
            )
        )
    else:
        for answer in question.answers:
            out.extend(_answer_flowables(answer, jurisdiction_name, styles, in_letter=in_letter))
    return out


def _summary_sentence(question: QuestionView) -> str | None:
    """The jurisdiction-level result of a per-facility question, in words."""
    result = question.combined_result
    if result is None or not all(answer.answered for answer in question.answers):
        # A summary over some facilities only would misstate the position of the others.
        return None
    if result == questionnaires.OUTSIDE_CONTROL:
        return "In summary, none of these facilities is under our control."
    if result == questionnaires.NOT_APPLICABLE:
        return "In summary, the question does not apply to these facilities."
    return f"In summary, for the facilities under our control: {question.combined_label}."


# ------------------------------------------------------------------------------ the letter


# Names that read "the City of X"; a name such as "Baltimore City" takes no article.
_NAMES_WITH_ARTICLE = ("city of ", "county of ", "town of ", "village of ", "state of ",
                       "city and county of ", "borough of ", "township of ")  # fmt: skip


def _the(name: str) -> str:
    lowered = name.lower()
    if lowered.startswith("the ") or not lowered.startswith(_NAMES_WITH_ARTICLE):
        return name
    return f"the {name}"


def _letter_story(letter: Letter, styles: Styles) -> list[Flowable]:
    j = letter.jurisdiction
    r = letter.response
    head = j.letterhead
    story: list[Flowable] = [Paragraph(rich(head.name, fonts.SERIF_BOLD), styles.head_name)]
    if head.agency:
        story.append(Paragraph(rich(head.agency, fonts.SERIF), styles.head_line))
    for line in head.address_lines:
        story.append(Paragraph(rich(line, fonts.SERIF), styles.head_line))
    story.append(_Rule(1.2, RULE, space_before=8, space_after=22))

    story.append(Paragraph(rich(long_date(letter.dated), fonts.SERIF), styles.body))
    story.append(Spacer(0, 10))
    request = r.request
    if request is not None:
        for recipient in (request.signer, request.signer_title, request.issuing_office):
            if recipient:
                story.append(Paragraph(rich(recipient, fonts.SERIF), styles.body_tight))
    else:
        story.append(Paragraph(rich(r.issuer, fonts.SERIF), styles.body_tight))
    story.append(Spacer(0, 12))

    subject = r.title
    if request is not None and request.reference:
        subject = f"{request.reference} — {r.title}"
    story.append(
        Paragraph(
            f'<font face="{fonts.SERIF_BOLD}">Re:</font> '
            + fonts.runs_markup(visual_order(printable(subject)), fonts.SERIF),
            styles.body,
        )
    )
    story.append(Spacer(0, 4))
    salutation = "Dear Sir or Madam:"
    if request is not None and request.signer:
        # "Dear Acting Assistant Attorney General Hanson:" — title and surname, as is customary.
        surname = request.signer.split()[-1]
        salutation = (
            f"Dear {request.signer_title} {surname}:"
            if request.signer_title
            else f"Dear {request.signer}:"
        )
    story.append(Paragraph(rich(salutation, fonts.SERIF), styles.body))

    name = _the(j.name)
    if request is not None and request.letter_date:
        addressed = ""
        if request.addressee:
            addressed = f" to {request.addressee}"
            if request.addressee_title:
                addressed += f", {request.addressee_title}"
        opening = (
            f"On behalf of {name}, I write in response to your letter of "
            f"{long_date(request.letter_date)}{addressed}, concerning the {r.program}."
        )
    else:
        opening = f"On behalf of {name}, I write in response to the {r.title}."
    intro = (
        f"{opening} Each question is set out below as issued, followed by our answer. "
        "Where a question concerns correctional or detention facilities, we answer for each "
        "facility in or serving the jurisdiction, name the government or company that operates "
        "it, and say plainly where a facility is outside our control. Where an answer rests on "
        "a statute, ordinance, policy or agreement, it is cited."
    )
    story.extend(paragraphs(intro, styles.body))

    for question in r.letter_questions:
        story.extend(_question_flowables(question, j.name, styles, in_letter=True))

    cited = r.cited_instruments
    if cited:
        story.append(heading("Authorities cited", styles.h2, None))
        for instrument in cited:
            parts = [instrument.type_label]
            if instrument.issuing_body:
                parts.append(instrument.issuing_body)
            if instrument.adopted_on:
                parts.append(f"adopted {long_date(instrument.adopted_on)}")
            if instrument.effective_on:
                parts.append(f"effective {long_date(instrument.effective_on)}")
            line = f"{instrument.reference}. {', '.join(parts)}."
            story.extend(paragraphs(line, styles.small))
    enclosed = r.cited_evidence
    if enclosed:
        story.append(heading("Enclosures", styles.h2, None))
        for item in enclosed:
            story.extend(paragraphs(f"{item.filename} ({_size(item.size)})", styles.small))

    story.append(Spacer(0, 10))
    # The closing sentence keeps the signature from standing alone on a page.
    closing: list[Flowable] = [
        *paragraphs(
            f"These answers state the position of {name} as of the date of this letter.",
            styles.body,
        ),
        Spacer(0, 4),
        Paragraph(rich("Sincerely,", fonts.SERIF), styles.body),
    ]
    closing.append(Spacer(0, 34))
    closing.append(_Rule(0.6, INK, width=2.6 * inch, space_before=0, space_after=4))
    if r.approved and r.approved_by:
        closing.append(Paragraph(rich(r.approved_by, fonts.SERIF), styles.body_tight))
        if r.approver_title:
            closing.append(Paragraph(rich(r.approver_title, fonts.SERIF), styles.body_tight))
    else:
        closing.append(
            Paragraph(rich("Signature pending approval", fonts.SERIF_ITALIC), styles.body_tight)
        )
    closing.append(Paragraph(rich(j.name, fonts.SERIF), styles.body_tight))
    story.append(KeepTogether(closing))
    return story


class _Rule(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """A horizontal rule: under the letterhead, and the signature line."""

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


def _draw_draft(canvas: Canvas, size: tuple[float, float]) -> None:
    width, height = size
    canvas.saveState()
    canvas.setFillColor(DRAFT_RED)
    canvas.setFillAlpha(0.08)
    canvas.setFont(fonts.SANS_BOLD, 120)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(52)
    canvas.drawCentredString(0, -40, "DRAFT")
    canvas.restoreState()
    canvas.saveState()
    canvas.setFillColor(DRAFT_RED)
    canvas.setFont(fonts.SANS_BOLD, 8)
    canvas.drawRightString(width - MARGIN_X, height - 0.5 * inch, "DRAFT — NOT APPROVED")
    canvas.restoreState()


def render_letter(letter: Letter, paper: str = "letter") -> RenderedPdf:
    """The response letter. Until the response is approved every page carries a DRAFT mark."""
    size = page_size(paper)
    styles = _styles()
    j = letter.jurisdiction
    r = letter.response
    running = f"{j.name} — {r.title}"

    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        if letter.draft:
            _draw_draft(canvas, size)
        if doc.page > 1:
            canvas.saveState()
            canvas.setFont(fonts.SANS, 7.5)
            canvas.setFillColor(MUTED)
            canvas.drawString(
                MARGIN_X, size[1] - 0.5 * inch, fonts_safe(running, canvas, size[0] / 1.8)
            )
            canvas.restoreState()

    def footer(canvas: Canvas, page: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(fonts.SANS, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(size[0] / 2, 0.55 * inch, f"Page {page} of {total}")
        canvas.restoreState()

    story = _letter_story(letter, styles)
    subject = f"Response of {j.name} to the {r.title}"
    if r.request is not None and r.request.reference:
        subject += f" ({r.request.reference})"
    return _build(
        story,
        size,
        on_page=on_page,
        footer=footer,
        title=printable(f"{j.name}: response letter — {r.title}"),
        author=printable(letter.author),
        subject=printable(subject),
        # "approved" also once submitted: marking it sent must not change the filed letter.
        keywords=["response letter", r.questionnaire_key, "approved" if r.approved else r.status],
        toc=None,
    )


def fonts_safe(text: str, canvas: Canvas, max_width: float) -> str:
    """Running-header text cut to fit (the header is a convenience, the body has it whole)."""
    clean = printable(text).replace("\n", " ")
    if canvas.stringWidth(clean, fonts.SANS, 7.5) <= max_width:
        return clean
    while clean and canvas.stringWidth(clean + "…", fonts.SANS, 7.5) > max_width:
        clean = clean[:-1]
    return clean + "…"


def _build(
    story: list[Flowable],
    size: tuple[float, float],
    *,
    on_page: Callable[[Canvas, BaseDocTemplate], None],
    footer: Callable[[Canvas, int, int], None],
    title: str,
    author: str,
    subject: str,
    keywords: list[str],
    toc: TableOfContents | None,
    first_page: Callable[[Canvas, BaseDocTemplate], None] | None = None,
) -> RenderedPdf:
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
        # Fixed document id and dates: the same data gives byte-identical PDFs.
        invariant=1,
    )
    frame = Frame(
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
    templates = [PageTemplate(id="body", frames=[frame], onPage=on_page)]
    if first_page is not None:
        templates.insert(0, PageTemplate(id="cover", frames=[frame], onPage=first_page))
    doc.addPageTemplates(templates)
    canvas_class = _canvas_with_footer(footer)
    if toc is not None:
        doc.multiBuild(story, canvasmaker=canvas_class)
    else:
        doc.build(story, canvasmaker=canvas_class)
    content = buffer.getvalue()
    return RenderedPdf(content, doc.page)


# ------------------------------------------------------------------------------ the report


def _kv_table(rows: Sequence[tuple[str, object]], styles: Styles, width: float) -> Table | None:
    shown = [(k, v) for k, v in rows if v not in (None, "")]
    if not shown:
        return None
    data = [[cell(k, styles.cell_head), cell(v, styles.cell)] for k, v in shown]
    result = Table(data, colWidths=[1.9 * inch, width - 1.9 * inch], hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return result


def _details(
    label: str, fields: Sequence[tuple[str, str | None]], styles: Styles
) -> list[Flowable]:
    """Long text of a record, after its table row: "Label" then each non-empty field."""
    present = [(name, value) for name, value in fields if value and value.strip()]
    if not present:
        return []
    out: list[Flowable] = [Paragraph(rich(label, fonts.SERIF_BOLD), styles.h3)]
    for name, value in present:
        out.extend(_field_line(name, value, styles.body))
    return out


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _report_story(
    report: JurisdictionReport, styles: Styles, width: float
) -> tuple[list[Flowable], TableOfContents]:
    j = report.jurisdiction
    story: list[Flowable] = []
    # Cover.
    story.append(Spacer(0, 1.6 * inch))
    story.append(Paragraph(rich(j.name, fonts.SERIF_BOLD), styles.cover_title))
    story.append(
        Paragraph(
            rich(
                "Immigration-cooperation record: facilities, policies, grants and "
                "answers to federal questionnaires",
                fonts.SERIF,
            ),
            styles.cover_sub,
        )
    )
    story.append(_Rule(1.2, RULE, space_before=14, space_after=14))
    cover_rows = [
        ("Jurisdiction", f"{j.name} ({j.kind_label}, {j.state})"),
        ("Police agency", j.police_agency),
        ("Chief legal officer", _person(j.chief_legal_officer, j.chief_legal_officer_title)),
        ("Responses", str(len(report.responses))),
        ("Generated", _date(report.generated_at)),
        ("Database version", report.database_version),
    ]
    cover = _kv_table(cover_rows, styles, width)
    if cover is not None:
        story.append(cover)
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())

    toc = TableOfContents(levelStyles=[styles.toc1, styles.toc2], dotsMinLevel=0)
    story.append(Paragraph(rich("Contents", fonts.SANS_BOLD), styles.h1))
    story.append(toc)
    story.append(PageBreak())

    # Profile.
    story.append(heading("1. Profile", styles.h1, 0))
    profile = _kv_table(
        [
            ("Name", j.name),
            ("Kind", j.kind_label),
            ("State", j.state),
            ("FIPS code", j.fips),
            ("Population", f"{j.population:,}" if j.population is not None else None),
            ("Police agency", j.police_agency),
            ("Police chief", _person(j.chief_name, j.chief_title)),
            ("Chief executive", _person(j.chief_executive, j.chief_executive_title)),
            ("Chief legal officer", _person(j.chief_legal_officer, j.chief_legal_officer_title)),
        ],
        styles,
        width,
    )
    if profile is not None:
        story.append(profile)
    story.extend(_details("Letterhead address and notes",
                          [("Letterhead address", j.letterhead_address), ("Notes", j.notes)],
                          styles))  # fmt: skip
    if report.contacts:
        story.append(heading("Contacts", styles.h2, 1))
        story.append(
            table(
                ["Name", "Title", "Organization", "Role", "E-mail", "Phone"],
                [
                    (c.name, c.title, c.organization, c.role_label, c.email, c.phone)
                    for c in report.contacts
                ],
                _widths(width, [1.2, 1.1, 1.2, 0.8, 1.3, 0.9]),
                styles,
            )
        )

    # Facilities.
    story.append(CondPageBreak(2 * inch))
    story.append(heading("2. Detention facilities and who runs them", styles.h1, 0))
    if report.facilities:
        story.append(
            table(
                ["Facility", "Type", "Operator", "Operator type", "We set policy"],
                [
                    (
                        f.name,
                        f.type_label,
                        f.operator_name,
                        f.operator_type_label,
                        _yes_no(f.sets_policy),
                    )
                    for f in report.facilities
                ],
                _widths(width, [1.9, 1.1, 1.6, 1.0, 0.7]),
                styles,
            )
        )
        for f in report.facilities:
            story.extend(
                _details(
                    f.name,
                    [
                        ("Address", f.address),
                        ("Basis for control", f.control_basis),
                        ("Contact", f.contact),
                    ],
                    styles,
                )
            )
    else:
        story.append(Paragraph(rich("No facilities recorded.", fonts.SERIF), styles.body))

    # Instruments.
    story.append(CondPageBreak(2 * inch))
    story.append(heading("3. Legal instruments", styles.h1, 0))
    if report.instruments:
        story.append(
            table(
                ["Title", "Type", "Number", "Level", "Adopted", "Effective", "Rescinded"],
                [
                    (
                        i.title,
                        i.type_label,
                        i.number,
                        i.level_label,
                        _date(i.adopted_on),
                        _date(i.effective_on),
                        _date(i.rescinded_on),
                    )
                    for i in report.instruments
                ],
                _widths(width, [1.8, 1.0, 0.8, 0.6, 0.8, 0.8, 0.85]),
                styles,
            )
        )
        for i in report.instruments:
            story.extend(
                _details(
                    i.title,
                    [
                        ("Citation", i.citation),
                        ("Issuing body", i.issuing_body),
                        ("Web address", i.url),
                        ("Summary", i.summary),
                    ],
                    styles,
                )
            )
    else:
        story.append(Paragraph(rich("No instruments recorded.", fonts.SERIF), styles.body))

    # Grants.
    story.append(CondPageBreak(2 * inch))
    story.append(heading("4. Grants and their conditions", styles.h1, 0))
    if not report.awards:
        story.append(Paragraph(rich("No grants recorded.", fonts.SERIF), styles.body))
    for award in report.awards:
        story.append(heading(f"{award.program}, FY{award.fiscal_year}", styles.h2, 1))
        kv = _kv_table(
            [
                ("Status", award.status_label),
                ("Application number", award.application_number),
                ("Award number", award.award_number),
                ("Amount", f"${award.amount:,}" if award.amount is not None else None),
                ("1373 certification", _person(award.certified_by, award.certifier_title)),
                ("Certified on", _date(award.certified_on)),
            ],
            styles,
            width,
        )
        if kv is not None:
            story.append(kv)
        story.extend(paragraphs(award.notes, styles.body))
        if award.conditions:
            story.append(Spacer(0, 6))
            story.append(
                table(
                    ["No.", "Condition", "Status for us", "As of", "Order or notice"],
                    [
                        (
                            c.number,
                            c.title,
                            c.status_label,
                            _date(c.status_as_of),
                            c.status_authority,
                        )
                        for c in award.conditions
                    ],
                    _widths(width, [0.4, 2.0, 1.1, 0.75, 2.0]),
                    styles,
                )
            )
            for c in award.conditions:
                story.extend(_details(f"Condition {c.number or ''} {c.title}".replace("  ", " "),
                                      [("Text", c.text)], styles))  # fmt: skip

    # Requests.
    if report.requests:
        story.append(CondPageBreak(2 * inch))
        story.append(heading("5. Federal requests", styles.h1, 0))
        for rq in report.requests:
            title = rq.program + (f", FY{rq.fiscal_year}" if rq.fiscal_year else "")
            story.append(heading(title, styles.h2, 1))
            kv = _kv_table(
                [
                    ("Issuing office", rq.issuing_office),
                    ("Signed by", _person(rq.signer, rq.signer_title)),
                    ("Reference", rq.reference),
                    ("Letter date", _date(rq.letter_date)),
                    ("Received", _date(rq.received_on)),
                    ("Due", _date(rq.due_on)),
                    ("Addressed to", _person(rq.addressee, rq.addressee_title)),
                ],
                styles,
                width,
            )
            if kv is not None:
                story.append(kv)
            story.extend(_field_line("Instructions", rq.instructions, styles.body))

    # Statistics.
    story.append(CondPageBreak(2 * inch))
    story.append(heading("6. Detainer and notification statistics", styles.h1, 0))
    if report.statistics:
        story.append(
            table(
                ["Period", "Facility", "Received", "Honored", "Declined", "Notices", "Source"],
                [
                    (
                        f"{s.period_start} – {s.period_end}",
                        s.facility_name or "All facilities",
                        _count(s.received),
                        _count(s.honored),
                        _count(s.declined),
                        _count(s.notifications),
                        s.source,
                    )
                    for s in report.statistics
                ],
                _widths(width, [1.1, 1.2, 0.6, 0.6, 0.6, 0.6, 1.9]),
                styles,
                right_columns=(2, 3, 4, 5),
            )
        )
        for s in report.statistics:
            story.extend(_details(f"{s.period_start} – {s.period_end}: notes",
                                  [("Notes", s.notes)], styles))  # fmt: skip
    else:
        story.append(Paragraph(rich("No statistics recorded.", fonts.SERIF), styles.body))

    # Responses.
    story.append(PageBreak())
    story.append(heading("7. Responses", styles.h1, 0))
    if not report.responses:
        story.append(Paragraph(rich("No responses recorded.", fonts.SERIF), styles.body))
    for r in report.responses:
        story.extend(_response_section(r, j.name, styles, width))

    # Evidence.
    story.append(PageBreak())
    story.append(heading("8. Evidence index", styles.h1, 0))
    if report.evidence:
        story.append(
            table(
                ["File", "Type", "Size (bytes)", "SHA-256", "Obtained"],
                [
                    (
                        e.filename,
                        e.media_type,
                        f"{e.size:,}",
                        e.sha256,
                        " ".join(x for x in (e.obtained_from or "", _date(e.obtained_on)) if x),
                    )
                    for e in report.evidence
                ],
                _widths(width, [1.6, 0.9, 0.7, 2.3, 1.0]),
                styles,
                mono_columns=(3,),
                right_columns=(2,),
            )
        )
        for e in report.evidence:
            story.extend(_details(e.filename, [("Description", e.description)], styles))
    else:
        story.append(Paragraph(rich("No evidence files.", fonts.SERIF), styles.body))

    # Audit.
    story.append(CondPageBreak(3 * inch))
    story.append(heading("9. Audit trail", styles.h1, 0))
    h = report.history
    summary = (
        f"{h.total} recorded changes"
        + (f" from {_date(h.first_at)} to {_date(h.last_at)}" if h.first_at else "")
        + "."
    )
    story.append(Paragraph(rich(summary, fonts.SERIF), styles.body))
    if h.by_actor:
        story.append(
            Paragraph(
                rich(
                    "By person: " + "; ".join(f"{a} ({n})" for a, n in h.by_actor) + ".",
                    fonts.SERIF,
                ),
                styles.body,
            )
        )
    if h.by_action:
        story.append(
            Paragraph(
                rich(
                    "By kind of change: " + "; ".join(f"{a} ({n})" for a, n in h.by_action) + ".",
                    fonts.SERIF,
                ),
                styles.body,
            )
        )
    if h.recent:
        story.append(heading(f"Most recent {len(h.recent)} changes", styles.h2, 1))
        story.append(
            table(
                ["When (UTC)", "Who", "Action", "Record", "Field"],
                [
                    (
                        _date(e.at),
                        e.actor,
                        e.action,
                        f"{e.entity_kind}: {e.entity_label}" if e.entity_label else e.entity_kind,
                        e.field,
                    )
                    for e in h.recent
                ],
                _widths(width, [1.5, 1.1, 0.7, 2.2, 1.0]),
                styles,
            )
        )
    return story, toc


def _response_section(
    r: ResponseView, jurisdiction_name: str, styles: Styles, width: float
) -> list[Flowable]:
    out: list[Flowable] = [
        CondPageBreak(2.5 * inch),
        heading(f"{r.title} (version {r.questionnaire_version})", styles.h2, 1),
    ]
    kv = _kv_table(
        [
            ("Status", r.status_label),
            (
                "Complete",
                f"{r.complete_percent}%"
                + (f", {r.missing} required answers missing" if r.missing else ""),
            ),
            ("Prepared by", r.prepared_by),
            ("Reviewed by", r.reviewed_by),
            ("Approved by", _person(r.approved_by, r.approver_title)),
            ("Approved at", _date(r.approved_at)),
            ("Submitted", " ".join(x for x in (_date(r.submitted_on), r.submission_method) if x)),
            ("Request", (r.request.reference or r.request.program) if r.request else None),
            ("Due", _date(r.request.due_on) if r.request else None),
        ],
        styles,
        width,
    )
    if kv is not None:
        out.append(kv)
    out.extend(_field_line("Notes", r.notes, styles.body))
    for question in r.questions:
        out.extend(_question_flowables(question, jurisdiction_name, styles, in_letter=False))
        if not question.per_facility and question.combined_label:
            out.append(
                Paragraph(
                    rich(f"Result: {question.combined_label}.", fonts.SERIF_ITALIC), styles.small
                )
            )
    if r.filings:
        out.append(Paragraph(rich("Filed copies", fonts.SERIF_BOLD), styles.h3))
        out.append(
            table(
                ["Filed (UTC)", "By", "File", "Size (bytes)", "SHA-256"],
                [
                    (_date(f.filed_at), f.filed_by, f.filename, f"{f.size:,}", f.sha256)
                    for f in r.filings
                ],
                _widths(width, [1.5, 1.0, 1.2, 0.7, 2.3]),
                styles,
                mono_columns=(4,),
                right_columns=(3,),
            )
        )
    return out


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _person(name: str | None, title: str | None) -> str | None:
    if not name:
        return None
    return f"{name}, {title}" if title else name


def _widths(total: float, weights: Sequence[float]) -> list[float]:
    scale = total / sum(weights)
    return [w * scale for w in weights]


def render_report(report: JurisdictionReport, paper: str = "letter") -> RenderedPdf:
    """The full report of one jurisdiction, with contents, and page, time and version footers."""
    size = page_size(paper)
    styles = _styles()
    width = size[0] - 2 * MARGIN_X
    j = report.jurisdiction
    generated = _date(report.generated_at)

    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(fonts.SANS, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN_X, size[1] - 0.5 * inch, fonts_safe(j.name, canvas, width / 2))
        canvas.drawRightString(size[0] - MARGIN_X, size[1] - 0.5 * inch, "Jurisdiction report")
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, size[1] - 0.56 * inch, size[0] - MARGIN_X, size[1] - 0.56 * inch)
        canvas.restoreState()

    def footer(canvas: Canvas, page: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(fonts.SANS, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            MARGIN_X,
            0.55 * inch,
            f"Generated {generated} · Database version {report.database_version}",
        )
        canvas.drawRightString(size[0] - MARGIN_X, 0.55 * inch, f"Page {page} of {total}")
        canvas.restoreState()

    def cover(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(RULE)
        canvas.rect(0, size[1] - 0.35 * inch, size[0], 0.35 * inch, stroke=0, fill=1)
        canvas.restoreState()

    story, toc = _report_story(report, styles, width)
    return _build(
        story,
        size,
        on_page=on_page,
        footer=footer,
        first_page=cover,
        title=printable(f"{j.name}: jurisdiction report"),
        author=printable(j.chief_legal_officer or j.name),
        subject=printable(
            f"Facilities, legal instruments, grants, statistics and responses of {j.name}"
        ),
        keywords=["jurisdiction report"],
        toc=toc,
    )
