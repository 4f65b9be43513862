"""Import: a checked file merged into the database by UUID, in one audited transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import models
from app.letter import edits
from app.models.base import Entity, utcnow
from app.services import approved_record, audit
from app.services.errors import InvalidInput, UserError
from app.services.exchange.checks import Plan, Rec, check_document
from app.services.exchange.database_checks import check_database
from app.services.exchange.format import COUNT_KEY_OF, COUNT_KEYS, MODELS, WRITE_ORDER
from app.services.exchange.problems import Problems
from app.services.exchange.reading import read_file
from app.services.exchange.results import ExchangeError, ImportResult
from app.services.fields import RECORD_KINDS, FieldKind
from app.services.records import LOCKED_STATUSES
from app.services.store import WRITE_NOTE, Store
from app.vocabulary import ResponseStatus

_LINKS = (("instruments", models.LegalInstrument), ("evidence", models.Evidence))
_LINK_TABLES = (
    (models.answer_instrument, "instrument_id"),
    (models.answer_evidence, "evidence_id"),
)


def _chunks(values: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Writer:
    def __init__(
        self, session: Session, actor: str, plan: Plan, problems: Problems, source: str
    ) -> None:
        self.session = session
        self.actor = actor
        self.plan = plan
        self.problems = problems
        # What imported history is marked with: the file's name (not its folder, which means
        # nothing on another PC) and when it was read.
        self.source = (Path(source).name or source)[:255]
        self.imported_at = utcnow()
        self.created = dict.fromkeys(COUNT_KEYS, 0)
        self.updated = dict.fromkeys(COUNT_KEYS, 0)
        self.changed_responses: set[str] = set()

    def resolve(self, rec: Rec) -> dict[str, Any]:
        return {column: self.plan.ids[uid] for column, (_kind, uid) in rec.refs.items()} | {
            column: None for column in _reference_columns(rec.kind) if column not in rec.refs
        }

    def keep_versions(self, created: Sequence[tuple[Rec, Entity]]) -> None:
        """Created records keep the file's version, so a round trip reproduces the file.

        SQLAlchemy always inserts version 1 for a version_id_col, hence one UPDATE after."""
        kept = [
            (rec.version, row) for rec, row in created if rec.version not in (None, row.version)
        ]
        if not kept:
            return
        table = type(kept[0][1]).__table__
        assert isinstance(table, Table)
        self.session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(version=bindparam("file_version")),
            [{"row_id": row.id, "file_version": version} for version, row in kept],
        )
        for version, row in kept:
            set_committed_value(row, "version", version)

    def store_content(self, row: Entity, rec: Rec) -> None:
        """Writes an evidence file's or filed document's bytes, then lets go of them: held
        until the import ends, every file in the import would be in memory at once."""
        setattr(row, "content", rec.payload())  # noqa: B010  (only these two have it)
        self.session.add(row)
        self.session.flush()
        self.session.expire(row, ["content"])

    def create(self, new: Sequence[tuple[Rec, Entity, str]]) -> None:
        """Inserts new records of one kind together, then records each in the history."""
        for rec, row, _label in new:
            if rec.content is not None:
                self.store_content(row, rec)
        self.session.add_all(row for _rec, row, _label in new)
        self.session.flush()
        self.keep_versions([(rec, row) for rec, row, _label in new])
        for rec, row, label in new:
            self.plan.existing[rec.uuid] = row
            self.plan.ids[rec.uuid] = row.id
            audit.record(self.session, self.actor, "import", row, label=label)
            if isinstance(row, models.Response) and row.approved_snapshot is not None:
                # As approving does: the trail names the approved record by its SHA-256.
                audit.record(self.session, self.actor, "import", row, label=label,
                             field="approved_snapshot",
                             new=approved_record.digest(row.approved_snapshot))  # fmt: skip
            if isinstance(row, models.Response):
                # The status it arrived with is this database's first word on it: `check`
                # holds the response's status against its latest status entry.
                audit.record(self.session, self.actor, "import", row, label=label,
                             field="status", new=row.status)  # fmt: skip
            if isinstance(row, models.Evidence):
                # As attaching does: the trail names the file by its SHA-256.
                audit.record(self.session, self.actor, "import", row, label=label,
                             field="sha256", new=row.sha256)  # fmt: skip
            self.created[COUNT_KEY_OF[rec.kind]] += 1

    def update(self, rec: Rec, row: Entity, values: Mapping[str, Any], label: str) -> bool:
        """Changes the fields of an existing record that differ; True when any did."""
        changed = False
        for name, new in values.items():
            old = getattr(row, name)
            if old != new and not _same(name, old, new):
                setattr(row, name, new)
                audit.record(self.session, self.actor, "import", row, label=label,
                             field=name, old=_audited(name, old),
                             new=_audited(name, new))  # fmt: skip
                changed = True
        if changed and rec.content is not None and "sha256" in values:
            self.store_content(row, rec)
        if changed:
            self.updated[COUNT_KEY_OF[rec.kind]] += 1
        self.plan.ids[rec.uuid] = row.id
        return changed

    def write_kind(
        self, recs: Sequence[Rec], parent: Mapping[str, Any], label: Callable[[Rec], str]
    ) -> set[str]:
        """Creates the new records of one kind in one batch and updates the others; returns
        the UUIDs of the records created or changed."""
        new: list[tuple[Rec, Entity, str]] = []
        changed: set[str] = set()
        for rec in recs:
            values = rec.values | self.resolve(rec)
            row = self.plan.existing.get(rec.uuid)
            if row is None:
                # A condition's award may be new too: its id is known by now.
                where = {"award_id": self.plan.ids[rec.parent or ""]} if rec.parent else parent
                new.append((rec, MODELS[rec.kind](uuid=rec.uuid, **where, **values), label(rec)))
                changed.add(rec.uuid)
            # An existing record never moves: check_database refused records owned elsewhere.
            elif self.update(rec, row, values, label(rec)):
                changed.add(rec.uuid)
        self.session.flush()
        self.create(new)
        return changed

    def records(self) -> None:
        assert self.plan.jurisdiction is not None
        self.write_kind([self.plan.jurisdiction], {}, _titled("name"))
        home = {"jurisdiction_id": self.plan.ids[self.plan.jurisdiction.uuid]}
        for kind_key in WRITE_ORDER[:8]:
            title = _titled(RECORD_KINDS[kind_key].title_field)
            self.write_kind(self.plan.records[kind_key], home, title)

    def responses(self) -> None:
        assert self.plan.jurisdiction is not None
        home = {"jurisdiction_id": self.plan.ids[self.plan.jurisdiction.uuid]}
        locked_before = {
            rec.uuid: row.status
            for rec in self.plan.records["response"]
            if isinstance(row := self.plan.existing.get(rec.uuid), models.Response)
            and row.status in LOCKED_STATUSES
        }

        def title(rec: Rec) -> str:
            return rec.definition.title if rec.definition else str(rec.values["questionnaire_key"])

        changed = self.write_kind(self.plan.records["response"], home, title)
        changed |= self.answers()
        for rec in self.plan.records["response"]:
            if rec.uuid in locked_before and rec.uuid in changed:
                status = ResponseStatus.of(locked_before[rec.uuid]).label.lower()
                self.problems.add(
                    rec.path,
                    f"this response is {status} in this database and the file changes it; "
                    "reopen it first (with a reason), then import again.",
                )

    def answers(self) -> set[str]:
        """Writes the file's answers; returns the UUIDs of the responses whose answers changed."""
        recs = self.plan.records["answer"]
        if not recs:
            return set()
        # One slot (question, facility) holds one answer: the answers already in each slot.
        occupants: dict[tuple[int, str], models.Answer] = {}
        response_ids = sorted({self.plan.ids[rec.parent or ""] for rec in recs})
        for chunk in _chunks(response_ids):
            query = (
                select(models.Answer)
                .where(models.Answer.response_id.in_(chunk))
                .options(selectinload(models.Answer.instruments))
                .options(selectinload(models.Answer.evidence))
            )
            for answer in self.session.scalars(query):
                occupants[(answer.response_id, answer.slot)] = answer
        assert self.plan.jurisdiction is not None
        home_id = self.plan.ids[self.plan.jurisdiction.uuid]
        named = select(models.Facility.id, models.Facility.name)
        facilities: dict[int, str] = dict(
            self.session.execute(named.where(models.Facility.jurisdiction_id == home_id)).all()
        )
        new: list[tuple[Rec, Entity, str]] = []
        changed: set[str] = set()
        for rec in recs:
            assert rec.question is not None
            assert rec.parent is not None
            response_id = self.plan.ids[rec.parent]
            facility_id = self.resolve(rec)["facility_id"]
            slot = rec.question.key if facility_id is None else f"{rec.question.key}@{facility_id}"
            occupant = occupants.get((response_id, slot))
            row: Entity | None = self.plan.existing.get(rec.uuid)
            if row is None and occupant is not None:
                # The same question answered on both sides under different UUIDs: one slot
                # holds one answer, so the file's answer goes into the existing one.
                row = self.plan.existing[rec.uuid] = occupant
            elif occupant is not None and occupant is not row:
                self.problems.add(
                    rec.path,
                    f"question {rec.question.number} already has another answer for this "
                    "facility in this database; clear one of them first.",
                )
                continue
            number = rec.question.number
            label = f"{number} — {facilities.get(facility_id, '')}" if facility_id else number
            values = rec.values | {"facility_id": facility_id, "slot": slot}
            links = {
                relation: sorted({self.plan.ids[uid] for uid in rec.links.get(relation, [])})
                for relation, _model in _LINKS
            }
            if row is None:
                created = models.Answer(uuid=rec.uuid, response_id=response_id, **values)
                new.append((rec, created, label))
                occupants[(response_id, slot)] = created
                changed.add(rec.parent)
                continue
            assert isinstance(row, models.Answer)
            if occupants.get((row.response_id, row.slot)) is row:
                del occupants[(row.response_id, row.slot)]
            occupants[(response_id, slot)] = row
            fields = self.update(rec, row, values, label)
            relinked = self.relink(row, links, label)
            if relinked and not fields:
                self.updated["answers"] += 1
            if fields or relinked:
                changed.add(rec.parent)
        self.session.flush()
        self.create(new)
        self.link_new(new)
        return changed

    def relink(self, row: models.Answer, links: Mapping[str, list[int]], label: str) -> bool:
        """An existing answer's instruments and evidence as the file lists them."""
        changed = False
        for relation, model in _LINKS:
            old_ids = sorted(x.id for x in getattr(row, relation))
            if old_ids != links[relation]:
                setattr(row, relation, [self.session.get(model, id_) for id_ in links[relation]])
                audit.record(self.session, self.actor, "import", row, label=label,
                             field=relation, old=", ".join(map(str, old_ids)) or None,
                             new=", ".join(map(str, links[relation])) or None)  # fmt: skip
                changed = True
        return changed

    def link_new(self, new: Sequence[tuple[Rec, Entity, str]]) -> None:
        """New answers' instruments and evidence: the rows of the link tables, inserted together."""
        for (relation, _model), (table, column) in zip(_LINKS, _LINK_TABLES, strict=True):
            rows: list[dict[str, int]] = []
            for rec, row, label in new:
                ids = sorted({self.plan.ids[uid] for uid in rec.links.get(relation, [])})
                if ids:
                    rows += ({"answer_id": row.id, column: id_} for id_ in ids)
                    audit.record(self.session, self.actor, "import", row, label=label,
                                 field=relation, new=", ".join(map(str, ids)))  # fmt: skip
            if rows:
                self.session.execute(insert(table), rows)

    def filed(self) -> None:
        """Filed documents are created, never changed: what was sent stays what was sent."""
        for rec in self.plan.records["filed"]:
            assert rec.parent is not None
            assert rec.content is not None
            response = self.session.get(models.Response, self.plan.ids[rec.parent])
            assert response is not None
            row = self.plan.existing.get(rec.uuid)
            if row is None:
                # The same bytes filed for the response under another UUID (both databases
                # exported the letter) are the same filing, as exporting again is.
                row = self.session.scalars(
                    select(models.FiledDocument).where(
                        models.FiledDocument.response_id == response.id,
                        models.FiledDocument.kind == rec.values["kind"],
                        models.FiledDocument.sha256 == rec.values["sha256"],
                    )
                ).first()
            if row is not None:
                assert isinstance(row, models.FiledDocument)
                differs = [name for name, new in rec.values.items() if getattr(row, name) != new]
                if differs and rec.uuid == row.uuid:
                    self.problems.add(
                        (*rec.path, differs[0]),
                        f"differs from the filed document “{row.filename}” already in this "
                        "database; a filed document never changes. Leave it as exported.",
                    )
                continue
            row = models.FiledDocument(uuid=rec.uuid, response=response, **rec.values)
            audit.record_filing(self.session, self.actor, "import", row)
            self.store_content(row, rec)
            self.created["filed"] += 1
        self.session.flush()

    def history(self) -> None:
        assert self.plan.jurisdiction is not None
        home = self.plan.jurisdiction.uuid
        keys = ("at", "actor", "action", "entity_uuid", "field", "old_value", "new_value")
        known = {
            tuple(getattr(entry, k) for k in keys)
            for entry in self.session.scalars(
                select(models.AuditEntry).where(models.AuditEntry.jurisdiction_uuid == home)
            )
        }
        for entry in self.plan.history:
            key = tuple(entry[k] for k in keys)
            if key in known:
                continue
            known.add(key)
            # Chained here like any entry, but kept marked as the file's word: its actor and
            # time were recorded elsewhere and are never taken for this database's own.
            audit.record_imported(self.session, entry, jurisdiction_uuid=home,
                                  source=self.source, imported_at=self.imported_at)  # fmt: skip
            self.created["audit"] += 1
        if self.created["audit"]:
            jurisdiction = self.plan.existing[self.plan.jurisdiction.uuid]
            assert isinstance(jurisdiction, models.Jurisdiction)
            count = self.created["audit"]
            audit.record(self.session, self.actor, "import", jurisdiction,
                         label=jurisdiction.name, field="history",
                         new=f"{count} history {'entry' if count == 1 else 'entries'} recorded "
                         f"elsewhere, from {self.source}")  # fmt: skip
        self.session.flush()


def _audited(name: str, value: Any) -> Any:
    """What the trail keeps of a change: an approved record by its SHA-256, as approving does."""
    if name == "approved_snapshot" and isinstance(value, str):
        return approved_record.digest(value)
    return value


def _same(name: str, old: Any, new: Any) -> bool:
    """Values that differ as stored but not in meaning: a letter's edits written with their
    members in another order are the same edits, and not a change to the response."""
    if name != "letter_edits":
        return False
    try:
        return bool(edits.from_text(old) == edits.from_text(new))
    except (InvalidInput, ValueError):
        return False  # what the database holds is unreadable: the file's edits replace it


def _titled(member: str) -> Callable[[Rec], str]:
    return lambda rec: str(rec.values[member])


def _reference_columns(kind: str) -> tuple[str, ...]:
    if kind in RECORD_KINDS:
        return tuple(s.name for s in RECORD_KINDS[kind].fields if s.kind is FieldKind.REFERENCE)
    return {"response": ("request_id",), "answer": ("facility_id",)}.get(kind, ())


# An import this big may hold the write lock long enough for others' saves to give up waiting:
# it tells them why. A smaller one writes nothing but the import itself.
ANNOUNCED_RECORDS = 1_000
ANNOUNCED_BYTES = 8 * 1_048_576


def _is_big(plan: Plan) -> bool:
    records = sum(len(recs) for recs in plan.records.values()) + len(plan.history)
    files = plan.records["evidence"] + plan.records["filed"]
    content = sum(int(rec.values.get("size") or 0) for rec in files)
    return records > ANNOUNCED_RECORDS or content > ANNOUNCED_BYTES


@contextmanager
def _announced(store: Store, plan: Plan) -> Iterator[None]:
    """While a big import writes, a note in the database tells others whose save finds the file
    busy who is importing and since when (see Store.transaction). The import's own transaction
    removes it; if that transaction fails, it is removed here."""
    if not _is_big(plan):
        yield
        return
    note = (
        f"An import is in progress (started by {store.actor} at "
        f"{datetime.now():%H:%M}); try again in a moment."
    )
    with store.transaction() as session:
        _remove_note(session)
        session.add(models.OfficeSetting(key=WRITE_NOTE, value=note[:400]))
    try:
        yield
    except BaseException:
        try:
            with store.transaction() as session:
                _remove_note(session)
        except UserError:
            pass  # busy or gone: Store ignores a note older than WRITE_NOTE_LIFETIME
        raise


def _remove_note(session: Session) -> None:
    session.execute(delete(models.OfficeSetting).where(models.OfficeSetting.key == WRITE_NOTE))


def import_document(store: Store, document: Any, source: str) -> ImportResult:
    """Checks the whole document, then writes it in one short transaction, or nothing at all."""
    return _import_checked(store, *check_document(document), source)


def import_file(store: Store, path: Path) -> ImportResult:
    # The document is let go of once checked: what is written is in the plan by then.
    return _import_checked(store, *check_document(read_file(path)), str(path))


def _import_checked(store: Store, plan: Plan, problems: Problems, source: str) -> ImportResult:
    if plan.jurisdiction is not None:
        # Against the database too before anything is written: a refused file never takes
        # the write lock, and leaves the database exactly as it was.
        with store.reading() as session:
            check_database(session, plan, problems)
    if problems or plan.jurisdiction is None:
        raise ExchangeError(source, problems.texts() or ["$: the file has no jurisdiction."])
    with _announced(store, plan), store.transaction() as session:
        # Once more under the write lock, against what the writing will see: someone may
        # have changed or removed a record since.
        plan.existing.clear()
        plan.ids.clear()
        check_database(session, plan, problems)
        if problems:
            raise ExchangeError(source, problems.texts())
        writer = _Writer(session, store.actor, plan, problems, source)
        writer.records()
        writer.responses()
        writer.filed()
        writer.history()
        if problems:
            # Raised inside the transaction, so everything written above is rolled back.
            raise ExchangeError(source, problems.texts())
        _remove_note(session)
        jurisdiction = plan.existing[plan.jurisdiction.uuid]
        assert isinstance(jurisdiction, models.Jurisdiction)
        return ImportResult(
            source=source,
            jurisdiction_id=jurisdiction.id,
            jurisdiction_uuid=jurisdiction.uuid,
            jurisdiction_name=jurisdiction.name,
            created=writer.created,
            updated=writer.updated,
        )
