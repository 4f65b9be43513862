"""Staff list and office settings: who prepares, reviews and approves, and the office's rules.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-15 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_member",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("prepares", sa.Boolean(), nullable=False),
        sa.Column("reviews", sa.Boolean(), nullable=False),
        sa.Column("approves", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member")),
        sa.UniqueConstraint("uuid", name=op.f("uq_staff_member_uuid")),
    )
    # No rows: an office without a setting follows the default (see app.services.staff).
    op.create_table(
        "office_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=400), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_setting")),
        sa.UniqueConstraint("key", name=op.f("uq_office_setting_key")),
        sa.UniqueConstraint("uuid", name=op.f("uq_office_setting_uuid")),
    )


def downgrade() -> None:
    op.drop_table("office_setting")
    op.drop_table("staff_member")
