"""One SQLAlchemy engine for a series of databases used one after another: tests/conftest.py's
per-test copies of the templates (SQLite files, PostgreSQL databases), tests/browser/conftest.py's
module live servers.

SQLAlchemy caches compiled statements per engine (keyed by its dialect): with a new engine per test
every statement a test ran was compiled again, some 35 per test, a fifth of an API test's time. So
one engine connects through `creator` to the current database; when the next one is taken its pool
is disposed, so no connection to the previous database is handed out again, and its `url` names the
current one. Whoever takes a database while the previous one is still held (none does today) gets an
engine of its own.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url

from db.session import SQLITE_BUSY_MS, Database, _pg_engine, _sqlite_engine, normalize_url


class _Slot:
    def __init__(self) -> None:
        self.url: str | None = None
        self.busy = False
        self._engine: Any = None

    def _new_engine(self, url: str) -> Any:
        raise NotImplementedError

    def take(self, url: str) -> Database:
        url = normalize_url(url)
        if self.busy:
            return Database(url)
        if self._engine is None:
            self._engine = self._new_engine(url)
        self._engine.dispose()
        self._engine.__dict__.pop("_lz_search_index", None)  # asked again of the new database (search/index.py)
        self.url, self.busy = url, True
        self._engine.url = make_url(url)  # what it connects to, for whoever reads it
        return Database.for_engine(self._engine)

    def release(self, db: Database) -> None:
        db.dispose()
        if db.engine is self._engine:
            self.busy = False


class SqliteSlot(_Slot):
    """Connections as db/session.py makes them, but with `synchronous=OFF`: no fsync at a checkpoint,
    which SQLite runs when a test's last connection closes (the pool's dispose). A test database is
    thrown away; none of them is read after a crash (as PostgreSQL's copies run with
    synchronous_commit=off). What one connection committed is seen by the next all the same."""

    def _new_engine(self, url: str) -> Any:
        engine = _sqlite_engine(url, creator=self._connect)  # the listeners of db/session.py, as Database's
        event.listen(engine, "connect", _no_sync)  # after db/session.py's own (synchronous=NORMAL)
        return engine

    def _connect(self) -> sqlite3.Connection:
        assert self.url is not None
        return sqlite3.connect(make_url(self.url).database or "", timeout=SQLITE_BUSY_MS / 1000,
                               check_same_thread=False)

    def database(self, path: Path) -> Database:
        return self.take(f"sqlite:///{path}")


def _no_sync(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA synchronous=OFF")


class PgSlot(_Slot):
    def _new_engine(self, url: str) -> Any:
        return _pg_engine(url, creator=self._connect)  # as Database's

    def _connect(self) -> Any:
        import psycopg

        assert self.url is not None
        return psycopg.connect(make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False))
