"""The response letter as the office composes it: read, edit, approve, print.

Jurisdesk drafts the whole letter from the answers (app.letter.drafting); the office changes
what it wants (app.letter.edits), stored with the response. Approving freezes the composed
letter into the approved record, and an approved letter always prints from that copy.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from app import models, questionnaires
from app.letter import drafting
from app.letter import edits as letter_edits
from app.letter.composed import ComposedLetter, Signer
from app.letter.edits import LetterEdits
from app.questionnaires import checks
from app.reports import model
from app.services import audit, records, responses, staff
from app.services.errors import FieldProblem, InvalidInput, UserError
from app.services.responses import ResponseSummary, ReviewChanged
from app.services.store import Store
from app.vocabulary import ContactRole


@dataclass(frozen=True)
class LetterState:
    """A response's letter as its editor shows it."""

    response_id: int
    # The response's version the edits belong to: saving with it refuses a stale save.
    version: int
    edits: LetterEdits
    letter: ComposedLetter
    # Whether the office may still change it (a draft response).
    editable: bool
    # People the letter can be signed by: the jurisdiction's contacts and its chief legal
    # officer, placeholders left out.
    signers: tuple[Signer, ...]
    # For a draft, what the letter is composed from and the signer it has until the office
    # picks one: the editor composes again from unsaved edits without reading the database.
    view: model.Letter | None = None
    default_signer: Signer | None = None

    def compose(self, edits: LetterEdits) -> ComposedLetter:
        """The letter with these edits (no database access: safe on a pool thread); once the
        response is no longer a draft, the letter as it stands."""
        if self.view is None:
            return self.letter
        return drafting.compose(self.view, edits, default_signer=self.default_signer)


def _contacts_as_signers(store: Store, jurisdiction_id: int) -> list[tuple[str, Signer]]:
    found = []
    for contact in records.list_records(store, "contact", jurisdiction_id):
        v = contact.values
        signer = Signer(v["name"], v["title"] or None, v["organization"] or None)
        found.append((v["role"] or "", signer))
    return found


def _printable(signer: Signer) -> bool:
    return all(checks.placeholder_in(x) is None for x in (signer.name, signer.title or ""))


def signers(store: Store, jurisdiction_id: int) -> tuple[Signer, ...]:
    """Who may sign: contacts first (signatories before others), then the chief legal officer
    named in the profile; entries with placeholder text ("name to be confirmed") are left out,
    since a letter is signed by a named person."""
    contacts = _contacts_as_signers(store, jurisdiction_id)
    ordered = [s for role, s in contacts if role == ContactRole.SIGNATORY.value]
    ordered += [s for role, s in contacts if role != ContactRole.SIGNATORY.value]
    jurisdiction = records.get(store, "jurisdiction", jurisdiction_id).values
    if jurisdiction["chief_legal_officer"]:
        ordered.append(
            Signer(
                jurisdiction["chief_legal_officer"],
                jurisdiction["chief_legal_officer_title"] or None,
                jurisdiction["name"],
            )
        )
    unique: dict[str, Signer] = {}
    for signer in ordered:
        if _printable(signer):
            unique.setdefault(signer.name.casefold(), signer)
    return tuple(unique.values())


def default_signer(store: Store, jurisdiction_id: int, view: model.Letter) -> Signer | None:
    """The signer a letter has until the office picks one: the approver once approved (the
    letters approved before the office could pick kept that), else the first signatory."""
    r = view.response
    if r.approved and r.approved_by:
        return Signer(r.approved_by, r.approver_title, view.jurisdiction.name)
    contacts = _contacts_as_signers(store, jurisdiction_id)
    for role, signer in contacts:
        if role == ContactRole.SIGNATORY.value and _printable(signer):
            return signer
    # Else the chief legal officer named in the profile, who signs for the jurisdiction.
    j = view.jurisdiction
    if j.chief_legal_officer and checks.placeholder_in(j.chief_legal_officer) is None:
        return Signer(j.chief_legal_officer, j.chief_legal_officer_title, j.name)
    return None


def _stored_edits(store: Store, response_id: int) -> tuple[LetterEdits, int, str, int]:
    """The edits kept with the response, its version, status and jurisdiction."""
    with store.reading() as session:
        row = session.get(models.Response, response_id)
        if row is None:
            raise UserError(f"There is no response with id {response_id}.")
        return (
            letter_edits.from_text(row.letter_edits),
            row.version,
            row.status,
            row.jurisdiction_id,
        )


def composed_letter(store: Store, response_id: int, *, today: date | None = None) -> ComposedLetter:
    """The letter as it prints now. An approved letter is the one frozen at approval; a
    response approved before letters were composed is composed from its approved record."""
    approved = responses.as_approved(store, response_id)
    if approved is not None and approved.record.letter is not None:
        try:
            return ComposedLetter.from_frozen(approved.record.letter)
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError(
                "The letter kept when this response was approved is damaged, so it cannot be "
                "printed as approved. Restore a backup, or reopen and approve the response again."
            ) from exc
    return _compose(store, response_id, today=today)


def _compose(
    store: Store,
    response_id: int,
    *,
    today: date | None = None,
    signer_if_none: Signer | None = None,
    draft: bool | None = None,
) -> ComposedLetter:
    view = model.letter(store, response_id, today=today)
    approved = responses.as_approved(store, response_id)
    if approved is not None:
        edits = letter_edits.from_text(approved.record.letter_edits)
        jurisdiction_id = approved.detail.summary.jurisdiction_id
    else:
        edits, _, _, jurisdiction_id = _stored_edits(store, response_id)
    signer = default_signer(store, jurisdiction_id, view) or signer_if_none
    return drafting.compose(view, edits, default_signer=signer, draft=draft)


def state(store: Store, response_id: int, *, today: date | None = None) -> LetterState:
    """Everything the letter's editor shows, read once."""
    edits, version, status, jurisdiction_id = _stored_edits(store, response_id)
    view: model.Letter | None = None
    signer: Signer | None = None
    if status == "draft":
        view = model.letter(store, response_id, today=today)
        signer = default_signer(store, jurisdiction_id, view)
        letter = drafting.compose(view, edits, default_signer=signer)
    else:
        letter = composed_letter(store, response_id, today=today)
    return LetterState(
        response_id=response_id,
        version=version,
        edits=edits,
        letter=letter,
        editable=view is not None,
        signers=signers(store, jurisdiction_id),
        view=view,
        default_signer=signer,
    )


def _question_keys(response: models.Response) -> set[str]:
    definition = questionnaires.get(response.questionnaire_key, response.questionnaire_version)
    return {q.key for q in definition.questions}


def save(
    store: Store, response_id: int, edits: LetterEdits, *, expected_version: int | None
) -> int:
    """Stores the office's edits of the letter; returns the response's new version.

    Refused (Conflict) when the response changed since `expected_version`, and (Locked) once
    it is in review or approved: what the approver reads is what is approved.
    """
    with store.transaction() as session:
        row = session.get(models.Response, response_id)
        if row is None:
            raise UserError(f"There is no response with id {response_id}.")
        responses._check_version(row, expected_version)
        records.ensure_unlocked(session, row)
        unknown = sorted(set(edits.answers) - _question_keys(row))
        if unknown:
            raise InvalidInput(
                [
                    FieldProblem(
                        f"answers.{unknown[0]}",
                        "Answer paragraphs",
                        f"“{unknown[0]}” is not a question of this questionnaire.",
                    )
                ]
            )
        text = edits.to_text()
        if text != row.letter_edits:
            audit.record(session, store.actor, "update", row, field="letter",
                         old=row.letter_edits, new=text)  # fmt: skip
            row.letter_edits = text
        session.flush()
        return row.version


def approve(
    store: Store,
    response_id: int,
    approver_id: int,
    *,
    seen_state: str | None,
    acknowledged: Collection[str] = (),
    reviewer_id: int | None = None,
    expected_version: int | None = None,
) -> ResponseSummary:
    """Approves the response (see responses.approve) and freezes its letter as composed now.

    Refused while a rewritten paragraph is out of date (the answers changed after it was
    rewritten: someone must decide which text goes out) or the letter prints placeholder text.
    """
    before = responses.get_response(store, response_id).review_state
    if before is None:
        # Not in review: the workflow refuses it, with its own reason.
        return responses.approve(store, response_id, approver_id, seen_state=seen_state,
                                 acknowledged=acknowledged, reviewer_id=reviewer_id,
                                 expected_version=expected_version)  # fmt: skip
    approver = staff.get(store, approver_id)
    letter = _compose(
        store,
        response_id,
        signer_if_none=Signer(approver.name, approver.title or None, None),
        draft=False,
    )
    refusal = None
    stale = letter.out_of_date
    placeholder = checks.placeholder_in(letter.body_text)
    if stale:
        where = stale[0].heading or _PART_NAMES.get(stale[0].key, stale[0].key)
        refusal = (
            f"The letter's paragraph for {where} was rewritten before the answers changed, so "
            "it may no longer match them. Send the response back to draft, then in the Letter "
            "step keep your text or use the new draft, before approving."
        )
    elif placeholder is not None:
        refusal = (
            f"The letter still says “{placeholder}”. Replace it with the final wording (in the "
            "Letter step or the record it comes from) before approving."
        )
    after = responses.get_response(store, response_id).review_state
    if before != after:
        raise ReviewChanged(
            "Something this response prints changed while it was being approved. Reload it "
            "and read it again before approving."
        )
    return responses.approve(
        store,
        response_id,
        approver_id,
        seen_state=seen_state,
        acknowledged=acknowledged,
        reviewer_id=reviewer_id,
        expected_version=expected_version,
        letter=letter.frozen_text(),
        letter_state=before,
        letter_refusal=refusal,
    )


_PART_NAMES = {
    "reference": "the reference line",
    "salutation": "the salutation",
    "opening": "the opening",
    "closing": "the closing",
}


__all__ = [
    "LetterState",
    "approve",
    "composed_letter",
    "default_signer",
    "save",
    "signers",
    "state",
]
