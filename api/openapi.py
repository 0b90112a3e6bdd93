"""The OpenAPI 3.1 document of /api/v1, served at GET /api/v1/openapi.json.

Kept by hand next to the routes; tests/api/test_openapi__covers_routes.py checks that every
route of the blueprint appears here with its methods. The building blocks are api/openapi_parts.py,
the CRM records' part api/openapi_crm.py.
"""
from __future__ import annotations

import copy
from typing import Any

from flask import jsonify

from api import (
    API_PREFIX,
    bp,
    openapi_admin,
    openapi_collab,
    openapi_crm,
    openapi_files,
    openapi_flows,
    openapi_inbox,
    openapi_instance_admin,
    openapi_notify,
    openapi_org,
    openapi_records,
    openapi_reports,
    openapi_task_ops,
)
from api.openapi_parts import (
    ANY_OBJECT,
    BOOL,
    COMMENT,
    DATETIME,
    INT,
    JSON,
    RESPONSES,
    STR,
    nullable,
    obj,
    op,
    page_of,
    path_param,
    ref,
)

# a drawn signature (engine/signatures.py): required on nodes with lz:approval signature="required"
SIGNATURE = {"type": "string", "description": "a drawn signature, data:image/png;base64,... (at most 200 KB); "
             "required where the node says signature=\"required\""}

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({
        "code": {"type": "string", "description": "stable machine-readable code, e.g. validation_failed"},
        "message": STR,
        "fields": {"type": "object", "additionalProperties": STR,
                   "description": "field name -> why it was refused (body, page, per_page, data.x, ...)"},
        "problems": {"type": "array", "items": ref("Problem"),
                     "description": "only for code definition_invalid: every problem found in the BPMN file"},
    }, ["code", "message", "fields"])}, ["error"]),
    "Problem": obj({"element_id": nullable(STR), "message": STR, "rule": STR}, ["element_id", "message", "rule"]),
    "TokenRequest": obj({"username": STR, "password": STR}, ["username", "password"]),
    "Token": obj({"token": STR, "token_type": {"const": "Bearer"}, "expires_in": INT}, ["token"], additional=True),
    "User": obj({"id": INT, "username": STR, "display_name": STR, "active": BOOL,
                 "department": nullable(INT), "department_name": nullable(STR), "supervisor": nullable(STR),
                 "roles": {"type": "array", "items": STR}, "locale": STR},
                ["id", "username", "display_name", "roles"], additional=True),
    "Me": {"allOf": [ref("User"), obj({"is_admin": BOOL, "is_head": BOOL}, additional=True)]},
    "UserCreate": obj({"username": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]{1,63}$"},
                       "display_name": {"type": "string", "maxLength": 100},
                       "password": {"type": "string", "minLength": 8},
                       "department": nullable({"type": "integer", "description": "department id"}),
                       "supervisor": nullable({"type": "string", "description": "username"}),
                       "roles": {"type": "array", "items": {"type": "string", "description": "role key"}}},
                      ["username", "display_name", "password"]),
    "Department": obj({"id": INT, "name": STR, "parent": nullable(INT), "head": nullable(STR)},
                      ["id", "name", "parent", "head"], additional=True),
    "DepartmentCreate": obj({"name": {"type": "string", "maxLength": 100},
                             "parent": nullable({"type": "integer", "description": "department id"}),
                             "head": nullable({"type": "string", "description": "username"})}, ["name"]),
    "DepartmentPatch": obj({"name": {"type": "string", "maxLength": 100},
                            "parent": nullable({"type": "integer", "description": "department id"}),
                            "head": nullable({"type": "string", "description": "username"})}),
    "PickerOptions": obj({"items": {"type": "array", "items": obj({"value": {}, "label": STR}, ["value", "label"])},
                          "total": INT}, ["items", "total"]),
    "UserPatch": obj({"display_name": {"type": "string", "maxLength": 100},
                      "password": {"type": "string", "minLength": 8},
                      "department": nullable({"type": "integer", "description": "department id"}),
                      "supervisor": nullable({"type": "string", "description": "username"}),
                      "roles": {"type": "array", "items": {"type": "string", "description": "role key"}},
                      "active": {"type": "boolean", "description": "false deactivates the user"},
                      "locale": {"type": "string", "enum": ["zh", "en"]}}),
    "Role": obj({"key": STR, "name": STR}, ["key", "name"], additional=True),
    "RoleCreate": obj({"key": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,49}$"},
                       "name": {"type": "string", "maxLength": 100}}, ["key", "name"]),
    "Definition": obj({"id": INT, "key": STR, "version": INT, "name": STR, "name_en": nullable(STR),
                       "category": nullable(STR), "prefix": STR, "mode": STR, "checksum": STR,
                       "deployed_at": nullable(DATETIME), "start_form": nullable(STR)},
                      ["key", "version", "name"], additional=True),
    "DefinitionDetail": {"allOf": [ref("Definition"), obj(
        {"versions": {"type": "array", "items": ref("Definition"), "description": "newest first"}},
        ["versions"], additional=True)]},
    "StartRequest": obj({"process": {"type": "string", "description": "the BPMN process id"},
                         "data": {**ANY_OBJECT, "description": "the start form's data"},
                         "chosen": {"type": "object", "additionalProperties": {"type": "array", "items": STR},
                                    "description": "node id -> usernames, for nodes with strategy 'chosen'"}},
                        ["process"]),
    "Started": obj({"id": INT, "business_key": STR, "status": ref("InstanceStatus")}, ["id", "business_key", "status"],
                   additional=True),
    "InstanceStatus": {"type": "string", "enum": ["running", "completed", "withdrawn", "cancelled", "failed"]},
    "OpenTask": obj({"id": INT, "node_id": STR, "node_name": nullable(STR), "assignee": nullable(STR)},
                    ["id", "node_id", "assignee"], additional=True),
    "HistoryEntry": obj({"seq": INT, "at": DATETIME, "actor": nullable(STR), "action": STR,
                         "node_id": nullable(STR), "comment": nullable(STR), "detail": nullable(ANY_OBJECT)},
                        ["seq", "at", "action"], additional=True),
    "Instance": obj({"id": INT, "process": STR, "process_name": STR, "version": INT, "business_key": STR,
                     "title": nullable(STR), "status": ref("InstanceStatus"), "end_event": nullable(STR),
                     "outcome": nullable(STR), "initiator": nullable(STR), "created_at": DATETIME,
                     "ended_at": nullable(DATETIME), "data": ANY_OBJECT,
                     "warnings": {"type": "array", "items": {}}, "error": nullable(STR),
                     "open_tasks": {"type": "array", "items": ref("OpenTask")},
                     "history": {"type": "array", "items": ref("HistoryEntry")}},
                    ["id", "process", "version", "business_key", "status", "end_event", "data", "open_tasks",
                     "history"], additional=True),
    "CommentRequest": obj({"comment": nullable(COMMENT)}),
    "Withdrawn": obj({"id": INT, "status": STR}, ["id", "status"], additional=True),
    "Urged": obj({"id": INT, "urged": {"type": "integer", "description": "number of approvers reminded"}},
                 ["id", "urged"], additional=True),
    "InboxRow": obj({"id": {"type": "integer", "description": "task id (todo/done), instance id (started), "
                                                              "carbon-copy id (cc)"},
                     "instance_id": INT, "process": STR, "process_name": STR, "business_key": STR,
                     "node_id": nullable(STR), "node_name": nullable(STR), "title": nullable(STR),
                     "status": STR, "created_at": nullable(DATETIME), "acted_at": nullable(DATETIME),
                     "due_at": nullable(DATETIME)},
                    ["id", "instance_id", "process", "node_id", "node_name", "title", "created_at", "due_at"],
                    additional=True),
    "TaskCounts": obj({"todo": INT, "cc_unread": INT}, ["todo", "cc_unread"], additional=True),
    "Task": obj({"id": INT, "instance_id": INT, "business_key": STR, "title": nullable(STR), "process": STR,
                 "process_name": STR, "node_id": STR, "node_name": nullable(STR),
                 "kind": {"type": "string", "enum": ["approval", "handle"]}, "status": STR,
                 "created_at": DATETIME, "due_at": nullable(DATETIME),
                 "form": obj({"key": nullable(STR), "schema": {
                     **nullable(ANY_OBJECT), "description": "the node's form without the components hidden from "
                                                            "the caller (engine/redaction.py): none is listed"},
                              "editable": {"type": "array", "items": STR}}, additional=True),
                 "data": ANY_OBJECT,
                 "actions": {"type": "array", "items": {"type": "string", "enum": [
                     "approve", "reject", "return", "transfer", "add_signer"]}},
                 "returnable_nodes": {"type": "array", "items": STR},
                 "vote": {**ANY_OBJECT, "description": "mode, threshold, rule, assignees and ballots of the node"}},
                ["id", "instance_id", "node_id", "status", "form", "data", "actions"], additional=True),
    "ApproveRequest": obj({"comment": nullable(COMMENT), "data": {**ANY_OBJECT, "description": "edited fields"},
                           "signature": SIGNATURE}),
    "RejectRequest": obj({"comment": COMMENT, "signature": SIGNATURE}, ["comment"]),
    "ReturnRequest": obj({"to_node": {"type": "string", "description": "an earlier node of this instance"},
                          "comment": COMMENT}, ["to_node", "comment"]),
    "TransferRequest": obj({"to_user": {"type": "string", "description": "username"}, "comment": nullable(COMMENT)},
                           ["to_user"]),
    "AddSignerRequest": obj({"users": {"type": "array", "items": STR, "minItems": 1, "maxItems": 50},
                             "comment": nullable(COMMENT)}, ["users"]),
    "TaskActionResult": obj({"id": INT, "status": STR, "to_node": STR, "new_task": INT, "assignees": INT},
                            ["id"], additional=True),
    "UserPage": page_of("User"),
    "DepartmentPage": page_of("Department"),
    "RolePage": page_of("Role"),
    "DefinitionPage": page_of("Definition"),
    "InboxPage": page_of("InboxRow"),
}

PATHS: dict[str, Any] = {
    "/auth/token": {"post": op("Exchange credentials for a bearer token", "200", "Token", "401", "422",
                               body="TokenRequest", public=True, tag="auth")},
    "/auth/logout": {"post": op("Sign out everywhere: every token and session of the caller stops working",
                                "204", None, "403", ok_text="Signed out", tag="auth")},
    "/openapi.json": {"get": op("This document", "200", None, public=True, tag="meta",
                                extra={"responses": {"200": {"description": "The OpenAPI document",
                                                             "content": {JSON: {"schema": ANY_OBJECT}}}}})},
    "/me": {"get": op("The caller: username, display name, department, roles", "200", "Me", tag="organisation")},
    "/users": {
        "get": op("Users", "200", "UserPage", "400", params=("page", "per_page"), tag="organisation"),
        "post": op("Create a user (admin)", "201", "User", "403", "409", "422", body="UserCreate",
                   ok_text="Created", tag="organisation"),
    },
    "/departments": {
        "get": op("Departments", "200", "DepartmentPage", "400", params=("page", "per_page"), tag="organisation"),
        "post": op("Create a department (admin)", "201", "Department", "403", "409", "422", body="DepartmentCreate",
                   ok_text="Created", tag="organisation"),
    },
    "/users/{user_id}": {
        "patch": op("Change a user: deactivate, move, set supervisor, roles or password (admin)", "200", "User",
                    "403", "404", "422", body="UserPatch", params=("user_id",), tag="organisation"),
    },
    "/departments/{dept_id}": {
        "patch": op("Change a department, e.g. set its head (admin)", "200", "Department", "403", "404", "422",
                    body="DepartmentPatch", params=("dept_id",), tag="organisation"),
    },
    "/roles": {
        "get": op("Roles", "200", "RolePage", tag="organisation"),
        "post": op("Create a role (admin)", "201", "Role", "403", "409", "422", body="RoleCreate",
                   ok_text="Created", tag="organisation"),
    },
    "/process-definitions": {
        "get": op("Latest version of every process", "200", "DefinitionPage", "400", params=("page", "per_page"),
                  tag="definitions"),
        "post": op("Validate and deploy a BPMN file (admin, process admin)", "201", "Definition", "403", "409",
                   "415", "422",
                   ok_text="A new version was deployed", tag="definitions", extra={
                       "description": "The body is the BPMN 2.0 XML file. 201 when a new version was created, "
                                      "200 when the same file already is the latest version. 422 lists every "
                                      "problem in `error.problems`; nothing is deployed then.",
                       "requestBody": {"required": True, "content": {
                           "application/xml": {"schema": {"type": "string"}},
                           "text/xml": {"schema": {"type": "string"}}}},
                   }),
    },
    "/pickers/{picker}": {
        "get": op("Options of a form select fed by the server (valuesKey: customers, contracts, agents, users, "
                  "assets, my_assets, documents), "
                  "as the caller may pick them (q: at most 100 characters, else 422)", "200", "PickerOptions",
                  "404", "422", params=("picker", "q"), tag="definitions"),
    },
    "/process-definitions/{key}": {
        "get": op("One process: its latest version and all versions", "200", "DefinitionDetail", "404",
                  params=("key",), tag="definitions"),
    },
    "/process-instances": {
        "post": op("Start the latest version of a process as the caller (403 when its lz:process starters "
                   "leave the caller out)", "201", "Started", "403", "404", "409", "422",
                   body="StartRequest", ok_text="Started", tag="instances"),
    },
    "/process-instances/{instance_id}": {
        "get": op("An instance with its open tasks and history (participants, their supervisors, admins)", "200",
                  "Instance", "403", "404", params=("instance_id",), tag="instances"),
    },
    "/process-instances/{instance_id}/withdraw": {
        "post": op("Withdraw (initiator, while no approver has acted)", "200", "Withdrawn", "403", "404", "409",
                   "422", body="CommentRequest", body_required=False, params=("instance_id",), tag="instances"),
    },
    "/process-instances/{instance_id}/urge": {
        "post": op("Remind the current approvers (initiator)", "200", "Urged", "403", "404", "409", "422",
                   body="CommentRequest", body_required=False, params=("instance_id",), tag="instances"),
    },
    "/tasks": {
        "get": op("The caller's inbox, with the inbox page's filters", "200", "InboxPage", "400", "422",
                  params=("box", "process", "q", "from", "to", "sort", "page", "per_page"), tag="tasks"),
    },
    "/tasks/counts": {"get": op("Inbox counters", "200", "TaskCounts", tag="tasks")},
    "/tasks/{task_id}": {
        "get": op("A task with its form schema, data and allowed actions (assignee, admin)", "200", "Task", "403",
                  "404", params=("task_id",), tag="tasks"),
    },
    "/tasks/{task_id}/approve": {
        "post": op("Vote approve, or complete a handle task", "200", "TaskActionResult", "403", "404", "409", "422",
                   body="ApproveRequest", body_required=False, params=("task_id",), tag="tasks"),
    },
    "/tasks/{task_id}/reject": {
        "post": op("Vote reject (comment required)", "200", "TaskActionResult", "403", "404", "409", "422",
                   body="RejectRequest", params=("task_id",), tag="tasks"),
    },
    "/tasks/{task_id}/return": {
        "post": op("Send the instance back to an earlier node", "200", "TaskActionResult", "403", "404", "409", "422",
                   body="ReturnRequest", params=("task_id",), tag="tasks"),
    },
    "/tasks/{task_id}/transfer": {
        "post": op("Hand the task to another user", "200", "TaskActionResult", "403", "404", "409", "422",
                   body="TransferRequest", params=("task_id",), tag="tasks"),
    },
    "/tasks/{task_id}/add-signer": {
        "post": op("Add approvers to the open node", "200", "TaskActionResult", "403", "404", "409", "422",
                   body="AddSignerRequest", params=("task_id",), tag="tasks"),
    },
}

# ---------------------------------------------------------------- CRM records (api/routes_crm.py)

PATHS["/process-definitions"]["post"]["responses"]["200"] = {
    "description": "The same file already is the latest version; nothing new was deployed",
    "content": {JSON: {"schema": ref("Definition")}}}


PARAMETERS = {
    "page": {"name": "page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "per_page": {"name": "per_page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
    "box": {"name": "box", "in": "query", "required": False,
            "schema": {"type": "string", "enum": ["todo", "done", "started", "cc"], "default": "todo"}},
    "process": {"name": "process", "in": "query", "required": False, "schema": STR,
                "description": "only instances of this process (its BPMN process id)"},
    "from": {"name": "from", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
             "description": "received on or after this day (the organisation's time zone)"},
    "to": {"name": "to", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
           "description": "received on or before this day (the organisation's time zone)"},
    "sort": {"name": "sort", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["received", "due"], "default": "received"}},
    "dept_id": path_param("dept_id", INT, "department id"),
    "user_id": path_param("user_id", INT, "user id"),
    "picker": path_param("picker", STR, "customers | contracts | agents | users | assets | my_assets | documents"),
    "key": path_param("key", STR, "the BPMN process id"),
    "instance_id": path_param("instance_id", INT, "process instance id"),
    "task_id": path_param("task_id", INT, "task id"),
}

PARAMETERS["q"] = {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 100},
                   "description": "keyword, matched case-insensitively inside every text field"}
openapi_crm.add_schemas(SCHEMAS)
openapi_crm.add_paths(PATHS, PARAMETERS)
openapi_records.add(PATHS, SCHEMAS, PARAMETERS)
openapi_files.add(PATHS, SCHEMAS, PARAMETERS)
openapi_reports.add(PATHS, SCHEMAS, PARAMETERS)
openapi_instance_admin.add_schemas(SCHEMAS)
openapi_instance_admin.add_paths(PATHS, PARAMETERS)
openapi_collab.add_schemas(SCHEMAS)
openapi_collab.add_paths(PATHS)
openapi_task_ops.add_schemas(SCHEMAS)
openapi_task_ops.add_paths(PATHS)
openapi_notify.add_schemas(SCHEMAS)
openapi_notify.add_paths(PATHS, PARAMETERS)
openapi_inbox.add_paths(PATHS, PARAMETERS)
openapi_inbox.add_schemas(SCHEMAS)
openapi_org.add_schemas(SCHEMAS)
openapi_flows.add_schemas(SCHEMAS)
openapi_flows.add_paths(PATHS, PARAMETERS)
openapi_admin.add_schemas(SCHEMAS)
openapi_admin.add_paths(PATHS, PARAMETERS)


def _input_guard_statuses(paths: dict[str, Any]) -> None:
    """What web/input_guard.py answers before any route: 422 for a NUL or lone surrogate in any
    query argument or body, 404 for a path id beyond 2^31 - 1 (or any unknown one)."""
    for path, item in paths.items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete") and isinstance(operation, dict):
                responses = operation.setdefault("responses", {})
                for code in ("422", "404") if "{" in path else ("422",):
                    responses.setdefault(code, {"$ref": f"#/components/responses/E{code}"})


_input_guard_statuses(PATHS)

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Liuzhuan (流转) API",
        "version": "1.0.0",
        "description": "JSON in and out. Authenticate with POST /auth/token, then send "
                       "'Authorization: Bearer <token>'. Every error answers "
                       '{"error": {"code", "message", "fields"}}. Lists take ?page=&per_page= and answer '
                       '{"items": [...], "total"}.',
    },
    "servers": [{"url": API_PREFIX}],
    "security": [{"bearer": []}],
    "tags": [{"name": t} for t in ("auth", "organisation", "definitions", "instances", "tasks", "crm",
                                   "notifications", "files", "reports", "admin", "meta")],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "parameters": PARAMETERS,
        "responses": {f"E{code}": r for code, r in RESPONSES.items()},
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "token from POST /auth/token"}},
    },
}


def document() -> dict[str, Any]:
    return copy.deepcopy(DOCUMENT)


@bp.get("/openapi.json")
def openapi_json() -> Any:
    return jsonify(document())
