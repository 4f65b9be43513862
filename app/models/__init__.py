"""SQLAlchemy 2 typed entities of Jurisdesk."""

from app.models.base import Base, Entity
from app.models.evidence import MAX_EVIDENCE_BYTES, Evidence
from app.models.federal import FederalRequest, GrantAward, GrantCondition
from app.models.filing import FiledDocument
from app.models.jurisdiction import (
    Contact,
    DetainerStatistic,
    Facility,
    Jurisdiction,
    LegalInstrument,
)
from app.models.response import Answer, AuditEntry, Response, answer_evidence, answer_instrument
from app.models.staff import OfficeSetting, StaffMember

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "Answer",
    "AuditEntry",
    "Base",
    "Contact",
    "DetainerStatistic",
    "Entity",
    "Evidence",
    "Facility",
    "FederalRequest",
    "FiledDocument",
    "GrantAward",
    "GrantCondition",
    "Jurisdiction",
    "LegalInstrument",
    "OfficeSetting",
    "Response",
    "StaffMember",
    "answer_evidence",
    "answer_instrument",
]
