"""The audit chain's head on the instance row (issue 12): process_instance.audit_seq and audit_hash,
the seq and hash of the instance's last audit event, back-filled from audit_event. Every writer of
audit events moves them under the instance lock (engine/audit.py), so appending an event reads no
audit_event row.

Revision ID: 0021_chain_head
Revises: 0020
Create Date: 2026-12-01 01:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021_chain_head'
down_revision: str | Sequence[str] | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('process_instance', sa.Column('audit_seq', sa.Integer(), server_default='0', nullable=False))
    op.add_column('process_instance', sa.Column('audit_hash', sa.String(length=64), nullable=True))
    # each instance's last event (seq is unique per instance): the head its next event links to
    op.execute(
        "UPDATE process_instance SET "
        "audit_seq = COALESCE((SELECT MAX(e.seq) FROM audit_event e WHERE e.instance_id = process_instance.id), 0), "
        "audit_hash = (SELECT e.hash FROM audit_event e WHERE e.instance_id = process_instance.id "
        "ORDER BY e.seq DESC LIMIT 1)")


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): a batch copy of the table would lose its
    # expression index (ix_process_instance_started_due), which SQLite cannot reflect
    op.drop_column('process_instance', 'audit_hash')
    op.drop_column('process_instance', 'audit_seq')
