"""Page tests without a browser: the app over the `org` fixture's database with CSRF on, and a
client that logs in through the login form like a browser does."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.org import PASSWORD, Org


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


def signed_in(client: FlaskClient, username: str) -> str:
    """Logs `username` in through the form; returns the session's CSRF token for later posts."""
    r = page_login(client, username)
    assert r.status_code == 302, r.get_data(as_text=True)
    return csrf_of(client.get("/").get_data(as_text=True))
