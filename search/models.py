"""The search index table. On SQLite an FTS5 table `search_fts` (external content: this table)
follows it through triggers; on PostgreSQL a stored generated column `tsv` (to_tsvector over the
tokens) with a GIN index serves matches and ranking without recomputing a vector per row. Both are
created with the table (below, for create_all) and by migrations 0008 and 0019."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class SearchDoc(Base):
    __tablename__ = "search_doc"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_search_doc_kind_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # instance | customer | contact | contract | agent | ticket
    ref_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # the text shown in snippets
    tokens: Mapped[str] = mapped_column(Text, default="")  # jieba tokens, space-separated
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(tokens, content='search_doc', "
    "content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS search_doc_ai AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER IF NOT EXISTS search_doc_ad AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER IF NOT EXISTS search_doc_au AFTER UPDATE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
]
# PostgreSQL: the vector is stored (a generated column) so ts_rank reads it instead of parsing the
# tokens of every match again; not in the metadata (SQLite has no such type), created by DDL.
PG_TSV = ["ALTER TABLE search_doc ADD COLUMN tsv tsvector "
          "GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED",
          "CREATE INDEX ix_search_doc_tsv ON search_doc USING gin (tsv)"]
SQLITE_FTS_DROP = ["DROP TRIGGER IF EXISTS search_doc_au", "DROP TRIGGER IF EXISTS search_doc_ad",
                   "DROP TRIGGER IF EXISTS search_doc_ai", "DROP TABLE IF EXISTS search_fts"]
# Tables SQLite creates for the FTS5 table: not in the metadata, skipped when comparing schemas.
FTS_TABLES = ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config",
              "search_fts_content")



def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """For schema comparison (Alembic autogenerate, tests/test_migrations.py): everything except the
    FTS5 tables and PostgreSQL's stored vector with its index, which are created by the raw DDL
    above, not from the metadata."""
    return not ((type_ == "table" and name in FTS_TABLES) or (type_ == "column" and name == "tsv")
                or (type_ == "index" and name == "ix_search_doc_tsv"))


for _statement in SQLITE_FTS:
    event.listen(SearchDoc.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in PG_TSV:
    event.listen(SearchDoc.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_FTS_DROP:
    event.listen(SearchDoc.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
