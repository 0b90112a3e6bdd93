"""CRM administration under /api/v1 (crm/admin/): the data dictionary (GET /options, PUT
/options/{category}/{code}), field permissions per role (GET /field-rules, PUT
/field-rules/{role}/{kind}/{field}), the recycle bin (GET /recycle-bin, POST
/recycle-bin/{id}/restore) and the system log (GET /admin-log)."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body
from api.pagination import page_args
from crm.admin import field_rules, options, recycle, syslog


@bp.get("/options")
def list_option_lists() -> Any:
    items = options.list_categories(database(), current_user_id(), request.args.get("lang"))
    return jsonify({"items": items, "total": len(items)})


@bp.get("/options/<category>")
def list_options(category: str) -> Any:
    items = options.list_entries(database(), current_user_id(), category)
    return jsonify({"items": items, "total": len(items)})


@bp.put("/options/<category>/<code>")
def save_option(category: str, code: str) -> Any:
    return jsonify(options.save_entry(database(), current_user_id(), category, code, json_body()))


@bp.get("/field-rules")
def list_field_rules() -> Any:
    return jsonify(field_rules.list_rules(database(), current_user_id()))


@bp.put("/field-rules/<role>/<kind>/<field>")
def set_field_rule(role: str, kind: str, field: str) -> Any:
    return jsonify(field_rules.set_rule(database(), current_user_id(), role, kind, field, json_body()))


@bp.get("/me/field-limits")
def my_field_limits() -> Any:
    return jsonify(field_rules.my_limits(database(), current_user_id()))


@bp.get("/recycle-bin")
def list_recycle_bin() -> Any:
    uid, page = current_user_id(), page_args()
    days = current_app.config.get("RECYCLE_DAYS", recycle.DEFAULT_DAYS)
    items, total = recycle.list_bin(database(), uid, page.offset, page.limit, days)
    return jsonify(page.result(items, total))


@bp.post("/recycle-bin/<id:entry_id>/restore")
def restore_recycled(entry_id: int) -> Any:
    return jsonify(recycle.restore(database(), current_user_id(), entry_id))


@bp.get("/admin-log")
def admin_log() -> Any:
    uid, page = current_user_id(), page_args()
    items, total = syslog.entries(database(), uid, request.args.get("type"), page.offset, page.limit)
    return jsonify(page.result(items, total))
