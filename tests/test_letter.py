"""The composed letter: drafted from the answers, edited by the office, frozen at approval."""

from __future__ import annotations

import json
import locale
from datetime import date
from pathlib import Path

import docx
import pypdf
import pytest
from sqlalchemy import select

from app import models, questionnaires
from app.letter.edits import EditedText, LetterEdits, from_json
from app.reports import exports
from app.services import letters, records, responses
from app.services.errors import Conflict, InvalidInput, Locked, WorkflowError
from app.services.responses import AnswerInput
from app.services.store import Store
from tests.helpers import approve_as_read, make_facility, make_jurisdiction

pytestmark = pytest.mark.both_stores

PSP = "doj-psp-2017"


def _city(store: Store) -> tuple[int, dict[str, int]]:
    """A city with two facilities it runs and two a county sheriff runs."""
    city = make_jurisdiction(
        store,
        name="City of Riverton",
        chief_legal_officer="Jordan Hale",
        chief_legal_officer_title="City Attorney",
        letterhead_address="Office of the City Attorney\n200 Main Street\nRiverton, CA 95000",
    )
    ids = {}
    for name, ours in (
        ("North Holding Facility", True),
        ("South Holding Facility", True),
        ("Riverton County Jail", False),
        ("Riverton County Annex", False),
    ):
        ids[name] = make_facility(
            store,
            city.id,
            name=name,
            operator_type="city" if ours else "county",
            operator_name="Riverton Police Department" if ours else "Riverton County Sheriff",
            sets_policy=ours,
        ).id
    records.create(
        store,
        "request",
        {
            "program": "Public Safety Partnership (PSP)",
            "fiscal_year": 2017,
            "issuing_office": "U.S. Department of Justice, Office of Justice Programs, "
            "Washington, DC 20531",
            "signer": "Alan R. Hanson",
            "signer_title": "Acting Assistant Attorney General",
            "letter_date": "2017-08-03",
            "due_on": "2017-08-18",
            "addressee": "Pat Example",
            "addressee_title": "Chief of Police",
        },
        city.id,
    )
    return city.id, ids


def _answer(store: Store, response_id: int, key: str, facility: int, value: str, **more) -> None:
    responses.save_answer(
        store, response_id, key, facility, AnswerInput(value=value, as_of=date(2017, 8, 10), **more)
    )


def _response(store: Store) -> tuple[int, dict[str, int]]:
    city_id, ids = _city(store)
    request = records.list_records(store, "request", city_id)[0]
    detail = responses.start_response(store, city_id, PSP, request_id=request.id)
    rid = detail.summary.id
    for key in ("access", "notice", "hold"):
        for name in ("North Holding Facility", "South Holding Facility"):
            _answer(store, rid, key, ids[name], "no", narrative="Only with a judicial warrant.",
                    basis="written")  # fmt: skip
        for name in ("Riverton County Jail", "Riverton County Annex"):
            _answer(store, rid, key, ids[name], "outside_control",
                    narrative="Outside our control — operated by Riverton County Sheriff "
                    "(county). The sheriff decides.")  # fmt: skip
    return rid, ids


def _pdf_text(path: Path) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(path).pages
    )


def test_facilities_with_the_same_answer_are_stated_once_per_question(store: Store) -> None:
    rid, _ = _response(store)
    letter = letters.composed_letter(store, rid)
    for part in letter.answers[:3]:
        text = part.text
        assert text.count("North Holding Facility") == 1, text
        assert text.count("South Holding Facility") == 1, text
        assert text.count("Riverton County Jail") == 1, text
        # What both city facilities say is said once, and the county's statement once.
        assert text.count("Only with a judicial warrant.") == 1, text
        assert text.count("The sheriff decides.") == 1, text
        assert "the North Holding Facility and the South Holding Facility" in text
        assert "the Riverton County Annex and the Riverton County Jail" in text
        # Jurisdesk's suggested sentence for a facility outside control never prints.
        assert "Outside our control" not in text
        assert "This rests on written policy." in text
    # Who runs the county's facilities is said once, in the opening.
    assert "run by the Riverton County Sheriff" in letter.opening.text
    assert [p.heading for p in letter.answers[:3]] == ["Question 1", "Question 2", "Question 3"]
    definition = questionnaires.get(PSP, 2)
    federal = [q for q in definition.questions if q.is_federal]
    for part, question in zip(letter.answers, federal, strict=False):
        assert question.issued is not None
        assert part.quoted == question.issued.text


def test_the_draft_uses_the_profile_for_letterhead_addressee_and_signer(store: Store) -> None:
    rid, _ = _response(store)
    letter = letters.composed_letter(store, rid)
    assert letter.letterhead.street == "Office of the City Attorney, 200 Main Street"
    assert letter.letterhead.city_state_zip == "Riverton, CA 95000"
    assert letter.addressee == (
        "Alan R. Hanson",
        "Acting Assistant Attorney General",
        "U.S. Department of Justice",
        "Office of Justice Programs",
        "Washington, DC 20531",
    )
    assert letter.reference.text.startswith("Your letter of August 3, 2017 to Chief of Police")
    assert letter.salutation.text == "Dear Acting Assistant Attorney General Hanson:"
    assert letter.signer is not None
    assert letter.signer.name == "Jordan Hale"
    assert "as of August 10, 2017" in letter.closing.text


def test_an_edited_paragraph_is_flagged_when_the_answers_change(store: Store) -> None:
    rid, ids = _response(store)
    state = letters.state(store, rid)
    notice = state.letter.part("notice")
    mine = "We give no release notice without a judicial warrant."
    edits = state.edits.with_text("notice", EditedText(mine, notice.drafted))
    version = letters.save(store, rid, edits, expected_version=state.version)

    edited = letters.composed_letter(store, rid).part("notice")
    assert edited.text == mine
    assert edited.edited
    assert not edited.out_of_date

    _answer(store, rid, "notice", ids["North Holding Facility"], "yes", basis="practice")
    stale = letters.composed_letter(store, rid).part("notice")
    assert stale.out_of_date
    assert stale.text == mine  # what the office wrote is kept, never overwritten
    assert "yes" in stale.drafted.lower()
    assert stale.drafted != notice.drafted

    # Keeping it: the office says its text stands against the new draft.
    state = letters.state(store, rid)
    kept = state.edits.with_text("notice", EditedText(mine, stale.drafted))
    letters.save(store, rid, kept, expected_version=state.version)
    assert not letters.composed_letter(store, rid).part("notice").out_of_date
    assert version < letters.state(store, rid).version


def test_saving_the_letter_refuses_stale_versions_locked_responses_and_unknown_questions(
    store: Store,
) -> None:
    rid, _ = _response(store)
    state = letters.state(store, rid)
    letters.save(store, rid, LetterEdits(date=date(2017, 8, 14)), expected_version=state.version)
    with pytest.raises(Conflict):
        letters.save(
            store, rid, LetterEdits(date=date(2017, 8, 15)), expected_version=state.version
        )
    state = letters.state(store, rid)
    with pytest.raises(InvalidInput, match="not a question"):
        letters.save(
            store,
            rid,
            LetterEdits(answers={"nonsense": EditedText("x")}),
            expected_version=state.version,
        )
    responses.submit_for_review(store, rid)
    state = letters.state(store, rid)
    assert not state.editable
    with pytest.raises(Locked):
        letters.save(store, rid, LetterEdits(), expected_version=state.version)
    # Every save is in the trail, with what the letter said before and after.
    with store.reading() as session:
        fields = session.scalars(
            select(models.AuditEntry.field).where(models.AuditEntry.field == "letter")
        ).all()
    assert len(fields) == 1


def test_bad_edits_name_the_member() -> None:
    with pytest.raises(InvalidInput) as caught:
        from_json({"date": "14/08/2017", "colour": "red", "signer": {"title": "x"}})
    fields = {p.field for p in caught.value.problems}
    assert fields == {"date", "colour", "signer.name"}
    assert from_json({"date": "2017-08-14"}).date == date(2017, 8, 14)
    assert from_json({"date": "2017-08-14"}).to_json() == {"date": "2017-08-14"}


def _approve(store: Store, rid: int) -> None:
    responses.submit_for_review(store, rid)
    approve_as_read(store, rid, "Morgan Reyes", "City Attorney")


def test_approval_freezes_the_letter_and_prints_it_from_the_record(
    store: Store, tmp_path: Path
) -> None:
    rid, ids = _response(store)
    state = letters.state(store, rid)
    opening = "On behalf of the City of Riverton, I answer your letter of August 3, 2017."
    edits = LetterEdits(
        date=date(2017, 8, 14),
        cc=("Mayor of Riverton",),
        signer={"name": "Jordan Hale", "title": "City Attorney", "office": "City of Riverton"},
    ).with_text("opening", EditedText(opening, state.letter.opening.drafted))
    letters.save(store, rid, edits, expected_version=state.version)
    _approve(store, rid)

    with store.reading() as session:
        kept = json.loads(session.get(models.Response, rid).approved_snapshot)
    assert kept["letter"]["opening"]["text"] == opening
    assert kept["letter_edits"]["date"] == "2017-08-14"
    before = letters.composed_letter(store, rid)
    assert not before.draft
    assert before.dated == date(2017, 8, 14)

    # Records edited after approval change neither the composed nor the printed letter.
    facility = records.get(store, "facility", ids["North Holding Facility"])
    records.update(store, "facility", facility.id, {"name": "Renamed"}, facility.version)
    assert letters.composed_letter(store, rid) == before
    first = exports.export_letter(store, rid, tmp_path / "a.pdf")
    text = _pdf_text(first.path)
    assert "August 14, 2017" in text
    assert opening in text
    assert "cc: Mayor of Riverton" in text
    assert "Renamed" not in text
    assert "DRAFT" not in text
    assert first.filing is not None
    assert first.filing.format == "pdf"

    word = exports.export_letter(store, rid, tmp_path / "a.docx", format="docx")
    assert word.filing is not None
    assert word.filing.format == "docx"
    document = docx.Document(str(word.path))
    words = "\n".join(p.text for p in document.paragraphs)
    assert opening in words
    assert "August 14, 2017" in words
    assert questionnaires.get(PSP, 2).questions[0].issued.text in words  # type: ignore[union-attr]
    assert len(exports.list_filings(store, rid)) == 2

    # Reopened, it is composed from the records again.
    responses.reopen(store, rid, "a correction")
    assert "Renamed" in letters.composed_letter(store, rid).part("access").text


def test_approval_refuses_an_out_of_date_paragraph_and_placeholder_text(store: Store) -> None:
    rid, _ids = _response(store)
    state = letters.state(store, rid)
    edits = state.edits.with_text("hold", EditedText("Our own words.", "an older draft"))
    letters.save(store, rid, edits, expected_version=state.version)
    responses.submit_for_review(store, rid)
    with pytest.raises(WorkflowError, match="Question 3 was rewritten"):
        approve_as_read(store, rid, "Morgan Reyes", "City Attorney")
    responses.return_to_draft(store, rid, "update the letter")

    state = letters.state(store, rid)
    fixed = LetterEdits(cc=("Chief of Police (name TBD)",))
    letters.save(store, rid, fixed, expected_version=state.version)
    # Placeholder text in what the letter prints blocks sending it for review at all.
    with pytest.raises(WorkflowError):
        responses.submit_for_review(store, rid)
    state = letters.state(store, rid)
    letters.save(store, rid, LetterEdits(cc=("Pat Example",)), expected_version=state.version)
    _approve(store, rid)
    assert responses.get_response(store, rid).summary.status == "approved"


@pytest.fixture
def spanish() -> object:
    saved = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, "es_ES.UTF-8")
    except locale.Error:
        pytest.skip("the es_ES.UTF-8 locale is not installed")
    yield
    locale.setlocale(locale.LC_TIME, saved)


def test_the_letter_date_the_office_set_prints_in_english_under_any_locale(
    store: Store, tmp_path: Path, spanish: object
) -> None:
    rid, _ = _response(store)
    state = letters.state(store, rid)
    letters.save(store, rid, LetterEdits(date=date(2017, 8, 14)), expected_version=state.version)
    pdf = _pdf_text(exports.export_letter(store, rid, tmp_path / "l.pdf").path)
    word = exports.export_letter(store, rid, tmp_path / "l.docx", format="docx").path
    words = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    for text in (pdf, words):
        assert "August 14, 2017" in text
        assert "agosto" not in text


def test_an_unknown_letter_format_is_refused(store: Store, tmp_path: Path) -> None:
    rid, _ = _response(store)
    with pytest.raises(Exception, match="Unknown letter format"):
        exports.export_letter(store, rid, tmp_path / "l.odt", format="odt")
    assert not (tmp_path / "l.odt").exists()
