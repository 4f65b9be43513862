"""Checks a database for damage and for records that contradict each other."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from app import db, models, questionnaires
from app.questionnaires import AnswerError, Questionnaire
from app.services.evidence import sha256_of
from app.services.responses import decode_value
from app.services.store import Store

# What users call the tables SQLite names in its foreign-key report.
_TABLE_LABELS = {
    "jurisdiction": "jurisdiction",
    "facility": "facility",
    "legal_instrument": "legal instrument",
    "evidence": "evidence file",
    "federal_request": "federal request",
    "grant_award": "grant award",
    "grant_condition": "grant condition",
    "detainer_statistic": "detainer statistic",
    "contact": "contact",
    "response": "response",
    "answer": "answer",
    "answer_instrument": "answer's citation of an instrument",
    "answer_evidence": "answer's citation of evidence",
}


@dataclass
class IntegrityReport:
    """Every problem found, in words for the user, and how many things of each kind were seen."""

    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _a(table: str) -> str:
    """The table as users call it, with its article: "an answer", "a facility"."""
    label = _TABLE_LABELS.get(table, f"row of {table}")
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _sqlite_checks(session: Session, report: IntegrityReport) -> None:
    connection = session.connection()
    messages = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    if messages != ["ok"]:
        shown = "; ".join(messages[:5]) + ("; …" if len(messages) > 5 else "")
        report.problems.append(
            f"The database file is damaged (SQLite integrity check: {shown}). "
            "Restore it from a backup."
        )
    report.checked["database"] = 1
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    for table, rowid, parent, _fk in broken:
        report.problems.append(
            f"{_a(str(table)).capitalize()} (row {rowid}) points at {_a(str(parent))} "
            "that no longer exists."
        )


def _schema_check(session: Session, report: IntegrityReport) -> None:
    revision = session.connection().exec_driver_sql("SELECT version_num FROM alembic_version")
    found = [str(row[0]) for row in revision]
    head = db.head_revision()
    if found != [head]:
        report.problems.append(
            f"The database schema is at revision {', '.join(found) or 'none'}, but this "
            f"Jurisdesk expects {head}. Reopen the file so it is upgraded, after a backup."
        )


def _evidence_checks(session: Session, report: IntegrityReport) -> None:
    e = models.Evidence
    rows = session.execute(
        select(e.id, e.filename, e.sha256, e.size, e.jurisdiction_id, e.instrument_id).order_by(
            e.id
        )
    ).all()
    for evidence_id, filename, sha256, size, jurisdiction_id, instrument_id in rows:
        name = f"Evidence '{filename}' (id {evidence_id})"
        # One file at a time: evidence may be many megabytes each.
        content = session.scalar(select(e.content).where(e.id == evidence_id))
        if content is None:
            report.problems.append(f"{name}: the stored file is missing.")
            continue
        if sha256_of(content) != sha256:
            report.problems.append(
                f"{name}: stored bytes do not match the SHA-256 recorded when attached."
            )
        if len(content) != size:
            report.problems.append(
                f"{name}: the stored file is {len(content):,} bytes, but {size:,} were "
                "recorded when attached."
            )
        if instrument_id is not None:
            instrument = session.get(models.LegalInstrument, instrument_id)
            if instrument is not None and instrument.jurisdiction_id != jurisdiction_id:
                report.problems.append(
                    f"{name}: it is filed as a copy of '{instrument.title}' (id "
                    f"{instrument.id}), which belongs to another jurisdiction."
                )
    report.checked["evidence files"] = len(rows)


def _statistic_checks(session: Session, report: IntegrityReport) -> None:
    s = models.DetainerStatistic
    f = aliased(models.Facility)
    rows = session.execute(
        select(s.id, s.source, f.id, f.name)
        .join(f, f.id == s.facility_id)
        .where(f.jurisdiction_id != s.jurisdiction_id)
        .order_by(s.id)
    ).all()
    for stat_id, source, facility_id, facility_name in rows:
        report.problems.append(
            f"Detainer statistic '{source}' (id {stat_id}): its facility '{facility_name}' "
            f"(id {facility_id}) belongs to another jurisdiction."
        )
    report.checked["detainer statistics"] = session.scalar(select(func.count()).select_from(s)) or 0


def _response_name(response: models.Response, definition: Questionnaire | None) -> str:
    title = definition.title if definition else response.questionnaire_key
    # The jurisdiction can be gone in a damaged file; the foreign-key check reports that.
    jurisdiction: models.Jurisdiction | None = response.jurisdiction
    owner = jurisdiction.name if jurisdiction else f"jurisdiction id {response.jurisdiction_id}"
    return f"Response '{title}' of {owner} (id {response.id})"


def _answer_problems(
    answer: models.Answer, response: models.Response, definition: Questionnaire
) -> list[str]:
    where = _response_name(response, definition)
    try:
        question = definition.question(answer.question_key)
    except KeyError:
        return [
            f"Answer id {answer.id} in {where}: the questionnaire has no question "
            f"'{answer.question_key}'."
        ]
    facility = answer.facility
    name = f"Answer to question {question.number}"
    if facility is not None:
        name += f" for '{facility.name}'"
    name += f" (id {answer.id}) in {where}"
    problems = []
    if answer.facility_id is not None and facility is None:
        problems.append(f"{name}: its facility (id {answer.facility_id}) no longer exists.")
    elif question.is_facility_scope:
        # No facility is fine: a jurisdiction without facilities answers once for itself.
        if facility is not None and facility.jurisdiction_id != response.jurisdiction_id:
            problems.append(f"{name}: the facility belongs to another jurisdiction.")
    elif answer.facility_id is not None:
        problems.append(f"{name}: the question is not asked per facility, but one is given.")
    expected_slot = (
        answer.question_key
        if answer.facility_id is None
        else f"{answer.question_key}@{answer.facility_id}"
    )
    if answer.slot != expected_slot:
        problems.append(f"{name}: its slot '{answer.slot}' should be '{expected_slot}'.")
    try:
        value = decode_value(question, answer.value)
        expected = questionnaires.result_for(question, value)
    except (ValueError, TypeError) as exc:  # JSONDecodeError and AnswerError are ValueErrors
        reason = exc.message if isinstance(exc, AnswerError) else "it cannot be read"
        problems.append(f"{name}: the stored answer is not valid ({reason}).")
        return problems
    if answer.result != expected:
        problems.append(
            f"{name}: the stored result '{answer.result}' does not match its answer "
            f"{json.dumps(value, default=str, ensure_ascii=False)} (which means '{expected}')."
        )
    for instrument in answer.instruments:
        if instrument.jurisdiction_id != response.jurisdiction_id:
            problems.append(
                f"{name}: it cites '{instrument.title}' (id {instrument.id}) of another "
                "jurisdiction."
            )
    for item in answer.evidence:
        if item.jurisdiction_id != response.jurisdiction_id:
            problems.append(
                f"{name}: it cites evidence '{item.filename}' (id {item.id}) of another "
                "jurisdiction."
            )
    return problems


def _response_checks(session: Session, report: IntegrityReport) -> None:
    answers = 0
    responses = session.scalars(select(models.Response).order_by(models.Response.id)).all()
    for response in responses:
        try:
            definition: Questionnaire | None = questionnaires.get(
                response.questionnaire_key, response.questionnaire_version
            )
        except questionnaires.UnknownDefinitionError:
            definition = None
            report.problems.append(
                f"{_response_name(response, None)}: questionnaire "
                f"'{response.questionnaire_key}' version {response.questionnaire_version} is "
                "not installed, so its answers cannot be checked."
            )
        request = response.request
        if request is not None and request.jurisdiction_id != response.jurisdiction_id:
            report.problems.append(
                f"{_response_name(response, definition)}: it is linked to the request "
                f"'{request.program}' (id {request.id}) of another jurisdiction."
            )
        for answer in sorted(response.answers, key=lambda a: a.id):
            answers += 1
            if definition is not None:
                report.problems.extend(_answer_problems(answer, response, definition))
    report.checked["responses"] = len(responses)
    report.checked["answers"] = answers


_CHECKS: tuple[tuple[str, Callable[[Session, IntegrityReport], None]], ...] = (
    ("the SQLite checks", _sqlite_checks),
    ("the schema revision", _schema_check),
    ("evidence files", _evidence_checks),
    ("detainer statistics", _statistic_checks),
    ("responses and answers", _response_checks),
)


def check(store: Store) -> IntegrityReport:
    """Runs every check and reports all problems; it changes nothing in the database."""
    report = IntegrityReport()
    with store.reading() as session:
        for what, run in _CHECKS:
            try:
                run(session, report)
            except DBAPIError as exc:
                # A badly damaged file fails the queries themselves; say so and go on.
                session.rollback()
                report.problems.append(f"Could not check {what}: {exc.orig}.")
    return report
