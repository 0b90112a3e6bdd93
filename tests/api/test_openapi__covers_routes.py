"""GET /api/v1/openapi.json documents every route of the API with its methods."""
from __future__ import annotations

import json
import re

from tests.api.conftest import API

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _document(client):
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200 and r.is_json
    return json.loads(r.get_data(as_text=True))


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(API):])


def test_document_is_openapi_3_1_and_public(client):
    doc = _document(client)
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"] == [{"url": API}]


def test_every_api_route_is_documented_with_its_methods(app, client):
    paths = _document(client)["paths"]
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            routes.setdefault(_openapi_path(rule.rule), set()).update(rule.methods - IGNORED_METHODS)
    assert len(routes) >= 20
    for path, methods in routes.items():
        assert path in paths, f"{path} is not documented"
        assert {m.lower() for m in methods} <= set(paths[path]), f"{path}: {methods} vs {set(paths[path])}"
    documented = {(p, m) for p, ops in paths.items() for m in ops}
    served = {(p, m.lower()) for p, ms in routes.items() for m in ms}
    assert documented == served, "the document lists routes the app does not serve"


def test_path_parameters_are_declared(client):
    doc = _document(client)
    params = doc["components"]["parameters"]
    for path, ops in doc["paths"].items():
        for name in re.findall(r"{(\w+)}", path):
            for method, op in ops.items():
                declared = {params[p["$ref"].rsplit("/", 1)[1]]["name"] for p in op.get("parameters", [])}
                assert name in declared, (path, method, name)


def test_every_reference_resolves(client):
    doc = _document(client)
    refs = re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(doc))
    assert refs
    for ref in refs:
        node = doc
        for part in ref.split("/"):
            assert part in node, ref
            node = node[part]


def test_error_schema_and_documented_errors(client):
    doc = _document(client)
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert any(code.startswith("2") for code in op["responses"]), (path, method)
            if path not in ("/auth/token", "/openapi.json"):
                assert "401" in op["responses"], (path, method)
    assert {"201", "200", "415", "422", "403"} <= set(doc["paths"]["/process-definitions"]["post"]["responses"])
