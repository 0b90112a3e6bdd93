"""The building blocks of the OpenAPI document (api/openapi.py): JSON Schema shorthands, the error
responses every operation refers to, and `op`, one operation."""
from __future__ import annotations

from typing import Any

JSON = "application/json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props: dict[str, Any], required: list[str] | None = None, additional: bool | dict[str, Any] = False
        ) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": additional}
    if required:
        out["required"] = required
    return out


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}
ANY_OBJECT = {"type": "object", "additionalProperties": True}
COMMENT = {"type": "string", "maxLength": 2000}


def page_of(item: str) -> dict[str, Any]:
    return obj({"items": {"type": "array", "items": ref(item)}, "total": INT, "page": INT, "per_page": INT},
               ["items", "total"])


ERROR_TEXT = {
    "400": "Malformed request: the body is not a JSON object, or bad page/per_page",
    "401": "Not authenticated: missing, invalid or expired token, or a deactivated user",
    "403": "The caller may not do this",
    "404": "No such resource",
    "409": "The target is no longer in a state that allows this (e.g. a task already decided)",
    "415": "Wrong Content-Type",
    "422": "Validation failed: `fields` names each offending field",
    "429": "Too soon: done too recently (the Retry-After header says how many seconds to wait)",
}

RESPONSES = {code: {"description": text, "content": {JSON: {"schema": ref("Error")}}}
             for code, text in ERROR_TEXT.items()}
RESPONSES["500"] = {"description": "Unexpected error (details are logged, never returned)",
                    "content": {JSON: {"schema": ref("Error")}}}


def op(summary: str, ok: str, schema: str | None, *errors: str, body: str | None = None, body_required: bool = True,
       params: tuple[str, ...] = (), ok_text: str = "OK", extra: dict[str, Any] | None = None, public: bool = False,
       tag: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"summary": summary, "tags": [tag] if tag else []}
    if params:
        out["parameters"] = [{"$ref": f"#/components/parameters/{p}"} for p in params]
    if body:
        out["requestBody"] = {"required": body_required, "content": {JSON: {"schema": ref(body)}}}
    responses: dict[str, Any] = {ok: {"description": ok_text}}
    if schema:
        responses[ok]["content"] = {JSON: {"schema": ref(schema)}}
    codes = set(errors) | ({"400"} if body else set()) | ({"415"} if body else set()) | {"500"}
    if not public:
        codes.add("401")
    for code in sorted(codes):
        responses[code] = {"$ref": f"#/components/responses/E{code}"}
    out["responses"] = responses
    if public:
        out["security"] = []
    out.update(extra or {})
    return out


def path_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}
