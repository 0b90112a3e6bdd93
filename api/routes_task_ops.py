"""Operations on an open node's people (DESIGN.md §8): 委派 delegate, 减签 remove signers, 认领 claim
and 取消认领 unclaim. Each parses the body and calls one engine/task_ops.py use case."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body
from engine import task_ops


@bp.post("/tasks/<id:task_id>/delegate")
def delegate(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("to_user", "comment"))
    return jsonify(task_ops.delegate(database(), uid, task_id, body.get("to_user"), body.get("comment")))


@bp.post("/tasks/<id:task_id>/remove-signer")
def remove_signer(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("users", "comment"))
    return jsonify(task_ops.remove_signer(database(), uid, task_id, body.get("users"), body.get("comment")))


@bp.post("/tasks/<id:task_id>/claim")
def claim(task_id: int) -> Any:
    uid = current_user_id()
    json_body(allowed=())
    return jsonify(task_ops.claim(database(), uid, task_id))


@bp.post("/tasks/<id:task_id>/unclaim")
def unclaim(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("comment",))
    return jsonify(task_ops.unclaim(database(), uid, task_id, body.get("comment")))
