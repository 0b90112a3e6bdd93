"""Bad input is a 4xx naming the field, refused in one place (web/input_guard.py; issue 11):
NUL characters and lone surrogates anywhere (the unauthenticated token route and login form
included), ids from 2^31 up on every id route of the API and the pages and in bulk approve
(`task=²`), `PATCH /agents/{id} {"code": null}`, a UTF-16 BPMN file. On SQLite and PostgreSQL."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from crm import directory
from tests.api.conftest import API, assert_error, login
from tests.web.conftest import csrf_of, signed_in
from web.input_guard import MAX_ID

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
BIG = (MAX_ID + 1, 2**63, 10**30)


@pytest.fixture
def org(any_org):
    return any_org


@pytest.fixture
def page_app(org, app_for):
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True)


def _raw_json(client, path: str, text: str, headers: dict[str, str] | None = None) -> Any:
    return client.post(path, data=text.encode(), content_type="application/json", headers=headers or {})


@pytest.mark.parametrize("body, field", [
    ('{"username": "adm\\u0000in", "password": "x"}', "username"),
    ('{"username": "admin", "password": "se\\ud800cret"}', "password"),
    ('{"username": "admin", "pass\\udc00word": "x"}', "pass\\udc00word"),
])
def test_the_token_route_refuses_nul_and_lone_surrogates_without_logging_in(client, body, field):
    err = assert_error(_raw_json(client, f"{API}/auth/token", body), 422, "validation_failed")
    assert field in err["fields"], err


def test_nested_json_query_args_and_path_parts_name_the_field(client, org):
    h = login(client, "clerk")
    body = '{"process": "leave_request", "data": {"lines": [{"note": "ok"}, {"note": "a\\u0000b"}]}}'
    err = assert_error(_raw_json(client, f"{API}/process-instances", body, h), 422)
    assert list(err["fields"]) == ["data.lines[1].note"], err
    err = assert_error(client.get(f"{API}/tasks?q=a%00b", headers=h), 422)
    assert "q" in err["fields"]
    err = assert_error(client.get(f"{API}/search?q=%00", headers=h), 422)
    assert "q" in err["fields"]
    err = assert_error(client.get(f"{API}/process-definitions/leave%00request", headers=h), 422)
    assert "key" in err["fields"]
    r = client.post(f"{API}/customers", json={"name": "客户\u0000"}, headers=login(client, "admin"))
    assert "name" in assert_error(r, 422)["fields"]
    assert client.get(f"{API}/customers", headers=h).get_json()["total"] == 0, "nothing was stored"


def test_the_login_form_refuses_a_nul_and_still_works_after(page_app):
    client = page_app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"username": "clerk\x00", "password": "secret-pass-1", "csrf_token": token})
    assert r.status_code == 422, r.status_code
    assert signed_in(client, "clerk")


def test_a_nul_on_a_route_nobody_serves_is_that_routes_404_or_405_not_a_500(org, app_for):
    """Flask runs before_request before it raises its routing error, and the static files belong to
    no face: the validator leaves both alone (it refused them with an error no face answered: 500)."""
    app = app_for(org.db, SECRET_KEY="test", TESTING=False, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    err = assert_error(client.post(f"{API}/no-such-route", json={"title": "a\u0000b"}), 404, "not_found")
    assert "no such API route" in err["message"]
    assert_error(client.get(f"{API}/no-such-route?q=%00"), 404, "not_found")
    assert_error(client.put(f"{API}/tasks?q=%00"), 405, "method_not_allowed")
    page = client.post("/no-such-page", data={"title": "a\x00b"})
    assert page.status_code == 404 and page.mimetype == "text/html", page.status_code
    assert client.get("/static/no-such-file.css?q=%00").status_code == 404
    assert client.get("/static/dist/no-such-file.js?q=%00").status_code == 404
    assert client.get("/static/dist/a%00b.js").status_code == 404


def _id_rules(app: Any, prefix: str) -> list[Any]:
    return [r for r in app.url_map.iter_rules()
            if r.rule.startswith(prefix) and any(type(c).__name__ in ("IdConverter", "IntegerConverter")
                                                 for c in r._converters.values())]


def _url(rule: Any, value: int) -> str:
    def fill(m: re.Match[str]) -> str:
        conv = rule._converters[m.group(2)]
        return str(value) if type(conv).__name__ in ("IdConverter", "IntegerConverter") else "x"
    return re.sub(r"<(?:([a-z_]+):)?([a-z_]+)>", fill, rule.rule)


def test_every_api_id_route_answers_404_naming_the_id_from_2_to_the_31(client, app, org):
    rules = _id_rules(app, API)
    assert len(rules) > 30
    h = login(client, "admin")
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for value in BIG:
                r = client.open(_url(rule, value), method=method, json={}, headers=h)
                err = assert_error(r, 404)
                assert set(err["fields"]) & set(rule.arguments), (rule.rule, method, err)
    assert client.get(f"{API}/tasks/{MAX_ID}", headers=h).status_code == 404  # the largest id: looked up


def test_every_page_id_route_answers_404_from_2_to_the_31(page_app, org):
    client = page_app.test_client()
    csrf = signed_in(client, "admin")
    rules = [r for r in _id_rules(page_app, "/") if not r.rule.startswith("/api/")]
    assert len(rules) > 10
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(_url(rule, MAX_ID + 1), method=method, data={"csrf_token": csrf})
            assert r.status_code == 404, (rule.rule, method, r.status_code)


@pytest.mark.parametrize("value", ["²", "1e3", str(MAX_ID + 1), "-1", "0"])
def test_bulk_approve_refuses_an_id_that_is_not_one(page_app, value):
    client = page_app.test_client()
    csrf = signed_in(client, "clerk")
    r = client.post("/tasks/bulk-approve", data={"task": ["1", value], "csrf_token": csrf})
    assert r.status_code == 422, (value, r.status_code)


def test_an_agent_keeps_its_code(client, org):
    h = login(client, "admin")
    agent = client.post(f"{API}/agents", json={"name": "代理一", "code": "AG1"}, headers=h).get_json()
    for empty in (None, ""):
        err = assert_error(client.patch(f"{API}/agents/{agent['id']}", json={"code": empty}, headers=h), 422)
        assert "code" in err["fields"]
    assert client.get(f"{API}/agents/{agent['id']}", headers=h).get_json()["code"] == "AG1"
    r = client.patch(f"{API}/agents/{agent['id']}", json={"code": "AG2"}, headers=h)
    assert r.status_code == 200 and r.get_json()["code"] == "AG2"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_bpmn_file_is_refused_and_nothing_is_deployed(client, org, encoding):
    h = login(client, "admin")
    text = (BPMN / "leave_request.bpmn").read_text(encoding="utf-8")
    for xml in (text.encode(encoding), text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(encoding)):
        r = client.post(f"{API}/process-definitions", data=xml, content_type="application/xml", headers=h)
        err = assert_error(r, 422)
        assert "UTF-8" in str(err), err
    assert client.get(f"{API}/process-definitions", headers=h).get_json()["total"] == 0
    directory.me(org.db, org["admin"])  # the database is still answering


def test_the_document_lists_what_the_validator_answers_on_every_operation(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "422" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
    err = assert_error(client.get(f"{API}/me?note=%00", headers=login(client, "clerk")), 422)
    assert err["fields"] == {"note": "contains a NUL character"}
