"""The letter as it prints: every part resolved to its final text.

A ComposedLetter is what the PDF and Word writers lay out and what approval freezes into the
approved record: Jurisdesk's draft with the office's edits applied. It carries no database ids
and no screen wording, only what the reader of the letter reads.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

# The JSON form kept in the approved record ("letter" member); a newer form is refused there.
FROZEN_VERSION = 1


@dataclass(frozen=True)
class LetterPart:
    """One paragraph (or short block) of the letter.

    key: "reference", "salutation", "opening", "closing", or a question key.
    heading/quoted: for an answer to a federal question, "Question 1" and the question as
    issued (quoted is None where the exact wording is not on record and the heading says the
    question is summarised).
    drafted: what Jurisdesk drafts from the answers now; text differs from it where edited.
    out_of_date: edited, and the answers changed since, so the draft it was edited from is not
    today's draft.
    """

    key: str
    text: str
    drafted: str
    edited: bool = False
    out_of_date: bool = False
    heading: str | None = None
    quoted: str | None = None
    summarised: str | None = None


@dataclass(frozen=True)
class Letterhead:
    name: str
    office: str | None = None
    street: str | None = None
    city_state_zip: str | None = None
    phone: str | None = None

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines under the name, in the order a letterhead prints them."""
        return tuple(x for x in (self.office, self.street, self.city_state_zip, self.phone) if x)


@dataclass(frozen=True)
class Signer:
    name: str
    title: str | None = None
    office: str | None = None


@dataclass(frozen=True)
class Exhibit:
    number: int
    description: str
    filename: str


@dataclass(frozen=True)
class ComposedLetter:
    jurisdiction: str
    title: str  # the questionnaire's title, for the document's metadata
    questionnaire_key: str
    dated: date
    draft: bool
    letterhead: Letterhead
    addressee: tuple[str, ...]
    # The short form continuation pages carry: "Alan R. Hanson, Acting Assistant Attorney General".
    addressee_short: str
    reference: LetterPart
    salutation: LetterPart
    opening: LetterPart
    # One per federal question, then the office's own statement(s), in letter order.
    answers: tuple[LetterPart, ...]
    closing: LetterPart
    signer: Signer | None
    cc: tuple[str, ...]
    # Full citations of every instrument the answers cite, in order of first citation.
    authorities: tuple[str, ...]
    exhibits: tuple[Exhibit, ...]

    @property
    def parts(self) -> tuple[LetterPart, ...]:
        """Every editable paragraph in letter order."""
        return (self.reference, self.salutation, self.opening, *self.answers, self.closing)

    def part(self, key: str) -> LetterPart:
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(key)

    @property
    def out_of_date(self) -> tuple[LetterPart, ...]:
        return tuple(p for p in self.parts if p.out_of_date)

    @property
    def body_text(self) -> str:
        """Everything the letter says, as plain text (for checks and search)."""
        lines = [self.letterhead.name, *self.letterhead.lines, *self.addressee]
        for part in self.parts:
            lines.extend(x for x in (part.heading, part.quoted, part.summarised, part.text) if x)
        if self.signer:
            lines.extend(x for x in (self.signer.name, self.signer.title, self.signer.office) if x)
        lines.extend(self.cc)
        lines.extend(self.authorities)
        lines.extend(e.description for e in self.exhibits)
        return "\n".join(lines)

    # ------------------------------------------------------------------ frozen form

    def to_frozen(self) -> dict[str, Any]:
        """The form approval keeps: printing an approved letter reads this back, so a later
        Jurisdesk drafting differently never changes a letter that was approved."""
        document = asdict(self)
        document["dated"] = self.dated.isoformat()
        document["frozen_version"] = FROZEN_VERSION
        return document

    @staticmethod
    def from_frozen(document: dict[str, Any]) -> ComposedLetter:
        if document.get("frozen_version") != FROZEN_VERSION:
            raise ValueError("unknown frozen letter version")

        def part(raw: dict[str, Any]) -> LetterPart:
            return LetterPart(**raw)

        signer = document["signer"]
        return ComposedLetter(
            jurisdiction=document["jurisdiction"],
            title=document["title"],
            questionnaire_key=document["questionnaire_key"],
            dated=date.fromisoformat(document["dated"]),
            draft=document["draft"],
            letterhead=Letterhead(**document["letterhead"]),
            addressee=tuple(document["addressee"]),
            addressee_short=document["addressee_short"],
            reference=part(document["reference"]),
            salutation=part(document["salutation"]),
            opening=part(document["opening"]),
            answers=tuple(part(p) for p in document["answers"]),
            closing=part(document["closing"]),
            signer=None if signer is None else Signer(**signer),
            cc=tuple(document["cc"]),
            authorities=tuple(document["authorities"]),
            exhibits=tuple(Exhibit(**e) for e in document["exhibits"]),
        )

    def frozen_text(self) -> str:
        return json.dumps(self.to_frozen(), ensure_ascii=False, sort_keys=True)


__all__ = ["ComposedLetter", "Exhibit", "LetterPart", "Letterhead", "Signer"]
