"""Each event tells the right people, in the action's transaction (DESIGN.md §8 "Notifications")."""
from __future__ import annotations

from datetime import timedelta

from db.base import utcnow
from engine import audit
from engine.timers import fire_due_timers
from tests.api.conftest import API, HANDLE_CC, TWO_STEP, act, deploy, login, start, task_of
from tests.bpmn_factory import chain, user_task
from tests.notify.conftest import inapp, my_notifications, outbox

REMIND = chain("remind_me", [user_task("sup", "any", "supervisor", extra='<lz:deadline duration="PT1H" action="remind"/>')],
               prefix="RM")


def test_a_new_task_tells_its_assignee_only_with_a_link_to_the_task(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    assert inapp(org) == [("sales_lead", "task", tid)]
    body = my_notifications(client, "sales_lead")
    assert body["unread"] == 1 and body["total"] == 1
    (item,) = body["items"]
    assert item["url"] == f"/tasks/{tid}" and item["instance_id"] == iid and item["read_at"] is None
    assert item["subject"].startswith("待办") and "sup" in item["text"]
    assert my_notifications(client, "clerk")["total"] == 0


def test_countersign_tells_every_signer_and_the_decision_tells_the_initiator(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    act(client, "sales_lead", iid)
    assert sorted(u for u, k, _ in inapp(org, "task")) == ["sales_lead", "v01", "v02"]
    act(client, "v01", iid)
    assert inapp(org, "decided") == []
    act(client, "v02", iid)
    (decided,) = [n for n in outbox(org, channel="inapp", kind="decided")]
    assert org.name_of(decided.recipient_id) == "clerk" and decided.payload["outcome"] == "approved"
    assert decided.payload["link"] == f"/instances/{iid}"


def test_a_rejection_tells_the_initiator_it_was_rejected(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    act(client, "sales_lead", iid)
    act(client, "v01", iid, "reject")
    (decided,) = outbox(org, channel="inapp", kind="decided")
    assert org.name_of(decided.recipient_id) == "clerk" and decided.payload["outcome"] == "rejected"
    assert my_notifications(client, "clerk")["items"][0]["subject"].startswith("已驳回")


def test_urge_tells_the_current_assignees_not_the_initiator(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    act(client, "sales_lead", iid)
    r = client.post(f"{API}/process-instances/{iid}/urge", json={"comment": "请尽快"}, headers=login(client, "clerk"))
    assert r.status_code == 200, r.get_json()
    urged = inapp(org, "urge")
    assert sorted(u for u, _, _ in urged) == ["v01", "v02"]
    assert all(tid == task_of(client, u, iid) for u, _, tid in urged)
    assert "请尽快" in my_notifications(client, "v01")["items"][0]["text"]


def test_cc_tells_the_copied(org, client):
    deploy(client, HANDLE_CC)
    iid = start(client, "clerk", "handle_cc")
    act(client, "sales_lead", iid, "approve")
    assert [u for u, k, _ in inapp(org, "cc")] == ["hr1"]


def test_a_return_tells_the_person_whose_task_reopened(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    act(client, "sales_lead", iid)
    act(client, "v01", iid, "return", to_node="sup")
    (returned,) = inapp(org, "returned")
    assert returned == ("sales_lead", "returned", task_of(client, "sales_lead", iid))


def test_a_transfer_tells_the_new_assignee(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    act(client, "sales_lead", iid, "transfer", to_user="clerk2")
    assert inapp(org, "task")[-1] == ("clerk2", "task", task_of(client, "clerk2", iid))


def test_a_deadline_reminder_tells_the_overdue_assignee(org, client):
    deploy(client, REMIND)
    iid = start(client, "clerk", "remind_me")
    assert fire_due_timers(org.db, utcnow() + timedelta(hours=2)) == 1
    assert inapp(org, "overdue") == [("sales_lead", "overdue", task_of(client, "sales_lead", iid))]


def test_a_mention_in_a_comment_tells_the_mentioned(org, client):
    """The comment use case (issue 10) records `comment` with detail.mentions (usernames)."""
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    with org.db.uow(write=True) as s:
        audit.record(s, iid, "comment", org["clerk"], comment="@fin1 请看", detail={"mentions": ["fin1", "clerk"]})
    assert [u for u, _, _ in inapp(org, "mention")] == ["fin1"]  # not the author


def test_a_refused_action_writes_no_notification(org, client):
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    before = len(outbox(org))
    tid = task_of(client, "sales_lead", iid)
    # refused inside the instance transaction (after the lock): sales_lead is the assignee already
    r = client.post(f"{API}/tasks/{tid}/transfer", json={"to_user": "sales_lead"}, headers=login(client, "sales_lead"))
    assert r.status_code == 422
    assert len(outbox(org)) == before
    # and an action whose transaction rolls back after its audit event was recorded
    try:
        with org.db.uow(write=True) as s:
            audit.record(s, iid, "urge", org["clerk"], detail={"users": [org["sales_lead"]]})
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    assert len(outbox(org)) == before and inapp(org, "urge") == []


def test_email_and_webhook_rows_follow_address_and_preferences(org, client):
    h = login(client, "sales_lead")
    r = client.patch(f"{API}/me/settings", json={"email": "lead@example.com",
                                                 "preferences": {"urge": {"email": False}}}, headers=h)
    assert r.status_code == 200, r.get_json()
    deploy(client, TWO_STEP)
    iid = start(client, "clerk")
    client.post(f"{API}/process-instances/{iid}/urge", json={}, headers=login(client, "clerk"))
    rows = {(n.kind, n.channel): n.status for n in outbox(org, recipient="sales_lead")}
    assert rows == {("task", "inapp"): "sent", ("task", "email"): rows[("task", "email")], ("urge", "inapp"): "sent"}
    assert outbox(org, recipient="clerk") == []
