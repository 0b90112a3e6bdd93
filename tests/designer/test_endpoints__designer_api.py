"""The designer's pages and JSON endpoints: 401 without a session, 403 for non-admins, 422 with
a JSON body naming the field for bad input, and the happy paths (org options, source, draft,
validate, deploy, forms)."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from core.errors import Conflict, DomainError, EngineFailure
from engine.design import catalog, drafts
from tests.bpmn_factory import chain, user_task
from tests.org import Org
from tests.web.conftest import signed_in

XML = chain("api_demo", [user_task("sup", "majority", "users", "fin1,fin2,clerk2")], prefix="AD").decode()
FORM = {"type": "default", "components": [{"type": "textfield", "key": "title", "label": "标题"}]}


def call(client: FlaskClient, method: str, url: str, token: str | None, body: Any = None) -> Any:
    headers = {"X-CSRFToken": token} if token else {}
    return client.open(url, method=method, json=body, headers=headers)


def error_of(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    body = r.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


ENDPOINTS = [
    ("GET", "/designer/api/org-options", None),
    ("GET", "/designer/api/processes/api_demo/source", None),
    ("GET", "/designer/api/processes/api_demo/draft", None),
    ("PUT", "/designer/api/processes/api_demo/draft", {"xml": XML}),
    ("DELETE", "/designer/api/processes/api_demo/draft", None),
    ("POST", "/designer/api/validate", {"xml": XML}),
    ("POST", "/designer/api/processes/api_demo/deploy", {"xml": XML}),
    ("GET", "/designer/api/processes/api_demo/forms/f1", None),
    ("PUT", "/designer/api/processes/api_demo/forms/f1", {"schema": FORM}),
]
PAGES = ["/designer/", "/designer/new", "/designer/api_demo/edit", "/designer/api_demo/forms/f1"]


def test_endpoints_need_a_session(client: FlaskClient):
    for method, url, body in ENDPOINTS:
        if method == "GET":
            assert error_of(call(client, method, url, None, body), 401)["code"] == "unauthenticated"
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url


def test_non_admins_get_403_and_nothing_changes(org: Org, client: FlaskClient):
    token = signed_in(client, "clerk")
    for method, url, body in ENDPOINTS:
        assert error_of(call(client, method, url, token, body), 403)["code"] == "forbidden", url
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert drafts.list_drafts(org.db, org["admin"]) == []
    assert catalog.list_definitions(org.db, 0, 10)[1] == 0


@pytest.mark.parametrize(("method", "url", "body", "field"), [
    ("PUT", "/designer/api/processes/api_demo/draft", {}, "xml"),
    ("PUT", "/designer/api/processes/api_demo/draft", [1, 2], "body"),
    ("PUT", "/designer/api/processes/api_demo/draft", {"xml": XML, "colour": "red"}, "colour"),
    ("PUT", "/designer/api/processes/api_demo/draft", {"xml": "<oops"}, "xml"),
    ("PUT", "/designer/api/processes/other_key/draft", {"xml": XML}, "key"),
    ("PUT", "/designer/api/processes/api_demo/draft", {"xml": XML, "forms": {"f": {"components": 3}}}, "forms.f"),
    ("POST", "/designer/api/validate", {"xml": 42}, "xml"),
    ("POST", "/designer/api/validate", {}, "xml"),
    ("PUT", "/designer/api/processes/api_demo/forms/f1", {}, "schema"),
    ("PUT", "/designer/api/processes/api_demo/forms/bad%20key", {"schema": FORM}, "forms.bad key"),
])
def test_bad_input_is_422_naming_the_field(org: Org, client: FlaskClient, method: str, url: str, body: Any,
                                           field: str):
    drafts.save_draft(org.db, org["admin"], "api_demo", XML)
    token = signed_in(client, "admin")
    err = error_of(call(client, method, url, token, body), 422)
    assert field in err["fields"], err


def test_an_unusable_form_is_422_with_its_problems_and_not_saved(org: Org, client: FlaskClient):
    drafts.save_draft(org.db, org["admin"], "api_demo", XML)
    token = signed_in(client, "admin")
    bad = {"type": "default", "components": [{"type": "number", "key": "n", "validate": {"min": 5, "max": 1}}]}
    err = error_of(call(client, "PUT", "/designer/api/processes/api_demo/forms/f1", token, {"schema": bad}), 422)
    assert "validate.min 5 大于 validate.max 1" in err["fields"]["forms.f1"]  # in the user's language
    draft = drafts.get_draft(org.db, org["admin"], "api_demo")
    assert draft is not None and draft["forms"] == {}


def test_post_without_csrf_token_is_refused(org: Org, client: FlaskClient):
    signed_in(client, "admin")
    r = client.put("/designer/api/processes/api_demo/draft", json={"xml": XML})
    assert r.status_code == 400
    assert drafts.get_draft(org.db, org["admin"], "api_demo") is None


def test_admin_designs_validates_and_deploys(org: Org, client: FlaskClient):
    token = signed_in(client, "admin")
    options = call(client, "GET", "/designer/api/org-options", token).get_json()
    assert {"value": "fin1", "label": "吴会计 (fin1) · 财务部"} in options["users"]
    assert {"value": "销售部", "label": "销售部"} in options["departments"]
    assert any(r["value"] == "hr" for r in options["roles"])
    assert "general_approval" in options["form_keys"] and "general_approval" in options["library_forms"]

    assert call(client, "PUT", "/designer/api/processes/api_demo/draft", token, {"xml": XML}).status_code == 200
    src = call(client, "GET", "/designer/api/processes/api_demo/source", token).get_json()
    assert src["source"] == "draft" and src["version"] is None
    assert "BPMNDiagram" in src["bpmn_xml"] and src["laid_out"] is True  # laid out for bpmn-js

    broken = XML.replace('mode="majority"', 'mode="most"')
    r = call(client, "POST", "/designer/api/validate", token, {"xml": broken})
    assert r.status_code == 200 and r.get_json()["ok"] is False
    assert any(p["element_id"] == "sup" and "most" in p["message"] for p in r.get_json()["problems"])
    r = call(client, "POST", "/designer/api/processes/api_demo/deploy", token, {"xml": broken})
    err = error_of(r, 422)
    assert any(p["element_id"] == "sup" for p in err["problems"])
    assert catalog.list_definitions(org.db, 0, 10)[1] == 0

    assert call(client, "POST", "/designer/api/validate", token, {"xml": XML}).get_json() == {"ok": True, "problems": []}
    r = call(client, "PUT", "/designer/api/processes/api_demo/forms/api_demo", token, {"schema": FORM})
    assert r.status_code == 200 and r.get_json()["forms"] == ["api_demo"]
    r = call(client, "POST", "/designer/api/processes/api_demo/deploy", token, {})
    assert r.status_code == 201 and r.get_json()["version"] == 1 and r.get_json()["created"] is True
    assert drafts.get_draft(org.db, org["admin"], "api_demo") is None  # deployed: the draft is gone
    src = call(client, "GET", "/designer/api/processes/api_demo/source", token).get_json()
    assert src["source"] == "deployed" and src["version"] == 1

    for url in PAGES:
        assert client.get(url).status_code == 200, url
    listing = client.get("/designer/").get_data(as_text=True)
    assert "/designer/api_demo/edit" in listing and "/designer/new" in listing


@pytest.mark.parametrize("error, status, code", [
    (EngineFailure("the process could not continue"), 409, "engine_error"),
    (Conflict("changed meanwhile"), 409, "conflict"),
    (DomainError("refused"), 400, "error"),
])
def test_domain_errors_answer_the_statuses_of_the_api(org: Org, client: FlaskClient, monkeypatch, error, status,
                                                      code):
    """One map (web/errors.py) for the API and the designer: an engine failure is 409 in both."""
    from designer import modeler

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(modeler.drafts, "deploy_draft", refuse)
    token = signed_in(client, "admin")
    err = error_of(call(client, "POST", "/designer/api/processes/api_demo/deploy", token, {"xml": XML}), status)
    assert err["code"] == code and err["message"] == error.message
