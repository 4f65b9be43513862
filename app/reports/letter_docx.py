"""The response letter as a Word document, for the office's last edits in Word.

The same letter as app.reports.letter_pdf, laid out with Word's own styles so that a change made
in Word (a font, the spacing, the indent of the quoted questions) applies to the whole letter:

- letterhead: "Letterhead Name" and "Letterhead Line" (defined here), a rule under it;
- date: "Date"; addressee block: "Inside Address"; salutation: "Salutation";
- reference line, opening, answers and closing paragraph: "Normal" (Times New Roman 12 pt);
- each question: its heading in "Heading 2", the question as issued in "Quote" (an indented
  block quotation), a summary where no exact wording is on record in "Question Summary";
- "Authorities cited" in "Heading 2" with each citation in "List Number";
- "Sincerely," in "Closing", the signer in "Signature", kept on the page of the closing
  paragraph; enclosures in "List Bullet"; the cc lines in "Copy Notation".

Pages are US Letter with 1 inch margins; continuation pages carry the addressee and the date in
their header, every page "Page X of Y" in its footer, and a draft "DRAFT — NOT APPROVED" at the
top of every page. The same letter always gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Inches, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph

from app.letter.composed import ComposedLetter, LetterPart
from app.reports.bidi import paragraph_level
from app.reports.text import REPLACEMENT, bind_citations, long_date, printable

SERIF = "Times New Roman"
DRAFT_MARK = "DRAFT — NOT APPROVED"
DRAFT_RED = RGBColor(0xB0, 0x1C, 0x1C)
MUTED = RGBColor(0x55, 0x55, 0x55)
BLACK = RGBColor(0, 0, 0)

# Our own styles, beside Word's built-in ones the letter uses ("Normal", "Date", "Salutation",
# "Heading 2", "Quote", "List Number", "List Bullet", "Closing", "Signature", "Header", "Footer").
LETTERHEAD_NAME = "Letterhead Name"
LETTERHEAD_LINE = "Letterhead Line"
INSIDE_ADDRESS = "Inside Address"
QUESTION_SUMMARY = "Question Summary"
COPY_NOTATION = "Copy Notation"

# XML 1.0 allows only tab, line feed, carriage return and U+0020–U+D7FF, U+E000–U+FFFD and the
# supplementary planes; printable() already replaces the rest, this is the last guard.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_RE_PREFIX = re.compile(r"^\s*re\s*:\s*", re.IGNORECASE)

# What may follow w:pBdr in a paragraph's properties (ECMA-376 CT_PPrBase order).
_AFTER_BORDER = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip

# Word refuses a core property longer than this.
_PROPERTY_LIMIT = 255


def _clean(text: str) -> str:
    """Text as Word may hold it: unprintable characters shown as U+FFFD, never dropped."""
    return _NOT_XML.sub(REPLACEMENT, printable(text))


def _paragraphs(text: str) -> list[str]:
    """The paragraphs of a part: blank lines separate them, single line breaks stay inside."""
    cleaned = _clean(text).strip("\n")
    return [p.strip("\n") for p in _BLANK_LINES.split(cleaned) if p.strip()]


# --- styles ---------------------------------------------------------------------------------------


def _set_fonts(element: BaseOxmlElement, name: str) -> None:
    """Sets the Latin and complex-script font of a style or of the document defaults, dropping
    the theme fonts that would otherwise win over it in Word."""
    rpr = element.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        element.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), name)


def _paragraph_style(document: DocumentObject, name: str, based_on: str) -> ParagraphStyle:
    styles = document.styles
    if name in [s.name for s in styles]:
        style = styles[name]
    else:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[based_on]
        style.quick_style = True
    assert isinstance(style, ParagraphStyle)
    return style


def _define_styles(document: DocumentObject) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            _set_fonts(rpr_default, SERIF)

    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _set_fonts(normal.element, SERIF)
    normal.font.size = Pt(12)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(10)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    normal.paragraph_format.widow_control = True

    name = _paragraph_style(document, LETTERHEAD_NAME, "Normal")
    name.font.size = Pt(16)
    name.font.bold = True
    name.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name.paragraph_format.space_after = Pt(2)
    name.paragraph_format.keep_with_next = True

    line = _paragraph_style(document, LETTERHEAD_LINE, "Normal")
    line.font.size = Pt(10)
    line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.paragraph_format.space_after = Pt(0)
    line.paragraph_format.keep_with_next = True

    dated = _paragraph_style(document, "Date", "Normal")
    dated.paragraph_format.space_after = Pt(12)

    address = _paragraph_style(document, INSIDE_ADDRESS, "Normal")
    address.paragraph_format.space_after = Pt(0)
    address.paragraph_format.keep_with_next = True

    salutation = _paragraph_style(document, "Salutation", "Normal")
    salutation.paragraph_format.keep_with_next = True

    heading = styles["Heading 2"]
    assert isinstance(heading, ParagraphStyle)
    _set_fonts(heading.element, SERIF)
    heading.font.size = Pt(12)
    heading.font.bold = True
    heading.font.color.rgb = BLACK
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.keep_with_next = True
    heading.paragraph_format.keep_together = True

    # The question as issued: a block quotation, indented on both sides, upright like the
    # federal letter printed it, and kept on the page of the answer that follows.
    quote = styles["Quote"]
    assert isinstance(quote, ParagraphStyle)
    quote.font.italic = False
    quote.font.color.rgb = BLACK
    quote.font.size = Pt(11)
    quote.paragraph_format.left_indent = Inches(0.5)
    quote.paragraph_format.right_indent = Inches(0.5)
    quote.paragraph_format.space_after = Pt(8)
    quote.paragraph_format.keep_with_next = True

    summary = _paragraph_style(document, QUESTION_SUMMARY, "Normal")
    summary.font.size = Pt(11)
    summary.paragraph_format.left_indent = Inches(0.5)
    summary.paragraph_format.right_indent = Inches(0.5)
    summary.paragraph_format.space_after = Pt(8)
    summary.paragraph_format.keep_with_next = True

    for list_name in ("List Number", "List Bullet"):
        listed = styles[list_name]
        assert isinstance(listed, ParagraphStyle)
        listed.paragraph_format.space_after = Pt(4)

    closing = _paragraph_style(document, "Closing", "Normal")
    closing.paragraph_format.keep_with_next = True
    # The space the signature is written in.
    closing.paragraph_format.space_after = Pt(42)

    signature = _paragraph_style(document, "Signature", "Normal")
    signature.paragraph_format.space_after = Pt(0)
    signature.paragraph_format.keep_together = True

    copies = _paragraph_style(document, COPY_NOTATION, "Normal")
    copies.font.size = Pt(10)
    copies.paragraph_format.space_before = Pt(12)
    copies.paragraph_format.left_indent = Inches(0.5)
    copies.paragraph_format.first_line_indent = Inches(-0.5)

    for header_name in ("Header", "Footer"):
        part_style = styles[header_name]
        assert isinstance(part_style, ParagraphStyle)
        part_style.font.size = Pt(9)
        part_style.font.color.rgb = MUTED


# --- body -----------------------------------------------------------------------------------------


def _add(document: DocumentObject, text: str, style: str) -> Paragraph:
    """One paragraph of already cleaned text; line breaks inside it print as line breaks."""
    paragraph = document.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)
        if paragraph_level(text) == 1:
            # Written in Hebrew or Arabic: a right-to-left paragraph, set from the right margin.
            properties = paragraph._p.get_or_add_pPr()
            properties.insert_element_before(
                OxmlElement("w:bidi"), *_AFTER_BORDER[_AFTER_BORDER.index("w:bidi") + 1 :]
            )
    return paragraph


def _add_text(document: DocumentObject, text: str, style: str = "Normal") -> list[Paragraph]:
    return [_add(document, bind_citations(p), style) for p in _paragraphs(text)]


def _rule_below(paragraph: Paragraph) -> None:
    """A thin rule under the letterhead, as the paragraph's bottom border."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "4"), ("w:color", "444444")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # Schema order: pBdr stands after numPr and before shading, tabs, spacing and the rest.
    ppr.insert_element_before(borders, *_AFTER_BORDER)


def _letterhead(document: DocumentObject, letter: ComposedLetter) -> None:
    head = letter.letterhead
    last = _add(document, _clean(head.name), LETTERHEAD_NAME)
    for line in head.lines:
        last = _add(document, _clean(line), LETTERHEAD_LINE)
    _rule_below(last)
    last.paragraph_format.space_after = Pt(24)


def _answer(document: DocumentObject, part: LetterPart) -> None:
    if part.heading:
        _add(document, _clean(part.heading), "Heading 2")
    if part.quoted:
        for quoted in _paragraphs(part.quoted):
            _add(document, bind_citations(quoted), "Quote")
    elif part.summarised:
        paragraphs = _paragraphs(part.summarised)
        for index, summary in enumerate(paragraphs):
            paragraph = document.add_paragraph(style=QUESTION_SUMMARY)
            if index == 0:
                paragraph.add_run("In substance: ").italic = True
            paragraph.add_run(bind_citations(summary))
    _add_text(document, part.text)


def _closing(document: DocumentObject, letter: ComposedLetter) -> None:
    # Everything from the closing paragraph to the signature is kept on one page: the
    # signature never stands alone at the top of a page.
    for paragraph in _add_text(document, letter.closing.text):
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.keep_together = True
    _add(document, "Sincerely,", "Closing")
    signer = letter.signer
    lines: list[Paragraph] = []
    if signer is None:
        pending = document.add_paragraph(style="Signature")
        pending.add_run("Signature pending approval").italic = True
        lines.append(pending)
    else:
        for line in (signer.name, signer.title, signer.office):
            if line:
                lines.append(_add(document, _clean(line), "Signature"))
    for paragraph in lines[:-1]:
        paragraph.paragraph_format.keep_with_next = True


def _enclosures_and_copies(document: DocumentObject, letter: ComposedLetter) -> None:
    if letter.exhibits:
        label = _add(document, "Enclosures", "Normal")
        label.paragraph_format.space_before = Pt(18)
        label.paragraph_format.space_after = Pt(4)
        label.paragraph_format.keep_with_next = True
        for exhibit in letter.exhibits:
            description = bind_citations(_clean(exhibit.description).replace("\n", " ")).strip()
            text = f"Exhibit {exhibit.number}"
            if description:
                text += f" — {description}"
            _add(document, text, "List Bullet")
    copies = [_clean(c).replace("\n", " ").strip() for c in letter.cc]
    copies = [c for c in copies if c]
    if copies:
        # "cc:" then a tab to the hanging indent; further names line up under the first.
        _add(document, "cc:\t" + "\n".join(copies), COPY_NOTATION)


def _body(document: DocumentObject, letter: ComposedLetter) -> None:
    _letterhead(document, letter)
    _add(document, long_date(letter.dated), "Date")

    addressee = [_clean(x).replace("\n", " ") for x in letter.addressee]
    addressee = [x for x in addressee if x.strip()]
    for index, line in enumerate(addressee):
        paragraph = _add(document, line, INSIDE_ADDRESS)
        if index == len(addressee) - 1:
            paragraph.paragraph_format.space_after = Pt(12)
            paragraph.paragraph_format.keep_with_next = False

    reference = _clean(letter.reference.text).strip()
    if reference:
        paragraph = document.add_paragraph(style="Normal")
        paragraph.add_run("Re:").bold = True
        paragraph.add_run(" " + bind_citations(_RE_PREFIX.sub("", reference)))
        paragraph.paragraph_format.keep_with_next = True

    _add_text(document, letter.salutation.text, "Salutation")
    _add_text(document, letter.opening.text)
    for part in letter.answers:
        _answer(document, part)

    authorities = [_clean(a).replace("\n", " ").strip() for a in letter.authorities]
    authorities = [a for a in authorities if a]
    if authorities:
        _add(document, "Authorities cited", "Heading 2")
        for authority in authorities:
            _add(document, bind_citations(authority), "List Number")

    _closing(document, letter)
    _enclosures_and_copies(document, letter)


# --- pages ----------------------------------------------------------------------------------------


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A simple field (PAGE, NUMPAGES) that Word fills in as it lays the pages out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} \\* MERGEFORMAT ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _footer(paragraph: Paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES", "1")


def _draft_mark(paragraph: Paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(DRAFT_MARK)
    run.bold = True
    run.font.color.rgb = DRAFT_RED
    paragraph.paragraph_format.space_after = Pt(4)


def _pages(document: DocumentObject, letter: ComposedLetter) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Inches(8.5)
    section.page_height = Inches(11)
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, margin, Inches(1))
    section.header_distance = Inches(0.5)
    section.footer_distance = Inches(0.5)
    section.different_first_page_header_footer = True

    first = section.first_page_header.paragraphs[0]
    if letter.draft:
        _draft_mark(first)

    # Continuation pages: the addressee and the date, so a separated page finds its letter.
    header = section.header
    lines = header.paragraphs[0]
    if letter.draft:
        _draft_mark(lines)
        lines = header.add_paragraph(style="Header")
    addressee = _clean(letter.addressee_short).replace("\n", " ").strip()
    lines.add_run("\n".join(x for x in (addressee, long_date(letter.dated)) if x))
    lines.paragraph_format.space_after = Pt(6)

    _footer(section.first_page_footer.paragraphs[0])
    _footer(section.footer.paragraphs[0])


def _properties(document: DocumentObject, letter: ComposedLetter) -> None:
    def fit(text: str) -> str:
        return _clean(text).replace("\n", " ").strip()[:_PROPERTY_LIMIT]

    noon = datetime(letter.dated.year, letter.dated.month, letter.dated.day, 12, tzinfo=UTC)
    author = letter.signer.name if letter.signer and letter.signer.name.strip() else ""
    author = fit(author or letter.jurisdiction)
    core = document.core_properties
    core.title = fit(f"Response of {letter.jurisdiction} to the {letter.title}")
    core.subject = fit(letter.title)
    core.author = author
    core.last_modified_by = author
    core.keywords = fit(
        f"response letter, {letter.questionnaire_key}, {'draft' if letter.draft else 'approved'}"
    )
    core.comments = ""
    core.category = ""
    core.revision = 1
    core.created = noon
    core.modified = noon


def _fixed_zip(data: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """The package rewritten with one timestamp on every member: python-docx stamps the zip
    entries with the time of saving, which would make every export of the letter differ."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


def render_letter_docx(letter: ComposedLetter) -> bytes:
    """The letter as .docx bytes; the same letter always gives the same bytes."""
    document = Document()
    _define_styles(document)
    _pages(document, letter)
    _body(document, letter)
    _properties(document, letter)
    buffer = io.BytesIO()
    document.save(buffer)
    day = letter.dated
    return _fixed_zip(buffer.getvalue(), (max(day.year, 1980), day.month, day.day, 12, 0, 0))


__all__ = ["DRAFT_MARK", "render_letter_docx"]
