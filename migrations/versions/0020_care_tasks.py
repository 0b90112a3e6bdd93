"""客户关怀 / 首访 / 生日 reminders as tasks (issue 15): care_task, one row per reminder that opened a
customer_care process (its ref unique: never two tasks for one reminder).

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-01 01:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('care_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('contact_record_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_record_id'], ['contact_record.id'],
                            name=op.f('fk_care_task_contact_record_id_contact_record'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_care_task_customer_id_customer'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_care_task_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_task')),
    sa.UniqueConstraint('ref', name=op.f('uq_care_task_ref'))
    )
    with op.batch_alter_table('care_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_task_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_task_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('care_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_task_user_id'))
        batch_op.drop_index(batch_op.f('ix_care_task_customer_id'))
    op.drop_table('care_task')
