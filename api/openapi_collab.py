"""The collaboration part of the OpenAPI document (api/routes_collab.py, DESIGN.md §8): comments with
@mentions, urge (429), take back, resubmit; the return targets, read status and returned marker."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import ANY_OBJECT, BOOL, COMMENT, DATETIME, INT, STR, nullable, obj, op

TEXT = {"type": "string", "maxLength": 2000}
RETURNED = nullable(obj({"by": STR, "comment": nullable(STR), "from_node": STR}, ["by", "from_node"]))


def add_schemas(schemas: dict[str, Any]) -> None:
    schemas["CommentPost"] = obj({"text": TEXT, "mentions": {"type": "array", "items": STR, "maxItems": 20,
                                                             "description": "usernames; each may read the instance "
                                                                            "from now on (抄送 box)"}}, ["text"])
    schemas["Commented"] = obj({"seq": INT, "instance_id": INT, "text": STR, "mentions": {"type": "array",
                                                                                          "items": STR}},
                               ["seq", "instance_id", "text", "mentions"], additional=True)
    schemas["Urged"] = obj({"id": INT, "urged": {"type": "integer", "description": "how many approvers"},
                            "recorded": BOOL, "notified": {**BOOL, "description": "false: no notification channel "
                                                                                  "yet; the urge is recorded"},
                            "users": {"type": "array", "items": obj({"username": STR, "display_name": STR})}},
                           ["id", "urged"], additional=True)
    schemas["TakenBack"] = obj({"id": INT, "to_node": STR}, ["id", "to_node"], additional=True)
    schemas["ResubmitSource"] = obj({"process": STR, "version": INT, "data": ANY_OBJECT,
                                     "from": obj({"id": INT, "business_key": STR})},
                                    ["process", "data"], additional=True)
    task = schemas["Task"]["properties"]
    task["kind"] = {"type": "string", "enum": ["approval", "handle", "resubmit"],
                    "description": "resubmit: the initiator's task after a return to them (start form)"}
    task["read_at"] = nullable(DATETIME)
    task["returned"] = RETURNED
    schemas["InboxRow"]["properties"].update({"read_at": nullable(DATETIME), "returned": RETURNED})
    schemas["OpenTask"]["properties"]["read_at"] = nullable(DATETIME)
    schemas["Instance"]["properties"]["resubmitted_from"] = nullable(obj({"id": INT, "business_key": STR}))
    schemas["StartRequest"]["properties"]["resubmitted_from"] = {
        "type": "integer", "description": "the caller's rejected or withdrawn instance this one submits again"}
    schemas["ReturnRequest"]["properties"]["to_node"] = {
        "type": "string", "description": "an earlier node of this task's path, \"previous\" or \"initiator\""}
    schemas["ReturnRequest"]["properties"]["comment"] = COMMENT


def add_paths(paths: dict[str, Any]) -> None:
    paths["/process-instances/{instance_id}/comments"] = {
        "post": op("Comment on an instance (沟通), mentioning people who may then read it", "201", "Commented",
                   "403", "404", "422", body="CommentPost", params=("instance_id",), tag="instances"),
    }
    paths["/process-instances/{instance_id}/urge"] = {
        "post": op("Urge the current approvers (催办, initiator; once per 10 minutes)", "200", "Urged", "403",
                   "404", "409", "422", "429", body="CommentRequest", body_required=False, params=("instance_id",),
                   tag="instances"),
    }
    paths["/process-instances/{instance_id}/take-back"] = {
        "post": op("Take back (拿回): reopen your step while nobody of the current step has acted", "200",
                   "TakenBack", "403", "404", "409", "422", body="CommentRequest", body_required=False,
                   params=("instance_id",), tag="instances"),
    }
    paths["/process-instances/{instance_id}/resubmit"] = {
        "get": op("What to start again from a rejected or withdrawn instance (再次提交, initiator)", "200",
                  "ResubmitSource", "403", "404", "409", params=("instance_id",), tag="instances"),
    }



