"""process_instance.next_due_at (issue 12): the earliest due time of an instance's open human tasks,
kept by engine/next_due.py, so the started and cc boxes sort by due time without a correlated
subquery per instance. Backfilled from the open tasks; an index in the order of the started box's
due sort.

Revision ID: 0013
Revises: 0016
Create Date: 2026-11-30 22:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE process_instance SET next_due_at = (SELECT min(h.due_at) FROM human_task h "
               "WHERE h.instance_id = process_instance.id AND h.status = 'open') "
               "WHERE EXISTS (SELECT 1 FROM human_task h WHERE h.instance_id = process_instance.id "
               "AND h.status = 'open' AND h.due_at IS NOT NULL)")
    op.create_index("ix_process_instance_started_due", "process_instance",
                    ["initiator_id", sa.text("(next_due_at IS NULL)"), "next_due_at", sa.text("created_at DESC"),
                     sa.text("id DESC")])


def downgrade() -> None:
    op.drop_index("ix_process_instance_started_due", table_name="process_instance")
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_column("next_due_at")
