"""The composed letter: what the office wrote into a response's letter, and the filed format.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-22 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_edits", sa.Text(), nullable=True))
    # Letters filed before Word export existed all went out as PDF.
    with op.batch_alter_table("filed_document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("format", sa.String(length=10), nullable=False, server_default="pdf")
        )


def downgrade() -> None:
    with op.batch_alter_table("filed_document", schema=None) as batch_op:
        batch_op.drop_column("format")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("letter_edits")
