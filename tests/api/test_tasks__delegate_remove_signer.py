"""委派 delegate (with resolve-back) and 减签 remove signer through HTTP: the happy paths, 403 for the
wrong person, 409 for a wrong state, 422 naming the field, nothing changed on refusal, and the
inbox matching the engine after every step."""
from __future__ import annotations

import pytest

from crm import org as org_svc
from tests.api.conftest import API, assert_error, deploy, inbox, login, start, task_of
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h

ALL3 = chain("ops_all", [user_task("cs", "all", "users", "v01,v02,v03")], prefix="OA", route_last=True)
SEQ3 = chain("ops_seq", [user_task("s", "sequential", "users", "v01,v02,v03")], prefix="OS", route_last=True)
READ2 = chain("ops_read", [user_task("r", "read", "users", "v01,v02")], prefix="OR")


@pytest.fixture
def deployed(client):
    for xml in (ALL3, SEQ3, READ2):
        assert deploy(client, xml).status_code == 201


def post(client, user, task_id, action, body=None):
    return client.post(f"{API}/tasks/{task_id}/{action}", json=body if body is not None else {},
                       headers=login(client, user))


def get(client, user, task_id):
    r = client.get(f"{API}/tasks/{task_id}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def instance(client, iid):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()


def holders(client, iid):
    return sorted(t["assignee"] for t in instance(client, iid)["open_tasks"])


# ---------------------------------------------------------------- 委派 delegate


def test_delegate_resolve_then_the_delegators_own_vote_decides(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    mine = task_of(client, "v01", iid)
    r = post(client, "v01", mine, "delegate", {"to_user": "v10", "comment": "请帮我看一下合同条款"})
    assert r.status_code == 200 and r.get_json()["status"] == "delegated"
    h.assert_inbox_matches_engine(org, iid)
    assert [t for t in inbox(client, "v01")["items"] if t["instance_id"] == iid] == [], "out of the 待办"
    theirs = task_of(client, "v10", iid)
    assert theirs == r.get_json()["new_task"]
    seen = get(client, "v10", theirs)
    assert seen["actions"] == ["approve", "reject"]
    assert seen["delegated_from"]["username"] == "v01"
    assert get(client, "v01", mine)["actions"] == [], "a delegated task waits"

    r = post(client, "v10", theirs, "approve", {"comment": "条款没问题"})
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"
    h.assert_inbox_matches_engine(org, iid)
    assert task_of(client, "v01", iid) == mine, "the task is back in the delegator's 待办"
    back = get(client, "v01", mine)
    assert back["status"] == "open" and "approve" in back["actions"]
    assert back["delegation"]["to"]["username"] == "v10"
    assert (back["delegation"]["opinion"], back["delegation"]["comment"]) == ("approve", "条款没问题")

    for user in ("v02", "v03"):
        assert post(client, user, task_of(client, user, iid), "approve").status_code == 200
    assert instance(client, iid)["status"] == "running", "the delegate's opinion is not a vote"
    assert post(client, "v01", mine, "reject", {"comment": "仍有风险"}).status_code == 200
    body = instance(client, iid)
    assert body["end_event"] == "end_rejected"
    assert [v["user"] for v in body["data"]["cs"]["votes"]] == ["v02", "v03", "v01"]
    actions = [e["action"] for e in body["history"]]
    assert "delegate" in actions and "resolve" in actions
    h.assert_inbox_matches_engine(org, iid)


def test_delegate_refusals_change_nothing(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    mine = task_of(client, "v01", iid)
    with org.db.uow(write=True) as s:
        org_svc.update_user(s, org["v20"], {"active": False})
    assert_error(post(client, "v02", mine, "delegate", {"to_user": "v10"}), 403, "forbidden")
    for body in ({}, {"to_user": ""}, {"to_user": "v01"}, {"to_user": "ghost"}, {"to_user": "v20"},
                 {"to_user": "v02"}, {"to_user": 7}):
        err = assert_error(post(client, "v01", mine, "delegate", body), 422)
        assert set(err["fields"]) == {"to_user"}, (body, err)
    err = assert_error(post(client, "v01", mine, "delegate", {"to_user": "v10", "when": "now"}), 422)
    assert set(err["fields"]) == {"when"}
    assert holders(client, iid) == ["v01", "v02", "v03"]
    h.assert_inbox_matches_engine(org, iid)

    assert post(client, "v01", mine, "delegate", {"to_user": "v10"}).status_code == 200
    assert_error(post(client, "v01", mine, "delegate", {"to_user": "v11"}), 409)
    assert_error(post(client, "v01", mine, "approve"), 409)
    theirs = task_of(client, "v10", iid)
    assert_error(post(client, "v10", theirs, "delegate", {"to_user": "v11"}), 409)
    assert_error(post(client, "v10", theirs, "transfer", {"to_user": "v11"}), 409)
    assert_error(post(client, "v02", task_of(client, "v02", iid), "delegate", {"to_user": "v10"}), 422)
    assert holders(client, iid) == ["v02", "v03", "v10"]

    rid = start(client, "clerk", "ops_read")
    assert_error(post(client, "v01", task_of(client, "v01", rid), "delegate", {"to_user": "v10"}), 409)


def test_when_the_node_decides_meanwhile_the_delegation_is_cancelled(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    mine = task_of(client, "v01", iid)
    assert post(client, "v01", mine, "delegate", {"to_user": "v10"}).status_code == 200
    theirs = task_of(client, "v10", iid)
    assert post(client, "v02", task_of(client, "v02", iid), "reject", {"comment": "不行"}).status_code == 200
    assert instance(client, iid)["end_event"] == "end_rejected"
    assert get(client, "v01", mine)["status"] == "cancelled"
    assert get(client, "v10", theirs)["status"] == "cancelled"
    assert_error(post(client, "v10", theirs, "approve"), 409)
    assert inbox(client, "v10")["total"] == 0
    h.assert_inbox_matches_engine(org, iid)


# ---------------------------------------------------------------- 减签 remove signer


def test_remove_signer_shrinks_the_node_and_the_rest_decide(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    assert post(client, "v02", task_of(client, "v02", iid), "approve").status_code == 200
    mine = task_of(client, "v01", iid)
    seen = get(client, "v01", mine)
    assert "remove_signer" in seen["actions"]
    assert [p["username"] for p in seen["removable"]] == ["v03"], "not yourself, not who voted"
    v03 = task_of(client, "v03", iid)
    r = post(client, "v01", mine, "remove-signer", {"users": ["v03"], "comment": "不需要他了"})
    assert r.status_code == 200 and r.get_json()["assignees"] == 2
    h.assert_inbox_matches_engine(org, iid)
    assert inbox(client, "v03")["total"] == 0
    assert get(client, "admin", v03)["status"] == "removed"
    assert post(client, "v01", mine, "approve").status_code == 200
    body = instance(client, iid)
    assert body["end_event"] == "end" and [v["user"] for v in body["data"]["cs"]["votes"]] == ["v02", "v01"]
    ev = [e for e in body["history"] if e["action"] == "remove_signer"][0]
    assert ev["actor"] == "v01" and ev["detail"]["users"] == ["v03"] and ev["comment"] == "不需要他了"


def test_a_process_admin_may_remove_and_the_rule_decides_at_once(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    for user in ("v01", "v02"):
        assert post(client, user, task_of(client, user, iid), "approve").status_code == 200
    v03 = task_of(client, "v03", iid)
    r = post(client, "admin", v03, "remove-signer", {"users": ["v03"]})
    assert r.status_code == 200 and r.get_json()["node_status"] == "approved"
    assert instance(client, iid)["end_event"] == "end"
    h.assert_inbox_matches_engine(org, iid)


def test_remove_signer_refusals_change_nothing(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    assert post(client, "v02", task_of(client, "v02", iid), "approve").status_code == 200
    mine = task_of(client, "v01", iid)
    assert_error(post(client, "clerk", mine, "remove-signer", {"users": ["v03"]}), 403, "forbidden")
    assert_error(post(client, "v03", mine, "remove-signer", {"users": ["v01"]}), 403, "forbidden")
    for body in ({}, {"users": []}, {"users": "v03"}, {"users": ["ghost"]}, {"users": ["v10"]},
                 {"users": ["v03", "v03"]}, {"users": [3]}):
        err = assert_error(post(client, "v01", mine, "remove-signer", body), 422)
        assert set(err["fields"]) == {"users"}, (body, err)
    assert_error(post(client, "v01", mine, "remove-signer", {"users": ["v02"]}), 409, "conflict")  # voted
    r = post(client, "admin", mine, "remove-signer", {"users": ["v01", "v03"]})
    assert r.status_code == 200, "v02 remains, and has approved: the node decides"
    assert instance(client, iid)["end_event"] == "end"
    assert_error(post(client, "admin", mine, "remove-signer", {"users": ["v01"]}), 409, "conflict")

    jid = start(client, "clerk", "ops_all")
    mine = task_of(client, "v01", jid)
    err = assert_error(post(client, "v01", mine, "remove-signer", {"users": ["v01", "v02", "v03"]}), 409)
    assert "remain" in err["message"]
    assert holders(client, jid) == ["v01", "v02", "v03"]
    h.assert_inbox_matches_engine(org, jid)


def test_removing_the_current_sequential_approver_opens_the_next(client, org, deployed):
    iid = start(client, "clerk", "ops_seq")
    v01 = task_of(client, "v01", iid)
    assert post(client, "v01", v01, "remove-signer", {"users": ["v02"]}).status_code == 200
    assert holders(client, iid) == ["v01"]
    assert post(client, "admin", v01, "remove-signer", {"users": ["v01"]}).status_code == 200
    assert holders(client, iid) == ["v03"], "v02 was removed, so v03's turn"
    h.assert_inbox_matches_engine(org, iid)
    assert post(client, "v03", task_of(client, "v03", iid), "approve").status_code == 200
    assert [v["user"] for v in instance(client, iid)["data"]["s"]["votes"]] == ["v03"]


def test_removing_a_delegator_cancels_the_delegation(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    v01 = task_of(client, "v01", iid)
    assert post(client, "v01", v01, "delegate", {"to_user": "v10"}).status_code == 200
    v02 = task_of(client, "v02", iid)
    assert post(client, "v02", v02, "remove-signer", {"users": ["v01"]}).status_code == 200
    assert holders(client, iid) == ["v02", "v03"]
    assert inbox(client, "v10")["total"] == 0
    h.assert_inbox_matches_engine(org, iid)


def test_a_delegate_gives_an_opinion_but_cannot_return_or_transfer_the_task(client, org, deployed):
    iid = start(client, "clerk", "ops_all")
    mine = task_of(client, "v01", iid)
    theirs = post(client, "v01", mine, "delegate", {"to_user": "v10"}).get_json()["new_task"]
    before = instance(client, iid)
    err = assert_error(post(client, "v10", theirs, "return", {"to_node": "initiator", "comment": "退回"}), 409)
    assert "return" in err["message"]
    assert_error(post(client, "v10", theirs, "transfer", {"to_user": "v11"}), 409)
    after = instance(client, iid)
    assert after["open_tasks"] == before["open_tasks"] and after["history"] == before["history"]
    h.assert_inbox_matches_engine(org, iid)
