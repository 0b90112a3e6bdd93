"""The library processes' records (issue 16): `asset` (资产, issued / lent / returned by the
asset processes) and `official_document` (公文登记: 发文, 收文, 归档).

Revision ID: 0015
Revises: 0019
Create Date: 2026-11-30 21:59:17.062757

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('due_back', sa.Date(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_asset_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['holder_id'], ['user_account.id'], name=op.f('fk_asset_holder_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset')),
    sa.UniqueConstraint('tag', name=op.f('uq_asset_tag'))
    )
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_status'), ['status'], unique=False)

    op.create_table('official_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('doc_type', sa.String(length=20), nullable=True),
    sa.Column('sender', sa.String(length=200), nullable=True),
    sa.Column('external_number', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('archive_ref', sa.String(length=60), nullable=True),
    sa.Column('retention', sa.String(length=20), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remark', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_official_document_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_document')),
    sa.UniqueConstraint('number', name=op.f('uq_official_document_number'))
    )
    with op.batch_alter_table('official_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_document_status'), ['status'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('official_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_document_status'))

    op.drop_table('official_document')
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_status'))
        batch_op.drop_index(batch_op.f('ix_asset_holder_id'))

    op.drop_table('asset')
