"""The PDF exports' entry points: the response letter and the full jurisdiction report.

Both are pure functions of the read models in app.reports.model and return the PDF bytes.
The PDFs are tagged (app.reports.tagging): a structure tree of headings, paragraphs, lists
and tables, running headers, footers and the DRAFT mark as artifacts, language, title, XMP.
Builds are reproducible given their date: the creation date is an input (a draft letter's is
now, an approved letter's is its date, a report's is its generation time) and the document id
a digest of the metadata and that date, so the same approved response gives the same bytes.

The letter is built in app.reports.letter_pdf, the report in app.reports.report_pdf; questions
and answers, which both print, in app.reports.pdf_answers; paper, styles, tables, footers and
the build in app.reports.pdf_layout. Callers (exports, the GUI, tests) import from here.
"""

from app.reports.letter_pdf import render_letter
from app.reports.pdf_layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAPER_SIZES,
    PAPERS,
    RenderedPdf,
    UnknownPaper,
    page_size,
)
from app.reports.report_pdf import render_report

__all__ = [
    "MARGIN_BOTTOM",
    "MARGIN_TOP",
    "MARGIN_X",
    "PAPERS",
    "PAPER_SIZES",
    "RenderedPdf",
    "UnknownPaper",
    "page_size",
    "render_letter",
    "render_report",
]
