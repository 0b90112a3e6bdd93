"""Anchoring the audit chain (issue 11): audit_event.mac (an HMAC with a key outside the
database), the audit_checkpoint table (signed heads), and on PostgreSQL a trigger that refuses
UPDATE and DELETE on both audit tables. Events written before this revision have no mac and
verify as before (engine/audit.py accepts a missing mac only before the first keyed event).

Revision ID: 0009
Revises: 0010
Create Date: 2026-11-30 20:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# As engine/models.py has them today, spelled out so this revision does not change when app code does.
APPEND_ONLY_FUNCTION = (
    "CREATE OR REPLACE FUNCTION lz_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; "
    "END $$ LANGUAGE plpgsql")
TABLES = ("audit_event", "audit_checkpoint")

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('head', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                            name=op.f('fk_audit_checkpoint_instance_id_process_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )
    op.create_index('ix_audit_checkpoint_instance', 'audit_checkpoint', ['instance_id', 'seq'], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION lz_append_only()")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS lz_append_only()")
    op.drop_index('ix_audit_checkpoint_instance', table_name='audit_checkpoint')
    op.drop_table('audit_checkpoint')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('mac')
