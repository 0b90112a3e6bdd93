"""Shared fixtures: a database per test (SQLite file, or PostgreSQL when reachable), an organisation."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

import crm.models  # noqa: F401  (register tables)
import crm.org  # noqa: E402
import engine.models  # noqa: F401
from app import wire
from db.base import Base
from db.session import Database
from tests.org import Org, build_org

crm.org.PASSWORD_METHOD = "pbkdf2:sha256:1000"  # fast hashes for test organisations; production keeps scrypt
wire()  # as create_app() does: services built here without an app need the engine's answers too

PG_ADMIN_URL = os.environ.get("LIUZHUAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("LIUZHUAN_REQUIRE_PG") == "1"
_pg_ok: bool | None = None


def pg_available() -> bool:
    global _pg_ok
    if _pg_ok is None:
        try:
            eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with eng.connect() as c:
                c.execute(text("select 1"))
            eng.dispose()
            _pg_ok = True
        except Exception:
            _pg_ok = False
    return _pg_ok


@pytest.fixture(scope="session", autouse=True)
def wired() -> None:
    """The engine with the CRM process functions registered, as create_app() and the command line
    wire it (app.wire()): engine tests run shipped processes without an app."""
    wire()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not pg_available():
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (LIUZHUAN_REQUIRE_PG=1) but not reachable at 127.0.0.1:5432")
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    name = f"lz_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'lz.db'}"


def _database(url: str) -> Database:
    db = Database(url)
    Base.metadata.create_all(db.engine)
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request) -> Iterator[Database]:
    """Runs the test on both databases."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    db = _database(url)
    yield db
    db.dispose()


@pytest.fixture
def db(sqlite_url) -> Iterator[Database]:
    """SQLite only: for tests whose subject is not the database."""
    d = _database(sqlite_url)
    yield d
    d.dispose()


@pytest.fixture(scope="module")
def module_org(tmp_path_factory) -> Iterator[Org]:
    """One SQLite database and organisation shared by a module's tests (for hypothesis tests and
    long parametrized runs, where a fresh organisation per example would dominate the time)."""
    d = _database(f"sqlite:///{tmp_path_factory.mktemp('module') / 'lz.db'}")
    yield build_org(d)
    d.dispose()


@pytest.fixture
def org(db) -> Org:
    return build_org(db)


@pytest.fixture
def any_org(any_db) -> Org:
    return build_org(any_db)
