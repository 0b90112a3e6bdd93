"""Reports (engine/reports.py): GET /reports (what the caller may see), GET /reports/<name> (JSON)
and GET /reports/<name>.xlsx (the same rows as a workbook). Filters: ?from=&to=&process=&department=."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api import bp, database
from api.auth import current_user_id
from core.errors import Forbidden
from engine import reports, reports_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in ("from", "to", "process", "department")}


@bp.get("/reports")
def reports_menu() -> Any:
    menu = reports.menu(database(), current_user_id())
    if menu is None:
        raise Forbidden("reports are for administrators and department heads", reason="reports_forbidden")
    return jsonify(menu)


@bp.get("/reports/<name>.xlsx")
def report_xlsx(name: str) -> Any:
    data, filename = reports_xlsx.report_xlsx(database(), current_user_id(), name, _filters())
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/reports/<name>")
def report(name: str) -> Any:
    return jsonify(reports.report(database(), current_user_id(), name, _filters()))
