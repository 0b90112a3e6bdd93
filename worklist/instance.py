"""The instance page (/instances/<id>): status, the diagram with its progress, the open tasks and
their assignees, the data (as the viewer may see it), the timeline of every action; withdraw
(撤回) and urge (催办) for the initiator."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from bpmn.layout import ensure_layout
from core.errors import Conflict, TooManyRequests, ValidationFailed
from crm import pickers
from engine import collab, instances
from engine import inbox as engine_inbox
from engine.instance_page import instance_page
from web.messages import translate_error, translate_fields
from web.users import current_user, database, login_required
from worklist import bp
from worklist.chain_view import chain_steps
from worklist.start import drop_empty_sections, localized_name

ACTIONS = {
    "start": lazy_gettext("submitted the request"), "approve": lazy_gettext("approved"),
    "reject": lazy_gettext("rejected"), "complete": lazy_gettext("completed the step"),
    "return": lazy_gettext("returned it to an earlier step"), "transfer": lazy_gettext("transferred the task"),
    "reassign": lazy_gettext("reassigned the task"),
    "handover": lazy_gettext("handed the task over to the successor of a deactivated user"),
    "add_signer": lazy_gettext("added signers"), "withdraw": lazy_gettext("withdrew the request"),
    "urge": lazy_gettext("urged the approvers"), "enter": lazy_gettext("Waiting for"),
    "cc": lazy_gettext("was copied"), "auto_approve": lazy_gettext("approved automatically"),
    "decide": lazy_gettext("Step decided"), "completed": lazy_gettext("The process ended"),
    "withdrawn": lazy_gettext("The process was withdrawn"), "warning": lazy_gettext("Warning"),
    "engine_error": lazy_gettext("The process could not continue"), "remind": lazy_gettext("Reminder sent"),
    "escalate": lazy_gettext("Escalated"), "deadline_remind": lazy_gettext("Deadline passed: reminder sent"),
    "deadline_approve": lazy_gettext("Deadline passed: approved automatically"),
    "deadline_reject": lazy_gettext("Deadline passed: rejected automatically"),
    "deadline_escalate": lazy_gettext("Deadline passed: escalated"),
    "undo": lazy_gettext("undid a change to a record"),
    "terminate": lazy_gettext("terminated the process"), "cancelled": lazy_gettext("The process was terminated"),
    "suspend": lazy_gettext("suspended the process"), "activate": lazy_gettext("activated the process"),
    "jump": lazy_gettext("moved the process to another step"),
    "migrate": lazy_gettext("moved the process to another version"),
    "comment": lazy_gettext("commented"), "take_back": lazy_gettext("took the step back"),
    "resubmit": lazy_gettext("corrected the request and submitted it again"),
    "attach": lazy_gettext("attached files"),
}
OUTCOMES: dict[str, Any] = {"approved": lazy_gettext("approved"), "rejected": lazy_gettext("rejected"),
            "completed": lazy_gettext("done"), "withdrawn": lazy_gettext("withdrawn"),
            "terminated": lazy_gettext("terminated")}
# Engine bookkeeping a reader does not need: the service calls and timer rows stay in the audit trail.
QUIET = {"call"}


def _timeline(view: dict[str, Any], prog: dict[str, Any]) -> list[dict[str, Any]]:
    people, names = prog["people"], prog["names"]
    out: list[dict[str, Any]] = []
    last: dict[str, Any] = {}
    for e in view["history"]:
        if e["action"] in QUIET:
            continue
        if e["action"] == "decide" and last.get("node_id") == e.get("node_id") and \
                last.get("action") in ("approve", "reject", "complete", "auto_approve"):
            continue  # the decision just shown already says it
        last = e
        detail = e.get("detail") or {}
        out.append({
            "at": e["at"], "action": e["action"], "label": ACTIONS.get(e["action"], e["action"]),
            "actor": people.get(e["actor"], e["actor"]) if e.get("actor") else None,
            "node": names.get(e["node_id"], e["node_id"]) if e.get("node_id") and e["action"] != "completed" else None,
            "comment": e.get("comment"), "extra": _extra(e, detail, people, names),
            "signature": detail.get("signature"),
        })
    return out


def _outcome(detail: dict[str, Any]) -> str:
    outcome = str(detail.get("outcome") or "")
    return str(OUTCOMES.get(outcome, outcome))


def _extra(e: dict[str, Any], detail: dict[str, Any], people: dict[str, str], names: dict[str, str]) -> str:
    """What a history line adds after its label: who a step went to, the outcome, the new version..."""
    action = e["action"]
    if action == "enter":
        return "、".join(people.get(u, u) for u in detail.get("assignees") or [])
    if action == "decide":
        return _outcome(detail)
    if action in ("transfer", "reassign", "handover"):
        to = detail.get("to_user")
        return people.get(to, to) if isinstance(to, str) else ""
    if action == "migrate":
        return f"v{detail.get('from_version')} → v{detail.get('to_version')}"
    if action in ("comment", "urge", "return"):
        return _collab_extra(action, detail, people, names)
    if action == "add_signer":
        return "、".join(people.get(u, u) for u in detail.get("users") or [] if isinstance(u, str))
    if action == "completed":
        return names.get(e["node_id"], "") if e.get("node_id") else _outcome(detail) if detail.get("outcome") else ""
    return ""


def _collab_extra(action: str, detail: dict[str, Any], people: dict[str, str], names: dict[str, str]) -> str:
    """Who a comment mentioned, who an urge reminded, where a return went."""
    if action == "comment":
        return "、".join("@" + people.get(u, u) for u in detail.get("mentions") or [] if isinstance(u, str))
    if action == "urge":
        return "、".join(people.get(u, u) for u in detail.get("users") or [] if isinstance(u, str))
    to = str(detail.get("to_node") or "")
    return str(_("the initiator")) if to == "initiator" else names.get(to, to)


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id: int) -> Any:
    # one read (engine/instance_page.py); Forbidden / NotFound: the error page, before anything else
    page = instance_page(database(), current_user()["id"], instance_id)  # type: ignore[index]
    view, prog = page["view"], page["progress"]
    engine_inbox.read_copies(database(), current_user()["id"], instance_id)  # type: ignore[index]
    end_name = prog["names"].get(view.get("end_event") or "", "")
    people = prog["people"]
    open_tasks = [{**t, "assignee_name": people.get(t["assignee"], t["assignee"])} for t in view["open_tasks"]]
    by_node: dict[str, dict[str, Any]] = {}
    for t in open_tasks:
        node = by_node.setdefault(t["node_id"], {"name": t["node_name"], "people": []})
        node["people"].append({"name": t["assignee_name"], "read": bool(t.get("read_at"))})
    uid = current_user()["id"]  # type: ignore[index]
    mine = view["initiator"] == current_user()["username"]  # type: ignore[index]
    diagram = {"xml": drawable(prog["bpmn_xml"]), "completed": prog["completed"], "current": prog["current"],
               "taken": prog["taken"]}
    data_view = {"schema": as_record(prog["form"], view["data"]), "data": {**view["data"], **prog["options"]}}
    return render_template(
        "instance.html", nav="inbox", view=view, prog=prog,
        admin=page["admin"],
        end_name=end_name, process_label=localized_name({"name": prog["process_name"], "key": prog["process"],
                                                         "name_en": prog["name_en"]}),
        initiator_name=people.get(view["initiator"], view["initiator"]), open_nodes=list(by_node.values()),
        timeline=_timeline(view, prog), diagram=diagram,
        chain=chain_steps(page["chain"], prog["names"]), data_view=data_view,
        plain_data=_plain_data(view["data"]) if prog["form"] is None else [],
        can_take_back=page["can_take_back"],
        can_resubmit=mine and (view.get("outcome") in ("rejected", "withdrawn") or view["status"] == "withdrawn"),
        people_to_mention=[o for o in pickers.search(database(), uid, "users")
                           if o["value"] != current_user()["username"]],  # type: ignore[index]
    )


DISPLAY_ONLY = {"text", "html", "image", "spacer", "separator"}


def as_record(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any] | None:
    """The form as a read-only record: without the instructions above its first field (they are for
    filling it in) and without the top-level fields that hold no value."""
    if not schema:
        return schema
    components = list(schema.get("components") or [])
    while components and components[0].get("type") in DISPLAY_ONLY:
        components.pop(0)

    def empty(c: dict[str, Any]) -> bool:
        key = c.get("key")
        return (isinstance(key, str) and bool(key) and "." not in key and c.get("type") != "dynamiclist"
                and data.get(key) in (None, "", []))

    return drop_empty_sections({**schema, "components": [c for c in components if not empty(c)]})


@lru_cache(maxsize=64)
def drawable(xml: str) -> str:
    """The definition with diagram coordinates: a file deployed without BPMN DI (written by hand, like
    the shipped ones) is laid out automatically, so bpmn-js can draw it."""
    return ensure_layout(xml.encode()).decode()


def _plain_data(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Form-less processes: the top-level values as they are (node outcomes and votes left out)."""
    return [(k, v) for k, v in sorted(data.items()) if not isinstance(v, (dict, list))]


def _action(instance_id: int, run: Any, done: str) -> Any:
    comment = (request.form.get("comment") or "").strip() or None
    try:
        run(database(), current_user()["id"], instance_id, comment)  # type: ignore[index]
    except (Conflict, ValidationFailed) as e:  # refused: said on the instance page; the rest by the error map
        flash(translate_error(e) or _("Not possible: %(why)s", why=e.message), "error")
    else:
        flash(done, "success")
    return redirect(url_for("worklist.instance", instance_id=instance_id))


@bp.post("/instances/<int:instance_id>/withdraw")
@login_required
def withdraw(instance_id: int) -> Any:
    return _action(instance_id, instances.withdraw, _("The request was withdrawn."))


@bp.post("/instances/<int:instance_id>/urge")
@login_required
def urge(instance_id: int) -> Any:
    """催办: recorded in the history with who was urged, and each of them is sent a message (notify/)."""
    comment = (request.form.get("comment") or "").strip() or None
    try:
        done = collab.urge(database(), current_user()["id"], instance_id, comment)  # type: ignore[index]
    except (Conflict, ValidationFailed, TooManyRequests) as e:
        flash(translate_error(e) or _("Not possible: %(why)s", why=e.message), "error")
    else:
        names = "、".join(u["display_name"] for u in done["users"]) or _("nobody")
        if done["notified"]:
            flash(_("Reminder sent to %(people)s: a message in Liuzhuan, and by e-mail or group robot where they "
                    "chose so.", people=names), "success")
        else:
            flash(_("Reminder recorded for %(people)s (no notification is sent yet).", people=names), "success")
    return redirect(url_for("worklist.instance", instance_id=instance_id))


@bp.post("/instances/<int:instance_id>/take-back")
@login_required
def take_back(instance_id: int) -> Any:
    return _action(instance_id, collab.take_back, _("You took the step back: your task is open again."))


@bp.post("/instances/<int:instance_id>/comments")
@login_required
def comment(instance_id: int) -> Any:
    """沟通: a comment with the people it mentions (they may read the instance from now on)."""
    try:
        collab.comment(database(), current_user()["id"], instance_id,  # type: ignore[index]
                       request.form.get("text"), request.form.getlist("mentions") or None)
    except ValidationFailed as e:
        flash(_("The comment was not saved: %(why)s", why="; ".join(translate_fields(e.fields).values())), "error")
    else:
        flash(_("Comment added."), "success")
    back = request.form.get("back") or ""
    if back.startswith("/tasks/") and back[7:].isdigit():
        return redirect(back)
    return redirect(url_for("worklist.instance", instance_id=instance_id) + "#timeline")
