"""The reports part of the OpenAPI document (api/routes_reports.py, engine/reports.py)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import INT, STR, obj, op

NAMES = ["processes", "nodes", "people", "bottlenecks", "trends", "sla"]
NUM = {"type": ["number", "null"]}
XLSX = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        {"schema": {"type": "string", "format": "binary"}}}


def add(paths: dict[str, Any], schemas: dict[str, Any], parameters: dict[str, Any]) -> None:
    schemas["ReportMenu"] = obj({
        "admin": {"type": "boolean"}, "reports": {"type": "array", "items": {"type": "string", "enum": NAMES}},
        "departments": {"type": "array", "items": obj({"id": INT, "name": STR}, ["id", "name"])},
        "processes": {"type": "array", "items": obj({"key": STR, "name": STR}, ["key", "name"])}},
        ["admin", "reports", "departments", "processes"])
    schemas["Report"] = obj({
        "name": {"type": "string", "enum": NAMES},
        "rows": {"type": "array", "items": {
            "type": "object", "additionalProperties": True,
            "description": "processes: process, name, count, approved, rejected, running, approval_rate, "
                           "median_seconds, p90_seconds, overdue; nodes / bottlenecks: process, process_name, "
                           "node_id, node_name, count, approved, rejected, open, approval_rate, median_seconds, "
                           "p90_seconds, overdue; people: username, display_name, pending, overdue, decided, "
                           "avg_decide_seconds; trends: week (its Monday), started, finished, approved, rejected; "
                           "sla: process, process_name, node_id, node_name, tasks, due, overdue, urged",
            "properties": {"median_seconds": NUM, "p90_seconds": NUM, "approval_rate": NUM}}}},
        ["name", "rows"])
    parameters["report_name"] = {"name": "name", "in": "path", "required": True,
                                 "schema": {"type": "string", "enum": NAMES},
                                 "description": "sla: administrators and process administrators only"}
    for key, desc, schema in [
            ("from", "requests started (tasks arrived) on or after this day", {"type": "string", "format": "date"}),
            ("to", "... on or before this day", {"type": "string", "format": "date"}),
            ("process", "a process key", STR),
            ("department", "a department id inside the caller's tree (with every department below it)", INT)]:
        parameters[f"report_{key}"] = {"name": key, "in": "query", "required": False, "schema": schema,
                                       "description": desc}
    filters = ("report_from", "report_to", "report_process", "report_department")
    paths["/reports"] = {"get": op(
        "The reports the caller may see, and the departments and processes to filter by (administrators, process "
        "administrators and department heads; 403 for others)", "200", "ReportMenu", "403", tag="reports")}
    paths["/reports/{name}"] = {"get": op(
        "One report, aggregated by the database: a head sees their department tree's requests and people; a bad "
        "filter is a 422 naming it", "200", "Report", "403", "404", "422", params=("report_name", *filters),
        tag="reports")}
    xlsx = op("The same report as an Excel workbook (durations in hours, headings in the caller's language)", "200",
              None, "403", "404", "422", params=("report_name", *filters), tag="reports")
    xlsx["responses"]["200"]["content"] = XLSX
    paths["/reports/{name}.xlsx"] = {"get": xlsx}
