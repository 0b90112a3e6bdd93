"""The node operations' part of the OpenAPI document (api/routes_task_ops.py, DESIGN.md §8), and
what they add to the task schemas: the actions a task offers, add-signer's position."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import BOOL, COMMENT, INT, STR, nullable, obj, op

ACTIONS = ["approve", "reject", "return", "transfer", "add_signer", "delegate", "remove_signer", "claim",
           "unclaim"]
PERSON = nullable(obj({"username": STR, "display_name": STR}, ["username", "display_name"]))


def add_schemas(schemas: dict[str, Any]) -> None:
    task = schemas["Task"]["properties"]
    task["actions"] = {"type": "array", "items": {"type": "string", "enum": ACTIONS},
                       "description": "what the caller may do now (read-only node: approve = mark as read; "
                                      "claim node: claim first; a delegate's task: approve/reject give an opinion)"}
    task["removable"] = {"type": "array", "items": PERSON, "description": "assignees the caller may remove (减签)"}
    task["positions"] = {"type": "array", "items": {"type": "string", "enum": ["after", "before"]},
                         "description": "add-signer positions offered (sequential nodes)"}
    task["claimed"] = BOOL
    task["delegated_from"] = PERSON
    task["delegation"] = nullable(obj({"to": PERSON, "status": STR, "opinion": nullable(STR),
                                       "comment": nullable(STR), "at": nullable(STR)}, additional=True))
    schemas["AddSignerRequest"]["properties"]["position"] = {
        "type": "string", "enum": ["after", "before"],
        "description": "sequential nodes only: after the caller (后加签, default) or before (前加签)"}
    schemas["DelegateRequest"] = obj({"to_user": {"type": "string", "description": "username"},
                                      "comment": nullable(COMMENT)}, ["to_user"])
    schemas["RemoveSignerRequest"] = obj({"users": {"type": "array", "items": STR, "minItems": 1, "maxItems": 50},
                                          "comment": nullable(COMMENT)}, ["users"])
    schemas["UnclaimRequest"] = obj({"comment": nullable(COMMENT)})
    schemas["TaskActionResult"]["properties"].update(claimed=BOOL, node_status=STR, new_task=nullable(INT))


def add_paths(paths: dict[str, Any]) -> None:
    errors = ("403", "404", "409", "422")
    paths["/tasks/{task_id}/delegate"] = {"post": op(
        "委派: to_user gets a task on the same node; yours waits (delegated) until they give their opinion",
        "200", "TaskActionResult", *errors, body="DelegateRequest", params=("task_id",), tag="tasks")}
    paths["/tasks/{task_id}/remove-signer"] = {"post": op(
        "减签: take assignees who have not voted off the open node (assignee or process admin)",
        "200", "TaskActionResult", *errors, body="RemoveSignerRequest", params=("task_id",), tag="tasks")}
    paths["/tasks/{task_id}/claim"] = {"post": op(
        "认领: make the task of a claim node yours alone", "200", "TaskActionResult", "403", "404", "409",
        params=("task_id",), tag="tasks")}
    paths["/tasks/{task_id}/unclaim"] = {"post": op(
        "取消认领: give a claimed task back to every candidate", "200", "TaskActionResult", *errors,
        body="UnclaimRequest", body_required=False, params=("task_id",), tag="tasks")}
