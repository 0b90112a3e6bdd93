"""Alembic environment for Liuzhuan.

The database URL comes from, in this order: `alembic -x url=...`, the `url` attribute that
db.migrate.upgrade() passes programmatically, the DATABASE_URL environment variable, and the
embedded default (sqlite:///instance/liuzhuan.db). It is normalized with db.session.normalize_url,
so postgres:// and postgresql:// URLs use the psycopg 3 driver as the app does.

SQLite cannot ALTER most things, so on SQLite autogenerate renders batch operations
(render_as_batch) that copy-and-move the table.
"""
from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import create_engine, event, pool

import crm.models  # noqa: F401  (registers the organisation tables on Base.metadata)
import engine.models  # noqa: F401  (registers the engine tables)
import files.models  # noqa: F401  (attachments and signatures)
import notify.models  # noqa: F401  (the notification outbox)
import search.models  # noqa: F401  (the search index table)
from core.config import load
from db.base import Base
from db.migrate import ensure_sqlite_dir
from db.session import normalize_url
from search.models import include_name  # autogenerate skips only the FTS5 tables

config = context.config

# Configure logging from alembic.ini when run from the command line; db.migrate.upgrade() turns
# this off so that migrating from inside the app does not replace the app's logging setup.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    url = (context.get_x_argument(as_dictionary=True).get("url")
           or config.attributes.get("url")
           or load().database_url)
    return normalize_url(url)


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`) instead of running it."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _begin_is_ours(connectable: Any) -> None:
    """On SQLite, let alembic's transaction blocks decide when to commit. pysqlite commits before
    every DDL statement on its own, so an upgrade from scratch was hundreds of separate commits, each
    a disk sync (7.7 s for the test suite's round trip, now 2.2 s). With pysqlite's transaction
    handling off, BEGIN is ours, as in db.session. (A failed upgrade stops at the same revision as
    before: alembic treats SQLite's DDL as non-transactional and commits along the way.)"""
    @event.listens_for(connectable, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(connectable, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


def run_migrations_online() -> None:
    url = database_url()
    ensure_sqlite_dir(url)
    # A plain engine (not db.session.Database): no PRAGMA foreign_keys=ON and no custom BEGIN,
    # so SQLite batch migrations can drop and recreate tables.
    connectable = create_engine(url, poolclass=pool.NullPool)
    if connectable.dialect.name == "sqlite":
        _begin_is_ours(connectable)
    try:
        with connectable.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_name,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
