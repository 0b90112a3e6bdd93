"""The CRM records part of the OpenAPI document: schemas and paths of api/routes_crm.py, built from
the record kinds (crm.records.KINDS)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import ANY_OBJECT, BOOL, DATETIME, INT, STR, nullable, obj, op, page_of, path_param, ref
from crm import records as crm_records

_CRM_TYPES = {"text": STR, "email": {"type": "string", "format": "email"}, "phone": STR, "int": INT,
              "decimal": {"type": "string", "description": "decimal number (money as a string, e.g. \"12.50\")"},
              "date": {"type": "string", "format": "date"}, "datetime": DATETIME, "bool": BOOL, "json": ANY_OBJECT,
              "user": {"type": "string", "description": "username"},
              "customer": {"type": "integer", "description": "customer id"},
              "agent": {"type": "integer", "description": "agent id"}}


def _crm_field(f: Any) -> dict[str, Any]:
    schema = dict(_CRM_TYPES.get(f.kind, STR))
    if f.kind == "enum":
        schema = {"type": "string", "enum": list(f.choices)}
    elif f.kind == "option":
        schema = {"type": "string", "maxLength": f.max_len,
                  "description": f"a code of the option list '{f.options}' (GET /options/{f.options})"}
    elif f.kind in ("text", "email", "phone"):
        schema["maxLength"] = f.max_len
    return schema


def add_schemas(schemas: dict[str, Any]) -> None:
    """A schema per record kind (read, write, page) and the extra CRM bodies."""
    for kind in crm_records.KINDS.values():
        name = "".join(part.title() for part in kind.key.split("_"))
        props = {f.name: nullable(_crm_field(f)) for f in kind.fields}
        schemas[name] = obj({"id": INT, **props, "created_by": nullable(STR), "created_at": DATETIME},
                            ["id", "created_by", "created_at"], additional=True)
        writable = {f.name: nullable(_crm_field(f)) for f in kind.fields if f.writable}
        if kind.key == "expense_claim":
            line = obj({f.name: nullable(_crm_field(f)) for f in crm_records.LINE_FIELDS},
                       [f.name for f in crm_records.LINE_FIELDS if f.required])
            writable["lines"] = {"type": "array", "items": line, "minItems": 1, "maxItems": crm_records.MAX_LINES,
                                 "description": "required when creating a claim"}
        schemas[name + "Write"] = obj(writable, [f.name for f in kind.fields if f.required and f.writable])
        schemas[name + "Page"] = page_of(name)
    schemas["Reassign"] = obj({"owner": {"type": "string", "description": "username of the new salesperson"},
                               "reason": nullable({"type": "string", "maxLength": 500})}, ["owner"])
    schemas["OwnerChange"] = obj({"from": nullable(STR), "to": STR, "by": STR, "reason": nullable(STR),
                                  "at": DATETIME}, ["from", "to", "by", "at"])
    schemas["ImportResult"] = obj({"created": INT, "ids": {"type": "array", "items": INT}}, ["created", "ids"])
    schemas["OwnerHistory"] = obj({"items": {"type": "array", "items": ref("OwnerChange")}, "total": INT},
                                  ["items", "total"])


def add_paths(paths: dict[str, Any], parameters: dict[str, Any]) -> None:
    """The routes of api/routes_crm.py."""
    from api.routes_crm import NESTED_ONLY, RESOURCES

    for path, (kind, id_name, deletable) in RESOURCES.items():
        name = "".join(part.title() for part in kind.split("_"))
        label = crm_records.KINDS[kind].label
        if path not in NESTED_ONLY:
            paths[f"/{path}"] = {
                "get": op(f"List {label}s the caller may see: ?q= keyword, exact filters by any field", "200",
                          name + "Page", "400", "422", params=("q", "page", "per_page"), tag="crm"),
                "post": op(f"Create a {label}", "201", name, "403", "404", "409", "422", body=name + "Write",
                           ok_text="Created", tag="crm"),
            }
        one: dict[str, Any] = {
            "get": op(f"One {label}", "200", name, "404", params=(id_name,), tag="crm"),
            "patch": op(f"Change a {label}", "200", name, "403", "404", "409", "422", body=name + "Write",
                        params=(id_name,), tag="crm"),
        }
        if deletable:
            one["delete"] = op(f"Delete a {label}", "204", None, "403", "404", "409", params=(id_name,),
                               ok_text="Deleted", tag="crm")
        paths[f"/{path}/{{{id_name}}}"] = one
        parameters[id_name] = path_param(id_name, INT, f"{label} id")
    paths["/customers/{customer_id}/contacts"] = {
        "get": op("The customer's contacts", "200", "ContactPage", "400", "404", "422",
                  params=("customer_id", "q", "page", "per_page"), tag="crm"),
        "post": op("Add a contact to the customer", "201", "Contact", "404", "422", body="ContactWrite",
                   params=("customer_id",), ok_text="Created", tag="crm"),
    }
    paths["/customers/{customer_id}/contact-records"] = {
        "get": op("The customer's contact / visit records (联系记录): ?q=, filters (way, date, contact), paging",
                  "200", "ContactRecordPage", "400", "404", "422",
                  params=("customer_id", "q", "page", "per_page"), tag="crm"),
        "post": op("Record a contact with or visit to the customer (date, way, contact, content, next step)", "201",
                   "ContactRecord", "404", "422", body="ContactRecordWrite", params=("customer_id",),
                   ok_text="Created", tag="crm"),
    }
    paths["/opportunities/{opportunity_id}/plan"] = {
        "get": op("The opportunity's development plan (客户开发计划): dated steps with their results", "200",
                  "OpportunityStepPage", "400", "404", "422", params=("opportunity_id", "page", "per_page"),
                  tag="crm"),
        "post": op("Add a step (date, content) to the plan of an assigned opportunity", "201", "OpportunityStep",
                   "404", "422", body="OpportunityStepWrite", params=("opportunity_id",), ok_text="Created",
                   tag="crm"),
    }
    paths["/customers/{customer_id}/reassign"] = {
        "post": op("Give the customer to another salesperson (admin, or a supervisor of the current owner); "
                   "kept in the owner history", "200", "Customer", "403", "404", "422", body="Reassign",
                   params=("customer_id",), tag="crm"),
    }
    from api.routes_crm import EXCEL

    ERRORS = ("400", "401", "422", "500")
    for path, kind in EXCEL.items():
        label = crm_records.KINDS[kind].label
        paths[f"/{path}/export.xlsx"] = {
            "get": op(f"The {label}s the caller may see as an Excel workbook (Chinese column headers; the same "
                      "?q= and field filters as the list)", "200", None, "400", "422", params=("q",), tag="crm",
                      ok_text="The .xlsx workbook",
                      extra={"responses": {
                          "200": {"description": "The .xlsx workbook", "content": {
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                  "schema": {"type": "string", "format": "binary"}}}},
                          **{code: {"$ref": f"#/components/responses/E{code}"} for code in ERRORS},
                      }}),
        }
        paths[f"/{path}/import"] = {
            "post": op(f"Import {label}s from an .xlsx workbook (columns as the export; a customer by its 客户编号): "
                       "all rows or none; 422 lists every bad cell as 'row <n>, column <letter> (<header>)'", "201",
                       "ImportResult", "422", tag="crm", ok_text="Created",
                       extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": obj(
                           {"file": {"type": "string", "format": "binary"}}, ["file"])}}}}),
        }
    paths["/customers/{customer_id}/owner-history"] = {
        "get": op("Every change of the customer's salesperson, oldest first", "200", "OwnerHistory", "404",
                  params=("customer_id",), tag="crm"),
    }
