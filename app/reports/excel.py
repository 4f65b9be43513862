"""The response workbook and the cross-jurisdiction comparison workbook (openpyxl).

Cells keep real types: dates are dates, counts are numbers, yes/no are booleans. Text is always
a string cell, even when it starts with =, +, - or @, so no narrative ever runs as a formula.
Text longer than Excel's 32,767-character cell limit is continued, never cut: on a "Long text"
sheet in the response workbook, on continuation rows in the comparison's narratives.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
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
from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from app import models, questionnaires
from app.questionnaires import Question, Questionnaire
from app.reports.model import AnswerView, Letter, local_date, long_date, value_text
from app.reports.text import EXCEL_CELL_LIMIT, cell_text, split_for_cells
from app.services import approved_record
from app.services.audit import HistoryEntry
from app.services.errors import NotFound, UserError
from app.services.history_words import action_label, field_label, kind_label
from app.services.responses import decode_value
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
    questionnaires.INCOMPLETE: "F8CBAD",
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
    # Actions, record kinds and fields by the words people know, as on screen.
    _table(
        workbook.create_sheet("History"),
        [column for _, column in HISTORY_FIELDS],
        (
            (
                e.at,
                e.actor,
                action_label(e.action),
                kind_label(e.entity_kind),
                e.entity_label,
                field_label(e.entity_kind, e.field),
                e.old_value,
                e.new_value,
            )
            for e in history
        ),
        long_text,
    )
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


@dataclass(frozen=True)
class _Place:
    """A facility as the comparison prints it; `key` is how the questionnaire rules name it."""

    key: str
    name: str
    operator: str
    sets_policy: bool


# What a given text, date or number answer reads as in the comparison: only whether it is given
# counts there (completeness), and its text, up to 100,000 characters, is never loaded.
_GIVEN = "given"
# The facility column of a facility question answered once, for a jurisdiction with no facility.
NO_FACILITY = "No facility recorded (answered once for the jurisdiction)"
_INCOMPLETE_MEANING = (
    "A required answer is still missing (for any facility, whoever runs it): the "
    "jurisdiction's result waits for it."
)


def _comparison_definition(key: str, version: int) -> Questionnaire:
    try:
        return questionnaires.get(key, version)
    except questionnaires.UnknownDefinitionError as exc:
        raise UserError(
            f"The questionnaire {key} version {version} a response was answered against is not "
            "installed. Install the Jurisdesk version that ships it."
        ) from exc


def _write_legend(legend: Any, latest: Questionnaire, scored: Sequence[Question]) -> None:
    _start_sheet(legend, ["Result", "Meaning"], [24, 70], "A2", landscape=False)
    for value, label in questionnaires.RESULTS:
        _write_row(legend, [label, RESULT_MEANINGS[value]], fills=[RESULT_FILLS[value]])
    _write_row(
        legend,
        [questionnaires.result_label(questionnaires.INCOMPLETE), _INCOMPLETE_MEANING],
        fills=[RESULT_FILLS[questionnaires.INCOMPLETE]],
    )
    _write_row(legend, [])
    for heading, meaning in (
        (
            "How results combine",
            "A question asked per facility has one answer per facility. The matrix shows the "
            "jurisdiction's result: facilities run by another government are set aside when "
            "the jurisdiction runs any itself. While any facility's answer is missing the "
            "result is Incomplete; blank means the question has no result in that response "
            "(not asked there, or optional and not answered).",
        ),
        (
            "Complete (%)",
            "Required answers given, as a share of all required answers, counting each "
            "facility's answer separately (rounded down: 100 only when none is missing).",
        ),
        (
            "Required answers missing",
            "How many required answers are still missing. Facilities' missing answers are "
            "listed on the Answers by facility sheet.",
        ),
    ):
        _write_row(legend, [heading, meaning], wraps=[False, True])
    for q in scored:
        _write_row(legend, [f"Q{q.number}", q.text], wraps=[False, True])
    _write_row(legend, ["Questionnaire", f"{latest.title} (latest version {latest.version})"])


# The statuses whose responses print their approved record, not the current records.
_LOCKED = tuple(status.value for status in ResponseStatus if status.locked)


@dataclass(frozen=True)
class _Said:
    """What one answer says in words, as the Narratives sheet prints it."""

    question_key: str
    facility: str | None
    operator: str | None
    result: str | None
    narrative: str | None
    conditions: str | None


@dataclass(frozen=True)
class _Compared:
    """One response as the comparison prints it: an approved or submitted one as its approved
    record has it, whatever was edited since; a draft (or a response approved before Jurisdesk
    kept the record) as the records are now."""

    name: str
    state: str
    due_on: date | None
    approved_on: date | None
    answers: list[questionnaires.AnswerValue]
    places: list[_Place]
    said: list[_Said]


def _compared_value(
    key: str, facility_id: int | None, choice: str | None, answered: bool, result: str | None
) -> questionnaires.AnswerValue:
    """An answer as the comparison weighs it: a choice decoded, any other value only given."""
    value = decode_value(None, choice) if choice is not None else None
    return questionnaires.AnswerValue(
        key,
        None if facility_id is None else str(facility_id),
        value if value is not None else (_GIVEN if answered else None),
        result,
    )


def _as_approved(
    session: Session, response_id: int, choice_keys: Collection[str], name: str
) -> _Compared:
    """An approved response from its approved record: its answers, facilities (with who runs
    them and whether the jurisdiction sets policy there), jurisdiction and request."""
    text = session.scalar(
        select(models.Response.approved_snapshot).where(models.Response.id == response_id)
    )
    try:
        kept = approved_record.parse(text or "")
    except UserError as exc:
        # Printing the current records instead would state a position nobody approved.
        raise UserError(f"The approved response of {name} cannot be compared: {exc}") from exc
    places = {
        f.id: _Place(str(f.id), f["name"], f["operator_name"], bool(f["sets_policy"]))
        for f in kept.facilities
    }
    said = []
    for a in kept.answers:
        if a.narrative is None and a.conditions is None:
            continue
        place = places.get(a.facility_id) if a.facility_id is not None else None
        said.append(
            _Said(
                a.question_key,
                place.name if place else None,
                place.operator if place else None,
                a.result,
                a.narrative,
                a.conditions,
            )
        )
    return _Compared(
        name=kept.jurisdiction["name"],
        state=kept.jurisdiction["state"],
        due_on=kept.request["due_on"] if kept.request is not None else None,
        approved_on=kept.approval.approved_on,
        answers=[
            _compared_value(
                a.question_key,
                a.facility_id,
                a.value if a.question_key in choice_keys else None,
                a.value is not None,
                a.result,
            )
            for a in kept.answers
        ],
        places=list(places.values()),
        said=said,
    )


# Built once: the comparison runs it for every draft, and building a query costs more than
# running this one.
_SAID_NOW = (
    select(
        models.Answer.question_key,
        models.Facility.name,
        models.Facility.operator_name,
        models.Answer.result,
        models.Answer.narrative,
        models.Answer.conditions,
    )
    .outerjoin(models.Facility, models.Facility.id == models.Answer.facility_id)
    .where(
        models.Answer.response_id == bindparam("response_id"),
        models.Answer.narrative.is_not(None) | models.Answer.conditions.is_not(None),
    )
)


def _said_now(session: Session, response_id: int) -> list[_Said]:
    """The narratives and conditions of a response as they are now, with its facilities'
    current names and operators."""
    return [_Said(*row) for row in session.execute(_SAID_NOW, {"response_id": response_id})]


def _response_label(
    status: str, approved_on: date | None, submitted_on: date | None, started_on: date
) -> str:
    """How the comparison names a response to its readers, who never see database ids: its
    status and the day it got there, e.g. "Approved on August 15, 2017" (an approved letter
    bears that date), "Draft, started August 7, 2017"."""
    label = ResponseStatus.of(status).label
    if status == ResponseStatus.SUBMITTED.value and submitted_on is not None:
        return f"{label} on {long_date(submitted_on)}"
    if ResponseStatus.of(status).locked and approved_on is not None:
        return f"{label} on {long_date(approved_on)}"
    return f"{label}, started {long_date(started_on)}"


@contextmanager
def _finished_on_failure(workbook: Workbook) -> Iterator[None]:
    """Closes the streamed sheets of a comparison that fails part way (an approved record that
    cannot be read): left open, each complains when it is collected."""
    try:
        yield
    except BaseException:
        for sheet in workbook.worksheets:
            with suppress(Exception):  # the failure itself is what the user must see
                sheet.close()
        raise


def write_comparison(store: Store, questionnaire_key: str, path: Path) -> None:
    """Jurisdictions × questions with each question's result, colour-coded, with each response's
    due date and completeness; a legend; every facility's answer to every facility question;
    and every narrative. An approved or submitted response shows its approved record (answers,
    facilities, operators, jurisdiction, due date as approved); a draft the records as they are.
    Streams rows (write-only workbook, yield_per queries, one approved record at a time), so
    memory stays bounded by the number of answers' choices and results, not by their text."""
    latest, questions = _questions(questionnaire_key)
    scored = [q for q in questions if q.has_choices]
    position = {q.key: index for index, q in enumerate(questions)}
    numbers = {q.key: q.number for q in questions}

    workbook = Workbook(write_only=True)
    matrix = workbook.create_sheet("Matrix")
    fixed = ["Jurisdiction", "State", "Response", "Version", "Status", "Due",
             "Complete (%)", "Required answers missing", "Approved (UTC)"]  # fmt: skip
    _start_sheet(
        matrix,
        fixed + [f"Q{q.number}" for q in scored],
        [30, 7, 30, 8, 12, 11, 10, 12, 17] + [14] * len(scored),
        "C2",
    )
    _write_legend(workbook.create_sheet("Legend"), latest, scored)
    by_facility = workbook.create_sheet("Answers by facility")
    _start_sheet(by_facility, ["Jurisdiction", "State", "Response", "Question", "Facility",
                               "Operator", "Jurisdiction sets policy", "Answer", "Result",
                               "Answer missing"],
                 [30, 7, 30, 9, 34, 30, 13, 46, 18, 10], "C2")  # fmt: skip
    narratives = workbook.create_sheet("Narratives")
    _start_sheet(narratives, ["Jurisdiction", "State", "Response", "Question", "Facility",
                              "Operator", "Result", "Narrative", "Conditions", "Part"],
                 [30, 7, 30, 8, 30, 26, 18, 80, 40, 8], "C2")  # fmt: skip

    response = models.Response
    jurisdiction = models.Jurisdiction
    answer = models.Answer
    facility = models.Facility
    request = models.FederalRequest
    of_questionnaire = response.questionnaire_key == questionnaire_key
    # Read from its approved record, not from the answer and facility tables.
    has_approved_record = response.status.in_(_LOCKED) & response.approved_snapshot.is_not(None)
    choice_keys = sorted({q.key for q in scored})
    with _finished_on_failure(workbook), store.reading() as session:
        given: dict[int, list[questionnaires.AnswerValue]] = {}
        answer_rows = session.execute(
            select(
                answer.response_id,
                answer.question_key,
                answer.facility_id,
                # Choice values decide which questions are shown and what a facility's row
                # prints; other answers are only ever asked whether they are given.
                case((answer.question_key.in_(choice_keys), answer.value)),
                answer.value.is_not(None),
                answer.result,
            )
            .join(response, response.id == answer.response_id)
            .where(of_questionnaire, ~has_approved_record)
        ).yield_per(2000)
        for response_id, key, facility_id, choice, answered, result in answer_rows:
            given.setdefault(response_id, []).append(
                _compared_value(key, facility_id, choice, answered, result)
            )
        places: dict[int, list[_Place]] = {}
        place_rows = session.execute(
            select(
                facility.jurisdiction_id,
                facility.id,
                facility.name,
                facility.operator_name,
                facility.sets_policy,
            )
            .where(
                facility.jurisdiction_id.in_(
                    select(response.jurisdiction_id).where(of_questionnaire)
                )
            )
            .order_by(func.lower(facility.name), facility.id)
        )
        for owner, facility_id, name, operator, sets_policy in place_rows:
            places.setdefault(owner, []).append(
                _Place(str(facility_id), name, operator, bool(sets_policy))
            )
        heads = session.execute(
            select(
                response.id,
                response.jurisdiction_id,
                jurisdiction.name,
                jurisdiction.state,
                response.questionnaire_version,
                response.status,
                request.due_on,
                response.approved_at,
                response.submitted_on,
                response.created_at,
                has_approved_record,
            )
            .join(jurisdiction, jurisdiction.id == response.jurisdiction_id)
            .outerjoin(request, request.id == response.request_id)
            .where(of_questionnaire)
            .order_by(func.lower(jurisdiction.name), response.id)
        ).yield_per(1000)
        labels: dict[tuple[int, str], int] = {}
        rows = facility_rows = narrative_rows = 1
        for (
            response_id,
            owner,
            name,
            state,
            version,
            status,
            due_on,
            approved_at,
            submitted_on,
            created_at,
            approved,
        ) in heads:
            definition = _comparison_definition(questionnaire_key, version)
            if approved:
                compared = _as_approved(session, response_id, choice_keys, name)
            else:
                compared = _Compared(
                    name,
                    state,
                    due_on,
                    local_date(approved_at) if approved_at is not None else None,
                    given.pop(response_id, []),
                    places.get(owner, []),
                    _said_now(session, response_id),
                )
            label = _response_label(status, compared.approved_on, submitted_on,
                                    local_date(created_at))  # fmt: skip
            # Two responses of a jurisdiction with the same status and day stay apart.
            labels[owner, label] = repeat = labels.get((owner, label), 0) + 1
            if repeat > 1:
                label = f"{label} ({repeat})"
            answers, own = compared.answers, compared.places
            keys = [p.key for p in own]
            done = questionnaires.completeness(definition, answers, keys)
            shown = questionnaires.visible_questions(
                definition, questionnaires.values_by_question(answers)
            )
            by_key = {q.key: q for q in shown}
            combined = [
                questionnaires.question_result(by_key[q.key], answers, keys)
                if q.key in by_key
                else None
                for q in scored
            ]
            _write_row(
                matrix,
                [
                    compared.name,
                    compared.state,
                    label,
                    version,
                    ResponseStatus.of(status).label,
                    compared.due_on,
                    done.percent,
                    len(done.missing),
                    approved_at,
                    *(questionnaires.result_label(c) or None for c in combined),
                ],
                fills=[None] * len(fixed) + [RESULT_FILLS.get(c or "") for c in combined],
            )
            rows += 1
            head = (compared.name, compared.state, label)
            facility_rows += _write_facility_rows(by_facility, head, shown, answers, own)
            said = sorted(
                compared.said,
                key=lambda s: (position.get(s.question_key, len(position)),
                               (s.facility or "").lower()),
            )  # fmt: skip
            narrative_rows += _write_narratives(narratives, head, said, numbers)
        matrix.auto_filter.ref = f"A1:{get_column_letter(len(fixed) + len(scored))}{rows}"
        by_facility.auto_filter.ref = f"A1:J{facility_rows}"
        narratives.auto_filter.ref = f"A1:J{narrative_rows}"
        del given
    _save(workbook, f"Comparison: {latest.title}", path)


def _write_narratives(
    ws: Any, head: tuple[str, str, str], said: Sequence[_Said], numbers: Mapping[str, str]
) -> int:
    """One row per answer with a narrative or conditions; text longer than a cell continues on
    the next rows, each marked "part n of m"."""
    written = 0
    for s in said:
        narrative_parts = split_for_cells(s.narrative or "")
        condition_parts = split_for_cells(s.conditions or "")
        parts = max(len(narrative_parts), len(condition_parts))
        for part in range(parts):
            _write_row(
                ws,
                [
                    *head,
                    numbers.get(s.question_key, s.question_key),
                    s.facility,
                    s.operator,
                    questionnaires.result_label(s.result) or None,
                    _part(narrative_parts, part),
                    _part(condition_parts, part),
                    f"{part + 1} of {parts}" if parts > 1 else None,
                ],
                wraps=[False, False, False, False, True, True, False, True, True, False],
            )
            written += 1
    return written


def _write_facility_rows(
    ws: Any,
    head: tuple[str, str, str],
    shown: Sequence[Question],
    answers: Sequence[questionnaires.AnswerValue],
    places: Sequence[_Place],
) -> int:
    """One row per facility for each facility question shown in a response, answered or not
    (a missing answer is a row too: the point of the sheet is that no gap goes unseen)."""
    filled = {
        (a.question_key, a.facility_key): a for a in answers if not questionnaires.is_empty(a.value)
    }
    written = 0
    for question in shown:
        if not question.is_facility_scope:
            continue
        slots: Sequence[_Place | None] = places or [None]
        for place in slots:
            given = filled.get((question.key, place.key if place else None))
            missing = given is None and question.required
            result = given.result if given else None
            _write_row(
                ws,
                [
                    *head,
                    question.number,
                    place.name if place else NO_FACILITY,
                    place.operator if place else None,
                    place.sets_policy if place else None,
                    value_text(question, given.value) if given else None,
                    questionnaires.result_label(result) or None,
                    missing,
                ],
                fills=[None] * 8
                + [
                    RESULT_FILLS.get(result or ""),
                    RESULT_FILLS[questionnaires.INCOMPLETE] if missing else None,
                ],
                wraps=[False, False, False, False, True, True, False, True, False, False],
            )
            written += 1
    return written


def _save(workbook: Workbook, title: str, path: Path) -> None:
    workbook.properties.title = cell_text(title)
    workbook.properties.creator = "Jurisdesk"
    workbook.save(path)


def _part(parts: list[str], index: int) -> str | None:
    return parts[index] or None if index < len(parts) else None
