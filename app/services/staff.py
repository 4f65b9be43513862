"""The office's staff list and its approval rule, for the Staff list window and for sign-off.

Who prepares, reviews and approves responses is kept once per database, so every PC that uses
the file shares it. People who leave are deactivated, never deleted: old responses keep their
names, and the history says when they left.

For the approval step:

- ``approver_must_differ(session) -> bool`` inside the approval's own transaction (on by
  default; an office switches it off in the Staff list window);
- ``get_approver_must_differ(store) -> bool`` when no transaction is open, e.g. for a dialog;
- ``same_person(first, second) -> bool`` compares two names as people read them (case and
  spacing aside), e.g. ``Response.prepared_by`` with the approver's name;
- ``list_staff(store, role=StaffRole.APPROVES, active_only=True)`` lists who may approve.

For the staff list itself: ``create``, ``update`` (with ``expected_version``), ``deactivate``,
``reactivate``, ``get`` and ``set_approver_must_differ``; every change is in the audit trail.
Names and titles are required, one line each, at most NAME_LIMIT / TITLE_LIMIT characters, and
no two active staff members share a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models
from app.services import audit
from app.services.collation import ascii_lower
from app.services.errors import Conflict, FieldProblem, InvalidInput, NotFound
from app.services.fields import FieldSpec
from app.services.store import Store
from app.vocabulary import LabelledEnum

# The same limits as the names a response records (prepared_by, approved_by, approver_title).
NAME_LIMIT = 200
TITLE_LIMIT = 200

APPROVER_MUST_DIFFER = "approver_must_differ"
APPROVER_MUST_DIFFER_LABEL = "The approver must differ from the preparer"
# On unless the office switched it off: a second pair of eyes is the safe default.
APPROVER_MUST_DIFFER_DEFAULT = True

_NAME = FieldSpec("name", "Name", required=True, max_length=NAME_LIMIT)
_TITLE = FieldSpec("title", "Title", required=True, max_length=TITLE_LIMIT)


class StaffRole(LabelledEnum):
    """What a staff member may do with a response; the value is the column that records it."""

    PREPARES = ("prepares", "Prepares")
    REVIEWS = ("reviews", "Reviews")
    APPROVES = ("approves", "Approves")


@dataclass(frozen=True)
class StaffInput:
    """What the staff dialog holds."""

    name: str
    title: str
    prepares: bool = False
    reviews: bool = False
    approves: bool = False


@dataclass(frozen=True)
class StaffEntry:
    """One person on the staff list, safe to keep after its session closed."""

    id: int
    uuid: str
    version: int
    name: str
    title: str
    prepares: bool
    reviews: bool
    approves: bool
    active: bool

    @property
    def roles(self) -> tuple[StaffRole, ...]:
        return tuple(role for role in StaffRole if getattr(self, role.value))

    @property
    def roles_text(self) -> str:
        """E.g. "Prepares, reviews"; empty when no role is ticked."""
        return ", ".join(role.label for role in self.roles).capitalize()

    def has_role(self, role: StaffRole | str) -> bool:
        return bool(getattr(self, _role(role).value))


def _role(role: StaffRole | str) -> StaffRole:
    try:
        return StaffRole.of(role)
    except KeyError:
        raise ValueError(f"unknown staff role {role!r}") from None


def _entry(row: models.StaffMember) -> StaffEntry:
    return StaffEntry(
        id=row.id,
        uuid=row.uuid,
        version=row.version,
        name=row.name,
        title=row.title,
        prepares=row.prepares,
        reviews=row.reviews,
        approves=row.approves,
        active=row.active,
    )


def _spoken(name: str | None) -> str:
    """A name as compared: "Dana  Whitfield " and "dana whitfield" are the same person."""
    return " ".join((name or "").split()).casefold()


def same_person(first: str | None, second: str | None) -> bool:
    """True when two recorded names are the same name, ignoring case and spacing.

    Empty names are nobody: they never match, not even each other.
    """
    return bool(_spoken(first)) and _spoken(first) == _spoken(second)


# ----------------------------------------------------------------------------- reading


def list_staff(
    store: Store, *, role: StaffRole | str | None = None, active_only: bool = False
) -> list[StaffEntry]:
    """The staff list by name, people still here first; optionally only those with a role."""
    model = models.StaffMember
    query = select(model)
    if role is not None:
        query = query.where(getattr(model, _role(role).value).is_(True))
    if active_only:
        query = query.where(model.active.is_(True))
    query = query.order_by(model.active.desc(), ascii_lower(model.name), model.id)
    with store.reading() as session:
        return [_entry(row) for row in session.scalars(query)]


def _load(session: Session, staff_id: int) -> models.StaffMember:
    row = session.get(models.StaffMember, staff_id)
    if row is None:
        raise NotFound(f"There is no staff member with id {staff_id}; reload the staff list.")
    return row


def get(store: Store, staff_id: int) -> StaffEntry:
    with store.reading() as session:
        return _entry(_load(session, staff_id))


# ----------------------------------------------------------------------------- editing


def _validated(entry: StaffInput) -> dict[str, object]:
    """The values to store; raises InvalidInput naming every wrong field at once."""
    problems: list[FieldProblem] = []
    values: dict[str, object] = {}
    for spec, raw in ((_NAME, entry.name), (_TITLE, entry.title)):
        text = raw.strip() if isinstance(raw, str) else raw
        try:
            values[spec.name] = spec.parse(text)
        except ValueError as exc:
            problems.append(FieldProblem(spec.name, spec.label, str(exc)))
    for role in StaffRole:
        values[role.value] = bool(getattr(entry, role.value))
    if problems:
        raise InvalidInput(problems)
    return values


def _check_unique_name(session: Session, name: str, staff_id: int | None) -> None:
    """Two people still here may not share a name: approvals name people, not ids."""
    model = models.StaffMember
    others = session.scalars(
        select(model).where(model.active.is_(True), model.id != (staff_id or 0))
    )
    for other in others:
        if same_person(other.name, name):
            raise InvalidInput(
                [
                    FieldProblem(
                        "name",
                        _NAME.label,
                        f"“{other.name}” ({other.title}) is already on the staff list. "
                        "Add a middle initial to tell them apart, or edit that entry instead.",
                    )
                ]
            )


def _check_version(row: models.StaffMember, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise Conflict(
            f"{row.name} was changed by someone else since you opened the staff list. "
            "Reload it to see their changes, then make yours again."
        )


def create(store: Store, entry: StaffInput) -> StaffEntry:
    """Adds someone to the staff list, active."""
    values = _validated(entry)
    with store.transaction() as session:
        _check_unique_name(session, str(values["name"]), None)
        row = models.StaffMember(**values, active=True)
        session.add(row)
        session.flush()
        audit.record(session, store.actor, "create", row, label=row.name)
        return _entry(row)


def update(
    store: Store, staff_id: int, entry: StaffInput, *, expected_version: int | None
) -> StaffEntry:
    """Saves the dialog's fields; expected_version is the version the dialog was opened at."""
    values = _validated(entry)
    with store.transaction() as session:
        row = _load(session, staff_id)
        _check_version(row, expected_version)
        if row.active:
            _check_unique_name(session, str(values["name"]), row.id)
        label = str(values["name"])
        for name, new in values.items():
            old = getattr(row, name)
            if old != new:
                setattr(row, name, new)
                audit.record(
                    session, store.actor, "update", row, label=label, field=name, old=old, new=new
                )
        session.flush()
        return _entry(row)


def _set_active(
    store: Store, staff_id: int, active: bool, expected_version: int | None
) -> StaffEntry:
    with store.transaction() as session:
        row = _load(session, staff_id)
        _check_version(row, expected_version)
        if row.active != active:
            if active:
                _check_unique_name(session, row.name, row.id)
            audit.record(session, store.actor, "update", row, label=row.name, field="active",
                         old=row.active, new=active)  # fmt: skip
            row.active = active
            session.flush()
        return _entry(row)


def deactivate(store: Store, staff_id: int, *, expected_version: int | None = None) -> StaffEntry:
    """Marks someone as no longer here: they leave the pick lists, their name stays in records."""
    return _set_active(store, staff_id, False, expected_version)


def reactivate(store: Store, staff_id: int, *, expected_version: int | None = None) -> StaffEntry:
    """Brings back someone who returned (refused if an active colleague has the same name)."""
    return _set_active(store, staff_id, True, expected_version)


# ----------------------------------------------------------------------------- office policy


def _setting(session: Session, key: str) -> models.OfficeSetting | None:
    return session.scalars(
        select(models.OfficeSetting).where(models.OfficeSetting.key == key)
    ).one_or_none()


def approver_must_differ(session: Session) -> bool:
    """Whether the approver must be someone other than the preparer, read in an open session."""
    row = _setting(session, APPROVER_MUST_DIFFER)
    if row is None or row.value not in ("yes", "no"):
        return APPROVER_MUST_DIFFER_DEFAULT
    return row.value == "yes"


def get_approver_must_differ(store: Store) -> bool:
    """The same rule, read in a session of its own."""
    with store.reading() as session:
        return approver_must_differ(session)


def set_approver_must_differ(store: Store, required: bool) -> bool:
    """Switches the rule on or off for the whole office; returns the rule as now stored."""
    with store.transaction() as session:
        old = approver_must_differ(session)
        if old == required:
            return old
        row = _setting(session, APPROVER_MUST_DIFFER)
        value = "yes" if required else "no"
        if row is None:
            row = models.OfficeSetting(key=APPROVER_MUST_DIFFER, value=value)
            session.add(row)
            session.flush()
        row.value = value
        audit.record(
            session, store.actor, "update", row, label=APPROVER_MUST_DIFFER_LABEL,
            field=APPROVER_MUST_DIFFER, old=old, new=required,
        )  # fmt: skip
        session.flush()
        return approver_must_differ(session)
