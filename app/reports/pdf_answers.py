"""Questions and their answers as flowables, the same in the letter and the report."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Paragraph

from app import questionnaires
from app.reports import fonts
from app.reports.model import AnswerView, QuestionView, long_date
from app.reports.pdf_layout import Styles, field_line, heading, para, paragraphs, rich

# Names that read "the City of X"; a name such as "Baltimore City" takes no article.
_NAMES_WITH_ARTICLE = ("city of ", "county of ", "town of ", "village of ", "state of ",
                       "city and county of ", "borough of ", "township of ")  # fmt: skip


def with_article(name: str) -> str:
    """The name as it reads inside a sentence: "the City of X", but "Baltimore City"."""
    lowered = name.lower()
    if lowered.startswith("the ") or not lowered.startswith(_NAMES_WITH_ARTICLE):
        return name
    return f"the {name}"


def _answer_flowables(
    answer: AnswerView, jurisdiction_name: str, styles: Styles, *, in_letter: bool
) -> list[Flowable]:
    out: list[Flowable] = []
    facility = answer.facility
    if facility is not None:
        operator = f"{facility.operator_name} ({facility.operator_type_label.lower()})"
        out.append(
            Paragraph(
                rich(facility.name, fonts.SERIF_BOLD)
                + rich(f" — operated by {operator}", fonts.SERIF),
                styles.h3,
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
    stated = answer.letter_text if in_letter else answer.value_text
    if stated:
        out.extend(field_line("Answer", stated, styles.body))
    out.extend(paragraphs(answer.narrative, styles.body))
    out.extend(field_line("Conditions", answer.conditions, styles.body))
    details = []
    if answer.basis_label:
        details.append(f"Basis: {answer.basis_label}")
    if answer.as_of:
        details.append(f"as of {long_date(answer.as_of)}")
    if details:
        out.append(para("; ".join(details) + ".", styles.small))
    if not in_letter:
        # Where the office got the facts is for its own file: in a letter it would read as a
        # citation, and the letter's authorities are the instruments cited.
        out.extend(field_line("Information from", answer.information_source, styles.small))
    if answer.instruments:
        cited = "; ".join(i.reference for i in answer.instruments)
        out.extend(field_line("Authority cited", cited, styles.body))
    if answer.evidence and not in_letter:
        listed = "; ".join(e.filename for e in answer.evidence)
        out.extend(field_line("Evidence", listed, styles.small))
    return out


def statement_flowables(question: QuestionView, styles: Styles) -> list[Flowable]:
    """What was written for a prompt Jurisdesk adds, as plain paragraphs of the letter.

    The prompt itself is Jurisdesk's, not the federal government's, so only the answer prints.
    """
    out: list[Flowable] = []
    for answer in question.answers:
        if answer.answered:
            out.extend(paragraphs(answer.letter_text, styles.body))
        out.extend(paragraphs(answer.narrative, styles.body))
        out.extend(field_line("Conditions", answer.conditions, styles.body))
        if answer.instruments:
            cited = "; ".join(i.reference for i in answer.instruments)
            out.extend(field_line("Authority cited", cited, styles.body))
    return out


def _question_head(
    question: QuestionView, styles: Styles, *, in_letter: bool, level: int | None
) -> list[Flowable]:
    if not question.federal:
        # Only in the full report: the letter never prints Jurisdesk's own prompts.
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
    if in_letter:
        return [
            heading(f"Question {question.number}", styles.h2, level),
            *paragraphs(question.issued_text, styles.quote, fonts.SERIF_ITALIC),
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
    in_letter: bool,
    level: int | None = None,
    follow_ups: tuple[QuestionView, ...] = (),
) -> list[Flowable]:
    """The question (as issued where on record), then its answer, or one answer per facility
    and a summary; then what was written for its Jurisdesk follow-ups, without their prompts."""
    out: list[Flowable] = [
        KeepTogether(_question_head(question, styles, in_letter=in_letter, level=level))
    ]
    if question.per_facility and question.answers:
        for answer in question.answers:
            out.extend(_answer_flowables(answer, jurisdiction_name, styles, in_letter=in_letter))
        summary = _summary_sentence(question)
        if summary:
            out.append(para(summary, styles.body, fonts.SERIF_ITALIC))
    elif question.per_facility:
        out.append(para("No detention facilities are recorded for this jurisdiction.", styles.body))
    else:
        for answer in question.answers:
            out.extend(_answer_flowables(answer, jurisdiction_name, styles, in_letter=in_letter))
    for follow_up in follow_ups:
        out.extend(statement_flowables(follow_up, styles))
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
