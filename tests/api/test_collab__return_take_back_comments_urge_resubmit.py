"""Through HTTP: 驳回 to the initiator / the previous step, 拿回, 已阅, 沟通/@, 催办 and 再次提交
(DESIGN.md §8): the happy path, 403 for the wrong person, 409 for the wrong state, 422 naming the
field, 429 for urging too often, and nothing changed on a refusal."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from notify.models import Notification
from tests.api.conftest import API, TWO_STEP, assert_error, deploy, inbox, login, start, task_of
from tests.engine import helpers as h

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def deployed(client):
    assert deploy(client, TWO_STEP).status_code == 201
    assert deploy(client, (ROOT / "bpmn" / "general_approval.bpmn").read_bytes()).status_code == 201


def post(client, user, path, body=None):
    return client.post(f"{API}{path}", json=body if body is not None else {}, headers=login(client, user))


def get(client, user, path):
    return client.get(f"{API}{path}", headers=login(client, user))


def instance(client, iid):
    return get(client, "admin", f"/process-instances/{iid}").get_json()


def _general(client, amount=500):
    return start(client, "clerk", "general_approval", {"title": "采购打印机", "amount": amount})


# ---------------------------------------------------------------- return to the initiator, resubmit


def test_return_to_initiator_then_resubmit_with_corrected_data(client, deployed, org):
    iid = _general(client)
    tid = task_of(client, "sales_lead", iid)
    r = post(client, "sales_lead", f"/tasks/{tid}/return", {"to_node": "initiator", "comment": "金额不对"})
    assert r.status_code == 200 and r.get_json()["to_node"] == "initiator"
    h.assert_inbox_matches_engine(org, iid)
    row = next(t for t in inbox(client, "clerk")["items"] if t["instance_id"] == iid)
    assert row["returned"] == {"by": "sales_lead", "comment": "金额不对", "from_node": "supervisor_approval"}
    task = get(client, "clerk", f"/tasks/{row['id']}").get_json()
    assert task["kind"] == "resubmit" and task["form"]["schema"] is not None
    assert task["data"]["title"] == "采购打印机" and set(task["form"]["editable"]) >= {"title", "amount"}
    # bad data: 422 naming the field, and nothing changed
    r = post(client, "clerk", f"/tasks/{row['id']}/approve", {"data": {"amount": -5}})
    assert "data.amount" in assert_error(r, 422, "validation_failed")["fields"]
    assert [t["assignee"] for t in instance(client, iid)["open_tasks"]] == ["clerk"]
    h.assert_inbox_matches_engine(org, iid)
    r = post(client, "clerk", f"/tasks/{row['id']}/approve", {"comment": "已改", "data": {"amount": 20000}})
    assert r.status_code == 200
    body = instance(client, iid)
    assert body["data"]["amount"] == 20000
    assert [(t["node_id"], t["assignee"]) for t in body["open_tasks"]] == [("supervisor_approval", "sales_lead")]
    h.assert_inbox_matches_engine(org, iid)
    post(client, "sales_lead", f"/tasks/{task_of(client, 'sales_lead', iid)}/approve", {"comment": "同意"})
    assert [t["node_id"] for t in instance(client, iid)["open_tasks"]] == ["head_approval"], "routes on new data"


def test_return_refusals(client, deployed, org):
    iid = _general(client)
    tid = task_of(client, "sales_lead", iid)
    assert_error(post(client, "clerk", f"/tasks/{tid}/return", {"to_node": "initiator", "comment": "x"}), 403)
    r = post(client, "sales_lead", f"/tasks/{tid}/return", {"to_node": "previous", "comment": "x"})
    assert "to_node" in assert_error(r, 422)["fields"], "no step before the first one"
    r = post(client, "sales_lead", f"/tasks/{tid}/return", {"to_node": "initiator"})
    assert "comment" in assert_error(r, 422)["fields"]
    assert [t["assignee"] for t in instance(client, iid)["open_tasks"]] == ["sales_lead"]
    h.assert_inbox_matches_engine(org, iid)


def test_return_to_previous_marks_the_reopened_task(client, deployed, org):
    iid = start(client, "clerk")
    post(client, "sales_lead", f"/tasks/{task_of(client, 'sales_lead', iid)}/approve", {"comment": "同意"})
    r = post(client, "v01", f"/tasks/{task_of(client, 'v01', iid)}/return", {"to_node": "previous", "comment": "再看"})
    assert r.status_code == 200 and r.get_json()["to_node"] == "sup"
    h.assert_inbox_matches_engine(org, iid)
    task = get(client, "sales_lead", f"/tasks/{task_of(client, 'sales_lead', iid)}").get_json()
    assert task["returned"] == {"by": "v01", "comment": "再看", "from_node": "cs"}


# ---------------------------------------------------------------- take back


def test_take_back(client, deployed, org):
    iid = start(client, "clerk")
    post(client, "sales_lead", f"/tasks/{task_of(client, 'sales_lead', iid)}/approve", {"comment": "同意"})
    for who in ("clerk", "v01", "gm"):
        assert_error(post(client, who, f"/process-instances/{iid}/take-back"), 403)
    r = post(client, "sales_lead", f"/process-instances/{iid}/take-back", {"comment": "我再看看"})
    assert r.status_code == 200 and r.get_json()["to_node"] == "sup"
    assert [t["assignee"] for t in instance(client, iid)["open_tasks"]] == ["sales_lead"]
    h.assert_inbox_matches_engine(org, iid)
    post(client, "sales_lead", f"/tasks/{task_of(client, 'sales_lead', iid)}/approve", {"comment": "同意"})
    post(client, "v01", f"/tasks/{task_of(client, 'v01', iid)}/approve", {"comment": "同意"})
    err = assert_error(post(client, "sales_lead", f"/process-instances/{iid}/take-back"), 409)
    assert err["code"] == "conflict"
    assert {t["assignee"] for t in instance(client, iid)["open_tasks"]} == {"v02"}
    h.assert_inbox_matches_engine(org, iid)
    r = post(client, "sales_lead", f"/process-instances/{iid}/take-back", {"comment": 5})
    assert "comment" in assert_error(r, 422)["fields"]


# ---------------------------------------------------------------- read status


def test_read_at_is_set_when_the_assignee_opens_the_task_not_by_an_admin(client, deployed):
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    assert next(t for t in inbox(client, "sales_lead")["items"] if t["id"] == tid)["read_at"] is None
    assert get(client, "admin", f"/tasks/{tid}").get_json()["read_at"] is None
    assert instance(client, iid)["open_tasks"][0]["read_at"] is None
    first = get(client, "sales_lead", f"/tasks/{tid}").get_json()["read_at"]
    assert first is not None
    assert get(client, "sales_lead", f"/tasks/{tid}").get_json()["read_at"] == first, "only the first time"
    assert next(t for t in inbox(client, "sales_lead")["items"] if t["id"] == tid)["read_at"] == first
    assert instance(client, iid)["open_tasks"][0]["read_at"] == first


# ---------------------------------------------------------------- comments and mentions


def test_comment_with_a_mention_lets_the_mentioned_user_read_the_instance(client, deployed):
    iid = start(client, "clerk")
    assert_error(get(client, "fin1", f"/process-instances/{iid}"), 403)
    r = post(client, "sales_lead", f"/process-instances/{iid}/comments", {"text": "请财务看一下 @fin1",
                                                                          "mentions": ["fin1"]})
    assert r.status_code == 201 and r.get_json()["mentions"] == ["fin1"]
    body = get(client, "fin1", f"/process-instances/{iid}")
    assert body.status_code == 200
    ev = [e for e in body.get_json()["history"] if e["action"] == "comment"]
    assert ev[0]["actor"] == "sales_lead" and ev[0]["detail"]["mentions"] == ["fin1"]
    assert iid in [row["instance_id"] for row in inbox(client, "fin1", "cc")["items"]], "found in 抄送"
    # the mentioned user may comment too
    assert post(client, "fin1", f"/process-instances/{iid}/comments", {"text": "收到"}).status_code == 201


def test_comment_refusals_change_nothing(client, deployed):
    iid = start(client, "clerk")
    before = len(instance(client, iid)["history"])
    assert_error(post(client, "fin1", f"/process-instances/{iid}/comments", {"text": "hi"}), 403)
    for body, field in [({"text": ""}, "text"), ({"text": "x" * 2001}, "text"), ({}, "text"),
                        ({"text": "hi", "mentions": ["nobody"]}, "mentions"),
                        ({"text": "hi", "mentions": "fin1"}, "mentions")]:
        r = post(client, "clerk", f"/process-instances/{iid}/comments", body)
        assert field in assert_error(r, 422)["fields"], body
    assert len(instance(client, iid)["history"]) == before
    assert_error(get(client, "fin1", f"/process-instances/{iid}"), 403)  # a refused mention granted nothing


# ---------------------------------------------------------------- urge


def test_urge_is_recorded_and_limited_to_once_per_ten_minutes(client, deployed, org):
    iid = start(client, "clerk")
    assert_error(post(client, "sales_lead", f"/process-instances/{iid}/urge"), 403)
    r = post(client, "clerk", f"/process-instances/{iid}/urge", {"comment": "请尽快"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["recorded"] is True and body["notified"] is True
    assert [u["username"] for u in body["users"]] == ["sales_lead"]
    with org.db.uow() as s:  # the message the answer promises: in the urge's own transaction
        sent = s.scalars(select(Notification).where(Notification.instance_id == iid, Notification.kind == "urge")).all()
        assert [(n.recipient_id, n.channel) for n in sent] == [(org["sales_lead"], "inapp")]
    again = post(client, "clerk", f"/process-instances/{iid}/urge")
    err = assert_error(again, 429, "too_many_requests")
    assert 0 < int(again.headers["Retry-After"]) <= 600 and err
    urges = [e for e in instance(client, iid)["history"] if e["action"] == "urge"]
    assert len(urges) == 1 and urges[0]["detail"]["users"] == ["sales_lead"]
    with org.db.uow(write=True) as s:  # as if it was eleven minutes ago
        ev = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.action == "urge")).one()
        ev.at = ev.at - timedelta(minutes=11)
    assert post(client, "clerk", f"/process-instances/{iid}/urge").status_code == 200


def test_urge_an_ended_instance_is_409(client, deployed):
    iid = start(client, "clerk")
    assert post(client, "clerk", f"/process-instances/{iid}/withdraw").status_code == 200
    assert_error(post(client, "clerk", f"/process-instances/{iid}/urge"), 409)


# ---------------------------------------------------------------- resubmit (再次提交)


def test_resubmit_a_withdrawn_instance(client, deployed):
    iid = _general(client, 800)
    assert_error(get(client, "clerk", f"/process-instances/{iid}/resubmit"), 409)
    assert post(client, "clerk", f"/process-instances/{iid}/withdraw").status_code == 200
    assert_error(get(client, "sales_lead", f"/process-instances/{iid}/resubmit"), 403)
    src = get(client, "clerk", f"/process-instances/{iid}/resubmit").get_json()
    assert src["process"] == "general_approval" and src["data"] == {"title": "采购打印机", "amount": 800}
    r = client.post(f"{API}/process-instances", json={"process": "general_approval", "data": src["data"],
                                                       "resubmitted_from": iid}, headers=login(client, "clerk"))
    assert r.status_code == 201
    new = instance(client, r.get_json()["id"])
    assert new["resubmitted_from"]["id"] == iid and new["status"] == "running"


def test_resubmit_of_a_rejected_instance_and_refusals(client, deployed):
    iid = start(client, "clerk")
    post(client, "sales_lead", f"/tasks/{task_of(client, 'sales_lead', iid)}/reject", {"comment": "不行"})
    assert instance(client, iid)["outcome"] == "rejected"
    assert get(client, "clerk", f"/process-instances/{iid}/resubmit").status_code == 200
    started = len(inbox(client, "clerk", "started")["items"])
    for body, status, field in [({"resubmitted_from": iid}, 403, None),
                                ({"resubmitted_from": "x"}, 422, "resubmitted_from")]:
        r = client.post(f"{API}/process-instances", json={"process": "two_step", "data": {}, **body},
                        headers=login(client, "clerk2" if status == 403 else "clerk"))
        err = assert_error(r, status)
        assert field is None or field in err["fields"]
    r = client.post(f"{API}/process-instances", json={"process": "general_approval", "data": {"title": "t",
                    "amount": 1}, "resubmitted_from": iid}, headers=login(client, "clerk"))
    assert "resubmitted_from" in assert_error(r, 422)["fields"], "another process"
    running = start(client, "clerk")
    r = client.post(f"{API}/process-instances", json={"process": "two_step", "data": {},
                                                       "resubmitted_from": running}, headers=login(client, "clerk"))
    assert_error(r, 409)
    assert len(inbox(client, "clerk", "started")["items"]) == started + 1, "only `running` was started"
