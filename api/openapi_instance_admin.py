"""The instance outcome and the admin operations on an instance in the OpenAPI document
(api/routes_instance_admin.py): terminate, suspend / activate, jump, migrate (DESIGN.md §8)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import BOOL, COMMENT, INT, STR, nullable, obj, op, path_param, ref

OUTCOME = {"type": "string", "enum": ["approved", "rejected", "withdrawn", "terminated"],
           "description": "what an ended instance came to; null while it runs (or suspended)"}
STATUSES = ["running", "suspended", "completed", "withdrawn", "cancelled", "failed"]


def add_schemas(schemas: dict[str, Any]) -> None:
    """`outcome` on every instance answer and inbox row, `suspended` among the statuses, and the
    bodies and answers of the admin operations."""
    schemas["Outcome"] = OUTCOME
    schemas["Error"]["properties"]["error"]["properties"]["reason"] = {
        "type": "string", "description": "the precise reason when more precise than code, e.g. "
                                         "instance_suspended, instance_ended, migration_blocked"}
    schemas["InstanceStatus"] = {"type": "string", "enum": STATUSES}
    schemas["Instance"]["properties"]["outcome"] = nullable(ref("Outcome"))
    schemas["Instance"]["required"] = sorted({*schemas["Instance"]["required"], "outcome"})
    row = schemas["InboxRow"]["properties"]
    row["outcome"] = nullable(ref("Outcome"))
    row["instance_status"] = {**ref("InstanceStatus"),
                              "description": "the instance's status (a suspended one's tasks are marked 已挂起)"}
    schemas["InboxRow"]["required"] = sorted({*schemas["InboxRow"]["required"], "outcome", "instance_status"})
    schemas["TerminateRequest"] = obj({"comment": COMMENT}, ["comment"])
    schemas["JumpRequest"] = obj({"to_node": {**STR, "description": "a user task of the instance's process"},
                                  "comment": COMMENT}, ["to_node", "comment"])
    schemas["MigrateRequest"] = obj({"to_version": INT, "dry_run": BOOL}, ["to_version"])
    schemas["InstanceAdminResult"] = obj({"id": INT, "status": ref("InstanceStatus"),
                                          "outcome": nullable(ref("Outcome")), "to_node": STR},
                                         ["id", "status", "outcome"], additional=True)
    blocked = {"type": "object", "additionalProperties": STR, "description": "node id -> why it blocks the move"}
    schemas["MigrationResult"] = obj({"id": INT, "from_version": INT, "to_version": INT,
                                      "nodes": {"type": "array", "items": STR}, "blocked": blocked,
                                      "can_migrate": BOOL, "dry_run": BOOL, "migrated": BOOL,
                                      "error": STR, "message": STR},
                                     ["id", "migrated"], additional=True)
    schemas["VersionMigrationResult"] = obj({"key": STR, "from_version": INT, "to_version": INT, "dry_run": BOOL,
                                             "items": {"type": "array", "items": ref("MigrationResult")},
                                             "total": INT, "migrated": INT},
                                            ["key", "items", "total", "migrated"], additional=True)


def add_paths(paths: dict[str, Any], parameters: dict[str, Any]) -> None:
    who = "(admin, process admin)"
    one = ("instance_id",)
    paths["/process-instances/{instance_id}/terminate"] = {"post": op(
        f"终止 Terminate now {who}: open tasks cancelled, timers dead, outcome `terminated` (status cancelled); "
        "409 when it has ended", "200", "InstanceAdminResult", "403", "404", "409", "422",
        body="TerminateRequest", params=one, tag="instances")}
    paths["/process-instances/{instance_id}/suspend"] = {"post": op(
        f"挂起 Suspend {who}: no task action (409 instance_suspended), no timer, until activated; "
        "409 unless running", "200", "InstanceAdminResult", "403", "404", "409", "422",
        body="CommentRequest", body_required=False, params=one, tag="instances")}
    paths["/process-instances/{instance_id}/activate"] = {"post": op(
        f"激活 Activate a suspended instance {who}; timers due meanwhile fire; 409 unless suspended", "200",
        "InstanceAdminResult", "403", "404", "409", "422", body="CommentRequest", body_required=False,
        params=one, tag="instances")}
    paths["/process-instances/{instance_id}/jump"] = {"post": op(
        f"跳转 Jump {who}: cancel every open task and continue from a user task of the process, forward or "
        "back; 422 naming to_node when it is not one (or lies inside a parallel branch)", "200",
        "InstanceAdminResult", "403", "404", "409", "422", body="JumpRequest", params=one, tag="instances")}
    paths["/process-instances/{instance_id}/migrate"] = {"post": op(
        f"迁移 Move a running instance to another version of its process {who}, keeping its data and open "
        "tasks; dry_run answers what would move and what blocks it; 409 lists the blocking nodes, 422 for an "
        "unknown version", "200", "MigrationResult", "403", "404", "409", "422", body="MigrateRequest",
        params=one, tag="instances")}
    paths["/process-definitions/{key}/versions/{version}/migrate"] = {"post": op(
        f"迁移 Move every running instance of a version {who}; answers per instance", "200",
        "VersionMigrationResult", "403", "404", "422", body="MigrateRequest", params=("key", "version"),
        tag="definitions")}
    parameters["version"] = path_param("version", INT, "a deployed version of the process")
