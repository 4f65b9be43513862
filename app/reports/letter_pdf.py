"""The response letter as PDF, laid out from the composed letter (app.letter.composed)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, KeepTogether, Spacer

from app.letter.composed import ComposedLetter
from app.reports import fonts
from app.reports.paragraph import Paragraph
from app.reports.pdf_layout import (
    DRAFT_RED,
    INK,
    LINES_WITH_SIGNATURE,
    MARGIN_X,
    MUTED,
    RULE,
    KeepTail,
    RenderedPdf,
    Rule,
    Styles,
    build,
    fonts_safe,
    heading,
    make_styles,
    page_size,
    para,
    paragraphs,
)
from app.reports.tagging import list_item, new_list
from app.reports.text import bind_citations, joined, long_date, printable


def _letter_story(letter: ComposedLetter, styles: Styles) -> list[Flowable]:
    head = letter.letterhead
    story: list[Flowable] = [para(head.name, styles.head_name, fonts.SERIF_BOLD)]
    for line in head.lines:
        story.append(para(line, styles.head_line))
    story.append(Rule(1.2, RULE, space_before=8, space_after=22))

    story.append(para(long_date(letter.dated), styles.body))
    story.append(Spacer(0, 10))
    for line in letter.addressee:
        story.append(para(line, styles.body_tight))
    story.append(Spacer(0, 12))
    story.append(
        Paragraph(
            f'<font face="{fonts.SERIF_BOLD}">Re:</font> '
            + fonts.runs_markup(joined(bind_citations(printable(letter.reference.text))),
                                fonts.SERIF),
            styles.body,
        )
    )  # fmt: skip
    story.append(Spacer(0, 4))
    story.extend(paragraphs(letter.salutation.text, styles.body))
    story.extend(paragraphs(letter.opening.text, styles.body))

    for part in letter.answers:
        if part.heading is not None:
            head_lines: list[Flowable] = [heading(part.heading, styles.h2, None)]
            if part.quoted is not None:
                head_lines.extend(paragraphs(part.quoted, styles.quote, fonts.SERIF_ITALIC))
            elif part.summarised is not None:
                # The exact wording is not on record: the letter says it summarises.
                head_lines.extend(paragraphs(f"In substance: {part.summarised}", styles.quote))
            story.append(KeepTogether(head_lines))
        story.extend(paragraphs(part.text, styles.body))

    if letter.authorities:
        story.append(heading("Authorities cited", styles.h2, None))
        authorities = new_list()
        for number, citation in enumerate(letter.authorities, start=1):
            story.extend(list_item(paragraphs(f"{number}. {citation}", styles.small), authorities))

    closing: list[Flowable] = [
        Spacer(0, 10),
        *paragraphs(letter.closing.text, styles.body),
        Spacer(0, 4),
        para("Sincerely,", styles.body),
        Spacer(0, 34),
        Rule(0.6, INK, width=2.6 * inch, space_before=0, space_after=4),
    ]
    signer = letter.signer
    if signer is not None:
        for signature_line in (signer.name, signer.title, signer.office):
            if signature_line:
                closing.append(para(signature_line, styles.body_tight))
    else:
        closing.append(para("Signature pending approval", styles.body_tight, fonts.SERIF_ITALIC))
        closing.append(para(letter.jurisdiction, styles.body_tight))
    # The closing and signature go to their page with the end of the body, from the last
    # heading on (an answer or the authorities), never alone.
    start = max(0, len(story) - _TAIL_FLOWABLES)
    for index in range(len(story) - 1, start - 1, -1):
        if isinstance(story[index], KeepTogether) or story[index].getKeepWithNext():
            start = index
            break
    body = story[start:]
    del story[start:]
    story.append(KeepTail(body, closing, LINES_WITH_SIGNATURE))

    after: list[Flowable] = []
    if letter.exhibits:
        after.append(Spacer(0, 12))
        after.append(para("Enclosures:", styles.small))
        enclosures = new_list()
        for exhibit in letter.exhibits:
            after.extend(
                list_item(
                    paragraphs(f"Exhibit {exhibit.number}: {exhibit.description}", styles.small),
                    enclosures,
                )
            )
    if letter.cc:
        after.append(Spacer(0, 6))
        after.extend(paragraphs("cc: " + "\n".join(letter.cc), styles.small))
    story.extend(after)
    return story


# How far back the closing looks for the end of the body: enough for the last answer's lines.
_TAIL_FLOWABLES = 12


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
    canvas.drawCentredString(width / 2, height - 0.4 * inch, "DRAFT — NOT APPROVED")
    canvas.restoreState()


def letter_created(letter: ComposedLetter) -> datetime:
    """The PDF's creation date: a draft's is the time it is made; an approved letter's is its
    date (midnight UTC), so the filed letter is the same bytes each time it is exported."""
    if letter.draft:
        return datetime.now(UTC)
    return datetime.combine(letter.dated, time(0, 0), tzinfo=UTC)


def render_letter(
    letter: ComposedLetter, paper: str = "letter", *, created: datetime | None = None
) -> RenderedPdf:
    """The response letter. Until the response is approved every page carries a DRAFT mark.
    `created` is the PDF's creation date; by default letter_created()."""
    size = page_size(paper)
    styles = make_styles()
    # Continuation pages carry the addressee and the letter's date, as letters customarily do,
    # so a separated page can be matched to its letter.
    addressee = letter.addressee_short
    dated = long_date(letter.dated)

    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        if letter.draft:
            _draw_draft(canvas, size)
        if doc.page > 1:
            canvas.saveState()
            canvas.setFont(fonts.SANS, 7.5)
            canvas.setFillColor(MUTED)
            top = size[1] - 0.6 * inch
            canvas.drawString(MARGIN_X, top, fonts_safe(addressee, canvas, size[0] / 1.8))
            canvas.drawRightString(size[0] - MARGIN_X, top, dated)
            canvas.restoreState()

    def footer(canvas: Canvas, page: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(fonts.SANS, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(size[0] / 2, 0.55 * inch, f"Page {page} of {total}")
        canvas.restoreState()

    story = _letter_story(letter, styles)
    return build(
        story,
        size,
        on_page=on_page,
        footer=footer,
        title=printable(f"Response of {letter.jurisdiction} to the {letter.title}"),
        author=printable(letter.signer.name if letter.signer else letter.jurisdiction),
        subject=printable(letter.reference.text),
        # "approved" also once submitted: marking it sent must not change the filed letter.
        keywords=[
            "response letter",
            letter.questionnaire_key,
            "draft" if letter.draft else "approved",
        ],
        toc=None,
        created=created or letter_created(letter),
    )
