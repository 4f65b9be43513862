"""First schema of Jurisdesk 1.0: jurisdictions, facilities, instruments, evidence, requests,
grants, statistics, contacts, responses, answers and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:25:08.788994
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity_kind", sa.String(length=40), nullable=False),
        sa.Column("entity_uuid", sa.String(length=36), nullable=False),
        sa.Column("entity_label", sa.String(length=400), nullable=True),
        sa.Column("jurisdiction_uuid", sa.String(length=36), nullable=True),
        sa.Column("response_uuid", sa.String(length=36), nullable=True),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_entity_uuid"), ["entity_uuid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entry_jurisdiction_uuid"), ["jurisdiction_uuid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entry_response_uuid"), ["response_uuid"], unique=False
        )

    op.create_table(
        "jurisdiction",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("fips", sa.String(length=10), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("police_agency", sa.String(length=200), nullable=True),
        sa.Column("chief_name", sa.String(length=200), nullable=True),
        sa.Column("chief_title", sa.String(length=200), nullable=True),
        sa.Column("chief_executive", sa.String(length=200), nullable=True),
        sa.Column("chief_executive_title", sa.String(length=200), nullable=True),
        sa.Column("chief_legal_officer", sa.String(length=200), nullable=True),
        sa.Column("chief_legal_officer_title", sa.String(length=200), nullable=True),
        sa.Column("letterhead_address", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdiction")),
        sa.UniqueConstraint("uuid", name=op.f("uq_jurisdiction_uuid")),
    )
    op.create_table(
        "contact",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_contact_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("uuid", name=op.f("uq_contact_uuid")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "facility",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("facility_type", sa.String(length=32), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("operator_type", sa.String(length=32), nullable=False),
        sa.Column("operator_name", sa.String(length=200), nullable=False),
        sa.Column("sets_policy", sa.Boolean(), nullable=False),
        sa.Column("control_basis", sa.Text(), nullable=True),
        sa.Column("contact", sa.String(length=400), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_facility_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility")),
        sa.UniqueConstraint("uuid", name=op.f("uq_facility_uuid")),
    )
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "federal_request",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=200), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("issuing_office", sa.String(length=300), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=True),
        sa.Column("signer_title", sa.String(length=200), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("addressee", sa.String(length=200), nullable=True),
        sa.Column("addressee_title", sa.String(length=200), nullable=True),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_federal_request_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federal_request")),
        sa.UniqueConstraint("uuid", name=op.f("uq_federal_request_uuid")),
    )
    with op.batch_alter_table("federal_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_federal_request_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "grant_award",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=200), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("application_number", sa.String(length=100), nullable=True),
        sa.Column("award_number", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("certified_by", sa.String(length=200), nullable=True),
        sa.Column("certifier_title", sa.String(length=200), nullable=True),
        sa.Column("certified_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_grant_award_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_award")),
        sa.UniqueConstraint("uuid", name=op.f("uq_grant_award_uuid")),
    )
    with op.batch_alter_table("grant_award", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grant_award_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "legal_instrument",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("instrument_type", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("issuing_body", sa.String(length=200), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("rescinded_on", sa.Date(), nullable=True),
        sa.Column("citation", sa.String(length=400), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_legal_instrument_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_instrument")),
        sa.UniqueConstraint("uuid", name=op.f("uq_legal_instrument_uuid")),
    )
    with op.batch_alter_table("legal_instrument", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_instrument_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "detainer_statistic",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=True),
        sa.Column("honored", sa.Integer(), nullable=True),
        sa.Column("declined", sa.Integer(), nullable=True),
        sa.Column("notifications", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_detainer_statistic_facility_id_facility"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_detainer_statistic_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detainer_statistic")),
        sa.UniqueConstraint("uuid", name=op.f("uq_detainer_statistic_uuid")),
    )
    with op.batch_alter_table("detainer_statistic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_detainer_statistic_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_detainer_statistic_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "evidence",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("obtained_from", sa.String(length=200), nullable=True),
        sa.Column("obtained_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["legal_instrument.id"],
            name=op.f("fk_evidence_instrument_id_legal_instrument"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_evidence_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("uuid", name=op.f("uq_evidence_uuid")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_instrument_id"), ["instrument_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_sha256"), ["sha256"], unique=False)

    op.create_table(
        "grant_condition",
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_as_of", sa.Date(), nullable=True),
        sa.Column("status_authority", sa.String(length=400), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["grant_award.id"],
            name=op.f("fk_grant_condition_award_id_grant_award"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_condition")),
        sa.UniqueConstraint("uuid", name=op.f("uq_grant_condition_uuid")),
    )
    with op.batch_alter_table("grant_condition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_condition_award_id"), ["award_id"], unique=False)

    op.create_table(
        "response",
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("questionnaire_key", sa.String(length=100), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approver_title", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("submission_method", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_response_jurisdiction_id_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["federal_request.id"],
            name=op.f("fk_response_request_id_federal_request"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        sa.UniqueConstraint("uuid", name=op.f("uq_response_uuid")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_response_questionnaire_key"), ["questionnaire_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_response_request_id"), ["request_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("slot", sa.String(length=140), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.Column("basis", sa.String(length=32), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("information_source", sa.String(length=400), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_answer_facility_id_facility"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_answer_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("response_id", "slot", name=op.f("uq_answer_response_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_answer_uuid")),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_facility_id"), ["facility_id"], unique=False)

    op.create_table(
        "answer_evidence",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answer.id"],
            name=op.f("fk_answer_evidence_answer_id_answer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
            name=op.f("fk_answer_evidence_evidence_id_evidence"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "evidence_id", name=op.f("pk_answer_evidence")),
    )
    with op.batch_alter_table("answer_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_evidence_evidence_id"), ["evidence_id"], unique=False
        )

    op.create_table(
        "answer_instrument",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answer.id"],
            name=op.f("fk_answer_instrument_answer_id_answer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["legal_instrument.id"],
            name=op.f("fk_answer_instrument_instrument_id_legal_instrument"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "instrument_id", name=op.f("pk_answer_instrument")),
    )
    with op.batch_alter_table("answer_instrument", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_instrument_instrument_id"), ["instrument_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("answer_instrument", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_instrument_instrument_id"))

    op.drop_table("answer_instrument")
    with op.batch_alter_table("answer_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_evidence_evidence_id"))

    op.drop_table("answer_evidence")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_facility_id"))

    op.drop_table("answer")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_request_id"))
        batch_op.drop_index(batch_op.f("ix_response_questionnaire_key"))
        batch_op.drop_index(batch_op.f("ix_response_jurisdiction_id"))

    op.drop_table("response")
    with op.batch_alter_table("grant_condition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_condition_award_id"))

    op.drop_table("grant_condition")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_instrument_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("detainer_statistic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_detainer_statistic_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_detainer_statistic_facility_id"))

    op.drop_table("detainer_statistic")
    with op.batch_alter_table("legal_instrument", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_instrument_jurisdiction_id"))

    op.drop_table("legal_instrument")
    with op.batch_alter_table("grant_award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_award_jurisdiction_id"))

    op.drop_table("grant_award")
    with op.batch_alter_table("federal_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_federal_request_jurisdiction_id"))

    op.drop_table("federal_request")
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_jurisdiction_id"))

    op.drop_table("facility")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_jurisdiction_id"))

    op.drop_table("contact")
    op.drop_table("jurisdiction")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_response_uuid"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_jurisdiction_uuid"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity_uuid"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
