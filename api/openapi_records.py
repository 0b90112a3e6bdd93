"""The approval record and search parts of the OpenAPI document (api/routes_records.py,
api/routes_search.py)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import DATETIME, INT, STR, nullable, obj, op

PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def add(paths: dict[str, Any], schemas: dict[str, Any], parameters: dict[str, Any]) -> None:
    schemas["AuditVerification"] = obj(
        {"ok": {"type": "boolean"}, "events": INT, "head": STR,
         "first_bad": {**INT, "description": "seq of the first event that does not match (its link, hash or "
                                             "HMAC), or the first one missing below the last checkpoint "
                                             "(only when ok is false)"},
         "missing_tail": {"type": "boolean", "description": "events up to the last checkpoint's head were removed "
                                                           "(only when ok is false)"},
         "checkpoint": nullable(obj({"seq": INT, "at": DATETIME}, ["seq", "at"]))},
        ["ok", "events", "head"])
    pdf = op("The approval record as a PDF: the form as the caller may see it, the approver chain, the diagram "
             "and the audit chain's head hash with a QR code to the verification page (instance readers)", "200",
             None, "403", "404", params=("instance_id",), tag="instances")
    pdf["responses"]["200"]["content"] = PDF
    paths["/process-instances/{instance_id}/record.pdf"] = {"get": pdf}
    paths["/process-instances/{instance_id}/audit/verify"] = {
        "get": op("Recompute the instance's audit hash chain (instance readers)", "200", "AuditVerification", "403",
                  "404", params=("instance_id",), tag="instances")}
    schemas["SearchResults"] = obj({
        "items": {"type": "array", "items": obj({
            "kind": {"type": "string", "enum": ["instance", "customer", "contact", "contract", "agent", "ticket",
                                                "contact_record", "opportunity"]},
            "id": INT, "title": STR, "snippet": STR,
            "customer_id": {**INT, "description": "a contact record's customer (its page shows the record)"},
            "highlighted": {**STR, "description": "the snippet as HTML, matches in <mark> (the rest escaped)"}},
            ["kind", "id", "title", "snippet", "highlighted"])},
        "total": INT, "q": STR}, ["items", "total", "q"])
    parameters["search_kind"] = {"name": "kind", "in": "query", "required": False,
                                 "schema": {"type": "string", "enum": ["instance", "customer", "contact", "contract",
                                                                       "agent", "ticket", "contact_record",
                                                                       "opportunity"]},
                                 "description": "only this kind of result"}
    parameters["search_q"] = {"name": "q", "in": "query", "required": True,
                              "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                              "description": "the words to find (title, business key, form values, comments, "
                                             "customer / contract / agent names and numbers)"}
    parameters["search_limit"] = {"name": "limit", "in": "query", "required": False,
                                  "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20}}
    paths["/search"] = {"get": op(
        "Search instances and CRM records the caller may see (every word must match; Chinese is segmented "
        "with jieba)", "200", "SearchResults", "422", params=("search_q", "search_kind", "search_limit"),
        tag="meta")}
