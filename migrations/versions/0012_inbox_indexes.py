"""Inbox at a million rows (issue 12): the 已办 box's partial index on (assignee_id, acted_at) for
decided rows (with status, auto and instance_id, so its count reads only the index), the 待办 due sort's index, and on PostgreSQL — when pg_trgm is available — the extension and trigram indexes
over lower(title) and lower(business_key) for the inbox keyword.

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-30 20:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TRGM = ("title", "business_key")


def _trigram(bind: sa.engine.Connection) -> bool:
    return bind.dialect.name == "postgresql" and bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first() is not None


def upgrade() -> None:
    bind = op.get_bind()
    op.create_index("ix_human_task_done", "human_task", ["assignee_id", "acted_at", "status", "auto", "instance_id"],
                    postgresql_where=sa.text("status != 'open'"), sqlite_where=sa.text("status != 'open'"))
    op.create_index("ix_human_task_todo_due", "human_task",
                    ["assignee_id", sa.text("(due_at IS NULL)"), "due_at", sa.text("created_at DESC"),
                     sa.text("id DESC")],
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
    if _trigram(bind):
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for col in TRGM:
            op.execute(f"CREATE INDEX IF NOT EXISTS ix_process_instance_{col}_trgm ON process_instance "
                       f"USING gin (lower({col}) gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for col in TRGM:
            op.execute(f"DROP INDEX IF EXISTS ix_process_instance_{col}_trgm")
    op.drop_index("ix_human_task_todo_due", table_name="human_task")
    op.drop_index("ix_human_task_done", table_name="human_task")
