"""Designer page and endpoint tests without a browser: the app over the `org` fixture's database,
CSRF on, a client signed in through the login form (tests/web/conftest.py helpers)."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.org import Org


@pytest.fixture
def app(org: Org, app_for: Any) -> Flask:
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
