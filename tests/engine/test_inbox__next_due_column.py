"""process_instance.next_due_at (engine/next_due.py) follows the instance's open tasks on every write:
a deadline opened, the task decided, the node's next task; the started box sorts by it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from db.base import utcnow
from engine import inbox, tasks
from engine.models import HumanTask, ProcessInstance
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


def _next_due(org, iid):
    with org.db.uow() as s:
        return s.scalar(select(ProcessInstance.next_due_at).where(ProcessInstance.id == iid))


def _open_dues(org, iid):
    with org.db.uow() as s:
        return sorted(d for d in s.scalars(select(HumanTask.due_at).where(
            HumanTask.instance_id == iid, HumanTask.status == "open")) if d is not None)


def test_the_column_is_the_earliest_due_time_of_the_open_tasks_after_each_step(any_org):
    org = any_org
    key = h.deploy(org, chain("nd", [user_task("a", "any", "users", "v01"), user_task("b", "any", "users", "v02")]))
    iid = h.start(org, "clerk", key)
    assert _next_due(org, iid) is None  # no deadline yet
    soon = utcnow() + timedelta(hours=5)
    with org.db.uow(write=True) as s:  # a deadline set on the open task (as a transfer or escalation would)
        task = s.scalars(select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.status == "open")).one()
        task.due_at = soon
    assert _next_due(org, iid) is not None
    assert _next_due(org, iid).replace(tzinfo=None) == _open_dues(org, iid)[0].replace(tzinfo=None)
    tasks.approve(org.db, org["v01"], h.task_of(org, "v01", iid), "ok")
    assert _open_dues(org, iid) == [] and _next_due(org, iid) is None, "the task with the deadline was decided"


def test_a_rolled_back_write_leaves_the_column_alone(any_org):
    org = any_org
    key = h.deploy(org, chain("nd2", [user_task("a", "any", "users", "v01")]))
    iid = h.start(org, "clerk", key)
    try:
        with org.db.uow(write=True) as s:
            s.execute(update(HumanTask).where(HumanTask.instance_id == iid).values(due_at=utcnow()))
            task = s.scalars(select(HumanTask).where(HumanTask.instance_id == iid)).one()
            task.due_at = utcnow() + timedelta(days=1)
            s.flush()
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    assert _next_due(org, iid) is None


def test_the_started_box_sorts_by_the_stored_due_time(any_org):
    org = any_org
    key = h.deploy(org, chain("nd3", [user_task("a", "any", "users", "v01")]))
    ids = [h.start(org, "clerk", key) for _ in range(3)]
    now = utcnow()
    with org.db.uow(write=True) as s:
        for iid, hours in zip(ids, (30, None, 2), strict=True):
            task = s.scalars(select(HumanTask).where(HumanTask.instance_id == iid)).one()
            task.due_at = now + timedelta(hours=hours) if hours is not None else None
    rows, _ = inbox.list_box(org.db, org["clerk"], "started", 0, 20, sort="due")
    mine = [r["instance_id"] for r in rows if r["instance_id"] in ids]
    assert mine == [ids[2], ids[0], ids[1]], "earliest first, no deadline last"
