"""Working together on an instance (DESIGN.md §8): comments with @mentions, urging, taking a step
back, and what a rejected or withdrawn instance is started again with. Parse -> one use case -> JSON."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body, optional_text
from engine import collab


@bp.post("/process-instances/<id:instance_id>/comments")
def comment(instance_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("text", "mentions"))
    return jsonify(collab.comment(database(), uid, instance_id, body.get("text"), body.get("mentions"))), 201


@bp.post("/process-instances/<id:instance_id>/urge")
def urge(instance_id: int) -> Any:
    uid = current_user_id()
    comment = optional_text(json_body(allowed=("comment",)), "comment")
    return jsonify(collab.urge(database(), uid, instance_id, comment))


@bp.post("/process-instances/<id:instance_id>/take-back")
def take_back(instance_id: int) -> Any:
    uid = current_user_id()
    comment = optional_text(json_body(allowed=("comment",)), "comment")
    return jsonify(collab.take_back(database(), uid, instance_id, comment))


@bp.get("/process-instances/<id:instance_id>/resubmit")
def resubmit_source(instance_id: int) -> Any:
    return jsonify(collab.resubmit_source(database(), current_user_id(), instance_id))
