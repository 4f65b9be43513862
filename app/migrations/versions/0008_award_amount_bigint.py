"""A grant award's amount holds up to ten billion dollars, as its field allows: a PostgreSQL
office database's INTEGER stops at 2,147,483,647 and refused larger amounts that a file kept,
so the column becomes BIGINT there. SQLite's INTEGER holds 64 bits already: a file is left
as it is.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("grant_award", "amount", existing_type=sa.Integer(), type_=sa.BigInteger())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("grant_award", "amount", existing_type=sa.BigInteger(), type_=sa.Integer())
