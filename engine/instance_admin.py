"""What an administrator does to a whole instance (DESIGN.md §8): terminate (终止), suspend and
activate (挂起/激活), jump (跳转). Migrating to another version (迁移) is engine/migration.py.

Each is one use case in one locked transaction (`instances.in_instance`), for admins and process
admins only (403 otherwise), refused with 409 when the instance's state does not allow it, and
recorded in the audit trail. Jump and terminate keep the invariant that the open inbox rows are
exactly the READY human tasks of the workflow.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, Msg, ValidationFailed
from crm.models import User
from db.session import Database
from engine import audit, runtime, spiff
from engine.design import definitions
from engine.instances import check_comment, in_instance
from engine.lifecycle import ActivationStatus, InstanceStatus, transition

ADMIN_ROLES = ("admin", "process_admin")


def is_instance_admin(user: User) -> bool:
    """Admins and process admins may terminate, suspend, activate, jump and migrate instances."""
    return any(r in ADMIN_ROLES for r in user.role_keys)


def require_instance_admin(s: Session, actor_id: int) -> User:
    user = s.get(User, actor_id)
    if user is None or not user.active or not is_instance_admin(user):
        raise Forbidden("only administrators and process administrators may do this to an instance",
                        reason="not_process_admin")
    return user


def _open_nodes(ctx: runtime.Ctx) -> list[str]:
    return list(dict.fromkeys(a.node_id for a in runtime.open_activations(ctx)))


def terminate(db: Database, actor_id: int, instance_id: int, comment: Any) -> dict[str, Any]:
    """终止: end the instance now, outcome `terminated`; open tasks leave the inboxes, timers die."""
    comment = check_comment(comment, required=True)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        require_instance_admin(ctx.s, actor_id)
        if ctx.inst.status not in (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED):
            raise Conflict(f"the instance is {ctx.inst.status}; it has ended", reason="instance_ended",
                           status=ctx.inst.status)
        audit.record(ctx.s, ctx.inst.id, "terminate", actor_id, comment=comment,
                     detail={"open_nodes": _open_nodes(ctx)})
        spiff.cancel(ctx.wf)
        runtime.finish_instance(ctx, InstanceStatus.CANCELLED)
        return _answer(ctx)

    return in_instance(db, instance_id, body)


def suspend(db: Database, actor_id: int, instance_id: int, comment: Any = None) -> dict[str, Any]:
    """挂起: no task action (409 instance_suspended) and no timer until activated."""
    comment = check_comment(comment)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        require_instance_admin(ctx.s, actor_id)
        runtime.require_running(ctx.inst)
        transition(ctx.inst, InstanceStatus.SUSPENDED)
        audit.record(ctx.s, ctx.inst.id, "suspend", actor_id, comment=comment)
        return _answer(ctx)

    return in_instance(db, instance_id, body)


def activate(db: Database, actor_id: int, instance_id: int, comment: Any = None) -> dict[str, Any]:
    """激活: a suspended instance runs again; timers that fell due meanwhile fire on the next tick."""
    comment = check_comment(comment)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        require_instance_admin(ctx.s, actor_id)
        if ctx.inst.status != InstanceStatus.SUSPENDED:
            raise Conflict(f"the instance is {ctx.inst.status}, not suspended", reason="instance_not_suspended",
                           status=ctx.inst.status)
        transition(ctx.inst, InstanceStatus.RUNNING)
        audit.record(ctx.s, ctx.inst.id, "activate", actor_id, comment=comment)
        return _answer(ctx)

    return in_instance(db, instance_id, body)


def jump_targets(ctx: runtime.Ctx) -> list[str]:
    """The user tasks of the instance's process a jump may go to (those not inside a parallel branch)."""
    cfg = runtime.configs_of(ctx.definition).get(ctx.definition.key)
    nodes = [n for n, c in cfg.nodes.items() if c.is_human] if cfg else []
    return [n for n in nodes if spiff.has_node(ctx.wf, n) and not spiff.in_parallel_region(ctx.wf, n)]


def jump(db: Database, actor_id: int, instance_id: int, to_node: Any, comment: Any) -> dict[str, Any]:
    """跳转: cancel every open task and continue from the user task `to_node`, forward or back."""
    comment = check_comment(comment, required=True)
    if not isinstance(to_node, str) or not to_node:
        raise ValidationFailed("name the node to jump to", {"to_node": Msg("required", "required")})

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        require_instance_admin(ctx.s, actor_id)
        runtime.require_running(ctx.inst)
        cfg = runtime.configs_of(ctx.definition).get(ctx.definition.key)
        node = cfg.nodes.get(to_node) if cfg else None
        if node is None or not node.is_human or not spiff.has_node(ctx.wf, to_node):
            raise ValidationFailed(f"cannot jump to '{to_node}'", {"to_node": Msg(
                "jump_target", f"'{to_node}' is not a user task of this process; possible: "
                + ", ".join(jump_targets(ctx)), node=to_node)})
        if spiff.in_parallel_region(ctx.wf, to_node):
            raise ValidationFailed(f"cannot jump to '{to_node}'", {"to_node": Msg(
                "jump_parallel", f"'{to_node}' lies inside a parallel branch: the join would wait for the "
                "other branches; jump to a step before the split or after the join", node=to_node)})
        from_nodes = _open_nodes(ctx)
        for act in runtime.open_activations(ctx):
            runtime.close_activation(ctx, act, ActivationStatus.CANCELLED)
        audit.record(ctx.s, ctx.inst.id, "jump", actor_id, node_id=to_node, comment=comment,
                     detail={"to_node": to_node, "from_nodes": from_nodes})
        spiff.jump(ctx.wf, to_node, spiff.data_of(ctx.wf))
        return {**_answer(ctx), "to_node": to_node}

    return in_instance(db, instance_id, body)


def admin_panel(db: Database, actor_id: int, instance_id: int) -> dict[str, Any] | None:
    """What the instance page offers an admin or process admin, as the state allows (None for others):
    terminate, suspend, activate, jump (with its targets: id, name) and migrate (the other versions)."""
    with db.uow() as s:
        return panel_for(s, s.get(User, actor_id), instance_id)


def panel_for(s: Session, user: User | None, instance_id: int) -> dict[str, Any] | None:
    """admin_panel in the caller's transaction."""
    if user is None or not is_instance_admin(user):
        return None
    ctx = runtime.load(s, instance_id, lock=False)
    status = ctx.inst.status
    live = status in (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)
    cfg = runtime.configs_of(ctx.definition).get(ctx.definition.key)
    names = {n: c.name for n, c in cfg.nodes.items()} if cfg else {}
    running = status == InstanceStatus.RUNNING
    others = [d.version for d in definitions.versions(s, ctx.definition.key) if d.id != ctx.definition.id]
    return {"terminate": live, "suspend": running, "activate": status == InstanceStatus.SUSPENDED,
            "jump": running, "jump_targets": [(n, names.get(n, n)) for n in jump_targets(ctx)] if running else [],
            "migrate": live and bool(others), "versions": others}


def _answer(ctx: runtime.Ctx) -> dict[str, Any]:
    return {"id": ctx.inst.id, "status": ctx.inst.status, "outcome": ctx.inst.outcome}
