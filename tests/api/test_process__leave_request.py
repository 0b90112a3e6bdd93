"""请假 end to end over HTTP as the real users: the employee asks, the supervisor approves; more than
3 days also the department head, more than 10 days also HR; approval takes the days off the
balance; a rejection goes back to the employee, who revises and resubmits or cancels.

Test org: clerk -> sales_lead -> sales_head (head of 销售部) -> gm; hr1 has the role hr.
2026-03-02 is a Monday; days are calendar days in half-day steps (no holiday calendar)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.design import definitions
from engine.models import ProcessInstance
from tests.api.conftest import API, act, assert_error, login, task_of

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "leave_request.bpmn").read_bytes()
DECISIONS = ("approve", "reject", "auto_approve", "complete")


@pytest.fixture
def leave(client, org):
    definitions.deploy(org.db, XML, org["admin"])
    for user, leave_type, days in [("clerk", "annual", 15), ("clerk", "sick", 2), ("sales_lead", "annual", 5)]:
        r = client.post(f"{API}/leave-balances", headers=login(client, "hr1"),
                        json={"user": user, "leave_type": leave_type, "days": days})
        assert r.status_code == 201, r.get_json()
    return org


def request(leave_type="annual", start="2026-03-02", start_half="am", end="2026-03-03", end_half="pm",
            reason="回老家探亲"):
    return {"leave_type": leave_type, "start_date": start, "start_half": start_half, "end_date": end,
            "end_half": end_half, "reason": reason}


def start(client, data, user="clerk"):
    return client.post(f"{API}/process-instances", headers=login(client, user),
                       json={"process": "leave_request", "data": data})


def started(client, data, user="clerk"):
    r = start(client, data, user)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["business_key"].startswith("QJ-")
    return r.get_json()["id"]


def instance(client, iid, user="clerk"):
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def route(client, iid, user="clerk"):
    """(node, who, what) of every decision taken, in order."""
    return [(e["node_id"], e["actor"], e["action"]) for e in instance(client, iid, user)["history"]
            if e["action"] in DECISIONS]


def balance(client, user="clerk", leave_type="annual"):
    items = client.get(f"{API}/leave-balances", headers=login(client, user)).get_json()["items"]
    return next(b["days"] for b in items if b["leave_type"] == leave_type)






def open_tasks(client, iid):
    return [(t["node_id"], t["assignee"]) for t in instance(client, iid)["open_tasks"]]


def count_instances(org):
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ProcessInstance))


def test_up_to_3_days_only_the_supervisor_approves(client, leave):
    iid = started(client, request(start_half="pm", end="2026-03-04", end_half="am"))  # 2.0 days
    inst = instance(client, iid)
    assert inst["data"]["check"]["result"]["days"] == 2.0
    assert open_tasks(client, iid) == [("supervisor", "sales_lead")]
    assert balance(client) == "15.0", "nothing is taken before approval"
    act(client, "sales_lead", iid)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert route(client, iid) == [("supervisor", "sales_lead", "approve")]
    assert inst["data"]["deduct"]["result"] == {"leave_type": "annual", "days": 2.0, "balance_before": 15.0,
                                                "balance_after": 13.0}
    assert balance(client) == "13.0"
    cc = client.get(f"{API}/tasks?box=cc", headers=login(client, "hr1")).get_json()
    assert [row["instance_id"] for row in cc["items"]] == [iid], "HR is copied on approved leave"


def test_exactly_3_days_is_still_the_supervisor_only(client, leave):
    iid = started(client, request(end="2026-03-04"))  # Mon am .. Wed pm = 3.0
    act(client, "sales_lead", iid)
    assert instance(client, iid)["status"] == "completed"
    assert balance(client) == "12.0"


def test_4_to_10_days_also_the_department_head(client, leave):
    iid = started(client, request(end="2026-03-06", end_half="am"))  # Mon am .. Fri am = 4.5
    act(client, "sales_lead", iid)
    assert open_tasks(client, iid) == [("dept_head", "sales_head")]
    assert balance(client) == "15.0"
    act(client, "sales_head", iid)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert route(client, iid) == [("supervisor", "sales_lead", "approve"), ("dept_head", "sales_head", "approve")]
    assert balance(client) == "10.5"


def test_the_department_head_is_not_asked_twice(client, leave):
    # sales_lead's supervisor is sales_head, who is also the head of 销售部: skipRepeated
    iid = started(client, request(end="2026-03-05"), user="sales_lead")  # 4.0 days of 5
    act(client, "sales_head", iid)
    inst = instance(client, iid, "sales_lead")
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert route(client, iid, "sales_lead") == [("supervisor", "sales_head", "approve"),
                                                ("dept_head", "sales_head", "auto_approve")]
    assert balance(client, "sales_lead") == "1.0"


def test_more_than_10_days_also_hr(client, leave):
    iid = started(client, request(end="2026-03-13", end_half="am"))  # 11.5 days
    act(client, "sales_lead", iid)
    act(client, "sales_head", iid)
    assert open_tasks(client, iid) == [("hr", "hr1")]
    act(client, "hr1", iid)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert [n for n, _, _ in route(client, iid)] == ["supervisor", "dept_head", "hr"]
    assert balance(client) == "3.5"


def test_approvers_cannot_change_the_request(client, leave):
    iid = started(client, request())
    tid = task_of(client, "sales_lead", iid)
    r = client.post(f"{API}/tasks/{tid}/approve", headers=login(client, "sales_lead"),
                    json={"data": {"end_date": "2026-03-02"}})
    assert "data.end_date" in assert_error(r, 422)["fields"]
    r = client.post(f"{API}/tasks/{tid}/approve", headers=login(client, "sales_lead"),
                    json={"data": {"check": {"result": {"days": 0}}}})
    assert "data.check" in assert_error(r, 422)["fields"]
    act(client, "sales_lead", iid)
    assert balance(client) == "13.0"


def test_insufficient_balance_is_refused_at_start_and_nothing_is_created(client, leave):
    before = count_instances(leave)
    err = assert_error(start(client, request(leave_type="sick", end="2026-03-04", end_half="am")), 422)  # 2.5 > 2
    assert "insufficient balance" in err["fields"]["data.leave_type"]
    assert "2.0" in err["fields"]["data.leave_type"] and "2.5" in err["fields"]["data.leave_type"]
    err = assert_error(start(client, request(leave_type="personal")), 422)  # no balance of that type at all
    assert "0" in err["fields"]["data.leave_type"]
    err = assert_error(start(client, request(end="2026-03-20")), 422)  # 15 available, 19 asked
    assert "data.leave_type" in err["fields"]
    assert count_instances(leave) == before
    assert client.get(f"{API}/tasks?box=todo", headers=login(client, "sales_lead")).get_json()["total"] == 0
    assert balance(client, leave_type="sick") == "2.0"
    assert started(client, request(leave_type="sick", end="2026-03-03", end_half="pm"))  # exactly 2.0 is fine


def test_invalid_dates_are_field_errors(client, leave):
    before = count_instances(leave)
    err = assert_error(start(client, request(start="2026-03-05", end="2026-03-04")), 422)
    assert "before the start" in err["fields"]["data.end_date"]
    err = assert_error(start(client, request(end="2026-03-02", start_half="pm", end_half="am")), 422)
    assert "data.end_date" in err["fields"], "Monday afternoon to Monday morning is nothing"
    err = assert_error(start(client, request(start="2026-02-30")), 422)
    assert "data.start_date" in err["fields"]
    err = assert_error(start(client, request(start_half="noon", leave_type="holiday", reason="")), 422)
    assert {"data.start_half", "data.leave_type", "data.reason"} <= set(err["fields"])
    assert count_instances(leave) == before
    # half a day is the smallest request
    iid = started(client, request(end="2026-03-02", end_half="am"))
    assert instance(client, iid)["data"]["check"]["result"]["days"] == 0.5


def test_rejected_revised_resubmitted_and_approved_deducts_once(client, leave):
    iid = started(client, request(end="2026-03-06"))  # 5.0 days
    act(client, "sales_lead", iid)
    act(client, "sales_head", iid, action="reject", comment="月初项目上线，请改期或缩短")
    assert open_tasks(client, iid) == [("revise", "clerk")]
    assert balance(client) == "15.0"
    task = client.get(f"{API}/tasks/{task_of(client, 'clerk', iid)}", headers=login(client, "clerk")).get_json()
    assert task["form"]["key"] == "leave_request" and "revise_action" in task["form"]["editable"]
    # the employee shortens it to 2.5 days and resubmits: recounted, the supervisor only this time
    act(client, "clerk", iid, data={"end_date": "2026-03-04", "end_half": "am", "reason": "缩短假期",
                                    "revise_action": "resubmit"})
    inst = instance(client, iid)
    assert inst["data"]["check"]["result"]["days"] == 2.5
    assert open_tasks(client, iid) == [("supervisor", "sales_lead")]
    act(client, "sales_lead", iid)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert route(client, iid) == [("supervisor", "sales_lead", "approve"), ("dept_head", "sales_head", "reject"),
                                  ("revise", "clerk", "complete"), ("supervisor", "sales_lead", "approve")]
    assert inst["data"]["reason"] == "缩短假期"
    assert balance(client) == "12.5", "deducted once, for the revised request"


def test_resubmitting_more_than_the_balance_is_refused_and_the_revision_stays_open(client, leave):
    iid = started(client, request())
    act(client, "sales_lead", iid, action="reject", comment="请说明")
    tid = task_of(client, "clerk", iid)
    r = client.post(f"{API}/tasks/{tid}/approve", headers=login(client, "clerk"),
                    json={"data": {"end_date": "2026-03-31", "revise_action": "resubmit"}})
    err = assert_error(r, 422, "validation_failed")
    assert "insufficient balance" in err["fields"]["data.leave_type"]
    assert open_tasks(client, iid) == [("revise", "clerk")]
    assert instance(client, iid)["data"]["end_date"] == "2026-03-03", "nothing of the refused step was kept"
    r = client.post(f"{API}/tasks/{tid}/approve", headers=login(client, "clerk"),
                    json={"data": {"end_date": "2026-03-01"}})
    assert "before the start" in assert_error(r, 422, "validation_failed")["fields"]["data.end_date"]
    act(client, "clerk", iid, data={"reason": "补充说明：家中有事"})  # resubmitting is the default
    act(client, "sales_lead", iid)
    assert instance(client, iid)["status"] == "completed"
    assert balance(client) == "13.0"


def test_rejected_then_cancelled(client, leave):
    iid = started(client, request(end="2026-03-13", end_half="am"))  # 11.5 days
    act(client, "sales_lead", iid)
    act(client, "sales_head", iid)
    act(client, "hr1", iid, action="reject", comment="年假需提前一个月申请")
    assert open_tasks(client, iid) == [("revise", "clerk")]
    act(client, "clerk", iid, data={"revise_action": "cancel"})
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_cancelled")
    assert inst["open_tasks"] == []
    assert balance(client) == "15.0", "a cancelled request takes nothing"
    for user in ("clerk", "sales_lead", "sales_head", "hr1"):
        assert client.get(f"{API}/tasks?box=todo", headers=login(client, user)).get_json()["total"] == 0


def test_a_cancel_sent_at_start_does_not_cancel_the_revision(client, leave):
    iid = started(client, {**request(), "revise_action": "cancel"})
    act(client, "sales_lead", iid, action="reject", comment="改期")
    act(client, "clerk", iid, data={"start_date": "2026-03-03"})  # no choice: resubmit
    assert open_tasks(client, iid) == [("supervisor", "sales_lead")]
    assert instance(client, iid)["data"]["check"]["result"]["days"] == 1.0


def test_the_balance_is_checked_again_when_the_leave_is_approved(client, leave):
    first = started(client, request(end="2026-03-06"))  # 5.0
    second = started(client, request(start="2026-04-06", end="2026-04-15"))  # 10.0; 15 available at start
    act(client, "sales_lead", first)
    act(client, "sales_head", first)
    assert balance(client) == "10.0"
    act(client, "sales_lead", second)
    tid = task_of(client, "sales_head", second)
    r = client.post(f"{API}/tasks/{tid}/approve", json={}, headers=login(client, "sales_head"))
    assert r.status_code == 200, r.get_json()
    assert balance(client) == "0.0"
    third = started(client, request(leave_type="sick", end="2026-03-02", end_half="am"))
    assert third
    # a balance lowered by HR meanwhile: the approval that would overdraw it is refused, nothing changes
    r = client.get(f"{API}/leave-balances", headers=login(client, "hr1")).get_json()
    sick = next(b for b in r["items"] if b["leave_type"] == "sick" and b["user"] == "clerk")
    r = client.patch(f"{API}/leave-balances/{sick['id']}", json={"days": 0}, headers=login(client, "hr1"))
    assert r.status_code == 200, r.get_json()
    tid = task_of(client, "sales_lead", third)
    err = assert_error(client.post(f"{API}/tasks/{tid}/approve", json={}, headers=login(client, "sales_lead")), 422)
    assert "insufficient balance" in err["message"]
    assert open_tasks(client, third) == [("supervisor", "sales_lead")]
    assert balance(client, leave_type="sick") == "0.0"


def test_shipped_file_deploys_over_http(client, org):
    r = client.post(f"{API}/process-definitions", data=XML, content_type="application/xml",
                    headers=login(client, "admin"))
    assert r.status_code in (200, 201), r.get_json()
