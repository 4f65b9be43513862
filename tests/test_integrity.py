"""The integrity check: a clean database passes, and each kind of damage is named."""

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app import models
from app.services import integrity, records, responses
from app.services.demo import load_demo
from app.services.store import Store
from tests.stores import raw_execute, raw_one

pytestmark = pytest.mark.both_stores


def raw(store: Store, sql: str, params: Sequence[Any] = ()) -> None:
    """Changes the database behind Jurisdesk's back, as a damaged copy or another tool would."""
    raw_execute(store, (sql, params))


def one(store: Store, sql: str, params: Sequence[Any] = ()) -> Any:
    return raw_one(store, sql, params)


def raw_without_foreign_keys(db_path: Path, sql: str) -> None:
    """Changes the file with SQLite's foreign keys off, as another tool may (a server always
    enforces them, so these damages exist in files only)."""
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute(sql)
        connection.commit()


@pytest.fixture
def demo_store(store: Store) -> Store:
    load_demo(store)
    return store


def test_an_empty_database_is_fine(store: Store) -> None:
    report = integrity.check(store)
    assert report.ok
    assert report.problems == []
    assert report.checked["evidence files"] == 0


def test_the_demo_database_is_fine(demo_store: Store) -> None:
    report = integrity.check(demo_store)
    assert report.problems == []
    assert report.ok
    assert report.checked["responses"] == 4
    assert report.checked["evidence files"] == 1
    assert report.checked["answers"] > 0


def test_tampered_evidence_bytes_are_detected(demo_store: Store) -> None:
    raw(demo_store, "UPDATE evidence SET content = ?", (b"not the letter",))
    report = integrity.check(demo_store)
    assert not report.ok
    evidence_id = one(demo_store, "SELECT id FROM evidence")
    name = f"Evidence 'berry-letter-to-sessions-2017-08-03-summary.txt' (id {evidence_id})"
    assert f"{name}: stored bytes do not match the SHA-256 recorded when attached." in (
        report.problems
    )
    assert any(p.startswith(name) and "14 bytes" in p for p in report.problems)


def test_same_size_tampering_is_detected_too(demo_store: Store) -> None:
    content = one(demo_store, "SELECT content FROM evidence")
    raw(demo_store, "UPDATE evidence SET content = ?", (bytes(len(content)),))
    problems = integrity.check(demo_store).problems
    assert len(problems) == 1
    assert "SHA-256" in problems[0]


def test_an_inconsistent_answer_result_is_detected(demo_store: Store) -> None:
    answer_id = one(
        demo_store,
        "SELECT a.id FROM answer a JOIN facility f ON f.id = a.facility_id "
        "WHERE f.name = 'Metropolitan Detention Center' AND a.question_key = 'access'",
    )
    raw(demo_store, "UPDATE answer SET result = 'yes' WHERE id = ?", (answer_id,))
    (problem,) = integrity.check(demo_store).problems
    assert problem.startswith(
        f"Answer to question 1 for 'Metropolitan Detention Center' (id {answer_id})"
    )
    assert "City of Albuquerque" in problem
    assert "stored result 'yes'" in problem
    assert "'outside_control'" in problem


def test_an_unreadable_answer_value_is_detected(demo_store: Store) -> None:
    raw(demo_store, "UPDATE answer SET value = '\"maybe\"' WHERE question_key = 'notice'")
    problems = integrity.check(demo_store).problems
    assert problems
    assert all("not valid" in p for p in problems)


def test_an_unknown_question_key_is_detected(demo_store: Store) -> None:
    (summary, *_) = responses.list_responses(demo_store)
    with demo_store.transaction() as session:
        answer = models.Answer(
            response_id=summary.id,
            question_key="favourite_colour",
            slot="favourite_colour",
            value='"blue"',
        )
        session.add(answer)
        session.flush()
        answer_id = answer.id
    (problem,) = integrity.check(demo_store).problems
    assert problem.startswith(f"Answer id {answer_id} in Response ")
    assert "no question 'favourite_colour'" in problem


def test_a_missing_questionnaire_definition_is_detected(demo_store: Store) -> None:
    raw(demo_store, "UPDATE response SET questionnaire_version = 99 WHERE id = 1")
    (problem,) = integrity.check(demo_store).problems
    assert "'doj-psp-2017' version 99 is not installed" in problem


def test_a_broken_foreign_key_is_detected(demo_store: Store, db_path: Path) -> None:
    raw_without_foreign_keys(db_path, "UPDATE detainer_statistic SET facility_id = 999999")
    row = one(demo_store, "SELECT id FROM detainer_statistic")
    (problem,) = integrity.check(demo_store).problems
    assert problem == (
        f"A detainer statistic (row {row}) points at a facility that no longer exists."
    )


def test_a_deleted_jurisdiction_leaves_orphans_that_are_reported(
    demo_store: Store, db_path: Path
) -> None:
    raw_without_foreign_keys(db_path, "DELETE FROM jurisdiction WHERE name = 'City of Albuquerque'")
    problems = integrity.check(demo_store).problems
    assert any(p.startswith("A facility (row ") for p in problems)
    assert any(p.startswith("A response (row ") for p in problems)
    assert any(p.startswith("An evidence file (row ") for p in problems)


def test_an_old_schema_revision_is_detected(demo_store: Store) -> None:
    raw(demo_store, "UPDATE alembic_version SET version_num = '0000_old'")
    (problem,) = integrity.check(demo_store).problems
    assert "revision 0000_old" in problem


def test_references_across_jurisdictions_are_detected(demo_store: Store) -> None:
    def jid(name: str) -> int:
        return int(one(demo_store, "SELECT id FROM jurisdiction WHERE name = ?", (name,)))

    albuquerque, baltimore = jid("City of Albuquerque"), jid("Baltimore City")
    mdc = one(demo_store, "SELECT id FROM facility WHERE name = 'Metropolitan Detention Center'")
    baltimore_instrument = one(
        demo_store, "SELECT id FROM legal_instrument WHERE jurisdiction_id = ?", (baltimore,)
    )
    # A Baltimore statistic about an Albuquerque jail, and an Albuquerque file filed as a copy
    # of a Baltimore instrument.
    raw(demo_store, "UPDATE detainer_statistic SET facility_id = ?", (mdc,))
    raw(demo_store, "UPDATE evidence SET instrument_id = ?", (baltimore_instrument,))
    # A Baltimore answer moved onto the Albuquerque jail.
    answer_id = one(
        demo_store,
        "SELECT a.id FROM answer a JOIN response r ON r.id = a.response_id "
        "WHERE r.jurisdiction_id = ? AND a.question_key = 'access' ORDER BY a.id LIMIT 1",
        (baltimore,),
    )
    raw(
        demo_store,
        "UPDATE answer SET facility_id = ?, slot = ? WHERE id = ?",
        (mdc, f"access@{mdc}", answer_id),
    )
    problems = integrity.check(demo_store).problems
    assert len(problems) == 3, problems
    (stat,) = [p for p in problems if p.startswith("Detainer statistic")]
    (file,) = [p for p in problems if p.startswith("Evidence")]
    (answer,) = [p for p in problems if p.startswith("Answer")]
    assert stat.startswith("Detainer statistic 'Public-records request, first reported")
    assert "'Metropolitan Detention Center'" in stat
    assert "another jurisdiction" in stat
    assert file.startswith("Evidence 'berry-letter-to-sessions-2017-08-03-summary.txt'")
    assert "another jurisdiction" in file
    assert f"(id {answer_id})" in answer
    assert "the facility belongs to another jurisdiction" in answer
    assert albuquerque != baltimore


def test_the_check_changes_nothing(demo_store: Store) -> None:
    raw(demo_store, "UPDATE evidence SET content = ?", (b"tampered",))
    before = one(demo_store, "SELECT count(*) FROM audit_entry")
    assert not integrity.check(demo_store).ok
    assert one(demo_store, "SELECT count(*) FROM audit_entry") == before
    assert one(demo_store, "SELECT content FROM evidence") == b"tampered"


def test_a_check_that_cannot_run_is_reported_and_the_rest_still_run(demo_store: Store) -> None:
    raw(demo_store, "DROP TABLE alembic_version")
    report = integrity.check(demo_store)
    (problem,) = report.problems
    # The database's own words: SQLite's "no such table: alembic_version", PostgreSQL's
    # 'relation "alembic_version" does not exist'.
    assert problem.startswith("Could not check the schema revision: ")
    assert "alembic_version" in problem
    assert "\n" not in problem
    assert report.checked["answers"] > 0


def test_a_city_without_facilities_answers_facility_questions_once(store: Store) -> None:
    town = records.create(store, "jurisdiction", {"name": "Town", "kind": "town", "state": "NM"})
    detail = responses.start_response(store, town.id, "doj-psp-2017")
    responses.save_answer(
        store, detail.summary.id, "hold", None, responses.AnswerInput(value="not_applicable")
    )
    report = integrity.check(store)
    assert report.problems == []
    assert report.checked["answers"] == 1


def test_a_jurisdiction_question_answered_for_a_facility_is_detected(demo_store: Store) -> None:
    mdc = one(demo_store, "SELECT id FROM facility WHERE name = 'Metropolitan Detention Center'")
    raw(
        demo_store,
        "UPDATE answer SET facility_id = ?, slot = ? WHERE question_key = 'access_conditions'",
        (mdc, f"access_conditions@{mdc}"),
    )
    (problem,) = integrity.check(demo_store).problems
    assert "not asked per facility" in problem
