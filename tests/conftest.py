"""Shared fixtures: a database per test (SQLite file, or PostgreSQL when reachable), an organisation,
and one Flask app per configuration per worker.

Speed without sharing state between tests:
- The schema and the test organisation (tests/org.py) are built once per session (per xdist
  worker) into templates; each test gets its own copy: a copied SQLite file, or on PostgreSQL
  `CREATE DATABASE ... TEMPLATE`. A test asking for `db` (or `any_db`) gets the bare schema, a
  test asking for `org` (or `any_org`) gets the organisation in that same database.
- `app_for(db, **config)` hands back one app per configuration, pointed at the test's database,
  with the rate-limit counters cleared and its config restored after the test. Tests about
  app creation itself call create_app.
"""
from __future__ import annotations

import gc
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

import crm.models  # noqa: F401  (register tables)
import crm.org  # noqa: E402
import engine.models  # noqa: F401
import files.models  # noqa: F401  (attachments and signatures)
import notify.models  # noqa: F401
import search.models  # noqa: F401  (the search index table)
from app import wire
from db.base import Base
from db.session import Database
from tests import pg_drop
from tests.org import Org, build_org
from tests.sqlite_slot import PgSlot, SqliteSlot

crm.org.PASSWORD_METHOD = "pbkdf2:sha256:1000"  # fast hashes for test organisations; production keeps scrypt
wire()  # as create_app() does: services built here without an app need the engine's answers too

PG_ADMIN_URL = os.environ.get("LIUZHUAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("LIUZHUAN_REQUIRE_PG") == "1"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
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


def _need_pg() -> None:
    if not pg_available():
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (LIUZHUAN_REQUIRE_PG=1) but not reachable at 127.0.0.1:5432")
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


class _Lane:
    """One background thread doing queued jobs in order; join() waits until every queued job is done."""

    def __init__(self, job: Callable[[Any, str], None]) -> None:
        self._job = job
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def put(self, arg: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        self._queue.put(arg)

    def _run(self) -> None:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)
        while (arg := self._queue.get()) is not None:
            try:
                with engine.connect() as c:
                    self._job(c, arg)
            finally:
                self._queue.task_done()
        self._queue.task_done()
        engine.dispose()

    def join(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._queue.join()
            self._thread = None

    def abandon(self) -> list[str]:
        """Take back the queued jobs' arguments; wait only for the job being done now."""
        taken: list[str] = []
        while True:
            try:
                arg = self._queue.get_nowait()
            except queue.Empty:
                break
            self._queue.task_done()
            if arg is not None:
                taken.append(arg)
        self.join()
        return taken


class _PgAdmin:
    """CREATE / DROP DATABASE on the server (one autocommit engine per worker).

    A test's copy of a template is created ahead, in the background: when a test takes its copy,
    the next one is queued, so the CREATE ... TEMPLATE (0.1-0.8 s, mostly the server's disk)
    overlaps the test instead of preceding it. Drops run on a thread of their own (one takes
    0.4-1.4 s; queued behind them, the next copy would be late). Copies run with
    synchronous_commit=off (ALTER DATABASE, so every connection to the copy has it): a commit
    does not wait for its WAL flush. Nothing a test checks survives a server crash, and what one
    connection committed is visible to the next exactly as with the flush."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._cond = threading.Condition()
        self._ready: dict[str, list[str]] = {}  # template -> copies created ahead
        self._pending: dict[str, int] = {}  # template -> copies queued or being created
        self._creates = _Lane(self._create_ahead)
        self._drops = _Lane(pg_drop.drop)

    def _conn(self) -> Any:
        if self._engine is None:
            self._engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)
        return self._engine.connect()

    @staticmethod
    def _create_on(c: Any, template: str | None) -> str:
        name = f"lz_test_{uuid.uuid4().hex[:12]}"
        c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        if template:
            c.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        return name

    def _create_ahead(self, c: Any, template: str) -> None:
        try:
            name = self._create_on(c, template)
            with self._cond:
                self._ready.setdefault(template, []).append(name)
        finally:
            with self._cond:
                self._pending[template] -= 1
                self._cond.notify_all()

    def create(self, template: str | None = None) -> str:
        with self._conn() as c:
            return self._create_on(c, template)

    def copy(self, template: str) -> str:
        """A fresh copy of `template` for one test: the one created ahead when there is one (waiting
        for it when it is being created), else created now; the next one is queued either way."""
        with self._cond:
            while not self._ready.get(template) and self._pending.get(template):
                self._cond.wait()
            ready = self._ready.get(template)
            name = ready.pop() if ready else None
            self._pending[template] = self._pending.get(template, 0) + 1
        self._creates.put(template)
        return name if name is not None else self.create(template)

    def drop(self, name: str) -> None:
        with self._conn() as c:
            pg_drop.drop(c, name)

    def drop_later(self, name: str) -> None:
        """Drop a test's database in the background: a DROP DATABASE mostly waits for the server's
        disk (0.4-1.4 s measured, more than the CREATE ... TEMPLATE), and the next test needs
        nothing from it. At the session's end dispose() hands the ones still queued to a detached process."""
        self._drops.put(name)

    def dispose(self, also: tuple[str, ...] = ()) -> None:
        """At the end of the session: the copies nobody took, the drops still queued and `also` (the
        templates) are dropped by a detached process, so the worker does not wait for the server's
        disk (each DROP DATABASE forces a checkpoint: 5-9 s at the end of every worker measured,
        the last seconds of every run). Only the copy being created now is waited for."""
        self._creates.join()
        names = [n for ready in self._ready.values() for n in ready] + self._drops.abandon() + list(also)
        self._ready.clear()
        if self._engine is not None:
            self._engine.dispose()
        if names:
            subprocess.Popen([sys.executable, pg_drop.__file__, PG_ADMIN_URL, *names], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_pg_admin = _PgAdmin()


def _database(url: str) -> Database:
    db = Database(url)
    Base.metadata.create_all(db.engine)
    return db


# ---------------------------------------------------------------- templates (once per worker)


@dataclass
class _Template:
    location: str  # SQLite: a file path; PostgreSQL: a database name
    ids: dict[str, int]
    depts: dict[str, int]


def _checkpointed(db: Database, path: Path) -> None:
    """Close the template's connections with everything in the main file (no -wal beside it). The file
    stays in WAL mode, as db/session.py opens it: a copy is not converted again by its first connection
    (which wrote and synced the header in every test)."""
    db.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()  # the last connection: SQLite removes the -wal
    assert not Path(f"{path}-wal").exists()


class _Templates:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._sqlite: dict[bool, _Template] = {}
        self._pg: dict[bool, _Template] = {}

    def sqlite(self, with_org: bool) -> _Template:
        if with_org not in self._sqlite:
            path = self.root / ("org.db" if with_org else "schema.db")
            db = _database(f"sqlite:///{path}")
            built = build_org(db) if with_org else None
            _checkpointed(db, path)
            self._sqlite[with_org] = _Template(str(path), built.ids if built else {}, built.depts if built else {})
        return self._sqlite[with_org]

    def pg(self, with_org: bool) -> _Template:
        if with_org not in self._pg:
            name = _pg_admin.create()
            db = _database(_pg_url(name))
            built = build_org(db) if with_org else None
            db.dispose()
            self._pg[with_org] = _Template(name, built.ids if built else {}, built.depts if built else {})
        return self._pg[with_org]

    def drop(self) -> None:
        _pg_admin.dispose(also=tuple(t.location for t in self._pg.values()))


@pytest.fixture(scope="session")
def _templates(tmp_path_factory) -> Iterator[_Templates]:
    t = _Templates(tmp_path_factory.mktemp("templates"))
    yield t
    t.drop()


def _wants_org(request: Any) -> bool:
    names = request.fixturenames
    return "org" in names or "any_org" in names


_slot = SqliteSlot()  # the per-test copies (`db`, `any_db` on SQLite)
_pg_slot = PgSlot()  # `any_db` on PostgreSQL


def _sqlite_copy(templates: _Templates, target: Path, with_org: bool, shared: bool = True) -> tuple[Database, _Template]:
    """The template copied to `target`, with a Database over it: the worker's shared engine (`_slot`;
    give it back with `_slot.release`) unless `shared` is false (a database that outlives one test)."""
    t = templates.sqlite(with_org)
    shutil.copyfile(t.location, target)
    return (_slot.database(target) if shared else Database(f"sqlite:///{target}")), t


# ---------------------------------------------------------------- databases


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (no tables) for one test, dropped afterwards."""
    _need_pg()
    name = _pg_admin.create()
    try:
        yield _pg_url(name)
    finally:
        _pg_admin.drop_later(name)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'lz.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path, _templates) -> Iterator[Database]:
    """Runs the test on both databases: the schema (and the organisation when the test asks for
    `any_org`), copied from this worker's template."""
    with_org = _wants_org(request)
    if request.param == "sqlite":
        db, t = _sqlite_copy(_templates, tmp_path / "lz.db", with_org)
        db._lz_template = t  # type: ignore[attr-defined]
        yield db
        _slot.release(db)
        return
    _need_pg()
    t = _templates.pg(with_org)
    name = _pg_admin.copy(t.location)
    db = _pg_slot.take(_pg_url(name))
    db._lz_template = t  # type: ignore[attr-defined]
    try:
        yield db
    finally:
        _pg_slot.release(db)
        _pg_admin.drop_later(name)


@pytest.fixture
def db(request, tmp_path, _templates) -> Iterator[Database]:
    """SQLite only: for tests whose subject is not the database (with the organisation in it when
    the test asks for `org`)."""
    d, t = _sqlite_copy(_templates, tmp_path / "lz.db", _wants_org(request))
    d._lz_template = t  # type: ignore[attr-defined]
    yield d
    _slot.release(d)


@pytest.fixture(scope="module")
def module_org(tmp_path_factory, _templates) -> Iterator[Org]:
    """One SQLite database and organisation shared by a module's tests (for hypothesis tests and
    long parametrized runs, where a fresh organisation per example would dominate the time)."""
    d, t = _sqlite_copy(_templates, tmp_path_factory.mktemp("module") / "lz.db", True, shared=False)
    yield Org(d, dict(t.ids), dict(t.depts))
    d.dispose()


def _org_of(d: Database) -> Org:
    t: _Template = d._lz_template  # type: ignore[attr-defined]
    assert t.ids, "the database was copied without the organisation"
    return Org(d, dict(t.ids), dict(t.depts))


@pytest.fixture
def org(db) -> Org:
    return _org_of(db)


@pytest.fixture
def any_org(any_db) -> Org:
    return _org_of(any_db)


# ---------------------------------------------------------------- apps


_APPS: dict[tuple[tuple[str, Any], ...], Any] = {}


@pytest.fixture
def app_for() -> Iterator[Callable[..., Any]]:
    """app_for(database, **config): the app for this configuration (created once per worker),
    serving `database` for this test. Rate-limit counters start empty; config changes a test
    makes are undone afterwards. One database per configuration in a test: a second installation
    beside the first (another database at the same time) calls create_app itself."""
    from app import create_app
    from web.security import limiter

    used: list[tuple[Any, dict[str, Any], Any]] = []

    def get(database: Database, **config: Any) -> Any:
        key = tuple(sorted(config.items()))
        app = _APPS.get(key)
        if app is None:
            app = _APPS[key] = create_app({"DATABASE": database, **config})
            _freeze()  # the app lives as long as the worker
        used.append((app, dict(app.config), app.extensions["lz_db"]))
        app.extensions["lz_db"] = database
        app.config["DATABASE_URL"] = database.url
        limiter.reset()
        return app

    yield get
    for app, config, database in reversed(used):
        app.config.clear()
        app.config.update(config)
        app.extensions["lz_db"] = database


# ---------------------------------------------------------------- scheduling under pytest-xdist


def _module_scoped(item: Any) -> bool:
    """The test uses a fixture built once per module or class (a shared organisation, a demo
    database, a corpus deployment)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs and defs[-1].scope in ("module", "class") for defs in info.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)  # the marks are added before the hook below reads them
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Under `--dist loadgroup`: a browser module runs on one worker (one live server and one
    chromium per module, as without xdist). So does any module whose tests share a module- or
    class-scoped fixture: spread over both workers (and interleaved with other modules there) the
    fixture was built once per worker or once per run of its module's tests, which is how the demo
    data of tests/demo/test_demo_records.py was built twice. The long poles (slow and browser tests)
    are collected first so they start first, instead of one of them finishing alone at the end."""
    for item in items:
        path = Path(str(item.fspath))
        if path.parent.name == "browser":
            if not item.get_closest_marker("browser"):  # a conftest's pytestmark marks nothing
                item.add_marker(pytest.mark.browser)
            if not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group(f"browser-{path.stem}"))
        elif not item.get_closest_marker("xdist_group") and _module_scoped(item):
            item.add_marker(pytest.mark.xdist_group(f"module-{path.parent.name}-{path.stem}"))
    items.sort(key=lambda i: 0 if i.get_closest_marker("slow") or i.get_closest_marker("browser") else 1)


class _GroupSuffix:
    """pytest-xdist (3.8) puts an item on a group's worker by the `@<group>` its worker appends to the
    item's nodeid, by assigning `item._nodeid`; pytest 9 reads the nodeid from `item._id`, so the
    suffix was lost and every xdist_group was spread over both workers (each building the group's
    module fixtures again). This appends it where pytest 9 reads it, after xdist's own hook."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        if not config.getvalue("loadgroup") or not hasattr(items[0] if items else None, "_id"):
            return
        from _pytest.nodeid import NodeId
        for item in items:
            names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                            for m in item.iter_markers("xdist_group")})
            if names and "@" not in item.nodeid:
                item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


def _freeze() -> None:
    """Move what exists now out of the garbage collector's sight (gc.freeze), as app.serve_app does
    for a served app: the worker's modules, collected tests and apps live until it ends, and the
    full collections during the tests stopped re-scanning them (measured: ~5-10% of an API module's
    CPU time)."""
    gc.collect()
    gc.freeze()


def pytest_collection_finish(session: Any) -> None:
    _freeze()


def pytest_configure(config: Any) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        config.pluginmanager.register(_GroupSuffix(), "lz-xdist-group-suffix")
