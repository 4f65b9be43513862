"""What the reports print, assembled from the services into plain frozen dataclasses.

The PDF and Excel writers take these and an output path and never touch the database, so a
letter is a pure function of the stored data: same data, same letter. An approved letter is
built from the approved record kept at approval (app.services.approved_record), so it prints
what was approved even after the records it names are edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app import models, questionnaires
from app.questionnaires import Question
from app.reports.text import long_date
from app.services import audit, records, responses
from app.services.audit import ChainHead, HistoryEntry
from app.services.errors import NotFound
from app.services.records import Record
from app.services.responses import AnswerRecord, ResponseDetail
from app.services.safe_files import shown_name
from app.services.store import Store
from app.vocabulary import (
    AwardStatus,
    ConditionStatus,
    ContactRole,
    FacilityType,
    GovernmentLevel,
    InstrumentType,
    JurisdictionKind,
    LabelledEnum,
    OperatorType,
    PolicyBasis,
    ResponseStatus,
)

# How many audit entries the full report lists one by one; the rest are counted.
RECENT_HISTORY = 40


def label_of(enum: type[LabelledEnum], value: str | None) -> str:
    """The user-facing label of a stored choice ("" for none, the raw value if unknown)."""
    if value is None:
        return ""
    try:
        return enum.of(value).label
    except KeyError:
        return value


@dataclass(frozen=True)
class Letterhead:
    name: str
    agency: str | None
    address_lines: tuple[str, ...]


@dataclass(frozen=True)
class JurisdictionView:
    id: int
    uuid: str
    name: str
    kind_label: str
    state: str
    fips: str | None
    population: int | None
    police_agency: str | None
    chief_name: str | None
    chief_title: str | None
    chief_executive: str | None
    chief_executive_title: str | None
    chief_legal_officer: str | None
    chief_legal_officer_title: str | None
    letterhead_address: str | None
    notes: str | None

    @property
    def letterhead(self) -> Letterhead:
        # The address often repeats the name or agency; the letterhead prints each once.
        printed = {self.name.strip().lower(), (self.police_agency or "").strip().lower()}
        lines = tuple(
            line.strip()
            for line in (self.letterhead_address or "").splitlines()
            if line.strip() and line.strip().lower() not in printed
        )
        return Letterhead(self.name, self.police_agency, lines)


@dataclass(frozen=True)
class FacilityView:
    id: int
    name: str
    type_label: str
    address: str | None
    operator_name: str
    operator_type: str
    operator_type_label: str
    sets_policy: bool
    control_basis: str | None
    contact: str | None


@dataclass(frozen=True)
class InstrumentView:
    id: int
    type_label: str
    number: str | None
    title: str
    issuing_body: str | None
    level_label: str
    adopted_on: date | None
    effective_on: date | None
    rescinded_on: date | None
    citation: str | None
    url: str | None
    summary: str | None

    @property
    def reference(self) -> str:
        """How a letter cites it: number, title and citation, e.g. "R-2000-123, …"."""
        parts = [p for p in (self.number, self.title) if p]
        text = ", ".join(parts)
        if self.citation and self.citation not in parts:
            text += f" ({self.citation})"
        if self.rescinded_on:
            text += f", rescinded {long_date(self.rescinded_on)}"
        return text


@dataclass(frozen=True)
class EvidenceView:
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    description: str | None
    obtained_from: str | None
    obtained_on: date | None


@dataclass(frozen=True)
class RequestView:
    program: str
    fiscal_year: int | None
    issuing_office: str
    signer: str | None
    signer_title: str | None
    reference: str | None
    letter_date: date | None
    received_on: date | None
    due_on: date | None
    addressee: str | None
    addressee_title: str | None
    instructions: str | None


@dataclass(frozen=True)
class AnswerView:
    """One answer slot as printed; facility None for a jurisdiction-wide question."""

    facility: FacilityView | None
    answered: bool
    value_text: str
    # The value as the letter states it (the choice's letter wording), never the screen label.
    letter_text: str
    result: str | None
    result_label: str
    basis_label: str
    narrative: str | None
    conditions: str | None
    as_of: date | None
    information_source: str | None
    instruments: tuple[InstrumentView, ...]
    evidence: tuple[EvidenceView, ...]
    # The stored basis (PolicyBasis value), for the sentences a drafted letter writes.
    basis: str | None = None


@dataclass(frozen=True)
class QuestionView:
    key: str
    number: str
    text: str
    # The federal wording, word for word, and where it comes from; None where it is not on
    # record, and then nothing may print `text` as the question as issued.
    issued_text: str | None
    issued_source: str | None
    # False for prompts Jurisdesk adds for itself: never printed as a federal "Question N".
    federal: bool
    # For a Jurisdesk follow-up, the question whose answer it completes.
    follows: str | None
    per_facility: bool
    required: bool
    combined_result: str | None
    combined_label: str
    answers: tuple[AnswerView, ...]


@dataclass(frozen=True)
class FilingView:
    kind: str
    filename: str
    size: int
    sha256: str
    filed_at: datetime
    filed_by: str


@dataclass(frozen=True)
class ResponseView:
    id: int
    uuid: str
    questionnaire_key: str
    questionnaire_version: int
    title: str
    issuer: str
    program: str
    status: str
    status_label: str
    prepared_by: str | None
    reviewed_by: str | None
    approved_by: str | None
    approver_title: str | None
    approved_at: datetime | None
    submitted_on: date | None
    submission_method: str | None
    notes: str | None
    complete_percent: int
    missing: int
    request: RequestView | None
    questions: tuple[QuestionView, ...]
    filings: tuple[FilingView, ...]

    @property
    def approved(self) -> bool:
        return ResponseStatus.of(self.status).locked

    @property
    def answers(self) -> tuple[AnswerView, ...]:
        return tuple(a for q in self.questions for a in q.answers)

    @property
    def letter_questions(self) -> tuple[QuestionView, ...]:
        """What the letter prints: every required question, and optional ones only if answered
        (an empty optional statement would read "No answer recorded" in a formal letter)."""
        return tuple(
            q
            for q in self.questions
            if q.required or any(a.answered or a.narrative for a in q.answers)
        )

    @property
    def cited_instruments(self) -> tuple[InstrumentView, ...]:
        return _unique(i for a in self.answers for i in a.instruments)

    @property
    def cited_evidence(self) -> tuple[EvidenceView, ...]:
        return _unique(e for a in self.answers for e in a.evidence)


def _unique(items: Any) -> tuple[Any, ...]:
    seen: dict[int, Any] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return tuple(seen.values())


@dataclass(frozen=True)
class Letter:
    """What the response letter is composed from (app.letter.drafting)."""

    jurisdiction: JurisdictionView
    response: ResponseView
    facilities: tuple[FacilityView, ...]
    # Approved letters are dated the day of approval, so a re-export is the same letter.
    dated: date

    @property
    def draft(self) -> bool:
        return not self.response.approved


@dataclass(frozen=True)
class ConditionView:
    number: str | None
    title: str
    text: str | None
    status_label: str
    status_as_of: date | None
    status_authority: str | None


@dataclass(frozen=True)
class AwardView:
    program: str
    fiscal_year: int
    application_number: str | None
    award_number: str | None
    amount: int | None
    status_label: str
    certified_by: str | None
    certifier_title: str | None
    certified_on: date | None
    notes: str | None
    conditions: tuple[ConditionView, ...]


@dataclass(frozen=True)
class StatisticView:
    facility_name: str | None
    period_start: date
    period_end: date
    received: int | None
    honored: int | None
    declined: int | None
    notifications: int | None
    source: str
    notes: str | None


@dataclass(frozen=True)
class ContactView:
    name: str
    title: str | None
    organization: str | None
    role_label: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class HistorySummary:
    total: int
    first_at: datetime | None
    last_at: datetime | None
    by_action: tuple[tuple[str, int], ...]
    by_actor: tuple[tuple[str, int], ...]
    recent: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class JurisdictionReport:
    """Everything the full report of one jurisdiction prints."""

    jurisdiction: JurisdictionView
    facilities: tuple[FacilityView, ...]
    instruments: tuple[InstrumentView, ...]
    awards: tuple[AwardView, ...]
    statistics: tuple[StatisticView, ...]
    evidence: tuple[EvidenceView, ...]
    contacts: tuple[ContactView, ...]
    requests: tuple[RequestView, ...]
    responses: tuple[ResponseView, ...]
    history: HistorySummary
    generated_at: datetime
    database_version: str
    # The audit trail's newest entry when the report was made (None: the trail is empty). On
    # paper it outlives the database: a trail rewritten later no longer holds this entry.
    chain_head: ChainHead | None = None


# ------------------------------------------------------------------------------ formatting


def local_date(moment: datetime) -> date:
    """The office's calendar day of a stored UTC time."""
    return moment.astimezone().date()


def value_text(question: Question | None, value: questionnaires.Value) -> str:
    """An answer's value in words: choice labels, dates written out, numbers as typed."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value_text(question, v) for v in value)
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, str) and question is not None and question.has_choices:
        choice = question.choice(value)
        return choice.label if choice else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def letter_text(question: Question, value: questionnaires.Value) -> str:
    """An answer's value as a signed letter states it.

    A choice's letter wording where the definition gives one; otherwise the result it stands
    for ("Partial"), because screen labels address the person answering ("describe them").
    """
    if isinstance(value, list):
        return "; ".join(letter_text(question, v) for v in value)
    if isinstance(value, str) and question.has_choices:
        choice = question.choice(value)
        if choice is not None:
            if choice.letter:
                return choice.letter
            if choice.result is not None:
                return questionnaires.result_label(choice.result)
    return value_text(question, value)


# ------------------------------------------------------------------------------ builders


def _jurisdiction(record: Record) -> JurisdictionView:
    v = record.values
    return JurisdictionView(
        id=record.id,
        uuid=record.uuid,
        name=v["name"],
        kind_label=label_of(JurisdictionKind, v["kind"]),
        state=v["state"],
        fips=v["fips"],
        population=v["population"],
        police_agency=v["police_agency"],
        chief_name=v["chief_name"],
        chief_title=v["chief_title"],
        chief_executive=v["chief_executive"],
        chief_executive_title=v["chief_executive_title"],
        chief_legal_officer=v["chief_legal_officer"],
        chief_legal_officer_title=v["chief_legal_officer_title"],
        letterhead_address=v["letterhead_address"],
        notes=v["notes"],
    )


def _facility(record: Record) -> FacilityView:
    v = record.values
    return FacilityView(
        id=record.id,
        name=v["name"],
        type_label=label_of(FacilityType, v["facility_type"]),
        address=v["address"],
        operator_name=v["operator_name"],
        operator_type=v["operator_type"],
        operator_type_label=label_of(OperatorType, v["operator_type"]),
        sets_policy=bool(v["sets_policy"]),
        control_basis=v["control_basis"],
        contact=v["contact"],
    )


def _instrument(record: Record) -> InstrumentView:
    v = record.values
    return InstrumentView(
        id=record.id,
        type_label=label_of(InstrumentType, v["instrument_type"]),
        number=v["number"],
        title=v["title"],
        issuing_body=v["issuing_body"],
        level_label=label_of(GovernmentLevel, v["level"]),
        adopted_on=v["adopted_on"],
        effective_on=v["effective_on"],
        rescinded_on=v["rescinded_on"],
        citation=v["citation"],
        url=v["url"],
        summary=v["summary"],
    )


def _evidence(record: Record) -> EvidenceView:
    v = record.values
    return EvidenceView(
        id=record.id,
        # Printed as it reads: hidden reordering characters could disguise the file's type.
        filename=shown_name(v["filename"]),
        media_type=v["media_type"],
        size=v["size"],
        sha256=v["sha256"],
        description=v["description"],
        obtained_from=v["obtained_from"],
        obtained_on=v["obtained_on"],
    )


def _request(record: Record) -> RequestView:
    v = record.values
    return RequestView(
        program=v["program"],
        fiscal_year=v["fiscal_year"],
        issuing_office=v["issuing_office"],
        signer=v["signer"],
        signer_title=v["signer_title"],
        reference=v["reference"],
        letter_date=v["letter_date"],
        received_on=v["received_on"],
        due_on=v["due_on"],
        addressee=v["addressee"],
        addressee_title=v["addressee_title"],
        instructions=v["instructions"],
    )


@dataclass(frozen=True)
class _Registers:
    """A jurisdiction's facilities, instruments and evidence, looked up by id."""

    jurisdiction: JurisdictionView
    facilities: tuple[FacilityView, ...]
    instruments: dict[int, InstrumentView]
    evidence: dict[int, EvidenceView]


@dataclass(frozen=True)
class _Source:
    """What a letter is printed from: the response and the records it prints. A draft's are
    the records as they are now; an approved response's, the copy kept when it was approved."""

    detail: ResponseDetail
    jurisdiction: Record
    facilities: Sequence[Record]
    instruments: Sequence[Record]
    evidence: Sequence[Record]
    request: Record | None
    # The day an approved letter is dated, as kept at approval (None: from approved_at).
    dated: date | None = None

    @property
    def registers(self) -> _Registers:
        return _registers_of(self.jurisdiction, self.facilities, self.instruments, self.evidence)


def _registers_of(
    jurisdiction: Record,
    facilities: Sequence[Record],
    instruments: Sequence[Record],
    evidence: Sequence[Record],
) -> _Registers:
    return _Registers(
        _jurisdiction(jurisdiction),
        tuple(_facility(r) for r in facilities),
        {r.id: _instrument(r) for r in instruments},
        {r.id: _evidence(r) for r in evidence},
    )


def _live_source(store: Store, detail: ResponseDetail) -> _Source:
    jurisdiction_id = detail.summary.jurisdiction_id
    return _Source(
        detail=detail,
        jurisdiction=records.get(store, "jurisdiction", jurisdiction_id),
        facilities=records.list_records(store, "facility", jurisdiction_id),
        instruments=records.list_records(store, "instrument", jurisdiction_id),
        evidence=records.list_records(store, "evidence", jurisdiction_id),
        request=_request_record(store, detail.summary.request_id),
    )


def _letter_source(store: Store, response_id: int) -> _Source:
    """The approved record where there is one, so an approved letter says what was approved
    whatever was edited since; otherwise (drafts, and responses approved before Jurisdesk
    kept the record) the current records."""
    approved = responses.as_approved(store, response_id)
    if approved is None:
        return _live_source(store, responses.get_response(store, response_id))
    kept = approved.record
    return _Source(
        detail=approved.detail,
        jurisdiction=kept.jurisdiction,
        facilities=kept.facilities,
        instruments=kept.instruments,
        evidence=kept.evidence,
        request=kept.request,
        dated=kept.approval.approved_on,
    )


def _registers(store: Store, jurisdiction_id: int) -> _Registers:
    """A jurisdiction's records as they are now (the full report prints the current state)."""
    return _registers_of(
        records.get(store, "jurisdiction", jurisdiction_id),
        records.list_records(store, "facility", jurisdiction_id),
        records.list_records(store, "instrument", jurisdiction_id),
        records.list_records(store, "evidence", jurisdiction_id),
    )


def _answer(
    question: Question,
    record: AnswerRecord | None,
    facility: FacilityView | None,
    registers: _Registers,
) -> AnswerView:
    if record is None:
        return AnswerView(facility, False, "", "", None, "", "", None, None, None, None, (), ())
    return AnswerView(
        facility=facility,
        answered=not questionnaires.is_empty(record.value),
        value_text=value_text(question, record.value),
        letter_text=letter_text(question, record.value),
        result=record.result,
        result_label=questionnaires.result_label(record.result),
        basis_label=label_of(PolicyBasis, record.basis),
        narrative=record.narrative,
        conditions=record.conditions,
        as_of=record.as_of,
        information_source=record.information_source,
        # Sorted by citation order users see (title), not by id.
        instruments=tuple(
            sorted(
                (registers.instruments[i] for i in record.instrument_ids),
                key=lambda i: (i.title.lower(), i.id),
            )
        ),
        evidence=tuple(
            sorted(
                (registers.evidence[e] for e in record.evidence_ids),
                key=lambda e: (e.filename.lower(), e.id),
            )
        ),
        basis=record.basis,
    )


def filings(store: Store, response_id: int) -> tuple[FilingView, ...]:
    """Documents filed for a response, oldest first."""
    query = (
        select(models.FiledDocument)
        .where(models.FiledDocument.response_id == response_id)
        .order_by(models.FiledDocument.filed_at, models.FiledDocument.id)
    )
    with store.reading() as session:
        return tuple(
            FilingView(f.kind, f.filename, f.size, f.sha256, f.filed_at, f.filed_by)
            for f in session.scalars(query)
        )


def _response(
    store: Store, detail: ResponseDetail, registers: _Registers, request: RequestView | None
) -> ResponseView:
    question_views = []
    for question in detail.visible_questions():
        if question.is_facility_scope:
            # Every facility of the jurisdiction gets a line, answered or not: a letter that
            # silently skips a jail would misstate the jurisdiction's position.
            answers = tuple(
                _answer(question, detail.answer(question.key, f.id), f, registers)
                for f in registers.facilities
            )
        else:
            answers = (_answer(question, detail.answer(question.key), None, registers),)
        combined = detail.question_result(question)
        question_views.append(
            QuestionView(
                key=question.key,
                number=question.number,
                text=question.text,
                issued_text=question.issued.text if question.issued else None,
                issued_source=question.issued.source if question.issued else None,
                federal=question.is_federal,
                follows=(
                    question.visible_if.question
                    if question.visible_if is not None and not question.is_federal
                    else None
                ),
                per_facility=question.is_facility_scope,
                required=question.required,
                combined_result=combined,
                combined_label=questionnaires.result_label(combined),
                answers=answers,
            )
        )
    s = detail.summary
    q = detail.questionnaire
    return ResponseView(
        id=s.id,
        uuid=s.uuid,
        questionnaire_key=s.questionnaire_key,
        questionnaire_version=s.questionnaire_version,
        title=q.title,
        issuer=q.issuer,
        program=q.program,
        status=s.status,
        status_label=s.status_label,
        prepared_by=s.prepared_by,
        reviewed_by=s.reviewed_by,
        approved_by=s.approved_by,
        approver_title=s.approver_title,
        approved_at=s.approved_at,
        submitted_on=s.submitted_on,
        submission_method=s.submission_method,
        notes=s.notes,
        complete_percent=s.completeness.percent,
        missing=len(s.completeness.missing),
        request=request,
        questions=tuple(question_views),
        filings=filings(store, s.id),
    )


def _request_record(store: Store, request_id: int | None) -> Record | None:
    if request_id is None:
        return None
    try:
        return records.get(store, "request", request_id)
    except NotFound:
        return None


def letter(store: Store, response_id: int, *, today: date | None = None) -> Letter:
    """The response letter's content. Approved letters carry the approval date; drafts today's.

    An approved (or submitted) letter prints the records as they were approved, from the
    approved record kept with the response, so re-exporting it gives the same letter.
    """
    source = _letter_source(store, response_id)
    registers = source.registers
    request = _request(source.request) if source.request is not None else None
    view = _response(store, source.detail, registers, request)
    if view.approved and source.dated is not None:
        dated = source.dated
    elif view.approved and view.approved_at is not None:
        dated = local_date(view.approved_at)
    else:
        dated = today or date.today()
    return Letter(registers.jurisdiction, view, registers.facilities, dated)


def _history(entries: Sequence[HistoryEntry]) -> HistorySummary:
    by_action: dict[str, int] = {}
    by_actor: dict[str, int] = {}
    for entry in entries:
        by_action[entry.action] = by_action.get(entry.action, 0) + 1
        by_actor[entry.actor] = by_actor.get(entry.actor, 0) + 1

    def ranked(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    return HistorySummary(
        total=len(entries),
        first_at=entries[-1].at if entries else None,
        last_at=entries[0].at if entries else None,
        by_action=ranked(by_action),
        by_actor=ranked(by_actor),
        recent=tuple(entries[:RECENT_HISTORY]),
    )


def jurisdiction_report(
    store: Store, jurisdiction_id: int, *, generated_at: datetime
) -> JurisdictionReport:
    """The full report's content: the jurisdiction's record and every response."""
    registers = _registers(store, jurisdiction_id)
    j = registers.jurisdiction
    facility_names = {f.id: f.name for f in registers.facilities}
    awards = []
    for award in records.list_records(store, "award", jurisdiction_id):
        v = award.values
        conditions = tuple(
            ConditionView(
                number=c["number"],
                title=c["title"],
                text=c["text"],
                status_label=label_of(ConditionStatus, c["status"]),
                status_as_of=c["status_as_of"],
                status_authority=c["status_authority"],
            )
            for c in sorted(
                records.list_records(store, "condition", award.id),
                key=lambda c: (_natural(c["number"]), c["title"].lower(), c.id),
            )
        )
        awards.append(
            AwardView(
                program=v["program"],
                fiscal_year=v["fiscal_year"],
                application_number=v["application_number"],
                award_number=v["award_number"],
                amount=v["amount"],
                status_label=label_of(AwardStatus, v["status"]),
                certified_by=v["certified_by"],
                certifier_title=v["certifier_title"],
                certified_on=v["certified_on"],
                notes=v["notes"],
                conditions=conditions,
            )
        )
    awards.sort(key=lambda a: (a.fiscal_year, a.program.lower()))
    statistics = sorted(
        (
            StatisticView(
                facility_name=facility_names.get(s["facility_id"]) if s["facility_id"] else None,
                period_start=s["period_start"],
                period_end=s["period_end"],
                received=s["received"],
                honored=s["honored"],
                declined=s["declined"],
                notifications=s["notifications"],
                source=s["source"],
                notes=s["notes"],
            )
            for s in records.list_records(store, "statistic", jurisdiction_id)
        ),
        key=lambda s: (s.period_start, s.period_end, s.facility_name or ""),
    )
    contacts = tuple(
        ContactView(
            name=c["name"],
            title=c["title"],
            organization=c["organization"],
            role_label=label_of(ContactRole, c["role"]),
            email=c["email"],
            phone=c["phone"],
        )
        for c in records.list_records(store, "contact", jurisdiction_id)
    )
    request_records = records.list_records(store, "request", jurisdiction_id)
    requests_by_id = {r.id: _request(r) for r in request_records}
    response_views = []
    for summary in responses.list_responses(store, jurisdiction_id):
        if summary.locked:
            # An approved response reports what was approved: its facilities, citations and
            # request as kept at approval, not as they read today.
            source = _letter_source(store, summary.id)
            kept = _request(source.request) if source.request is not None else None
            response_views.append(_response(store, source.detail, source.registers, kept))
            continue
        detail = responses.get_response(store, summary.id)
        request = requests_by_id.get(summary.request_id) if summary.request_id else None
        response_views.append(_response(store, detail, registers, request))
    history = audit.history(store, jurisdiction_uuid=j.uuid)
    chain_head = audit.chain_head(store)
    return JurisdictionReport(
        jurisdiction=j,
        facilities=registers.facilities,
        instruments=tuple(
            sorted(registers.instruments.values(), key=lambda i: (i.title.lower(), i.id))
        ),
        awards=tuple(awards),
        statistics=tuple(statistics),
        evidence=tuple(
            sorted(registers.evidence.values(), key=lambda e: (e.filename.lower(), e.id))
        ),
        contacts=contacts,
        requests=tuple(
            sorted(requests_by_id.values(), key=lambda r: (r.letter_date or date.min, r.program))
        ),
        responses=tuple(response_views),
        history=_history(history),
        generated_at=generated_at,
        database_version=store.database.schema_revision,
        chain_head=chain_head,
    )


def _natural(number: str | None) -> tuple[int, str]:
    """Condition numbers sort as numbers where they are ("52" before "110")."""
    if number is None:
        return (1 << 30, "")
    digits = "".join(c for c in number if c.isdigit())
    return (int(digits) if digits else 1 << 29, number)


__all__ = [
    "AnswerView",
    "AwardView",
    "ConditionView",
    "ContactView",
    "EvidenceView",
    "FacilityView",
    "FilingView",
    "HistorySummary",
    "InstrumentView",
    "JurisdictionReport",
    "JurisdictionView",
    "Letter",
    "Letterhead",
    "QuestionView",
    "RequestView",
    "ResponseView",
    "StatisticView",
    "filings",
    "jurisdiction_report",
    "label_of",
    "letter",
    "long_date",
    "value_text",
]
