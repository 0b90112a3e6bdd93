"""Scaled mode: the engine's continuation past a service task runs on a Celery worker
(engine/continuation.py). The approval commits without running the function; a worker continues the
instance in its own locked transaction, once, even when handed the job twice; a worker killed
mid-step (blocked inside the function's write) commits nothing, and the step runs once afterwards."""
from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from crm.models import User
from db.base import utcnow
from engine import continuation
from engine.models import AuditEvent, HumanTask, Timer
from tests.bpmn_factory import HEAD
from tests.engine import helpers as h
from tests.notify.scaled_setup import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("celery")]

# v01 approves; the service task activates a trial account (crm.account.activate); then v02 checks.
PROCESS = (HEAD + '''<bpmn:process id="scaled_svc" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="ok" name="ok"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="v01"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:serviceTask id="activate" name="activate"><bpmn:extensionElements>
    <lz:call function="crm.account.activate"><lz:arg name="user_id" expr="user_id"/></lz:call>
  </bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:userTask id="check" name="check"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="v02"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ok"/>
  <bpmn:sequenceFlow id="f2" sourceRef="ok" targetRef="activate"/>
  <bpmn:sequenceFlow id="f3" sourceRef="activate" targetRef="check"/>
  <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="e"/>
</bpmn:process></bpmn:definitions>''').encode()


@pytest.fixture
def svc(scaled) -> Iterator[dict]:
    """The scaled setup with this process deployed, an inactive trial user, and this test process
    acting as a web process of the scaled mode (its actions stop before service tasks)."""
    db, org = scaled["db"], scaled["org"]
    with db.uow(write=True) as s:
        trial = User(username="trial01", display_name="Trial", password_hash="!", active=False)
        s.add(trial)
        s.flush()
        scaled["trial"] = trial.id
    h.deploy(org, PROCESS)
    before = continuation._state["send"]
    continuation.configure(lambda tid: scaled["sender"].send_task("liuzhuan.continue", args=[tid]))
    try:
        yield scaled
    finally:
        continuation._state["send"] = before


def _state(db, iid: int, trial: int) -> dict:
    with db.uow() as s:
        return {
            "calls": s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.instance_id == iid, AuditEvent.action == "call")),
            "active": s.get(User, trial).active,
            "check_tasks": s.scalar(select(func.count()).select_from(HumanTask).where(
                HumanTask.instance_id == iid, HumanTask.node_id == "check")),
            "timers": [(t.fired_at is not None, t.failed_at is not None, t.attempts) for t in s.scalars(
                select(Timer).where(Timer.instance_id == iid, Timer.kind == "continue"))],
        }


def test_the_approval_commits_and_a_worker_continues_past_the_service_task_once(svc):
    db, org, trial = svc["db"], svc["org"], svc["trial"]
    iid = h.start(org, "clerk", "scaled_svc", {"user_id": trial})
    h.approve(org, "v01", iid)  # no worker runs yet: the approval is committed, the function has not run
    assert _state(db, iid, trial) == {"calls": 0, "active": False, "check_tasks": 0, "timers": [(False, False, 0)]}
    assert h.open_assignees(org, iid) == {} and h.instance(org, iid)["status"] == "running"

    svc["start_worker"]()
    wait_for(lambda: h.open_assignees(org, iid) == {"check": {"v02"}}, "the worker's continuation")
    assert _state(db, iid, trial) == {"calls": 1, "active": True, "check_tasks": 1, "timers": [(True, False, 0)]}

    with db.uow() as s:
        (tid,) = s.scalars(select(Timer.id).where(Timer.instance_id == iid, Timer.kind == "continue"))
    svc["ran"](svc["send"]("liuzhuan.continue", tid),  # the job again (a redelivery): nothing happens
               svc["send"]("liuzhuan.tick"))
    assert _state(db, iid, trial) == {"calls": 1, "active": True, "check_tasks": 1, "timers": [(True, False, 0)]}
    h.approve(org, "v02", iid)
    assert h.instance(org, iid)["outcome"] == "approved"


def test_a_worker_killed_mid_step_commits_nothing_and_the_step_runs_once_after_the_lease(svc):
    db, org, trial = svc["db"], svc["org"], svc["trial"]
    w1 = svc["start_worker"]()  # starting up while the request starts and v01 approves
    iid = h.start(org, "clerk", "scaled_svc", {"user_id": trial})
    with db.engine.connect() as blocker:  # holds the trial user's row: the function's write waits on it
        blocker.execute(text("SELECT id FROM user_account WHERE id = :i FOR UPDATE"), {"i": trial})
        h.approve(org, "v01", iid)

        def worker_blocked() -> bool:
            with db.engine.connect() as c:
                return bool(c.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()")))

        wait_for(worker_blocked, "the worker inside the service task's write")
        w1.send_signal(signal.SIGKILL)
        w1.wait(10)
        blocker.rollback()

    def killed_transaction_over() -> bool:  # the server saw the killed worker's connection close
        with db.engine.connect() as c:
            return not c.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"))

    wait_for(killed_transaction_over, "the killed worker's transaction to end")
    assert _state(db, iid, trial) == {"calls": 0, "active": False, "check_tasks": 0, "timers": [(False, False, 0)]}

    svc["start_worker"]()
    svc["ran"](svc["send"]("liuzhuan.tick"))  # the killed worker's claim (a lease) holds
    assert _state(db, iid, trial)["calls"] == 0

    with db.uow(write=True) as s:  # the lease is over (5 minutes in real life)
        s.execute(update(Timer).where(Timer.instance_id == iid, Timer.kind == "continue")
                  .values(not_before=utcnow() - timedelta(seconds=1)))
    svc["ran"](svc["send"]("liuzhuan.tick"))
    assert h.open_assignees(org, iid) == {"check": {"v02"}}, "the continuation after the lease"
    svc["ran"](svc["send"]("liuzhuan.tick"))
    assert _state(db, iid, trial) == {"calls": 1, "active": True, "check_tasks": 1, "timers": [(True, False, 0)]}


STARTS_WITH_CALL = (HEAD + '''<bpmn:process id="scaled_svc_start" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:serviceTask id="activate" name="activate"><bpmn:extensionElements>
    <lz:call function="crm.account.activate"><lz:arg name="user_id" expr="user_id"/></lz:call>
  </bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:userTask id="ok" name="ok"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="v01"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="activate"/>
  <bpmn:sequenceFlow id="f2" sourceRef="activate" targetRef="ok"/>
  <bpmn:sequenceFlow id="f3" sourceRef="ok" targetRef="e"/>
</bpmn:process></bpmn:definitions>''').encode()


def test_a_start_runs_its_service_tasks_in_place_and_a_refused_continuation_shows_on_the_instance(svc):
    db, org, trial = svc["db"], svc["org"], svc["trial"]
    h.deploy(org, STARTS_WITH_CALL)
    iid = h.start(org, "clerk", "scaled_svc_start", {"user_id": trial})  # no worker: the start did it itself
    assert _state(db, iid, trial) == {"calls": 1, "active": True, "check_tasks": 0, "timers": []}
    assert h.open_assignees(org, iid) == {"ok": {"v01"}}

    bad = h.start(org, "clerk", "scaled_svc", {"user_id": "nobody"})
    h.approve(org, "v01", bad)  # the approval stands; the function refuses on the worker
    svc["start_worker"]()
    wait_for(lambda: h.instance(org, bad)["error"] is not None, "the refusal shown on the instance")
    assert _state(db, bad, trial)["timers"] == [(False, False, 1)]
    inst = h.instance(org, bad)
    assert inst["status"] == "running" and "no user 'nobody'" in inst["error"]
    assert [e["action"] for e in inst["history"]][-1] == "engine_error"
    with db.uow() as s:
        (timer,) = s.scalars(select(Timer).where(Timer.instance_id == bad, Timer.kind == "continue"))
        assert "no user 'nobody'" in timer.last_error and timer.not_before > utcnow()  # retried after a backoff
