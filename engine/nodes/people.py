"""The people of an open approval node change (DESIGN.md §8): 认领 claim / unclaim, 委派 delegate,
减签 remove signers. Row operations on a loaded instance; the use cases that authorize, lock and
audit them are engine/task_ops.py. Transfer and add-signer are in engine/nodes/approval.py (the
deadline's escalation and the sequential order need them there).

Every status change goes through engine.lifecycle.transition.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from crm.models import User
from db.base import iso, utcnow
from engine import runtime
from engine.lifecycle import TaskStatus, transition
from engine.models import AuditEvent, HumanTask, NodeActivation
from engine.nodes import approval


def claim(ctx: runtime.Ctx, act: NodeActivation, t: HumanTask) -> list[int]:
    """认领: `t` becomes the node's only open task (the node is `claimed`: its assignee decides it
    alone, like `any`); the other candidates' open tasks are cancelled. Returns their user ids."""
    now = utcnow()
    others = [o for o in runtime.open_tasks(ctx.s, act.id) if o.id != t.id]
    for o in others:
        transition(o, TaskStatus.CANCELLED)
        o.acted_at = now
    act.mode = "claimed"
    ctx.s.flush()
    return [o.assignee_id for o in others]


def unclaim(ctx: runtime.Ctx, act: NodeActivation, t: HumanTask) -> list[HumanTask]:
    """取消认领: `t` is cancelled and every candidate (the node's assignees) gets an open task again."""
    transition(t, TaskStatus.CANCELLED)
    t.acted_at = utcnow()
    act.mode = "claim"
    ctx.s.flush()
    return [runtime.open_task(ctx, act, uid, t.due_at) for uid in act.assignee_ids]


def delegate(ctx: runtime.Ctx, t: HumanTask, to_user_id: int, comment: str | None) -> HumanTask:
    """委派: `t` waits (`delegated`, out of its assignee's 待办) while `to_user_id` has a task on the
    same node pointing back to it; their approve/reject resolves it (approval.resolve)."""
    transition(t, TaskStatus.DELEGATED)
    t.comment = comment
    act = ctx.s.get(NodeActivation, t.activation_id)
    assert act is not None
    new = runtime.open_task(ctx, act, to_user_id, t.due_at)
    new.delegated_from_id = t.id
    ctx.s.flush()
    return new


def holders(ctx: runtime.Ctx, act: NodeActivation) -> set[int]:
    """Everyone with a task of the node that is open or waits for a delegate, and those delegates."""
    return set(ctx.s.scalars(select(HumanTask.assignee_id).where(
        HumanTask.activation_id == act.id, HumanTask.status.in_((TaskStatus.OPEN, TaskStatus.DELEGATED)))))


def remove_signers(ctx: runtime.Ctx, act: NodeActivation, user_ids: list[int]) -> None:
    """减签: the users leave the node's assignees (n shrinks); their open tasks become `removed` (a
    task waiting for a delegate is cancelled with the delegate's); the rule is evaluated again, so
    the node may decide now, and on a sequential node the next one's turn comes."""
    now = utcnow()
    gone = set(user_ids)
    rows = list(ctx.s.scalars(select(HumanTask).where(
        HumanTask.activation_id == act.id, HumanTask.status.in_((TaskStatus.OPEN, TaskStatus.DELEGATED)))))
    waiting = {r.id for r in rows if r.assignee_id in gone and r.status == TaskStatus.DELEGATED}
    for r in rows:
        if r.assignee_id in gone and r.status == TaskStatus.OPEN and r.delegated_from_id is None:
            transition(r, TaskStatus.REMOVED)
        elif r.id in waiting or r.delegated_from_id in waiting:
            transition(r, TaskStatus.CANCELLED)
        else:
            continue
        r.acted_at = now
    act.assignee_ids = [uid for uid in act.assignee_ids if uid not in gone]
    if act.weights:
        act.weights = {k: w for k, w in act.weights.items() if int(k) not in gone} or None
    ctx.s.flush()
    approval.evaluate(ctx, act)


# ---------------------------------------------------------------- what the task shows of them


def task_options(act: NodeActivation, t: HumanTask, rows: Sequence[HumanTask], users: dict[int, User],
                 actions: list[str], events: Callable[[], Sequence[AuditEvent]]) -> dict[str, Any]:
    """What a task shows of its node's people, besides `actions` (narrowed here: no remove-signer
    when nobody could be removed): `removable` (usernames the viewer may take off the node),
    `positions` of add-signer (sequential nodes), `claimed` (a claim node someone holds),
    `delegated_from` (on a delegate's task: whose it is) and `delegation` (on the delegator's task:
    to whom, and their opinion once resolved). `rows`: the node's tasks; `users` covers them."""
    def who(uid: int | None) -> dict[str, str] | None:
        u = users.get(uid) if uid is not None else None
        return {"username": u.username, "display_name": u.display_name} if u else None

    voted = {r.assignee_id for r in rows if r.status in ("approved", "rejected")}
    removable = [who(uid) for uid in act.assignee_ids if uid != t.assignee_id and uid not in voted] \
        if "remove_signer" in actions else []
    if "remove_signer" in actions and not removable:
        actions.remove("remove_signer")
    by_id = {r.id: r for r in rows}
    source = by_id.get(t.delegated_from_id) if t.delegated_from_id is not None else None
    delegate_row = max((r for r in rows if r.delegated_from_id == t.id), key=lambda r: r.id, default=None)
    delegation = None
    if delegate_row is not None:
        opinion = next((e.detail.get("opinion") for e in reversed(events())
                        if e.action == "resolve" and e.task_id == delegate_row.id), None)
        delegation = {"to": who(delegate_row.assignee_id), "status": delegate_row.status, "opinion": opinion,
                      "comment": delegate_row.comment, "at": iso(delegate_row.acted_at)}
    return {"removable": [u for u in removable if u],
            "positions": ["after", "before"] if "add_signer" in actions and act.mode == "sequential" else [],
            "claimed": act.mode == "claimed",
            "delegated_from": who(source.assignee_id) if source is not None else None,
            "delegation": delegation}
