"""迁移: moving running instances to another deployed version of their process (DESIGN.md §8).

An instance can move when every node it currently stands at (its open human tasks, and the
inputs already arrived at a waiting join) exists in the target version, as a human node where it
is one now. The workflow is re-created from the target version's spec standing at the same user
tasks (engine/spiff/moving.py `rebuild`), with the process data; the open activations and their
inbox rows stay (same people, same votes so far, same deadlines) and point to the new
SpiffWorkflow tasks. `dry_run` answers what would move and what blocks it, changing nothing.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, DomainError, NotFound, ValidationFailed
from db.session import Database
from engine import audit, runtime, spiff
from engine.instance_admin import require_instance_admin
from engine.instances import in_instance
from engine.lifecycle import InstanceStatus
from engine.models import ProcessDefinition, ProcessInstance

MOVABLE = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)


def _version(s: Session, key: str, version: Any, field: str = "to_version") -> ProcessDefinition:
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed("give the version number", {field: "an integer version number"})
    d = s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                  ProcessDefinition.version == version)).first()
    if d is None:
        raise ValidationFailed(f"process '{key}' has no version {version}",
                               {field: f"no deployed version {version} of '{key}'"})
    return d


def _check_dry_run(dry_run: Any) -> bool:
    if dry_run is None:
        return False
    if not isinstance(dry_run, bool):
        raise ValidationFailed("dry_run is true or false", {"dry_run": "a boolean"})
    return dry_run


def _plan(ctx: runtime.Ctx, target: ProcessDefinition) -> tuple[spiff.Position, dict[str, str]]:
    """Where the instance stands, and why each node that blocks the move does (node id -> why)."""
    pos = spiff.position(ctx.wf)
    spec, _subs = spiff.SPECS.get(target.id, target.checksum, target.spec_json)
    why = {n: f"not in version {target.version}" for n in spiff.missing_nodes(pos, spec)}
    for n in pos.nested:
        why[n] = "inside a sub-process"
    cfg = runtime.configs_of(target).get(target.key)
    for n in pos.human:
        node = cfg.nodes.get(n) if cfg else None
        if n not in why and (node is None or not node.is_human):
            why[n] = f"not a user task in version {target.version}"
    return pos, why


def migrate(db: Database, actor_id: int, instance_id: int, to_version: Any, dry_run: Any = None) -> dict[str, Any]:
    dry = _check_dry_run(dry_run)

    def body(ctx: runtime.Ctx) -> dict[str, Any]:
        require_instance_admin(ctx.s, actor_id)
        if ctx.inst.status not in MOVABLE:
            raise Conflict(f"the instance is {ctx.inst.status}; only a running instance moves",
                           reason="instance_ended", status=ctx.inst.status)
        target = _version(ctx.s, ctx.definition.key, to_version)
        if target.id == ctx.definition.id:
            raise ValidationFailed(f"the instance already runs on version {target.version}",
                                   {"to_version": "the instance's own version"})
        pos, why = _plan(ctx, target)
        answer = {"id": ctx.inst.id, "from_version": ctx.definition.version, "to_version": target.version,
                  "nodes": sorted(set(pos.human)), "blocked": why, "can_migrate": not why, "dry_run": dry,
                  "migrated": False}
        if dry:
            return answer
        if why:
            raise Conflict(f"cannot move to version {target.version}: "
                           + "; ".join(f"{n} {w}" for n, w in sorted(why.items())),
                           why, reason="migration_blocked", nodes=", ".join(sorted(why)))
        _move(ctx, target, pos, actor_id)
        return {**answer, "migrated": True}

    if dry:
        with db.uow() as s:  # a dry run reads only: no lock, no save, nothing recorded
            return body(runtime.load(s, instance_id, lock=False))
    return in_instance(db, instance_id, body)


def _move(ctx: runtime.Ctx, target: ProcessDefinition, pos: spiff.Position, actor_id: int) -> None:
    spec, subs = spiff.SPECS.get(target.id, target.checksum, target.spec_json)
    new_wf = spiff.rebuild(spec, subs, pos, spiff.data_of(ctx.wf))
    ready: dict[str, list[str]] = {}
    for step in spiff.ready_human_steps(new_wf):
        ready.setdefault(step.node_id, []).append(step.task_id)
    for act in runtime.open_activations(ctx):  # the same people keep their tasks, now on the new tasks
        ids = ready.get(act.node_id) or []
        if not ids:
            raise spiff.WorkflowFailed(f"{act.node_id}: no open task for it after the move")
        act.spiff_task_id = ids.pop(0)
    audit.record(ctx.s, ctx.inst.id, "migrate", actor_id,
                 detail={"from_version": ctx.definition.version, "to_version": target.version,
                         "nodes": list(pos.human)})
    ctx.inst.definition_id = target.id
    ctx.definition, ctx.wf = target, new_wf


def migrate_version(db: Database, actor_id: int, key: str, version: int, to_version: Any,
                    dry_run: Any = None) -> dict[str, Any]:
    """Every running (or suspended) instance of version `version` of `key`, each in its own
    transaction; the answer lists each instance's result (moved, or what blocks it)."""
    dry = _check_dry_run(dry_run)
    with db.uow() as s:
        require_instance_admin(s, actor_id)
        source = s.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                           ProcessDefinition.version == version)).first()
        if source is None:
            raise NotFound(f"process '{key}' has no version {version}")
        _version(s, key, to_version)
        ids = list(s.scalars(select(ProcessInstance.id).where(ProcessInstance.definition_id == source.id,
                                                              ProcessInstance.status.in_(MOVABLE))
                             .order_by(ProcessInstance.id)))
    items = []
    for iid in ids:
        try:
            items.append(migrate(db, actor_id, iid, to_version, dry))
        except DomainError as e:  # blocked, or ended meanwhile: said per instance, the others go on
            items.append({"id": iid, "migrated": False, "can_migrate": False, "error": e.reason,
                          "message": e.message, "blocked": dict(e.fields)})
    return {"key": key, "from_version": version, "to_version": to_version, "dry_run": dry, "items": items,
            "total": len(items), "migrated": sum(1 for i in items if i.get("migrated"))}
