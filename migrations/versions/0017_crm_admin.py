"""CRM administration (issue 15): the data dictionary (option_entry), field permissions per role
(field_rule), the recycle bin (recycled_record), the system log (admin_log), and the salesperson
code (业务员编号) of a user.

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-30 22:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'option_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('code', sa.String(length=50), nullable=False),
        sa.Column('label_zh', sa.String(length=100), nullable=False),
        sa.Column('label_en', sa.String(length=100), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_option_entry')),
        sa.UniqueConstraint('category', 'code', name='uq_option_entry_category_code'),
    )
    op.create_index(op.f('ix_option_entry_category'), 'option_entry', ['category'], unique=False)
    op.create_table(
        'field_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role_key', sa.String(length=50), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('can_view', sa.Boolean(), nullable=False),
        sa.Column('can_edit', sa.Boolean(), nullable=False),
        sa.Column('can_export', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_rule')),
        sa.UniqueConstraint('role_key', 'kind', 'field', name='uq_field_rule_role_key'),
    )
    op.create_index(op.f('ix_field_rule_role_key'), 'field_rule', ['role_key'], unique=False)
    op.create_table(
        'recycled_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=300), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('data', JSON, nullable=False),
        sa.Column('deleted_by_id', sa.Integer(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'],
                                name=op.f('fk_recycled_record_owner_id_user_account')),
        sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'],
                                name=op.f('fk_recycled_record_deleted_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recycled_record')),
    )
    op.create_index(op.f('ix_recycled_record_kind'), 'recycled_record', ['kind'], unique=False)
    op.create_index(op.f('ix_recycled_record_owner_id'), 'recycled_record', ['owner_id'], unique=False)
    op.create_index(op.f('ix_recycled_record_deleted_at'), 'recycled_record', ['deleted_at'], unique=False)
    op.create_table(
        'admin_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('target_type', sa.String(length=32), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('detail', JSON, nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_admin_log_actor_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_log')),
    )
    op.create_index(op.f('ix_admin_log_at'), 'admin_log', ['at'], unique=False)
    op.create_index(op.f('ix_admin_log_actor_id'), 'admin_log', ['actor_id'], unique=False)
    op.create_index(op.f('ix_admin_log_target_type'), 'admin_log', ['target_type'], unique=False)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sales_code', sa.String(length=6), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_sales_code'), ['sales_code'])


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_sales_code'), type_='unique')
        batch_op.drop_column('sales_code')
    for table in ('admin_log', 'recycled_record', 'field_rule', 'option_entry'):
        op.drop_table(table)
