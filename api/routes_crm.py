"""CRM records under /api/v1: customers (with nested contacts, reassignment and owner history),
contracts, agents, service tickets, expense claims, leave balances, service-fee settlements.

Lists take `?q=` (keyword over the text fields), exact filters by any field (`?status=signed&owner=
zhangsan`) and `?page=&per_page=`. Permissions and validation live in crm/records/service.py.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, request

from api import bp, database
from api.auth import current_user_id
from api.errors import ApiError, json_body
from api.pagination import page_args
from crm import export as crm_export
from crm import import_ as crm_import
from crm import records

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# url path -> (record type, name of the id parameter, whether records can be deleted)
RESOURCES: dict[str, tuple[str, str, bool]] = {
    "customers": ("customer", "customer_id", True),
    "contacts": ("contact", "contact_id", True),
    "contracts": ("contract", "contract_id", True),
    "agents": ("agent", "agent_id", True),
    "tickets": ("ticket", "ticket_id", False),
    "expense-claims": ("expense_claim", "claim_id", False),
    "leave-balances": ("leave_balance", "balance_id", True),
    "settlements": ("settlement", "settlement_id", False),
    "contact-records": ("contact_record", "record_id", True),
    "opportunities": ("opportunity", "opportunity_id", True),
    "opportunity-steps": ("opportunity_step", "step_id", True),
}
# created and listed under /customers/{customer_id}/contacts, /customers/{customer_id}/contact-records and
# /opportunities/{opportunity_id}/plan
NESTED_ONLY = {"contacts", "contact-records", "opportunity-steps"}


def _query() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in ("page", "per_page")}


def _register(path: str, kind: str, id_name: str, deletable: bool) -> None:
    endpoint = kind.replace("-", "_")

    def list_view() -> Any:
        uid, page = current_user_id(), page_args()
        items, total = records.list_records(database(), uid, kind, _query(), page.offset, page.limit)
        return jsonify(page.result(items, total))

    def create_view() -> Any:
        uid = current_user_id()
        return jsonify(records.create(database(), uid, kind, json_body())), 201

    def get_view(**kw: int) -> Any:
        return jsonify(records.get(database(), current_user_id(), kind, kw[id_name]))

    def patch_view(**kw: int) -> Any:
        uid = current_user_id()
        return jsonify(records.update(database(), uid, kind, kw[id_name], json_body()))

    def delete_view(**kw: int) -> Any:
        records.delete(database(), current_user_id(), kind, kw[id_name])
        return Response(status=204)

    if path not in NESTED_ONLY:
        bp.add_url_rule(f"/{path}", f"crm_{endpoint}_list", list_view, methods=["GET"])
        bp.add_url_rule(f"/{path}", f"crm_{endpoint}_create", create_view, methods=["POST"])
    one = f"/{path}/<id:{id_name}>"
    bp.add_url_rule(one, f"crm_{endpoint}_get", get_view, methods=["GET"])
    bp.add_url_rule(one, f"crm_{endpoint}_update", patch_view, methods=["PATCH"])
    if deletable:
        bp.add_url_rule(one, f"crm_{endpoint}_delete", delete_view, methods=["DELETE"])


# url path -> record kind, for the Excel export / import (crm/sheets.py); registered before the
# generic routes (/customers/export.xlsx is not a customer id; ids are integers anyway)
EXCEL = {"customers": "customer", "contacts": "contact", "contracts": "contract", "opportunities": "opportunity"}


def _register_excel(path: str, kind: str) -> None:
    sheet = crm_export.sheet_of(kind)

    def export_view() -> Any:
        """The records the caller may see as an Excel workbook (same filters as the list)."""
        data = crm_export.records_xlsx(database(), current_user_id(), kind, _query())
        name = quote(sheet.title)
        return Response(data, mimetype=XLSX, headers={
            "Content-Disposition": f"attachment; filename=\"{sheet.filename}.xlsx\"; filename*=UTF-8''{name}.xlsx"})

    def import_view() -> Any:
        """multipart/form-data with the .xlsx as `file`: every row created, or 422 listing each bad cell."""
        uid = current_user_id()
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(422, "validation_failed", "send the workbook as multipart/form-data field 'file'",
                           {"file": "required"})
        return jsonify(crm_import.import_records(database(), uid, kind, upload.read())), 201

    endpoint = "customers" if kind == "customer" else path
    bp.add_url_rule(f"/{path}/export.xlsx", f"export_{endpoint}", export_view, methods=["GET"])
    bp.add_url_rule(f"/{path}/import", f"import_{endpoint}", import_view, methods=["POST"])


for _path, _kind in EXCEL.items():
    _register_excel(_path, _kind)


for _path, (_kind, _id, _deletable) in RESOURCES.items():
    _register(_path, _kind, _id, _deletable)


@bp.get("/customers/<id:customer_id>/contacts")
def list_customer_contacts(customer_id: int) -> Any:
    uid, page = current_user_id(), page_args()
    items, total = records.list_records(database(), uid, "contact", _query(), page.offset, page.limit,
                                        customer_id=customer_id)
    return jsonify(page.result(items, total))


@bp.post("/customers/<id:customer_id>/contacts")
def create_customer_contact(customer_id: int) -> Any:
    uid = current_user_id()
    return jsonify(records.create(database(), uid, "contact", json_body(), customer_id=customer_id)), 201


@bp.get("/customers/<id:customer_id>/contact-records")
def list_customer_contact_records(customer_id: int) -> Any:
    uid, page = current_user_id(), page_args()
    items, total = records.list_records(database(), uid, "contact_record", _query(), page.offset, page.limit,
                                        customer_id=customer_id)
    return jsonify(page.result(items, total))


@bp.post("/customers/<id:customer_id>/contact-records")
def create_customer_contact_record(customer_id: int) -> Any:
    uid = current_user_id()
    return jsonify(records.create(database(), uid, "contact_record", json_body(), customer_id=customer_id)), 201


@bp.post("/customers/<id:customer_id>/reassign")
def reassign_customer(customer_id: int) -> Any:
    uid = current_user_id()
    return jsonify(records.reassign_customer(database(), uid, customer_id, json_body()))


@bp.get("/customers/<id:customer_id>/owner-history")
def customer_owner_history(customer_id: int) -> Any:
    items = records.customer_owner_history(database(), current_user_id(), customer_id)
    return jsonify({"items": items, "total": len(items)})


@bp.get("/opportunities/<id:opportunity_id>/plan")
def list_opportunity_plan(opportunity_id: int) -> Any:
    """The development plan's steps (date order); 404 for an opportunity out of the caller's reach."""
    uid, page = current_user_id(), page_args()
    records.get(database(), uid, "opportunity", opportunity_id)
    items, total = records.list_records(database(), uid, "opportunity_step",
                                        {**_query(), "opportunity": str(opportunity_id)}, page.offset, page.limit)
    return jsonify(page.result(sorted(items, key=lambda i: (i["date"], i["id"])), total))


@bp.post("/opportunities/<id:opportunity_id>/plan")
def create_opportunity_step(opportunity_id: int) -> Any:
    uid, body = current_user_id(), json_body()
    records.get(database(), uid, "opportunity", opportunity_id)
    if isinstance(body, dict) and body.get("opportunity", opportunity_id) != opportunity_id:
        raise ApiError(422, "validation_failed", "the opportunity is given by the path",
                       {"opportunity": "must match the path"})
    payload = {**body, "opportunity": opportunity_id} if isinstance(body, dict) else body
    return jsonify(records.create(database(), uid, "opportunity_step", payload)), 201
