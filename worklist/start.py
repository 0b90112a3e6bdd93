"""Starting a process: the list of processes a user can start (/start), grouped by category, and
the start form of one (/start/<key>), rendered by the form-js viewer (static/start.js) and
submitted to the REST API (POST /api/v1/process-instances with the session cookie + CSRF header)."""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask_babel import lazy_gettext

from core.errors import NotFound
from crm import pickers
from engine import progress
from forms import validate as form_validation
from forms.schema import values_keys
from worklist import bp
from worklist.web import add_nav, current_user, database, login_required, select_locale

add_nav("start", "worklist.start_list", lazy_gettext("Start"))

# Server messages are short English phrases (forms/README.md); the page shows them in the user's
# language. Each pattern is matched against the whole message; {1}, {2}... are its groups.
MESSAGES: list[tuple[str, Any]] = [
    (r"is required", lazy_gettext("This field is required.")),
    (r"the end must not be before the start", lazy_gettext("The end must not be before the start.")),
    (r"insufficient balance: (\S+) day\(s\) of \S+ \((.+)\) left, (\S+) requested",
     lazy_gettext("Not enough leave: {1} day(s) of {2} left, {3} requested.")),
    (r"a request covers at most (\S+) days", lazy_gettext("A request covers at most {1} days.")),
    (r"is not one of the allowed values", lazy_gettext("Choose one of the offered values.")),
    (r"must be a number", lazy_gettext("Enter a number.")),
    (r"must be a whole number", lazy_gettext("Enter a whole number.")),
    (r"must be at least (\d+) characters", lazy_gettext("At least {1} characters.")),
    (r"must be at most (\d+) characters", lazy_gettext("At most {1} characters.")),
    (r"must be at least (.+)", lazy_gettext("Must be at least {1}.")),
    (r"must be at most (.+)", lazy_gettext("Must be at most {1}.")),
    (r"must be a date.*", lazy_gettext("Enter a valid date.")),
    (r"must be a valid email address", lazy_gettext("Enter a valid email address.")),
    (r"must be a valid phone number", lazy_gettext("Enter a valid phone number.")),
]


def message_table() -> list[list[str]]:
    return [[pattern, str(text)] for pattern, text in MESSAGES]


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
    try:
        page = progress.start_page(database(), uid, key)
    except NotFound:
        abort(404)
    schema = for_initiator(without_title(page["form"] or {"type": "default", "components": []}),
                           set(page["later_fields"]))
    # Selects fed by a CRM picker (valuesKey) get their options the way form-js reads them: from the
    # form's data under the valuesKey. The server accepts only these values (pickers.options_for).
    options = {k: pickers.search(database(), uid, k) for k in sorted(values_keys(schema)) if k in pickers.PICKERS}
    users = pickers.search(database(), uid, "users") if page["chosen"] else []
    config = {
        "process": page["key"], "schema": schema, "options": options, "chosen": page["chosen"], "users": users,
        "messages": message_table(), "instance_url": url_for("worklist.instance", instance_id=0).rsplit("/", 1)[0],
        "api": "/api/v1/process-instances",
    }
    return render_template("start_form.html", nav="start", page=page, title=localized_name(page), config=config)
