"""The flow-model part of the OpenAPI document: free-flow steps at start (自定流程), the caller's saved
lists (api/routes_flow_lists.py), and what a deploy translated from a Camunda/Flowable file."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import ANY_OBJECT, DATETIME, INT, STR, obj, op, path_param

STEP = obj({"name": {"type": "string", "maxLength": 100},
            "mode": {"type": "string", "enum": ["any", "all", "majority", "ratio", "sequential", "handle"]},
            "threshold": {"type": "string", "description": "ratio mode: a share in (0, 1], e.g. 0.6"},
            "users": {"type": "array", "items": STR, "maxItems": 50, "description": "user names (or role)"},
            "role": {"type": "string", "description": "a role key (or users)"}}, ["name", "mode"])


def add_schemas(schemas: dict[str, Any]) -> None:
    schemas["FreeStep"] = STEP
    schemas["StartRequest"]["properties"]["steps"] = {
        "type": "array", "items": {"$ref": "#/components/schemas/FreeStep"}, "maxItems": 20,
        "description": "a free flow (lz:process mode=\"free\"): the approval steps, in order; the instance "
                       "runs on the BPMN generated from them"}
    schemas["FlowList"] = obj({"id": INT, "process": STR, "kind": {"type": "string", "enum": ["steps", "approvers"]},
                               "name": STR, "items": {}, "created_at": DATETIME},
                              ["id", "process", "kind", "name", "items"])
    schemas["FlowListPage"] = obj({"items": {"type": "array", "items": {"$ref": "#/components/schemas/FlowList"}},
                                   "total": INT}, ["items", "total"])
    schemas["FlowListWrite"] = obj({"process": STR, "kind": {"type": "string", "enum": ["steps", "approvers"]},
                                    "name": {"type": "string", "maxLength": 100},
                                    "items": {"oneOf": [{"type": "array", "items": STEP}, ANY_OBJECT],
                                              "description": "steps: the free-flow steps; approvers: node id -> "
                                                             "user names"}},
                                   ["process", "kind", "name", "items"])
    schemas["Definition"]["properties"]["translations"] = {
        "type": "array", "description": "deploy answers: what a Camunda/Flowable file said, translated or dropped",
        "items": obj({"element_id": {"oneOf": [STR, {"type": "null"}]}, "from": STR, "to": STR,
                      "action": {"type": "string", "enum": ["translated", "dropped"]}})}


def add_paths(paths: dict[str, Any], parameters: dict[str, Any]) -> None:
    parameters["list_id"] = path_param("list_id", INT, "saved list id")
    parameters["list_process"] = {"name": "process", "in": "query", "required": True, "schema": STR,
                                  "description": "the BPMN process id"}
    parameters["list_kind"] = {"name": "kind", "in": "query", "required": False,
                               "schema": {"type": "string", "enum": ["steps", "approvers"]}}
    t = "instances"
    paths["/me/flow-lists"] = {
        "get": op("The caller's saved step lists (free flows) and approvers (常用审批人) of a process", "200",
                  "FlowListPage", "422", params=("list_process", "list_kind"), tag=t),
        "post": op("Save (or replace, by name) one of the caller's lists", "201", "FlowList", "404", "422",
                   body="FlowListWrite", tag=t)}
    paths["/me/flow-lists/{list_id}"] = {
        "delete": op("Delete one of the caller's saved lists", "204", None, "404", params=("list_id",), tag=t,
                     ok_text="Deleted")}
