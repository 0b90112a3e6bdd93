"""Every error under /api answers {"error": {"code", "message", "fields"}} with the right status."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import Conflict as HTTPConflict

import api.routes_org
import api.routes_tasks
from core.errors import (
    Conflict,
    DefinitionInvalid,
    EngineFailure,
    Forbidden,
    NotFound,
    Problem,
    Unauthenticated,
    ValidationFailed,
)
from tests.api.conftest import API, assert_error, login


def test_unknown_route_under_api_is_json_404(client):
    for path in (f"{API}/nope", f"{API}/tasks/abc", "/api/v2/me", "/api", f"{API}/process-instances/-1",
                 f"{API}/process-instances/0", f"{API}/tasks/{2**70}", f"{API}/tasks/1.5"):
        assert_error(client.get(path), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(client):
    r = client.delete(f"{API}/me")
    assert_error(r, 405, "method_not_allowed")
    assert "GET" in r.headers["Allow"]
    assert_error(client.get(f"{API}/auth/token"), 405)
    assert_error(client.put(f"{API}/departments/1", json={}), 405)


def test_routes_outside_the_api_keep_flasks_own_pages(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and not r.is_json


@pytest.mark.parametrize("data, content_type", [
    ("{bad json", "application/json"), ("[1]", "application/json"), ("3", "application/json"),
    ("null", "application/json"), ('"text"', "application/json"), (b"\xff\xfe{}", "application/json"),
])
def test_malformed_or_non_object_body_is_400_naming_the_body(client, data, content_type):
    r = client.post(f"{API}/auth/token", data=data, content_type=content_type)
    err = assert_error(r, 400, "bad_request")
    assert set(err["fields"]) == {"body"}


@pytest.mark.parametrize("data", [
    '{"username": NaN}', '{"username": Infinity}', '{"username": -Infinity}', '{"username": 1e999}',
    '{"username": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"username": ' + "[" * 40 + "]" * 40 + "}",
])
def test_nan_infinity_and_deep_nesting_are_400(client, data):
    r = client.post(f"{API}/auth/token", data=data, content_type="application/json")
    assert set(assert_error(r, 400, "bad_request")["fields"]) == {"body"}


def test_non_json_body_is_415(client):
    r = client.post(f"{API}/auth/token", data="username=clerk&password=x",
                    content_type="application/x-www-form-urlencoded")
    assert set(assert_error(r, 415, "unsupported_media_type")["fields"]) == {"body"}


@pytest.mark.parametrize("exc, status, code", [
    (ValidationFailed("bad", {"x": "why"}), 422, "validation_failed"),
    (NotFound("gone"), 404, "not_found"),
    (Forbidden("no"), 403, "forbidden"),
    (Unauthenticated("who"), 401, "unauthenticated"),
    (Conflict("late"), 409, "conflict"),
    (EngineFailure("the process could not continue"), 409, "engine_error"),
    (HTTPConflict(), 409, "conflict"),
])
def test_domain_errors_map_to_statuses(client, monkeypatch, exc, status, code):
    def boom(*a, **k):
        raise exc

    monkeypatch.setattr(api.routes_tasks.inbox, "counts", boom)
    err = assert_error(client.get(f"{API}/tasks/counts", headers=login(client, "clerk")), status, code)
    if isinstance(exc, ValidationFailed):
        assert err["fields"] == {"x": "why"} and err["message"] == "bad"


def test_definition_invalid_carries_problems(client, monkeypatch):
    def boom(*a, **k):
        raise DefinitionInvalid([Problem("n1", "bad node", "lz_mode"), Problem(None, "bad file", "xml")])

    monkeypatch.setattr(api.routes_tasks.inbox, "counts", boom)
    err = assert_error(client.get(f"{API}/tasks/counts", headers=login(client, "clerk")), 422, "definition_invalid")
    assert err["problems"] == [{"element_id": "n1", "message": "bad node", "rule": "lz_mode"},
                               {"element_id": None, "message": "bad file", "rule": "xml"}]


def test_uncaught_exception_is_500_without_internals(client, monkeypatch, caplog):
    def boom(*a, **k):
        raise RuntimeError("password=hunter2 at /srv/secret/path.py line 42")

    monkeypatch.setattr(api.routes_org.directory, "me", boom)
    r = client.get(f"{API}/me", headers=login(client, "clerk"))
    err = assert_error(r, 500, "internal_error")
    text = r.get_data(as_text=True)
    assert "hunter2" not in text and "RuntimeError" not in text and "Traceback" not in text
    assert err["fields"] == {}
    assert "hunter2" in caplog.text  # logged for the operators


def test_too_large_body_is_json(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    r = client.post(f"{API}/process-definitions", data=b"<x>" + b" " * 200 + b"</x>", content_type="application/xml",
                    headers=login(client, "admin"))
    assert_error(r, 413)
