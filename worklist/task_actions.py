"""The actions an approver takes on a task (/tasks/<id>/<action>) and bulk approval from the inbox.

Actions post as a plain form (redirect with a flash, or the page again with the errors at the
fields) or as JSON from the page's script (LZ.api: 200 with where to go, 422 with per-field
messages, 409 when the task was decided meanwhile). Each calls one engine use case. Refusals are
sorted by the status of the one error map (web/errors.py); field messages are translated by code.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from core.errors import Conflict, DomainError, ValidationFailed
from crm import pickers
from engine import task_ops, tasks
from forms.components import components
from web import json_body
from web.errors import FORM_REFUSED, page_json, status_of
from web.messages import translate_fields
from web.users import current_user, database, login_required
from worklist import bp
from worklist.inbox import safe_inbox_url
from worklist.task import ACTIONS, read_task, render_task

BULK_MAX = 100
GONE = (404, 409)  # the task was decided, handled or removed meanwhile


def _uid() -> int:
    return int(current_user()["id"])  # type: ignore[index]


def _body() -> dict[str, Any]:
    """The action's input: JSON from the page's script, or a plain form post."""
    if request.is_json:  # a body that is not a JSON object we accept is refused, never read as {}
        return json_body.page_object(request.get_data(cache=True))
    raw = request.form.get("data") or ""
    try:
        data = json_body.loads(raw) if raw.strip() else None
    except json_body.BadJson:
        data = "invalid"
    return {"comment": request.form.get("comment"), "data": data, "to_node": request.form.get("to_node"),
            "to_user": request.form.get("to_user"), "users": request.form.getlist("users"),
            "position": request.form.get("position") or None, "delegate_to": request.form.get("delegate_to"),
            "remove_users": request.form.getlist("remove_users"), "signature": request.form.get("signature") or None}


# the page's own input for a field the use case names (delegate and transfer both take `to_user`)
FIELD_OF = {"delegate": {"to_user": "delegate_to"}, "remove-signer": {"users": "remove_users"}}


def _perform(action: str, task_id: int, body: dict[str, Any]) -> dict[str, Any]:
    db, uid = database(), _uid()
    if action == "approve":
        data = body.get("data")
        if data == "invalid":
            raise ValidationFailed("the form data could not be read", {"data": "not valid JSON"})
        return tasks.approve(db, uid, task_id, body.get("comment"), data or None, body.get("signature"))
    if action == "reject":
        return tasks.reject(db, uid, task_id, body.get("comment"), body.get("signature"))
    if action == "return":
        return tasks.return_task(db, uid, task_id, body.get("to_node") or None, body.get("comment"))
    if action == "transfer":
        return tasks.transfer(db, uid, task_id, body.get("to_user") or None, body.get("comment"))
    if action in ("delegate", "remove-signer", "claim", "unclaim"):
        return _perform_op(action, task_id, body)
    return tasks.add_signer(db, uid, task_id, body.get("users") or None, body.get("comment"), body.get("position"))


def _perform_op(action: str, task_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """委派, 减签, 认领, 取消认领 (engine/task_ops.py); a plain form names their inputs its own way."""
    db, uid = database(), _uid()
    if action == "delegate":
        return task_ops.delegate(db, uid, task_id, body.get("to_user") or body.get("delegate_to") or None,
                                 body.get("comment"))
    if action == "remove-signer":
        return task_ops.remove_signer(db, uid, task_id, body.get("users") or body.get("remove_users") or None,
                                      body.get("comment"))
    if action == "claim":
        return task_ops.claim(db, uid, task_id)
    return task_ops.unclaim(db, uid, task_id, body.get("comment"))


def _done_message(action: str, task: dict[str, Any], ctx: dict[str, Any], result: dict[str, Any],
                  body: dict[str, Any]) -> str:
    what = task["title"] or task["business_key"]
    if action == "approve":
        return _("Approved: %(what)s", what=what) if task["kind"] == "approval" else _("Done: %(what)s", what=what)
    if action == "reject":
        return _("Rejected: %(what)s", what=what)
    if action == "return":
        node = ctx["node_names"].get(result.get("to_node"), result.get("to_node"))
        return _("Returned to %(node)s: %(what)s", node=node, what=what)
    if action == "transfer":
        return _("Transferred to %(user)s: %(what)s", user=_person(body.get("to_user")), what=what)
    if action == "delegate":
        return _("Delegated to %(user)s: %(what)s", user=_person(body.get("to_user") or body.get("delegate_to")),
                 what=what)
    if action == "remove-signer":
        return _("Signers removed: %(users)s", users=", ".join(
            _person(u) for u in body.get("users") or body.get("remove_users") or []))
    if action == "claim":
        return _("Claimed: %(what)s", what=what)
    if action == "unclaim":
        return _("Given back to everyone it was offered to: %(what)s", what=what)
    return _("Signers added: %(users)s", users=", ".join(_person(u) for u in body.get("users") or []))


def _person(username: Any) -> str:
    """"Display name (username)" of an active user, for messages."""
    if not isinstance(username, str):
        return str(username)
    match = [o for o in pickers.search(database(), _uid(), "users", username) if o["value"] == username]
    return f"{match[0]['label']} ({username})" if match else username


@bp.post("/tasks/<int:task_id>/<action>")
@login_required
def task_action(task_id: int, action: str) -> Any:
    if action not in ACTIONS:
        abort(404)
    wants_json = request.is_json
    task, ctx = read_task(task_id)  # 403 / 404 before anything else
    body: dict[str, Any] = {}
    try:
        body = _body()
        result = _perform(action, task_id, body)
    except DomainError as e:
        return _refused(e, task_id, body, wants_json, FIELD_OF.get(action, {}))
    flash(_done_message(action, task, ctx, result, body), "success")
    # a claimed task is now the caller's to decide: back to it; everything else leaves it
    target = url_for("worklist.task_page", task_id=task_id) if action == "claim" else url_for("worklist.inbox")
    if wants_json:
        return jsonify({"ok": True, "result": result, "redirect": target})
    return redirect(target)


def _refused(e: DomainError, task_id: int, body: dict[str, Any], wants_json: bool,
             field_of: dict[str, str] | None = None) -> Any:
    """A refused action: fields to correct (422), or the task decided meanwhile (409); any other
    error is the error page of the map."""
    status = status_of(e)
    if status == FORM_REFUSED:
        if wants_json:
            return page_json(e)
        flash(_("Nothing was changed: please correct the marked fields."), "error")
        errors = {(field_of or {}).get(k, k): v for k, v in translate_fields(e.fields).items()}
        return render_task(task_id, errors=errors, values=body, status=FORM_REFUSED)
    if status in GONE:
        message = _("This task has already been decided or handled meanwhile; nothing was changed.")
        if wants_json:
            return jsonify({"error": {"code": e.code, "message": message, "detail": e.message, "fields": {},
                                      "redirect": url_for("worklist.task_page", task_id=task_id)}}), 409
        flash(message, "error")
        return redirect(url_for("worklist.task_page", task_id=task_id))
    raise e


# ---------------------------------------------------------------- bulk approval from the inbox


def _needs_input(task: dict[str, Any]) -> list[str]:
    """Labels of the required fields this node's assignee must fill in that are still empty."""
    form = task["form"]
    missing = []
    for c in components(form.get("schema")):
        key = c.get("key")
        if key in form["editable"] and (c.get("validate") or {}).get("required") \
                and task["data"].get(key) in (None, "", []):
            missing.append(str(c.get("label") or key))
    return missing


@bp.post("/tasks/bulk-approve")
@login_required
def bulk_approve() -> Any:
    """Approve several todo tasks with one comment; each on its own (one failing leaves the others)."""
    uid = _uid()
    raw_ids = request.form.getlist("task")
    next_url = safe_inbox_url(request.form.get("next"))
    ids = list(dict.fromkeys(int(i) for i in raw_ids if i.isdigit()))[:BULK_MAX]
    if not ids:
        flash(_("Select the tasks to approve first."), "error")
        return redirect(next_url)
    comment = request.form.get("comment") or None
    approved, failed = [], []
    for task_id in ids:
        label = f"#{task_id}"
        try:
            task = tasks.get_task(database(), uid, task_id)
            label = task["title"] or task["business_key"]
            if task["business_key"] and task["title"]:
                label = f"{task['title']} ({task['business_key']})"
            if "approve" not in task["actions"]:
                raise Conflict("no longer open")
            missing = _needs_input(task)
            if missing:
                failed.append(_("%(what)s: needs input on its task page (%(fields)s)", what=label,
                                fields=", ".join(missing)))
                continue
            tasks.approve(database(), uid, task_id, comment, None)
            approved.append(label)
        except DomainError as e:
            failed.append(_not_approved(e, label))
    if approved:
        flash(_("Approved %(n)s task(s): %(list)s", n=len(approved), list="; ".join(approved)), "success")
    for message in failed:
        flash(_("Not approved — %(why)s", why=message), "error")
    return redirect(next_url)


def _not_approved(e: DomainError, label: str) -> str:
    """Why one task of a bulk approval was left (by the status of the error map)."""
    status = status_of(e)
    if status in GONE:
        return _("%(what)s: already decided or handled meanwhile", what=label)
    if status == 403:
        return _("%(what)s: not your task", what=label)
    if status == FORM_REFUSED:
        reasons = "; ".join(f"{k}: {v}" for k, v in translate_fields(e.fields).items()) or e.message
        return _("%(what)s: %(reason)s", what=label, reason=reasons)
    raise e
