"""The BPMN modeler page (/designer/new, /designer/<key>/edit) and the designer's JSON endpoints
under /designer/api: organisation options, the source to edit, drafts, validate, deploy.

Each endpoint parses the request, calls one use case (engine/design/drafts.py,
crm/directory.py) and answers JSON; errors are `{"error": {"code", "message", "fields"}}` with
the statuses of web/errors.py (DefinitionInvalid adds `problems`: [{element_id, message, rule}])."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext

from core.errors import DefinitionInvalid, DomainError, NotFound, ValidationFailed
from crm import directory
from designer import bp, problems
from designer.pages import designer_required
from engine.design import drafts
from forms import library
from web import json_body
from web.errors import domain_json, error_json, page_json
from web.users import current_user, database, is_process_admin


def designer_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """JSON endpoints: 401 without a session, 403 for users who are not (process) admins, domain
    errors as JSON with the status of the one map (web/errors.py)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return error_json(401, "unauthenticated", "sign in first")
        if not is_process_admin(user):
            return error_json(403, "forbidden", "only administrators and process administrators may design processes")
        try:
            return view(user, *args, **kwargs)
        except DefinitionInvalid as e:  # each problem in the user's language (designer/problems.py)
            found = problems.as_dicts(e.problems)
            return domain_json(e, problems.as_fields(found), problems=found)
        except DomainError as e:
            return page_json(e)  # the statuses of the API (web/errors.py), messages translated by code

    return wrapper


def json_object(*required: str, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object; 422 naming each missing or unknown field."""
    body = json_body.page_object(request.get_data(cache=True))
    fields = {name: "required" for name in required if name not in body}
    allowed = set(required) | set(optional)
    fields.update({str(k): f"unknown field; allowed: {', '.join(sorted(allowed))}" for k in body if k not in allowed})
    if fields:
        raise ValidationFailed("invalid request body", fields)
    return body


# ---------------------------------------------------------------- pages


def _modeler_page(key: str) -> Any:
    return render_template("designer/modeler.html", key=key, nav="designer",
                           placeholder_urls={
                               "edit": url_for("designer.edit", key="__KEY__"),
                               "draft": url_for("designer.api_draft", key="__KEY__"),
                               "deploy": url_for("designer.api_deploy", key="__KEY__"),
                               "form": url_for("designer.form_editor", key="__KEY__", form_key="__FORM__"),
                           })


@bp.get("/new")
@designer_required
def new() -> Any:
    return _modeler_page("")


@bp.get("/<key>/edit")
@designer_required
def edit(key: str) -> Any:
    return _modeler_page(key)


# ---------------------------------------------------------------- JSON endpoints


@bp.get("/api/org-options")
@designer_api
def api_org_options(user: dict[str, Any]) -> Any:
    """What the assignee pickers offer: users, roles, departments; and the forms of the library."""
    db = database()
    users, _ = directory.list_users(db, user["id"], 0, 5000)
    depts, _ = directory.list_departments(db, user["id"], 0, 5000)
    roles = directory.list_roles(db, user["id"])
    forms = {}
    for key in library.keys():
        schema, _problems = library.load(key)
        if schema is not None:
            forms[key] = schema
    return jsonify({
        "users": [{"value": u["username"], "label": f"{u['display_name']} ({u['username']})"
                   + (f" · {u['department_name']}" if u.get("department_name") else "")}
                  for u in users if u.get("active")],
        "roles": [{"value": r["key"], "label": f"{r['name']} ({r['key']})"} for r in roles],
        "departments": [{"value": d["name"], "label": d["name"]} for d in depts],
        "form_keys": sorted(forms),
        "library_forms": forms,
    })


@bp.get("/api/processes/<key>/source")
@designer_api
def api_source(user: dict[str, Any], key: str) -> Any:
    """The XML the modeler opens (the draft, else the latest version; laid out when it has no diagram)."""
    from bpmn import layout

    out = drafts.load_for_editing(database(), user["id"], key)
    xml = out["bpmn_xml"].encode("utf-8")
    try:
        laid_out = layout.ensure_layout(xml)
    except Exception:  # a file the layout cannot handle opens as it is (bpmn-js reports what it cannot draw)
        laid_out = xml
    out["bpmn_xml"] = laid_out.decode("utf-8")
    out["laid_out"] = laid_out != xml
    return jsonify(out)


@bp.route("/api/processes/<key>/draft", methods=["GET", "PUT", "DELETE"])
@designer_api
def api_draft(user: dict[str, Any], key: str) -> Any:
    db = database()
    if request.method == "GET":
        draft = drafts.get_draft(db, user["id"], key)
        if draft is None:
            raise NotFound(f"no draft of '{key}'")
        return jsonify(draft)
    if request.method == "DELETE":
        return jsonify({"deleted": drafts.delete_draft(db, user["id"], key)})
    body = json_object("xml", optional=("forms",))
    draft = drafts.save_draft(db, user["id"], key, body["xml"], body.get("forms"))
    return jsonify({k: v for k, v in draft.items() if k != "bpmn_xml"})


@bp.post("/api/validate")
@designer_api
def api_validate(user: dict[str, Any]) -> Any:
    body = json_object("xml", optional=("forms", "key"))
    found = drafts.validate(database(), user["id"], body["xml"], body.get("forms"), body.get("key"))
    return jsonify({"ok": not found, "problems": problems.as_dicts_of(found)})


@bp.post("/api/processes/<key>/deploy")
@designer_api
def api_deploy(user: dict[str, Any], key: str) -> Any:
    """Deploy `xml` (else the saved draft) with the draft's forms as a new version; the draft is
    discarded once deployed. 422 with `problems` when refused (nothing stored)."""
    body = json_object(optional=("xml",))
    definition, created = drafts.deploy_draft(database(), user["id"], key, body.get("xml"), discard=True)
    message = (gettext("Deployed as version %(version)s.", version=definition["version"]) if created
               else gettext("Unchanged: version %(version)s is already this diagram.", version=definition["version"]))
    definition = {**definition, "translations": problems.translations(definition.get("translations") or []),
                  "warnings": problems.as_dicts_of(definition.get("warnings") or [])}
    return jsonify({**definition, "created": created, "message": message}), (201 if created else 200)
