"""Open federal requests, and what a new response starts from: request, questionnaire, preparer.

A request is *open* while no response linked to it has been marked submitted. A missed due
date does not close it: an overdue letter still needs its answer, and the dashboard shows it
as overdue. Among open requests, one nobody has started answering comes first, then the one
due soonest from today, then the most recently overdue, then those without a due date.

Requests do not name a questionnaire; the questionnaire is the installed definition whose
program the request's program names, e.g. "Public Safety Partnership", "PSP" or "Byrne JAG
FY2017", and whose fiscal year (if its program states one) is the request's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app import models, questionnaires
from app.questionnaires import Questionnaire
from app.services import staff
from app.services.store import Store
from app.vocabulary import ResponseStatus

# Words that name no program on their own ("Grant", "DOJ letter").
_GENERIC_WORDS = frozenset(
    {
        *("a", "an", "and", "the", "of", "for", "to", "in", "on", "by", "u", "s", "us"),
        *("doj", "department", "justice", "office", "federal", "fy"),
        *("program", "programs", "grant", "grants", "letter", "request", "questionnaire"),
    }
)
_YEAR = re.compile(r"\bfy\s*'?(\d{4}|\d{2})\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True)
class NewResponseDefaults:
    """What the New response dialog preselects; None where there is nothing to suggest."""

    request_id: int | None = None
    questionnaire_key: str | None = None
    due_on: date | None = None
    prepared_by: str | None = None
    # The questionnaire each of the jurisdiction's requests asks, where one is installed.
    questionnaire_by_request: Mapping[int, str] = field(default_factory=dict)
    # Names to offer as "Prepared by": active staff who prepare, by name.
    preparers: tuple[str, ...] = ()


def _words(text: str) -> list[str]:
    return re.sub(r"[^0-9a-z]+", " ", text.casefold().replace("&", " and ")).split()


def _fiscal_year(text: str) -> int | None:
    found = _YEAR.search(text)
    if found is None:
        return None
    year = int(found.group(1))
    return year if year > 99 else 2000 + year


def _aliases(program: str) -> list[list[str]]:
    """The ways a program is named: its name without years, and each acronym in brackets."""
    names = [_PARENTHESES.sub(" ", _YEAR.sub(" ", program))]
    names += _PARENTHESES.findall(program)
    aliases = []
    for name in names:
        words = [w for w in _words(name) if not re.fullmatch(r"\d{4}", w)]
        if words and not set(words) <= _GENERIC_WORDS:
            aliases.append(words)
    return aliases


def _contains(words: Sequence[str], part: Sequence[str]) -> bool:
    size = len(part)
    return any(list(words[i : i + size]) == list(part) for i in range(len(words) - size + 1))


def _names_program(request_program: str, definition_program: str) -> bool:
    request_words, definition_words = _words(request_program), _words(definition_program)
    return any(_contains(request_words, a) for a in _aliases(definition_program)) or any(
        _contains(definition_words, a) for a in _aliases(request_program)
    )


def questionnaire_for(
    program: str, fiscal_year: int | None, definitions: Sequence[Questionnaire]
) -> str | None:
    """The key of the one definition a request with this program asks, else None."""
    request_year = fiscal_year or _fiscal_year(program)
    matches: list[tuple[bool, str]] = []
    for definition in definitions:
        if not _names_program(program, definition.program):
            continue
        year = _fiscal_year(definition.program)
        if year is not None and request_year is not None and year != request_year:
            continue
        matches.append((year is not None and year == request_year, definition.key))
    exact = [key for same_year, key in matches if same_year]
    keys = exact or [key for _, key in matches]
    # Two programs that both fit: the user picks, rather than Jurisdesk guessing.
    return keys[0] if len(set(keys)) == 1 else None


def _order(
    request: models.FederalRequest, started: bool, today: date
) -> tuple[bool, int, int, int]:
    due = request.due_on
    if due is None:
        bucket, distance = 2, 0
    elif due >= today:
        bucket, distance = 0, (due - today).days
    else:
        bucket, distance = 1, (today - due).days
    return (started, bucket, distance, -request.id)


def _preparer(store: Store, names: Sequence[str]) -> str | None:
    """The person starting it if they prepare responses; else the office's only preparer."""
    for name in names:
        if staff.same_person(name, store.actor):
            return name
    return names[0] if len(names) == 1 else None


def new_response_defaults(
    store: Store,
    jurisdiction_id: int,
    *,
    definitions: Sequence[Questionnaire] | None = None,
    today: date | None = None,
) -> NewResponseDefaults:
    """The open request to answer (see the module's docstring), its questionnaire and due date,
    and who prepares it."""
    definitions = questionnaires.available() if definitions is None else definitions
    today = today or date.today()
    with store.reading() as session:
        requests = session.scalars(
            select(models.FederalRequest).where(
                models.FederalRequest.jurisdiction_id == jurisdiction_id
            )
        ).all()
        linked = session.execute(
            select(models.Response.request_id, models.Response.status).where(
                models.Response.jurisdiction_id == jurisdiction_id,
                models.Response.request_id.is_not(None),
            )
        ).all()
    statuses: dict[int, set[str]] = {}
    for request_id, status in linked:
        if request_id is not None:
            statuses.setdefault(request_id, set()).add(status)
    by_request = {
        r.id: key
        for r in requests
        if (key := questionnaire_for(r.program, r.fiscal_year, definitions)) is not None
    }
    open_requests = sorted(
        (r for r in requests if ResponseStatus.SUBMITTED.value not in statuses.get(r.id, set())),
        key=lambda r: _order(r, r.id in statuses, today),
    )
    preparers = tuple(
        entry.name for entry in staff.list_staff(store, role="prepares", active_only=True)
    )
    chosen = open_requests[0] if open_requests else None
    return NewResponseDefaults(
        request_id=chosen.id if chosen else None,
        questionnaire_key=by_request.get(chosen.id) if chosen else None,
        due_on=chosen.due_on if chosen else None,
        prepared_by=_preparer(store, preparers),
        questionnaire_by_request=by_request,
        preparers=preparers,
    )
