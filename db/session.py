"""Engine factory and the unit of work.

One `Database` per process. `uow()` opens a transaction that commits on success and rolls
back on any exception. Write use cases call `uow(write=True)`: on SQLite that transaction
starts with BEGIN IMMEDIATE (the database write lock is taken up front, so two writers are
serialized instead of failing at commit); on PostgreSQL the use case locks its instance row
with SELECT ... FOR UPDATE (`lock_for_update`).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.read_guard import READ  # installs the guard: reads do not write

SQLITE_BUSY_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_engine(url: str, **kw: Any) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False}, **kw)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours (see `_on_begin`).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if path and path != ":memory:":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("lz_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    # Writers of this process take turns on a lock before BEGIN IMMEDIATE: SQLite's own busy
    # handler backs off by sleeping (up to tens of ms), so contended writers wait longer than
    # the write takes. Re-entrant: a writer's after-commit hook may open a write of its own.
    engine._lz_write_lock = threading.RLock()  # type: ignore[attr-defined]
    return engine


HOLD_MAX = 2_000  # objects a unit of work holds; an action or a page uses well under 500


class LzSession(Session):
    """A session whose objects stay in its identity map until it closes. SQLAlchemy's identity map
    holds objects weakly: a row read for one check (the actor for the starters rule, the definition
    for the redaction) and then let go was read again by the next `get` of the same transaction
    (counted in the suite: ~2 repeated SELECTs per action and page). A unit of work is short, so its
    session keeps a strong reference to the objects it loaded or flushed: the first HOLD_MAX of them,
    so that a command walking every row in one transaction (verify-audit, search-reindex) keeps the
    memory it had; such a loop also lets go of them as it goes (`release_held`)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.info["lz_held"] = []


@event.listens_for(LzSession, "loaded_as_persistent")
@event.listens_for(LzSession, "pending_to_persistent")
def _hold(session: Session, instance: Any) -> None:
    held = session.info["lz_held"]
    if len(held) < HOLD_MAX:
        held.append(instance)


def release_held(session: Session) -> None:
    """Let go of the objects the session holds (a loop over many rows, between rows)."""
    held = session.info.get("lz_held")
    if held is not None:
        held.clear()


def _pg_engine(url: str, **kw: Any) -> Engine:
    # No pre-ping (a round trip before every checkout): a connection the server dropped fails
    # one request and is replaced; pool_recycle retires connections before idle timeouts.
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800, **kw)


class Database:
    def __init__(self, url: str, echo: bool = False):
        url = normalize_url(url)
        self._bind(url, _sqlite_engine(url, echo=echo) if url.startswith("sqlite") else _pg_engine(url, echo=echo))

    def _bind(self, url: str, engine: Engine) -> None:
        self.url, self.engine = url, engine
        # Reads need no transaction on PostgreSQL: under its READ COMMITTED each statement sees its own
        # snapshot inside a transaction too, so autocommit loses nothing but the BEGIN / COMMIT round
        # trips (`first`, the credential check: 1.31 -> 0.43 ms here; a two-statement read unit of
        # work 2.45 -> 1.70 ms, medians of 7 interleaved runs). The one write a read makes (the 已阅 mark,
        # engine/task_reads.py, found by recording every flush of a read over the suite) is a
        # single-row UPDATE, atomic on its own. SQLite's BEGIN is ours (`_on_begin`): unchanged.
        sqlite = engine.dialect.name == "sqlite"
        self._single = engine if sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read = sessionmaker(self._single, class_=LzSession, expire_on_commit=False, info={READ: True})
        self._write = sessionmaker(engine.execution_options(lz_write=True), class_=LzSession, expire_on_commit=False)

    @classmethod
    def for_engine(cls, engine: Engine) -> Database:
        """A Database over an existing engine (e.g. the one a committed session used)."""
        engine = getattr(engine, "_proxied", engine)  # an OptionEngine (a write session's bind): its base
        db = cls.__new__(cls)
        db._bind(engine.url.render_as_string(hide_password=False), engine)
        return db

    def first(self, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        """The first row of one Core read, or None: no ORM session, no objects built (the per-request
        credential check: SQLite 0.10 ms against 0.39 ms through `uow`)."""
        with self._single.connect() as conn:
            return conn.execute(stmt, params or {}).first()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def uow(self, write: bool = False) -> Iterator[Session]:
        lock = getattr(self.engine, "_lz_write_lock", None) if write else None
        with lock if lock is not None else nullcontext():
            session = (self._write if write else self._read)()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def lock_for_update(stmt: Any, session: Session) -> Any:
    """Add FOR UPDATE where the database has row locks (SQLite is serialized by BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "sqlite":
        return stmt
    return stmt.with_for_update()
