"""The CRM administration part of the OpenAPI document: schemas and paths of api/routes_admin.py."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import ANY_OBJECT, BOOL, DATETIME, INT, STR, nullable, obj, op, page_of, path_param, ref
from crm.admin import options

_ARRAY_OF = lambda name: {"type": "array", "items": ref(name)}  # noqa: E731


def add_schemas(schemas: dict[str, Any]) -> None:
    schemas["OptionEntry"] = obj({"code": STR, "label_zh": STR, "label_en": STR, "position": INT, "active": BOOL},
                                 ["code", "label_zh", "label_en", "position", "active"])
    schemas["OptionEntryWrite"] = obj({"label_zh": {"type": "string", "maxLength": 100},
                                       "label_en": {"type": "string", "maxLength": 100},
                                       "position": {"type": "integer", "minimum": 0, "maximum": 10000},
                                       "active": BOOL})
    schemas["OptionList"] = obj({"category": STR, "title": STR, "title_zh": STR, "title_en": STR,
                                 "entries": _ARRAY_OF("OptionEntry")}, ["category", "entries"])
    schemas["OptionLists"] = obj({"items": _ARRAY_OF("OptionList"), "total": INT}, ["items", "total"])
    schemas["OptionEntries"] = obj({"items": _ARRAY_OF("OptionEntry"), "total": INT}, ["items", "total"])
    schemas["FieldRule"] = obj({"role": STR, "kind": STR, "field": STR, "view": BOOL, "edit": BOOL, "export": BOOL},
                               ["role", "kind", "field", "view", "edit", "export"])
    schemas["FieldRuleWrite"] = obj({"view": BOOL, "edit": BOOL, "export": BOOL})
    schemas["FieldRules"] = obj({"items": _ARRAY_OF("FieldRule"), "fields": ANY_OBJECT,
                                 "roles": {"type": "array", "items": STR}}, ["items", "fields", "roles"])
    schemas["FieldLimits"] = {"type": "object", "additionalProperties": obj(
        {"hidden": {"type": "array", "items": STR}, "readonly": {"type": "array", "items": STR},
         "noexport": {"type": "array", "items": STR}})}
    schemas["RecycledRecord"] = obj({"id": INT, "kind": STR, "record_id": INT, "label": STR, "owner": nullable(STR),
                                     "deleted_by": nullable(STR), "deleted_at": DATETIME, "purge_after": DATETIME},
                                    ["id", "kind", "record_id", "label"])
    schemas["RecycledRecordPage"] = page_of("RecycledRecord")
    schemas["Restored"] = obj({"kind": STR, "id": INT, "label": STR}, ["kind", "id"])
    schemas["AdminLogEntry"] = obj({"id": INT, "at": DATETIME, "actor": nullable(STR), "action": STR, "type": STR,
                                    "target": STR, "detail": ANY_OBJECT}, ["id", "at", "action", "type", "target"])
    schemas["AdminLogPage"] = page_of("AdminLogEntry")
    schemas["User"]["properties"]["sales_code"] = nullable({"type": "string", "pattern": "^[A-Z]{2}[0-9]{4}$"})
    code = {"type": "string", "description": "业务员编号: two letters + four digits (SD0107), or two letters + two "
                                             "digits to get the next free number of that agency; null removes it"}
    schemas["UserCreate"]["properties"]["sales_code"] = nullable(code)
    schemas["UserPatch"]["properties"]["sales_code"] = nullable(code)


def add_paths(paths: dict[str, Any], parameters: dict[str, Any]) -> None:
    parameters["option_category"] = path_param("category", {"type": "string", "enum": list(options.CATEGORIES)},
                                               "option list")
    parameters["option_code"] = path_param("code", STR, "the entry's code (stable; records store it)")
    parameters["rule_role"] = path_param("role", STR, "role key")
    parameters["rule_kind"] = path_param("kind", STR, "record kind (customer, contact, contract, ...)")
    parameters["rule_field"] = path_param("field", STR, "field name, or * for the whole record kind")
    parameters["entry_id"] = path_param("entry_id", INT, "recycle bin entry id")
    parameters["lang"] = {"name": "lang", "in": "query", "required": False, "schema": {"enum": ["zh", "en"]},
                          "description": "language of the list titles"}
    parameters["log_type"] = {"name": "type", "in": "query", "required": False, "schema": STR,
                              "description": "user | role | department | field_rule | option | definition | record"}
    t = "admin"
    paths["/options"] = {"get": op("Every option list of the data dictionary with its entries", "200", "OptionLists",
                                   params=("lang",), tag=t)}
    paths["/options/{category}"] = {"get": op("One option list's entries (retired ones too)", "200", "OptionEntries",
                                              "404", params=("option_category",), tag=t)}
    paths["/options/{category}/{code}"] = {"put": op(
        "Add an entry or change its labels, position or whether it is offered; the code stays (admins)", "200",
        "OptionEntry", "403", "404", "422", body="OptionEntryWrite", params=("option_category", "option_code"),
        tag=t)}
    paths["/field-rules"] = {"get": op("Field permissions per role (admins)", "200", "FieldRules", "403", tag=t)}
    paths["/field-rules/{role}/{kind}/{field}"] = {"put": op(
        "Set what holders of a role may do with a field: view, edit, export (admins)", "200", "FieldRule", "403",
        "404", "422", body="FieldRuleWrite", params=("rule_role", "rule_kind", "rule_field"), tag=t)}
    paths["/me/field-limits"] = {"get": op("The fields the caller's roles hide, keep read-only or keep from export",
                                           "200", "FieldLimits", tag=t)}
    paths["/recycle-bin"] = {"get": op("Deleted records the caller may restore (admins; supervisors: their team's)",
                                       "200", "RecycledRecordPage", "400", params=("page", "per_page"), tag=t)}
    paths["/recycle-bin/{entry_id}/restore"] = {"post": op(
        "Restore a deleted record with its id (the owner's supervisor or an admin)", "200", "Restored", "403", "404",
        "409", params=("entry_id",), tag=t)}
    paths["/admin-log"] = {"get": op("The system log of admin actions, newest first (admins)", "200", "AdminLogPage",
                                     "400", "403", "422", params=("log_type", "page", "per_page"), tag=t)}
