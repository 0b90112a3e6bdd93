"""OpenAPI part: deactivating a user, with a successor or through the staff_handover process
(crm/successors.py), on PATCH /users/{id}."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import obj, ref

STR = {"type": "string"}
INT = {"type": "integer"}


def add_schemas(schemas: dict[str, Any]) -> None:
    schemas["UserPatch"]["properties"]["successor"] = {
        "type": "string", "description": "username; with active: false, the user's open tasks and records "
                                         "(customers, contracts, opportunities, open tickets) move to this active "
                                         "user. Without it a user with work is deactivated and the staff_handover "
                                         "process starts (their supervisor chooses); 422 when that process is not "
                                         "deployed"}
    moved = obj({"task": INT, "new_task": INT, "instance_id": INT, "node_id": STR}, ["task", "instance_id"])
    kept = obj({"task": {"type": ["integer", "null"]}, "instance_id": INT, "node_id": {"type": ["string", "null"]},
                "reason": STR}, ["instance_id", "reason"])
    schemas["Handover"] = obj({
        "successor": {"type": ["string", "null"]},
        "records": {**obj({"customer": INT, "contract": INT, "contact": INT, "opportunity": INT, "ticket": INT}),
                    "description": "what moved: customer and contract always, the other kinds when some moved"},
        "process": {"type": ["integer", "null"],
                    "description": "the staff_handover instance started (no successor named, the user has work)"},
        "tasks_moved": {"type": "array", "items": moved},
        "tasks_not_moved": {"type": "array", "items": kept,
                            "description": "still with the deactivated user (e.g. the successor already is an "
                                           "assignee of that step); an admin reassigns them"},
    }, ["successor", "records", "tasks_moved", "tasks_not_moved"])
    schemas["User"]["properties"]["handover"] = ref("Handover")
