"""The audit trail is kept as written: the database itself refuses to change or delete an entry.

Jurisdesk only ever adds entries, and the hash chain (0005) shows any change made behind its
back. On an office database this makes the trail append-only for the staff, too: the trigger
belongs to the database's owner, and only the owner may disable or drop it (a staff role's
rights on the table otherwise include UPDATE and DELETE, as on every table). In a file, whoever
can write the file can drop the trigger, and `jurisdesk check` still finds what they changed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "The audit trail is kept as written: its entries cannot be changed or deleted."


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_kept() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; "
            "END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_kept BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_kept()"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_kept_whole BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_kept()"
        )
        return
    for change in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_kept_{change.lower()} BEFORE {change} ON audit_entry "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_kept_whole ON audit_entry")
        op.execute("DROP TRIGGER audit_entry_kept ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_kept()")
        return
    for change in ("update", "delete"):
        op.execute(f"DROP TRIGGER audit_entry_kept_{change}")
