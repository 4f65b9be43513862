"""What the office wrote into a response's letter over Jurisdesk's draft.

Jurisdesk drafts every part of the letter from the answers and the records (see
app.letter.drafting). The office may set the date, the letterhead, the addressee block, the
signer and the cc list, and rewrite any paragraph; only what it changed is stored, as one JSON
document in the response (``response.letter_edits``) and in the exchange format as
``responses[].letter``. Every member is optional: ``{"date": "2017-08-14"}`` is a whole,
valid set of edits, and ``{}`` is the letter exactly as drafted.

::

    {
      "date": "YYYY-MM-DD",
      "letterhead": {"name", "office", "street", "city_state_zip", "phone"},   # strings
      "addressee": ["line", ...],
      "reference" | "salutation" | "opening" | "closing": {"text": str, "drafted": str},
      "answers": {"<question key>": {"text": str, "drafted": str}, ...},
      "signer": {"name", "title", "office"},
      "cc": ["name, title", ...]
    }

A rewritten paragraph keeps, as ``drafted``, the text Jurisdesk had drafted when it was
rewritten: when the answers change, the draft changes, and the paragraph is shown as out of
date beside the new draft instead of silently printing what no longer matches the answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from app.services.errors import FieldProblem, InvalidInput

# The parts of a letter other than the answers that the office can rewrite, in letter order.
FRAME_PARTS = ("reference", "salutation", "opening", "closing")
LETTERHEAD_FIELDS = ("name", "office", "street", "city_state_zip", "phone")
SIGNER_FIELDS = ("name", "title", "office")

# Generous for a paragraph, small enough that a pasted document is caught as a mistake.
PARAGRAPH_LIMIT = 20_000
LINE_LIMIT = 400
MAX_LINES = 12

_LABELS = {
    "date": "Letter date",
    "letterhead": "Letterhead",
    "addressee": "Addressee",
    "reference": "Reference line",
    "salutation": "Salutation",
    "opening": "Opening paragraph",
    "closing": "Closing paragraph",
    "answers": "Answer paragraphs",
    "signer": "Signer",
    "cc": "Copies (cc)",
}


@dataclass(frozen=True)
class EditedText:
    """A paragraph the office rewrote, and the draft it rewrote (None: not known)."""

    text: str
    drafted: str | None = None


@dataclass(frozen=True)
class LetterEdits:
    """The office's changes to the drafted letter; empty members mean "as drafted"."""

    date: date | None = None
    letterhead: Mapping[str, str] = field(default_factory=dict)
    addressee: tuple[str, ...] | None = None
    frame: Mapping[str, EditedText] = field(default_factory=dict)
    answers: Mapping[str, EditedText] = field(default_factory=dict)
    signer: Mapping[str, str] | None = None
    cc: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self == LetterEdits()

    def with_text(self, key: str, text: EditedText | None) -> LetterEdits:
        """These edits with one paragraph rewritten (key: a frame part or a question key), or
        given back to Jurisdesk's draft (text None)."""
        if key in FRAME_PARTS:
            frame = dict(self.frame)
            _put(frame, key, text)
            return replace(self, frame=frame)
        answers = dict(self.answers)
        _put(answers, key, text)
        return replace(self, answers=answers)

    def text_of(self, key: str) -> EditedText | None:
        return self.frame.get(key) if key in FRAME_PARTS else self.answers.get(key)

    def printed_texts(self) -> Iterator[tuple[str, str]]:
        """Every text these edits put into the letter, as (what it is, text), for the
        placeholder check that guards what the letter prints."""
        for name in LETTERHEAD_FIELDS:
            if self.letterhead.get(name):
                yield "The letter's letterhead", self.letterhead[name]
        for line in self.addressee or ():
            yield "The letter's addressee block", line
        for key, edited in self.frame.items():
            yield f"The letter's {_LABELS[key].lower()}", edited.text
        for key, edited in self.answers.items():
            yield f"The letter's paragraph for “{key}”", edited.text
        for name in SIGNER_FIELDS:
            if self.signer and self.signer.get(name):
                yield "The letter's signer", self.signer[name]
        for line in self.cc:
            yield "The letter's cc list", line

    # ------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        """The edits as the exchange format and the database keep them (only what is set)."""
        out: dict[str, Any] = {}
        if self.date is not None:
            out["date"] = self.date.isoformat()
        if self.letterhead:
            out["letterhead"] = dict(sorted(self.letterhead.items()))
        if self.addressee is not None:
            out["addressee"] = list(self.addressee)
        for key in FRAME_PARTS:
            if key in self.frame:
                out[key] = _text_json(self.frame[key])
        if self.answers:
            out["answers"] = {k: _text_json(v) for k, v in sorted(self.answers.items())}
        if self.signer is not None:
            out["signer"] = dict(sorted(self.signer.items()))
        if self.cc:
            out["cc"] = list(self.cc)
        return out

    def to_text(self) -> str | None:
        """Stored form: None when nothing was changed, so an untouched letter stores nothing."""
        if self.empty:
            return None
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True)


def _put(target: dict[str, EditedText], key: str, text: EditedText | None) -> None:
    if text is None:
        target.pop(key, None)
    else:
        target[key] = text


def _text_json(edited: EditedText) -> dict[str, str]:
    out = {"text": edited.text}
    if edited.drafted is not None:
        out["drafted"] = edited.drafted
    return out


# ---------------------------------------------------------------------------- reading


class _Problems:
    def __init__(self, where: str) -> None:
        self.where = where
        self.found: list[FieldProblem] = []

    def add(self, member: str, message: str) -> None:
        top = member.split(".")[0]
        label = _LABELS.get(top, member)
        if member != top:
            label = f"{label} ({member.split('.', 1)[1]})"
        self.found.append(FieldProblem(member, label, message))


def _string(raw: Any, member: str, problems: _Problems, limit: int) -> str | None:
    if not isinstance(raw, str):
        problems.add(member, "must be text.")
        return None
    if len(raw) > limit:
        problems.add(member, f"is {len(raw):,} characters long; at most {limit:,} fit.")
        return None
    return raw


def _strings(raw: Any, member: str, problems: _Problems) -> tuple[str, ...] | None:
    if not isinstance(raw, list):
        problems.add(member, "must be a list of lines of text.")
        return None
    if len(raw) > MAX_LINES:
        problems.add(member, f"has {len(raw)} lines; at most {MAX_LINES} print.")
        return None
    lines = [_string(line, member, problems, LINE_LIMIT) for line in raw]
    if any(line is None for line in lines):
        return None
    return tuple(line.strip() for line in lines if line and line.strip())


def _mapping(raw: Any, member: str, names: tuple[str, ...], problems: _Problems) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.add(member, "must be an object with " + ", ".join(names) + ".")
        return {}
    out = {}
    for name, value in raw.items():
        if name not in names:
            problems.add(f"{member}.{name}", "is not a part of it (use " + ", ".join(names) + ").")
            continue
        text = _string(value, f"{member}.{name}", problems, LINE_LIMIT)
        if text is not None and text.strip():
            out[name] = text.strip()
    return out


def _edited(raw: Any, member: str, problems: _Problems) -> EditedText | None:
    if isinstance(raw, str):
        # A hand-written file may give the paragraph as plain text; it was not drafted from
        # anything this database knows, so it is never shown as out of date.
        raw = {"text": raw}
    if not isinstance(raw, dict) or "text" not in raw:
        problems.add(member, "must be an object with the paragraph's “text”.")
        return None
    unknown = set(raw) - {"text", "drafted"}
    if unknown:
        problems.add(member, f"has unknown member “{sorted(unknown)[0]}” (use text, drafted).")
    text = _string(raw["text"], member, problems, PARAGRAPH_LIMIT)
    drafted = raw.get("drafted")
    if drafted is not None:
        drafted = _string(drafted, f"{member}.drafted", problems, PARAGRAPH_LIMIT)
    if text is None:
        return None
    if not text.strip():
        problems.add(member, "is empty; remove it to print Jurisdesk's draft instead.")
        return None
    return EditedText(text.strip(), drafted)


def from_json(raw: Any, where: str = "The letter") -> LetterEdits:
    """Edits read from JSON; InvalidInput naming each wrong member, and nothing half-read."""
    problems = _Problems(where)
    if raw is None:
        return LetterEdits()
    if not isinstance(raw, dict):
        raise InvalidInput([FieldProblem("letter", where, "must be an object.")])
    known = {"date", "letterhead", "addressee", *FRAME_PARTS, "answers", "signer", "cc"}
    for name in sorted(set(raw) - known):
        problems.add(name, "is not a part of a letter (see the exchange format's “letter”).")
    day = None
    if "date" in raw and raw["date"] is not None:
        text = raw["date"]
        try:
            if not isinstance(text, str) or len(text) != 10:
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            problems.add("date", f"“{text}” is not a date; write it as YYYY-MM-DD.")
    letterhead = (
        _mapping(raw["letterhead"], "letterhead", LETTERHEAD_FIELDS, problems)
        if raw.get("letterhead") is not None
        else {}
    )
    addressee = None
    if raw.get("addressee") is not None:
        addressee = _strings(raw["addressee"], "addressee", problems)
    frame = {}
    for key in FRAME_PARTS:
        if raw.get(key) is not None:
            edited = _edited(raw[key], key, problems)
            if edited is not None:
                frame[key] = edited
    answers = {}
    if raw.get("answers") is not None:
        if not isinstance(raw["answers"], dict):
            problems.add("answers", "must be an object keyed by question.")
        else:
            for key, value in raw["answers"].items():
                edited = _edited(value, f"answers.{key}", problems)
                if edited is not None:
                    answers[str(key)] = edited
    signer = None
    if raw.get("signer") is not None:
        signer = _mapping(raw["signer"], "signer", SIGNER_FIELDS, problems)
        if signer and "name" not in signer:
            problems.add("signer.name", "is missing; a letter is signed by a named person.")
        signer = signer or None
    cc: tuple[str, ...] = ()
    if raw.get("cc") is not None:
        cc = _strings(raw["cc"], "cc", problems) or ()
    if problems.found:
        raise InvalidInput(problems.found)
    return LetterEdits(day, letterhead, addressee, frame, answers, signer, cc)


def from_text(text: str | None) -> LetterEdits:
    """Edits as stored in the database (None: none)."""
    if not text:
        return LetterEdits()
    return from_json(json.loads(text))


__all__ = [
    "FRAME_PARTS",
    "LETTERHEAD_FIELDS",
    "SIGNER_FIELDS",
    "EditedText",
    "LetterEdits",
    "from_json",
    "from_text",
]
