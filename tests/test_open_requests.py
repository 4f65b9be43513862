"""What a new response starts from: the open request, its questionnaire, due date and preparer."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app import questionnaires
from app.services import open_requests, records, responses, staff
from app.services.records import Record
from app.services.staff import StaffInput
from app.services.store import Store
from tests.helpers import answer_all_required, approve_as_read, make_facility, make_jurisdiction

pytestmark = pytest.mark.both_stores

PSP = "doj-psp-2017"
JAG = "byrne-jag-fy2017"
TODAY = date(2017, 8, 10)


def request(
    store: Store, jurisdiction_id: int, program: str, due: str | None, **more: Any
) -> Record:
    values = {"program": program, "issuing_office": "U.S. Department of Justice", "due_on": due}
    return records.create(store, "request", values | more, parent_id=jurisdiction_id)


def defaults(
    store: Store, jurisdiction_id: int, today: date = TODAY
) -> open_requests.NewResponseDefaults:
    return open_requests.new_response_defaults(store, jurisdiction_id, today=today)


@pytest.mark.parametrize(
    ("program", "fiscal_year", "expected"),
    [
        ("Public Safety Partnership (PSP)", 2017, PSP),
        ("Public Safety Partnership", None, PSP),
        ("PSP", None, PSP),
        ("Byrne JAG FY2017", None, JAG),
        ("Edward Byrne Memorial Justice Assistance Grant (JAG)", 2017, JAG),
        ("Byrne JAG", 2018, None),  # no FY2018 definition is installed
        ("Grant", None, None),
        ("Body-worn camera policy grant", 2017, None),
    ],
)
def test_questionnaire_named_by_a_requests_program(
    program: str, fiscal_year: int | None, expected: str | None
) -> None:
    found = open_requests.questionnaire_for(program, fiscal_year, questionnaires.available())
    assert found == expected


def test_no_request_means_nothing_preselected(store: Store) -> None:
    city = make_jurisdiction(store)
    chosen = defaults(store, city.id)
    assert (chosen.request_id, chosen.questionnaire_key, chosen.due_on) == (None, None, None)


def test_the_open_request_with_its_questionnaire_and_due_date(store: Store) -> None:
    city = make_jurisdiction(store)
    letter = request(store, city.id, "Public Safety Partnership (PSP)", "2017-08-18")
    chosen = defaults(store, city.id)
    assert chosen.request_id == letter.id
    assert chosen.questionnaire_key == PSP
    assert chosen.due_on == date(2017, 8, 18)
    assert chosen.questionnaire_by_request == {letter.id: PSP}


def test_the_soonest_due_comes_first_then_the_overdue(store: Store) -> None:
    city = make_jurisdiction(store)
    overdue = request(store, city.id, "Public Safety Partnership", "2017-08-01")
    later = request(store, city.id, "Byrne JAG FY2017", "2017-09-05")
    undated = request(store, city.id, "Byrne JAG FY2017", None)
    soon = request(store, city.id, "PSP", "2017-08-18")
    assert defaults(store, city.id).request_id == soon.id
    # A missed deadline does not answer a letter: the overdue one is still open.
    assert defaults(store, city.id, date(2017, 12, 1)).request_id == later.id
    records.delete(store, "request", later.id)
    records.delete(store, "request", soon.id)
    assert defaults(store, city.id).request_id == overdue.id
    records.delete(store, "request", overdue.id)
    assert defaults(store, city.id).request_id == undated.id


def test_a_request_answered_by_a_submitted_response_is_closed(store: Store) -> None:
    city = make_jurisdiction(store)
    facility = make_facility(store, city.id, controlled=True)
    letter = request(store, city.id, "Public Safety Partnership", "2017-08-18")
    grant = request(store, city.id, "Byrne JAG FY2017", "2017-09-05")
    started = responses.start_response(store, city.id, PSP, request_id=letter.id).summary.id
    # Being answered (a draft) puts it behind a request nobody has started.
    assert defaults(store, city.id).request_id == grant.id

    answer_all_required(store, started, [facility.id])
    responses.submit_for_review(store, started)
    approve_as_read(store, started, "Dana Whitfield", "City Attorney")
    responses.mark_submitted(store, started, "2017-08-14", "E-mail")
    records.delete(store, "request", grant.id)
    chosen = defaults(store, city.id)
    assert chosen.request_id is None
    assert chosen.questionnaire_key is None


def test_another_jurisdictions_request_is_never_offered(store: Store) -> None:
    city = make_jurisdiction(store)
    other = make_jurisdiction(store, name="Baltimore City", state="MD")
    request(store, other.id, "Public Safety Partnership", "2017-08-18")
    assert defaults(store, city.id).request_id is None


def test_prepared_by_is_the_person_starting_it_if_they_prepare(store: Store) -> None:
    city = make_jurisdiction(store)
    assert defaults(store, city.id).prepared_by is None  # no staff list yet

    staff.create(store, StaffInput("Tom Becker", "Paralegal", prepares=True))
    assert defaults(store, city.id).prepared_by == "Tom Becker"  # the only one

    staff.create(store, StaffInput("Priya Raman", "Assistant City Attorney", prepares=True))
    staff.create(store, StaffInput("Dana Whitfield", "City Attorney", approves=True))
    chosen = defaults(store, city.id)
    assert chosen.prepared_by is None  # two preparers, and the user is neither
    assert chosen.preparers == ("Priya Raman", "Tom Becker")

    store.actor = "priya raman"
    assert defaults(store, city.id).prepared_by == "Priya Raman"
    store.actor = "Dana Whitfield"  # approves, does not prepare
    assert defaults(store, city.id).prepared_by is None
