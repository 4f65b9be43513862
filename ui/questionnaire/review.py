"""The review step's text: every visible answer in prose, results, citations and what is missing."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app import questionnaires
from app.questionnaires import Missing, Question
from app.questionnaires.checks import Finding
from app.reports.text import long_date
from app.services.responses import FacilityRef
from app.vocabulary import PolicyBasis
from ui.common.colours import roles
from ui.questionnaire.drafts import Draft, Slot
from ui.questionnaire.facility_grid import operator_text

LINK_PREFIX = "step:"


def step_link(question_key: str, facility_id: int | None = None) -> str:
    return f"{LINK_PREFIX}{question_key}" + ("" if facility_id is None else f"@{facility_id}")


def parse_step_link(link: str) -> tuple[str, int | None] | None:
    if not link.startswith(LINK_PREFIX):
        return None
    key, _, facility = link[len(LINK_PREFIX) :].partition("@")
    return key, (int(facility) if facility else None)


@dataclass(frozen=True)
class ReviewInput:
    questions: Sequence[Question]  # the visible ones, in order
    facilities: Sequence[FacilityRef]
    drafts: Mapping[Slot, Draft]
    missing: Sequence[Missing]
    unsaved: Sequence[Slot]
    instrument_labels: Mapping[int, str]
    evidence_labels: Mapping[int, str]
    # What the questionnaire's checks found in the saved answers.
    findings: Sequence[Finding] = ()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _para(text: str) -> str:
    return "<br>".join(_e(line) for line in text.strip().splitlines())


def value_prose(question: Question, draft: Draft) -> str:
    value = draft.value
    if value in (None, "", []):
        return ""
    if question.has_choices:
        values = value if isinstance(value, list) else [str(value)]
        return "; ".join((c.label if (c := question.choice(v)) is not None else v) for v in values)
    if question.kind == "date" and not isinstance(value, str | list):
        return long_date(value)
    return str(value)


def _answer_html(question: Question, draft: Draft | None, data: ReviewInput) -> str:
    if draft is None or draft.value in (None, "", []):
        return f'<span style="color:{roles().warning}">Not answered.</span>'
    parts = []
    value = value_prose(question, draft)
    if question.kind == "long_text":
        parts.append(_para(value))
    else:
        parts.append(f"<b>{_e(value)}</b>")
        if draft.narrative.strip():
            parts.append("<br>" + _para(draft.narrative))
    if draft.basis:
        parts.append(f"<i>Rests on: {_e(PolicyBasis.of(draft.basis).label.lower())}.</i>")
    if draft.conditions.strip():
        parts.append(f"Conditions: {_para(draft.conditions)}")
    facts = []
    if draft.as_of:
        facts.append(f"as of {long_date(draft.as_of)}")
    if draft.information_source.strip():
        facts.append(f"source: {_e(draft.information_source.strip())}")
    if facts:
        parts.append(f"<span style='color:{roles().muted}'>({'; '.join(facts)})</span>")
    cited = [
        data.instrument_labels.get(i, f"instrument #{i}") for i in sorted(draft.instrument_ids)
    ]
    if cited:
        parts.append("Cites: " + "; ".join(_e(c) for c in cited) + ".")
    files = [data.evidence_labels.get(i, f"file #{i}") for i in sorted(draft.evidence_ids)]
    if files:
        parts.append("Evidence: " + "; ".join(_e(f) for f in files) + ".")
    if draft.errors:
        parts.append(
            f"<span style='color:{roles().error}'>Not saved: "
            + _e(" ".join(draft.errors.values()))
            + "</span>"
        )
    return " ".join(parts)


def _missing_html(data: ReviewInput) -> str:
    names = {str(f.id): f.name for f in data.facilities}
    rows = []
    for item in data.missing:
        where = f" — {names.get(item.facility_key or '', '')}" if item.facility_key else ""
        facility_id = int(item.facility_key) if item.facility_key else None
        rows.append(
            f'<li><a href="{step_link(item.question_key, facility_id)}">'
            f"Question {_e(item.number)}{_e(where)}</a></li>"
        )
    if not rows:
        return f"<p style='color:{roles().success}'><b>Every required answer is given.</b></p>"
    count = len(rows)
    noun = "answer is" if count == 1 else "answers are"
    return (
        f"<p style='color:{roles().error}'><b>{count} required {noun} missing.</b> "
        "Click one to go to it:</p><ul>" + "".join(rows) + "</ul>"
    )


def _findings_html(findings: Sequence[Finding]) -> str:
    """Errors (they block review and approval) first, then warnings (the approver accepts)."""
    out = []
    for is_error, heading, color in (
        (True, "must be corrected before it can be sent for review or approved", roles().error),
        (False, "for the approver to read and acknowledge", roles().warning),
    ):
        items = [f for f in findings if f.is_error is is_error]
        if not items:
            continue
        kind = ("Problem" if is_error else "Warning") + ("s" if len(items) > 1 else "")
        rows = []
        for item in items:
            text = _e(item.message)
            if item.question_key:
                facility_id = int(item.facility_key) if item.facility_key else None
                text = f'<a href="{step_link(item.question_key, facility_id)}">{text}</a>'
            rows.append(f"<li>{text}</li>")
        out.append(
            f"<p style='color:{color}'><b>{len(items)} {kind.lower()}</b> {heading}:</p>"
            f"<ul>{''.join(rows)}</ul>"
        )
    return "".join(out)


def review_html(data: ReviewInput) -> str:
    out = [_missing_html(data), _findings_html(data.findings)]
    if data.unsaved:
        out.append(
            f"<p style='color:{roles().error}'>"
            "Some answers are not saved yet; fix the marked fields.</p>"
        )
    for question in data.questions:
        link = step_link(question.key)
        name = "Question" if question.is_federal else "Jurisdesk follow-up"
        asked = question.issued.text if question.issued else question.text
        out.append(
            f"<h3><a href='{link}'>{name} {_e(question.number)}</a>"
            f"{'' if question.required else ' <small>(optional)</small>'}</h3>"
            f"<p>{_e(asked)}</p>"
        )
        if question.is_facility_scope and data.facilities:
            drafts = [data.drafts.get((question.key, f.id)) for f in data.facilities]
            typed = [
                questionnaires.AnswerValue(question.key, str(f.id), d.value, d.current_result())
                for f, d in zip(data.facilities, drafts, strict=True)
                if d is not None
            ]
            combined = questionnaires.question_result(
                question, typed, [str(f.id) for f in data.facilities]
            )
            label = questionnaires.result_label(combined) or "not answered yet"
            if combined == questionnaires.INCOMPLETE:
                label += " — some facilities are not answered yet"
            elif combined and any(d is None or questionnaires.is_empty(d.value) for d in drafts):
                # An optional question: what is answered so far stands as the result.
                label += " (so far: some facilities are not answered)"
            out.append(f"<p>Result for the jurisdiction: <b>{_e(label)}</b></p><ul>")
            for facility, draft in zip(data.facilities, drafts, strict=True):
                control = "we set policy" if facility.sets_policy else "we do not set policy"
                out.append(
                    f"<li><b>{_e(facility.name)}</b> ({_e(operator_text(facility))}; "
                    f"{control}): {_answer_html(question, draft, data)}</li>"
                )
            out.append("</ul>")
        else:
            draft = data.drafts.get((question.key, None))
            out.append(f"<p>{_answer_html(question, draft, data)}</p>")
    return "\n".join(out)
