"""The table view of a process (/designer/<key>/table, /designer/new/table): the steps of a chain
as an editable table; "deploy as new version" (table -> BPMN -> deploy) and "open as diagram"
(table -> BPMN -> the modeler's draft). designer/table.py does the conversion."""
from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from bpmn import lz
from core.errors import DefinitionInvalid, DomainError
from designer import bp, table_edit
from designer import table as tables
from designer.pages import designer_required, me
from designer.problems import message as problem_message
from engine import sandbox
from engine.design import catalog, versions
from forms import library
from web.errors import status_of
from web.messages import translate_error
from web.users import current_user, database

_STEP_FIELD = re.compile(r"^steps-(\d+)-(\w+)$")


def table_from_form(form: Any, key: str | None) -> dict[str, Any]:
    """The table a submitted page describes (steps in the order of their index)."""
    process = {f: (form.get(f"process-{f}") or "").strip() for f in tables.PROCESS_FIELDS}
    if key is not None:
        process["key"] = key
    process["mode"] = process["mode"] or "fixed"
    rows: dict[int, dict[str, Any]] = {}
    for name in form:
        m = _STEP_FIELD.match(name)
        if m and m.group(2) in tables.STEP_FIELDS:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = (form.get(name) or "").strip()
    steps = []
    for i in sorted(rows):
        row = rows[i]
        step = {f: row.get(f, "") for f in tables.STEP_FIELDS}
        for flag in ("skip_initiator", "skip_repeated"):
            step[flag] = row.get(flag, "") in ("1", "on", "true")
        if step["mode"] != "ratio":
            step["threshold"] = ""
        if step["mode"] not in ("majority", "ratio"):
            step["weights"] = ""
        if not step["deadline_duration"]:
            step["deadline_action"] = ""
        steps.append(step)
    return {"process": process, "steps": steps, "editable": True, "why_not": None}


def labels() -> dict[str, dict[str, str]]:
    """Display names of the modes, assignee strategies, deadline actions and flow models."""
    modes = {"any": gettext("Any one (或签)"), "all": gettext("All (会签)"), "majority": gettext("Majority"),
             "ratio": gettext("By ratio"), "sequential": gettext("One after another"),
             "claim": gettext("Claim (认领)"), "read": gettext("Read only (阅办)"),
             "handle": gettext("Handle (办理)")}
    strategies = {"users": gettext("Named users"), "role": gettext("Role"), "dept_head": gettext("Department head"),
                  "dept_heads": gettext("Heads of departments"), "supervisor": gettext("Supervisor"),
                  "initiator": gettext("Initiator"), "field": gettext("From a form field"),
                  "chosen": gettext("Chosen at start")}
    actions = {"remind": gettext("Remind"), "approve": gettext("Approve automatically"),
               "reject": gettext("Reject automatically"), "escalate": gettext("Escalate")}
    models = {"fixed": gettext("Fixed (固定)"), "predefined": gettext("Predefined (预定)"),
              "free": gettext("Free (自定)")}
    kinds = {"approval": gettext("Approval step"), "service": gettext("System step (service task)"),
             "script": gettext("System step (script)"), "multi": gettext("Multi-instance task")}
    return {"modes": modes, "strategies": strategies, "actions": actions, "models": models, "kinds": kinds}


def _choices() -> dict[str, Any]:
    names = labels()
    modes, strategies, actions, models = names["modes"], names["strategies"], names["actions"], names["models"]
    return {"names": names, "modes": [(m, modes.get(m, m)) for m in tables.STEP_MODES],
            "strategies": [(s, strategies.get(s, s)) for s in lz.STRATEGIES],
            "actions": [(a, actions.get(a, a)) for a in lz.DEADLINE_ACTIONS],
            "flow_models": [(m, models.get(m, m)) for m in lz.FLOW_MODELS], "form_keys": library.keys(),
            "hints": {"users": gettext("e.g. lisi,zhouqiang"), "role": gettext("role key, e.g. finance"),
                      "dept_head": gettext("optional: a department"), "dept_heads": gettext("e.g. 法务部,财务部"),
                      "supervisor": gettext("levels up, default 1"), "field": gettext("form field name")}}


def _render(table: dict[str, Any], key: str | None, problems: list[dict[str, Any]] | None = None,
            status: int = 200, svg_url: str | None = None, version: int | None = None) -> Any:
    problems = problems or []
    by_step: dict[int, dict[str, str]] = {}
    general = []
    for p in problems:
        if p.get("step") is None:
            general.append(p)
        else:
            by_step.setdefault(p["step"], {})[p.get("field") or "row"] = p["message"]
    return render_template("designer/table.html", table=table, key=key, problems=problems, general=general,
                           by_step=by_step, svg_url=svg_url, version=version, nav="designer",
                           **_choices()), status


@bp.get("/<key>/table")
@designer_required
def table_page(key: str) -> Any:
    v = versions.get_version(database(), me(), key)  # NotFound: the error page (404)
    table = tables.to_table(v["bpmn_xml"].encode("utf-8"))
    return _render(table, key, svg_url=url_for("designer.version_svg", key=key, version=v["version"]),
                   version=v["version"])


@bp.get("/new/table")
@designer_required
def new_table_page() -> Any:
    """A new process; `?from=<key>` starts from that process's steps (a process as a template)."""
    table = tables.new_table()
    source = request.args.get("from")
    if source and versions.key_in_use(database(), me(), source):
        copied = tables.to_table(versions.get_version(database(), me(), source)["bpmn_xml"].encode("utf-8"))
        if copied["editable"]:
            table = {**copied, "process": {**copied["process"], "key": "", "name": ""}}
    return _render(table, None)


@bp.post("/<key>/table")
@designer_required
def table_submit(key: str) -> Any:
    if not versions.key_in_use(database(), me(), key):
        abort(404)
    return _submit(key)


@bp.post("/new/table")
@designer_required
def new_table_submit() -> Any:
    return _submit(None)


def _submit(key: str | None) -> Any:
    latest: dict[str, Any] = {}
    current: dict[str, Any] = {}
    if key is not None:
        latest = versions.get_version(database(), me(), key)
        current = tables.to_table(latest["bpmn_xml"].encode("utf-8"))
        if not current["editable"]:  # the page offered no table: do not overwrite a diagram with one
            return _render(current, key, status=409, version=latest["version"],
                           svg_url=url_for("designer.version_svg", key=key, version=latest["version"]))
    table = table_from_form(request.form, key)
    action = request.form.get("action") or "deploy"
    problems = [{**p.as_dict(), "message": gettext(p.template, **dict(p.params))}
                for p in tables.check_table(table, sandbox.check_expression)]
    new_key = table["process"]["key"]
    if key is None and not problems and versions.key_in_use(database(), me(), new_key):
        problems.append({"step": None, "field": "key",
                         "message": gettext("The key '%(key)s' is already used by another process.", key=new_key)})
    if problems:
        return _render(table, key, problems, 422)
    if key is not None:  # the diagram changed in place: what the table does not show stays as it was
        try:
            xml = table_edit.apply_table(latest["bpmn_xml"].encode("utf-8"), current, table)
        except table_edit.EditRefused as e:
            return _render(table, key, [{"step": None, "field": "deploy",
                                         "message": gettext(e.template, **e.params)}], 409,
                           version=latest["version"],
                           svg_url=url_for("designer.version_svg", key=key, version=latest["version"]))
    else:
        xml = tables.from_table(table)
    user = current_user() or {}
    if action == "diagram":
        from engine.design import drafts

        try:
            drafts.save_draft(database(), user["id"], new_key, xml.decode("utf-8"))
        except DomainError as e:  # shown on the table page, with the status of the error map
            return _render(table, key, [{"step": None, "field": "draft", "message": e.message}], status_of(e))
        return redirect(url_for("designer.edit", key=new_key))
    try:
        d, created = catalog.deploy_definition(database(), user["id"], xml)
    except DomainError as e:  # shown on the table page, with the status of the error map
        return _render(table, key, _deploy_problems(table, e), status_of(e))
    if created:
        flash(gettext("Deployed %(name)s as version %(version)s.", name=d["name"], version=d["version"]), "success")
    else:
        flash(gettext("Nothing changed: version %(version)s is still the latest.", version=d["version"]), "info")
    return redirect(url_for("designer.versions_page", key=d["key"]))



def _deploy_problems(table: dict[str, Any], e: DomainError) -> list[dict[str, Any]]:
    """A refused deploy as problems of the table: each at its step where it has one."""
    if not isinstance(e, DefinitionInvalid):
        return [{"step": None, "field": "deploy", "message": translate_error(e) or e.message}]
    found = []
    for p in e.problems:
        step = tables.step_of_element(table, p.element_id)
        text = problem_message(p.message, p.rule)
        found.append({"step": step, "field": "row" if step is not None else "deploy",
                      "message": text if step is not None or not p.element_id else f"{p.element_id}: {text}"})
    return found
