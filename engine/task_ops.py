"""Use cases on an open node's people (DESIGN.md §8): 委派 delegate, 减签 remove signers, 认领 claim
and 取消认领 unclaim. (The delegate resolves with approve / reject: engine/tasks.py, which the node
turns into an opinion, engine/nodes/approval.resolve.)

Each locks the task's instance, re-reads the task under the lock (a task no longer open answers
409), checks the operation is one the node offers this task (`approval.actions`, the same list the
API and the task page show), changes the rows (engine/nodes/people.py), records one audit event and
advances the instance. Input errors are 422 naming the field; nothing changes on any refusal.
"""
from __future__ import annotations

from typing import Any

from core.errors import Conflict, Forbidden, Msg, ValidationFailed
from crm import org
from db.session import Database
from engine import audit, runtime
from engine.instances import check_comment, in_instance
from engine.lifecycle import ActivationStatus, InstanceStatus, TaskStatus
from engine.models import HumanTask, NodeActivation
from engine.nodes import approval, ballot, people
from engine.tasks import MAX_SIGNERS, _instance_of, _my_open_task, _users

__all__ = ["claim", "delegate", "remove_signer", "unclaim"]


def _offered(act: NodeActivation, t: HumanTask, action: str) -> None:
    """409 unless the node offers `action` on task `t` (e.g. no delegating on a read-only node)."""
    if action not in approval.actions(act, t):
        raise Conflict(f"this step does not offer '{action}' on this task", reason="not_offered", action=action)


def _usernames(users: Any) -> list[str]:
    if (not isinstance(users, list) or not users or len(users) > MAX_SIGNERS
            or not all(isinstance(u, str) and u for u in users)):
        raise ValidationFailed("list the users", {"users": Msg("signers", f"a list of 1-{MAX_SIGNERS} usernames",
                                                               max=MAX_SIGNERS)})
    if len(set(users)) != len(users):
        raise ValidationFailed("duplicate users", {"users": "contains a user twice"})
    return users


def delegate(db: Database, actor_id: int, task_id: int, to_user: Any, comment: Any = None) -> dict[str, Any]:
    """委派: `to_user` gets a task on the same node; the caller's task waits (`delegated`) until they
    resolve it. Not to oneself, an inactive or unknown user, or someone already on the node (422)."""
    comment = check_comment(comment)
    if not isinstance(to_user, str) or not to_user:
        raise ValidationFailed("name the user to delegate to", {"to_user": Msg("required", "required")})

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t, act = _my_open_task(ctx, task_id, actor_id)
        _offered(act, t, "delegate")
        (target,) = _users(ctx.s, [to_user], "to_user")
        if target.id == actor_id:
            raise ValidationFailed("you cannot delegate to yourself", {"to_user": "is yourself"})
        if target.id in act.assignee_ids or target.id in people.holders(ctx, act):
            raise ValidationFailed("already on this step",
                                   {"to_user": f"{to_user} is already an assignee of this node"})
        new = people.delegate(ctx, t, target.id, comment)
        audit.record(ctx.s, ctx.inst.id, "delegate", actor_id, node_id=t.node_id, task_id=t.id, comment=comment,
                     detail={"to_user": to_user, "new_task": new.id})
        return {"id": t.id, "status": t.status, "new_task": new.id}

    return in_instance(db, _instance_of(task_id), body)


def _may_remove(ctx: runtime.Ctx, t: HumanTask, actor_id: int) -> NodeActivation:
    """The node of `t`, when `actor_id` may take signers off it: the assignee of this open task, or
    a process admin / admin (on any task of an open node)."""
    act = ctx.s.get(NodeActivation, t.activation_id)
    assert act is not None
    actor = org.get_user(ctx.s, actor_id)
    manager = actor.is_admin or org.PROCESS_ADMIN_ROLE in actor.role_keys
    if t.assignee_id != actor_id and not manager:
        raise Forbidden("you are not the assignee of this task")
    if ctx.inst.status != InstanceStatus.RUNNING or act.status != ActivationStatus.OPEN \
            or (not manager and t.status != TaskStatus.OPEN):
        raise Conflict(f"this task is no longer open (it is {t.status})")
    if act.kind != "approval" or act.mode in ("claim", "claimed", "read"):
        raise Conflict("signers can only be removed from an approval node", reason="not_offered",
                       action="remove_signer")
    return act


def remove_signer(db: Database, actor_id: int, task_id: int, users: Any, comment: Any = None) -> dict[str, Any]:
    """减签: the users' still-open tasks on the node become `removed` and they leave its assignees (n
    shrinks; the rule decides again). 422 for names that are not assignees of the node; 409 for those
    who already voted, or when nobody would remain."""
    comment = check_comment(comment)
    names = _usernames(users)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t = ctx.s.get(HumanTask, task_id)
        assert t is not None
        act = _may_remove(ctx, t, actor_id)
        found = _users(ctx.s, names, "users")
        strangers = [u.username for u in found if u.id not in act.assignee_ids]
        if strangers:
            raise ValidationFailed("not assignees of this step",
                                   {"users": f"not assignees of this node: {', '.join(strangers)}"})
        done = ballot.voters(ctx.s, act)
        voted = [u.username for u in found if u.id in done]
        if voted:
            raise Conflict(f"already voted: {', '.join(voted)}", reason="already_voted", user=", ".join(voted))
        if not set(act.assignee_ids) - {u.id for u in found}:
            raise Conflict("no assignee would remain on this step", reason="no_assignee_left")
        people.remove_signers(ctx, act, [u.id for u in found])
        audit.record(ctx.s, ctx.inst.id, "remove_signer", actor_id, node_id=t.node_id, task_id=t.id,
                     comment=comment, detail={"users": names})
        return {"id": t.id, "assignees": len(act.assignee_ids), "node_status": act.status}

    return in_instance(db, _instance_of(task_id), body)


def claim(db: Database, actor_id: int, task_id: int) -> dict[str, Any]:
    """认领: the caller's task on a claim node becomes the node's only task; the others' leave their inboxes."""

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t, act = _my_open_task(ctx, task_id, actor_id)
        _offered(act, t, "claim")
        others = people.claim(ctx, act, t)
        audit.record(ctx.s, ctx.inst.id, "claim", actor_id, node_id=t.node_id, task_id=t.id,
                     detail={"cancelled_for": len(others)})
        return {"id": t.id, "status": t.status, "claimed": True}

    return in_instance(db, _instance_of(task_id), body)


def unclaim(db: Database, actor_id: int, task_id: int, comment: Any = None) -> dict[str, Any]:
    """取消认领: the claimer gives the task back; every candidate gets an open task again."""
    comment = check_comment(comment)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t, act = _my_open_task(ctx, task_id, actor_id)
        _offered(act, t, "unclaim")
        t.comment = comment
        rows = people.unclaim(ctx, act, t)
        audit.record(ctx.s, ctx.inst.id, "unclaim", actor_id, node_id=t.node_id, task_id=t.id, comment=comment,
                     detail={"new_tasks": [r.id for r in rows]})
        mine = next((r.id for r in rows if r.assignee_id == actor_id), None)
        return {"id": t.id, "status": t.status, "new_task": mine}

    return in_instance(db, _instance_of(task_id), body)
