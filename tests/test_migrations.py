"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlite3

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool

import crm.models  # noqa: F401  (register tables)
import engine.models  # noqa: F401
import files.models  # noqa: F401  (attachments and signatures)
import notify.models  # noqa: F401
import search.models  # noqa: F401  (the search index table)
from db.base import Base
from db.migrate import alembic_config, upgrade
from db.session import normalize_url
from search.models import include_name


def _diff(url: str) -> list:
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with eng.connect() as conn:
            # The same options migrations/env.py uses for autogenerate: only SQLite's FTS5 tables are skipped.
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            return compare_metadata(ctx, Base.metadata)
    finally:
        eng.dispose()


def _current(url: str) -> str | None:
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with eng.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        eng.dispose()


def _tables(url: str) -> set[str]:
    eng = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        return set(inspect(eng).get_table_names())
    finally:
        eng.dispose()


def _index_sql(path: str) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    finally:
        con.close()


def _assert_sqlite_indexes_as_declared(url: str, tmp_path) -> None:
    """Autogenerate cannot reflect SQLite's expression-based indexes (the inbox's due-date orders:
    `(due_at IS NULL), due_at` ...) nor compare any index's WHERE: every index the migrations built
    must have the CREATE INDEX the models' create_all writes."""
    declared = tmp_path / "declared.db"
    eng = create_engine(f"sqlite:///{declared}", poolclass=pool.NullPool)
    Base.metadata.create_all(eng)
    eng.dispose()
    assert _index_sql(url.removeprefix("sqlite:///")) == _index_sql(str(declared))


def _check_upgrade(url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    upgrade(url)
    assert _current(url) == head
    assert _diff(url) == []
    upgrade(url)  # idempotent: an up-to-date database is left as it is
    assert _current(url) == head
    assert _diff(url) == []


def _check_round_trip(url: str) -> None:
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    assert _tables(url) <= {"alembic_version"}
    upgrade(url)
    assert _diff(url) == []


def test_upgrade__sqlite_matches_models_and_is_idempotent(tmp_path):
    # a directory that does not exist yet: upgrade() creates it
    url = f"sqlite:///{tmp_path / 'instance' / 'lz.db'}"
    _check_upgrade(url)
    _assert_sqlite_indexes_as_declared(url, tmp_path)


def test_upgrade__postgresql_matches_models_and_is_idempotent(pg_url):
    _check_upgrade(pg_url)


def test_downgrade__sqlite_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path / 'lz.db'}"
    _check_round_trip(url)
    _assert_sqlite_indexes_as_declared(url, tmp_path)


def test_downgrade__postgresql_round_trip(pg_url):
    _check_round_trip(pg_url)


def test_single_head():
    assert len(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()) == 1
