"""What each kind of record holds, as the user sees it: labels, limits and validation.

One description serves the services (validation), the GUI (forms and table columns) and the
exchange format (field names and types), so a field is spelled and checked the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from app import models
from app.models.base import Entity
from app.services.errors import FieldProblem, InvalidInput
from app.vocabulary import (
    US_STATES,
    AwardStatus,
    ConditionStatus,
    ContactRole,
    FacilityType,
    GovernmentLevel,
    InstrumentType,
    JurisdictionKind,
    LabelledEnum,
    OperatorType,
)


class FieldKind(Enum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # paragraphs
    INTEGER = "integer"
    DATE = "date"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    STATE = "state"  # USPS two-letter code
    REFERENCE = "reference"  # another record of the same jurisdiction, by id


LONG_TEXT_LIMIT = 100_000

# State (2), county (5), place (7: state + place code) or county subdivision (10) codes.
_FIPS = re.compile(r"^\d{2}(\d{3}|\d{5}|\d{8})?$")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_URL = re.compile(r"^(https?|ftp)://\S+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    max_length: int = 200
    choices: type[LabelledEnum] | None = None
    minimum: int | None = None
    maximum: int | None = None
    references: str | None = None  # the record kind a REFERENCE field points to
    pattern: str | None = None  # "fips", "url" or "email"
    help: str = ""

    def choice_items(self) -> list[tuple[str, str]]:
        return self.choices.choices() if self.choices else []

    def parse(self, raw: Any) -> Any:
        """The stored value for what the user gave, or ValueError with a message for them."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if self.kind is FieldKind.BOOLEAN:
                return False
            if self.required:
                raise ValueError("is required; please fill it in.")
            return None
        kind = self.kind
        if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            return self._parse_text(raw)
        if kind is FieldKind.INTEGER:
            return self._parse_integer(raw)
        if kind is FieldKind.DATE:
            return parse_date(raw)
        if kind is FieldKind.BOOLEAN:
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.lower() in ("yes", "true", "1", "no", "false", "0"):
                return raw.lower() in ("yes", "true", "1")
            raise ValueError("must be yes or no.")
        if kind is FieldKind.CHOICE:
            values = [value for value, _ in self.choice_items()]
            if raw not in values:
                labels = ", ".join(label for _, label in self.choice_items())
                raise ValueError(f"“{raw}” is not one of the choices ({labels}).")
            return str(raw)
        if kind is FieldKind.STATE:
            code = str(raw).strip().upper()
            if code not in US_STATES:
                raise ValueError(
                    f"“{raw}” is not a USPS state code; use two letters such as NM or MD."
                )
            return code
        if kind is FieldKind.REFERENCE:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValueError("must be chosen from the list.")
            return raw
        raise AssertionError(kind)

    def _parse_text(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValueError("must be text.")
        limit = LONG_TEXT_LIMIT if self.kind is FieldKind.LONG_TEXT else self.max_length
        if len(raw) > limit:
            raise ValueError(f"is {len(raw):,} characters long; the limit is {limit:,}.")
        if _SURROGATE.search(raw):
            # Half of a broken emoji pasted from elsewhere: it cannot be stored as UTF-8.
            raise ValueError("contains a broken character; please retype that part.")
        if self.kind is FieldKind.TEXT and ("\n" in raw or "\r" in raw):
            raise ValueError("must be a single line.")
        if self.pattern == "fips" and not _FIPS.match(raw):
            raise ValueError("must have 2, 5, 7 or 10 digits, e.g. 3502000.")
        if self.pattern == "url" and not _URL.match(raw):
            raise ValueError("must be a web address starting with http:// or https://.")
        if self.pattern == "email" and not _EMAIL.match(raw):
            raise ValueError("must be an e-mail address such as name@city.gov.")
        # Text is stored exactly as typed, including markup, formulas and NUL characters.
        return raw

    def _parse_integer(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise ValueError("must be a whole number.")
        if isinstance(raw, int):
            value = raw
        else:
            text = str(raw).strip().replace(",", "")
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(f"“{raw}” is not a whole number.")
            value = int(text)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum:,}.")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be at most {self.maximum:,}.")
        return value


def parse_date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(f"“{raw}” is not a date; write it as YYYY-MM-DD.") from None


@dataclass(frozen=True)
class RecordKind:
    """A kind of record users create and edit, e.g. facilities."""

    key: str
    label: str
    plural: str
    model: type[Entity]
    fields: tuple[FieldSpec, ...]
    title_field: str
    parent_field: str | None = "jurisdiction_id"
    # Cross-field rules, e.g. a period that ends before it starts.
    checks: tuple[str, ...] = field(default=())

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def validate(self, values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
        """Parses every field; raises InvalidInput listing every problem at once."""
        known = {spec.name for spec in self.fields}
        problems = [
            FieldProblem(name, name, "is not a field of this record.")
            for name in values
            if name not in known
        ]
        parsed: dict[str, Any] = {}
        for spec in self.fields:
            if partial and spec.name not in values:
                continue
            try:
                parsed[spec.name] = spec.parse(values.get(spec.name))
            except ValueError as exc:
                problems.append(FieldProblem(spec.name, spec.label, str(exc)))
        if problems:
            raise InvalidInput(problems)
        return parsed

    def check_together(self, values: Mapping[str, Any]) -> None:
        problems = []
        for rule in self.checks:
            first, second = rule.split("<=")
            low, high = values.get(first), values.get(second)
            if low is not None and high is not None and low > high:
                problems.append(
                    FieldProblem(
                        second,
                        self.field(second).label,
                        f"cannot be before {self.field(first).label.lower()} ({low}).",
                    )
                )
        if problems:
            raise InvalidInput(problems)


def _text(
    name: str, label: str, *, required: bool = False, limit: int = 200, **kw: Any
) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.TEXT, required=required, max_length=limit, **kw)


def _long(name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.LONG_TEXT, max_length=LONG_TEXT_LIMIT, **kw)


def _date(name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.DATE, **kw)


def _choice(name: str, label: str, choices: type[LabelledEnum], **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.CHOICE, required=True, choices=choices, **kw)


def _count(name: str, label: str) -> FieldSpec:
    return FieldSpec(name, label, FieldKind.INTEGER, minimum=0, maximum=10_000_000)


JURISDICTION = RecordKind(
    key="jurisdiction",
    label="Jurisdiction",
    plural="Jurisdictions",
    model=models.Jurisdiction,
    title_field="name",
    parent_field=None,
    fields=(
        _text("name", "Name", required=True,
              help="As it appears on letterhead, e.g. City of Albuquerque."),
        _choice("kind", "Kind", JurisdictionKind),
        FieldSpec("state", "State", FieldKind.STATE, required=True, help="USPS code, e.g. NM."),
        _text("fips", "FIPS code", limit=10, pattern="fips", help="Optional census code."),
        FieldSpec("population", "Population", FieldKind.INTEGER, minimum=0, maximum=100_000_000),
        _text("police_agency", "Police agency"),
        _text("chief_name", "Police chief"),
        _text("chief_title", "Chief's title", help="e.g. Chief of Police, Police Commissioner."),
        _text("chief_executive", "Chief executive", help="Mayor, county executive or manager."),
        _text("chief_executive_title", "Chief executive's title"),
        _text("chief_legal_officer", "Chief legal officer",
              help="City attorney or county counsel."),
        _text("chief_legal_officer_title", "Chief legal officer's title"),
        _long("letterhead_address", "Letterhead address",
              help="Printed under the name on letters."),
        _long("notes", "Notes"),
    ),
)  # fmt: skip

FACILITY = RecordKind(
    key="facility",
    label="Facility",
    plural="Facilities",
    model=models.Facility,
    title_field="name",
    fields=(
        _text("name", "Name", required=True),
        _choice("facility_type", "Type", FacilityType),
        _long("address", "Address"),
        _choice("operator_type", "Operator type", OperatorType),
        _text("operator_name", "Operator", required=True,
              help="Who runs it, e.g. Bernalillo County or the State of Maryland."),
        FieldSpec("sets_policy", "We set policy here", FieldKind.BOOLEAN,
                  help="Tick only if the jurisdiction can decide the facility's rules."),
        _long("control_basis", "Basis for control",
              help="Why we can or cannot set policy: statute, contract, charter…"),
        _text("contact", "Facility contact", limit=400),
    ),
)  # fmt: skip

INSTRUMENT = RecordKind(
    key="instrument",
    label="Legal instrument",
    plural="Legal instruments",
    model=models.LegalInstrument,
    title_field="title",
    checks=("adopted_on<=rescinded_on", "effective_on<=rescinded_on"),
    fields=(
        _choice("instrument_type", "Type", InstrumentType),
        _text("number", "Number", limit=100, help="e.g. R-2000-123, General Order 1-04."),
        _text("title", "Title", required=True, limit=400),
        _text("issuing_body", "Issuing body"),
        _choice("level", "Level", GovernmentLevel),
        _date("adopted_on", "Adopted"),
        _date("effective_on", "Effective"),
        _date("rescinded_on", "Rescinded"),
        _text("citation", "Citation", limit=400),
        _text("url", "Web address", limit=1000, pattern="url"),
        _long("summary", "Summary"),
    ),
)

EVIDENCE = RecordKind(
    key="evidence",
    label="Evidence",
    plural="Evidence",
    model=models.Evidence,
    title_field="filename",
    fields=(
        _text("filename", "File name", required=True, limit=255),
        _long("description", "Description"),
        FieldSpec("instrument_id", "Document of", FieldKind.REFERENCE, references="instrument"),
        _text("obtained_from", "Obtained from"),
        _date("obtained_on", "Obtained on"),
    ),
)

REQUEST = RecordKind(
    key="request",
    label="Federal request",
    plural="Federal requests",
    model=models.FederalRequest,
    title_field="program",
    checks=("letter_date<=due_on", "received_on<=due_on"),
    fields=(
        _text("program", "Program", required=True),
        FieldSpec("fiscal_year", "Fiscal year", FieldKind.INTEGER, minimum=1990, maximum=2100),
        _text("issuing_office", "Issuing office", required=True, limit=300),
        _text("signer", "Signed by"),
        _text("signer_title", "Signer's title"),
        _text("reference", "Reference"),
        _date("letter_date", "Letter date"),
        _date("received_on", "Received"),
        _date("due_on", "Due"),
        _text("addressee", "Addressee"),
        _text("addressee_title", "Addressee's title"),
        _long("instructions", "Instructions", help="Attachments asked for, where to send it…"),
    ),
)

AWARD = RecordKind(
    key="award",
    label="Grant award",
    plural="Grant awards",
    model=models.GrantAward,
    title_field="program",
    fields=(
        _text("program", "Program", required=True),
        FieldSpec("fiscal_year", "Fiscal year", FieldKind.INTEGER, required=True,
                  minimum=1990, maximum=2100),
        _text("application_number", "Application number", limit=100),
        _text("award_number", "Award number", limit=100),
        FieldSpec("amount", "Amount (US$)", FieldKind.INTEGER, minimum=0, maximum=10_000_000_000),
        _choice("status", "Status", AwardStatus),
        _text("certified_by", "1373 certification signed by"),
        _text("certifier_title", "Certifier's title"),
        _date("certified_on", "Certified on"),
        _long("notes", "Notes"),
    ),
)  # fmt: skip

CONDITION = RecordKind(
    key="condition",
    label="Grant condition",
    plural="Grant conditions",
    model=models.GrantCondition,
    title_field="title",
    parent_field="award_id",
    fields=(
        _text("number", "Number", limit=20),
        _text("title", "Condition", required=True, limit=300),
        _long("text", "Text"),
        _choice("status", "Status for us", ConditionStatus),
        _date("status_as_of", "Status as of"),
        _text("status_authority", "Order or notice", limit=400,
              help="The court order or DOJ notice the status rests on."),
    ),
)  # fmt: skip

STATISTIC = RecordKind(
    key="statistic",
    label="Detainer statistic",
    plural="Detainer statistics",
    model=models.DetainerStatistic,
    title_field="source",
    checks=("period_start<=period_end",),
    fields=(
        FieldSpec("facility_id", "Facility", FieldKind.REFERENCE, references="facility"),
        _date("period_start", "From", required=True),
        _date("period_end", "To", required=True),
        _count("received", "Requests received"),
        _count("honored", "Honored"),
        _count("declined", "Declined"),
        _count("notifications", "Release notices given"),
        _text("source", "Source", required=True, limit=400,
              help="Where the numbers come from, e.g. a public-records response."),
        _long("notes", "Notes"),
    ),
)  # fmt: skip

CONTACT = RecordKind(
    key="contact",
    label="Contact",
    plural="Contacts",
    model=models.Contact,
    title_field="name",
    fields=(
        _text("name", "Name", required=True),
        _text("title", "Title"),
        _text("organization", "Organization"),
        _choice("role", "Role", ContactRole),
        _text("email", "E-mail", limit=320, pattern="email"),
        _text("phone", "Phone", limit=50),
        _long("notes", "Notes"),
    ),
)

RECORD_KINDS: dict[str, RecordKind] = {
    kind.key: kind
    for kind in (
        JURISDICTION,
        FACILITY,
        INSTRUMENT,
        EVIDENCE,
        REQUEST,
        AWARD,
        CONDITION,
        STATISTIC,
        CONTACT,
    )
}


def record_kind(key: str) -> RecordKind:
    try:
        return RECORD_KINDS[key]
    except KeyError:
        raise KeyError(f"unknown record kind {key!r}") from None
