"""The audit trail becomes a hash chain; imported history is marked; filed letters keep the head.

Every entry gets its sequence number, the hash of the entry before it and the SHA-256 of its own
canonical content, computed here over the existing entries in the order they were written.
Where a record's state was never written into the trail — a response that arrived approved in
an exchange file, an imported evidence file — one entry saying what was found at this upgrade is
appended, so `jurisdesk check` can hold the record against the trail from now on. An entry that
contradicts its record is left as it is: that is for the check to report, not for an upgrade
to paper over.

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-12 09:00:00.000000
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Version 1 of the canonical content, as app.services.audit defines it. Copied, not imported: a
# migration must compute tomorrow what it computes today, whatever the code becomes; the
# migration tests verify the chain computed here with the code's definition.
_GENESIS = "0" * 64
_CHAINED = (
    "sequence",
    "previous_hash",
    "at",
    "actor",
    "action",
    "entity_kind",
    "entity_uuid",
    "entity_label",
    "jurisdiction_uuid",
    "response_uuid",
    "field",
    "old_value",
    "new_value",
    "imported_from",
    "imported_at",
)
_UPGRADE_ACTOR = "Jurisdesk upgrade"
_UPGRADE_LABEL = "As found when the audit trail became a chain"


def _utc(value: Any) -> str | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(fields: Mapping[str, Any]) -> str:
    document: dict[str, Any] = {"v": 1}
    for name in _CHAINED:
        document[name] = _utc(fields[name]) if name in ("at", "imported_at") else fields[name]
    text = json.dumps(document, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _stored_time(moment: datetime) -> str:
    # As SQLAlchemy writes a DateTime into SQLite: naive UTC with microseconds.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _chain_existing(connection: sa.Connection) -> tuple[int, str]:
    columns = [c for c in _CHAINED if c not in ("sequence", "previous_hash")]
    rows = connection.execute(
        sa.text(f"SELECT id, {', '.join(columns)} FROM audit_entry ORDER BY id")
    ).mappings()
    sequence, previous = 0, _GENESIS
    links = []
    for row in rows:
        sequence += 1
        fields = dict(row) | {"sequence": sequence, "previous_hash": previous}
        previous = _hash(fields)
        links.append({"id": row["id"], "s": sequence, "p": fields["previous_hash"], "h": previous})
    if links:
        connection.execute(
            sa.text(
                "UPDATE audit_entry SET sequence = :s, previous_hash = :p, entry_hash = :h "
                "WHERE id = :id"
            ),
            links,
        )
    return sequence, previous


def _unrecorded(connection: sa.Connection) -> list[dict[str, Any]]:
    """What the trail never recorded: statuses and evidence SHA-256s imported before 0005."""
    found = []
    responses = connection.execute(
        sa.text(
            "SELECT r.uuid, r.status, r.questionnaire_key, j.uuid AS jurisdiction_uuid "
            "FROM response r LEFT JOIN jurisdiction j ON j.id = r.jurisdiction_id "
            "WHERE r.status != 'draft' AND NOT EXISTS (SELECT 1 FROM audit_entry a "
            "WHERE a.entity_uuid = r.uuid AND a.field = 'status') ORDER BY r.id"
        )
    ).mappings()
    for row in responses:
        found.append(
            {
                "entity_kind": "response",
                "entity_uuid": row["uuid"],
                "entity_label": _UPGRADE_LABEL,
                "jurisdiction_uuid": row["jurisdiction_uuid"],
                "response_uuid": row["uuid"],
                "field": "status",
                "new_value": row["status"],
            }
        )
    evidence = connection.execute(
        sa.text(
            "SELECT e.uuid, e.sha256, j.uuid AS jurisdiction_uuid "
            "FROM evidence e LEFT JOIN jurisdiction j ON j.id = e.jurisdiction_id "
            "WHERE NOT EXISTS (SELECT 1 FROM audit_entry a "
            "WHERE a.entity_uuid = e.uuid AND a.field = 'sha256') ORDER BY e.id"
        )
    ).mappings()
    for row in evidence:
        found.append(
            {
                "entity_kind": "evidence",
                "entity_uuid": row["uuid"],
                "entity_label": _UPGRADE_LABEL,
                "jurisdiction_uuid": row["jurisdiction_uuid"],
                "response_uuid": None,
                "field": "sha256",
                "new_value": row["sha256"],
            }
        )
    return found


def _append_unrecorded(connection: sa.Connection, sequence: int, previous: str) -> None:
    at = datetime.now(UTC)
    for found in _unrecorded(connection):
        sequence += 1
        fields = found | {
            "sequence": sequence,
            "previous_hash": previous,
            "at": at,
            "actor": _UPGRADE_ACTOR,
            "action": "upgrade",
            "old_value": None,
            "imported_from": None,
            "imported_at": None,
        }
        previous = _hash(fields)
        connection.execute(
            sa.text(
                "INSERT INTO audit_entry (at, actor, action, entity_kind, entity_uuid, "
                "entity_label, jurisdiction_uuid, response_uuid, field, old_value, new_value, "
                "sequence, previous_hash, entry_hash, imported_from, imported_at) VALUES "
                "(:at, :actor, :action, :entity_kind, :entity_uuid, :entity_label, "
                ":jurisdiction_uuid, :response_uuid, :field, :old_value, :new_value, "
                ":sequence, :previous_hash, :entry_hash, NULL, NULL)"
            ),
            fields | {"at": _stored_time(at), "entry_hash": previous},
        )


def _anchor_filings(connection: sa.Connection) -> None:
    """A letter filed before the chain gets the head it was filed at: its own filing entry,
    the last one its transaction wrote."""
    connection.execute(
        sa.text(
            "UPDATE filed_document SET "
            "chain_head_sequence = (SELECT max(a.sequence) FROM audit_entry a "
            "  JOIN response r ON r.uuid = a.entity_uuid "
            "  WHERE r.id = filed_document.response_id AND a.field = 'filed_letter' "
            "  AND a.new_value = filed_document.sha256)"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE filed_document SET chain_head_hash = (SELECT a.entry_hash FROM audit_entry a "
            "WHERE a.sequence = filed_document.chain_head_sequence) "
            "WHERE chain_head_sequence IS NOT NULL"
        )
    )


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("imported_from", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("imported_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("filed_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_head_sequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain_head_hash", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    sequence, previous = _chain_existing(connection)
    _append_unrecorded(connection, sequence, previous)
    _anchor_filings(connection)

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("sequence", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_entry_sequence"), ["sequence"])


def downgrade() -> None:
    with op.batch_alter_table("filed_document", schema=None) as batch_op:
        batch_op.drop_column("chain_head_hash")
        batch_op.drop_column("chain_head_sequence")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_entry_sequence"), type_="unique")
        batch_op.drop_column("imported_at")
        batch_op.drop_column("imported_from")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("previous_hash")
        batch_op.drop_column("sequence")
