"""The task page (/tasks/<id>).

One read, `engine.task_page.task_page` (one transaction): the task (form schema, field
permissions, data without the node's hidden fields, vote status, returnable nodes), its context
(initiator, history), the picker options, the CRM record cards, the people to pick and the vote in
numbers. This module only puts it into words and renders it; the actions are worklist/task_actions.py.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import render_template, url_for

from engine import tasks
from engine.task_page import task_page as read_page
from web.users import current_user, database, login_required
from worklist import bp

ACTIONS = ("approve", "reject", "return", "transfer", "add-signer", "delegate", "remove-signer", "claim", "unclaim")


def _uid() -> int:
    return int(current_user()["id"])  # type: ignore[index]


def _overdue(task: dict[str, Any]) -> bool:
    return bool(task["actions"] and task["due_at"] and datetime.fromisoformat(task["due_at"]) < datetime.now(tz=UTC))


def _shown(figure: dict[str, Any]) -> dict[str, Any]:
    """A key figure as the page shows it: money as ¥1,280.50, days as 2.0."""
    value = Decimal(str(figure["value"]))
    if figure["key"] in ("total", "amount", "fees"):
        return {**figure, "text": f"¥{value:,.2f}"}
    return {**figure, "text": f"{value:,.1f}" if value == value.to_integral_value() else f"{value:,}"}


def read_task(task_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task and its context (for the actions); Forbidden / NotFound become the error page."""
    uid = _uid()
    return tasks.get_task(database(), uid, task_id), tasks.task_context(database(), uid, task_id)


def render_task(task_id: int, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                status: int = 200) -> Any:
    submitted = values.get("data") if values and isinstance(values.get("data"), dict) else None
    page = read_page(database(), _uid(), task_id, submitted)
    task, ctx, schema, editable = page["task"], page["context"], page["schema"], page["editable"]
    me = current_user()["username"]  # type: ignore[index]
    assignees = {a["username"] for a in ctx["node"]["assignees"]}
    vote = {**page["vote"], "percent": f"{page['vote']['threshold']:.0%}" if page["vote"]["threshold"] is not None
            else ""}
    script = {
        "id": task["id"], "open": bool(task["actions"]), "actions": task["actions"], "schema": schema,
        "data": {**page["data"], **page["options"]}, "editable": editable, "locale": None,
        "signature_required": bool(task.get("signature_required")),
        "urls": {a: url_for("worklist.task_action", task_id=task_id, action=a) for a in ACTIONS},
    }
    by = (task.get("returned") or {}).get("by")
    returned_by = next((e["actor"]["display_name"] for e in ctx["history"]
                        if e["actor"] and e["actor"]["username"] == by), by)
    return render_template(
        "task.html", task=task, ctx=ctx, returned_by=returned_by, schema=schema, editable=editable,
        page_json=json.dumps(script, ensure_ascii=False).replace("</", "<\\/"),
        records=page["records"], opinions=page["opinions"], figures=[_shown(f) for f in page["figures"]],
        users=[o for o in page["people"] if o["value"] != me],
        signers=[o for o in page["people"] if o["value"] not in assignees | {me}]
        if "add_signer" in task["actions"] else [],
        not_signers=sorted(assignees | {me}),
        delegates=[o for o in page["people"] if o["value"] not in assignees | {me}]
        if "delegate" in task["actions"] else [],
        vote=vote, overdue=_overdue(task), errors=errors or {}, values=values or {},
        instance_url=f"/instances/{task['instance_id']}",
    ), status


@bp.get("/tasks/<int:task_id>")
@login_required
def task_page(task_id: int) -> Any:
    return render_task(task_id)
