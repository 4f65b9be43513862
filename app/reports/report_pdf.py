"""The full jurisdiction report as PDF: cover, contents, then one chapter per kind of record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    NextPageTemplate,
    PageBreak,
    Spacer,
)

from app.reports import fonts
from app.reports.model import JurisdictionReport, QuestionView, ResponseView
from app.reports.pdf_answers import question_flowables
from app.reports.pdf_layout import (
    GRID,
    MARGIN_X,
    MUTED,
    RULE,
    Contents,
    Deferred,
    RenderedPdf,
    Rule,
    Styles,
    build,
    column_widths,
    date_text,
    details,
    expand,
    field_line,
    fonts_safe,
    heading,
    key_values,
    make_styles,
    page_size,
    para,
    paragraphs,
    person,
    table,
)
from app.reports.text import printable
from app.services.history_words import action_label, field_label, record_label

T = TypeVar("T")

# What a record shows under its table row: a label and its long-text fields (see `details`).
Details = tuple[str, Sequence[tuple[str, str | None]]]


def _chapter(story: list[Flowable], title: str, styles: Styles, room: float | None) -> None:
    """A numbered chapter heading (in the contents): on a new page when `room` is None, else
    on a new page only when less than `room` is left, so a heading never ends a page."""
    story.append(PageBreak() if room is None else CondPageBreak(room))
    story.append(heading(title, styles.h1, 0))


def _records(
    story: list[Flowable],
    records: Sequence[T],
    headers: Sequence[str],
    weights: Sequence[float],
    row: Callable[[T], Sequence[object]],
    styles: Styles,
    width: float,
    *,
    details_of: Callable[[T], Details] | None = None,
    empty: str | None = None,
    mono_columns: Sequence[int] = (),
    right_columns: Sequence[int] = (),
) -> None:
    """A table with a row per record (`weights` are relative column widths), then each record's
    long text, which never goes in a cell; or the `empty` sentence when there are none."""
    if not records:
        if empty is not None:
            story.append(para(empty, styles.body))
        return
    story.append(
        table(
            headers,
            [row(record) for record in records],
            column_widths(width, weights),
            styles,
            mono_columns=mono_columns,
            right_columns=right_columns,
        )
    )
    if details_of is not None:
        for record in records:
            label, fields = details_of(record)
            story.extend(details(label, fields, styles))


def _report_story(
    report: JurisdictionReport, styles: Styles, width: float
) -> tuple[list[Flowable], Contents]:
    j = report.jurisdiction
    story: list[Flowable] = []
    # Cover.
    story.append(Spacer(0, 1.6 * inch))
    story.append(para(j.name, styles.cover_title, fonts.SERIF_BOLD))
    story.append(
        para(
            "Immigration-cooperation record: facilities, policies, grants and "
            "answers to federal questionnaires",
            styles.cover_sub,
        )
    )
    story.append(Rule(1.2, RULE, space_before=14, space_after=14))
    cover_rows = [
        ("Jurisdiction", f"{j.name} ({j.kind_label}, {j.state})"),
        ("Police agency", j.police_agency),
        ("Chief legal officer", person(j.chief_legal_officer, j.chief_legal_officer_title)),
        ("Responses", str(len(report.responses))),
        ("Generated", date_text(report.generated_at)),
        ("Database version", report.database_version),
        ("Audit trail head", _head_text(report)),
    ]
    story.extend(key_values(cover_rows, styles, width))
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())

    toc = Contents(levelStyles=[styles.toc1, styles.toc2], dotsMinLevel=0)
    story.append(para("Contents", styles.h1, fonts.SANS_BOLD))
    story.append(toc)
    story.append(PageBreak())

    # Profile.
    story.append(heading("1. Profile", styles.h1, 0))
    story.extend(
        key_values(
            [
                ("Name", j.name),
                ("Kind", j.kind_label),
                ("State", j.state),
                ("FIPS code", j.fips),
                ("Population", f"{j.population:,}" if j.population is not None else None),
                ("Police agency", j.police_agency),
                ("Police chief", person(j.chief_name, j.chief_title)),
                ("Chief executive", person(j.chief_executive, j.chief_executive_title)),
                ("Chief legal officer", person(j.chief_legal_officer, j.chief_legal_officer_title)),
            ],
            styles,
            width,
        )
    )
    story.extend(details("Letterhead address and notes",
                         [("Letterhead address", j.letterhead_address), ("Notes", j.notes)],
                         styles))  # fmt: skip
    if report.contacts:
        story.append(heading("Contacts", styles.h2, 1))
        _records(
            story,
            report.contacts,
            ["Name", "Title", "Organization", "Role", "E-mail", "Phone"],
            [1.2, 1.1, 1.2, 0.8, 1.3, 0.9],
            lambda c: (c.name, c.title, c.organization, c.role_label, c.email, c.phone),
            styles,
            width,
        )

    _chapter(story, "2. Detention facilities and who runs them", styles, 2 * inch)
    _records(
        story,
        report.facilities,
        ["Facility", "Type", "Operator", "Operator type", "We set policy"],
        [1.9, 1.1, 1.6, 1.0, 0.7],
        lambda f: (
            f.name,
            f.type_label,
            f.operator_name,
            f.operator_type_label,
            _yes_no(f.sets_policy),
        ),
        styles,
        width,
        details_of=lambda f: (
            f.name,
            [
                ("Address", f.address),
                ("Basis for control", f.control_basis),
                ("Contact", f.contact),
            ],
        ),
        empty="No facilities recorded.",
    )

    _chapter(story, "3. Legal instruments", styles, 2 * inch)
    _records(
        story,
        report.instruments,
        ["Title", "Type", "Number", "Level", "Adopted", "Effective", "Rescinded"],
        [1.8, 1.0, 0.8, 0.6, 0.8, 0.8, 0.85],
        lambda i: (
            i.title,
            i.type_label,
            i.number,
            i.level_label,
            date_text(i.adopted_on),
            date_text(i.effective_on),
            date_text(i.rescinded_on),
        ),
        styles,
        width,
        details_of=lambda i: (
            i.title,
            [
                ("Citation", i.citation),
                ("Issuing body", i.issuing_body),
                ("Web address", i.url),
                ("Summary", i.summary),
            ],
        ),
        empty="No instruments recorded.",
    )

    _chapter(story, "4. Grants and their conditions", styles, 2 * inch)
    if not report.awards:
        story.append(para("No grants recorded.", styles.body))
    for award in report.awards:
        story.append(heading(f"{award.program}, FY{award.fiscal_year}", styles.h2, 1))
        story.extend(
            key_values(
                [
                    ("Status", award.status_label),
                    ("Application number", award.application_number),
                    ("Award number", award.award_number),
                    ("Amount", f"${award.amount:,}" if award.amount is not None else None),
                    ("1373 certification", person(award.certified_by, award.certifier_title)),
                    ("Certified on", date_text(award.certified_on)),
                ],
                styles,
                width,
            )
        )
        story.extend(paragraphs(award.notes, styles.body))
        if award.conditions:
            story.append(Spacer(0, 6))
        _records(
            story,
            award.conditions,
            ["No.", "Condition", "Status for us", "As of", "Order or notice"],
            [0.4, 2.0, 1.1, 0.75, 2.0],
            lambda c: (
                c.number,
                c.title,
                c.status_label,
                date_text(c.status_as_of),
                c.status_authority,
            ),
            styles,
            width,
            details_of=lambda c: (
                f"Condition {c.number or ''} {c.title}".replace("  ", " "),
                [("Text", c.text)],
            ),
        )

    # Federal requests get a chapter only when there are any; the others keep their numbers.
    if report.requests:
        _chapter(story, "5. Federal requests", styles, 2 * inch)
        for rq in report.requests:
            title = rq.program + (f", FY{rq.fiscal_year}" if rq.fiscal_year else "")
            story.append(heading(title, styles.h2, 1))
            story.extend(
                key_values(
                    [
                        ("Issuing office", rq.issuing_office),
                        ("Signed by", person(rq.signer, rq.signer_title)),
                        ("Reference", rq.reference),
                        ("Letter date", date_text(rq.letter_date)),
                        ("Received", date_text(rq.received_on)),
                        ("Due", date_text(rq.due_on)),
                        ("Addressed to", person(rq.addressee, rq.addressee_title)),
                    ],
                    styles,
                    width,
                )
            )
            story.extend(field_line("Instructions", rq.instructions, styles.body))

    _chapter(story, "6. Detainer and notification statistics", styles, 2 * inch)
    _records(
        story,
        report.statistics,
        ["Period", "Facility", "Received", "Honored", "Declined", "Notices", "Source"],
        [1.1, 1.2, 0.6, 0.6, 0.6, 0.6, 1.9],
        lambda s: (
            f"{s.period_start} – {s.period_end}",
            s.facility_name or "All facilities",
            _count(s.received),
            _count(s.honored),
            _count(s.declined),
            _count(s.notifications),
            s.source,
        ),
        styles,
        width,
        details_of=lambda s: (f"{s.period_start} – {s.period_end}: notes", [("Notes", s.notes)]),
        empty="No statistics recorded.",
        right_columns=(2, 3, 4, 5),
    )

    _chapter(story, "7. Responses", styles, None)
    if not report.responses:
        story.append(para("No responses recorded.", styles.body))
    for r in report.responses:
        story.extend(_response_section(r, j.name, styles, width))

    _chapter(story, "8. Evidence index", styles, None)
    _records(
        story,
        report.evidence,
        ["File", "Type", "Size (bytes)", "SHA-256", "Obtained"],
        [1.6, 0.9, 0.7, 2.3, 1.0],
        lambda e: (
            e.filename,
            e.media_type,
            f"{e.size:,}",
            e.sha256,
            _joined(e.obtained_from, date_text(e.obtained_on)),
        ),
        styles,
        width,
        details_of=lambda e: (e.filename, [("Description", e.description)]),
        empty="No evidence files.",
        mono_columns=(3,),
        right_columns=(2,),
    )

    # The audit summary is short: it may share a page with the end of the evidence index.
    _chapter(story, "9. Audit trail", styles, 3 * inch)
    h = report.history
    summary = (
        f"{h.total} recorded changes"
        + (f" from {date_text(h.first_at)} to {date_text(h.last_at)}" if h.first_at else "")
        + "."
    )
    story.append(para(summary, styles.body))
    if report.chain_head is not None:
        head = report.chain_head
        story.append(
            para(
                "The audit trail of the whole database is a hash chain: each entry carries "
                "the SHA-256 of the one before it. When this report was made its newest entry "
                f"was #{head.sequence}, SHA-256 {head.entry_hash}. The command “jurisdesk "
                f"check --head {head.sequence}:{head.short}” tells whether the database still "
                "holds that entry as it was.",
                styles.body,
            )
        )
    if h.by_actor:
        by_actor = "; ".join(f"{a} ({n})" for a, n in h.by_actor)
        story.append(para(f"By person: {by_actor}.", styles.body))
    if h.by_action:
        by_action = "; ".join(f"{action_label(a).lower()} ({n})" for a, n in h.by_action)
        story.append(para(f"By kind of change: {by_action}.", styles.body))
    if h.recent:
        story.append(heading(f"Most recent {len(h.recent)} changes", styles.h2, 1))
        _records(
            story,
            h.recent,
            ["When (UTC)", "Who", "Action", "Record", "Field"],
            [1.5, 1.1, 0.7, 2.2, 1.0],
            lambda e: (
                date_text(e.at),
                e.actor,
                # Imported history is the other database's word: never shown as our own.
                f"{action_label(e.action)} (imported from {e.imported_from})"
                if e.imported
                else action_label(e.action),
                record_label(e),
                field_label(e.entity_kind, e.field),
            ),
            styles,
            width,
        )
    return story, toc


def _response_section(
    r: ResponseView, jurisdiction_name: str, styles: Styles, width: float
) -> list[Flowable]:
    out: list[Flowable] = [
        CondPageBreak(2.5 * inch),
        heading(f"{r.title} (version {r.questionnaire_version})", styles.h2, 1),
    ]
    missing = f", {r.missing} required answers missing" if r.missing else ""
    out.extend(
        key_values(
            [
                ("Status", r.status_label),
                ("Complete", f"{r.complete_percent}%{missing}"),
                ("Prepared by", r.prepared_by),
                ("Reviewed by", r.reviewed_by),
                ("Approved by", person(r.approved_by, r.approver_title)),
                ("Approved at", date_text(r.approved_at)),
                ("Submitted", _joined(date_text(r.submitted_on), r.submission_method)),
                ("Request", (r.request.reference or r.request.program) if r.request else None),
                ("Due", date_text(r.request.due_on) if r.request else None),
            ],
            styles,
            width,
        )
    )
    out.extend(field_line("Notes", r.notes, styles.body))
    # Each question's flowables are made when the build reaches them: a long report holds one
    # question's at a time, not every page's.
    for question in r.questions:
        out.append(Deferred(partial(_question_part, question, jurisdiction_name, styles)))
    if r.filings:
        out.append(para("Filed copies", styles.h3, fonts.SERIF_BOLD))
        _records(
            out,
            r.filings,
            ["Filed (UTC)", "By", "File", "Size (bytes)", "SHA-256"],
            [1.5, 1.0, 1.2, 0.7, 2.3],
            lambda f: (date_text(f.filed_at), f.filed_by, f.filename, f"{f.size:,}", f.sha256),
            styles,
            width,
            mono_columns=(4,),
            right_columns=(3,),
        )
    return out


def _question_part(
    question: QuestionView, jurisdiction_name: str, styles: Styles
) -> list[Flowable]:
    out = question_flowables(question, jurisdiction_name, styles)
    if not question.per_facility and question.combined_label:
        out.append(para(f"Result: {question.combined_label}.", styles.small, fonts.SERIF_ITALIC))
    return out


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _joined(*parts: str | None) -> str:
    """The parts that are present, space-separated ("" when none is)."""
    return " ".join(part for part in parts if part)


def _head_text(report: JurisdictionReport) -> str:
    head = report.chain_head
    return "no entries yet" if head is None else f"#{head.sequence} {head.short}"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def report_flowables(report: JurisdictionReport, paper: str = "letter") -> list[Flowable]:
    """Every flowable of the report, made at once, for laying out with plain reportlab: the
    floor the report's build is measured against (benchmarks/bench_reports.py)."""
    size = page_size(paper)
    story, _ = _report_story(report, make_styles(), size[0] - 2 * MARGIN_X)
    return expand(story)


def render_report(report: JurisdictionReport, paper: str = "letter") -> RenderedPdf:
    """The full report of one jurisdiction, with contents, and page, time and version footers."""
    size = page_size(paper)
    styles = make_styles()
    width = size[0] - 2 * MARGIN_X
    j = report.jurisdiction
    generated = date_text(report.generated_at)

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
            f"Generated {generated} · Database version {report.database_version} · "
            f"Audit trail head {_head_text(report)}",
        )
        canvas.drawRightString(size[0] - MARGIN_X, 0.55 * inch, f"Page {page} of {total}")
        canvas.restoreState()

    def cover(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(RULE)
        canvas.rect(0, size[1] - 0.35 * inch, size[0], 0.35 * inch, stroke=0, fill=1)
        canvas.restoreState()

    story, toc = _report_story(report, styles, width)
    return build(
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
        # The report is as of its generation: the PDF's creation date.
        created=report.generated_at,
    )
