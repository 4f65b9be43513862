"""The response letter and the jurisdiction report, read back as PDF text and checked by qpdf."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pypdf
import pytest
from sqlalchemy import select

from app import models, questionnaires
from app.reports import exports, fonts, model
from app.reports.pdf import MARGIN_BOTTOM, MARGIN_TOP
from app.services import evidence, records, responses
from app.services.responses import AnswerInput
from app.services.store import Store, open_store
from tests.helpers import approve_as_read

PSP = "doj-psp-2017"
MARKUP = '<b>&amp; "quotes"</b> & <i>not italic</i>'
FORMULA = "=1+1"
ARABIC = "مرحبا بالعالم"
CJK = "東京都庁"
LATIN = "Crème brûlée à São Paulo — Ærøskøbing, Łódź"
# 100 kB of prose: many paragraphs' worth of words, no newlines, so it must be split to flow.
LONG = " ".join(f"word{i:05d}" for i in range(10_000))[:100_000]


@dataclass(frozen=True)
class World:
    jurisdiction_id: int
    response_id: int
    county_jail: str
    city_holding: str
    instrument: str
    evidence_sha256: str


def build_world(store: Store, *, long_narrative: bool = True) -> World:
    """A city with a county-run jail and its own holding cells, answering the PSP letter with
    hostile text everywhere a user can type (and a 100 kB narrative unless told not to)."""
    city = records.create(
        store,
        "jurisdiction",
        {
            "name": "City of Testburg",
            "kind": "city",
            "state": "NM",
            "police_agency": "Testburg Police Department",
            "chief_legal_officer": "Dana Q. Counsel",
            "chief_legal_officer_title": "City Attorney",
            "letterhead_address": f"Office of the City Attorney\n1 Main St <Suite & 2>\n{LATIN}",
        },
    )
    county_jail = records.create(
        store,
        "facility",
        {
            "name": f"County Detention Center {CJK}",
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "Testburg County <Sheriff & Co>",
            "sets_policy": False,
            "control_basis": "Run by the county under state statute.",
        },
        city.id,
    )
    holding = records.create(
        store,
        "facility",
        {
            "name": "Testburg Police Holding Cells",
            "facility_type": "holding",
            "operator_type": "city",
            "operator_name": "City of Testburg",
            "sets_policy": True,
        },
        city.id,
    )
    instrument = records.create(
        store,
        "instrument",
        {
            "instrument_type": "ordinance",
            "number": "O-2017-7",
            "title": f"Ordinance on {MARKUP}",
            "level": "local",
            "adopted_on": "2017-01-02",
            "citation": "Testburg Code § 2-17",
            "summary": f"{FORMULA}\n{ARABIC}",
        },
        city.id,
    )
    attached = evidence.attach_bytes(
        store, city.id, "policy <scan> & notes.pdf", b"%PDF-1.4 stand-in\n", description=LATIN
    )
    request = records.create(
        store,
        "request",
        {
            "program": "Public Safety Partnership (PSP)",
            "fiscal_year": 2017,
            "issuing_office": "U.S. Department of Justice, Office of Justice Programs",
            "signer": "Alan R. Hanson",
            "signer_title": "Acting Assistant Attorney General",
            "reference": "PSP-2017-TB",
            "letter_date": "2017-08-03",
            "due_on": "2017-08-18",
            "addressee": "Chief Pat Example",
            "addressee_title": "Chief of Police",
        },
        city.id,
    )
    detail = responses.start_response(store, city.id, PSP, request_id=request.id)
    narratives = {
        "access": f"{MARKUP} {FORMULA} {ARABIC} {CJK} {LATIN} nul:\x00:bell:\x07:end",
        "notice": LONG if long_narrative else "No release notice is given.",
        "hold": "Holds only with a judicial warrant.",
    }
    values = {"access": "partial", "notice": "no", "hold": "partial"}
    for key, narrative in narratives.items():
        responses.save_answer(
            store,
            detail.summary.id,
            key,
            holding.id,
            AnswerInput(
                value=values[key],
                basis="written",
                narrative=narrative,
                conditions="Only on a formal written request." if key == "hold" else None,
                as_of=date(2017, 8, 10),
                information_source="Police legal advisor",
                instrument_ids=[instrument.id],
                evidence_ids=[attached.id] if key == "access" else [],
            ),
        )
    for key in ("access_conditions", "hold_conditions"):
        responses.save_answer(
            store, detail.summary.id, key, None, AnswerInput(value=f"Conditions for {key}.")
        )
    return World(
        jurisdiction_id=city.id,
        response_id=detail.summary.id,
        county_jail=county_jail.title,
        city_holding=holding.title,
        instrument=instrument.title,
        evidence_sha256=attached["sha256"],
    )


def approve(store: Store, response_id: int) -> None:
    responses.submit_for_review(store, response_id)
    approve_as_read(store, response_id, "Dana Q. Counsel", "City Attorney")


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines wherever the layout wrapped."""
    return "".join(text.split())


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)


def body_text(path: Path) -> str:
    """The text of the pages' body frames only, without running headers, page footers or the
    (rotated) DRAFT mark, so text that flows across pages reads back in one piece."""
    parts: list[str] = []
    for page in pypdf.PdfReader(path).pages:

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            *_: object,
            height: float = float(page.mediabox.height),
        ) -> None:
            # The text's matrix on the page: tm × cm.
            b = tm[0] * cm[1] + tm[1] * cm[3]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if abs(b) < 1e-6 and MARGIN_BOTTOM - 4 <= y <= height - MARGIN_TOP + 4:
                parts.append(text)

        page.extract_text(visitor_text=visit)
    return "".join(parts)


def qpdf_check(path: Path) -> None:
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@dataclass(frozen=True)
class Exported:
    """One draft world exported once for the read-only tests (the 100 kB narrative makes a
    40-page letter; building it once keeps the suite fast)."""

    store: Store
    world: World
    letter: Path
    report: Path
    report_pages: int
    letter_text: str
    report_text: str


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    folder = tmp_path_factory.mktemp("exported")
    store = open_store(folder / "jurisdesk.sqlite", actor="Test Clerk")
    try:
        world = build_world(store)
        letter = exports.export_letter(store, world.response_id, folder / "letter.pdf").path
        report = exports.export_report(store, world.jurisdiction_id, folder / "report.pdf")
        yield Exported(
            store,
            world,
            letter,
            report.path,
            report.pages or 0,
            pdf_text(letter),
            pdf_text(report.path),
        )
    finally:
        store.close()


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store, long_narrative=False)


def test_draft_letter_has_every_answer_operator_and_citation(exported: Exported) -> None:
    store, world = exported.store, exported.world
    text = squash(exported.letter_text)

    assert "DRAFT" in text
    assert exports.list_filings(store, world.response_id) == []  # drafts are not filed
    for expected in (
        "City of Testburg",
        "Testburg Police Department",
        "Office of the City Attorney",
        "1 Main St <Suite & 2>",
        "Alan R. Hanson",
        "PSP-2017-TB",
        "August 3, 2017",
        "Testburg County <Sheriff & Co>",
        "The City of Testburg does not operate the County Detention Center",
        "Testburg Police Holding Cells",
        "Only on a formal written request.",
        "Holds only with a judicial warrant.",
        "Ordinance on " + MARKUP,
        "O-2017-7",
        "Testburg Code § 2-17",
        MARKUP,
        FORMULA,
        LATIN,
        CJK,
        LATIN + " ",  # the enclosed file's description, as Exhibit 1
        "Dana Q. Counsel",  # the chief legal officer signs unless the office picks another
    ):
        assert squash(expected) in text, expected
    # Every federal question appears as issued; Jurisdesk's own prompts never print, only
    # what was written for them.
    detail = responses.get_response(store, world.response_id)
    for question in detail.visible_questions():
        if question.is_federal:
            assert question.issued is not None
            assert squash(question.issued.text) in text, question.key
        else:
            assert squash(question.text) not in text, question.key
    assert squash("Conditions for access_conditions.") in text
    assert squash("Conditions for hold_conditions.") in text
    qpdf_check(exported.letter)


# What the screen shows the person answering, and Jurisdesk's own bookkeeping: none of it is
# the federal government's wording or the city's answer, so none of it prints in the letter.
NOT_IN_LETTER = (
    "Partly — only in some cases or with conditions (describe them)",
    "(describe them)",
    "Outside our control — facility run by another government",
    "Question 1a",
    "Question 3a",
    "Question 4",
    "Additional statement to include in the response letter",
    "Information from:",
    "Facility register",
    "Police legal advisor",
)


def _letter_with_statement(store: Store, tmp_path: Path, version: int | None) -> tuple[str, Path]:
    """A letter for the PSP questionnaire (pinned to `version`, or the latest), with a county
    jail outside the city's control pre-filled as such and an additional statement."""
    city = records.create(
        store, "jurisdiction", {"name": "City of Plainview", "kind": "city", "state": "CA"}
    )
    records.create(
        store,
        "facility",
        {
            "name": "Plainview County Jail",
            "facility_type": "jail",
            "operator_type": "county",
            "operator_name": "Plainview County Sheriff",
            "sets_policy": False,
        },
        city.id,
    )
    detail = responses.start_response(store, city.id, PSP, version=version)
    responses.save_answer(
        store,
        detail.summary.id,
        "statement",
        None,
        AnswerInput(value="Our officers do not ask about immigration status."),
    )
    path = exports.export_letter(store, detail.summary.id, tmp_path / "letter.pdf").path
    return " ".join(pdf_text(path).split()), path


def test_letter_quotes_each_federal_question_as_issued_and_no_screen_wording(
    store: Store, tmp_path: Path
) -> None:
    text, path = _letter_with_statement(store, tmp_path, None)
    definition = questionnaires.get(PSP, 2)
    for question in definition.questions:
        if question.is_federal:
            assert question.issued is not None
            assert question.issued.text in text, question.key
            # The plain-language explanation is for the screen, not the letter.
            assert question.text not in text, question.key
    assert "set out below as issued" in text
    assert "Our officers do not ask about immigration status." in text
    assert (
        "The City of Plainview does not operate the Plainview County Jail and cannot answer "
        "for it." in text
    )
    for screen_only in NOT_IN_LETTER:
        assert screen_only not in text, screen_only
    qpdf_check(path)


def test_exported_letter_has_no_screen_wording(exported: Exported) -> None:
    text = " ".join(exported.letter_text.split())
    assert "operated by the City of Testburg: in part." in text
    assert "Answer:" not in text
    for screen_only in NOT_IN_LETTER:
        assert screen_only not in text, screen_only


def test_letter_for_a_response_pinned_to_version_1_still_renders(
    store: Store, tmp_path: Path
) -> None:
    text, path = _letter_with_statement(store, tmp_path, 1)
    # Version 1 holds no federal wording word for word: the letter does not claim to quote it.
    assert "as issued" not in text
    assert "summarized below" in text
    assert "Our officers do not ask about immigration status." in text
    assert "Information from:" not in text
    assert "(describe them)" not in text
    qpdf_check(path)


def test_full_report_tells_questions_as_issued_from_jurisdesk_follow_ups(
    exported: Exported,
) -> None:
    text = " ".join(exported.report_text.split())
    assert "Question 1 (as issued)" in text
    assert "Jurisdesk follow-up 1a" in text
    assert "secondary copy" in text
    # The report is the office's own file: it keeps where the facts came from.
    assert "Information from: Police legal advisor" in text


def test_hostile_text_prints_exactly(exported: Exported) -> None:
    path = exported.letter
    text = squash(body_text(path))
    # Markup is printed, not interpreted: the entity stays literally "&amp;".
    assert squash(MARKUP) in text
    # pypdf reads right-to-left runs back in logical order.
    assert squash(ARABIC) in text
    # NUL and BEL are shown as U+FFFD; the text around them prints exactly.
    assert "nul:\ufffd:bell:\ufffd:end" in text
    # The 100 kB narrative flows across pages whole.
    assert squash(LONG) in text
    assert len(pypdf.PdfReader(path).pages) > 10


def test_characters_are_covered_by_embedded_fonts() -> None:
    fonts.register()
    for char in MARKUP + FORMULA + LATIN + "\ufffd§—":
        assert fonts.chain(fonts.SERIF).face_for(char) == fonts.SERIF, char
    for char in ARABIC.replace(" ", ""):
        assert fonts.chain(fonts.SERIF).face_for(char) == fonts.SANS, char
    for char in CJK:
        assert fonts.chain(fonts.SERIF).face_for(char) == fonts.FALLBACK, char


def test_letter_metadata_and_paper(exported: Exported, tmp_path: Path) -> None:
    store, world, letter = exported.store, exported.world, exported.letter
    a4 = exports.export_letter(store, world.response_id, tmp_path / "a4.pdf", paper="a4").path
    reader = pypdf.PdfReader(letter)
    meta = reader.metadata
    assert meta is not None
    assert "City of Testburg" in (meta.title or "")
    assert meta.author == "Dana Q. Counsel"
    assert "PSP-2017-TB" in (meta.subject or "")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    box = pypdf.PdfReader(a4).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_approved_letter_is_filed_and_reproducible(
    store: Store, world: World, tmp_path: Path
) -> None:
    approve(store, world.response_id)
    first = exports.export_letter(store, world.response_id, tmp_path / "first.pdf")
    second = exports.export_letter(store, world.response_id, tmp_path / "second.pdf")

    text = squash(pdf_text(first.path))
    assert "DRAFT" not in text
    assert squash("Dana Q. Counsel") in text
    assert squash("City Attorney") in text
    assert "Signaturepending" not in text
    content = first.path.read_bytes()
    assert first.filing is not None
    assert first.filing.sha256 == hashlib.sha256(content).hexdigest()
    assert first.filing.size == len(content)
    # Same approved response, same letter: identical bytes, so one filing, not two.
    assert second.path.read_bytes() == content
    assert second.filing == first.filing
    assert not second.differs_from_earlier_filing
    assert [f.sha256 for f in exports.list_filings(store, world.response_id)] == [
        first.filing.sha256
    ]
    assert exports.filed_content(store, first.filing.id) == content
    with store.reading() as session:
        actions = session.scalars(
            select(models.AuditEntry.action).where(models.AuditEntry.field == "filed_letter")
        ).all()
    assert actions == ["file"]
    qpdf_check(first.path)


def _record_titled(store: Store, kind: str, jurisdiction_id: int, title: str) -> records.Record:
    return next(r for r in records.list_records(store, kind, jurisdiction_id) if r.title == title)


def _edit_everything_the_letter_prints(store: Store, world: World) -> None:
    """Edits, through the services, each record an approved letter prints besides answers."""
    holding = _record_titled(store, "facility", world.jurisdiction_id, world.city_holding)
    records.update(store, "facility", holding.id,
                   {"name": "Renamed Cells", "operator_name": "Renamed Operator"},
                   holding.version)  # fmt: skip
    instrument = _record_titled(store, "instrument", world.jurisdiction_id, world.instrument)
    records.update(store, "instrument", instrument.id,
                   {"title": "Retitled Ordinance", "citation": "Code § 99"},
                   instrument.version)  # fmt: skip
    city = records.get(store, "jurisdiction", world.jurisdiction_id)
    records.update(store, "jurisdiction", city.id,
                   {"letterhead_address": "Moved Office\n9 Other St",
                    "police_agency": "Renamed Police Service",
                    "chief_legal_officer": "Someone Else"},
                   city.version)  # fmt: skip
    request = records.list_records(store, "request", world.jurisdiction_id)[0]
    records.update(store, "request", request.id,
                   {"signer": "New Signer", "reference": "NEW-REF"},
                   request.version)  # fmt: skip
    # A facility added after approval is not part of the approved letter either.
    records.create(store, "facility", {"name": "Added Annex", "facility_type": "jail",
                                       "operator_type": "city", "operator_name": "Annex Operator",
                                       "sets_policy": True}, world.jurisdiction_id)  # fmt: skip


EDITED = ("Renamed Cells", "Renamed Operator", "Retitled Ordinance", "Code § 99", "Moved Office",
          "Renamed Police Service", "New Signer", "NEW-REF", "Added Annex")  # fmt: skip


def test_approved_letter_prints_what_was_approved_after_records_are_edited(
    store: Store, world: World, tmp_path: Path
) -> None:
    approve(store, world.response_id)
    first = exports.export_letter(store, world.response_id, tmp_path / "first.pdf")
    before = pdf_text(first.path)
    for expected in (world.city_holding, "Testburg Police Department", "Alan R. Hanson",
                     "PSP-2017-TB", "Ordinance on " + MARKUP, "1 Main St <Suite & 2>"):  # fmt: skip
        assert squash(expected) in squash(before), expected

    _edit_everything_the_letter_prints(store, world)
    second = exports.export_letter(store, world.response_id, tmp_path / "second.pdf")

    assert pdf_text(second.path) == before
    assert second.path.read_bytes() == first.path.read_bytes()
    assert first.filing is not None
    assert second.filing == first.filing
    assert not second.differs_from_earlier_filing
    assert len(exports.list_filings(store, world.response_id)) == 1
    # The workbook of the response shows the approved letter's facilities too.
    book = exports.export_response_workbook(store, world.response_id, tmp_path / "book.xlsx")
    cells = {
        str(value)
        for sheet in openpyxl.load_workbook(book.path, read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert world.city_holding in cells
    assert "Renamed Cells" not in cells

    # Marking it sent does not change the letter that was filed.
    responses.mark_submitted(store, world.response_id, date(2017, 8, 18), "e-mail to OJP")
    third = exports.export_letter(store, world.response_id, tmp_path / "third.pdf")
    assert third.path.read_bytes() == first.path.read_bytes()
    assert third.filing == first.filing

    # Reopened, it is a draft again and prints the records as they are now.
    responses.reopen(store, world.response_id, "DOJ asked for a correction")
    draft = squash(pdf_text(exports.export_letter(
        store, world.response_id, tmp_path / "draft.pdf").path))  # fmt: skip
    assert "DRAFT" in draft
    for expected in EDITED:
        assert squash(expected) in draft, expected
        assert squash(expected) not in squash(before), expected
    assert squash(world.city_holding) not in draft
    assert len(exports.list_filings(store, world.response_id)) == 1


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")
def test_approved_letter_keeps_its_date_when_the_time_zone_changes(
    store: Store, world: World
) -> None:
    """UTC+14 and UTC-12 are 26 hours apart: the same moment is never the same day in both."""
    original = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "Etc/GMT-14"  # POSIX sign: this is UTC+14
        time.tzset()
        approve(store, world.response_id)
        dated = model.letter(store, world.response_id).dated
        os.environ["TZ"] = "Etc/GMT+12"  # UTC-12
        time.tzset()
        assert model.letter(store, world.response_id).dated == dated
        approved_at = responses.get_response(store, world.response_id).summary.approved_at
        assert approved_at is not None
        assert model.local_date(approved_at) != dated  # what it would say without the record
    finally:
        if original is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = original
        time.tzset()


def test_letter_approved_before_the_approved_record_prints_current_records(
    store: Store, world: World, tmp_path: Path
) -> None:
    """Responses approved before Jurisdesk kept the approved record (schema 0002 and older)
    print from the current records; an edit shows as a new filing that differs."""
    approve(store, world.response_id)
    connection = sqlite3.connect(store.path)
    with connection:
        connection.execute("UPDATE response SET approved_snapshot = NULL")
    connection.close()
    first = exports.export_letter(store, world.response_id, tmp_path / "first.pdf")
    facility = _record_titled(store, "facility", world.jurisdiction_id, world.city_holding)
    records.update(store, "facility", facility.id, {"name": "Renamed Cells"}, facility.version)
    second = exports.export_letter(store, world.response_id, tmp_path / "second.pdf")
    assert second.differs_from_earlier_filing
    assert squash("Renamed Cells") in squash(pdf_text(second.path))
    assert first.filing is not None
    assert second.filing is not None
    assert second.filing.id != first.filing.id
    # The as-filed copy is still there, byte for byte.
    assert exports.filed_content(store, first.filing.id) == first.path.read_bytes()


def test_full_report_contains_everything(exported: Exported) -> None:
    store, world, pages = exported.store, exported.world, exported.report_pages
    reader = pypdf.PdfReader(exported.report)
    assert len(reader.pages) == pages
    text = squash(exported.report_text)
    for expected in (
        "Contents",
        "Profile",
        "Detention facilities and who runs them",
        "Legal instruments",
        "Evidence index",
        "Audit trail",
        world.county_jail,
        "Testburg County <Sheriff & Co>",
        world.instrument,
        "Testburg Code § 2-17",
        FORMULA,
        world.evidence_sha256,
        "policy <scan> & notes.pdf",
        MARKUP,
        LATIN,
        CJK,
        f"Page 1 of {pages}",
        f"Page {pages} of {pages}",
        f"Database version {store.database.schema_revision}",
        "Generated",
    ):
        assert squash(expected) in text, expected
    body = squash(body_text(exported.report))
    assert squash(LONG) in body
    assert squash(ARABIC) in body
    # The table of contents lists sections with the page they start on.
    contents = reader.pages[1].extract_text() or ""
    assert "Evidence index" in contents
    qpdf_check(exported.report)


def test_report_of_an_empty_jurisdiction(store: Store, tmp_path: Path) -> None:
    town = records.create(store, "jurisdiction", {"name": "Emptyville", "kind": "town",
                                                   "state": "VT"})  # fmt: skip
    result = exports.export_report(store, town.id, tmp_path / "empty.pdf")
    text = pdf_text(result.path)
    assert "No facilities recorded." in text
    assert "No responses recorded." in text
    qpdf_check(result.path)


def test_unknown_response_is_a_user_error(store: Store, tmp_path: Path) -> None:
    from app.services.errors import NotFound

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(NotFound):
        exports.export_letter(store, 999, out / "x.pdf")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("City of Albuquerque", "the City of Albuquerque"),
        ("Baltimore City", "Baltimore City"),
        ("The Town of Hempstead", "The Town of Hempstead"),
        ("County of San Bernardino", "the County of San Bernardino"),
    ],
)
def test_jurisdiction_names_take_an_article_only_where_english_wants_one(
    name: str, expected: str
) -> None:
    from app.reports.text import with_article

    assert with_article(name) == expected


# --- "Page x of y" and the contents in one pass, keeping no page ------------------------------


def _parts_pdf(parts: int, seen: dict[str, object] | None = None) -> bytes:
    """A document of `parts` one-page parts after a contents of them (two pages from about 45
    parts on), built as the report is: page totals and contents page numbers filled in last."""
    from functools import partial

    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Flowable, PageBreak

    from app.reports import pdf_layout

    styles = pdf_layout.make_styles()
    contents = pdf_layout.Contents(levelStyles=[styles.toc1, styles.toc2], dotsMinLevel=0)

    def part(number: int) -> list[Flowable]:
        text = f"Text of part {number}, which fills some of its page. " * 12
        return [*(pdf_layout.para(text, styles.body) for _ in range(4)), PageBreak()]

    story: list[Flowable] = [pdf_layout.para("Contents", styles.h1), contents, PageBreak()]
    for number in range(1, parts + 1):
        story.append(pdf_layout.heading(f"Part {number}", styles.h1, 0))
        story.append(pdf_layout.Deferred(partial(part, number)))

    def footer(canvas: Canvas, page: int, total: int) -> None:
        if seen is not None and "containers" not in seen:
            # What the canvas holds once every page is done, when the footers are drawn.
            seen["containers"] = {
                name: len(value)
                for name, value in vars(canvas).items()
                if isinstance(value, list | dict | set | tuple)
            }
        canvas.drawCentredString(300, 30, f"Page {page} of {total}")

    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        pass

    rendered = pdf_layout.build(
        story,
        pdf_layout.page_size("letter"),
        on_page=on_page,
        footer=footer,
        title="Parts",
        author="Test",
        subject="Parts",
        keywords=[],
        toc=contents,
    )
    return rendered.content


def test_every_page_reads_page_x_of_y_and_the_contents_give_each_part_its_page() -> None:
    import io
    import re

    reader = pypdf.PdfReader(io.BytesIO(_parts_pdf(60)))
    pages = [page.extract_text() or "" for page in reader.pages]
    total = len(pages)
    assert total == 62  # two pages of contents, then one page per part
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text, (number, text[-80:])
    where = {}
    for number, text in enumerate(pages, start=1):
        for line in text.splitlines():
            found = re.fullmatch(r"Part (\d+)", line.strip())
            if found and number > 2:
                where[int(found.group(1))] = number
    assert sorted(where) == list(range(1, 61))
    # Each entry reads in order: its title, then its dots and page number.
    listed = {
        int(found.group(1)): int(found.group(2))
        for found in re.finditer(r"^\s*Part (\d+)\s*\n[\s.]*?(\d+)\s*$", pages[0] + pages[1], re.M)
    }
    assert listed == where


def test_page_totals_keep_nothing_per_page() -> None:
    short: dict[str, object] = {}
    long: dict[str, object] = {}
    _parts_pdf(6, short)
    _parts_pdf(60, long)
    # The canvas holds no more at the end of 62 pages than at the end of 8 (the pages are in
    # reportlab's document, as in any reportlab build), but for reportlab's bookmarks of the
    # headings, one per part here, and what the contents' links to them say.
    for held in (short["containers"], long["containers"]):
        assert isinstance(held, dict)
        del held["_destinations"]
        del held["link_titles"]
    assert long["containers"] == short["containers"]


def test_the_report_is_one_pass_and_prints_what_reportlab_lays_out(exported: Exported) -> None:
    """The contents' page numbers are those of the pages the chapters start on."""
    import re

    reader = pypdf.PdfReader(exported.report)
    pages = [page.extract_text() or "" for page in reader.pages]
    # Each entry reads in order: its title, then its dots and page number.
    listed = dict(re.findall(r"^\s*(\d\. [^\n]+?)\s*\n[\s.]*?(\d+)\s*$", pages[1], re.M))
    assert "8. Evidence index" in listed, pages[1]
    for title, page in listed.items():
        assert title in pages[int(page) - 1], (title, page)


def test_the_audit_trail_reads_in_peoples_words(exported: Exported) -> None:
    """The report's changes name actions, records and fields as the screen does, never the
    database's tables and columns."""
    trail = exported.report_text[exported.report_text.rindex("9. Audit trail") :]
    assert "By kind of change: " in trail
    assert "Changed" in trail or "Answered" in trail
    for internal in ("information_source", "as_of", " update ", "answer:", "jurisdiction:"):
        assert internal not in trail, internal
