"""Free flows and saved lists (issue 16): process_definition.free_of marks the one-instance
definition generated from a free flow's steps; saved_flow_list keeps a user's own step lists
(自定流程模板) and chosen approvers (常用审批人) per process.

Revision ID: 0014
Revises: 0015
Create Date: 2026-11-30 22:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# db.base.JSONType, spelled out so this revision does not change when app code does.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_of', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_process_definition_free_of'), ['free_of'], unique=False)
    op.create_table(
        'saved_flow_list',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('process_key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('payload', JSONType, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_flow_list_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_flow_list')),
        sa.UniqueConstraint('user_id', 'process_key', 'kind', 'name', name='uq_saved_flow_list_name'),
    )
    with op.batch_alter_table('saved_flow_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_flow_list_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('saved_flow_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_flow_list_user_id'))
    op.drop_table('saved_flow_list')
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_definition_free_of'))
        batch_op.drop_column('free_of')
