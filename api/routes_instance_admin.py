"""What admins and process admins do to whole instances (DESIGN.md §8): terminate (终止),
suspend / activate (挂起/激活), jump (跳转), migrate (迁移) one instance or all of a version."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body
from engine import instance_admin, migration


@bp.post("/process-instances/<id:instance_id>/terminate")
def terminate(instance_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("comment",))
    return jsonify(instance_admin.terminate(database(), uid, instance_id, body.get("comment")))


@bp.post("/process-instances/<id:instance_id>/suspend")
def suspend(instance_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("comment",))
    return jsonify(instance_admin.suspend(database(), uid, instance_id, body.get("comment")))


@bp.post("/process-instances/<id:instance_id>/activate")
def activate(instance_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("comment",))
    return jsonify(instance_admin.activate(database(), uid, instance_id, body.get("comment")))


@bp.post("/process-instances/<id:instance_id>/jump")
def jump(instance_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("to_node", "comment"))
    return jsonify(instance_admin.jump(database(), uid, instance_id, body.get("to_node"), body.get("comment")))


@bp.post("/process-instances/<id:instance_id>/migrate")
def migrate(instance_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("to_version", "dry_run"))
    return jsonify(migration.migrate(database(), uid, instance_id, body.get("to_version"), body.get("dry_run")))


@bp.post("/process-definitions/<key>/versions/<int:version>/migrate")
def migrate_version(key: str, version: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("to_version", "dry_run"))
    return jsonify(migration.migrate_version(database(), uid, key, version, body.get("to_version"),
                                             body.get("dry_run")))
