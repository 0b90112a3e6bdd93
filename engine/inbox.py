"""The task inbox (todo / done / started / cc): reads the human_task table, never a workflow."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from db.base import iso
from db.session import Database
from engine.errors import ValidationFailed
from engine.models import CarbonCopy, HumanTask, ProcessDefinition, ProcessInstance

BOXES = ("todo", "done", "started", "cc")
DONE_STATES = ("approved", "rejected", "done", "returned", "transferred")


def _iso(v: Any) -> str | None:
    return iso(v)


def list_box(db: Database, actor_id: int, box: Any, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    if box not in BOXES:
        raise ValidationFailed("unknown box", {"box": f"one of {', '.join(BOXES)}"})
    with db.uow() as s:
        if box in ("todo", "done"):
            cond = (HumanTask.assignee_id == actor_id) & (
                HumanTask.status == "open" if box == "todo"
                else HumanTask.status.in_(DONE_STATES) & HumanTask.auto.is_(False))
            base = (select(HumanTask, ProcessInstance, ProcessDefinition)
                    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                    .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id).where(cond))
            if box == "todo":
                base = base.where(ProcessInstance.status == "running")
            total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
            order = HumanTask.created_at.desc() if box == "todo" else HumanTask.acted_at.desc()
            task_rows = s.execute(base.order_by(order, HumanTask.id.desc()).offset(offset).limit(limit)).all()
            return [{"id": t.id, "instance_id": i.id, "process": d.key, "process_name": d.name,
                     "business_key": i.business_key, "node_id": t.node_id, "node_name": t.node_name,
                     "title": i.title, "status": t.status, "created_at": _iso(t.created_at),
                     "acted_at": _iso(t.acted_at), "due_at": _iso(t.due_at)} for t, i, d in task_rows], total
        if box == "started":
            inst_q: Any = (select(ProcessInstance, ProcessDefinition)
                    .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                    .where(ProcessInstance.initiator_id == actor_id))
        else:
            inst_q = (select(ProcessInstance, ProcessDefinition, CarbonCopy)
                    .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                    .join(CarbonCopy, CarbonCopy.instance_id == ProcessInstance.id)
                    .where(CarbonCopy.user_id == actor_id))
        total = s.scalar(select(func.count()).select_from(inst_q.subquery())) or 0
        rows = s.execute(inst_q.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
                         .offset(offset).limit(limit)).all()
        ids = [r[0].id for r in rows]
        current: dict[int, list[HumanTask]] = {}
        for t in s.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids), HumanTask.status == "open")):
            current.setdefault(t.instance_id, []).append(t)
        out = []
        for r in rows:
            i, d = r[0], r[1]
            open_ = current.get(i.id, [])
            nodes = list(dict.fromkeys(t.node_id for t in open_))
            out.append({"id": r[2].id if box == "cc" else i.id, "instance_id": i.id, "process": d.key,
                        "process_name": d.name, "business_key": i.business_key, "title": i.title,
                        "status": i.status, "node_id": ",".join(nodes) or None,
                        "node_name": ",".join(dict.fromkeys(t.node_name for t in open_)) or None,
                        "created_at": _iso(r[2].created_at if box == "cc" else i.created_at),
                        "due_at": _iso(min((t.due_at for t in open_ if t.due_at), default=None))})
        return out, total


def counts(db: Database, actor_id: int) -> dict[str, int]:
    with db.uow() as s:
        todo = s.scalar(select(func.count()).select_from(HumanTask).join(
            ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            HumanTask.assignee_id == actor_id, HumanTask.status == "open", ProcessInstance.status == "running")) or 0
        cc = s.scalar(select(func.count()).select_from(CarbonCopy).where(
            CarbonCopy.user_id == actor_id, CarbonCopy.read_at.is_(None))) or 0
        return {"todo": todo, "cc_unread": cc}
