"""Process definitions (deploy, catalogue) and process instances (start, read, withdraw; the rest:
api/routes_collab.py)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from api import bp, database
from api.auth import current_user_id
from api.errors import ApiError, json_body, optional_text
from api.pagination import page_args
from crm import pickers
from engine import instances
from engine.design import catalog

XML_TYPES = ("application/xml", "text/xml")


# ---------------------------------------------------------------- definitions


@bp.get("/process-definitions")
def list_definitions() -> Any:
    current_user_id()
    page = page_args()
    items, total = catalog.list_definitions(database(), page.offset, page.limit)
    return jsonify(page.result(items, total))


@bp.get("/process-definitions/<key>")
def get_definition(key: str) -> Any:
    current_user_id()
    return jsonify(catalog.get_definition(database(), key))


@bp.post("/process-definitions")
def deploy_definition() -> Any:
    uid = current_user_id()
    if request.mimetype not in XML_TYPES:
        raise ApiError(415, "unsupported_media_type",
                       "send the BPMN file as the body with Content-Type: application/xml",
                       {"body": "Content-Type must be application/xml or text/xml"})
    definition, created = catalog.deploy_definition(database(), uid, request.get_data())
    if not created:
        return jsonify(definition), 200
    location = url_for("api.get_definition", key=definition["key"])
    return jsonify(definition), 201, {"Location": location}


# ---------------------------------------------------------------- instances


@bp.post("/process-instances")
def start_process() -> Any:
    uid = current_user_id()
    body = json_body(allowed=("process", "data", "chosen", "resubmitted_from", "steps"))
    result = instances.start_process(database(), uid, body.get("process"), body.get("data"), body.get("chosen"),
                                     body.get("resubmitted_from"), body.get("steps"))
    return jsonify(result), 201, {"Location": url_for("api.get_instance", instance_id=result["id"])}


@bp.get("/process-instances/<id:instance_id>")
def get_instance(instance_id: int) -> Any:
    return jsonify(instances.get_instance(database(), current_user_id(), instance_id))


@bp.post("/process-instances/<id:instance_id>/withdraw")
def withdraw(instance_id: int) -> Any:
    uid = current_user_id()
    comment = optional_text(json_body(allowed=("comment",)), "comment")
    return jsonify(instances.withdraw(database(), uid, instance_id, comment))


@bp.get("/pickers/<picker>")
def picker_options(picker: str) -> Any:
    """Options of a form select fed by the server (`valuesKey`), as the caller may pick them."""
    items = pickers.search(database(), current_user_id(), picker, request.args.get("q"))
    return jsonify({"items": items, "total": len(items)})
