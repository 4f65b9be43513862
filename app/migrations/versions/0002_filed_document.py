"""Filed documents: the exact bytes and SHA-256 of each exported letter of an approved response.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "filed_document",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_filed_document_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filed_document")),
        sa.UniqueConstraint("uuid", name=op.f("uq_filed_document_uuid")),
    )
    with op.batch_alter_table("filed_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_filed_document_response_id"), ["response_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_filed_document_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("filed_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filed_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_filed_document_response_id"))

    op.drop_table("filed_document")
