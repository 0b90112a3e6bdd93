"""lz:deadline actions and BPMN timer events, fired by the tick (engine/timers.py)."""
from __future__ import annotations

import functools
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from engine import timers
from engine.instances import in_instance
from engine.models import HumanTask, Timer
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


def _deadline_process(org, action: str, mode: str = "all", users: str = "v01,v02,v03") -> str:
    return h.deploy(org, chain(f"dl_{action}_{mode}", [
        user_task("n", mode, "users", users, extra=f'<lz:deadline duration="P1D" action="{action}"/>'),
        user_task("after", "any", "users", "gm")], route_last=True))


def later(days: float = 2):
    return utcnow() + timedelta(days=days)


def test_nothing_fires_before_the_deadline(org):
    iid = h.start(org, "clerk", _deadline_process(org, "approve"))
    assert timers.fire_due_timers(org.db, now=utcnow() + timedelta(hours=23)) == 0
    assert h.open_assignees(org, iid) == {"n": {"v01", "v02", "v03"}}
    row = h.todo(org, "v01", iid)[0]
    assert row["due_at"] is not None


def test_deadline_approve_casts_the_missing_votes(org):
    iid = h.start(org, "clerk", _deadline_process(org, "approve"))
    h.approve(org, "v01", iid, "我先批了")
    assert timers.fire_due_timers(org.db, now=later()) == 1
    inst = h.instance(org, iid)
    votes = inst["data"]["n"]["votes"]
    assert inst["data"]["n"]["outcome"] == "approved"
    assert [(v["user"], v["auto"]) for v in votes] == [("v01", False), ("v02", True), ("v03", True)]
    assert h.open_assignees(org, iid) == {"after": {"gm"}}
    assert timers.fire_due_timers(org.db, now=later()) == 0, "a timer fires once"


def test_deadline_reject_rejects_the_node(org):
    iid = h.start(org, "clerk", _deadline_process(org, "reject", mode="majority"))
    timers.fire_due_timers(org.db, now=later())
    inst = h.instance(org, iid)
    # nothing reads n's outcome (the gateway routes on `after`): the rejection ends the instance
    assert (inst["status"], inst["outcome"], inst["data"]["n"]["outcome"]) == ("completed", "rejected", "rejected")
    assert all(v["auto"] for v in inst["data"]["n"]["votes"])
    assert h.todo(org, "gm", iid) == []


def test_deadline_on_a_sequential_node_decides_it_whole(org):
    iid = h.start(org, "clerk", _deadline_process(org, "approve", mode="sequential"))
    timers.fire_due_timers(org.db, now=later())
    assert h.instance(org, iid)["data"]["n"]["outcome"] == "approved"


def test_deadline_remind_records_who_was_reminded_and_changes_nothing_else(org):
    iid = h.start(org, "clerk", _deadline_process(org, "remind"))
    assert timers.fire_due_timers(org.db, now=later()) == 1
    inst = h.instance(org, iid)
    assert [e["action"] for e in inst["history"]].count("remind") == 1
    assert h.open_assignees(org, iid) == {"n": {"v01", "v02", "v03"}}


def test_deadline_remind_fires_once(org):
    """A fired deadline is marked fired: later ticks, and a tick that read it as due before
    another tick fired it (its stale list), remind nobody again."""
    iid = h.start(org, "clerk", _deadline_process(org, "remind"))
    with org.db.uow() as s:
        (timer_id,) = s.scalars(select(Timer.id).where(Timer.instance_id == iid, Timer.kind == "deadline"))
    assert timers.fire_due_timers(org.db, now=later()) == 1
    assert timers.fire_due_timers(org.db, now=later(3)) == 0
    assert timers.fire_due_timers(org.db, now=later(30)) == 0
    stale_tick = functools.partial(timers._fire, timer_id=timer_id, now=later(4))
    assert in_instance(org.db, iid, stale_tick) == 0
    history = [e["action"] for e in h.instance(org, iid)["history"]]
    assert history.count("remind") == 1
    assert h.open_assignees(org, iid) == {"n": {"v01", "v02", "v03"}}


def test_deadline_escalate_never_gives_the_same_supervisor_two_tasks(org):
    """v01, v02 and v03 all report to legal_head: the first open task moves to legal_head, the
    other two stay where they are (legal_head already has one). clerk reports to sales_lead, an
    assignee of the node when clerk's task is looked at, so clerk's task stays; sales_lead's moves
    to sales_head."""
    iid = h.start(org, "clerk2", _deadline_process(org, "escalate", mode="all",
                                                    users="v01,v02,v03,clerk,sales_lead"))
    assert timers.fire_due_timers(org.db, now=later()) == 1
    with org.db.uow() as s:
        rows = sorted(org.name_of(t.assignee_id) for t in s.scalars(select(HumanTask).where(
            HumanTask.instance_id == iid, HumanTask.node_id == "n", HumanTask.status == "open")))
    assert rows == ["clerk", "legal_head", "sales_head", "v02", "v03"]
    (escalated,) = [e for e in h.instance(org, iid)["history"] if e["action"] == "escalate"]
    assert sorted(escalated["detail"]["moved"], key=str) == [{"from": "sales_lead", "to": "sales_head"},
                                                             {"from": "v01", "to": "legal_head"}]
    # and the node still needs exactly those five votes
    for user in rows:
        h.approve(org, user, iid)
    assert h.open_assignees(org, iid) == {"after": {"gm"}}


def test_deadline_escalate_moves_open_tasks_to_the_supervisor(org):
    iid = h.start(org, "clerk", _deadline_process(org, "escalate", mode="any", users="sales_lead"))
    timers.fire_due_timers(org.db, now=later())
    assert h.open_assignees(org, iid) == {"n": {"sales_head"}}
    h.approve(org, "sales_head", iid)
    assert h.open_assignees(org, iid) == {"after": {"gm"}}


def test_a_node_decided_before_its_deadline_never_fires(org):
    iid = h.start(org, "clerk", _deadline_process(org, "reject", mode="any"))
    h.approve(org, "v02", iid)
    assert timers.fire_due_timers(org.db, now=later()) == 0
    assert h.open_assignees(org, iid) == {"after": {"gm"}}


BOUNDARY = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:lz="urn:liuzhuan:bpmn:1"
                  id="d" targetNamespace="x">
  <bpmn:process id="boundary_timeout" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="wait_for_customer" name="wait">
      <bpmn:extensionElements><lz:assignees strategy="users" value="v01"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="timeout" attachedToRef="wait_for_customer" cancelActivity="true">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT0.3S"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="follow_up" name="follow up">
      <bpmn:extensionElements><lz:assignees strategy="users" value="v02"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="done"/>
    <bpmn:endEvent id="done_late"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_for_customer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_for_customer" targetRef="done"/>
    <bpmn:sequenceFlow id="f3" sourceRef="timeout" targetRef="follow_up"/>
    <bpmn:sequenceFlow id="f4" sourceRef="follow_up" targetRef="done_late"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_bpmn_boundary_timer_fires_on_the_tick(org):
    iid = h.start(org, "clerk", h.deploy(org, BOUNDARY))
    assert h.open_assignees(org, iid) == {"wait_for_customer": {"v01"}}
    with org.db.uow() as s:
        due = s.scalars(select(Timer).where(Timer.instance_id == iid, Timer.kind == "bpmn")).one().due_at
    assert due is not None
    deadline = time.monotonic() + 10
    while h.open_assignees(org, iid) != {"follow_up": {"v02"}}:
        if time.monotonic() > deadline:
            pytest.fail("the boundary timer never fired")
        timers.fire_due_timers(org.db)
        time.sleep(0.05)  # wait for the real clock to pass the 0.3 s timer (SpiffWorkflow reads it)
    h.assert_inbox_matches_engine(org, iid)
    assert h.todo(org, "v01", iid) == [], "the interrupted task left the inbox"
    h.approve(org, "v02", iid)
    assert h.instance(org, iid)["end_event"] == "done_late"


def test_timer_loop_thread_fires_and_stops(org):
    iid = h.start(org, "clerk", _deadline_process(org, "remind"))
    with org.db.uow(write=True) as s:
        for t in s.scalars(select(Timer).where(Timer.instance_id == iid)):
            t.due_at = utcnow() - timedelta(seconds=1)
    loop = timers.TimerLoop(org.db, interval=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while "remind" not in [e["action"] for e in h.instance(org, iid)["history"]]:
            assert time.monotonic() < deadline, "the loop never fired the due timer"
            time.sleep(0.05)
    finally:
        loop.stop()
    assert not loop._thread.is_alive()
