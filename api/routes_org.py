"""The organisation: the caller, users, departments, roles (writes are for admins)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body
from api.pagination import page_args
from crm import directory


@bp.get("/me")
def me() -> Any:
    return jsonify(directory.me(database(), current_user_id()))


@bp.get("/users")
def list_users() -> Any:
    uid, page = current_user_id(), page_args()
    items, total = directory.list_users(database(), uid, page.offset, page.limit)
    return jsonify(page.result(items, total))


@bp.post("/users")
def create_user() -> Any:
    uid = current_user_id()
    return jsonify(directory.create_user(database(), uid, json_body())), 201


@bp.patch("/users/<id:user_id>")
def update_user(user_id: int) -> Any:
    uid = current_user_id()
    return jsonify(directory.update_user(database(), uid, user_id, json_body()))


@bp.get("/departments")
def list_departments() -> Any:
    uid, page = current_user_id(), page_args()
    items, total = directory.list_departments(database(), uid, page.offset, page.limit)
    return jsonify(page.result(items, total))


@bp.post("/departments")
def create_department() -> Any:
    uid = current_user_id()
    return jsonify(directory.create_department(database(), uid, json_body())), 201


@bp.patch("/departments/<id:dept_id>")
def update_department(dept_id: int) -> Any:
    uid = current_user_id()
    return jsonify(directory.update_department(database(), uid, dept_id, json_body()))


@bp.get("/roles")
def list_roles() -> Any:
    items = directory.list_roles(database(), current_user_id())
    return jsonify({"items": items, "total": len(items)})


@bp.post("/roles")
def create_role() -> Any:
    uid = current_user_id()
    return jsonify(directory.create_role(database(), uid, json_body())), 201
