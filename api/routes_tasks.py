"""The task inbox and the actions an assignee takes on a task."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, jsonify, request

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body
from api.pagination import page_args
from core.errors import ValidationFailed
from engine import inbox, tasks
from engine.inbox_filters import record_filters


def _day_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"'{name}' is not a date", {name: "a date YYYY-MM-DD"}) from None


@bp.get("/tasks")
def list_tasks() -> Any:
    """The caller's box with the inbox page's filters: process, q (title, business key, the CRM
    record's number and name), from/to (days received, in the organisation's time zone),
    customer/contract/agent (record ids), overdue=true, sort=received|due. A bad filter is a 422
    naming it. Paging: page/per_page, or cursor= a next_cursor / prev_cursor of an answer (keyset:
    page 400 costs what page 1 costs)."""
    uid, page = current_user_id(), page_args()
    records = record_filters(request.args.get("customer"), request.args.get("contract"), request.args.get("agent"),
                             request.args.get("overdue"))
    first, last = _day_arg("from"), _day_arg("to")
    received_from, received_before = inbox.day_bounds(first, last, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    got = inbox.list_page(database(), uid, request.args.get("box", "todo"), page.offset, page.limit,
                          process=request.args.get("process") or None, q=request.args.get("q"),
                          received_from=received_from, received_before=received_before,
                          sort=request.args.get("sort", "received"), records=records,
                          cursor=request.args.get("cursor") or None)
    return jsonify({**page.result(got.items, got.total), "next_cursor": got.next_cursor,
                    "prev_cursor": got.prev_cursor})


@bp.get("/tasks/counts")
def task_counts() -> Any:
    return jsonify(inbox.counts(database(), current_user_id()))


@bp.get("/tasks/<id:task_id>")
def get_task(task_id: int) -> Any:
    return jsonify(tasks.get_task(database(), current_user_id(), task_id))


@bp.post("/tasks/<id:task_id>/approve")
def approve(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("comment", "data", "signature"))
    return jsonify(tasks.approve(database(), uid, task_id, body.get("comment"), body.get("data"),
                                 body.get("signature")))


@bp.post("/tasks/<id:task_id>/reject")
def reject(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("comment", "signature"))
    return jsonify(tasks.reject(database(), uid, task_id, body.get("comment"), body.get("signature")))


@bp.post("/tasks/<id:task_id>/return")
def return_task(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("to_node", "comment"))
    return jsonify(tasks.return_task(database(), uid, task_id, body.get("to_node"), body.get("comment")))


@bp.post("/tasks/<id:task_id>/transfer")
def transfer(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("to_user", "comment"))
    return jsonify(tasks.transfer(database(), uid, task_id, body.get("to_user"), body.get("comment")))


@bp.post("/tasks/<id:task_id>/add-signer")
def add_signer(task_id: int) -> Any:
    uid = current_user_id()
    body = json_body(allowed=("users", "comment", "position"))
    return jsonify(tasks.add_signer(database(), uid, task_id, body.get("users"), body.get("comment"),
                                    body.get("position")))
