"""Task actions through HTTP (approve, reject, return, transfer, add-signer), the inbox boxes, paging."""
from __future__ import annotations

import pytest

from tests.api.conftest import API, HANDLE_CC, TWO_STEP, assert_error, deploy, inbox, login, start, task_of


@pytest.fixture
def deployed(client):
    assert deploy(client, TWO_STEP).status_code == 201
    assert deploy(client, HANDLE_CC).status_code == 201


def act(client, user, task_id, action, body=None):
    return client.post(f"{API}/tasks/{task_id}/{action}", json=body if body is not None else {},
                       headers=login(client, user))


def instance(client, iid):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()


def past_sup(client, iid):
    """Approve the supervisor node; the countersign node opens for v01 and v02."""
    assert act(client, "sales_lead", task_of(client, "sales_lead", iid), "approve", {"comment": "同意"}).status_code \
        == 200


# ---------------------------------------------------------------- approve


def test_approve_moves_the_instance_on_and_completes_it(client, deployed):
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    r = act(client, "sales_lead", tid, "approve", {"comment": "同意", "data": {"checked": True}})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert {t["assignee"] for t in instance(client, iid)["open_tasks"]} == {"v01", "v02"}
    for user in ("v01", "v02"):
        assert act(client, user, task_of(client, user, iid), "approve").status_code == 200
    body = instance(client, iid)
    assert body["status"] == "completed" and body["end_event"] == "end"
    assert body["data"]["checked"] is True and body["data"]["cs"]["outcome"] == "approved"


def test_approve_by_a_non_assignee_is_403_and_changes_nothing(client, deployed):
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    for user in ("clerk", "sales_head", "admin", "v01"):
        assert_error(act(client, user, tid, "approve"), 403, "forbidden")
    assert [t["assignee"] for t in instance(client, iid)["open_tasks"]] == ["sales_lead"]


def test_acting_on_a_task_no_longer_open_is_409(client, deployed):
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    assert act(client, "sales_lead", tid, "approve").status_code == 200
    for action, body in [("approve", {}), ("reject", {"comment": "no"}), ("transfer", {"to_user": "gm"}),
                         ("return", {"to_node": "sup", "comment": "x"}), ("add-signer", {"users": ["gm"]})]:
        assert_error(act(client, "sales_lead", tid, action, body), 409, "conflict")


def test_unknown_task_is_404(client, deployed):
    assert_error(act(client, "clerk", 999999, "approve"), 404)
    assert_error(client.get(f"{API}/tasks/999999", headers=login(client, "clerk")), 404)


def test_approve_with_an_empty_body_and_unknown_keys(client, deployed):
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    err = assert_error(act(client, "sales_lead", tid, "approve", {"coment": "typo"}), 422)
    assert set(err["fields"]) == {"coment"}
    err = assert_error(act(client, "sales_lead", tid, "approve", {"data": "x"}), 422)
    assert set(err["fields"]) == {"data"}
    r = client.post(f"{API}/tasks/{tid}/approve", headers=login(client, "sales_lead"))  # no body at all
    assert r.status_code == 200


# ---------------------------------------------------------------- reject


def test_reject_requires_a_comment(client, deployed):
    iid = start(client, "clerk")
    past_sup(client, iid)
    tid = task_of(client, "v01", iid)
    for body in ({}, {"comment": ""}, {"comment": "   "}):
        err = assert_error(act(client, "v01", tid, "reject", body), 422, "validation_failed")
        assert set(err["fields"]) == {"comment"}
    assert_error(act(client, "v01", tid, "reject", {"comment": 5}), 422)
    assert instance(client, iid)["status"] == "running"


def test_reject_decides_a_countersign_node(client, deployed):
    iid = start(client, "clerk")
    past_sup(client, iid)
    v01, v02 = task_of(client, "v01", iid), task_of(client, "v02", iid)
    assert_error(act(client, "v02", v01, "reject", {"comment": "不同意"}), 403)
    r = act(client, "v01", v01, "reject", {"comment": "不同意"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    body = instance(client, iid)
    assert body["status"] == "completed" and body["end_event"] == "end_rejected"
    assert_error(act(client, "v02", v02, "approve"), 409)


def test_reject_on_a_handle_task_is_409(client, deployed):
    iid = start(client, "clerk", "handle_cc")
    assert_error(act(client, "sales_lead", task_of(client, "sales_lead", iid), "reject", {"comment": "x"}), 409)


# ---------------------------------------------------------------- return


def test_return_to_an_earlier_node(client, deployed):
    iid = start(client, "clerk")
    past_sup(client, iid)
    tid = task_of(client, "v01", iid)
    assert set(client.get(f"{API}/tasks/{tid}", headers=login(client, "v01")).get_json()["returnable_nodes"]) \
        == {"sup"}
    err = assert_error(act(client, "v01", tid, "return", {"to_node": "sup"}), 422)
    assert set(err["fields"]) == {"comment"}
    err = assert_error(act(client, "v01", tid, "return", {"to_node": "nowhere", "comment": "x"}), 422)
    assert set(err["fields"]) == {"to_node"}
    assert_error(act(client, "v02", tid, "return", {"to_node": "sup", "comment": "x"}), 403)

    r = act(client, "v01", tid, "return", {"to_node": "sup", "comment": "请补充材料"})
    assert r.status_code == 200 and r.get_json()["to_node"] == "sup"
    assert [(t["node_id"], t["assignee"]) for t in instance(client, iid)["open_tasks"]] == [("sup", "sales_lead")]
    assert inbox(client, "v02")["total"] == 0


# ---------------------------------------------------------------- transfer


def test_transfer_hands_the_task_to_another_user(client, deployed):
    iid = start(client, "clerk")
    tid = task_of(client, "sales_lead", iid)
    assert_error(act(client, "clerk", tid, "transfer", {"to_user": "gm"}), 403)
    err = assert_error(act(client, "sales_lead", tid, "transfer", {"to_user": "ghost"}), 422)
    assert set(err["fields"]) == {"to_user"}
    assert_error(act(client, "sales_lead", tid, "transfer", {}), 422)

    r = act(client, "sales_lead", tid, "transfer", {"to_user": "sales_head", "comment": "请领导定"})
    assert r.status_code == 200
    new = r.get_json()["new_task"]
    assert task_of(client, "sales_head", iid) == new
    assert inbox(client, "sales_lead")["total"] == 0
    assert_error(act(client, "sales_lead", tid, "approve"), 409)
    assert act(client, "sales_head", new, "approve").status_code == 200


# ---------------------------------------------------------------- add signer


def test_add_signer_to_the_open_node(client, deployed):
    iid = start(client, "clerk")
    past_sup(client, iid)
    tid = task_of(client, "v01", iid)
    assert_error(act(client, "v03", tid, "add-signer", {"users": ["v04"]}), 403)
    for body in ({}, {"users": []}, {"users": "v03"}, {"users": ["v03", "v03"]}, {"users": ["ghost"]}):
        err = assert_error(act(client, "v01", tid, "add-signer", body), 422)
        assert set(err["fields"]) == {"users"}, body

    r = act(client, "v01", tid, "add-signer", {"users": ["v03"], "comment": "请法务也看看"})
    assert r.status_code == 200 and r.get_json()["assignees"] == 3
    for user in ("v01", "v02"):
        act(client, user, task_of(client, user, iid), "approve")
    assert instance(client, iid)["status"] == "running"  # all must approve: v03 too
    act(client, "v03", task_of(client, "v03", iid), "approve")
    assert instance(client, iid)["status"] == "completed"


# ---------------------------------------------------------------- reading a task


def test_get_task_for_assignee_and_admin_only(client, deployed):
    iid = start(client, "clerk", data={"amount": 3})
    tid = task_of(client, "sales_lead", iid)
    r = client.get(f"{API}/tasks/{tid}", headers=login(client, "sales_lead"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == tid and body["instance_id"] == iid and body["node_id"] == "sup"
    assert body["data"]["amount"] == 3 and "approve" in body["actions"] and "form" in body
    assert client.get(f"{API}/tasks/{tid}", headers=login(client, "admin")).get_json()["actions"] == []
    for user in ("clerk", "v01"):
        assert_error(client.get(f"{API}/tasks/{tid}", headers=login(client, user)), 403)


# ---------------------------------------------------------------- boxes


def test_boxes_todo_done_started_cc(client, deployed):
    a = start(client, "clerk")
    b = start(client, "clerk", "handle_cc")
    assert {t["instance_id"] for t in inbox(client, "sales_lead")["items"]} == {a, b}
    row = inbox(client, "sales_lead")["items"][0]
    assert {"id", "instance_id", "process", "node_id", "node_name", "title", "created_at", "due_at"} <= set(row)

    act(client, "sales_lead", task_of(client, "sales_lead", a), "approve")
    assert [t["instance_id"] for t in inbox(client, "sales_lead")["items"]] == [b]
    done = inbox(client, "sales_lead", "done")
    assert done["total"] == 1 and done["items"][0]["instance_id"] == a and done["items"][0]["status"] == "approved"

    started = inbox(client, "clerk", "started")
    assert started["total"] == 2 and {r["instance_id"] for r in started["items"]} == {a, b}
    assert inbox(client, "sales_lead", "started")["total"] == 0

    cc = inbox(client, "hr1", "cc")
    assert cc["total"] == 1 and cc["items"][0]["instance_id"] == b
    assert inbox(client, "clerk", "cc")["total"] == 0
    # a cc'd user can read the instance
    assert client.get(f"{API}/process-instances/{b}", headers=login(client, "hr1")).status_code == 200

    counts = client.get(f"{API}/tasks/counts", headers=login(client, "sales_lead")).get_json()
    assert counts["todo"] == 1
    assert client.get(f"{API}/tasks/counts", headers=login(client, "hr1")).get_json()["cc_unread"] == 1


def test_default_box_is_todo_and_unknown_box_is_422(client, deployed):
    start(client, "clerk")
    lead = login(client, "sales_lead")
    assert client.get(f"{API}/tasks", headers=lead).get_json()["total"] == 1
    err = assert_error(client.get(f"{API}/tasks", query_string={"box": "spam"}, headers=lead), 422)
    assert set(err["fields"]) == {"box"}


def test_pagination_totals(client, deployed):
    ids = [start(client, "clerk") for _ in range(5)]
    page1 = inbox(client, "sales_lead", per_page=2)
    page3 = inbox(client, "sales_lead", per_page=2, page=3)
    assert page1["total"] == page3["total"] == 5
    assert len(page1["items"]) == 2 and len(page3["items"]) == 1
    assert page1["page"] == 1 and page1["per_page"] == 2
    everything = [t["instance_id"] for p in (1, 2, 3) for t in inbox(client, "sales_lead", per_page=2, page=p)["items"]]
    assert sorted(everything) == sorted(ids)
    assert inbox(client, "sales_lead", page=9)["items"] == []
    assert inbox(client, "sales_lead")["per_page"] == 20


@pytest.mark.parametrize("params, fields", [
    ({"page": 0}, {"page"}), ({"page": -1}, {"page"}), ({"page": "x"}, {"page"}), ({"page": "1.5"}, {"page"}),
    ({"per_page": 0}, {"per_page"}), ({"per_page": 101}, {"per_page"}), ({"per_page": ""}, {"per_page"}),
    ({"page": "9" * 5000}, {"page"}), ({"page": 0, "per_page": 1000}, {"page", "per_page"}),
])
def test_bad_page_is_400(client, params, fields):
    r = client.get(f"{API}/tasks", query_string=params, headers=login(client, "clerk"))
    assert set(assert_error(r, 400, "bad_request")["fields"]) == fields
    r = client.get(f"{API}/users", query_string=params, headers=login(client, "clerk"))
    assert set(assert_error(r, 400)["fields"]) == fields


def test_the_inbox_filters_work_in_the_api_as_in_the_page(client, deployed):
    """GET /tasks takes the page's filters: process, q, from/to (days in the organisation's zone), sort."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    two = start(client, "clerk", "two_step")
    handle = start(client, "clerk", "handle_cc")
    everything = inbox(client, "sales_lead")
    assert {row["instance_id"] for row in everything["items"]} >= {two, handle}
    only_two = inbox(client, "sales_lead", process="two_step")
    assert {row["instance_id"] for row in only_two["items"]} == {two} and only_two["total"] == 1
    key = instance(client, handle)["business_key"]
    by_key = inbox(client, "sales_lead", q=key.lower())
    assert [row["instance_id"] for row in by_key["items"]] == [handle]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert inbox(client, "sales_lead", **{"from": today.isoformat(), "to": today.isoformat()})["total"] == 2
    assert inbox(client, "sales_lead", **{"from": (today + timedelta(days=1)).isoformat()})["total"] == 0
    assert inbox(client, "sales_lead", **{"to": (today - timedelta(days=1)).isoformat()})["total"] == 0
    assert inbox(client, "sales_lead", sort="due")["total"] == 2
    for params, field in (({"sort": "sideways"}, "sort"), ({"from": "2026-13-01"}, "from"),
                          ({"to": "yesterday"}, "to"), ({"q": "x" * 101}, "q")):
        r = client.get(f"{API}/tasks", query_string=params, headers=login(client, "sales_lead"))
        assert field in assert_error(r, 422, "validation_failed")["fields"]
