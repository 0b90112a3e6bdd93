"""Handing a person's open tasks to a successor (离职交接): when an admin deactivates a user.

    open_task_count(s, user_id) -> int                      (in the caller's transaction)
    hand_over_all(db, actor_id, from_user_id, to_user_id) -> {"moved": [...], "not_moved": [...]}
    hand_over_in(s, actor_id, from_user_id, to_user_id) -> the same, in the caller's transaction
    running(db, process_key, user_ids) -> {user id: id of their running instance of process_key}
    deployed(db, process_key) -> bool

Each instance is its own transaction (`instances.in_instance`: locked, advanced, saved): every open
task of the leaver there moves to the successor through the node's own hand-over
(`approval.hand_over`, as 转办 does: the node keeps its place and its count) and is recorded as a
`handover` event in that instance's audit trail. A task cannot move when the successor already is
an assignee of the same node (they would hold two votes): it stays with the leaver and is listed in
`not_moved` with the reason, like every instance whose transaction failed; an admin reassigns those
(POST /tasks/{id}/transfer). crm/ calls this through the hook app.wire() registers
(crm.successors.set_task_handover), since crm/ never imports engine/.

`hand_over_in` is the staff_handover process's step (bpmn/staff_handover.bpmn): it runs inside the
service task's transaction, so the records and the tasks move, or nothing does. Each instance is
locked and saved in that session; a task whose node refuses the hand-over (a delegate's opinion)
stays and is listed, as is a task the successor already votes beside.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import DomainError
from crm import org
from db.base import utcnow
from db.session import Database
from engine import audit, runtime
from engine.design import definitions
from engine.instances import in_instance
from engine.lifecycle import InstanceStatus, TaskStatus
from engine.models import HumanTask, NodeActivation, ProcessInstance
from engine.nodes import approval

HANDOVER = "handover"


def _open_of(user_id: int) -> Any:
    return (select(HumanTask).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.assignee_id == user_id, HumanTask.status == TaskStatus.OPEN,
                   ProcessInstance.status == InstanceStatus.RUNNING))


def open_task_count(s: Session, user_id: int) -> int:
    """The user's open tasks in running instances."""
    return s.scalar(select(func.count()).select_from(_open_of(user_id).subquery())) or 0


def _names(s: Session, *user_ids: int) -> dict[int, str]:
    return {u.id: u.username for u in (org.get_user(s, i) for i in user_ids)}


def _move(ctx: runtime.Ctx, actor_id: int, from_user_id: int, to_user_id: int,
          names: dict[int, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every open task of `from_user_id` in the (locked) instance moves to `to_user_id`."""
    done: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    rows = ctx.s.scalars(select(HumanTask).where(HumanTask.instance_id == ctx.inst.id,
                                                 HumanTask.assignee_id == from_user_id,
                                                 HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id))
    for t in list(rows):
        act = ctx.s.get(NodeActivation, t.activation_id)
        assert act is not None
        if to_user_id in act.assignee_ids:
            kept.append({"task": t.id, "instance_id": ctx.inst.id, "node_id": t.node_id,
                         "reason": "the successor already is an assignee of this step"})
            continue
        try:
            new = approval.hand_over(ctx, act, t, to_user_id, None, utcnow(), t.due_at)
        except DomainError as e:  # checked before anything changes: the task stays
            kept.append({"task": t.id, "instance_id": ctx.inst.id, "node_id": t.node_id, "reason": e.message})
            continue
        audit.record(ctx.s, ctx.inst.id, HANDOVER, actor_id, node_id=t.node_id, task_id=t.id,
                     detail={"from_user": names[from_user_id], "to_user": names[to_user_id],
                             "new_task": new.id, "why": "deactivated"})
        done.append({"task": t.id, "new_task": new.id, "instance_id": ctx.inst.id, "node_id": t.node_id})
    return done, kept


def hand_over_all(db: Database, actor_id: int, from_user_id: int, to_user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Move every open task of `from_user_id` to `to_user_id`, one transaction per instance."""
    with db.uow() as s:
        instance_ids = sorted(set(s.scalars(_open_of(from_user_id).with_only_columns(HumanTask.instance_id))))
        names = _names(s, from_user_id, to_user_id)
    moved: list[dict[str, Any]] = []
    not_moved: list[dict[str, Any]] = []
    for instance_id in instance_ids:
        try:
            done, kept = in_instance(db, instance_id,
                                     lambda ctx: _move(ctx, actor_id, from_user_id, to_user_id, names))
        except DomainError as e:  # this instance stays as it was; the others go on
            not_moved.append({"task": None, "instance_id": instance_id, "node_id": None, "reason": e.message})
            continue
        moved += done
        not_moved += kept
    return {"moved": moved, "not_moved": not_moved}


def hand_over_in(s: Session, actor_id: int, from_user_id: int, to_user_id: int,
                 calling_instance: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """Move every open task of `from_user_id` to `to_user_id` in the caller's transaction (each
    instance locked, changed and saved in it); never in `calling_instance`, the one whose step this
    is (it is being advanced; a deactivated user holds no task there anyway)."""
    instance_ids = sorted(set(s.scalars(_open_of(from_user_id).with_only_columns(HumanTask.instance_id)))
                          - {calling_instance})
    names = _names(s, from_user_id, to_user_id)
    moved: list[dict[str, Any]] = []
    not_moved: list[dict[str, Any]] = []
    for instance_id in instance_ids:
        ctx = runtime.load(s, instance_id)
        done, kept = _move(ctx, actor_id, from_user_id, to_user_id, names)
        if done:
            runtime.save(ctx)
        moved += done
        not_moved += kept
    return {"moved": moved, "not_moved": not_moved}


def _handovers(s: Session, process_key: str) -> list[tuple[int, int]]:
    """(leaver's user id, instance id) of each running instance of `process_key`: the user its data's
    `leaver` names (an admin may start the staff handover by hand), else its initiator (the one
    started as the deactivated user)."""
    rows = s.execute(select(ProcessInstance.initiator_id, ProcessInstance.id, ProcessInstance.data).where(
        ProcessInstance.process_key == process_key, ProcessInstance.status == InstanceStatus.RUNNING.value)
        .order_by(ProcessInstance.id)).all()
    named = {d["leaver"] for _, _, d in rows if isinstance(d, dict) and isinstance(d.get("leaver"), str)}
    ids = {name: u.id for name, u in org.users_by_usernames(s, sorted(named)).items()} if named else {}
    out = []
    for initiator_id, iid, data in rows:
        name = data.get("leaver") if isinstance(data, dict) else None
        leaver = ids.get(name) if isinstance(name, str) else None
        out.append((leaver if leaver is not None else initiator_id, int(iid)))
    return out


def running_for(s: Session, process_key: str, leaver_id: int, exclude: int | None) -> int | None:
    """The id of a running instance of `process_key` (other than `exclude`) that hands over the work
    of `leaver_id`, or None: one handover at a time."""
    return next((iid for uid, iid in _handovers(s, process_key) if uid == leaver_id and iid != exclude), None)


def running(db: Database, process_key: str, user_ids: list[int] | None = None) -> dict[int, int]:
    """leaver's user id -> the id of the running instance of `process_key` handing over their work
    (the organisation pages show 交接中)."""
    with db.uow() as s:
        pairs = _handovers(s, process_key)
    return {uid: iid for uid, iid in pairs if user_ids is None or uid in user_ids}


def deployed(db: Database, process_key: str) -> bool:
    with db.uow() as s:
        return definitions.latest_version(s, process_key) is not None
