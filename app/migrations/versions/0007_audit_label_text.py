"""An audit entry's label holds any length: a status change keeps the reviewer's whole reason
there, and a PostgreSQL office database enforces the old 400-character limit that SQLite never
did (a long reason was refused there instead of kept).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("entity_label", existing_type=sa.String(length=400), type_=sa.Text())


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("entity_label", existing_type=sa.Text(), type_=sa.String(length=400))
