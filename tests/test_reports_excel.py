"""The response and comparison workbooks, read back cell by cell with openpyxl and as XML."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.reports import exports
from app.reports.text import EXCEL_CELL_LIMIT
from app.services import records, responses
from app.services.errors import NotFound
from app.services.responses import AnswerInput
from app.services.store import Store
from tests.report_data import PSP, build_sample_data

FORMULAS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", '=HYPERLINK("http://x","y")']
HOSTILE = '<b>&amp; "quotes"</b> 東京 مرحبا Crème brûlée'
LONG = "x" * (EXCEL_CELL_LIMIT + 5000)


def no_formulas(path: Path) -> None:
    """No sheet of the file has a formula element, whatever openpyxl thinks of the cells."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), name


def hostile_response(store: Store) -> tuple[int, int]:
    """The sample data plus a draft whose answers are formulas, markup, control characters
    and a narrative longer than one Excel cell. Returns (approved id, hostile draft id)."""
    approved, draft = build_sample_data(store)
    detail = responses.get_response(store, draft)
    facility = detail.facilities[0]
    for key, narrative, conditions in (
        ("access", FORMULAS[0], FORMULAS[1]),
        ("notice", f"{FORMULAS[2]}\n{HOSTILE}\nnul:\x00:end", FORMULAS[3]),
        ("hold", LONG, FORMULAS[4]),
    ):
        responses.save_answer(
            store,
            draft,
            key,
            facility.id,
            AnswerInput(
                value="partial",
                narrative=narrative,
                conditions=conditions,
                as_of="2017-08-10",
                information_source=FORMULAS[3],
            ),
        )
    return approved, draft


def rows_of(sheet: object) -> list[tuple[object, ...]]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]  # type: ignore[attr-defined]


def test_response_workbook_sheets_types_and_layout(store: Store, tmp_path: Path) -> None:
    approved, _draft = hostile_response(store)
    path = exports.export_response_workbook(store, approved, tmp_path / "r.xlsx").path
    book = load_workbook(path)
    assert book.sheetnames == [
        "Summary",
        "Answers",
        "Facilities",
        "Instruments",
        "Evidence",
        "History",
    ]
    summary = {row[0]: row[1] for row in rows_of(book["Summary"])[1:]}
    assert summary["Jurisdiction"] == "City of Albuquerque"
    assert summary["Status"] == "Approved"
    assert summary["Questionnaire version"] == 1
    assert isinstance(summary["Approved at (UTC)"], datetime)
    assert summary["Request letter date"] == datetime(2017, 8, 3)

    answers = book["Answers"]
    header = [c.value for c in answers[1]]
    assert header[:4] == ["Question", "Question text", "Facility", "Operator"]
    assert all(c.font.b for c in answers[1])
    assert answers.freeze_panes == "A2"
    assert answers.auto_filter.ref == f"A1:P{answers.max_row}"
    assert answers.print_title_rows == "$1:$1"
    assert answers.page_setup.fitToWidth == 1
    assert answers.sheet_properties.pageSetUpPr.fitToPage
    assert answers.column_dimensions["K"].width == 70
    assert answers["K2"].alignment.wrap_text
    body = rows_of(answers)[1:]
    # One row per question and facility: 3 facility questions × 2 facilities, plus the
    # jurisdiction-wide questions 1a (shown because 1 was answered "partly") and 4.
    assert len(body) == 8
    by_place = {(r[0], r[2]): r for r in body}
    jail = by_place[("1", "Metropolitan Detention Center")]
    assert jail[3] == "Bernalillo County"
    assert jail[5] is False
    assert jail[7] == "Outside our control"
    center = by_place[("1", "Prisoner Transport Center")]
    assert center[5] is True
    assert center[8] == "Partial"
    assert center[12] == datetime(2017, 8, 15)
    assert "Resolution barring" in str(center[14])

    facilities = rows_of(book["Facilities"])
    assert {r[0] for r in facilities[1:]} == {
        "Metropolitan Detention Center",
        "Prisoner Transport Center",
    }
    evidence = rows_of(book["Evidence"])[1:]
    assert evidence[0][0] == "doj-psp-letter-2017-08-03.pdf"
    assert isinstance(evidence[0][2], int)
    assert len(str(evidence[0][3])) == 64
    history = rows_of(book["History"])[1:]
    assert history
    assert all(isinstance(r[0], datetime) for r in history)
    no_formulas(path)


def test_no_text_becomes_a_formula(store: Store, tmp_path: Path) -> None:
    _approved, draft = hostile_response(store)
    path = exports.export_response_workbook(store, draft, tmp_path / "h.xlsx").path
    book = load_workbook(path)
    answers = book["Answers"]
    cells = {
        c.value: c for row in answers.iter_rows(min_row=2) for c in row if isinstance(c.value, str)
    }
    for formula in (FORMULAS[0], FORMULAS[1], FORMULAS[3], FORMULAS[4]):
        assert formula in cells, formula
        assert cells[formula].data_type == "s"
    # Control characters become U+FFFD; the rest of the text is kept exactly.
    assert f"{FORMULAS[2]}\n{HOSTILE}\nnul:\ufffd:end" in cells
    # A narrative longer than Excel's cell limit is continued on the Long text sheet.
    assert "Long text" in book.sheetnames
    head = next(v for v in cells if v and set(v) == {"x"})
    continued = [str(r[4]) for r in rows_of(book["Long text"])[1:] if r[0] == "Answers"]
    assert head + "".join(continued) == LONG
    no_formulas(path)


def test_comparison_matrix_legend_and_narratives(store: Store, tmp_path: Path) -> None:
    approved, draft = hostile_response(store)
    path = exports.export_comparison(store, PSP, tmp_path / "c.xlsx").path
    book = load_workbook(path)
    assert book.sheetnames == ["Matrix", "Legend", "Narratives"]
    matrix = rows_of(book["Matrix"])
    assert matrix[0][:6] == ("Jurisdiction", "State", "Response", "Version", "Status",
                             "Approved (UTC)")  # fmt: skip
    assert matrix[0][6:] == ("Q1", "Q2", "Q3")
    by_name = {r[0]: r for r in matrix[1:]}
    assert set(by_name) == {"Baltimore City", "City of Albuquerque"}
    abq = by_name["City of Albuquerque"]
    assert abq[2] == approved
    assert isinstance(abq[5], datetime)
    assert abq[6:] == ("Partial", "No", "No")
    assert by_name["Baltimore City"][6:] == ("Partial", "Partial", "Partial")
    sheet = book["Matrix"]
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:I3"
    abq_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == abq[0])
    fills = {c.value: c.fill.fgColor.rgb for c in abq_row[6:]}
    assert fills["Partial"].endswith("FFEB9C")
    assert fills["No"].endswith("FFC7CE")
    legend = rows_of(book["Legend"])
    assert legend[4][:1] == ("Outside our control",)

    narratives = book["Narratives"]
    cells = [c for row in narratives.iter_rows(min_row=2) for c in row]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for formula in (FORMULAS[0], FORMULAS[1], FORMULAS[3]):
        assert formula in texts
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    parts = [r for r in rows_of(narratives)[1:] if r[2] == draft and r[3] == "3"]
    assert [r[9] for r in parts] == ["1 of 2", "2 of 2"]
    assert "".join(str(r[7]) for r in parts) == LONG
    no_formulas(path)


def test_comparison_of_an_unknown_questionnaire(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        exports.export_comparison(store, "no-such-questionnaire", tmp_path / "c.xlsx")
    assert list(tmp_path.glob("*.xlsx")) == []
    assert list(tmp_path.glob(".*part")) == []


def test_dates_are_dates(store: Store, tmp_path: Path) -> None:
    approved, _ = hostile_response(store)
    instrument = records.list_records(store, "instrument", 1)[0]
    path = exports.export_response_workbook(store, approved, tmp_path / "d.xlsx").path
    sheet = load_workbook(path)["Instruments"]
    adopted = {r[0]: r[5] for r in rows_of(sheet)[1:]}
    assert adopted[instrument.title] == datetime.combine(
        instrument["adopted_on"], datetime.min.time()
    )
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert isinstance(instrument["adopted_on"], date)
