"""终止 terminate and 挂起/激活 suspend / activate through HTTP (DESIGN.md §8): admins and process
admins only (403), the state must allow it (409 with a reason), a comment is required to terminate
(422), nothing changes on a refusal, and the inbox always matches the engine."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm import org as org_svc
from db.base import utcnow
from engine import timers
from engine.models import AuditEvent, Timer
from tests.api.conftest import API, TWO_STEP, act, assert_error, deploy, inbox, login, start, task_of
from tests.bpmn_factory import chain, user_task
from tests.engine.helpers import assert_inbox_matches_engine, open_assignees

DEADLINE = chain("deadline_approve", [
    user_task("n", "all", "users", "v01,v02", extra='<lz:deadline duration="P1D" action="approve"/>'),
    user_task("after", "any", "users", "gm")], prefix="DL", route_last=True)


@pytest.fixture
def deployed(client):
    assert deploy(client, TWO_STEP).status_code == 201


@pytest.fixture
def process_admin(org):
    with org.db.uow(write=True) as s:
        u = org_svc.create_user(s, "padmin", "流程管理员", "secret-pass-1", roles=["process_admin"])
        return u.username


def post(client, user, iid, op, body=None):
    return client.post(f"{API}/process-instances/{iid}/{op}", json=body if body is not None else {},
                       headers=login(client, user))


def get(client, iid):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()


def actions(org, iid):
    with org.db.uow() as s:
        return [a for a in s.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == iid)
                                     .order_by(AuditEvent.seq))]


# ---------------------------------------------------------------- terminate


def test_terminate_ends_now_cancels_open_tasks_and_says_terminated(client, org, deployed):
    iid = start(client, "clerk")
    act(client, "sales_lead", iid)
    assert open_assignees(org, iid) == {"cs": {"v01", "v02"}}
    r = post(client, "admin", iid, "terminate", {"comment": "客户取消合作"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"id": iid, "status": "cancelled", "outcome": "terminated"}
    body = get(client, iid)
    assert (body["status"], body["outcome"], body["open_tasks"]) == ("cancelled", "terminated", [])
    assert_inbox_matches_engine(org, iid)
    for user in ("v01", "v02"):
        assert [t for t in inbox(client, user)["items"] if t["instance_id"] == iid] == [], "left the inbox"
    started = [t for t in inbox(client, "clerk", "started")["items"] if t["instance_id"] == iid][0]
    assert started["outcome"] == "terminated"
    event = [e for e in body["history"] if e["action"] == "terminate"][0]
    assert (event["actor"], event["comment"], event["detail"]["open_nodes"]) == ("admin", "客户取消合作", ["cs"])


def test_a_process_admin_may_terminate(client, org, deployed, process_admin):
    iid = start(client, "clerk")
    assert post(client, process_admin, iid, "terminate", {"comment": "重复提交"}).status_code == 200
    assert get(client, iid)["outcome"] == "terminated"


def test_terminate_kills_the_timers(client, org):
    assert deploy(client, DEADLINE).status_code == 201
    iid = start(client, "clerk", "deadline_approve")
    assert post(client, "admin", iid, "terminate", {"comment": "停"}).status_code == 200
    with org.db.uow() as s:
        assert s.scalars(select(Timer).where(Timer.instance_id == iid, Timer.fired_at.is_(None))).all() == []
    assert timers.fire_due_timers(org.db, now=utcnow() + timedelta(days=3)) == 0
    assert get(client, iid)["status"] == "cancelled"


@pytest.mark.parametrize("user", ["clerk", "sales_lead", "gm", "hr1"])
def test_terminate_by_anyone_else_is_403_and_changes_nothing(client, org, deployed, user):
    iid = start(client, "clerk")
    before = actions(org, iid)
    assert_error(post(client, user, iid, "terminate", {"comment": "x"}), 403, "forbidden")
    assert get(client, iid)["status"] == "running" and actions(org, iid) == before
    assert open_assignees(org, iid) == {"sup": {"sales_lead"}}


def test_terminate_needs_a_comment(client, org, deployed):
    iid = start(client, "clerk")
    for body in ({}, {"comment": "  "}, {"comment": 5}):
        err = assert_error(post(client, "admin", iid, "terminate", body), 422, "validation_failed")
        assert "comment" in err["fields"]
    assert_error(post(client, "admin", iid, "terminate", {"comment": "x", "why": 1}), 422)
    assert get(client, iid)["status"] == "running"


def test_terminating_an_ended_instance_is_409(client, org, deployed):
    iid = start(client, "clerk")
    assert post(client, "clerk", iid, "withdraw").status_code == 200
    err = assert_error(post(client, "admin", iid, "terminate", {"comment": "x"}), 409, "conflict")
    assert err["reason"] == "instance_ended"
    assert get(client, iid)["outcome"] == "withdrawn", "unchanged"
    assert_error(post(client, "admin", 999999, "terminate", {"comment": "x"}), 404)


# ---------------------------------------------------------------- suspend / activate


TASK_ACTIONS = [("approve", {}), ("reject", {"comment": "no"}), ("transfer", {"to_user": "gm"}),
                ("add-signer", {"users": ["gm"]}), ("return", {"to_node": "sup", "comment": "x"})]


def test_a_suspended_instance_takes_no_task_action_nor_withdraw(client, org, deployed):
    iid = start(client, "clerk")
    act(client, "sales_lead", iid)
    tid = task_of(client, "v01", iid)
    r = post(client, "admin", iid, "suspend", {"comment": "等待法务意见"})
    assert r.status_code == 200 and r.get_json()["status"] == "suspended"
    assert get(client, iid)["outcome"] is None
    before = actions(org, iid)
    for action, body in TASK_ACTIONS:
        err = assert_error(client.post(f"{API}/tasks/{tid}/{action}", json=body, headers=login(client, "v01")),
                           409, "conflict")
        assert err["reason"] == "instance_suspended", action
    err = assert_error(post(client, "clerk", iid, "withdraw"), 409, "conflict")
    assert err["reason"] == "instance_suspended"
    assert actions(org, iid) == before, "nothing recorded"
    assert open_assignees(org, iid) == {"cs": {"v01", "v02"}}
    assert_inbox_matches_engine(org, iid)
    # the tasks stay in the inbox, marked by the instance's status; the task answers no action
    row = [t for t in inbox(client, "v01")["items"] if t["instance_id"] == iid][0]
    assert row["instance_status"] == "suspended"
    task = client.get(f"{API}/tasks/{tid}", headers=login(client, "v01")).get_json()
    assert task["actions"] == []
    # activated: everything works again
    r = post(client, "admin", iid, "activate")
    assert r.status_code == 200 and r.get_json()["status"] == "running"
    act(client, "v01", iid)
    act(client, "v02", iid)
    assert get(client, iid)["outcome"] == "approved"
    assert ["suspend", "activate"] == [a for a in actions(org, iid) if a in ("suspend", "activate")]


def test_a_suspended_instance_fires_no_timer_until_activated(client, org):
    assert deploy(client, DEADLINE).status_code == 201
    iid = start(client, "clerk", "deadline_approve")
    assert post(client, "admin", iid, "suspend").status_code == 200
    later = utcnow() + timedelta(days=2)
    assert timers.fire_due_timers(org.db, now=later) == 0
    assert open_assignees(org, iid) == {"n": {"v01", "v02"}}, "the deadline waits"
    with org.db.uow() as s:
        assert s.scalars(select(Timer).where(Timer.instance_id == iid, Timer.kind == "deadline",
                                             Timer.fired_at.is_(None))).all(), "not lost"
    assert post(client, "admin", iid, "activate").status_code == 200
    assert timers.fire_due_timers(org.db, now=later) == 1, "due: fires after activate"
    assert open_assignees(org, iid) == {"after": {"gm"}}
    assert_inbox_matches_engine(org, iid)


@pytest.mark.parametrize("user", ["clerk", "sales_lead", "v01"])
def test_suspend_and_activate_by_others_are_403(client, org, deployed, user):
    iid = start(client, "clerk")
    assert_error(post(client, user, iid, "suspend"), 403, "forbidden")
    assert get(client, iid)["status"] == "running"
    assert post(client, "admin", iid, "suspend").status_code == 200
    assert_error(post(client, user, iid, "activate"), 403, "forbidden")
    assert get(client, iid)["status"] == "suspended"


def test_suspend_and_activate_in_the_wrong_state_are_409(client, org, deployed, process_admin):
    iid = start(client, "clerk")
    err = assert_error(post(client, process_admin, iid, "activate"), 409, "conflict")
    assert err["reason"] == "instance_not_suspended"
    assert post(client, process_admin, iid, "suspend").status_code == 200
    err = assert_error(post(client, process_admin, iid, "suspend"), 409, "conflict")
    assert err["reason"] == "instance_suspended"
    assert get(client, iid)["status"] == "suspended"
    # a suspended instance can still be terminated; an ended one neither suspends nor activates
    assert post(client, process_admin, iid, "terminate", {"comment": "作废"}).status_code == 200
    for op in ("suspend", "activate"):
        assert_error(post(client, process_admin, iid, op), 409, "conflict")
    assert get(client, iid)["outcome"] == "terminated"
