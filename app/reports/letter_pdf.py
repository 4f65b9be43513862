"""The response letter as PDF: letterhead, each question with its answer, signature block."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, KeepTogether, Paragraph, Spacer

from app.reports import fonts
from app.reports.model import Letter, long_date
from app.reports.pdf_answers import question_flowables, statement_flowables, with_article
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
from app.reports.text import printable, visual_order


def _letter_story(letter: Letter, styles: Styles) -> list[Flowable]:
    j = letter.jurisdiction
    r = letter.response
    head = j.letterhead
    story: list[Flowable] = [para(head.name, styles.head_name, fonts.SERIF_BOLD)]
    if head.agency:
        story.append(para(head.agency, styles.head_line))
    for line in head.address_lines:
        story.append(para(line, styles.head_line))
    story.append(Rule(1.2, RULE, space_before=8, space_after=22))

    story.append(para(long_date(letter.dated), styles.body))
    story.append(Spacer(0, 10))
    request = r.request
    if request is not None:
        for recipient in (request.signer, request.signer_title, request.issuing_office):
            if recipient:
                story.append(para(recipient, styles.body_tight))
    else:
        story.append(para(r.issuer, styles.body_tight))
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
    story.append(para(salutation, styles.body))

    name = with_article(j.name)
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
    printed = r.letter_questions
    federal = [q for q in printed if q.federal]
    if federal and all(q.issued_text is not None for q in federal):
        setting_out = "Each question is set out below as issued, followed by our answer."
    elif any(q.issued_text is not None for q in federal):
        setting_out = (
            "Each question is set out below, quoted as issued where we hold its exact wording "
            "and otherwise summarized, followed by our answer."
        )
    else:
        # Without the exact federal wording on record the letter must not claim to quote it.
        setting_out = "Each question is summarized below, followed by our answer."
    intro = (
        f"{opening} {setting_out} "
        "Where a question concerns correctional or detention facilities, we answer for each "
        "facility in or serving the jurisdiction, name the government or company that operates "
        "it, and say plainly where a facility is outside our control. Where an answer rests on "
        "a statute, ordinance, policy or agreement, it is cited."
    )
    story.extend(paragraphs(intro, styles.body))

    federal_keys = {q.key for q in federal}
    for question in federal:
        follow_ups = tuple(q for q in printed if q.follows == question.key)
        story.extend(
            question_flowables(question, j.name, styles, in_letter=True, follow_ups=follow_ups)
        )
    # Jurisdesk's own prompts are not federal questions: what was written for them prints as
    # the letter's own further statement, after the answers and without a question heading.
    for question in printed:
        if not question.federal and question.follows not in federal_keys:
            story.extend(statement_flowables(question, styles))

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

    closing: list[Flowable] = [
        Spacer(0, 10),
        *paragraphs(
            f"These answers state the position of {name} as of the date of this letter.",
            styles.body,
        ),
        Spacer(0, 4),
        para("Sincerely,", styles.body),
    ]
    closing.append(Spacer(0, 34))
    closing.append(Rule(0.6, INK, width=2.6 * inch, space_before=0, space_after=4))
    if r.approved and r.approved_by:
        closing.append(para(r.approved_by, styles.body_tight))
        if r.approver_title:
            closing.append(para(r.approver_title, styles.body_tight))
    else:
        closing.append(para("Signature pending approval", styles.body_tight, fonts.SERIF_ITALIC))
    closing.append(para(j.name, styles.body_tight))
    # The closing and signature go to their page with the end of the body, from the last
    # heading on (an answer, the authorities or the enclosures), never alone.
    start = max(0, len(story) - _TAIL_FLOWABLES)
    for index in range(len(story) - 1, start - 1, -1):
        if isinstance(story[index], KeepTogether) or story[index].getKeepWithNext():
            start = index
            break
    body = story[start:]
    del story[start:]
    story.append(KeepTail(body, closing, LINES_WITH_SIGNATURE))
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


def render_letter(letter: Letter, paper: str = "letter") -> RenderedPdf:
    """The response letter. Until the response is approved every page carries a DRAFT mark."""
    size = page_size(paper)
    styles = make_styles()
    j = letter.jurisdiction
    r = letter.response
    # Continuation pages carry the addressee and the letter's date, as letters customarily do,
    # so a separated page can be matched to its letter.
    request = r.request
    addressee = request.signer if request is not None and request.signer else r.issuer
    if request is not None and request.signer and request.signer_title:
        addressee += f", {request.signer_title}"
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
    subject = f"Response of {j.name} to the {r.title}"
    if r.request is not None and r.request.reference:
        subject += f" ({r.request.reference})"
    return build(
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


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1048576:.1f} MB"
