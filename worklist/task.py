"""The task page (/tasks/<id>) and the actions an approver takes from it or from the inbox.

The page reads `engine.tasks.get_task` (form schema, field permissions, data without the node's
hidden fields, vote status, returnable nodes) and `task_context` (initiator, history). Actions
post to /tasks/<id>/<action>: as a plain form post (redirect with a flash, or the page again with
the errors at the fields) or as JSON from the page's script (LZ.api: 200 with where to go, 422
with per-field messages, 409 when the task was decided meanwhile). Each calls one engine use case.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from crm import pickers, records
from engine import tasks
from forms import validate as form_validation
from worklist import bp
from worklist.inbox import safe_inbox_url
from worklist.web import current_user, database, login_required

ACTIONS = ("approve", "reject", "return", "transfer", "add-signer")
BULK_MAX = 100

# process-data keys that name a CRM record, and the record kind
RECORD_REFS = (("contract_id", "contract"), ("agent_id", "agent"), ("customer_id", "customer"),
               ("customer", "customer"))
# records that point back at their instance
INSTANCE_RECORDS = ("ticket", "expense_claim", "settlement")
# the main fields of each record kind, in the order the card shows them
CARD_FIELDS = {
    "customer": ("code", "name", "level", "industry", "region", "phone", "owner", "vip"),
    "contract": ("number", "title", "customer_name", "amount", "status", "start_date", "end_date", "owner"),
    "agent": ("code", "name", "region", "contact_name", "phone"),
    "ticket": ("complainant", "category", "status", "handler", "satisfaction", "content"),
    "expense_claim": ("title", "claimant", "total", "status"),
    "settlement": ("agent_name", "period", "fees", "ratio", "amount", "status", "settlement_method"),
}


MONEY = ("amount", "total", "fees")
PEOPLE = ("owner", "handler", "claimant")


def _uid() -> int:
    return int(current_user()["id"])  # type: ignore[index]


# ---------------------------------------------------------------- reading


def _components(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items or []:
            out.append(c)
            walk(c.get("components", []))

    walk((schema or {}).get("components", []))
    return out


def _label(kind: str, record: dict[str, Any]) -> str:
    main = record.get("title") or record.get("name") or record.get("complainant") or record.get("period") or ""
    number = record.get("number") or record.get("code")
    return f"{main} ({number})" if number and main else str(main or number or f"#{record['id']}")


def related_records(uid: int, data: dict[str, Any], instance_id: int, hidden: list[str]) -> list[dict[str, Any]]:
    """The CRM records the instance is about, as far as this user may see them."""
    db = database()
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()

    def add(kind: str, record: dict[str, Any]) -> None:
        if (kind, record["id"]) in seen:
            return
        seen.add((kind, record["id"]))
        if kind == "contract" and record.get("customer"):
            record["customer_name"] = _lookup_label(uid, "customer", record["customer"])
        if kind == "settlement" and record.get("agent"):
            record["agent_name"] = _lookup_label(uid, "agent", record["agent"])
        fields = [(name, _shown(name, record.get(name))) for name in CARD_FIELDS[kind]
                  if name not in hidden and record.get(name) not in (None, "")]
        found.append({"kind": kind, "id": record["id"], "label": _label(kind, record), "fields": fields})

    for key, kind in RECORD_REFS:
        value = data.get(key)
        if key in hidden or not isinstance(value, int) or isinstance(value, bool):
            continue
        try:
            add(kind, records.get(db, uid, kind, value))
        except DomainError:
            # not this user's to see in the CRM: what the process recorded of it (in the process
            # data this approver sees anyway), e.g. the contract as it was submitted for review
            snapshot = _snapshot(data, kind, value)
            if snapshot is not None:
                add(kind, snapshot)
                found[-1]["snapshot"] = True
    for kind in INSTANCE_RECORDS:
        try:
            rows, _total = records.list_records(db, uid, kind, {"instance_id": str(instance_id)}, 0, 3)
        except DomainError:
            continue
        for row in rows:
            add(kind, row)
    return found


def _shown(name: str, value: Any) -> Any:
    """Money with thousands separators; people by their name rather than their user name."""
    if name in MONEY:
        try:
            return f"{Decimal(str(value)):,.2f}"
        except (InvalidOperation, ValueError):
            return value
    if name in PEOPLE and isinstance(value, str):
        match = [o for o in pickers.search(database(), _uid(), "users", value) if o["value"] == value]
        return match[0]["label"] if match else value
    return value


def _snapshot(data: dict[str, Any], kind: str, record_id: int) -> dict[str, Any] | None:
    """A record as a service task of this instance returned it (`<node>.result` with `<kind>_id`)."""
    for value in data.values():
        result = value.get("result") if isinstance(value, dict) else None
        if isinstance(result, dict) and result.get(f"{kind}_id") == record_id:
            return {**result, "id": record_id}
    return None


def _lookup_label(uid: int, kind: str, record_id: Any, data: dict[str, Any] | None = None) -> str:
    try:
        return _label(kind, records.get(database(), uid, kind, int(record_id)))
    except (DomainError, TypeError, ValueError):
        snapshot = _snapshot(data or {}, kind, record_id) if isinstance(record_id, int) else None
        return _label(kind, snapshot) if snapshot else f"#{record_id}"


def _picker_options(uid: int, schema: dict[str, Any] | None, data: dict[str, Any], editable: list[str]
                    ) -> dict[str, list[dict[str, Any]]]:
    """Options of the form's CRM pickers (valuesKey): what the user may pick where the field is
    editable, and at least the current value (with its name) where it is shown read-only."""
    out: dict[str, list[dict[str, Any]]] = {}
    kinds = {"customers": "customer", "contracts": "contract", "agents": "agent"}
    for c in _components(schema):
        values_key, key = c.get("valuesKey"), c.get("key")
        if not values_key or not key:
            continue
        try:
            options = pickers.search(database(), uid, values_key) if key in editable else []
        except DomainError:
            options = []
        current = data.get(key)
        if current not in (None, "") and all(o["value"] != current for o in options):
            label = _lookup_label(uid, kinds[values_key], current, data) if values_key in kinds else str(current)
            options = [{"value": current, "label": label}, *options]
        out[values_key] = [*out.get(values_key, []), *options]
    return out


def _users_to_pick(uid: int, exclude: set[str]) -> list[dict[str, Any]]:
    return [o for o in pickers.search(database(), uid, "users") if o["value"] not in exclude]


def vote_summary(task: dict[str, Any]) -> dict[str, Any]:
    """The node's rule and progress in numbers the page puts into words."""
    vote = task["vote"]
    n = len(vote["assignees"]) or 1
    approved = sum(1 for b in vote["ballots"] if b["status"] in ("approved", "done"))
    rejected = sum(1 for b in vote["ballots"] if b["status"] == "rejected")
    mode = vote["mode"]
    need = {"any": 1, "all": n, "sequential": n, "majority": n // 2 + 1}.get(mode, n)
    if mode == "ratio" and vote["threshold"]:
        t = Fraction(vote["threshold"])
        need = -(-t.numerator * n // t.denominator)
    # who has not decided yet: open tasks, and (sequential) those whose turn has not come
    rows = {b["user"] for b in vote["ballots"]}
    return {"mode": mode, "n": n, "need": need, "approved": approved, "rejected": rejected,
            "percent": f"{float(Fraction(vote['threshold'])):.0%}" if vote["threshold"] else "",
            "later": [u for u in vote["assignees"] if u not in rows]}


def _overdue(task: dict[str, Any]) -> bool:
    return bool(task["actions"] and task["due_at"] and datetime.fromisoformat(task["due_at"]) < datetime.now(tz=UTC))


def _read(task_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    uid = _uid()
    try:
        return tasks.get_task(database(), uid, task_id), tasks.task_context(database(), uid, task_id)
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)


def render_task(task_id: int, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                status: int = 200) -> Any:
    uid = _uid()
    task, ctx = _read(task_id)
    form = task["form"]
    schema = form_validation.redact_schema(form["schema"] or ctx["start_form"], form["hidden"])
    data = dict(task["data"])
    if values and isinstance(values.get("data"), dict):
        data.update(values["data"])
    editable = [c["key"] for c in _components(schema) if c.get("key") in form["editable"]] \
        if task["actions"] and form["schema"] else []
    options = _picker_options(uid, schema, data, editable) if schema else {}
    me = current_user()["username"]  # type: ignore[index]
    assignees = {a["username"] for a in ctx["node"]["assignees"]}
    page = {
        "id": task["id"], "open": bool(task["actions"]), "actions": task["actions"], "schema": schema,
        "data": {**data, **options}, "editable": editable, "locale": None,
        "urls": {a: url_for("worklist.task_action", task_id=task_id, action=a) for a in ACTIONS},
    }
    return render_template(
        "task.html", task=task, ctx=ctx, schema=schema, editable=editable,
        page_json=json.dumps(page, ensure_ascii=False).replace("</", "<\\/"),
        records=related_records(uid, task["data"], task["instance_id"], form["hidden"]),
        users=_users_to_pick(uid, {me}) if task["actions"] else [],
        signers=_users_to_pick(uid, assignees | {me}) if "add_signer" in task["actions"] else [],
        not_signers=sorted(assignees | {me}),
        vote=vote_summary(task), overdue=_overdue(task), errors=errors or {}, values=values or {},
        instance_url=f"/instances/{task['instance_id']}",
    ), status


@bp.get("/tasks/<int:task_id>")
@login_required
def task_page(task_id: int) -> Any:
    return render_task(task_id)


# ---------------------------------------------------------------- acting


def _body() -> dict[str, Any]:
    """The action's input: JSON from the page's script, or a plain form post."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    raw = request.form.get("data") or ""
    try:
        data = json.loads(raw) if raw.strip() else None
    except ValueError:
        data = "invalid"
    return {"comment": request.form.get("comment"), "data": data, "to_node": request.form.get("to_node"),
            "to_user": request.form.get("to_user"), "users": request.form.getlist("users")}


def _perform(action: str, task_id: int, body: dict[str, Any]) -> dict[str, Any]:
    db, uid = database(), _uid()
    if action == "approve":
        data = body.get("data")
        if data == "invalid":
            raise ValidationFailed("the form data could not be read", {"data": "not valid JSON"})
        return tasks.approve(db, uid, task_id, body.get("comment"), data or None)
    if action == "reject":
        return tasks.reject(db, uid, task_id, body.get("comment"))
    if action == "return":
        return tasks.return_task(db, uid, task_id, body.get("to_node") or None, body.get("comment"))
    if action == "transfer":
        return tasks.transfer(db, uid, task_id, body.get("to_user") or None, body.get("comment"))
    return tasks.add_signer(db, uid, task_id, body.get("users") or None, body.get("comment"))


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
    return _("Signers added: %(users)s", users=", ".join(_person(u) for u in body.get("users") or []))


def _person(username: Any) -> str:
    """"Display name (username)" of an active user, for messages."""
    if not isinstance(username, str):
        return str(username)
    match = [o for o in pickers.search(database(), _uid(), "users", username) if o["value"] == username]
    return f"{match[0]['label']} ({username})" if match else username


def _friendly(fields: dict[str, str]) -> dict[str, str]:
    """Engine field messages in the user's language where we know them."""
    known = {"required": _("Required."), "must be a string": _("Must be text.")}
    out = {}
    for key, message in fields.items():
        if key == "comment" and message == "required":
            out[key] = _("A comment is required: say why.")
        elif key == "to_node" and message == "required":
            out[key] = _("Choose the step to return to.")
        elif key == "to_user" and message == "required":
            out[key] = _("Choose the person to hand this task to.")
        elif key == "users" and message.startswith("a list of"):
            out[key] = _("Choose at least one person.")
        else:
            out[key] = known.get(message, message)
    return out


@bp.post("/tasks/<int:task_id>/<action>")
@login_required
def task_action(task_id: int, action: str) -> Any:
    if action not in ACTIONS:
        abort(404)
    wants_json = request.is_json
    body = _body()
    task, ctx = _read(task_id)  # 403 / 404 before anything else
    try:
        result = _perform(action, task_id, body)
    except ValidationFailed as e:
        fields = _friendly(e.fields)
        if wants_json:
            return jsonify({"error": {"code": e.code, "message": e.message, "fields": fields}}), 422
        flash(_("Nothing was changed: please correct the marked fields."), "error")
        return render_task(task_id, errors=fields, values=body, status=422)
    except Forbidden:
        abort(403)
    except (Conflict, NotFound) as e:
        message = _("This task has already been decided or handled meanwhile; nothing was changed.")
        if wants_json:
            return jsonify({"error": {"code": e.code, "message": message, "detail": e.message, "fields": {},
                                      "redirect": url_for("worklist.task_page", task_id=task_id)}}), 409
        flash(message, "error")
        return redirect(url_for("worklist.task_page", task_id=task_id))
    flash(_done_message(action, task, ctx, result, body), "success")
    target = url_for("worklist.inbox")
    if wants_json:
        return jsonify({"ok": True, "result": result, "redirect": target})
    return redirect(target)


# ---------------------------------------------------------------- bulk approval from the inbox


def _needs_input(task: dict[str, Any]) -> list[str]:
    """Labels of the required fields this node's assignee must fill in that are still empty."""
    form = task["form"]
    missing = []
    for c in _components(form.get("schema")):
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
        except (Conflict, NotFound):
            failed.append(_("%(what)s: already decided or handled meanwhile", what=label))
        except Forbidden:
            failed.append(_("%(what)s: not your task", what=label))
        except ValidationFailed as e:
            reasons = "; ".join(f"{k}: {v}" for k, v in e.fields.items()) or e.message
            failed.append(_("%(what)s: %(reason)s", what=label, reason=reasons))
    if approved:
        flash(_("Approved %(n)s task(s): %(list)s", n=len(approved), list="; ".join(approved)), "success")
    for message in failed:
        flash(_("Not approved — %(why)s", why=message), "error")
    return redirect(next_url)
