"""The caller's own saved lists (engine/free_flows.py): a free flow's approval steps (个人模板) and a
predefined flow's chosen approvers (常用审批人), per process."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body
from engine import free_flows


@bp.get("/me/flow-lists")
def list_flow_lists() -> Any:
    items = free_flows.list_saved(database(), current_user_id(), request.args.get("process", ""),
                                  request.args.get("kind"))
    return jsonify({"items": items, "total": len(items)})


@bp.post("/me/flow-lists")
def save_flow_list() -> Any:
    uid = current_user_id()
    body = json_body(allowed=("process", "kind", "name", "items"))
    saved = free_flows.save_list(database(), uid, body.get("process"), body.get("kind"), body.get("name"),
                                 body.get("items"))
    return jsonify(saved), 201


@bp.delete("/me/flow-lists/<id:list_id>")
def delete_flow_list(list_id: int) -> Any:
    free_flows.delete_list(database(), current_user_id(), list_id)
    return Response(status=204)
