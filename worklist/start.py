"""Starting a process: the list of processes a user can start (/start), grouped by category, and
the start form of one (/start/<key>), rendered by the form-js viewer (static/start.js) and
submitted as JSON to POST /start/<key> (session cookie + CSRF header): the same use case as the
REST API's POST /api/v1/process-instances, but its field messages come back in the user's
language, translated by code (web/messages.py)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import lazy_gettext

from core.errors import DomainError
from crm import pickers
from engine import about, collab, free_flows, instances, progress
from forms import validate as form_validation
from forms.schema import values_keys
from web import json_body
from web.errors import page_json
from web.i18n import select_locale
from web.nav import add_nav
from web.users import current_user, database, login_required
from worklist import bp

add_nav("start", "worklist.start_list", lazy_gettext("Start"))

def localized_name(item: dict[str, Any]) -> str:
    if select_locale() == "en" and item.get("name_en"):
        return str(item["name_en"])
    return str(item.get("name") or item.get("key"))


def without_title(schema: dict[str, Any]) -> dict[str, Any]:
    """The page shows the process name as its heading: a markdown heading opening the form's first
    text says it again, so it is left out (the rest of that text stays)."""
    components = list(schema.get("components") or [])
    if components and components[0].get("type") == "text" and isinstance(components[0].get("text"), str):
        lines = components[0]["text"].splitlines()
        if lines and lines[0].lstrip().startswith("#"):
            rest = "\n".join(lines[1:]).strip()
            components = ([{**components[0], "text": rest}] if rest else []) + components[1:]
    return {**schema, "components": components}


SECTION_BREAK = {"separator"}
DISPLAY_ONLY = {"text", "html", "image", "spacer", "separator"}


def for_initiator(schema: dict[str, Any], later: set[str]) -> dict[str, Any]:
    """The start form without the fields later steps fill in, and without the sections (separated by
    a separator) that are left with nothing to fill."""
    return drop_empty_sections(form_validation.redact_schema(schema, later) or schema)


def drop_empty_sections(schema: dict[str, Any]) -> dict[str, Any]:
    """Sections (parts of a form between separators) after the first one that hold no field."""
    sections: list[list[dict[str, Any]]] = [[]]
    for c in schema.get("components") or []:
        if c.get("type") in SECTION_BREAK:
            sections.append([])
        sections[-1].append(c)
    kept = [sec for i, sec in enumerate(sections)
            if i == 0 or any(c.get("type") not in DISPLAY_ONLY for c in sec)]
    return {**schema, "components": [c for sec in kept for c in sec]}


@bp.get("/start")
@login_required
def start_list() -> Any:
    uid = current_user()["id"]  # type: ignore[index]
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in progress.startable(database(), uid):
        groups.setdefault(item.get("category") or "", []).append({**item, "label": localized_name(item)})
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))
    return render_template("start.html", nav="start", groups=ordered, count=sum(len(v) for v in groups.values()))


@bp.get("/start/<key>")
@login_required
def start_form(key: str) -> Any:
    uid = current_user()["id"]  # type: ignore[index]
    again = request.args.get("from", type=int) if "from" in request.args else None
    page = progress.start_page(database(), uid, key, again)  # NotFound: the error page (404)
    schema = for_initiator(without_title(page["form"] or {"type": "default", "components": []}),
                           set(page["later_fields"]))
    # Selects fed by a CRM picker (valuesKey) get their options the way form-js reads them: from the
    # form's data under the valuesKey. The server accepts only these values (pickers.options_for).
    options = {k: pickers.search(database(), uid, k) for k in sorted(values_keys(schema)) if k in pickers.PICKERS}
    free = page.get("mode") == "free"
    users = pickers.search(database(), uid, "users") if page["chosen"] or free else []
    # 再次提交: ?from=<id> pre-fills the form from the caller's rejected or withdrawn instance
    source = collab.resubmit_source(database(), uid, request.args.get("from", type=int) or 0) \
        if "from" in request.args else None
    config = {
        "process": page["key"], "schema": schema, "options": options, "chosen": page["chosen"], "users": users,
        "instance_url": url_for("worklist.instance", instance_id=0).rsplit("/", 1)[0],
        "api": url_for("worklist.start_submit", key=page["key"]),
        # and ?customer=<id> / ?contract=<id> (a customer page's "start a process for this customer")
        "prefill": {**(source["data"] if source and source["process"] == page["key"] else {}),
                    **prefill(uid, schema, options)},
        "resubmitted_from": source["from"]["id"] if source and source["process"] == page["key"] else None,
        # 自定 (free): the steps the initiator lays out; 预定 (predefined): the approvers they choose.
        # Both can come from, and be saved as, the initiator's own lists (engine/free_flows.py).
        "free": {"suggested": (source or {}).get("steps") or page["suggested_steps"],
                 "roles": free_flows.role_options(database()),
                 "saved": free_flows.list_saved(database(), uid, page["key"], "steps")} if free else None,
        "saved_approvers": free_flows.list_saved(database(), uid, page["key"], "approvers") if page["chosen"] else [],
        "lists_api": url_for("worklist.start_save_list", key=page["key"]),
    }
    return render_template("start_form.html", nav="start", page=page, title=localized_name(page), config=config,
                           source=source)


def prefill(uid: int, schema: dict[str, Any], options: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """`?customer=<id>` / `?contract=<id>` (from a customer page) fill the form's customer / contract
    picker when the user may pick that record; the record joins the picker's options. `?leaver=<user
    name>` (from a deactivated user's organisation page) fills the staff handover's leaver picker."""
    data: dict[str, Any] = {}
    wanted = [(key, request.args.get(param, type=int)) for key, param in about.PREFILL_PARAMS.items()]
    wanted += [(key, request.args.get(param)) for key, param in about.PREFILL_NAMES.items()]  # user names
    for values_key, value in wanted:
        field = about.prefill_field(schema, values_key)
        picked = pickers.option(database(), uid, values_key, value) if field and value else None
        if field and picked is not None:
            data[field] = picked["value"]
            options[values_key] = [picked, *(o for o in options.get(values_key, []) if o["value"] != picked["value"])]
    return data


@bp.post("/start/<key>")
@login_required
def start_submit(key: str) -> Any:
    """Start `key` with the submitted form data (JSON {data, chosen}): 201 {id, business_key, status};
    refusals as JSON errors (web/errors.py) with the field messages in the user's language."""
    uid = current_user()["id"]  # type: ignore[index]
    try:
        body = json_body.page_object(request.get_data(cache=True))
        result = instances.start_process(database(), uid, key, body.get("data"), body.get("chosen"),
                                         body.get("resubmitted_from"), body.get("steps"))
    except DomainError as e:
        return page_json(e)
    return jsonify(result), 201


@bp.post("/start/<key>/lists")
@login_required
def start_save_list(key: str) -> Any:
    """Save the steps (free flow) or the chosen approvers (常用审批人) as one of the caller's lists:
    JSON {kind, name, items} -> 201 the list; refusals in the user's language."""
    try:
        body = json_body.page_object(request.get_data(cache=True))
        saved = free_flows.save_list(database(), current_user()["id"], key,  # type: ignore[index]
                                     body.get("kind"), body.get("name"), body.get("items"))
    except DomainError as e:
        return page_json(e)
    return jsonify(saved), 201
