"""Jurisdesk's draft of the letter, written from the answers, and the office's edits applied.

A city attorney signs the letter, so the draft reads as a letter, not as a form: one paragraph
per federal question; facilities with the same answer are named together and what is said of
them is said once; a facility the jurisdiction does not run is said to be outside its control
once per question, naming who runs it; the legal basis is cited by its reference, with full
citations listed under "Authorities cited"; evidence is enclosed as numbered exhibits.

Pure functions over the report model (app.reports.model.Letter): the same answers give the
same draft, which is what lets a rewritten paragraph be flagged when the answers change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from app import questionnaires
from app.letter.composed import ComposedLetter, Exhibit, Letterhead, LetterPart, Signer
from app.letter.edits import LetterEdits
from app.reports.bidi import paragraph_level
from app.reports.model import (
    AnswerView,
    EvidenceView,
    FacilityView,
    InstrumentView,
    JurisdictionView,
    Letter,
    QuestionView,
    RequestView,
)
from app.reports.text import long_date, with_article
from app.vocabulary import PolicyBasis

_BODIES = re.compile(
    r"(sheriff|sheriff's office|sheriff’s office|department|office|agency|"
    r"system|center|centre|jail|facility|detention center)$",
    re.I,
)


def _the(name: str) -> str:
    """A facility or agency named inside a sentence: "the Metropolitan Detention Center",
    "the San Bernardino County Sheriff", "Bernalillo County"."""
    article = with_article(name)
    if article != name or name.lower().startswith("the "):
        return article
    return f"the {name}" if _BODIES.search(name.strip()) else name


def _facility(name: str) -> str:
    """A facility named inside a sentence: "the Prisoner Transport Center"."""
    return name if name.lower().startswith("the ") else f"the {name}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_ENDED = tuple(a + b for a in ".!?" for b in ')"”’')


def _sentence(text: str | None) -> str:
    """The text as a sentence: trimmed, ending with a full stop unless it ends otherwise."""
    text = (text or "").strip()
    if not text:
        return ""
    # "(2017)" still needs its full stop; "… (as enclosed.)" and a closing quote do not.
    if not (text[-1] in ".!?" or text.endswith(_ENDED)):
        text += "."
    # What the office typed keeps its own capitals: "eBay", "word00001".
    return text


def _join(parts: Iterable[str]) -> str:
    """Sentences run on in one paragraph; but a paragraph the office wrote in Hebrew or Arabic
    stays a paragraph of its own, so no English sentence of the letter is set inside it, read
    from the right."""
    text = ""
    for part in parts:
        if not part:
            continue
        if text:
            rtl_boundary = (
                paragraph_level(text.rsplit("\n", 1)[-1]) == 1
                or paragraph_level(part.split("\n", 1)[0]) == 1
            )
            text += "\n\n" if rtl_boundary else " "
        text += part
    return text


def _names(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _unique(texts: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        if text and text.strip():
            seen.setdefault(text.strip(), None)
    return list(seen)


# ------------------------------------------------------------------------------ letterhead


_PHONE = re.compile(r"^(?:(?:tel|phone|telephone)\.?:?\s*)?\+?[\d(][\d\s().-]{6,}\d$", re.I)
_CITY_LINE = re.compile(r",\s*[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?$")


def letterhead_of(jurisdiction: JurisdictionView) -> Letterhead:
    """The letterhead drafted from the jurisdiction's profile: its name, the police agency
    and the letterhead address, read as street, city/state/ZIP and phone lines."""
    lines = list(jurisdiction.letterhead.address_lines)
    phone = next((line for line in lines if _PHONE.match(line)), None)
    if phone is not None:
        lines.remove(phone)
    city = next((line for line in reversed(lines) if _CITY_LINE.search(line)), None)
    if city is not None:
        lines.remove(city)
    return Letterhead(
        name=jurisdiction.name,
        office=jurisdiction.police_agency or None,
        street=", ".join(lines) or None,
        city_state_zip=city,
        phone=phone,
    )


# ------------------------------------------------------------------------------ addressee

_STATE_ZIP = re.compile(r"^[A-Z]{2}\s+\d{5}")


def _office_lines(office: str) -> list[str]:
    """ "U.S. Department of Justice, Office of Justice Programs, Washington, DC 20531" as the
    lines of an address block, keeping "Washington, DC 20531" on one line."""
    pieces = [p.strip() for p in office.split(",") if p.strip()]
    lines: list[str] = []
    for piece in pieces:
        if lines and _STATE_ZIP.match(piece):
            lines[-1] = f"{lines[-1]}, {piece}"
        else:
            lines.append(piece)
    return lines


def addressee_of(letter: Letter) -> tuple[str, ...]:
    request = letter.response.request
    if request is None:
        return tuple(_office_lines(letter.response.issuer))
    lines = [x for x in (request.signer, request.signer_title) if x]
    lines.extend(_office_lines(request.issuing_office))
    return tuple(lines)


def _addressee_short(letter: Letter) -> str:
    request = letter.response.request
    if request is None or not request.signer:
        return letter.response.issuer
    if request.signer_title:
        return f"{request.signer}, {request.signer_title}"
    return request.signer


# ------------------------------------------------------------------------------ the frame


def _to_whom(request: RequestView) -> str:
    """ "to Police Commissioner Kevin Davis" from the request's addressee."""
    if not request.addressee:
        return ""
    if request.addressee_title:
        return f" to {request.addressee_title} {request.addressee}"
    return f" to {request.addressee}"


def _reference(letter: Letter) -> str:
    r = letter.response
    request = r.request
    if request is None or request.letter_date is None:
        return r.title
    text = f"Your letter of {long_date(request.letter_date)}{_to_whom(request)}"
    text += f" concerning the {r.program}"
    if request.reference:
        text += f" (your reference {request.reference})"
    return text


def _salutation(letter: Letter) -> str:
    request = letter.response.request
    if request is None or not request.signer:
        return "Dear Sir or Madam:"
    # "Dear Acting Assistant Attorney General Hanson:" — title and surname, as is customary.
    surname = request.signer.split()[-1]
    if request.signer_title:
        return f"Dear {request.signer_title} {surname}:"
    return f"Dear {request.signer}:"


def _federal(letter: Letter) -> list[QuestionView]:
    return [q for q in letter.response.letter_questions if q.federal]


def _opening(letter: Letter, signer: Signer | None) -> str:
    r = letter.response
    name = with_article(letter.jurisdiction.name)
    request = r.request
    if request is not None and request.letter_date is not None:
        to_whom = _to_whom(request)
        if signer is not None and request.addressee and signer.name == request.addressee:
            to_whom = " to me"  # the letter was addressed to the person who signs the reply
        opening = _sentence(
            f"On behalf of {name}, I write in response to your letter of "
            f"{long_date(request.letter_date)}{to_whom}"
        )
    else:
        opening = f"On behalf of {name}, I write in response to the {r.title}."
    federal = _federal(letter)
    if federal and all(q.issued_text is not None for q in federal):
        setting_out = "Each of your questions is set out below as issued, followed by our answer."
    elif any(q.issued_text is not None for q in federal):
        setting_out = (
            "Each of your questions is set out below, quoted as issued where we hold its exact "
            "wording and otherwise summarized, followed by our answer."
        )
    else:
        # Without the exact federal wording on record the letter must not claim to quote it.
        setting_out = "Each question is summarized below, followed by our answer."
    outside = _operators_outside(letter)
    facts = ""
    if outside:
        held = _names([_facility(f.name) for f in outside])
        runners = _names([_the(o) for o in _unique(f.operator_name for f in outside)])
        facts = (
            f" {_capital(name)} does not operate {held}, which "
            f"{'is' if len(outside) == 1 else 'are'} run by {runners}; "
            f"where a question concerns {'that facility' if len(outside) == 1 else 'them'}, "
            "we say so rather than answer for another government."
        )
    return f"{opening} {setting_out}{facts}"


def _operators_outside(letter: Letter) -> list[FacilityView]:
    return [f for f in letter.facilities if not f.sets_policy]


def _as_of(letter: Letter) -> date | None:
    """The one date every answer is stated as of, when they share one."""
    dates = {
        a.as_of
        for q in letter.response.letter_questions
        for a in q.answers
        if a.answered and a.as_of is not None
    }
    return dates.pop() if len(dates) == 1 else None


def _closing(letter: Letter, dated: date) -> str:
    name = with_article(letter.jurisdiction.name)
    as_of = _as_of(letter) or dated
    text = f"These answers state the position of {name} as of {long_date(as_of)}."
    runners = _unique(f.operator_name for f in _operators_outside(letter))
    if runners:
        text += (
            " Questions about the facilities we do not operate are best directed to "
            f"{_names([_the(r) for r in runners])}."
        )
    return text


# ------------------------------------------------------------------------------ answers

_PREFILLED = re.compile(r"^\s*Outside our control\s*[—–-]+\s*operated by [^.]*\.\s*", re.I)


def _narrative(answer: AnswerView) -> str:
    """What the office wrote, without the sentence Jurisdesk suggests for a facility outside
    its control: the drafted paragraph says that itself, once."""
    return _PREFILLED.sub("", answer.narrative or "").strip()


def _basis_sentence(basis: str | None) -> str:
    if basis == PolicyBasis.WRITTEN.value:
        return "This rests on written policy."
    if basis == PolicyBasis.PRACTICE.value:
        return "This is a matter of practice, not of written policy."
    if basis == PolicyBasis.BOTH.value:
        return "This rests on written policy and on practice."
    return ""


def _citation_sentence(instruments: Sequence[InstrumentView]) -> str:
    if not instruments:
        return ""
    return "See " + "; ".join(i.reference for i in instruments) + "."


def _exhibit_note(evidence: Sequence[EvidenceView], exhibits: dict[int, int]) -> str:
    numbers = sorted({exhibits[e.id] for e in evidence if e.id in exhibits})
    if not numbers:
        return ""
    listed = _names([str(n) for n in numbers])
    return f"(Enclosed as Exhibit{'s' if len(numbers) > 1 else ''} {listed}.)"


def _answer_sentences(
    answers: Sequence[AnswerView], exhibits: dict[int, int], common_as_of: date | None
) -> list[str]:
    """What a group of answers with the same answer says, each fact once."""
    first = answers[0]
    sentences = [_sentence(first.letter_text)]
    sentences.extend(_sentence(n) for n in _unique(_narrative(a) for a in answers))
    conditions = _unique(a.conditions for a in answers)
    if conditions:
        sentences.append("It is subject to these conditions: " + _sentence("; ".join(conditions)))
    sentences.append(_basis_sentence(first.basis))
    dates = {a.as_of for a in answers if a.as_of}
    if len(dates) == 1 and dates != {common_as_of}:
        sentences.append(f"This is the position as of {long_date(dates.pop())}.")
    sentences.append(_citation_sentence(_unique_instruments(answers)))
    sentences.append(_exhibit_note([e for a in answers for e in a.evidence], exhibits))
    return sentences


def _unique_instruments(answers: Sequence[AnswerView]) -> list[InstrumentView]:
    seen: dict[int, InstrumentView] = {}
    for answer in answers:
        for instrument in answer.instruments:
            seen.setdefault(instrument.id, instrument)
    return list(seen.values())


def _outside(answer: AnswerView) -> bool:
    facility = answer.facility
    return answer.result == questionnaires.OUTSIDE_CONTROL or (
        facility is not None and not facility.sets_policy
    )


@dataclass(frozen=True)
class _Group:
    facilities: tuple[FacilityView, ...]
    answers: tuple[AnswerView, ...]


def _groups(answers: Sequence[AnswerView]) -> list[_Group]:
    """Answers with the same answer, conditions, basis and authorities, in facility order."""
    keyed: dict[tuple[object, ...], list[AnswerView]] = {}
    for answer in answers:
        key = (
            answer.letter_text,
            (answer.conditions or "").strip(),
            answer.basis,
            tuple(i.id for i in answer.instruments),
        )
        keyed.setdefault(key, []).append(answer)
    return [
        _Group(tuple(a.facility for a in group if a.facility is not None), tuple(group))
        for group in keyed.values()
    ]


def _facility_paragraph(
    question: QuestionView,
    jurisdiction: str,
    exhibits: dict[int, int],
    common_as_of: date | None,
) -> str:
    answers = question.answers
    if not answers:
        return "We have no correctional or detention facility to report."
    name = with_article(jurisdiction)
    sentences: list[str] = []
    outside = [a for a in answers if _outside(a)]
    by_operator: dict[str, list[AnswerView]] = {}
    for answer in outside:
        assert answer.facility is not None
        by_operator.setdefault(answer.facility.operator_name, []).append(answer)
    for held in by_operator.values():
        # Who runs it is said once, in the opening; here only that we cannot answer for it.
        named = _names([_facility(a.facility.name) for a in held if a.facility is not None])
        many = len(held) > 1
        sentences.append(
            f"{_capital(name)} does not operate {named} and cannot answer for "
            f"{'them' if many else 'it'}."
        )
        sentences.extend(_sentence(n) for n in _unique(_narrative(a) for a in held))
        sentences.append(_citation_sentence(_unique_instruments(held)))
        sentences.append(_exhibit_note([e for a in held for e in a.evidence], exhibits))
    ours = [a for a in answers if not _outside(a)]
    answered = [a for a in ours if a.answered]
    groups = _groups(answered)
    for group in groups:
        said = _answer_sentences(group.answers, exhibits, common_as_of)
        if len(answers) > 1 or outside:
            named = _names([_facility(f.name) for f in group.facilities])
            operators = _unique(f.operator_name for f in group.facilities)
            # Who operates it, as the register names it ("the Albuquerque Police Department").
            runner = _the(operators[0]) if len(operators) == 1 else name
            first = said[0][:1].lower() + said[0][1:]
            said[0] = f"As to {named}, operated by {runner}: {first}"
        sentences.extend(said)
    waiting = [a.facility.name for a in ours if not a.answered and a.facility is not None]
    if waiting:
        sentences.append(
            f"We have not yet confirmed the position at {_names([_facility(w) for w in waiting])}."
        )
    return _join(sentences)


def _question_paragraph(
    question: QuestionView,
    follow_ups: Sequence[QuestionView],
    jurisdiction: str,
    exhibits: dict[int, int],
    common_as_of: date | None,
) -> str:
    if question.per_facility:
        text = _facility_paragraph(question, jurisdiction, exhibits, common_as_of)
    else:
        answered = [a for a in question.answers if a.answered or a.narrative]
        text = (
            _join(_answer_sentences(answered, exhibits, common_as_of))
            if answered
            else "We have not yet confirmed our answer."
        )
    more = [_statement(q, exhibits, common_as_of) for q in follow_ups]
    return _join([text, *more])


def _statement(question: QuestionView, exhibits: dict[int, int], common_as_of: date | None) -> str:
    """What was written for a prompt Jurisdesk adds: its words only, never the prompt."""
    sentences: list[str] = []
    for answer in question.answers:
        if not (answer.answered or answer.narrative):
            continue
        if answer.answered:
            sentences.append(_sentence(answer.letter_text))
        sentences.append(_sentence(_narrative(answer)))
        if answer.conditions:
            sentences.append(_sentence(answer.conditions))
        sentences.append(_basis_sentence(answer.basis))
        sentences.append(_citation_sentence(answer.instruments))
        sentences.append(_exhibit_note(answer.evidence, exhibits))
    return _join(sentences)


# ------------------------------------------------------------------------------ the letter


def authorities_of(letter: Letter) -> tuple[str, ...]:
    """Full citations of every instrument the printed answers cite, in order of citation."""
    seen: dict[int, InstrumentView] = {}
    for question in letter.response.letter_questions:
        for answer in question.answers:
            for instrument in answer.instruments:
                seen.setdefault(instrument.id, instrument)
    out = []
    for instrument in seen.values():
        # "Other" is the register's catch-all type: a letter names no type rather than that.
        parts = [instrument.type_label] if instrument.type_label != "Other" else []
        if instrument.issuing_body:
            parts.append(instrument.issuing_body)
        if instrument.adopted_on:
            parts.append(f"adopted {long_date(instrument.adopted_on)}")
        if instrument.effective_on:
            parts.append(f"effective {long_date(instrument.effective_on)}")
        described = f" {_capital(', '.join(parts))}." if parts else ""
        reference = instrument.reference.rstrip()
        out.append(f"{reference}{'' if reference.endswith('.') else '.'}{described}")
    return tuple(out)


def exhibits_of(letter: Letter) -> tuple[Exhibit, ...]:
    seen: dict[int, EvidenceView] = {}
    for question in letter.response.letter_questions:
        for answer in question.answers:
            for item in answer.evidence:
                seen.setdefault(item.id, item)
    return tuple(
        Exhibit(n, (item.description or item.filename).strip(), item.filename)
        for n, item in enumerate(seen.values(), start=1)
    )


def _exhibit_numbers(letter: Letter) -> dict[int, int]:
    numbers: dict[int, int] = {}
    for question in letter.response.letter_questions:
        for answer in question.answers:
            for item in answer.evidence:
                numbers.setdefault(item.id, len(numbers) + 1)
    return numbers


def drafted_answers(letter: Letter) -> list[LetterPart]:
    """One part per federal question (heading, the question as issued, the drafted answer),
    then one per statement the office added of its own, in letter order."""
    printed = letter.response.letter_questions
    exhibits = _exhibit_numbers(letter)
    common = _as_of(letter)
    federal = [q for q in printed if q.federal]
    keys = {q.key for q in federal}
    parts = []
    for question in federal:
        follow_ups = [q for q in printed if q.follows == question.key]
        text = _question_paragraph(question, follow_ups, letter.jurisdiction.name, exhibits, common)
        parts.append(
            LetterPart(
                key=question.key,
                text=text,
                drafted=text,
                heading=f"Question {question.number}",
                quoted=question.issued_text,
                summarised=None if question.issued_text is not None else question.text,
            )
        )
    for question in printed:
        if question.federal or question.follows in keys:
            continue
        text = _statement(question, exhibits, common)
        if text:
            parts.append(LetterPart(key=question.key, text=text, drafted=text))
    return parts


def _part(key: str, drafted: str, edits: LetterEdits, **extra: str | None) -> LetterPart:
    edited = edits.text_of(key)
    if edited is None:
        return LetterPart(key=key, text=drafted, drafted=drafted, **extra)  # type: ignore[arg-type]
    stale = edited.drafted is not None and edited.drafted.strip() != drafted.strip()
    return LetterPart(
        key=key,
        text=edited.text,
        drafted=drafted,
        edited=True,
        out_of_date=stale,
        **extra,
    )


def compose(
    letter: Letter,
    edits: LetterEdits,
    *,
    default_signer: Signer | None,
    draft: bool | None = None,
) -> ComposedLetter:
    """The letter as it prints: Jurisdesk's draft with the office's edits applied, each
    rewritten paragraph flagged when the draft it was rewritten from is no longer today's.

    The date is the one the office set, else the letter's own (approval day or today).
    """
    dated = edits.date or letter.dated
    head = letterhead_of(letter.jurisdiction)
    if edits.letterhead:
        head = Letterhead(
            name=edits.letterhead.get("name", head.name),
            office=edits.letterhead.get("office", head.office),
            street=edits.letterhead.get("street", head.street),
            city_state_zip=edits.letterhead.get("city_state_zip", head.city_state_zip),
            phone=edits.letterhead.get("phone", head.phone),
        )
    signer = default_signer
    if edits.signer is not None:
        signer = Signer(
            name=edits.signer["name"],
            title=edits.signer.get("title"),
            office=edits.signer.get("office"),
        )
    answers = tuple(
        _part(
            p.key,
            p.drafted,
            edits,
            heading=p.heading,
            quoted=p.quoted,
            summarised=p.summarised,
        )
        for p in drafted_answers(letter)
    )
    return ComposedLetter(
        jurisdiction=letter.jurisdiction.name,
        title=letter.response.title,
        questionnaire_key=letter.response.questionnaire_key,
        dated=dated,
        draft=letter.draft if draft is None else draft,
        letterhead=head,
        addressee=edits.addressee if edits.addressee is not None else addressee_of(letter),
        addressee_short=_addressee_short(letter),
        reference=_part("reference", _reference(letter), edits),
        salutation=_part("salutation", _salutation(letter), edits),
        opening=_part("opening", _opening(letter, signer), edits),
        answers=answers,
        closing=_part("closing", _closing(letter, dated), edits),
        signer=signer,
        cc=edits.cc,
        authorities=authorities_of(letter),
        exhibits=exhibits_of(letter),
    )


__all__ = [
    "addressee_of",
    "authorities_of",
    "compose",
    "drafted_answers",
    "exhibits_of",
    "letterhead_of",
    "with_article",
]
