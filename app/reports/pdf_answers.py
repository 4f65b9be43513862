"""Questions and their answers as flowables, as the full report prints them (the letter says
the same in its own words: app.letter.drafting)."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether

from app import questionnaires
from app.reports import fonts
from app.reports.model import AnswerView, QuestionView, long_date
from app.reports.paragraph import Paragraph
from app.reports.pdf_layout import Styles, field_line, heading, para, paragraphs, rich
from app.reports.text import with_article


def _answer_flowables(answer: AnswerView, jurisdiction_name: str, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    facility = answer.facility
    if facility is not None:
        operator = f"{facility.operator_name} ({facility.operator_type_label.lower()})"
        out.append(
            Paragraph(
                rich(facility.name, fonts.SERIF_BOLD)
                + rich(f" — operated by {operator}", fonts.SERIF),
                styles.h3,
                # An English sentence, whatever script the facility's name is written in.
                direction="ltr",
            )
        )
        if not facility.sets_policy:
            owner = with_article(jurisdiction_name)
            out.append(
                Paragraph(
                    rich(f"This facility is outside the control of {owner}", fonts.SERIF)
                    + rich(
                        f": {facility.operator_name} sets its policies and practices.", fonts.SERIF
                    ),
                    styles.body,
                )
            )
    if not answer.answered and not answer.narrative:
        out.append(para("No answer recorded.", styles.body, fonts.SERIF_ITALIC))
        return out
    if answer.value_text:
        out.extend(field_line("Answer", answer.value_text, styles.body))
    out.extend(paragraphs(answer.narrative, styles.body))
    out.extend(field_line("Conditions", answer.conditions, styles.body))
    details = []
    if answer.basis_label:
        details.append(f"Basis: {answer.basis_label}")
    if answer.as_of:
        details.append(f"as of {long_date(answer.as_of)}")
    if details:
        out.append(para("; ".join(details) + ".", styles.small))
    # Where the office got the facts is for its own file (the letter never prints it).
    out.extend(field_line("Information from", answer.information_source, styles.small))
    if answer.instruments:
        cited = "; ".join(i.reference for i in answer.instruments)
        out.extend(field_line("Authority cited", cited, styles.body))
    if answer.evidence:
        listed = "; ".join(e.filename for e in answer.evidence)
        out.extend(field_line("Evidence", listed, styles.small))
    return out


def _question_head(question: QuestionView, styles: Styles, level: int | None) -> list[Flowable]:
    if not question.federal:
        # The letter never prints Jurisdesk's own prompts; the office's file shows them as such.
        return [
            heading(f"Jurisdesk follow-up {question.number}", styles.h2, level),
            *paragraphs(question.text, styles.body),
        ]
    if question.issued_text is None:
        # The exact wording is not on record: the text is a paraphrase and says so.
        return [
            heading(f"Question {question.number}", styles.h2, level),
            *paragraphs(f"In substance: {question.text}", styles.body),
        ]
    return [
        heading(f"Question {question.number} (as issued)", styles.h2, level),
        *paragraphs(question.issued_text, styles.quote, fonts.SERIF_ITALIC),
        *field_line("Source", question.issued_source, styles.small),
        *field_line("In plain language", question.text, styles.small),
    ]


def question_flowables(
    question: QuestionView,
    jurisdiction_name: str,
    styles: Styles,
    *,
    level: int | None = None,
) -> list[Flowable]:
    """The question (as issued where on record), then its answer, or one answer per facility
    and a summary, as the full report prints them."""
    out: list[Flowable] = [KeepTogether(_question_head(question, styles, level))]
    if question.per_facility and question.answers:
        for answer in question.answers:
            out.extend(_answer_flowables(answer, jurisdiction_name, styles))
        summary = _summary_sentence(question)
        if summary:
            out.append(para(summary, styles.body, fonts.SERIF_ITALIC))
    elif question.per_facility:
        out.append(para("No detention facilities are recorded for this jurisdiction.", styles.body))
    else:
        for answer in question.answers:
            out.extend(_answer_flowables(answer, jurisdiction_name, styles))
    return out


def _summary_sentence(question: QuestionView) -> str | None:
    """The jurisdiction-level result of a per-facility question, in words."""
    result = question.combined_result
    if result is None or not all(answer.answered for answer in question.answers):
        # A summary over some facilities only would misstate the position of the others.
        return None
    if result == questionnaires.OUTSIDE_CONTROL:
        return "In summary, none of these facilities is under our control."
    if result == questionnaires.NOT_APPLICABLE:
        return "In summary, the question does not apply to these facilities."
    return f"In summary, for the facilities under our control: {question.combined_label}."
