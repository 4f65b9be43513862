"""The response workbook and the cross-jurisdiction comparison workbook (openpyxl).

Cells keep real types: dates are dates, counts are numbers, yes/no are booleans. Text is always
a string cell, even when it starts with =, +, - or @, so no narrative ever runs as a formula.
Text longer than Excel's 32,767-character cell limit is continued, never cut: on a "Long text"
sheet in the response workbook, on continuation rows in the comparison's narratives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import case, func, select

from app import models, questionnaires
from app.questionnaires import Question, Questionnaire
from app.reports.model import AnswerView, Letter
from app.reports.text import EXCEL_CELL_LIMIT, cell_text, split_for_cells
from app.services.audit import HistoryEntry
from app.services.errors import NotFound
from app.services.store import Store
from app.vocabulary import ResponseStatus

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
HEADER_BORDER = Border(bottom=Side(style="thin", color="1F3A5F"))
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# Result colours of the comparison matrix, with the legend's wording.
RESULT_FILLS: dict[str, str] = {
    questionnaires.YES: "C6EFCE",
    questionnaires.PARTIAL: "FFEB9C",
    questionnaires.NO: "FFC7CE",
    questionnaires.OUTSIDE_CONTROL: "D9E1F2",
    questionnaires.UNKNOWN: "E7E6E6",
    questionnaires.NOT_APPLICABLE: "F2F2F2",
}
RESULT_MEANINGS: dict[str, str] = {
    questionnaires.YES: "Every facility within the jurisdiction's control: yes.",
    questionnaires.PARTIAL: "Some yes, some no, or yes only with conditions.",
    questionnaires.NO: "Every facility within the jurisdiction's control: no.",
    questionnaires.OUTSIDE_CONTROL: "All facilities are run by another government or company.",
    questionnaires.UNKNOWN: "At least one controlled facility is still being confirmed.",
    questionnaires.NOT_APPLICABLE: "The question does not apply.",
}


def excel_value(value: Any) -> Any:
    """A Python value as Excel stores it: text cleaned, aware times as naive UTC."""
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    return value


def _style(cell: Any, value: Any, wrap: bool) -> None:
    if isinstance(value, str):
        # Text stays text: "=1+1" typed in a narrative must not become a formula.
        cell.data_type = "s"
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    cell.alignment = WRAP if wrap else TOP


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    wrap: bool = False


class _LongText:
    """Collects the overflow of cells longer than Excel allows, for the "Long text" sheet."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int, int, str]] = []

    def fit(self, sheet: str, where: str, value: Any) -> Any:
        if not isinstance(value, str) or len(value) <= EXCEL_CELL_LIMIT:
            return value
        parts = split_for_cells(value)
        for number, part in enumerate(parts[1:], start=2):
            self.rows.append((sheet, where, number, len(parts), part))
        return parts[0]


def _table(
    ws: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    long_text: _LongText | None = None,
    *,
    landscape: bool = True,
) -> None:
    """A sheet that reads and prints well: bold frozen header, filter, widths, wrapping."""
    for index, column in enumerate(columns, start=1):
        header = ws.cell(row=1, column=index, value=column.header)
        header.font = HEADER_FONT
        header.fill = HEADER_FILL
        header.border = HEADER_BORDER
        header.alignment = WRAP
        header.data_type = "s"
        ws.column_dimensions[get_column_letter(index)].width = column.width
    row_number = 1
    for row in rows:
        row_number += 1
        for index, (column, raw) in enumerate(zip(columns, row, strict=True), start=1):
            value = excel_value(raw)
            if long_text is not None:
                where = f"{ws.title}!{get_column_letter(index)}{row_number}"
                value = long_text.fit(ws.title, where, value)
            cell = ws.cell(row=row_number, column=index, value=value)
            _style(cell, value, column.wrap)
    _page_setup(ws, len(columns), row_number, landscape=landscape)


def _page_setup(ws: Any, width: int, height: int, *, landscape: bool) -> None:
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(width)}{max(height, 1)}"
    _print_setup(ws, landscape=landscape)


def _print_setup(ws: Any, *, landscape: bool) -> None:
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# ------------------------------------------------------------------------------ response book


def _join(items: Iterable[str]) -> str:
    return "; ".join(items)


# The record sheets of the response workbook: each column is read from the record's attribute
# of that name, so a sheet is stated once, as the columns it shows.
Fields = Sequence[tuple[str, Column]]

FACILITY_FIELDS: Fields = (
    ("name", Column("Facility", 32, wrap=True)),
    ("type_label", Column("Type", 22)),
    ("operator_name", Column("Operator", 28, wrap=True)),
    ("operator_type_label", Column("Operator type", 18)),
    ("sets_policy", Column("We set policy", 10)),
    ("control_basis", Column("Basis for control", 60, wrap=True)),
    ("address", Column("Address", 36, wrap=True)),
    ("contact", Column("Contact", 30, wrap=True)),
)
INSTRUMENT_FIELDS: Fields = (
    ("title", Column("Title", 40, wrap=True)),
    ("type_label", Column("Type", 22)),
    ("number", Column("Number", 16)),
    ("level_label", Column("Level", 10)),
    ("issuing_body", Column("Issuing body", 26, wrap=True)),
    ("adopted_on", Column("Adopted", 12)),
    ("effective_on", Column("Effective", 12)),
    ("rescinded_on", Column("Rescinded", 12)),
    ("citation", Column("Citation", 30, wrap=True)),
    ("url", Column("Web address", 30, wrap=True)),
    ("summary", Column("Summary", 60, wrap=True)),
)
EVIDENCE_FIELDS: Fields = (
    ("filename", Column("File", 34, wrap=True)),
    ("media_type", Column("Media type", 20)),
    ("size", Column("Size (bytes)", 13)),
    ("sha256", Column("SHA-256", 68)),
    ("description", Column("Description", 50, wrap=True)),
    ("obtained_from", Column("Obtained from", 24, wrap=True)),
    ("obtained_on", Column("Obtained on", 12)),
)
HISTORY_FIELDS: Fields = (
    ("at", Column("When (UTC)", 18)),
    ("actor", Column("Who", 20)),
    ("action", Column("Action", 10)),
    ("entity_kind", Column("Record kind", 16)),
    ("entity_label", Column("Record", 36, wrap=True)),
    ("field", Column("Field", 18)),
    ("old_value", Column("Old value", 50, wrap=True)),
    ("new_value", Column("New value", 50, wrap=True)),
)


def _record_sheet(
    workbook: Workbook,
    title: str,
    fields: Fields,
    records: Iterable[object],
    long_text: _LongText,
) -> None:
    """A sheet with one row per record, its columns as `fields` name them."""
    getters = [attrgetter(name) for name, _ in fields]
    _table(
        workbook.create_sheet(title),
        [column for _, column in fields],
        ([get(record) for get in getters] for record in records),
        long_text,
    )


def write_response_workbook(book: Letter, history: Sequence[HistoryEntry], path: Path) -> None:
    """Summary, Answers (one row per question and facility), Facilities, Instruments,
    Evidence and History of one response."""
    r = book.response
    j = book.jurisdiction
    long_text = _LongText()
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    request = r.request
    _table(
        summary,
        [Column("Field", 26), Column("Value", 80, wrap=True)],
        [
            ("Jurisdiction", j.name),
            ("State", j.state),
            ("Questionnaire", r.title),
            ("Questionnaire key", r.questionnaire_key),
            ("Questionnaire version", r.questionnaire_version),
            ("Issued by", r.issuer),
            ("Program", r.program),
            ("Response id", r.id),
            ("Status", r.status_label),
            ("Complete (%)", r.complete_percent),
            ("Required answers missing", r.missing),
            ("Prepared by", r.prepared_by),
            ("Reviewed by", r.reviewed_by),
            ("Approved by", r.approved_by),
            ("Approver's title", r.approver_title),
            ("Approved at (UTC)", r.approved_at),
            ("Submitted on", r.submitted_on),
            ("Submission method", r.submission_method),
            ("Request reference", request.reference if request else None),
            ("Request letter date", request.letter_date if request else None),
            ("Request signed by", request.signer if request else None),
            ("Request due", request.due_on if request else None),
            ("Notes", r.notes),
        ],
        long_text,
        landscape=False,
    )

    def answer_rows() -> Iterator[Sequence[Any]]:
        for question in r.questions:
            for answer in question.answers:
                yield _answer_row(question.number, question.text, question.combined_label, answer)

    _table(
        workbook.create_sheet("Answers"),
        [
            Column("Question", 9),
            Column("Question text", 50, wrap=True),
            Column("Facility", 28, wrap=True),
            Column("Operator", 24, wrap=True),
            Column("Operator type", 16),
            Column("We set policy", 10),
            Column("Answer", 34, wrap=True),
            Column("Result", 18),
            Column("Question result", 18),
            Column("Basis", 20),
            Column("Narrative", 70, wrap=True),
            Column("Conditions", 40, wrap=True),
            Column("As of", 12),
            Column("Information from", 28, wrap=True),
            Column("Authority cited", 45, wrap=True),
            Column("Evidence", 30, wrap=True),
        ],
        answer_rows(),
        long_text,
    )
    _record_sheet(workbook, "Facilities", FACILITY_FIELDS, book.facilities, long_text)
    _record_sheet(workbook, "Instruments", INSTRUMENT_FIELDS, r.cited_instruments, long_text)
    _record_sheet(workbook, "Evidence", EVIDENCE_FIELDS, r.cited_evidence, long_text)
    _record_sheet(workbook, "History", HISTORY_FIELDS, history, long_text)
    if long_text.rows:
        _table(
            workbook.create_sheet("Long text"),
            [
                Column("Sheet", 12),
                Column("Continues cell", 16),
                Column("Part", 6),
                Column("Of", 6),
                Column("Text", 120, wrap=True),
            ],
            long_text.rows,
        )
    _save(workbook, f"{j.name}: {r.title}", path)


def _answer_row(number: str, text: str, combined: str, answer: AnswerView) -> tuple[Any, ...]:
    f = answer.facility
    return (
        number,
        text,
        f.name if f else None,
        f.operator_name if f else None,
        f.operator_type_label if f else None,
        f.sets_policy if f else None,
        answer.value_text or None,
        answer.result_label or None,
        combined or None,
        answer.basis_label or None,
        answer.narrative,
        answer.conditions,
        answer.as_of,
        answer.information_source,
        _join(i.reference for i in answer.instruments) or None,
        _join(e.filename for e in answer.evidence) or None,
    )


# ------------------------------------------------------------------------------ comparison


def _questions(key: str) -> tuple[Questionnaire, list[Question]]:
    """The latest definition and its questions, plus any question only older versions had."""
    try:
        latest = questionnaires.latest(key)
    except questionnaires.UnknownDefinitionError as exc:
        raise NotFound(f"There is no questionnaire “{key}” installed.") from exc
    ordered = list(latest.questions)
    known = {q.key for q in ordered}
    for definition in sorted(
        (d for (k, _v), d in questionnaires.load_definitions().items() if k == key),
        key=lambda d: -d.version,
    ):
        for question in definition.questions:
            if question.key not in known:
                ordered.append(question)
                known.add(question.key)
    return latest, ordered


def _write_row(
    ws: Any,
    values: Sequence[Any],
    fills: Sequence[str | None] = (),
    wraps: Sequence[bool] = (),
) -> None:
    """One streamed row. Only text, wrapped and coloured cells become WriteOnlyCells: styling a
    cell costs a style lookup, and 1,000 jurisdictions make tens of thousands of cells."""
    row: list[Any] = []
    for index, raw in enumerate(values):
        value = excel_value(raw)
        fill = fills[index] if index < len(fills) else None
        wrap = wraps[index] if index < len(wraps) else False
        if not isinstance(value, str) and not fill:
            row.append(value)
            continue
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"
        if wrap:
            c.alignment = WRAP
        if fill:
            c.fill = _fill(fill)
        row.append(c)
    ws.append(row)


_FILLS: dict[str, PatternFill] = {}


def _fill(colour: str) -> PatternFill:
    if colour not in _FILLS:
        _FILLS[colour] = PatternFill("solid", fgColor=colour)
    return _FILLS[colour]


def _start_sheet(
    ws: Any,
    headers: Sequence[str],
    widths: Sequence[float],
    freeze: str,
    *,
    landscape: bool = True,
) -> None:
    """Layout, then the header row: a write-only sheet takes its layout before any row."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = freeze
    _print_setup(ws, landscape=landscape)
    cells = []
    for text in headers:
        c = WriteOnlyCell(ws, value=cell_text(text))
        c.data_type = "s"
        c.font = HEADER_FONT
        c.fill = HEADER_FILL
        c.border = HEADER_BORDER
        c.alignment = WRAP
        cells.append(c)
    ws.append(cells)


def write_comparison(store: Store, questionnaire_key: str, path: Path) -> None:
    """Jurisdictions × questions with each question's combined result, colour-coded, a legend,
    and every narrative. Streams rows (write-only workbook, yield_per queries), so memory stays
    bounded by the number of answers' results, not by their text."""
    latest, questions = _questions(questionnaire_key)
    scored = [q for q in questions if q.has_choices]
    position = {q.key: index for index, q in enumerate(questions)}
    numbers = {q.key: q.number for q in questions}

    workbook = Workbook(write_only=True)
    matrix = workbook.create_sheet("Matrix")
    fixed = ["Jurisdiction", "State", "Response", "Version", "Status", "Approved (UTC)"]
    _start_sheet(
        matrix,
        fixed + [f"Q{q.number}" for q in scored],
        [30, 7, 10, 8, 12, 17] + [14] * len(scored),
        "C2",
    )

    response = models.Response
    jurisdiction = models.Jurisdiction
    answer = models.Answer
    facility = models.Facility
    with store.reading() as session:
        results: dict[int, dict[str, list[str | None]]] = {}
        result_rows = session.execute(
            select(answer.response_id, answer.question_key, answer.result)
            .join(response, response.id == answer.response_id)
            .where(response.questionnaire_key == questionnaire_key)
        ).yield_per(2000)
        for response_id, key, result in result_rows:
            results.setdefault(response_id, {}).setdefault(key, []).append(result)
        heads = session.execute(
            select(
                response.id,
                jurisdiction.name,
                jurisdiction.state,
                response.questionnaire_version,
                response.status,
                response.approved_at,
            )
            .join(jurisdiction, jurisdiction.id == response.jurisdiction_id)
            .where(response.questionnaire_key == questionnaire_key)
            .order_by(func.lower(jurisdiction.name), response.id)
        ).yield_per(1000)
        rows = 1
        for response_id, name, state, version, status, approved_at in heads:
            per_question = results.get(response_id, {})
            combined = [questionnaires.combined_result(per_question.get(q.key, [])) for q in scored]
            _write_row(
                matrix,
                [
                    name,
                    state,
                    response_id,
                    version,
                    ResponseStatus.of(status).label,
                    approved_at,
                    *(questionnaires.result_label(c) or None for c in combined),
                ],
                fills=[None] * len(fixed) + [RESULT_FILLS.get(c or "") for c in combined],
            )
            rows += 1
        matrix.auto_filter.ref = f"A1:{get_column_letter(len(fixed) + len(scored))}{rows}"
        del results

        legend = workbook.create_sheet("Legend")
        _start_sheet(legend, ["Result", "Meaning"], [22, 70], "A2", landscape=False)
        for value, label in questionnaires.RESULTS:
            _write_row(legend, [label, RESULT_MEANINGS[value]], fills=[RESULT_FILLS[value]])
        _write_row(legend, [])
        _write_row(
            legend,
            [
                "How results combine",
                "A question asked per facility has one result per facility. The matrix shows the "
                "jurisdiction's result: facilities run by another government are set aside when "
                "the jurisdiction runs any itself; blank means not answered yet.",
            ],
            wraps=[False, True],
        )
        for q in scored:
            _write_row(legend, [f"Q{q.number}", q.text], wraps=[False, True])
        _write_row(legend, ["Questionnaire", f"{latest.title} (latest version {latest.version})"])

        narratives = workbook.create_sheet("Narratives")
        _start_sheet(narratives, ["Jurisdiction", "State", "Response", "Question", "Facility",
                                  "Operator", "Result", "Narrative", "Conditions", "Part"],
                     [30, 7, 10, 8, 30, 26, 18, 80, 40, 8], "C2")  # fmt: skip
        order = case(position, value=answer.question_key, else_=len(position))
        text_rows = session.execute(
            select(
                jurisdiction.name,
                jurisdiction.state,
                response.id,
                answer.question_key,
                facility.name,
                facility.operator_name,
                answer.result,
                answer.narrative,
                answer.conditions,
            )
            .join(response, response.id == answer.response_id)
            .join(jurisdiction, jurisdiction.id == response.jurisdiction_id)
            .outerjoin(facility, facility.id == answer.facility_id)
            .where(
                response.questionnaire_key == questionnaire_key,
                (answer.narrative.is_not(None)) | (answer.conditions.is_not(None)),
            )
            .order_by(func.lower(jurisdiction.name), response.id, order, func.lower(facility.name))
        ).yield_per(500)
        count = 1
        for (
            name,
            state,
            response_id,
            key,
            facility_name,
            operator,
            result,
            narrative,
            conditions,
        ) in text_rows:
            narrative_parts = split_for_cells(narrative or "")
            condition_parts = split_for_cells(conditions or "")
            parts = max(len(narrative_parts), len(condition_parts))
            for part in range(parts):
                _write_row(
                    narratives,
                    [
                        name,
                        state,
                        response_id,
                        numbers.get(key, key),
                        facility_name,
                        operator,
                        questionnaires.result_label(result) or None,
                        _part(narrative_parts, part),
                        _part(condition_parts, part),
                        f"{part + 1} of {parts}" if parts > 1 else None,
                    ],
                    wraps=[False, False, False, False, True, True, False, True, True, False],
                )
                count += 1
        narratives.auto_filter.ref = f"A1:J{count}"
    _save(workbook, f"Comparison: {latest.title}", path)


def _save(workbook: Workbook, title: str, path: Path) -> None:
    workbook.properties.title = cell_text(title)
    workbook.properties.creator = "Jurisdesk"
    workbook.save(path)


def _part(parts: list[str], index: int) -> str | None:
    return parts[index] or None if index < len(parts) else None
