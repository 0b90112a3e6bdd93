"""Page tests without a browser: the app over the `org` fixture's database with CSRF on, and a
client that logs in through the login form like a browser does."""
from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.org import PASSWORD, Org
from tests.reused_logins import login_state


@pytest.fixture
def app(org: Org, app_for: Any) -> Flask:
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (its <meta name="csrf-token">)."""
    m = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert m, "the page carries no CSRF token"
    return m.group(1)


def page_login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


_SESSIONS: dict[tuple[Any, ...], tuple[str, str, float]] = {}
_REUSE_SECONDS = 600  # well inside the CSRF token's and the session's lifetimes


def signed_in(client: FlaskClient, username: str) -> str:
    """Logs `username` in through the form; returns the session's CSRF token for later posts.

    Every copy of the test organisation holds the same users, so a client without a session yet
    gets the session cookie (and its CSRF token) an earlier test of this worker got through the
    form on the same app, while what decides the log-in and the session stays the same (the
    user's row: id, token version, active, password hash, trial end, locale; the app's secret key
    and lifetimes; today's date), for ten minutes at most. The form is what a test whose subject
    is the log-in uses (page_login)."""
    app = client.application
    state = login_state(app, username)
    key = (id(app), app.config.get("PERMANENT_SESSION_LIFETIME"), app.config.get("WTF_CSRF_TIME_LIMIT"), state)
    cached = _SESSIONS.get(key) if state is not None else None
    if cached is not None and client.get_cookie("session") is None and time.monotonic() - cached[2] < _REUSE_SECONDS:
        client.set_cookie("session", cached[0])
        return cached[1]
    r = page_login(client, username)
    assert r.status_code == 302, r.get_data(as_text=True)
    token = csrf_of(client.get("/").get_data(as_text=True))
    got = client.get_cookie("session")
    if state is not None and got is not None:
        _SESSIONS[key] = got.value, token, time.monotonic()
    return token
