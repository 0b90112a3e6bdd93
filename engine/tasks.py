"""Use cases on human tasks: approve, reject, return, transfer, add signers (reading one task:
engine/task_reads.py, re-exported here as `get_task` / `task_context`).

Each action locks the task's instance, re-reads the task under the lock (a task decided
meanwhile answers 409), records the action with its comment, and advances the instance.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, Msg, ValidationFailed
from crm import org
from crm.models import User
from db.base import utcnow
from db.session import Database
from engine import attachments, audit, instances, redaction, returns, runtime, signatures, spiff
from engine.driver import RESUBMIT
from engine.instances import check_comment, check_data, in_instance, validate_form
from engine.lifecycle import TaskStatus
from engine.models import HumanTask, NodeActivation
from engine.nodes import approval
from engine.task_reads import get_task, task_context

__all__ = ["add_signer", "approve", "get_task", "reject", "return_task", "task_context", "transfer"]

MAX_SIGNERS = 50


def _instance_of(task_id: int) -> runtime.TaskOf:
    # The task's instance is locked first; the task row itself is read after the lock (`_my_open_task`).
    return runtime.TaskOf(task_id)


# (populating: the locked read may have put older copies of them in the session, runtime._FRESH)
_TASK_AND_ACTIVATION = (select(HumanTask, NodeActivation)
                        .join(NodeActivation, NodeActivation.id == HumanTask.activation_id)
                        .where(HumanTask.id == bindparam("tid")).execution_options(populate_existing=True))


def _my_open_task(ctx: runtime.Ctx, task_id: int, actor_id: int,
                  admin_may: bool = False) -> tuple[HumanTask, NodeActivation]:
    if ctx.task_row is not None and ctx.task_row[0].id == task_id:
        t, act = ctx.task_row  # read with the lock (runtime.load_for_task)
    else:
        row = ctx.s.execute(_TASK_AND_ACTIVATION, {"tid": task_id}).first()
        assert row is not None
        t, act = row
    if t.assignee_id != actor_id and not (admin_may and org.get_user(ctx.s, actor_id).is_admin):
        raise Forbidden("you are not the assignee of this task")
    runtime.require_running(ctx.inst)  # a suspended instance takes no action (409 instance_suspended)
    if t.status != TaskStatus.OPEN:
        raise Conflict(f"this task is no longer open (it is {t.status})")
    return t, act


def _users(s: Session, names: list[str], field: str) -> list[User]:
    found = org.users_by_usernames(s, names)
    bad = [n for n in names if n not in found or not found[n].active]
    if bad:
        raise ValidationFailed("unknown user", {field: f"unknown or inactive user(s): {', '.join(bad)}"})
    return [found[n] for n in names]


def _apply_data(ctx: runtime.Ctx, act: NodeActivation, data: dict[str, Any]) -> None:
    if not data:
        return
    task = spiff.get_task(ctx.wf, act.spiff_task_id)
    if task is None:
        raise Conflict("the node is no longer open")
    task.data.update(data)


def _checked_task_data(ctx: runtime.Ctx, actor_id: int, node_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Data submitted at a node with a form is validated against it, with the node's lz:fields:
    only `editable` fields may change (none when the node lists none), `hidden` ones may not be sent."""
    cfg = runtime.node_config(ctx.definition, ctx.definition.key, node_id)
    schema = (ctx.definition.forms or {}).get(cfg.form_key) if cfg and cfg.form_key else None
    if not data and (schema is None or cfg is None or not cfg.editable):
        return data  # nothing sent and nothing to fill in here (a step with editable fields checks its required ones)
    if schema is None:
        # No form at this node: in a process with forms there is nothing to submit here; in a
        # form-less process free data is accepted, but never over a node's outcome or result.
        if instances.start_form(ctx.definition) is not None or ctx.definition.forms:
            raise ValidationFailed("this step has no form: there is no data to submit",
                                   {f"data.{k}": "not a field of this step" for k in data})
        nodes = {n for cfg_ in runtime.configs_of(ctx.definition).values() for n in cfg_.nodes}
        taken = sorted(k for k in data if k in nodes)
        if taken:
            raise ValidationFailed("data may not overwrite a node's outcome or result",
                                   {f"data.{k}": "is a node of this process" for k in taken})
    else:
        assert cfg is not None  # a schema was found through it
        data = validate_form(ctx.s, actor_id, schema, data, ctx.inst.id, editable=cfg.editable, hidden=cfg.hidden,
                             previous=spiff.data_of(ctx.wf))
    # field permissions: no changed value of a record field the actor's roles may not 修改
    redaction.check_writes(ctx.s, org.get_user(ctx.s, actor_id), ctx.definition, data, spiff.data_of(ctx.wf))
    return data


def approve(db: Database, actor_id: int, task_id: int, comment: Any = None, data: Any = None,
            signature: Any = None) -> dict[str, Any]:
    comment = check_comment(comment)
    data = check_data(data)
    png = signatures.parse(signature)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t, act = _my_open_task(ctx, task_id, actor_id)
        if act.kind == RESUBMIT:  # the initiator resubmits after a return to them
            returns.resubmit(ctx, t, act, actor_id, comment, data)
            return {"id": t.id, "status": t.status}
        _apply_data(ctx, act, _checked_task_data(ctx, actor_id, t.node_id, data))
        attachments.bind_pending(ctx.s, ctx.inst.id, actor_id, t.node_id, t.id)
        approval.vote(ctx, act, t, actor_id, True, comment, signatures.store(ctx, t, actor_id, png))
        return {"id": t.id, "status": t.status}

    return in_instance(db, _instance_of(task_id), body)


def reject(db: Database, actor_id: int, task_id: int, comment: Any, signature: Any = None) -> dict[str, Any]:
    comment = check_comment(comment, required=True)
    png = signatures.parse(signature)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t, act = _my_open_task(ctx, task_id, actor_id)
        if act.kind != "approval":
            raise Conflict("this is a handle task, not an approval: complete it or return it")
        approval.vote(ctx, act, t, actor_id, False, comment, signatures.store(ctx, t, actor_id, png))
        return {"id": t.id, "status": t.status}

    return in_instance(db, _instance_of(task_id), body)


def return_task(db: Database, actor_id: int, task_id: int, to_node: Any, comment: Any) -> dict[str, Any]:
    comment = check_comment(comment, required=True)
    if not isinstance(to_node, str) or not to_node:
        raise ValidationFailed("name the node to return to", {"to_node": Msg("required", "required")})

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t, act = _my_open_task(ctx, task_id, actor_id)
        if act.kind == RESUBMIT:
            raise Conflict("this is your own returned request: resubmit it, or withdraw the instance",
                           reason="resubmit_only")
        if "return" not in approval.actions(act, t):  # a delegate's opinion, an unclaimed or read-only step
            raise Conflict("this step does not offer 'return' on this task", reason="not_offered", action="return")
        node = returns.return_task(ctx, t, act, actor_id, to_node, comment)
        return {"id": t.id, "status": t.status, "to_node": node}

    return in_instance(db, _instance_of(task_id), body)


def transfer(db: Database, actor_id: int, task_id: int, to_user: Any, comment: Any = None) -> dict[str, Any]:
    comment = check_comment(comment)
    if not isinstance(to_user, str) or not to_user:
        raise ValidationFailed("name the user to transfer to", {"to_user": Msg("required", "required")})

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        # The assignee hands the task on (转办); an admin may reassign anyone's open task, e.g. of
        # someone who left (recorded as "reassign", which does not count as an approver acting).
        t, act = _my_open_task(ctx, task_id, actor_id, admin_may=True)
        if act.kind == RESUBMIT:
            raise Conflict("the initiator's returned request cannot be handed on", reason="resubmit_only")
        holder = t.assignee_id
        (target,) = _users(ctx.s, [to_user], "to_user")
        if target.id == holder:
            raise ValidationFailed("the task already is with this user", {"to_user": "is the current assignee"})
        if target.id in act.assignee_ids:
            raise ValidationFailed("already an assignee", {"to_user": f"{to_user} is already an assignee of this node"})
        new = approval.hand_over(ctx, act, t, target.id, comment, utcnow(), t.due_at)
        audit.record(ctx.s, ctx.inst.id, "transfer" if holder == actor_id else "reassign", actor_id,
                     node_id=t.node_id, task_id=t.id, comment=comment,
                     detail={"to_user": to_user, "new_task": new.id, "from_user": holder})
        return {"id": t.id, "status": t.status, "new_task": new.id}

    return in_instance(db, _instance_of(task_id), body)


def add_signer(db: Database, actor_id: int, task_id: int, users: Any, comment: Any = None,
               position: Any = None) -> dict[str, Any]:
    """加签: more approvers on the open node. `position` (sequential nodes only): "after" the caller
    (后加签, the default) or "before" (前加签: the caller's turn comes again after them)."""
    comment = check_comment(comment)
    if (not isinstance(users, list) or not users or len(users) > MAX_SIGNERS
            or not all(isinstance(u, str) and u for u in users)):
        why = Msg("signers", f"a list of 1-{MAX_SIGNERS} usernames", max=MAX_SIGNERS)
        raise ValidationFailed("list the users to add", {"users": why})
    if len(set(users)) != len(users):
        raise ValidationFailed("duplicate users", {"users": "contains a user twice"})
    if position is not None and position not in ("before", "after"):
        raise ValidationFailed("position is before or after", {"position": "one of: before, after"})

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        t, act = _my_open_task(ctx, task_id, actor_id)
        if "add_signer" not in approval.actions(act, t):
            raise Conflict("signers can only be added to an approval node", reason="not_offered",
                           action="add_signer")
        if position is not None and act.mode != "sequential":
            raise ValidationFailed("before/after applies to sequential nodes only",
                                   {"position": f"only on a sequential node (this one is {act.mode})"})
        added = _users(ctx.s, users, "users")
        on_node = set(act.assignee_ids) | set(ctx.s.scalars(select(HumanTask.assignee_id).where(
            HumanTask.activation_id == act.id, HumanTask.status.in_((TaskStatus.OPEN, TaskStatus.DELEGATED)))))
        dup = [u.username for u in added if u.id in on_node]
        if dup:
            raise ValidationFailed("already assignees", {"users": f"already assignees: {', '.join(dup)}"})
        approval.add_signers(ctx, act, t, [u.id for u in added], position or "after")
        audit.record(ctx.s, ctx.inst.id, "add_signer", actor_id, node_id=t.node_id, task_id=t.id, comment=comment,
                     detail={"users": users, "position": position or "after"})
        return {"id": t.id, "assignees": len(act.assignee_ids), "status": t.status}

    return in_instance(db, _instance_of(task_id), body)
