"""The consistency checks of a response, run over its stored answers and the records it prints."""

from __future__ import annotations

import json
from collections.abc import Iterator

from app import models
from app.letter import edits as letter_edits
from app.questionnaires import AnswerValue, Questionnaire, checks
from app.questionnaires.checks import AnswerFacts, FacilityFacts, Finding
from app.vocabulary import JurisdictionKind, OperatorType

# The operator type that means "we run it", for each kind of jurisdiction.
_OWN_OPERATOR: dict[str, set[str]] = {
    JurisdictionKind.CITY.value: {OperatorType.CITY.value},
    JurisdictionKind.TOWN.value: {OperatorType.CITY.value},
    JurisdictionKind.COUNTY.value: {OperatorType.COUNTY.value},
    JurisdictionKind.CITY_COUNTY.value: {OperatorType.CITY.value, OperatorType.COUNTY.value},
    JurisdictionKind.STATE.value: {OperatorType.STATE.value},
}

# What the letter prints of the records behind it, for the placeholder check: (field, label).
_JURISDICTION_TEXTS = (
    ("name", "The jurisdiction's name"),
    ("letterhead_address", "The letterhead address"),
    ("police_agency", "The police agency"),
    ("chief_name", "The police chief's name"),
    ("chief_title", "The police chief's title"),
    ("chief_executive", "The chief executive's name"),
    ("chief_executive_title", "The chief executive's title"),
    ("chief_legal_officer", "The chief legal officer's name"),
    ("chief_legal_officer_title", "The chief legal officer's title"),
)
_REQUEST_TEXTS = (
    ("addressee", "The request's addressee"),
    ("addressee_title", "The addressee's title"),
    ("issuing_office", "The issuing office"),
    ("reference", "The request's reference"),
)
_INSTRUMENT_TEXTS = (("title", "title"), ("number", "number"), ("citation", "citation"))


def facility_facts(jurisdiction: models.Jurisdiction) -> list[FacilityFacts]:
    own = _OWN_OPERATOR.get(jurisdiction.kind or "", set())
    return [
        FacilityFacts(str(f.id), f.name, f.operator_type in own, bool(f.sets_policy))
        for f in sorted(jurisdiction.facilities, key=lambda f: (f.name.lower(), f.id))
    ]


def _answer_facts(answer: models.Answer) -> AnswerFacts:
    # Stored JSON; dates stay ISO text, which is all a check needs of them.
    value = None if answer.value is None else json.loads(answer.value)
    texts = [("Narrative", answer.narrative), ("Conditions", answer.conditions)]
    facility_key = None if answer.facility_id is None else str(answer.facility_id)
    return AnswerFacts(
        AnswerValue(answer.question_key, facility_key, value, answer.result),
        basis=answer.basis,
        cited=len(answer.instruments),
        texts=tuple((what, text) for what, text in texts if text),
    )


def _printed(response: models.Response) -> Iterator[tuple[str, str]]:
    jurisdiction = response.jurisdiction
    for name, label in _JURISDICTION_TEXTS:
        if text := getattr(jurisdiction, name):
            yield label, text
    if response.request is not None:
        for name, label in _REQUEST_TEXTS:
            if text := getattr(response.request, name):
                yield label, text
    for facility in jurisdiction.facilities:
        yield f"The facility name “{facility.name}”", facility.name
        yield f"The operator of {facility.name}", facility.operator_name
    if response.letter_edits:
        yield from letter_edits.from_text(response.letter_edits).printed_texts()
    # Enclosed files are listed by their description, as the letter's exhibits.
    enclosed = {e.id: e for a in response.answers for e in a.evidence}
    for item in enclosed.values():
        if item.description:
            yield f"The description of the enclosed “{item.filename}”", item.description
    cited = {i.id: i for a in response.answers for i in a.instruments}
    for instrument in cited.values():
        for name, label in _INSTRUMENT_TEXTS:
            if text := getattr(instrument, name):
                yield f"The {label} of the cited “{instrument.title}”", text


def findings(definition: Questionnaire, response: models.Response) -> tuple[Finding, ...]:
    """What the questionnaire's checks find in the response as stored now."""
    return tuple(
        checks.check(
            definition,
            [_answer_facts(a) for a in response.answers],
            facility_facts(response.jurisdiction),
            _printed(response),
        )
    )
