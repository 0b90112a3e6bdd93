"""The approval record part of the OpenAPI document (api/routes_records.py)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import INT, STR, obj, op

PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def add(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    schemas["AuditVerification"] = obj(
        {"ok": {"type": "boolean"}, "events": INT, "head": STR,
         "first_bad": {**INT, "description": "seq of the first event that does not match (only when ok is false)"}},
        ["ok", "events", "head"])
    pdf = op("The approval record as a PDF: the form as the caller may see it, the approver chain, the diagram "
             "and the audit chain's head hash with a QR code to the verification page (instance readers)", "200",
             None, "403", "404", params=("instance_id",), tag="instances")
    pdf["responses"]["200"]["content"] = PDF
    paths["/process-instances/{instance_id}/record.pdf"] = {"get": pdf}
    paths["/process-instances/{instance_id}/audit/verify"] = {
        "get": op("Recompute the instance's audit hash chain (instance readers)", "200", "AuditVerification", "403",
                  "404", params=("instance_id",), tag="instances")}
