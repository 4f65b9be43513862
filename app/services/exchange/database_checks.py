"""Checking a file against the database: UUIDs owned elsewhere, references, questionnaires."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models
from app.models.base import Entity
from app.services import audit
from app.services.exchange.checks import Plan
from app.services.exchange.format import LABELS, MODELS
from app.services.exchange.problems import Problems, json_path


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _find(session: Session, model: type[Entity], uuids: Sequence[str]) -> list[Entity]:
    found: list[Entity] = []
    for chunk in _chunks(uuids):
        found += session.scalars(select(model).where(model.uuid.in_(chunk))).all()
    return found


def _response_of(row: models.FiledDocument) -> models.Response | None:
    # A filed document keeps its response by id only (no relationship to follow).
    session = Session.object_session(row)
    return session.get(models.Response, row.response_id) if session is not None else None


def _owner(row: Entity) -> models.Jurisdiction | None:
    if isinstance(row, models.FiledDocument):
        response = _response_of(row)
        return response.jurisdiction if response is not None else None
    return audit.jurisdiction_of(row)


def _parent_uuid(row: Entity) -> str | None:
    if isinstance(row, models.GrantCondition):
        return row.award.uuid
    if isinstance(row, models.Answer):
        return row.response.uuid
    if isinstance(row, models.FiledDocument):
        response = _response_of(row)
        return response.uuid if response is not None else None
    return None


def _describe(row: Entity) -> str:
    owner = _owner(row)
    title = (
        getattr(row, "name", None)
        or getattr(row, "title", None)
        or getattr(row, "filename", None)
        or row.uuid
    )
    where = f" of {owner.name}" if owner is not None and owner is not row else ""
    return f"{LABELS[_kind_of(row)].lower()} “{title}”{where}"


def _kind_of(row: Entity) -> str:
    return next(key for key, model in MODELS.items() if isinstance(row, model))


def check_database(session: Session, plan: Plan, problems: Problems) -> None:
    """UUIDs owned elsewhere, references, and answers to a different questionnaire."""
    assert plan.jurisdiction is not None
    home = plan.jurisdiction.uuid
    uuids = list(plan.where)
    for kind, model in MODELS.items():
        for row in _find(session, model, uuids):
            file_kind, path = plan.where[row.uuid]
            owner = _owner(row)
            if kind != file_kind:
                problems.add(
                    (*path, "uuid"),
                    f"“{row.uuid}” is already the UUID of a {_describe(row)} in this database; "
                    f"it cannot also be a {LABELS[file_kind].lower()}.",
                )
            elif owner is None or owner.uuid != home:
                problems.add(
                    (*path, "uuid"),
                    f"this {_describe(row)} belongs to another jurisdiction in this "
                    "database; a record cannot move between jurisdictions.",
                )
            elif _parent_uuid(row) not in (None, plan.parents.get(row.uuid)):
                problems.add(
                    (*path, "uuid"),
                    f"this {_describe(row)} belongs to another "
                    f"{'grant award' if kind == 'condition' else 'response'} in this database.",
                )
            else:
                plan.existing[row.uuid] = row
                plan.ids[row.uuid] = row.id
    for rec in plan.records["response"]:
        response = plan.existing.get(rec.uuid)
        if rec.definition is None:
            continue  # already reported: the questionnaire itself is unknown
        if isinstance(response, models.Response) and (
            response.questionnaire_key,
            response.questionnaire_version,
        ) != (rec.values["questionnaire_key"], rec.values["questionnaire_version"]):
            problems.add(
                (*rec.path, "questionnaire_version"),
                f"this response answers {response.questionnaire_key} version "
                f"{response.questionnaire_version} in this database; a response cannot change "
                "questionnaire. Start a new response instead.",
            )
    _check_references(session, plan, problems, home)


def _check_references(session: Session, plan: Plan, problems: Problems, home: str) -> None:
    outside = sorted({uid for _p, _k, uid in plan.references if uid not in plan.where})
    in_database: dict[str, Entity] = {}
    for kind in {target for _p, target, _u in plan.references}:
        for row in _find(session, MODELS[kind], outside):
            in_database[row.uuid] = row
    for path, target, uid in plan.references:
        label = LABELS[target].lower()
        if uid in plan.where:
            found_kind, found_path = plan.where[uid]
            if found_kind != target:
                problems.add(
                    path,
                    f"“{uid}” is the {LABELS[found_kind].lower()} at {json_path(found_path)}, "
                    f"not a {label}.",
                )
            continue
        found = in_database.get(uid)
        owner = audit.jurisdiction_of(found) if found is not None else None
        if found is None or _kind_of(found) != target or owner is None or owner.uuid != home:
            problems.add(
                path,
                f"refers to {label} “{uid}”, which is neither in this file nor among this "
                "jurisdiction's records in the database.",
            )
        else:
            plan.ids[uid] = found.id
