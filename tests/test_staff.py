"""The staff list and the approval rule: validated, unique among active staff, audited, shared."""

from __future__ import annotations

import pytest

from app.services import audit, open_store, staff
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.staff import StaffInput, StaffRole
from app.services.store import Store
from tests.stores import Location, count_rows

pytestmark = pytest.mark.both_stores


def paralegal(**overrides: object) -> StaffInput:
    values: dict[str, object] = {"name": "Tom Becker", "title": "Paralegal", "prepares": True}
    values.update(overrides)
    return StaffInput(**values)  # type: ignore[arg-type]


def problem_fields(error: InvalidInput) -> list[str]:
    return [p.field for p in error.problems]


def test_create_stores_name_title_and_roles(store: Store) -> None:
    added = staff.create(store, StaffInput("  Dana Whitfield ", "City Attorney", approves=True))
    assert (added.name, added.title, added.active) == ("Dana Whitfield", "City Attorney", True)
    assert added.roles == (StaffRole.APPROVES,)
    assert added.roles_text == "Approves"
    assert count_rows(store, "staff_member") == 1
    (entry,) = audit.history(store, entity_uuid=added.uuid)
    assert (entry.action, entry.actor, entry.entity_label) == ("create", "Test Clerk", added.name)


def test_name_and_title_are_required_and_both_named(store: Store) -> None:
    with pytest.raises(InvalidInput) as caught:
        staff.create(store, StaffInput("   ", ""))
    assert problem_fields(caught.value) == ["name", "title"]
    assert "Name: is required" in str(caught.value)


def test_length_limits_and_single_line(store: Store) -> None:
    with pytest.raises(InvalidInput) as caught:
        staff.create(store, paralegal(name="x" * (staff.NAME_LIMIT + 1), title="Para\nlegal"))
    assert problem_fields(caught.value) == ["name", "title"]
    assert "the limit is 200" in caught.value.problems[0].message
    assert "single line" in caught.value.problems[1].message
    assert staff.create(store, paralegal(name="x" * staff.NAME_LIMIT)).name == "x" * 200


def test_names_are_unique_among_active_staff_only(store: Store) -> None:
    first = staff.create(store, paralegal())
    with pytest.raises(InvalidInput) as caught:
        staff.create(store, paralegal(name="tom  BECKER", title="Legal assistant"))
    assert problem_fields(caught.value) == ["name"]
    assert "already on the staff list" in str(caught.value)

    staff.deactivate(store, first.id, expected_version=first.version)
    again = staff.create(store, paralegal(title="Senior paralegal"))
    assert again.active
    # Bringing the first one back would make two active Tom Beckers.
    with pytest.raises(InvalidInput):
        staff.reactivate(store, first.id)
    assert not staff.get(store, first.id).active


def test_renaming_to_a_colleagues_name_is_refused(store: Store) -> None:
    staff.create(store, paralegal())
    other = staff.create(store, paralegal(name="Priya Raman"))
    with pytest.raises(InvalidInput):
        staff.update(store, other.id, paralegal(), expected_version=other.version)
    # Keeping one's own name while changing the title is fine.
    changed = staff.update(
        store, other.id, paralegal(name="Priya Raman", title="Assistant City Attorney"),
        expected_version=other.version,
    )  # fmt: skip
    assert changed.title == "Assistant City Attorney"


def test_update_audits_each_changed_field(store: Store) -> None:
    added = staff.create(store, paralegal())
    changed = staff.update(
        store,
        added.id,
        paralegal(title="Senior paralegal", reviews=True),
        expected_version=added.version,
    )
    assert changed.version == added.version + 1
    assert changed.roles == (StaffRole.PREPARES, StaffRole.REVIEWS)
    updates = {
        (e.field, e.old_value, e.new_value)
        for e in audit.history(store, entity_uuid=added.uuid)
        if e.action == "update"
    }
    assert updates == {("title", "Paralegal", "Senior paralegal"), ("reviews", "no", "yes")}


def test_update_refuses_a_stale_version(store: Store) -> None:
    added = staff.create(store, paralegal())
    staff.update(store, added.id, paralegal(title="Senior paralegal"), expected_version=1)
    with pytest.raises(Conflict, match="changed by someone else"):
        staff.update(store, added.id, paralegal(title="Clerk"), expected_version=added.version)
    assert staff.get(store, added.id).title == "Senior paralegal"
    with pytest.raises(Conflict):
        staff.deactivate(store, added.id, expected_version=added.version)


def test_deactivate_keeps_the_person_and_records_it(store: Store) -> None:
    added = staff.create(store, paralegal())
    gone = staff.deactivate(store, added.id, expected_version=added.version)
    assert not gone.active
    assert count_rows(store, "staff_member") == 1
    assert [e.name for e in staff.list_staff(store)] == ["Tom Becker"]
    assert staff.list_staff(store, active_only=True) == []
    change = [e for e in audit.history(store, entity_uuid=added.uuid) if e.field == "active"]
    assert [(c.old_value, c.new_value) for c in change] == [("yes", "no")]
    back = staff.reactivate(store, added.id)
    assert back.active


def test_unknown_staff_member(store: Store) -> None:
    with pytest.raises(NotFound):
        staff.update(store, 999, paralegal(), expected_version=None)


def test_list_filters_by_role_and_keeps_people_who_left_last(store: Store) -> None:
    staff.create(store, StaffInput("Dana Whitfield", "City Attorney", approves=True))
    ortega = staff.create(
        store, StaffInput("Marcus Ortega", "Deputy City Attorney", reviews=True, approves=True)
    )
    staff.create(store, StaffInput("Anne Adams", "Paralegal", prepares=True))
    staff.deactivate(store, ortega.id)
    assert [e.name for e in staff.list_staff(store)] == [
        "Anne Adams",
        "Dana Whitfield",
        "Marcus Ortega",
    ]
    assert [e.name for e in staff.list_staff(store, role=StaffRole.APPROVES)] == [
        "Dana Whitfield",
        "Marcus Ortega",
    ]
    assert [e.name for e in staff.list_staff(store, role="approves", active_only=True)] == [
        "Dana Whitfield"
    ]
    with pytest.raises(ValueError, match="unknown staff role"):
        staff.list_staff(store, role="signs")


def test_same_person_ignores_case_and_spacing_but_never_matches_nobody() -> None:
    assert staff.same_person("Dana  Whitfield ", "dana whitfield")
    assert not staff.same_person("Dana Whitfield", "Dana Whitfeld")
    assert not staff.same_person("", "")
    assert not staff.same_person(None, None)


# ----------------------------------------------------------------------------- the office rule


def test_approver_must_differ_is_on_by_default(store: Store) -> None:
    assert staff.get_approver_must_differ(store) is True
    with store.reading() as session:
        assert staff.approver_must_differ(session) is True
    assert count_rows(store, "office_setting") == 0


def test_switching_the_rule_is_stored_audited_and_shared(
    store: Store, db_location: Location
) -> None:
    assert staff.set_approver_must_differ(store, False) is False
    # Another PC opening the same file follows the office's rule.
    other = open_store(db_location, actor="Other PC")
    try:
        assert staff.get_approver_must_differ(other) is False
        assert staff.set_approver_must_differ(other, True) is True
    finally:
        other.close()
    assert staff.get_approver_must_differ(store) is True
    changes = [
        (e.actor, e.old_value, e.new_value)
        for e in reversed(audit.history(store))
        if e.field == staff.APPROVER_MUST_DIFFER
    ]
    assert changes == [("Test Clerk", "yes", "no"), ("Other PC", "no", "yes")]


def test_setting_the_rule_to_what_it_is_writes_nothing(store: Store) -> None:
    assert staff.set_approver_must_differ(store, True) is True
    assert count_rows(store, "office_setting") == 0
    assert audit.history(store) == []
