"""The task page (/tasks/<id>).

The page reads `engine.tasks.get_task` (form schema, field permissions, data without the node's
hidden fields, vote status, returnable nodes) and `task_context` (initiator, history); the record
cards and picker options are worklist/task_records.py, the actions worklist/task_actions.py.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from flask import render_template, url_for

from crm import pickers
from engine import tasks
from forms import validate as form_validation
from web.users import current_user, database, login_required
from worklist import bp
from worklist.task_records import components, picker_options, related_records

ACTIONS = ("approve", "reject", "return", "transfer", "add-signer")


def _uid() -> int:
    return int(current_user()["id"])  # type: ignore[index]


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


def read_task(task_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task and its context; Forbidden / NotFound become the error page (web/errors.py)."""
    uid = _uid()
    return tasks.get_task(database(), uid, task_id), tasks.task_context(database(), uid, task_id)


def render_task(task_id: int, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                status: int = 200) -> Any:
    uid = _uid()
    task, ctx = read_task(task_id)
    form = task["form"]
    schema = form_validation.redact_schema(form["schema"] or ctx["start_form"], form["hidden"])
    data = dict(task["data"])
    if values and isinstance(values.get("data"), dict):
        data.update(values["data"])
    editable = [c["key"] for c in components(schema) if c.get("key") in form["editable"]] \
        if task["actions"] and form["schema"] else []
    options = picker_options(uid, schema, data, editable) if schema else {}
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
