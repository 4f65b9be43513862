"""Checks a database for damage and for records that contradict each other.

The record proves itself: the audit trail is a hash chain (app.services.audit), and approvals,
approved records, filed letters, evidence files and response statuses are held against their
links in it. The first broken link is named: the entry's number, when, who and what.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from app import db, models, questionnaires
from app.questionnaires import AnswerError, Questionnaire
from app.services import approved_record, audit
from app.services.audit import ChainHead
from app.services.errors import UserError
from app.services.evidence import sha256_of
from app.services.responses import decode_value
from app.services.store import Store
from app.vocabulary import ResponseStatus

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


# The trail's fields `check` holds records against: the latest local entry of each.
_WATCHED_FIELDS = frozenset({"status", "approved_snapshot", "sha256", "filed_letter"})
# How the trail's fields read in a report (its actions: audit.ACTION_LABELS).
_FIELD_WORDS = {
    "approved_snapshot": "approved record",
    "filed_letter": "filed letter",
    "sha256": "SHA-256",
}


@dataclass(frozen=True)
class TrailEntry:
    """One entry of the audit trail, as a report names it."""

    sequence: int
    # A time another tool wrote in a form that names no time stays the text it is.
    at: datetime | str
    actor: str
    action: str
    entity_kind: str
    entity_uuid: str
    entity_label: str | None
    field: str | None
    old_value: str | None
    new_value: str | None
    imported_from: str | None
    imported_at: datetime | str | None
    entry_hash: str

    @property
    def what(self) -> str:
        """What the entry records, in words: "Approved — response, approved record: 3f5a…"."""
        action = audit.ACTION_LABELS.get(self.action, self.action)
        kind = _TABLE_LABELS.get(self.entity_kind, self.entity_kind.replace("_", " "))
        if self.action == "status":
            label = f" (reason: {_short(self.entity_label)})" if self.entity_label else ""
        else:
            label = f" “{_short(self.entity_label)}”" if self.entity_label else ""
        text = f"{action} — {kind}{label}"
        if self.field:
            text += f", {_FIELD_WORDS.get(self.field, self.field.replace('_', ' '))}"
        old, new = _short(self.old_value), _short(self.new_value)
        if old and new:
            text += f": {old} → {new}"
        elif old or new:
            text += f": {old or new}"
        return text

    @property
    def when_and_who(self) -> str:
        if self.imported_at is not None:
            return (
                f"recorded elsewhere {_utc(self.at)} by {self.actor}, imported from "
                f"{self.imported_from} {_utc(self.imported_at)}"
            )
        return f"{_utc(self.at)}, by {self.actor}"

    def named(self) -> str:
        """The entry as a report names it: its number, when, who and what."""
        return f"entry #{self.sequence} ({self.when_and_who}: {self.what})"


@dataclass(frozen=True)
class BrokenLink:
    """Where the record stops proving itself: the trail's entry, and what no longer holds."""

    entry: TrailEntry
    problem: str

    @property
    def sequence(self) -> int:
        return self.entry.sequence


@dataclass
class IntegrityReport:
    """Every problem found, in words for the user, and how many things of each kind were seen."""

    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    # The trail's newest entry as found (None: the trail is empty or could not be read).
    head: ChainHead | None = None
    # Problems tied to an entry of the trail; each is in `problems` too.
    broken_links: list[BrokenLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken_link(self) -> BrokenLink | None:
        """The earliest entry of the trail whose link no longer holds."""
        if not self.broken_links:
            return None
        return min(self.broken_links, key=lambda link: link.sequence)

    def broken(self, entry: TrailEntry, problem: str) -> None:
        self.broken_links.append(BrokenLink(entry, problem))
        self.problems.append(problem)


def _utc(moment: datetime | str) -> str:
    if isinstance(moment, str):
        return f"at the unreadable time “{_short(moment)}”"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _stored_bytes(value: object) -> bytes | None:
    """A stored file as bytes: written as text by another tool, it is still checked (and then
    fails its SHA-256), not a crash of the check."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def _stored_time(value: object) -> datetime | str | None:
    """A stored time as the datetime it names (UTC), or the text itself if it names none."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _locked(status: str) -> bool:
    try:
        return ResponseStatus.of(status).locked
    except (KeyError, ValueError):
        return False


def _short(value: str | None, limit: int = 80) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Trail:
    """What the chain walk keeps for the other checks (only local entries count there)."""

    hashes: dict[int, str] = field(default_factory=dict)
    # The latest local entry per (record uuid, watched field).
    latest: dict[tuple[str, str], TrailEntry] = field(default_factory=dict)
    # Every local filing entry, by the uuid of the response or document it names.
    filings: dict[str, list[TrailEntry]] = field(default_factory=dict)
    # The first local entry of each record: the one that brought it into this database.
    first: dict[str, TrailEntry] = field(default_factory=dict)

    def keep(self, entry: TrailEntry) -> None:
        self.hashes[entry.sequence] = entry.entry_hash
        if entry.imported_at is not None:
            return
        self.first.setdefault(entry.entity_uuid, entry)
        if entry.field in _WATCHED_FIELDS:
            self.latest[(entry.entity_uuid, entry.field)] = entry
        if entry.field == "filed_letter":
            self.filings.setdefault(entry.entity_uuid, []).append(entry)


def _a(table: str) -> str:
    """The table as users call it, with its article: "an answer", "a facility"."""
    label = _TABLE_LABELS.get(table, f"row of {table}")
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _database_checks(session: Session, report: IntegrityReport) -> None:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        # A PostgreSQL server checks its pages and always enforces foreign keys itself:
        # what is left to check is Jurisdesk's own record, below.
        report.checked["database"] = 1
        return
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


def _evidence_checks(session: Session, report: IntegrityReport, trail: _Trail) -> None:
    e = models.Evidence
    rows = session.execute(
        select(
            e.id, e.uuid, e.filename, e.sha256, e.size, e.jurisdiction_id, e.instrument_id
        ).order_by(e.id)
    ).all()
    for evidence_id, uuid, filename, sha256, size, jurisdiction_id, instrument_id in rows:
        name = f"Evidence '{filename}' (id {evidence_id})"
        attached = trail.latest.get((uuid, "sha256"))
        if attached is None:
            report.problems.append(
                f"{name}: the audit trail has no record of this file being attached; it was "
                "added outside Jurisdesk."
            )
        elif attached.new_value != sha256:
            # Bytes replaced together with their stored SHA-256 still contradict the trail.
            report.broken(
                attached,
                f"{name}: its SHA-256 is not the one the audit trail recorded when it was "
                f"attached, at {attached.named()}. The file was replaced outside Jurisdesk.",
            )
        # One file at a time: evidence may be many megabytes each.
        content = _stored_bytes(session.scalar(select(e.content).where(e.id == evidence_id)))
        if content is None:
            report.problems.append(f"{name}: the stored file is missing.")
            continue
        if sha256_of(content) != sha256:
            problem = f"{name}: stored bytes do not match the SHA-256 recorded when attached."
            if attached is not None:
                report.broken(attached, problem)
            else:
                report.problems.append(problem)
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


def _response_checks(session: Session, report: IntegrityReport, trail: _Trail) -> None:
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
        name = _response_name(response, definition)
        _status_check(report, trail, response, name)
        _approval_checks(report, trail, response, name, definition)
    report.checked["responses"] = len(responses)
    report.checked["answers"] = answers


# ----------------------------------------------------------------------------- the chain


def _chain_checks(
    session: Session, report: IntegrityReport, trail: _Trail, anchors: Sequence[tuple[int, str]]
) -> None:
    """Walks the trail in chain order: numbers without gaps, each entry linked to the one
    before it, and each entry's content still hashing to its recorded hash."""
    a = models.AuditEntry
    # Times are read as stored text and parsed here: a time another tool wrote in some other
    # form is a broken entry to report, not a failure of the check.
    raw_at, raw_imported_at = type_coerce(a.at, String), type_coerce(a.imported_at, String)
    # In batches: a trail of years is long, and only its watched entries are kept.
    rows = session.execute(
        select(
            a.id, a.sequence, raw_at.label("at"), a.actor, a.action, a.entity_kind, a.entity_uuid,
            a.entity_label, a.jurisdiction_uuid, a.response_uuid, a.field, a.old_value,
            a.new_value, a.imported_from, raw_imported_at.label("imported_at"),
            a.previous_hash, a.entry_hash,
        )
        .order_by(a.sequence)
        .execution_options(yield_per=2000)
    )  # fmt: skip
    expected, previous, count = 1, audit.GENESIS_HASH, 0
    last: TrailEntry | None = None
    for row in rows:
        count += 1
        fields = dict(row._mapping)
        if not isinstance(fields["sequence"], int):
            report.problems.append(
                f"An entry of the audit trail (row {fields['id']}, {_short(fields['actor'])}: "
                f"{_short(fields['action'])}) has no valid place in the chain. It was written "
                "outside Jurisdesk."
            )
            continue
        for name in ("at", "imported_at"):
            fields[name] = _stored_time(fields[name])
        entry = TrailEntry(**{name: fields[name] for name in TrailEntry.__dataclass_fields__})
        if entry.sequence != expected:
            missing = (
                f"entry #{expected} is missing"
                if entry.sequence == expected + 1
                else f"entries #{expected} to #{entry.sequence - 1} are missing"
            )
            report.broken(
                entry,
                f"The audit trail is broken at {entry.named()}: {missing} before it. Entries "
                "were deleted from the trail outside Jurisdesk.",
            )
        elif fields["previous_hash"] != previous:
            report.broken(
                entry,
                f"The audit trail is broken at {entry.named()}: it no longer follows the entry "
                "before it, which was replaced, inserted or rewritten outside Jurisdesk.",
            )
        if audit.hash_of(fields) != entry.entry_hash:
            report.broken(
                entry,
                f"The audit trail is broken at {entry.named()}: this entry no longer matches the "
                "hash it was recorded with. It was changed, back-dated or written outside "
                "Jurisdesk.",
            )
        trail.keep(entry)
        expected, previous, last = entry.sequence + 1, entry.entry_hash, entry
    report.checked["audit trail entries"] = count
    if last is not None:
        report.head = ChainHead(last.sequence, last.entry_hash)
    for sequence, printed in anchors:
        found = trail.hashes.get(sequence)
        if found is None:
            report.problems.append(
                f"The chain head printed on paper, #{sequence} {printed}, is not in this "
                f"database: its audit trail has no entry #{sequence}. Entries were removed "
                "after that paper was printed, or it belongs to another database."
            )
        elif not found.startswith(printed.lower()):
            report.problems.append(
                f"The chain head printed on paper, #{sequence} {printed}, does not match this "
                f"database, where entry #{sequence} has the hash {found[: audit.SHORT_HASH]}. "
                "The audit trail was rewritten after that paper was printed, or it belongs to "
                "another database."
            )


# ----------------------------------------------------------------------------- records vs chain


def _status_label(status: str | None) -> str:
    try:
        return ResponseStatus.of(status or "").label.lower()
    except (KeyError, ValueError):
        return f"“{status}”"


def _approved_answer_differences(
    response: models.Response,
    kept: approved_record.ApprovedRecord,
    definition: Questionnaire | None,
) -> list[str]:
    """How the response's answers differ from the ones approved, as "question 1 for 'X'"."""
    facilities = {f.id: (f.uuid, f.title) for f in kept.facilities}
    instruments = {i.id: i.uuid for i in kept.instruments}
    evidence = {e.id: e.uuid for e in kept.evidence}

    def number(key: str) -> str:
        try:
            return str(definition.question(key).number) if definition else key
        except KeyError:
            return key

    def approved_facts(a: approved_record.ApprovedAnswer) -> tuple[object, ...]:
        return (
            a.value, a.result, a.basis, a.narrative, a.conditions, a.as_of, a.information_source,
            sorted(instruments.get(i, str(i)) for i in a.instrument_ids),
            sorted(evidence.get(e, str(e)) for e in a.evidence_ids),
        )  # fmt: skip

    def current_facts(a: models.Answer) -> tuple[object, ...]:
        as_of: date | None = a.as_of
        return (
            a.value, a.result, a.basis, a.narrative, a.conditions, as_of, a.information_source,
            sorted(i.uuid for i in a.instruments), sorted(e.uuid for e in a.evidence),
        )  # fmt: skip

    # An answer is the one of its slot: its question and facility (by uuid, as the approved
    # record may come from another database where ids differ).
    approved: dict[tuple[str, str | None], tuple[str, tuple[object, ...]]] = {}
    for item in kept.answers:
        facility = facilities.get(item.facility_id) if item.facility_id is not None else None
        where = f" for '{facility[1]}'" if facility else ""
        slot = (item.question_key, facility[0] if facility else None)
        approved[slot] = (f"question {number(item.question_key)}{where}", approved_facts(item))
    current: dict[tuple[str, str | None], tuple[str, tuple[object, ...]]] = {}
    for row in response.answers:
        facility_row = row.facility
        where = f" for '{facility_row.name}'" if facility_row is not None else ""
        slot = (row.question_key, facility_row.uuid if facility_row is not None else None)
        current[slot] = (f"question {number(row.question_key)}{where}", current_facts(row))
    differences = []
    for slot in sorted(approved.keys() | current.keys(), key=repr):
        if slot not in current:
            differences.append(f"the answer to {approved[slot][0]} is gone")
        elif slot not in approved:
            differences.append(f"an answer to {current[slot][0]} was added")
        elif approved[slot][1] != current[slot][1]:
            differences.append(f"the answer to {current[slot][0]} was changed")
    return differences


def _approval_checks(
    report: IntegrityReport, trail: _Trail, response: models.Response, name: str,
    definition: Questionnaire | None,
) -> None:  # fmt: skip
    """The approved record against its digest in the trail, and the answers against it."""
    recorded = trail.latest.get((response.uuid, "approved_snapshot"))
    stored: object = response.approved_snapshot
    # Written as a blob by another tool, it is still held against its digest (and fails).
    snapshot = (
        None
        if stored is None
        else stored.decode("utf-8", "replace")
        if isinstance(stored, bytes)
        else str(stored)
    )
    if snapshot is None:
        if recorded is not None and recorded.new_value is not None and _locked(response.status):
            report.broken(
                recorded,
                f"{name}: the record of what was approved, kept at {recorded.named()}, is "
                "missing from the database. It was removed outside Jurisdesk.",
            )
        return
    if recorded is None or recorded.new_value is None:
        report.problems.append(
            f"{name}: it holds an approved record, but the audit trail has no approval that "
            "kept one. It was written outside Jurisdesk."
        )
        return
    if approved_record.digest(snapshot) != recorded.new_value:
        report.broken(
            recorded,
            f"{name}: the record of what was approved no longer matches the SHA-256 recorded "
            f"at {recorded.named()}. It was changed after approval, outside Jurisdesk.",
        )
        return
    if not _locked(response.status):
        return
    try:
        kept = approved_record.parse(snapshot)
    except UserError:
        report.broken(
            recorded,
            f"{name}: the record of what was approved, kept at {recorded.named()}, cannot be read.",
        )
        return
    differences = _approved_answer_differences(response, kept, definition)
    if differences:
        shown = "; ".join(differences[:3]) + ("; …" if len(differences) > 3 else "")
        report.broken(
            recorded,
            f"{name}: its answers are not the ones approved at {recorded.named()} ({shown}), "
            "though an approved response is locked. They were changed outside Jurisdesk.",
        )


def _status_check(
    report: IntegrityReport, trail: _Trail, response: models.Response, name: str
) -> None:
    """The status must be the one its latest status entry gave it (a new response: draft)."""
    recorded = trail.latest.get((response.uuid, "status"))
    first = trail.first.get(response.uuid)
    if first is None:
        report.problems.append(
            f"{name}: the audit trail has no record of this response being started or "
            "imported. It was added outside Jurisdesk."
        )
        return
    expected = recorded.new_value if recorded is not None else ResponseStatus.DRAFT.value
    if response.status == expected:
        return
    entry = recorded or first
    said = "its latest status entry" if recorded is not None else "the entry that started it"
    report.broken(
        entry,
        f"{name}: it is {_status_label(response.status)}, but {said}, {entry.named()}, "
        f"leaves it {_status_label(expected)}. Its status was changed outside Jurisdesk.",
    )


def _filing_checks(session: Session, report: IntegrityReport, trail: _Trail) -> None:
    """Each filed letter: its bytes against its SHA-256, against its filing entry, and the
    chain head it kept against the trail."""
    f = models.FiledDocument
    r = models.Response
    rows = session.execute(
        select(
            f.id, f.uuid, f.filename, f.sha256, f.size, f.chain_head_sequence, f.chain_head_hash,
            r.uuid,
        )
        .join(r, r.id == f.response_id)
        .order_by(f.id)
    ).all()  # fmt: skip
    for filing_id, uuid, filename, sha256, size, head_sequence, head_hash, response_uuid in rows:
        name = f"Filed letter '{filename}' (id {filing_id})"
        own = trail.latest.get((uuid, "filed_letter"))
        if own is None:
            # Letters filed before the trail was a chain name their response, not themselves.
            own = next(
                (e for e in trail.filings.get(response_uuid, []) if e.new_value == sha256), None
            )
        if own is None:
            report.problems.append(
                f"{name}: the audit trail has no record of this letter being filed. It was "
                "added outside Jurisdesk."
            )
        elif own.new_value != sha256:
            report.broken(
                own,
                f"{name}: its SHA-256 is not the one recorded when it was filed, at "
                f"{own.named()}. The letter was replaced outside Jurisdesk.",
            )
        content = _stored_bytes(session.scalar(select(f.content).where(f.id == filing_id)))
        filed = f", filed at {own.named()}," if own is not None else ""
        problems = []
        if content is None or sha256_of(content) != sha256 or len(content) != size:
            problems.append(
                f"{name}{filed} its stored bytes are not the letter that was filed (they do not "
                "match its SHA-256). They were replaced outside Jurisdesk."
            )
        if head_sequence is not None and trail.hashes.get(head_sequence) != head_hash:
            problems.append(
                f"{name}{filed} when it was filed the audit trail ended at entry "
                f"#{head_sequence} {(head_hash or '')[: audit.SHORT_HASH]}, and the trail no "
                "longer holds that entry as it was. The trail was rewritten after the letter "
                "was filed."
            )
        for problem in problems:
            if own is not None:
                report.broken(own, problem)
            else:
                report.problems.append(problem)
    report.checked["filed letters"] = len(rows)


def _first_line(error: BaseException | None) -> str:
    """The database's own words for a failure, without PostgreSQL's lines that point into the
    query (LINE 1: ..., a caret): SQLite says "no such table: x" in one line."""
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


def check(store: Store, *, anchors: Iterable[tuple[int, str]] = ()) -> IntegrityReport:
    """Runs every check and reports all problems; it changes nothing in the database.

    anchors: chain heads as printed on paper (sequence number, start of the hash); each must
    still be an entry of the trail, with that hash.
    """
    report = IntegrityReport()
    trail = _Trail()
    printed = tuple(anchors)
    checks: tuple[tuple[str, Callable[[Session, IntegrityReport], None]], ...] = (
        ("the database's own checks", _database_checks),
        ("the schema revision", _schema_check),
        ("the audit trail", lambda s, r: _chain_checks(s, r, trail, printed)),
        ("evidence files", lambda s, r: _evidence_checks(s, r, trail)),
        ("filed letters", lambda s, r: _filing_checks(s, r, trail)),
        ("detainer statistics", _statistic_checks),
        ("responses and answers", lambda s, r: _response_checks(s, r, trail)),
    )
    with store.reading() as session:
        for what, run in checks:
            try:
                run(session, report)
            except DBAPIError as exc:
                # A badly damaged file fails the queries themselves; say so and go on.
                session.rollback()
                report.problems.append(f"Could not check {what}: {_first_line(exc.orig)}.")
    return report
