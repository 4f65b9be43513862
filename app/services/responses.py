"""Answering a questionnaire for a jurisdiction: start, answer, check completeness, sign off."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app import models, questionnaires
from app.models.base import new_uuid, utcnow
from app.questionnaires import AnswerError, Question, Questionnaire, checks
from app.questionnaires.checks import Finding
from app.services import approved_record, audit, consistency, staff
from app.services.approved_record import ApprovedAnswer, ApprovedRecord
from app.services.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    NotFound,
    UserError,
    WorkflowError,
)
from app.services.fields import LONG_TEXT_LIMIT, parse_date
from app.services.records import ensure_unlocked
from app.services.store import Store
from app.vocabulary import PolicyBasis, ResponseStatus

# Version 0 means "I saw no answer here": saving then conflicts if someone else created one.
NO_ANSWER_YET = 0
SOURCE_LIMIT = 400
METHOD_LIMIT = 200  # how a response was submitted (e-mail, portal, ...)


@dataclass(frozen=True)
class FacilityRef:
    id: int
    name: str
    operator_name: str
    operator_type: str
    sets_policy: bool


@dataclass(frozen=True)
class AnswerRecord:
    id: int
    uuid: str
    version: int
    question_key: str
    facility_id: int | None
    value: questionnaires.Value
    result: str | None
    basis: str | None
    narrative: str | None
    conditions: str | None
    as_of: date | None
    information_source: str | None
    instrument_ids: tuple[int, ...]
    evidence_ids: tuple[int, ...]


@dataclass(frozen=True)
class AnswerInput:
    """What the user entered for one question (and facility)."""

    value: Any = None
    basis: str | None = None
    narrative: str | None = None
    conditions: str | None = None
    as_of: date | str | None = None
    information_source: str | None = None
    instrument_ids: Sequence[int] = ()
    evidence_ids: Sequence[int] = ()


@dataclass(frozen=True)
class ResponseSummary:
    id: int
    uuid: str
    version: int
    jurisdiction_id: int
    jurisdiction_name: str
    questionnaire_key: str
    questionnaire_version: int
    questionnaire_title: str
    status: str
    request_id: int | None
    due_on: date | None
    prepared_by: str | None
    reviewed_by: str | None
    approved_by: str | None
    approver_title: str | None
    approved_at: datetime | None
    submitted_on: date | None
    submission_method: str | None
    notes: str | None
    completeness: questionnaires.Completeness

    @property
    def status_label(self) -> str:
        return ResponseStatus.of(self.status).label

    @property
    def locked(self) -> bool:
        return ResponseStatus.of(self.status).locked


@dataclass(frozen=True)
class ResponseDetail:
    summary: ResponseSummary
    questionnaire: Questionnaire
    facilities: tuple[FacilityRef, ...]
    answers: tuple[AnswerRecord, ...] = field(default=())
    # What the questionnaire's consistency checks find (drafts and responses in review).
    findings: tuple[Finding, ...] = ()
    # In review: the digest of exactly what the approver is shown; approve() names it.
    review_state: str | None = None
    # Approved or submitted: the approved record everything above was read from.
    approved: ApprovedRecord | None = None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.is_error)

    def answer(self, question_key: str, facility_id: int | None = None) -> AnswerRecord | None:
        for answer in self.answers:
            if answer.question_key == question_key and answer.facility_id == facility_id:
                return answer
        return None

    def visible_questions(self) -> list[Question]:
        values = questionnaires.values_by_question(_answer_values(self.answers))
        return questionnaires.visible_questions(self.questionnaire, values)

    def question_result(self, question: Question) -> str | None:
        """The jurisdiction-level result of a visible question, combined over its facilities;
        "incomplete" while a required answer is missing (questionnaires.question_result)."""
        return questionnaires.question_result(
            question, _answer_values(self.answers), [str(f.id) for f in self.facilities]
        )


# ----------------------------------------------------------------------------- helpers


def definition_of(row: models.Response) -> Questionnaire:
    try:
        return questionnaires.get(row.questionnaire_key, row.questionnaire_version)
    except questionnaires.UnknownDefinitionError as exc:
        raise UserError(
            f"The questionnaire {row.questionnaire_key} version {row.questionnaire_version} "
            "this response was answered against is not installed. Install the Jurisdesk "
            "version that ships it."
        ) from exc


def _slot(question_key: str, facility_id: int | None) -> str:
    return question_key if facility_id is None else f"{question_key}@{facility_id}"


def encode_value(value: questionnaires.Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def decode_value(question: Question | None, stored: str | None) -> questionnaires.Value:
    if stored is None:
        return None
    value = json.loads(stored)
    if question is not None and question.kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, str | int | float | list):
        return value
    return None


def _facility_key(facility_id: int | None) -> str | None:
    return None if facility_id is None else str(facility_id)


def _answer_values(answers: Sequence[AnswerRecord]) -> list[questionnaires.AnswerValue]:
    return [
        questionnaires.AnswerValue(a.question_key, _facility_key(a.facility_id), a.value, a.result)
        for a in answers
    ]


def _question(definition: Questionnaire, key: str) -> Question | None:
    return next((q for q in definition.questions if q.key == key), None)


def _to_answer(definition: Questionnaire, row: models.Answer | ApprovedAnswer) -> AnswerRecord:
    """An answer as stored now, or as kept in the approved record (same members)."""
    if isinstance(row, models.Answer):
        instrument_ids = tuple(sorted(i.id for i in row.instruments))
        evidence_ids = tuple(sorted(e.id for e in row.evidence))
    else:
        instrument_ids, evidence_ids = row.instrument_ids, row.evidence_ids
    return AnswerRecord(
        id=row.id,
        uuid=row.uuid,
        version=row.version,
        question_key=row.question_key,
        facility_id=row.facility_id,
        value=decode_value(_question(definition, row.question_key), row.value),
        result=row.result,
        basis=row.basis,
        narrative=row.narrative,
        conditions=row.conditions,
        as_of=row.as_of,
        information_source=row.information_source,
        instrument_ids=instrument_ids,
        evidence_ids=evidence_ids,
    )


def _facilities(jurisdiction: models.Jurisdiction) -> tuple[FacilityRef, ...]:
    ordered = sorted(jurisdiction.facilities, key=lambda f: (f.name.lower(), f.id))
    return tuple(
        FacilityRef(f.id, f.name, f.operator_name, f.operator_type, f.sets_policy) for f in ordered
    )


def _summary(
    row: models.Response, definition: Questionnaire, answers: Sequence[AnswerRecord]
) -> ResponseSummary:
    facility_keys = [str(f.id) for f in row.jurisdiction.facilities]
    done = questionnaires.completeness(definition, _answer_values(answers), facility_keys)
    due_on = row.request.due_on if row.request else None
    return _summary_of(row, definition.title, row.jurisdiction.name, due_on, done)


def _summary_of(
    row: models.Response,
    title: str,
    jurisdiction_name: str,
    due_on: date | None,
    done: questionnaires.Completeness,
) -> ResponseSummary:
    return ResponseSummary(
        id=row.id,
        uuid=row.uuid,
        version=row.version,
        jurisdiction_id=row.jurisdiction_id,
        jurisdiction_name=jurisdiction_name,
        questionnaire_key=row.questionnaire_key,
        questionnaire_version=row.questionnaire_version,
        questionnaire_title=title,
        status=row.status,
        request_id=row.request_id,
        due_on=due_on,
        prepared_by=row.prepared_by,
        reviewed_by=row.reviewed_by,
        approved_by=row.approved_by,
        approver_title=row.approver_title,
        approved_at=row.approved_at,
        submitted_on=row.submitted_on,
        submission_method=row.submission_method,
        notes=row.notes,
        completeness=done,
    )


def _load(session: Session, response_id: int) -> models.Response:
    row = session.get(models.Response, response_id)
    if row is None:
        raise NotFound(f"There is no response with id {response_id}.")
    return row


def _detail(session: Session, row: models.Response) -> ResponseDetail:
    """The response as its screen shows it: an approved one from its approved record."""
    if ResponseStatus.of(row.status).locked and row.approved_snapshot is not None:
        return _approved_detail(row)
    definition = definition_of(row)
    answers = tuple(_to_answer(definition, a) for a in row.answers)
    in_review = row.status == ResponseStatus.IN_REVIEW.value
    return ResponseDetail(
        summary=_summary(row, definition, answers),
        questionnaire=definition,
        facilities=_facilities(row.jurisdiction),
        answers=answers,
        findings=()
        if row.status != ResponseStatus.DRAFT.value and not in_review
        else consistency.findings(definition, row),
        review_state=_review_state(session, row) if in_review else None,
    )


def _review_state(session: Session, row: models.Response) -> str:
    """The digest of everything the approval would lock: answers, facilities, cited records,
    letterhead, request — each with its version. Any change to any of them changes it."""
    return approved_record.digest(approved_record.capture(session, row))


def _check_version(row: models.Response, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise Conflict(
            "This response was changed by someone else since you opened it. "
            "Reload it to see their changes, then try again."
        )


class AnswerConflict(Conflict):
    """A stale save: someone saved this answer since the form loaded it. `theirs` is what is
    stored now (None: they cleared it), so the person can compare it with what they typed."""

    def __init__(self, message: str, theirs: AnswerRecord | None) -> None:
        super().__init__(message)
        self.theirs = theirs


# ----------------------------------------------------------------------------- reading


@functools.cache
def _detail_loading() -> tuple[LoaderOption, ...]:
    """Everything a response's screen shows, fetched in a handful of queries instead of one
    lazy load per answer (opening a response is a click that must answer quickly).

    Built at first use, not at import: naming relationships configures every ORM mapper,
    which the first query does anyway, off the GUI thread when that is the dashboard's."""
    return (
        selectinload(models.Response.answers).selectinload(models.Answer.instruments),
        selectinload(models.Response.answers).selectinload(models.Answer.evidence),
        joinedload(models.Response.jurisdiction).selectinload(models.Jurisdiction.facilities),
        joinedload(models.Response.request),
    )


def _load_for_screen(session: Session, response_id: int) -> models.Response:
    row = session.scalars(
        select(models.Response).where(models.Response.id == response_id).options(*_detail_loading())
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no response with id {response_id}.")
    return row


def get_response(store: Store, response_id: int) -> ResponseDetail:
    with store.reading() as session:
        return _detail(session, _load_for_screen(session, response_id))


def check_response(store: Store, response_id: int) -> tuple[Finding, ...]:
    """What the questionnaire's consistency checks find in the response as saved now."""
    with store.reading() as session:
        row = _load_for_screen(session, response_id)
        return consistency.findings(definition_of(row), row)


def list_responses(store: Store, jurisdiction_id: int | None = None) -> list[ResponseSummary]:
    """Every response (of one jurisdiction, if given) with its completeness; an approved or
    submitted one as its approved record has it (completeness, jurisdiction name, due date).

    Reads plain columns instead of ORM objects: the dashboard lists thousands of responses,
    and completeness needs only each answer's slot and value.
    """
    r, j, req = models.Response, models.Jurisdiction, models.FederalRequest
    responses_query = (
        select(r, j.name, req.due_on)
        .join(j, r.jurisdiction_id == j.id)
        .outerjoin(req, r.request_id == req.id)
        .order_by(r.id)
    )
    answers_query = select(
        models.Answer.response_id,
        models.Answer.question_key,
        models.Answer.facility_id,
        models.Answer.value,
        models.Answer.result,
    )
    facilities_query = select(models.Facility.jurisdiction_id, models.Facility.id)
    if jurisdiction_id is not None:
        responses_query = responses_query.where(r.jurisdiction_id == jurisdiction_id)
        answers_query = answers_query.join(r).where(r.jurisdiction_id == jurisdiction_id)
        facilities_query = facilities_query.where(
            models.Facility.jurisdiction_id == jurisdiction_id
        )
    with store.reading() as session:
        rows = session.execute(responses_query).all()
        approved = _approved_figures_of(
            session, store, [row for row, _, _ in rows if ResponseStatus.of(row.status).locked]
        )
        answers: dict[int, list[questionnaires.AnswerValue]] = {}
        for response_id, key, facility_id, value, result in session.execute(answers_query):
            # Completeness only asks whether a slot is filled: the JSON text stands in for
            # the decoded value (null values are never stored).
            answers.setdefault(response_id, []).append(
                questionnaires.AnswerValue(key, _facility_key(facility_id), _loose(value), result)
            )
        facilities: dict[int, list[str]] = {}
        for owner, facility_id in session.execute(facilities_query):
            facilities.setdefault(owner, []).append(str(facility_id))
    summaries = []
    for row, jurisdiction_name, due_on in rows:
        definition = definition_of(row)
        figures = approved.get(row.id)
        if figures is not None:
            # As approved, like its screen and letter: a facility added or a request moved
            # since does not change what was approved.
            summaries.append(_approved_summary(row, definition.title, figures))
            continue
        done = questionnaires.completeness(
            definition, answers.get(row.id, []), facilities.get(row.jurisdiction_id, [])
        )
        summaries.append(_summary_of(row, definition.title, jurisdiction_name, due_on, done))
    return summaries


def response_summary(store: Store, response_id: int) -> ResponseSummary | None:
    """One response as list_responses lists it (same figures, same row), or None if it is
    gone: what the dashboard reads again after a change instead of the whole list."""
    r, j, req = models.Response, models.Jurisdiction, models.FederalRequest
    a, f = models.Answer, models.Facility
    with store.reading() as session:
        found = session.execute(
            select(r, j.name, req.due_on)
            .join(j, r.jurisdiction_id == j.id)
            .outerjoin(req, r.request_id == req.id)
            .where(r.id == response_id)
        ).first()
        if found is None:
            return None
        row, jurisdiction_name, due_on = found
        locked = [row] if ResponseStatus.of(row.status).locked else []
        figures = _approved_figures_of(session, store, locked).get(row.id)
        definition = definition_of(row)
        if figures is not None:
            return _approved_summary(row, definition.title, figures)
        # In the order list_responses reads them (by row), so the missing list reads the same.
        answers = [
            questionnaires.AnswerValue(key, _facility_key(facility_id), _loose(value), result)
            for key, facility_id, value, result in session.execute(
                select(a.question_key, a.facility_id, a.value, a.result)
                .where(a.response_id == response_id)
                .order_by(a.id)
            )
        ]
        facilities = [
            str(facility_id)
            for facility_id in session.scalars(
                select(f.id).where(f.jurisdiction_id == row.jurisdiction_id).order_by(f.id)
            )
        ]
    done = questionnaires.completeness(definition, answers, facilities)
    return _summary_of(row, definition.title, jurisdiction_name, due_on, done)


@dataclass(frozen=True)
class _ApprovedFigures:
    """What a list of responses shows of an approved one, as its approved record has it."""

    jurisdiction_name: str
    due_on: date | None
    completeness: questionnaires.Completeness
    approval: approved_record.Approval


def _approved_figures(
    definition: Questionnaire, kept: ApprovedRecord, answers: Sequence[AnswerRecord]
) -> _ApprovedFigures:
    done = questionnaires.completeness(
        definition, _answer_values(answers), [str(f.id) for f in kept.facilities]
    )
    due_on = kept.request["due_on"] if kept.request is not None else None
    return _ApprovedFigures(kept.jurisdiction.title, due_on, done, kept.approval)


def _approved_summary(
    row: models.Response, title: str, figures: _ApprovedFigures
) -> ResponseSummary:
    approval = figures.approval
    return dataclasses.replace(
        _summary_of(row, title, figures.jurisdiction_name, figures.due_on, figures.completeness),
        approved_by=approval.approved_by,
        approver_title=approval.approver_title,
        reviewed_by=approval.reviewed_by,
        prepared_by=approval.prepared_by,
        approved_at=approval.approved_at,
    )


# The figures of approved records already read, by database file and the response row's uuid,
# version and time of last change. The record is only ever written with the row (approving,
# reopening, importing), so a key still matching means the same record: each dashboard refresh
# parses only the records approved since the last one, not thousands of JSON documents.
# None: the response has no readable approved record and is listed from the current records
# (approved before Jurisdesk kept one, so its letter prints them too; or damaged, which
# opening the response reports).
_FiguresKey = tuple[str, str, int, datetime]
_approved_figures_read: dict[_FiguresKey, _ApprovedFigures | None] = {}
# About 1.5 KB each (mostly the list of what is missing): past this many, start afresh.
_APPROVED_FIGURES_KEPT = 20_000


def _approved_figures_of(
    session: Session, store: Store, locked: Sequence[models.Response]
) -> dict[int, _ApprovedFigures]:
    """The figures of approved and submitted responses that have an approved record, by
    response id. Only records not read before are loaded (the column is deferred)."""
    found: dict[int, _ApprovedFigures] = {}
    unread: dict[int, tuple[_FiguresKey, models.Response]] = {}
    for row in locked:
        key = (str(store.location), row.uuid, row.version, row.updated_at)
        try:
            # One lookup, not `in` then [], as another thread's list may clear it in between.
            figures = _approved_figures_read[key]
        except KeyError:
            unread[row.id] = (key, row)
            continue
        if figures is not None:
            found[row.id] = figures
    if len(_approved_figures_read) + len(unread) > _APPROVED_FIGURES_KEPT:
        _approved_figures_read.clear()
    r = models.Response
    ids = list(unread)
    for start in range(0, len(ids), 500):  # well below SQLite's limit on bound values
        texts = session.execute(
            select(r.id, r.approved_snapshot).where(r.id.in_(ids[start : start + 500]))
        )
        for response_id, text in texts:
            key, row = unread[response_id]
            figures = None
            if text is not None:
                try:
                    kept = approved_record.parse(text)
                except UserError:
                    pass  # opening the response says it is damaged; `check` reports it
                else:
                    definition = definition_of(row)
                    answers = [_to_answer(definition, a) for a in kept.answers]
                    figures = _approved_figures(definition, kept, answers)
                    found[response_id] = figures
            _approved_figures_read[key] = figures
    return found


def _loose(stored: str | None) -> questionnaires.Value:
    """A stored value decoded without its question (dates stay ISO text; enough for visibility)."""
    return decode_value(None, stored)


@dataclass(frozen=True)
class ApprovedResponse:
    """A response as it was approved: its detail (answers, facilities, completeness) and the
    records its letter prints, all from the approved record kept at approval."""

    detail: ResponseDetail
    record: ApprovedRecord


def as_approved(store: Store, response_id: int) -> ApprovedResponse | None:
    """The response as approved, or None for a draft (or in review) and for a response
    approved before Jurisdesk kept an approved record: those print from the current records."""
    with store.reading() as session:
        row = _load(session, response_id)
        if not ResponseStatus.of(row.status).locked or row.approved_snapshot is None:
            return None
        detail = _approved_detail(row)
    assert detail.approved is not None
    return ApprovedResponse(detail, detail.approved)


def _approved_detail(row: models.Response) -> ResponseDetail:
    """An approved response read from its approved record alone: answers, facilities and
    cited records as they stood at approval, however the live records changed since."""
    assert row.approved_snapshot is not None
    kept = approved_record.parse(row.approved_snapshot)
    definition = definition_of(row)
    answers = tuple(_to_answer(definition, a) for a in kept.answers)
    figures = _approved_figures(definition, kept, answers)
    summary = _approved_summary(row, definition.title, figures)
    facilities = tuple(
        FacilityRef(f.id, f["name"], f["operator_name"], f["operator_type"], f["sets_policy"])
        for f in sorted(kept.facilities, key=lambda f: (f["name"].lower(), f.id))
    )
    return ResponseDetail(summary, definition, facilities, answers, approved=kept)


# ----------------------------------------------------------------------------- answering


def _prefill_outside_control(
    session: Session, store: Store, row: models.Response, definition: Questionnaire
) -> int:
    """Fills empty per-facility answers with "outside our control — operated by X" where the
    jurisdiction does not set policy at the facility. Never overwrites an answer."""
    existing = {a.slot for a in row.answers}
    added = 0
    for question in definition.questions:
        if not question.is_facility_scope:
            continue
        for facility in row.jurisdiction.facilities:
            if _slot(question.key, facility.id) in existing:
                continue
            default = questionnaires.facility_default(
                question, facility.operator_name, facility.operator_type, facility.sets_policy
            )
            if default is None:
                continue
            value, narrative = default
            answer = models.Answer(
                response=row,
                question_key=question.key,
                facility_id=facility.id,
                slot=_slot(question.key, facility.id),
                value=encode_value(value),
                result=questionnaires.result_for(question, value),
                narrative=narrative,
                information_source="Facility register: operator and control",
            )
            session.add(answer)
            session.flush()
            audit.record(
                session, store.actor, "prefill", answer,
                label=f"{question.number} — {facility.name}", field="value", new=narrative,
            )  # fmt: skip
            added += 1
    return added


def start_response(
    store: Store,
    jurisdiction_id: int,
    questionnaire_key: str,
    *,
    version: int | None = None,
    request_id: int | None = None,
    prepared_by: str | None = None,
) -> ResponseDetail:
    """A new draft pinned to the questionnaire version, pre-filled for facilities we don't run."""
    try:
        definition = (
            questionnaires.get(questionnaire_key, version)
            if version is not None
            else questionnaires.latest(questionnaire_key)
        )
    except questionnaires.UnknownDefinitionError as exc:
        raise NotFound(str(exc)) from exc
    with store.transaction() as session:
        jurisdiction = session.get(models.Jurisdiction, jurisdiction_id)
        if jurisdiction is None:
            raise NotFound(f"There is no jurisdiction with id {jurisdiction_id}.")
        if request_id is not None:
            request = session.get(models.FederalRequest, request_id)
            if request is None or request.jurisdiction_id != jurisdiction_id:
                raise InvalidInput(
                    [FieldProblem("request_id", "Request", "must be one of this jurisdiction's.")]
                )
        row = models.Response(
            jurisdiction=jurisdiction,
            request_id=request_id,
            questionnaire_key=definition.key,
            questionnaire_version=definition.version,
            status=ResponseStatus.DRAFT.value,
            prepared_by=prepared_by or store.actor,
        )
        session.add(row)
        session.flush()
        audit.record(session, store.actor, "create", row, label=definition.title)
        _prefill_outside_control(session, store, row, definition)
        session.flush()
        session.refresh(row)
        return _detail(session, row)


def prefill_outside_control(store: Store, response_id: int) -> int:
    """Pre-fills facilities added since the response was started; returns how many answers."""
    with store.transaction() as session:
        row = _load(session, response_id)
        ensure_unlocked(session, row)
        return _prefill_outside_control(session, store, row, definition_of(row))


def _text(
    problems: list[FieldProblem], name: str, label: str, raw: str | None, limit: int
) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    if len(raw) > limit:
        problems.append(
            FieldProblem(name, label, f"is {len(raw):,} characters long; the limit is {limit:,}.")
        )
    return raw


def _validated(
    session: Session,
    row: models.Response,
    question: Question,
    facility_id: int | None,
    entry: AnswerInput,
) -> dict[str, Any]:
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {}
    facility_ids = {f.id for f in row.jurisdiction.facilities}
    if question.is_facility_scope and facility_ids and facility_id not in facility_ids:
        problems.append(FieldProblem("facility_id", "Facility", "choose one of the facilities."))
    if question.is_facility_scope and not facility_ids and facility_id is not None:
        problems.append(
            FieldProblem("facility_id", "Facility", "is not one of this jurisdiction's.")
        )
    if not question.is_facility_scope and facility_id is not None:
        problems.append(
            FieldProblem("facility_id", "Facility", "this question is not asked per facility.")
        )
    try:
        value = questionnaires.validate_value(question, entry.value)
        values["value"] = encode_value(value)
        values["result"] = questionnaires.result_for(question, value)
    except AnswerError as exc:
        problems.append(FieldProblem("value", f"Question {question.number}", exc.message + "."))
    if entry.basis not in (None, "") and entry.basis not in {b.value for b in PolicyBasis}:
        problems.append(
            FieldProblem("basis", "Written policy or practice", "pick one of the list.")
        )
    values["basis"] = entry.basis or None
    values["narrative"] = _text(
        problems, "narrative", "Narrative", entry.narrative, LONG_TEXT_LIMIT
    )
    values["conditions"] = _text(
        problems, "conditions", "Conditions", entry.conditions, LONG_TEXT_LIMIT
    )
    values["information_source"] = _text(
        problems, "information_source", "Information source", entry.information_source, SOURCE_LIMIT
    )
    try:
        values["as_of"] = None if entry.as_of in (None, "") else parse_date(entry.as_of)
    except ValueError as exc:
        problems.append(FieldProblem("as_of", "As of", str(exc)))
    for name, label, model in (
        ("instrument_ids", "Cited instruments", models.LegalInstrument),
        ("evidence_ids", "Evidence", models.Evidence),
    ):
        ids = sorted(set(getattr(entry, name)))
        found = session.scalars(
            select(model).where(model.id.in_(ids), model.jurisdiction_id == row.jurisdiction_id)
        ).all()
        if len(found) != len(ids):
            problems.append(FieldProblem(name, label, "must be chosen from this jurisdiction's."))
        values[name] = list(found)
    if problems:
        raise InvalidInput(problems)
    return values


def _readable(question: Question, stored: str | None) -> str | None:
    """An answer value as the trail shows it: choice labels, not stored keys or JSON."""
    value = decode_value(question, stored)
    if value is None:
        return None
    if question.has_choices:
        keys = value if isinstance(value, list) else [str(value)]
        return "; ".join(choice.label if (choice := question.choice(key)) else key for key in keys)
    return value.isoformat() if isinstance(value, date) else str(value)


def _titles(rows: Sequence[models.LegalInstrument | models.Evidence]) -> str | None:
    """Cited records by name, so the trail still reads right after they are deleted."""
    names = [row.title if isinstance(row, models.LegalInstrument) else row.filename for row in rows]
    return "; ".join(names) or None


_AUDITED = ("value", "basis", "narrative", "conditions", "as_of", "information_source")


def save_answer(
    store: Store,
    response_id: int,
    question_key: str,
    facility_id: int | None,
    entry: AnswerInput,
    *,
    expected_version: int | None = None,
) -> AnswerRecord:
    """Saves one answer. expected_version: the answer's version when the form loaded it
    (NO_ANSWER_YET if there was none), or None to skip the conflict check."""
    with store.transaction() as session:
        row = _load(session, response_id)
        ensure_unlocked(session, row)
        definition = definition_of(row)
        try:
            question = definition.question(question_key)
        except KeyError:
            raise NotFound(f"{definition.title} has no question {question_key!r}.") from None
        values = _validated(session, row, question, facility_id, entry)
        slot = _slot(question_key, facility_id)
        answer = session.scalars(
            select(models.Answer).where(
                models.Answer.response_id == row.id, models.Answer.slot == slot
            )
        ).one_or_none()
        current = answer.version if answer is not None else NO_ANSWER_YET
        if expected_version is not None and expected_version != current:
            raise AnswerConflict(
                f"Question {question.number} was changed by someone else since you opened it.",
                None if answer is None else _to_answer(definition, answer),
            )
        facility_name = next(
            (f.name for f in row.jurisdiction.facilities if f.id == facility_id), None
        )
        label = f"{question.number} — {facility_name}" if facility_name else question.number
        if answer is None:
            answer = models.Answer(
                response=row,
                question_key=question_key,
                facility_id=facility_id,
                slot=slot,
                uuid=new_uuid(),  # the audit entry below needs it before the INSERT
            )
            session.add(answer)
            action = "answer"
        else:
            action = "update"
        for name in _AUDITED:
            old, new = getattr(answer, name), values[name]
            if old != new:
                setattr(answer, name, new)
                if name == "value":
                    old, new = _readable(question, old), _readable(question, new)
                elif name == "basis":
                    old, new = (PolicyBasis.of(v).label if v else None for v in (old, new))
                audit.record(session, store.actor, action, answer, label=label, field=name,
                             old=old, new=new)  # fmt: skip
        answer.result = values["result"]
        for name, relation in (("instrument_ids", "instruments"), ("evidence_ids", "evidence")):
            old_rows = sorted(getattr(answer, relation), key=lambda x: x.id)
            new_rows = sorted(values[name], key=lambda x: x.id)
            if [x.id for x in old_rows] != [x.id for x in new_rows]:
                setattr(answer, relation, values[name])
                # Citations live in link tables, which never touch the answer's row: write
                # the row too, so its version rises and a stale window's save conflicts.
                answer.updated_at = utcnow()
                audit.record(session, store.actor, action, answer, label=label, field=relation,
                             old=_titles(old_rows), new=_titles(new_rows))  # fmt: skip
        session.flush()
        return _to_answer(definition, answer)


def clear_answer(
    store: Store, response_id: int, question_key: str, facility_id: int | None
) -> None:
    with store.transaction() as session:
        row = _load(session, response_id)
        ensure_unlocked(session, row)
        slot = _slot(question_key, facility_id)
        for answer in list(row.answers):
            if answer.slot == slot:
                audit.record(session, store.actor, "clear", answer, label=question_key,
                             old=answer.value)  # fmt: skip
                session.delete(answer)


# ----------------------------------------------------------------------------- workflow


def _change_status(
    session: Session, store: Store, row: models.Response, new: ResponseStatus, reason: str | None
) -> None:
    audit.record(session, store.actor, "status", row, label=reason, field="status",
                 old=row.status, new=new.value)  # fmt: skip
    row.status = new.value


def _require(row: models.Response, allowed: tuple[ResponseStatus, ...], action: str) -> None:
    if row.status not in {s.value for s in allowed}:
        current = ResponseStatus.of(row.status).label.lower()
        raise WorkflowError(f"A response that is {current} cannot be {action}.")


def submit_for_review(
    store: Store, response_id: int, *, expected_version: int | None = None
) -> ResponseSummary:
    with store.transaction() as session:
        row = _load(session, response_id)
        _check_version(row, expected_version)
        _require(row, (ResponseStatus.DRAFT,), "sent for review")
        _refuse_errors(consistency.findings(definition_of(row), row), "sending it for review")
        _change_status(session, store, row, ResponseStatus.IN_REVIEW, None)
        session.flush()
        return _detail(session, row).summary


def _refuse_errors(found: Sequence[Finding], doing: str) -> None:
    errors = [f for f in found if f.is_error]
    if errors:
        more = f" (and {len(errors) - 1} more, listed in the review step)" * (len(errors) > 1)
        raise WorkflowError(f"Correct this before {doing}: {errors[0].message}{more}")


def return_to_draft(
    store: Store, response_id: int, reason: str, *, expected_version: int | None = None
) -> ResponseSummary:
    """The reviewer sends a response back to its preparer."""
    with store.transaction() as session:
        row = _load(session, response_id)
        _check_version(row, expected_version)
        _require(row, (ResponseStatus.IN_REVIEW,), "sent back to draft")
        _change_status(session, store, row, ResponseStatus.DRAFT, reason.strip() or None)
        session.flush()
        return _detail(session, row).summary


class ReviewChanged(Conflict):
    """The response, or a record it prints, changed after the approver read it."""


def approve(
    store: Store,
    response_id: int,
    approver_id: int,
    *,
    seen_state: str | None,
    acknowledged: Collection[str] = (),
    reviewer_id: int | None = None,
    expected_version: int | None = None,
    letter: str | None = None,
    letter_state: str | None = None,
    letter_refusal: str | None = None,
) -> ResponseSummary:
    """Approves and locks the response exactly as the approver read it.

    approver_id: a staff member allowed to approve; the approval records their name and
    title from the staff list, and (unless the office switched the rule off) they must not be
    the one who prepared the response. reviewer_id: a staff member who reviews (default: the
    person using Jurisdesk). seen_state: the review_state of the ResponseDetail the approver
    was shown; refused (ReviewChanged) if anything it covers has changed since. acknowledged:
    the keys of the warnings the approver read and accepts; every current warning must be
    among them. Refused too while required answers are missing or a check finds an error.
    letter: the composed letter's frozen JSON (app.services.letters.approve composes it),
    kept in the approved record so the letter prints as approved whatever Jurisdesk drafts
    later; letter_state: the review state it was composed from, which must be seen_state;
    letter_refusal: why that letter cannot go out (refused after the response's own checks).
    """
    with store.transaction() as session:
        row = _load(session, response_id)
        _check_version(row, expected_version)
        _require(row, (ResponseStatus.IN_REVIEW,), "approved (send it for review first)")
        approver = _staff_member(session, approver_id, staff.StaffRole.APPROVES, "approved_by")
        reviewed_by = store.actor
        if reviewer_id is not None:
            reviewer = _staff_member(session, reviewer_id, staff.StaffRole.REVIEWS, "reviewed_by")
            reviewed_by = reviewer.name
        if staff.approver_must_differ(session) and staff.same_person(
            approver.name, row.prepared_by
        ):
            raise InvalidInput(
                [
                    FieldProblem(
                        "approved_by",
                        "Approver",
                        f"{approver.name} prepared this response; another approver must approve "
                        "it (the office's rule, in the Staff list).",
                    )
                ]
            )
        detail = _detail(session, row)
        if (
            seen_state is None
            or seen_state != detail.review_state
            or (letter is not None and letter_state != seen_state)
        ):
            raise ReviewChanged(
                "Something this response prints changed after you opened it for review (an "
                "answer, a facility, a cited record, the letterhead or the request). Reload it "
                "and read it again before approving."
            )
        missing = detail.summary.completeness.missing
        if missing:
            raise WorkflowError(
                f"{len(missing)} required {'answer is' if len(missing) == 1 else 'answers are'} "
                f"missing (first: question {missing[0].number}). Complete them before approving."
            )
        _refuse_errors(detail.findings, "approving")
        if letter_refusal is not None:
            raise WorkflowError(letter_refusal)
        unread = [w for w in detail.warnings if w.key not in set(acknowledged)]
        if unread:
            raise WorkflowError(
                f"{len(unread)} {'warning has' if len(unread) == 1 else 'warnings have'} not been "
                f"acknowledged (first: {unread[0].message}). Read them in the review step."
            )
        for name, value in (
            ("approved_by", approver.name),
            ("approver_title", approver.title),
            ("reviewed_by", reviewed_by.strip()),
            ("approved_at", utcnow()),
        ):
            audit.record(session, store.actor, "approve", row, field=name,
                         old=getattr(row, name), new=value)  # fmt: skip
            setattr(row, name, value)
        # What the approver read, by digest, and the warnings they accepted: the trail says
        # what exactly was approved, not only that something was.
        audit.record(session, store.actor, "approve", row, field="reviewed_state",
                     new=seen_state)  # fmt: skip
        if detail.warnings:
            audit.record(session, store.actor, "approve", row, field="warnings_acknowledged",
                         new="\n".join(w.message for w in detail.warnings))  # fmt: skip
        # The letter prints records that stay editable (facilities, instruments, letterhead,
        # the request): keep them as they are now, so the approved letter never changes.
        kept = approved_record.capture(session, row, letter)
        audit.record(session, store.actor, "approve", row, field="approved_snapshot",
                     old=None, new=approved_record.digest(kept))  # fmt: skip
        row.approved_snapshot = kept
        _change_status(session, store, row, ResponseStatus.APPROVED, None)
        session.flush()
        return _detail(session, row).summary


def _staff_member(
    session: Session, staff_id: int, role: staff.StaffRole, field_name: str
) -> models.StaffMember:
    """An active staff member with `role`, or InvalidInput naming the field."""
    member = session.get(models.StaffMember, staff_id)
    label = "Approver" if role is staff.StaffRole.APPROVES else "Reviewer"
    if member is None or not member.active:
        problem = "must be someone on the staff list (File ▸ Staff list)."
    elif not getattr(member, role.value):
        problem = f"{member.name} may not {role.label.lower()[:-1]} responses (see the Staff list)."
    else:
        # A name copied into the letter must be final wording, not a placeholder.
        placeholder = checks.placeholder_in(member.name) or checks.placeholder_in(member.title)
        if placeholder is None:
            return member
        problem = f"the staff list still says “{placeholder}” for {member.name}; correct it."
    raise InvalidInput([FieldProblem(field_name, label, problem)])


def mark_submitted(
    store: Store,
    response_id: int,
    submitted_on: date | str,
    method: str,
    *,
    expected_version: int | None = None,
) -> ResponseSummary:
    problems = []
    try:
        when = parse_date(submitted_on)
        if when > date.today():
            problems.append(
                FieldProblem("submitted_on", "Submitted on", "cannot be in the future.")
            )
    except ValueError as exc:
        problems.append(FieldProblem("submitted_on", "Submitted on", str(exc)))
    if not method.strip():
        problems.append(
            FieldProblem("submission_method", "Method", "say how it was sent (e-mail, mail…).")
        )
    elif len(method.strip()) > METHOD_LIMIT:
        # What the column holds: a server refuses more, where a file would keep it.
        problems.append(
            FieldProblem(
                "submission_method",
                "Method",
                f"is {len(method.strip()):,} characters long; the limit is {METHOD_LIMIT:,}.",
            )
        )
    if problems:
        raise InvalidInput(problems)
    with store.transaction() as session:
        row = _load(session, response_id)
        _check_version(row, expected_version)
        _require(row, (ResponseStatus.APPROVED,), "marked submitted (approve it first)")
        for name, value in (("submitted_on", when), ("submission_method", method.strip())):
            audit.record(session, store.actor, "submit", row, field=name,
                         old=getattr(row, name), new=value)  # fmt: skip
            setattr(row, name, value)
        _change_status(session, store, row, ResponseStatus.SUBMITTED, None)
        session.flush()
        return _detail(session, row).summary


def reopen(
    store: Store, response_id: int, reason: str, *, expected_version: int | None = None
) -> ResponseSummary:
    """Unlocks an approved or submitted response for changes; the reason is kept in the trail."""
    if not reason.strip():
        raise InvalidInput([FieldProblem("reason", "Reason", "say why the response is reopened.")])
    with store.transaction() as session:
        row = _load(session, response_id)
        _check_version(row, expected_version)
        _require(row, (ResponseStatus.APPROVED, ResponseStatus.SUBMITTED), "reopened")
        if row.approved_snapshot is not None:
            # A draft prints the records as they are; the next approval keeps a new copy.
            audit.record(session, store.actor, "reopen", row, field="approved_snapshot",
                         old=approved_record.digest(row.approved_snapshot), new=None)  # fmt: skip
            row.approved_snapshot = None
        audit.record(session, store.actor, "reopen", row, field="reason", new=reason.strip())
        _change_status(session, store, row, ResponseStatus.DRAFT, reason.strip())
        session.flush()
        return _detail(session, row).summary


class _Unchanged:
    """Marks an argument the caller did not give (None means "clear it")."""


UNCHANGED: Any = _Unchanged()


def update_details(
    store: Store,
    response_id: int,
    *,
    prepared_by: str | None = UNCHANGED,
    notes: str | None = UNCHANGED,
    request_id: int | None = UNCHANGED,
    expected_version: int | None = None,
) -> ResponseSummary:
    """Edits who prepared it, notes and the linked request (not the workflow fields).

    Only the arguments given change; pass None to clear one.
    """
    changes = {
        name: value
        for name, value in (
            ("prepared_by", prepared_by),
            ("notes", notes),
            ("request_id", request_id),
        )
        if value is not UNCHANGED
    }
    problems = [
        FieldProblem(name, label, f"is {len(value):,} characters long; the limit is {limit:,}.")
        for name, label, limit in (
            ("prepared_by", "Prepared by", 200),
            ("notes", "Notes", LONG_TEXT_LIMIT),
        )
        if isinstance(value := changes.get(name), str) and len(value) > limit
    ]
    if problems:
        raise InvalidInput(problems)
    with store.transaction() as session:
        row = _load(session, response_id)
        _check_version(row, expected_version)
        ensure_unlocked(session, row)
        new_request = changes.get("request_id")
        if new_request is not None:
            request = session.get(models.FederalRequest, new_request)
            if request is None or request.jurisdiction_id != row.jurisdiction_id:
                raise InvalidInput(
                    [FieldProblem("request_id", "Request", "must be one of this jurisdiction's.")]
                )
        for name, value in changes.items():
            if getattr(row, name) != value:
                audit.record(session, store.actor, "update", row, field=name,
                             old=getattr(row, name), new=value)  # fmt: skip
                setattr(row, name, value)
        session.flush()
        return _detail(session, row).summary


def delete_response(store: Store, response_id: int, *, expected_version: int | None = None) -> None:
    with store.transaction() as session:
        row = _load(session, response_id)
        _check_version(row, expected_version)
        ensure_unlocked(session, row)
        audit.record(session, store.actor, "delete", row, label=definition_of(row).title,
                     old=f"{len(row.answers)} answers")  # fmt: skip
        session.delete(row)
