"""The contract file as an attachment (issue 15): contract.file_id (the stored file a contract holds,
SET NULL when the file goes) and stored_file.record ("contract:<id>" while a record holds the file,
so the purge of unreferenced uploads keeps it). The text field contract.attachment stays.

Revision ID: 0022_contract_file
Revises: 0021_chain_head
Create Date: 2026-12-01 02:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022_contract_file'
down_revision: str | Sequence[str] | None = '0021_chain_head'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_stored_file_record'), ['record'], unique=False)
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contract_file_id_stored_file'), 'stored_file', ['file_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contract_file_id_stored_file'), type_='foreignkey')
        batch_op.drop_column('file_id')
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_record'))
        batch_op.drop_column('record')
