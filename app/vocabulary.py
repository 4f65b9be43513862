"""The fixed lists users choose from, with the words they see (kept out of the models so the
GUI, the reports and the exchange format share one spelling)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A stored value with the label users read."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def of(cls, value: str) -> Self:
        """The member stored as value (Enum's own call form needs the label too for mypy)."""
        return cls._value2member_map_[value]  # type: ignore[return-value]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class JurisdictionKind(LabelledEnum):
    CITY = ("city", "City")
    COUNTY = ("county", "County")
    CITY_COUNTY = ("city_county", "Consolidated city-county")
    TOWN = ("town", "Town or village")
    STATE = ("state", "State")
    OTHER = ("other", "Other")


class FacilityType(LabelledEnum):
    JAIL = ("jail", "Jail")
    BOOKING = ("booking", "Central booking / intake")
    HOLDING = ("holding", "Police holding cells")
    TRANSPORT = ("transport", "Prisoner transport center")
    DETENTION = ("detention", "Detention center")
    PRISON = ("prison", "Prison")
    JUVENILE = ("juvenile", "Juvenile detention")
    OTHER = ("other", "Other")


class OperatorType(LabelledEnum):
    CITY = ("city", "City")
    COUNTY = ("county", "County")
    STATE = ("state", "State")
    FEDERAL = ("federal", "Federal")
    PRIVATE = ("private", "Private company")
    CONTRACTED = ("contracted", "Contracted (another jurisdiction)")


class InstrumentType(LabelledEnum):
    ORDINANCE = ("ordinance", "Ordinance")
    RESOLUTION = ("resolution", "Resolution")
    EXECUTIVE_ORDER = ("executive_order", "Executive order")
    GENERAL_ORDER = ("general_order", "Police general order")
    JAIL_POLICY = ("jail_policy", "Jail policy")
    STATE_STATUTE = ("state_statute", "State statute")
    AG_OPINION = ("ag_opinion", "Attorney General opinion")
    COURT_DECISION = ("court_decision", "Court decision")
    MOU = ("mou", "Memorandum of understanding")
    AGREEMENT_287G = ("287g", "287(g) agreement")
    GRANT_CONDITION = ("grant_condition", "Grant condition")
    OTHER = ("other", "Other")


class GovernmentLevel(LabelledEnum):
    LOCAL = ("local", "Local")
    COUNTY = ("county", "County")
    STATE = ("state", "State")
    FEDERAL = ("federal", "Federal")


class ConditionStatus(LabelledEnum):
    IN_FORCE = ("in_force", "In force")
    ENJOINED = ("enjoined", "Enjoined by a court")
    NOT_ENFORCED = ("not_enforced", "Not enforced by DOJ")


class AwardStatus(LabelledEnum):
    APPLIED = ("applied", "Applied")
    AWARDED = ("awarded", "Awarded")
    ACCEPTED = ("accepted", "Accepted")
    DECLINED = ("declined", "Declined")
    WITHDRAWN = ("withdrawn", "Withdrawn")


class ContactRole(LabelledEnum):
    SIGNATORY = ("signatory", "Signatory")
    REVIEWER = ("reviewer", "Reviewer")
    PREPARER = ("preparer", "Preparer")
    FACILITY = ("facility", "Facility contact")
    FEDERAL = ("federal", "Federal contact")
    OTHER = ("other", "Other")


class ResponseStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    IN_REVIEW = ("in_review", "In review")
    APPROVED = ("approved", "Approved")
    SUBMITTED = ("submitted", "Submitted")

    @property
    def locked(self) -> bool:
        return self in (ResponseStatus.APPROVED, ResponseStatus.SUBMITTED)


class PolicyBasis(LabelledEnum):
    """Whether an answer rests on a written rule, on what staff actually do, or both."""

    WRITTEN = ("written", "Written policy")
    PRACTICE = ("practice", "Practice only")
    BOTH = ("both", "Written policy and practice")
    NONE = ("none", "Neither")
    UNKNOWN = ("unknown", "Not known")


US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico", "VI": "U.S. Virgin Islands",
}  # fmt: skip
