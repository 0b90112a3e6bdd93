"""Browser tests: the real app served on a free localhost port, driven by Playwright in Debian's
chromium (its headless build /usr/bin/chromium-headless-shell, else /usr/bin/chromium; `make test`
installs both when missing — scripts/system-deps.sh).

The server runs the demo organisation (demo/org.py, password `liuzhuan123`) with every shipped
process deployed, in a fresh SQLite file per test module, behind one address per worker (`_http`).
Each worker has one browser context (its caches carry over) and each test a new page in it, signed
out (`context`, `page`: they replace pytest-playwright's per-test context, so its --tracing /
--screenshot options do not apply here).
Screenshots: with LIUZHUAN_SCREENS=1,
`shot(page, name)` writes test-output/screens/<test>--<name>.png; look at them. (Not test-results/:
pytest-playwright empties that folder at the start of every run.)
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright._impl.frame import Frame
from playwright.sync_api import expect
from werkzeug.serving import make_server

import crm.models  # noqa: F401
import engine.models  # noqa: F401
import files.models  # noqa: F401  (attachments and signatures)
import search.models  # noqa: F401  (the search index table)
from app import BPMN_DIR, create_app
from db.base import Base
from db.session import Database
from demo.org import DEFAULT_PASSWORD, load_demo
from engine.design import definitions
from tests.sqlite_slot import SqliteSlot

# Debian's headless build of chromium (chromium-headless-shell, installed by `make test`): the same engine
# without the full browser's UI layers, as Playwright itself runs headless — measured on six modules,
# 25% less CPU and 30% less wall time than /usr/bin/chromium. LIUZHUAN_CHROMIUM names another binary.
CHROMIUM = (os.environ.get("LIUZHUAN_CHROMIUM") or shutil.which("chromium-headless-shell")
            or shutil.which("chromium") or "/usr/bin/chromium")
SCREENS = Path(__file__).resolve().parents[2] / "test-output" / "screens"
PASSWORD = DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


@dataclass
class LiveServer:
    url: str
    db: Database
    app: Any


# Two xdist workers each drive a chromium and a live server on two cores: an assertion waits for its
# state longer than Playwright's 5 s default before it fails (still no fixed sleeps).
expect.set_options(timeout=15_000)

# How often an assertion looks again: Playwright's driver re-checks after 20, 50, 100, 100 ms and then
# every 500 ms, unless the assertion's timeout is under 2.5 s (then every 100 ms). So a page that
# answers in 300 ms was seen 770 ms after the click, and the browser tests spent most of their time
# waiting (measured: 79 CPU-seconds in 91 s on two cores). The assertion is asked in slices of at most
# 2 s, until the 15 s are over; the answer (and the error of a failing one) is that of the last slice.
# Frame._expect is what every expect() of a page or locator calls (playwright/_impl/frame.py).
_SLICE_MS = 2_000
_frame_expect = Frame._expect


async def _expect_in_slices(self: Any, selector: Any, expression: str, options: Any, title: Any) -> Any:
    deadline = time.monotonic() + float(options.get("timeout") or 5_000) / 1000
    while True:
        left = (deadline - time.monotonic()) * 1000
        result = await _frame_expect(self, selector, expression, {**options, "timeout": max(1.0, min(_SLICE_MS, left))},
                                     title)
        if not result.get("timedOut") or left <= _SLICE_MS:
            return result


Frame._expect = _expect_in_slices


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test` (scripts/system-deps.sh test installs it)")
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"],
    }


@pytest.fixture(autouse=True)
def no_csp_violations(request: Any) -> Iterator[None]:
    """Every browser test fails if a page broke the Content-Security-Policy (issue 11): Chromium reports
    a refused inline script, handler, eval or resource as a console error naming the policy."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    yield
    assert not seen, f"CSP violations: {seen}"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], _http: str) -> dict[str, Any]:
    return {**browser_context_args, "base_url": _http, "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai", "viewport": {"width": 1280, "height": 860}}


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo organisation with every shipped process deployed, built once per session (per
    xdist worker); each module's server runs on a copy of it."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    db = Database(f"sqlite:///{path}")
    Base.metadata.create_all(db.engine)
    load_demo(db)
    for bpmn in sorted(BPMN_DIR.glob("*.bpmn")):
        definitions.deploy(db, bpmn.read_bytes(), None)
    db.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()  # the last connection: everything is in demo.db, which stays in WAL mode (no -wal beside)
    return path


_APP: list[Any] = []


def _app_for(db: Database) -> Any:
    """One app per worker (building its ~700 routes took ~0.3 s of CPU per module), serving `db`
    for the module under test, with empty rate-limit counters: as tests/conftest.py's app_for."""
    from web.security import limiter

    if not _APP:
        _APP.append(create_app({"DATABASE": db, "SECRET_KEY": "browser-tests", "TESTING": False}))
    app = _APP[0]
    app.extensions["lz_db"] = db
    app.config["DATABASE_URL"] = db.url
    limiter.reset()
    return app


_SERVED = SqliteSlot()  # one engine for the modules' servers, one after another (its statement cache)


@pytest.fixture(scope="session")
def _http() -> Iterator[str]:
    """The worker's one HTTP server, on a free localhost port, for the whole session: it hands each
    request to the worker's one app (`_app_for`), which `serve` points at the module's database.
    One address for every module lets one browser context (`context`) serve them all, its caches
    warm from the first module on."""
    server = make_server("127.0.0.1", 0, lambda environ, start: _APP[0](environ, start), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def serve(tmp_dir: Path, template: Path, url: str) -> Iterator[LiveServer]:
    shutil.copyfile(template, tmp_dir / "lz.db")
    db = _SERVED.database(tmp_dir / "lz.db")
    app = _app_for(db)
    try:
        yield LiveServer(url, db, app)
    finally:
        _SERVED.release(db)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, demo_template, _http) -> Iterator[LiveServer]:
    yield from serve(tmp_path_factory.mktemp("live"), demo_template, _http)


@pytest.fixture
def shot(request) -> Callable[[Any, str], Path | None]:
    """shot(page, "name"): with LIUZHUAN_SCREENS=1, a full-page screenshot saved under
    test-output/screens/ (to look at); otherwise nothing (no test reads them, and the 128 full-page
    shots cost ~30 s of the suite's time)."""
    if os.environ.get("LIUZHUAN_SCREENS") != "1":
        return lambda page, name: None
    SCREENS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page: Any, name: str) -> Path | None:
        path = SCREENS / f"{test}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def context(browser: Any, browser_context_args: dict[str, Any]) -> Iterator[Any]:
    """One browser context per worker (pytest-playwright makes one per test), so its HTTP cache and
    V8's code cache of the bundles carry over from test to test and module to module; each test gets
    a page of its own (`page`), with no cookies. `context.lz_in_flight`: its requests that have not
    ended (for sign_out)."""
    ctx = browser.new_context(**browser_context_args)
    in_flight: set[Any] = set()
    ctx.on("request", lambda r: in_flight.add(r))
    ctx.on("requestfinished", lambda r: in_flight.discard(r))
    ctx.on("requestfailed", lambda r: in_flight.discard(r))
    ctx.lz_in_flight = in_flight
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any, live_server: LiveServer) -> Iterator[Any]:
    """A new page in the worker's context, signed out, on the module's server: the previous test's
    requests have ended and its cookies are gone."""
    p = context.new_page()
    _forget(p)
    yield p
    p.close()


def _forget(page: Any) -> None:
    """Wait until every request of the page's context has ended, then clear its cookies. Flask
    refreshes a permanent session's cookie on every answer, so an answer still on its way (the bell's
    count) would sign the previous user in again after the cookies were cleared. (The wait is the
    page's: Playwright hands over the context's events only while a call of its own runs.)"""
    in_flight = getattr(page.context, "lz_in_flight", set())
    for _ in range(500):
        in_flight.difference_update([r for r in in_flight if not _of_an_open_page(r)])
        if not in_flight:
            break
        page.wait_for_timeout(20)
    else:
        raise AssertionError(f"requests unanswered after 10 s: {[f'{r.method} {r.url}' for r in in_flight]}")
    page.context.clear_cookies()


def _of_an_open_page(request: Any) -> bool:
    """A closed page's requests are dropped with it, and no event tells of their end."""
    try:
        return not request.frame.page.is_closed()
    except Exception:  # a request of no frame (a service worker's): not the page's
        return False


def sign_out(page: Any) -> None:
    """Forget the session: leave the page (its scripts stop asking), wait until every request of the
    context has ended, then clear the cookies (`_forget`). Waiting for the requests themselves instead
    of for "networkidle" (which always waits 500 ms more) saves half a second per sign-out."""
    page.goto("about:blank")
    _forget(page)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(page: Any, username: str, password: str = PASSWORD, to: str | None = "/") -> None:
    """Log in by sending the login form's two requests (GET /login for its CSRF token, POST /login)
    from the page's browser context, whose cookies they share; then open `to` (the inbox unless told;
    None: no page) and wait until it has loaded. The same sign-in as typing into the form, without
    chromium loading the login page and the inbox it redirects to (the form: login_form)."""
    form = page.request.get("/login")
    assert form.ok and urlsplit(form.url).path == "/login", f"already signed in? GET /login -> {form.url}"
    token = _CSRF.search(form.text())
    assert token, "no CSRF token on the login page"
    signed_in = page.request.post("/login", max_redirects=0, form={
        "csrf_token": token[1], "next": "", "username": username, "password": password})
    assert signed_in.status == 302, f"login as {username} refused: {signed_in.status}"
    if to is not None:
        page.goto(to)
        assert "/login" not in page.url, f"{username} is not signed in: {page.url}"


def login_form(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page; waits until the inbox has loaded."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
