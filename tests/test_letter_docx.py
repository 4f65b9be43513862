"""The response letter as a Word document: styles, order, pages and stable bytes."""

from __future__ import annotations

import io
import locale
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from app.letter.composed import ComposedLetter, Exhibit, Letterhead, LetterPart, Signer
from app.reports.letter_docx import render_letter_docx

QUESTION_1 = (
    "Does your jurisdiction have a statute, rule, regulation, policy, or practice that is "
    "designed to ensure that U.S. Department of Homeland Security (DHS) personnel have access "
    "to any correctional or detention facility in order to meet with an alien (or an "
    "individual believed to be an alien) and inquire as to his or her right to be or to remain "
    "in the United States?"
)

ANSWER_1 = (
    "No. Baltimore City does not operate a correctional or detention facility. The Baltimore "
    "Central Booking and Intake Center and the Baltimore City Detention Center are operated by "
    "the State of Maryland, Department of Public Safety and Correctional Services, under "
    "Md. Code Ann., Corr. Servs. § 5-401, and access to them is governed by State policy.\n\n"
    "The City has no statute, rule, regulation, policy or practice restricting such access."
)


def _part(key: str, text: str, **extra: str) -> LetterPart:
    return LetterPart(key=key, text=text, drafted=text, **extra)  # type: ignore[arg-type]


def make_letter(**changes: object) -> ComposedLetter:
    letter = ComposedLetter(
        jurisdiction="Baltimore City",
        title="Byrne JAG Program Certification of Compliance with 8 U.S.C. 1373",
        questionnaire_key="doj-2017-byrne-jag",
        dated=date(2017, 8, 14),
        draft=False,
        letterhead=Letterhead(
            name="Baltimore City Law Department",
            office="Office of the City Solicitor",
            street="100 N. Holliday Street, Suite 101",
            city_state_zip="Baltimore, Maryland 21202",
            phone="(410) 396-3100",
        ),
        addressee=(
            "Alan R. Hanson",
            "Acting Assistant Attorney General",
            "Office of Justice Programs",
            "U.S. Department of Justice",
            "810 Seventh Street, N.W.",
            "Washington, D.C. 20531",
        ),
        addressee_short="Alan R. Hanson, Acting Assistant Attorney General",
        reference=_part("reference", "Byrne JAG Program — Questions of August 3, 2017"),
        salutation=_part("salutation", "Dear Acting Assistant Attorney General Hanson:"),
        opening=_part(
            "opening",
            "On behalf of Baltimore City, I write in response to your letter of August 3, "
            "2017, concerning the Edward Byrne Memorial Justice Assistance Grant Program. "
            "Each question is set out below as issued, followed by our answer.",
        ),
        answers=(
            _part("doj-q1", ANSWER_1, heading="Question 1", quoted=QUESTION_1),
            _part(
                "doj-q2",
                "Baltimore City has no such statute, rule, regulation, policy or practice.",
                heading="Question 2",
                summarised="Whether the jurisdiction requires advance notice of an alien's "
                "scheduled release date and time upon request by DHS.",
            ),
        ),
        closing=_part(
            "closing",
            "These answers state the position of Baltimore City as of the date of this letter.",
        ),
        signer=Signer(name="Andre M. Davis", title="City Solicitor", office="Baltimore City"),
        cc=("Catherine E. Pugh, Mayor", "Kevin Davis, Police Commissioner"),
        authorities=(
            "Md. Code Ann., Corr. Servs. § 5-401 (2017).",
            "8 U.S.C. § 1373 (2012).",
        ),
        exhibits=(Exhibit(number=1, description="Booking Center Memorandum", filename="m.pdf"),),
    )
    return replace(letter, **changes)  # type: ignore[arg-type]


def _read(data: bytes, tmp_path: Path, name: str = "letter.docx") -> DocumentObject:
    path = tmp_path / name
    path.write_bytes(data)
    return Document(str(path))


def _texts(document: DocumentObject) -> list[str]:
    return [p.text for p in document.paragraphs]


def _index(paragraphs: list[Paragraph], text: str) -> int:
    return next(i for i, p in enumerate(paragraphs) if p.text == text)


def _header_text(document: DocumentObject) -> str:
    section = document.sections[0]
    return "\n".join(
        p.text for h in (section.first_page_header, section.header) for p in h.paragraphs
    )


@pytest.fixture
def spanish_time() -> Iterator[bool]:
    saved = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, "es_ES.UTF-8")
        available = True
    except locale.Error:
        available = False
    try:
        yield available
    finally:
        locale.setlocale(locale.LC_TIME, saved)


def test_question_is_quoted_word_for_word_under_a_heading(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    quotes = [p for p in document.paragraphs if p.style is not None and p.style.name == "Quote"]
    assert [p.text for p in quotes] == [QUESTION_1]

    headings = [p for p in document.paragraphs if p.text.startswith("Question ")]
    assert [p.text for p in headings] == ["Question 1", "Question 2"]
    assert all(p.style is not None and p.style.name == "Heading 2" for p in headings)

    paragraphs = document.paragraphs
    q1 = _index(paragraphs, "Question 1")
    assert paragraphs[q1 + 1].text == QUESTION_1
    assert paragraphs[q1 + 2].text.startswith("No. Baltimore City does not operate")
    # Blank lines separate the answer's paragraphs.
    assert paragraphs[q1 + 3].text.startswith("The City has no statute")

    summary = paragraphs[_index(paragraphs, "Question 2") + 1]
    assert summary.text.startswith("In substance: Whether the jurisdiction requires")
    assert summary.style is not None
    assert summary.style.name != "Quote"


def test_parts_follow_in_letter_order(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    texts = _texts(document)
    order = [
        "Baltimore City Law Department",
        "August 14, 2017",
        "Alan R. Hanson",
        "Washington, D.C. 20531",
        "Re: Byrne JAG Program — Questions of August 3, 2017",
        "Dear Acting Assistant Attorney General Hanson:",
        "Question 1",
        "Question 2",
        "Authorities cited",
        "Sincerely,",
        "Andre M. Davis",
        "Enclosures",
        "Exhibit 1 — Booking Center Memorandum",
    ]
    positions = [_index(document.paragraphs, t) for t in order]
    assert positions == sorted(positions)
    assert texts[-1].startswith("cc:")
    assert "Catherine E. Pugh, Mayor" in texts[-1]
    assert "Kevin Davis, Police Commissioner" in texts[-1]

    styles = {p.text: p.style.name for p in document.paragraphs if p.style is not None}
    assert styles["Baltimore City Law Department"] == "Letterhead Name"
    assert styles["Md. Code Ann., Corr. Servs. §\u00a05-401 (2017)."] == "List Number"
    assert styles["8\u00a0U.S.C.\u00a0§\u00a01373 (2012)."] == "List Number"
    assert styles["Exhibit 1 — Booking Center Memorandum"] == "List Bullet"
    assert styles["Alan R. Hanson"] == "Inside Address"


def test_body_is_serif_on_us_letter_with_inch_margins(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size is not None
    assert 11 <= normal.font.size.pt <= 12
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (12240 * 635, 15840 * 635)
    for margin in (section.top_margin, section.bottom_margin, section.left_margin):
        assert margin is not None
        assert margin.inches == pytest.approx(1)
    assert section.right_margin is not None
    assert section.right_margin.inches == pytest.approx(1)


def test_date_is_english_under_a_spanish_locale(tmp_path: Path, spanish_time: bool) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    assert "August 14, 2017" in _texts(document)
    if not spanish_time:
        pytest.skip("es_ES.UTF-8 locale is not installed")
    assert "agosto" in date(2017, 8, 14).strftime("%B").lower()
    again = _read(render_letter_docx(make_letter()), tmp_path, "spanish.docx")
    assert "August 14, 2017" in _texts(again)
    assert "August 14, 2017" in _header_text(again)
    assert "agosto" not in "\n".join(_texts(again)).lower()


def test_signature_follows_sincerely_and_is_kept_with_the_closing(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    paragraphs = document.paragraphs
    sincerely = _index(paragraphs, "Sincerely,")
    assert [p.text for p in paragraphs[sincerely + 1 : sincerely + 4]] == [
        "Andre M. Davis",
        "City Solicitor",
        "Baltimore City",
    ]
    closing = _index(
        paragraphs,
        "These answers state the position of Baltimore City as of the date of this letter.",
    )
    assert closing == sincerely - 1
    # Closing paragraph, "Sincerely," and the signer lines but the last hold together.
    for paragraph in paragraphs[closing : sincerely + 3]:
        keep = paragraph.paragraph_format.keep_with_next
        if keep is None and paragraph.style is not None:
            keep = paragraph.style.paragraph_format.keep_with_next
        assert keep, paragraph.text
    assert document.styles["Heading 2"].paragraph_format.keep_with_next


def test_unsigned_letter_says_signature_pending(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter(signer=None, draft=True)), tmp_path)
    paragraphs = document.paragraphs
    pending = paragraphs[_index(paragraphs, "Sincerely,") + 1]
    assert pending.text == "Signature pending approval"
    assert all(run.italic for run in pending.runs)
    assert document.core_properties.author == "Baltimore City"


def test_no_screen_labels(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    text = "\n".join([*_texts(document), _header_text(document)])
    for label in ("Answer:", "Question 1a", "Information from", "Reference line", "Opening"):
        assert label not in text


def test_draft_is_marked_in_every_header(tmp_path: Path) -> None:
    draft = _read(render_letter_docx(make_letter(draft=True)), tmp_path, "draft.docx")
    section = draft.sections[0]
    assert section.different_first_page_header_footer
    for header in (section.first_page_header, section.header):
        assert "DRAFT — NOT APPROVED" in "\n".join(p.text for p in header.paragraphs)

    approved = _read(render_letter_docx(make_letter(draft=False)), tmp_path, "approved.docx")
    assert "DRAFT" not in _header_text(approved)
    assert "DRAFT" not in "\n".join(_texts(approved))


def test_continuation_header_names_addressee_and_date(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    section = document.sections[0]
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "Alan R. Hanson, Acting Assistant Attorney General" in header
    assert "August 14, 2017" in header
    first = "\n".join(p.text for p in section.first_page_header.paragraphs)
    assert "Hanson" not in first


def test_footer_numbers_pages_with_fields(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    section = document.sections[0]
    for footer in (section.footer, section.first_page_footer):
        xml = footer._element.xml
        assert "NUMPAGES" in xml
        assert " PAGE " in xml
        assert "Page " in xml
        assert " of " in xml


def test_core_properties(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter()), tmp_path)
    core = document.core_properties
    assert core.title == (
        "Response of Baltimore City to the Byrne JAG Program Certification of Compliance "
        "with 8 U.S.C. 1373"
    )
    assert core.author == "Andre M. Davis"
    assert core.created is not None
    assert core.created.isoformat().startswith("2017-08-14T12:00")
    assert core.modified == core.created
    assert "python-docx" not in (core.comments or "")


def test_control_characters_show_as_replacement(tmp_path: Path) -> None:
    hostile = "Pasted\x00 text\x0b with\x1f controls\ufffe and a \ud800 surrogate."
    letter = make_letter(
        answers=(_part("doj-q1", hostile, heading="Question\x07 1", quoted=QUESTION_1),),
        cc=("Clerk\x01 of Court",),
        authorities=("Code\x02 § 1",),
        addressee_short="Alan\x03 Hanson",
    )
    document = _read(render_letter_docx(letter), tmp_path)
    texts = _texts(document)
    assert "Pasted\ufffd text\ufffd with\ufffd controls\ufffd and a \ufffd surrogate." in texts
    assert "Question\ufffd 1" in texts
    assert any("Clerk\ufffd of Court" in t for t in texts)
    assert "Alan\ufffd Hanson" in _header_text(document)


def test_long_title_does_not_break_core_properties(tmp_path: Path) -> None:
    document = _read(render_letter_docx(make_letter(title="Questionnaire " * 40)), tmp_path)
    title = document.core_properties.title
    assert title is not None
    assert title.startswith("Response of Baltimore City to the")
    assert len(title) <= 255


def test_same_letter_gives_same_bytes() -> None:
    first = render_letter_docx(make_letter())
    second = render_letter_docx(make_letter())
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(2017, 8, 14, 12, 0, 0)}
        assert package.testzip() is None
    assert render_letter_docx(make_letter(draft=True)) != first


def test_a_paragraph_written_in_hebrew_is_right_to_left_in_word(tmp_path: Path) -> None:
    hebrew = "העירייה אינה מחזיקה עצירים מעבר ל-48 שעות."
    answers = (_part("doj-q1", f"No.\n\n{hebrew}\n\nSee Md. Code Ann.", heading="Question 1"),)
    document = _read(render_letter_docx(make_letter(answers=answers)), tmp_path)
    directions = {
        p.text: p._p.pPr is not None and p._p.pPr.find(qn("w:bidi")) is not None
        for p in document.paragraphs
        if p.text in ("No.", hebrew, "See Md. Code Ann.")
    }
    assert directions == {"No.": False, hebrew: True, "See Md. Code Ann.": False}
