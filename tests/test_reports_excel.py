"""The response and comparison workbooks, read back cell by cell with openpyxl and as XML."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app import questionnaires
from app.reports import exports
from app.reports.model import long_date
from app.reports.text import EXCEL_CELL_LIMIT
from app.services import audit, demo, records, responses
from app.services.errors import NotFound, UserError
from app.services.responses import AnswerInput
from app.services.store import Store
from tests.helpers import (
    approve_as_read,
    complete_response,
    make_facility,
    raw_connect,
    start_psp,
    valid_values,
)
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
    assert summary["Questionnaire version"] == 2  # new responses take the latest
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
    # Actions, record kinds and fields in people's words, never the tables' and columns'.
    assert {r[2] for r in history} <= set(audit.ACTION_LABELS.values())
    assert "Answer" in {r[3] for r in history}
    assert not {r[3] for r in history} & {"answer", "jurisdiction", "facility"}
    assert not {r[5] for r in history} & {"value", "as_of", "information_source"}
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
    approved, _draft = hostile_response(store)
    path = exports.export_comparison(store, PSP, tmp_path / "c.xlsx").path
    book = load_workbook(path)
    assert book.sheetnames == ["Matrix", "Legend", "Answers by facility", "Narratives"]
    matrix = rows_of(book["Matrix"])
    assert matrix[0][:9] == ("Jurisdiction", "State", "Response", "Version", "Status", "Due",
                             "Complete (%)", "Required answers missing",
                             "Approved (UTC)")  # fmt: skip
    assert matrix[0][9:] == ("Q1", "Q2", "Q3")
    by_name = {r[0]: r for r in matrix[1:]}
    assert set(by_name) == {"Baltimore City", "City of Albuquerque"}
    abq = by_name["City of Albuquerque"]
    kept = responses.as_approved(store, approved)
    assert kept is not None
    assert kept.record.approval.approved_on is not None
    assert abq[2] == f"Approved on {long_date(kept.record.approval.approved_on)}"
    assert by_name["Baltimore City"][2] == f"Draft, started {long_date(date.today())}"
    assert abq[5:8] == (datetime(2017, 8, 18), 100, 0)
    assert isinstance(abq[8], datetime)
    assert abq[9:] == ("Partial", "No", "No")
    # Baltimore's draft has no request (so no due date) and every answer given.
    assert by_name["Baltimore City"][5:8] == (None, 100, 0)
    assert by_name["Baltimore City"][9:] == ("Partial", "Partial", "Partial")
    sheet = book["Matrix"]
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:L3"
    abq_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == abq[0])
    fills = {c.value: c.fill.fgColor.rgb for c in abq_row[9:]}
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
    parts = [r for r in rows_of(narratives)[1:] if r[0] == "Baltimore City" and r[3] == "3"]
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


def _table_of(sheet: object) -> list[dict[object, object]]:
    header, *body = rows_of(sheet)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_comparison_of_the_demo_never_hides_a_missing_answer(store: Store, tmp_path: Path) -> None:
    demo.load_demo(store)
    path = exports.export_comparison(store, PSP, tmp_path / "demo.xlsx").path
    book = load_workbook(path)
    matrix = {row["Jurisdiction"]: row for row in _table_of(book["Matrix"])}
    assert set(matrix) == {city.name for city in demo.CITIES}

    # In the demo the city-run Prisoner Transport Center has no answer to questions 2 and 3:
    # the county jail's "outside our control" must not stand as Albuquerque's answer.
    abq = matrix["City of Albuquerque"]
    assert (abq["Q1"], abq["Q2"], abq["Q3"]) == ("Partial", "Incomplete", "Incomplete")
    assert (abq["Due"], abq["Complete (%)"], abq["Required answers missing"]) == (
        datetime(2017, 8, 18),
        66,
        2,
    )
    for name in ("Baltimore City", "City of San Bernardino", "City of Stockton"):
        row = matrix[name]
        assert (row["Q1"], row["Q2"], row["Q3"]) == ("Outside our control",) * 3, name
        assert (row["Complete (%)"], row["Required answers missing"]) == (100, 0), name
    # The same figures the dashboard shows.
    for summary in responses.list_responses(store):
        row = matrix[summary.jurisdiction_name]
        assert summary.due_on is not None
        assert row["Due"] == datetime.combine(summary.due_on, time())
        assert row["Complete (%)"] == summary.completeness.percent
        assert row["Required answers missing"] == len(summary.completeness.missing)
    sheet = book["Matrix"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("Due") + 1).number_format == "yyyy-mm-dd"
    abq_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == abq["Jurisdiction"])
    assert abq_row[header.index("Q2")].fill.fgColor.rgb.endswith("F8CBAD")
    legend = {row[0]: row[1] for row in rows_of(book["Legend"])}
    assert "missing" in str(legend["Incomplete"])

    # One row per facility per facility question, with who runs it and whether we set policy.
    facility_sheet = book["Answers by facility"]
    assert facility_sheet.freeze_panes == "C2"
    assert all(c.font.b for c in facility_sheet[1])
    assert facility_sheet.column_dimensions["H"].width >= 40
    by_facility = _table_of(facility_sheet)
    expected = {
        (city.name, number, str(place["name"])): place
        for city in demo.CITIES
        for place in city.facilities
        for number in ("1", "2", "3")
    }
    assert len(by_facility) == len(expected) == 15
    seen = {(r["Jurisdiction"], r["Question"], r["Facility"]): r for r in by_facility}
    assert set(seen) == set(expected)
    for where, place in expected.items():
        assert seen[where]["Operator"] == place["operator_name"], where
        assert seen[where]["Jurisdiction sets policy"] is place["sets_policy"], where
    center = "Prisoner Transport Center"
    assert seen[("City of Albuquerque", "1", center)]["Answer"] == (
        "Partly — only in some cases or with conditions (describe them)"
    )
    assert seen[("City of Albuquerque", "1", center)]["Result"] == "Partial"
    for number in ("2", "3"):
        gap = seen[("City of Albuquerque", number, center)]
        assert (gap["Answer"], gap["Result"], gap["Answer missing"]) == (None, None, True)
    jail = seen[("City of Albuquerque", "2", "Metropolitan Detention Center")]
    assert (jail["Result"], jail["Answer missing"]) == ("Outside our control", False)
    assert jail["Answer"] == "Outside our control — facility run by another government"
    assert sum(r["Answer missing"] is True for r in by_facility) == 2

    # Headings and cells in words: no question key, choice value or field name shows.
    keys = {q.key for q in questionnaires.latest(PSP).questions}
    keys |= {c.value for q in questionnaires.latest(PSP).questions for c in q.choices}
    for name in book.sheetnames:
        for row in rows_of(book[name]):
            for value in row:
                assert value not in keys, (name, value)
                assert not (isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+", value))
    no_formulas(path)


def test_a_draft_response_workbook_shows_incomplete_questions(store: Store, tmp_path: Path) -> None:
    demo.load_demo(store)
    abq = next(s for s in responses.list_responses(store) if "Albuquerque" in s.jurisdiction_name)
    path = exports.export_response_workbook(store, abq.id, tmp_path / "abq.xlsx").path
    answers = _table_of(load_workbook(path)["Answers"])
    results = {row["Question"]: row["Question result"] for row in answers}
    assert (results["1"], results["2"], results["3"]) == ("Partial", "Incomplete", "Incomplete")


def test_a_facility_added_later_is_a_gap_whoever_runs_it(store: Store, tmp_path: Path) -> None:
    _approved, draft = build_sample_data(store)
    baltimore = responses.get_response(store, draft).summary.jurisdiction_id
    # Added after the response was started, so nothing pre-filled it; the names are hostile.
    records.create(
        store,
        "facility",
        {
            "name": FORMULAS[4],
            "facility_type": "jail",
            "operator_type": "state",
            "operator_name": FORMULAS[1],
            "sets_policy": False,
        },
        baltimore,
    )
    path = exports.export_comparison(store, PSP, tmp_path / "c.xlsx").path
    book = load_workbook(path)
    matrix = {row["Jurisdiction"]: row for row in _table_of(book["Matrix"])}
    bal = matrix["Baltimore City"]
    assert (bal["Q1"], bal["Q2"], bal["Q3"]) == ("Incomplete",) * 3
    assert (bal["Complete (%)"], bal["Required answers missing"]) == (50, 3)
    added = [r for r in _table_of(book["Answers by facility"]) if r["Facility"] == FORMULAS[4]]
    assert [r["Question"] for r in added] == ["1", "2", "3"]
    assert all(r["Operator"] == FORMULAS[1] and r["Answer missing"] is True for r in added)
    cells = [c for row in book["Answers by facility"].iter_rows() for c in row]
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    no_formulas(path)


def _unchanged_since_approval(store: Store) -> tuple[int, int]:
    """An approved response, then its records edited: the city-run center renamed, handed to
    the county (we no longer set policy there), a city-run annex added with no answer, the
    request's due date moved. Then a new draft of the same jurisdiction. Returns the ids."""
    j, _county, city, approved = complete_response(store)
    request = records.create(store, "request", valid_values("request"), j.id)
    responses.update_details(store, approved, request_id=request.id)
    responses.save_answer(
        store,
        approved,
        "access",
        city.id,
        AnswerInput(value="no", narrative="Never without a warrant."),
    )
    responses.submit_for_review(store, approved)
    approve_as_read(store, approved, "Timothy M. Keller", "Mayor")
    city_now = records.get(store, "facility", city.id)
    records.update(
        store,
        "facility",
        city.id,
        {"name": "Central Holding", "operator_name": "Bernalillo County",
         "operator_type": "county", "sets_policy": False},
        city_now.version,
    )  # fmt: skip
    make_facility(store, j.id, controlled=True, name="Westside Annex")
    records.update(store, "request", request.id, {"due_on": "2017-09-30"}, request.version)
    return approved, start_psp(store, j.id).summary.id


def test_the_comparison_shows_an_approved_response_as_approved(
    store: Store, tmp_path: Path
) -> None:
    approved, draft = _unchanged_since_approval(store)
    # The dashboard: still complete, still due when it was when approved.
    listed = {s.id: s for s in responses.list_responses(store)}
    assert listed[approved].completeness.percent == 100
    assert listed[approved].due_on == date(2017, 8, 18)
    assert listed[draft].completeness.percent < 100

    book = load_workbook(exports.export_comparison(store, PSP, tmp_path / "c.xlsx").path)
    matrix = {row["Status"]: row for row in _table_of(book["Matrix"])}
    assert set(matrix) == {"Approved", "Draft"}
    was, now = matrix["Approved"], matrix["Draft"]
    assert (was["Q1"], was["Q2"], was["Q3"]) == ("No",) * 3
    assert (was["Due"], was["Complete (%)"], was["Required answers missing"]) == (
        datetime(2017, 8, 18), 100, 0,
    )  # fmt: skip
    # The draft: the center is now the county's; the annex nobody answered for is a gap.
    assert (now["Q1"], now["Q2"], now["Q3"]) == ("Incomplete",) * 3
    assert (now["Due"], now["Required answers missing"]) == (None, 3)

    by_facility = _table_of(book["Answers by facility"])
    labels = {row["Status"]: row["Response"] for row in matrix.values()}
    facilities = {
        status: {r["Facility"]: r for r in by_facility if r["Response"] == label}
        for status, label in labels.items()
    }
    assert set(facilities["Approved"]) == {"Metropolitan Detention Center",
                                           "Prisoner Transport Center"}  # fmt: skip
    center = facilities["Approved"]["Prisoner Transport Center"]
    assert (center["Operator"], center["Jurisdiction sets policy"]) == ("City of Albuquerque", True)
    assert (center["Result"], center["Answer missing"]) == ("No", False)
    assert set(facilities["Draft"]) == {"Metropolitan Detention Center", "Central Holding",
                                        "Westside Annex"}  # fmt: skip
    moved = facilities["Draft"]["Central Holding"]
    assert (moved["Operator"], moved["Jurisdiction sets policy"]) == ("Bernalillo County", False)
    assert moved["Result"] == "Outside our control"
    annex = facilities["Draft"]["Westside Annex"]
    assert (annex["Result"], annex["Answer missing"]) == (None, True)

    narratives = _table_of(book["Narratives"])
    said = [r for r in narratives if r["Narrative"] == "Never without a warrant."]
    assert [(r["Response"], r["Facility"], r["Operator"]) for r in said] == [
        (labels["Approved"], "Prisoner Transport Center", "City of Albuquerque")
    ]
    assert {r["Response"] for r in narratives} <= set(labels.values())

    # No sheet shows a database id: every response is named in words.
    for name in ("Matrix", "Answers by facility", "Narratives"):
        header, *body = rows_of(book[name])
        assert not [h for h in header if "id" in str(h).lower().split()]
        column = header.index("Response")
        assert all(isinstance(row[column], str) for row in body), name


def test_two_responses_alike_stay_apart_in_the_comparison(store: Store, tmp_path: Path) -> None:
    j = records.create(store, "jurisdiction", {"name": "Baltimore City", "kind": "city",
                                               "state": "MD"})  # fmt: skip
    start_psp(store, j.id)
    start_psp(store, j.id)
    book = load_workbook(exports.export_comparison(store, PSP, tmp_path / "c.xlsx").path)
    started = f"Draft, started {long_date(date.today())}"
    assert [row["Response"] for row in _table_of(book["Matrix"])] == [started, f"{started} (2)"]


def test_a_damaged_approved_record_is_not_compared_from_the_current_records(
    store: Store, tmp_path: Path
) -> None:
    approved, _draft = build_sample_data(store)
    connection = raw_connect(store.path)
    with connection:
        connection.execute(
            "UPDATE response SET approved_snapshot = 'not JSON' WHERE id = ?", (approved,)
        )
    connection.close()
    with pytest.raises(UserError, match=r"City of Albuquerque.*damaged"):
        exports.export_comparison(store, PSP, tmp_path / "c.xlsx")
    assert list(tmp_path.glob("*.xlsx")) == []
