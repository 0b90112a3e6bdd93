"""Search on PostgreSQL: a stored tsvector column (generated from the jieba tokens) with its GIN
index replaces the expression index, so ranking reads the vector instead of parsing every match's
tokens again (issue 14: a clerk's common query at 100,000 instances). SQLite is unchanged (FTS5).

Revision ID: 0019
Revises: 0012
Create Date: 2026-11-30 22:40:00

"""
from collections.abc import Sequence

from alembic import op

revision: str = '0019'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_doc_tsv")
    op.execute("ALTER TABLE search_doc ADD COLUMN tsv tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED")
    op.execute("CREATE INDEX ix_search_doc_tsv ON search_doc USING gin (tsv)")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_doc_tsv")
    op.execute("ALTER TABLE search_doc DROP COLUMN tsv")
    op.execute("CREATE INDEX ix_search_doc_tsv ON search_doc USING gin (to_tsvector('simple', tokens))")
