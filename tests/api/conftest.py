"""API fixtures: an app over the `org` fixture's database, a test client, and small HTTP helpers."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.bpmn_factory import chain, user_task
from tests.org import PASSWORD, Org
from tests.reused_logins import login_state

API = "/api/v1"


@pytest.fixture
def app(org: Org, app_for: Any) -> Flask:
    return app_for(org.db, SECRET_KEY="test", TESTING=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _lifetime(app: Flask) -> float:
    value = app.config.get("TOKEN_MAX_AGE", 12 * 3600)
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


_TOKENS: dict[tuple[Any, ...], tuple[str, float]] = {}


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Headers that authenticate as `username`, with a token from POST /auth/token.

    A test calls this some ten times, and every copy of the test organisation holds the same users.
    So the token is asked for once per worker for what decides POST /auth/token's answer and the
    token (the app's secret key and token lifetime, and the user's row: id, token version, active,
    password hash, trial end, with the password given and today's date), and reused while that
    stays the same (and for no more than half the token's lifetime): a new password, a deactivation
    or a logout in a test changes the row, and the next call asks again. Tests whose subject is the
    log-in post to /auth/token themselves."""
    app = client.application
    state = login_state(app, username)
    key = (app.config.get("TOKEN_MAX_AGE"), password, state)
    cached = _TOKENS.get(key) if state is not None else None
    if cached is not None and time.monotonic() - cached[1] < _lifetime(app) / 2:
        token = cached[0]
    else:
        r = client.post(f"{API}/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, r.get_json()
        token = r.get_json()["token"]
        _TOKENS[key] = token, time.monotonic()
    return {"Authorization": f"Bearer {token}"}


def assert_error(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is `status` with the JSON error body; returns its `error` object."""
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    assert r.is_json, r.get_data(as_text=True)
    body = r.get_json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert {"code", "message", "fields"} <= set(err), err
    assert isinstance(err["code"], str) and isinstance(err["message"], str) and isinstance(err["fields"], dict)
    if code is not None:
        assert err["code"] == code, err
    return err


# ---------------------------------------------------------------- processes used by the API tests

# sup: the initiator's supervisor (any); cs: v01 and v02 countersign (all); routed on cs's outcome.
TWO_STEP = chain("two_step", [user_task("sup", "any", "supervisor"), user_task("cs", "all", "users", "v01,v02")],
                 prefix="TS", route_last=True)
# a handle task for the initiator's supervisor, copying the hr role
HANDLE_CC = chain("handle_cc", [user_task("handle", None, "supervisor",
                                          extra='<lz:cc strategy="role" value="hr"/>')], prefix="HC")


def deploy(client: FlaskClient, xml: bytes, user: str = "admin") -> Any:
    return client.post(f"{API}/process-definitions", data=xml, content_type="application/xml",
                       headers=login(client, user))


def start(client: FlaskClient, user: str, process: str = "two_step", data: dict[str, Any] | None = None) -> int:
    r = client.post(f"{API}/process-instances", json={"process": process, "data": data or {}},
                    headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def inbox(client: FlaskClient, user: str, box: str = "todo", **params: Any) -> dict[str, Any]:
    r = client.get(f"{API}/tasks", query_string={"box": box, **params}, headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def task_of(client: FlaskClient, user: str, instance_id: int) -> int:
    rows = [t for t in inbox(client, user)["items"] if t["instance_id"] == instance_id]
    assert len(rows) == 1, rows
    return rows[0]["id"]


def act(client: FlaskClient, user: str, instance_id: int, action: str = "approve", **body: Any) -> dict[str, Any]:
    """`user` takes `action` on their one open task of the instance (with a default comment); must succeed."""
    tid = task_of(client, user, instance_id)
    r = client.post(f"{API}/tasks/{tid}/{action}", json={"comment": "意见", **body}, headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()
