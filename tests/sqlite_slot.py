"""One SQLAlchemy engine for a series of SQLite files used one after another (tests/conftest.py: each
test's copy of the template; tests/browser/conftest.py: each module's live server)."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from db.session import SQLITE_BUSY_MS, Database, _sqlite_engine


class SqliteSlot:
    """One engine, pointed at each file in turn. SQLAlchemy caches compiled statements per engine (keyed
    by its dialect): with a new engine per test every statement a test ran was compiled again, some
    35 per test, a fifth of an API test's time. The engine connects through `creator` to the current
    file; when the next file is taken its pool is disposed, so no connection to the previous file is
    handed out again, and its `url` names the current file. Whoever takes a file while the previous
    one is still held (none does today) gets an engine of its own."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.busy = False
        self._engine: Any = None

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return sqlite3.connect(self.path, timeout=SQLITE_BUSY_MS / 1000, check_same_thread=False)

    def database(self, target: Path) -> Database:
        if self.busy:
            return Database(f"sqlite:///{target}")
        if self._engine is None:
            self._engine = _sqlite_engine(f"sqlite:///{target}", creator=self._connect)
        self._engine.dispose()
        self._engine.__dict__.pop("_lz_search_index", None)  # asked again of the new file (search/index.py)
        self.path, self.busy = target, True
        self._engine.url = make_url(f"sqlite:///{target}")  # what it connects to, for whoever reads it
        return Database.for_engine(self._engine)

    def release(self, db: Database) -> None:
        db.dispose()
        if db.engine is self._engine:
            self.busy = False
