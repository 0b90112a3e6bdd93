"""Designer page and endpoint tests without a browser: the app over the `org` fixture's database,
CSRF on, a client signed in through the login form (tests/web/conftest.py helpers)."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from tests.org import Org


@pytest.fixture
def app(org: Org) -> Flask:
    return create_app({"DATABASE": org.db, "SECRET_KEY": "test", "TESTING": True, "WTF_CSRF_ENABLED": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
