"""Import: a checked file merged into the database by UUID, in one audited transaction."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import models
from app.models.base import Entity
from app.services import approved_record, audit
from app.services.exchange.checks import Plan, Rec, check_document, read_file
from app.services.exchange.database_checks import check_database
from app.services.exchange.format import COUNT_KEY_OF, COUNT_KEYS, MODELS, WRITE_ORDER
from app.services.exchange.problems import Problems
from app.services.exchange.results import ExchangeError, ImportResult
from app.services.fields import RECORD_KINDS, FieldKind
from app.services.records import LOCKED_STATUSES
from app.services.store import Store
from app.vocabulary import ResponseStatus


class _Writer:
    def __init__(self, session: Session, actor: str, plan: Plan, problems: Problems) -> None:
        self.session = session
        self.actor = actor
        self.plan = plan
        self.problems = problems
        self.created = dict.fromkeys(COUNT_KEYS, 0)
        self.updated = dict.fromkeys(COUNT_KEYS, 0)
        self.changed_responses: set[str] = set()

    def resolve(self, rec: Rec) -> dict[str, Any]:
        return {column: self.plan.ids[uid] for column, (_kind, uid) in rec.refs.items()} | {
            column: None for column in _reference_columns(rec.kind) if column not in rec.refs
        }

    def keep_version(self, row: Entity, version: int | None) -> None:
        """A created record keeps the file's version, so a round trip reproduces the file.

        SQLAlchemy always inserts version 1 for a version_id_col, hence the direct UPDATE."""
        if version is None or version == row.version:
            return
        model = type(row)
        self.session.execute(
            update(model).where(model.id == row.id).values(version=version),
            execution_options={"synchronize_session": False},
        )
        set_committed_value(row, "version", version)

    def upsert(
        self, rec: Rec, values: Mapping[str, Any], parent: Mapping[str, Any], label: str
    ) -> Entity:
        model = MODELS[rec.kind]
        counted = COUNT_KEY_OF[rec.kind]
        row = self.plan.existing.get(rec.uuid)
        if row is None:
            row = model(uuid=rec.uuid, **parent, **values)
            if rec.content is not None:
                setattr(row, "content", rec.content)  # noqa: B010  (only evidence has it)
            self.session.add(row)
            self.session.flush()
            self.keep_version(row, rec.version)
            audit.record(self.session, self.actor, "import", row, label=label)
            if isinstance(row, models.Response) and row.approved_snapshot is not None:
                # As approving does: the trail names the approved record by its SHA-256.
                audit.record(self.session, self.actor, "import", row, label=label,
                             field="approved_snapshot",
                             new=approved_record.digest(row.approved_snapshot))  # fmt: skip
            self.created[counted] += 1
        else:
            changed = False
            for name, new in values.items():
                old = getattr(row, name)
                if old != new:
                    setattr(row, name, new)
                    audit.record(self.session, self.actor, "import", row, label=label,
                                 field=name, old=_audited(name, old),
                                 new=_audited(name, new))  # fmt: skip
                    changed = True
            if changed and rec.content is not None and "sha256" in values:
                setattr(row, "content", rec.content)  # noqa: B010
            if changed:
                self.updated[counted] += 1
                self.session.flush()
        self.plan.existing[rec.uuid] = row
        self.plan.ids[rec.uuid] = row.id
        return row

    def records(self) -> None:
        assert self.plan.jurisdiction is not None
        jurisdiction = self.plan.jurisdiction
        self.upsert(jurisdiction, jurisdiction.values, {}, str(jurisdiction.values["name"]))
        home_id = self.plan.ids[jurisdiction.uuid]
        for kind_key in WRITE_ORDER[:8]:
            kind = RECORD_KINDS[kind_key]
            for rec in self.plan.records[kind_key]:
                values = rec.values | self.resolve(rec)
                parent = (
                    {"award_id": self.plan.ids[rec.parent or ""]}
                    if kind_key == "condition"
                    else {"jurisdiction_id": home_id}
                )
                if rec.uuid in self.plan.existing:
                    parent = {}  # never moves: check_database refused records owned elsewhere
                self.upsert(rec, values, parent, str(rec.values[kind.title_field]))

    def responses(self) -> None:
        assert self.plan.jurisdiction is not None
        home_id = self.plan.ids[self.plan.jurisdiction.uuid]
        locked_before: dict[str, str] = {}
        for rec in self.plan.records["response"]:
            row = self.plan.existing.get(rec.uuid)
            if isinstance(row, models.Response) and row.status in LOCKED_STATUSES:
                locked_before[rec.uuid] = row.status
            before = (self.created["responses"], self.updated["responses"])
            parent = {} if row is not None else {"jurisdiction_id": home_id}
            title = rec.definition.title if rec.definition else str(rec.values["questionnaire_key"])
            self.upsert(rec, rec.values | self.resolve(rec), parent, title)
            if before != (self.created["responses"], self.updated["responses"]):
                self.changed_responses.add(rec.uuid)
        for rec in self.plan.records["answer"]:
            if self.answer(rec):
                self.changed_responses.add(rec.parent or "")
        for rec in self.plan.records["response"]:
            if rec.uuid in locked_before and rec.uuid in self.changed_responses:
                status = ResponseStatus.of(locked_before[rec.uuid]).label.lower()
                self.problems.add(
                    rec.path,
                    f"this response is {status} in this database and the file changes it; "
                    "reopen it first (with a reason), then import again.",
                )

    def answer(self, rec: Rec) -> bool:
        """Writes one answer; True when anything changed."""
        assert rec.question is not None
        assert rec.parent is not None
        response_id = self.plan.ids[rec.parent]
        facility_id = self.resolve(rec)["facility_id"]
        slot = rec.question.key if facility_id is None else f"{rec.question.key}@{facility_id}"
        occupant = self.session.scalars(
            select(models.Answer).where(
                models.Answer.response_id == response_id, models.Answer.slot == slot
            )
        ).one_or_none()
        if rec.uuid not in self.plan.existing and occupant is not None:
            # The same question answered on both sides under different UUIDs: one slot holds
            # one answer, so the file's answer goes into the existing one.
            self.plan.existing[rec.uuid] = occupant
        elif occupant is not None and occupant is not self.plan.existing.get(rec.uuid):
            self.problems.add(
                rec.path,
                f"question {rec.question.number} already has another answer for this facility "
                "in this database; clear one of them first.",
            )
            return False
        facility = self.session.get(models.Facility, facility_id) if facility_id else None
        label = f"{rec.question.number} — {facility.name}" if facility else rec.question.number
        values = rec.values | {"facility_id": facility_id, "slot": slot}
        before = (self.created["answers"], self.updated["answers"])
        parent = {} if rec.uuid in self.plan.existing else {"response_id": response_id}
        row = self.upsert(rec, values, parent, label)
        assert isinstance(row, models.Answer)
        changed = before != (self.created["answers"], self.updated["answers"])
        for relation, model in (
            ("instruments", models.LegalInstrument),
            ("evidence", models.Evidence),
        ):
            new_ids = sorted({self.plan.ids[uid] for uid in rec.links.get(relation, [])})
            old_ids = sorted(x.id for x in getattr(row, relation))
            if old_ids != new_ids:
                targets = [self.session.get(model, id_) for id_ in new_ids]
                setattr(row, relation, targets)
                audit.record(self.session, self.actor, "import", row, label=label,
                             field=relation, old=", ".join(map(str, old_ids)) or None,
                             new=", ".join(map(str, new_ids)) or None)  # fmt: skip
                if not changed:
                    self.updated["answers"] += 1
                    changed = True
        self.session.flush()
        return changed

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
            row = models.FiledDocument(
                uuid=rec.uuid, response_id=response.id, content=rec.content, **rec.values
            )
            self.session.add(row)
            self.session.flush()
            title = str(rec.values["filename"])
            audit.record(self.session, self.actor, "import", response, label=title,
                         field="filed_letter", new=rec.values["sha256"])  # fmt: skip
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
            self.session.add(models.AuditEntry(jurisdiction_uuid=home, **entry))
            self.created["audit"] += 1
        self.session.flush()


def _audited(name: str, value: Any) -> Any:
    """What the trail keeps of a change: an approved record by its SHA-256, as approving does."""
    if name == "approved_snapshot" and isinstance(value, str):
        return approved_record.digest(value)
    return value


def _reference_columns(kind: str) -> tuple[str, ...]:
    if kind in RECORD_KINDS:
        return tuple(s.name for s in RECORD_KINDS[kind].fields if s.kind is FieldKind.REFERENCE)
    return {"response": ("request_id",), "answer": ("facility_id",)}.get(kind, ())


def import_document(store: Store, document: Any, source: str) -> ImportResult:
    """Checks the whole document, then writes it in one transaction, or nothing at all."""
    plan, problems = check_document(document)
    with store.transaction() as session:
        if plan.jurisdiction is not None:
            check_database(session, plan, problems)
        if problems or plan.jurisdiction is None:
            raise ExchangeError(source, problems.texts() or ["$: the file has no jurisdiction."])
        writer = _Writer(session, store.actor, plan, problems)
        writer.records()
        writer.responses()
        writer.filed()
        writer.history()
        if problems:
            # Raised inside the transaction, so everything written above is rolled back.
            raise ExchangeError(source, problems.texts())
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


def import_file(store: Store, path: Path) -> ImportResult:
    return import_document(store, read_file(path), str(path))
