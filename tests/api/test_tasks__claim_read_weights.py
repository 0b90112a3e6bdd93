"""认领 claim / unclaim, 阅办 read-only nodes, 票签 weighted votes, 前加签/后加签 and 加签 on `any`,
through HTTP: happy paths, 403 / 409 / 422 with nothing changed, the inbox matching the engine."""
from __future__ import annotations

import pytest

from tests.api.conftest import API, assert_error, deploy, inbox, login, start, task_of
from tests.api.test_tasks__delegate_remove_signer import get, holders, instance, post
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h

CLAIM3 = chain("ops_claim", [user_task("c", "claim", "users", "v01,v02,v03")], prefix="OC", route_last=True)
READ2 = chain("ops_read", [user_task("r", "read", "users", "v01,v02")], prefix="OR")
SEQ3 = chain("ops_seq", [user_task("s", "sequential", "users", "v01,v02,v03")], prefix="OS", route_last=True)
ANY2 = chain("ops_any", [user_task("a", "any", "users", "v01,v02")], prefix="OY", route_last=True)
ALL3 = chain("ops_all", [user_task("cs", "all", "users", "v01,v02,v03")], prefix="OA", route_last=True)


def weighted(process_id: str, mode: str, weights: str, attrs: str = "") -> bytes:
    node = user_task("m", mode, "users", "v01,v02,v03", approval_attrs=attrs).replace(
        'value="v01,v02,v03"/>', f'value="v01,v02,v03" weights="{weights}"/>')
    return chain(process_id, [node], prefix="OW", route_last=True)


@pytest.fixture
def deployed(client):
    for xml in (CLAIM3, READ2, SEQ3, ANY2, ALL3):
        assert deploy(client, xml).status_code == 201


# ---------------------------------------------------------------- 认领 claim / unclaim


def test_claim_makes_the_task_mine_and_unclaim_gives_it_back(client, org, deployed):
    iid = start(client, "clerk", "ops_claim")
    ids = {u: task_of(client, u, iid) for u in ("v01", "v02", "v03")}
    h.assert_inbox_matches_engine(org, iid)
    assert get(client, "v01", ids["v01"])["actions"] == ["claim", "transfer"]
    err = assert_error(post(client, "v01", ids["v01"], "approve"), 409, "conflict")
    assert "claim" in err["message"]
    assert_error(post(client, "v01", ids["v01"], "reject", {"comment": "x"}), 409)

    r = post(client, "v02", ids["v02"], "claim")
    assert r.status_code == 200 and r.get_json()["claimed"] is True
    h.assert_inbox_matches_engine(org, iid)
    assert holders(client, iid) == ["v02"]
    assert inbox(client, "v01")["total"] == 0 and inbox(client, "v03")["total"] == 0
    seen = get(client, "v02", ids["v02"])
    assert seen["claimed"] is True and {"approve", "reject", "unclaim"} <= set(seen["actions"])
    assert "claim" not in seen["actions"]
    assert_error(post(client, "v01", ids["v01"], "claim"), 409)

    r = post(client, "v02", ids["v02"], "unclaim", {"comment": "我这周出差"})
    assert r.status_code == 200
    h.assert_inbox_matches_engine(org, iid)
    assert holders(client, iid) == ["v01", "v02", "v03"]
    assert r.get_json()["new_task"] == task_of(client, "v02", iid) != ids["v02"]
    assert_error(post(client, "v02", ids["v02"], "approve"), 409)

    v03 = task_of(client, "v03", iid)
    assert post(client, "v03", v03, "claim").status_code == 200
    assert post(client, "v03", v03, "approve", {"comment": "已处理"}).status_code == 200
    body = instance(client, iid)
    assert body["end_event"] == "end" and [v["user"] for v in body["data"]["c"]["votes"]] == ["v03"]
    assert [e["action"] for e in body["history"]].count("claim") == 2
    h.assert_inbox_matches_engine(org, iid)


def test_claim_refusals_change_nothing(client, org, deployed):
    iid = start(client, "clerk", "ops_claim")
    v01 = task_of(client, "v01", iid)
    assert_error(post(client, "clerk", v01, "claim"), 403, "forbidden")
    assert_error(post(client, "v02", v01, "claim"), 403, "forbidden")
    assert_error(post(client, "v01", v01, "unclaim"), 409, "conflict")  # not claimed
    err = assert_error(post(client, "v01", v01, "claim", {"force": True}), 422)
    assert set(err["fields"]) == {"force"}
    assert holders(client, iid) == ["v01", "v02", "v03"]
    assert post(client, "v01", v01, "claim").status_code == 200
    err = assert_error(post(client, "v01", v01, "unclaim", {"comment": 5}), 422)
    assert set(err["fields"]) == {"comment"}
    assert_error(post(client, "v02", v01, "unclaim"), 403)
    assert holders(client, iid) == ["v01"]

    aid = start(client, "clerk", "ops_all")
    assert_error(post(client, "v01", task_of(client, "v01", aid), "claim"), 409)
    assert holders(client, aid) == ["v01", "v02", "v03"]
    h.assert_inbox_matches_engine(org, iid)
    h.assert_inbox_matches_engine(org, aid)


# ---------------------------------------------------------------- 阅办 read-only nodes


def test_a_read_node_completes_when_everyone_has_read(client, org, deployed):
    iid = start(client, "clerk", "ops_read")
    v01, v02 = task_of(client, "v01", iid), task_of(client, "v02", iid)
    assert get(client, "v01", v01)["actions"] == ["approve", "transfer"]
    err = assert_error(post(client, "v01", v01, "reject", {"comment": "不看"}), 409, "conflict")
    assert "read" in err["message"]
    assert_error(post(client, "v02", v01, "approve"), 403)
    for action, body in (("add-signer", {"users": ["v10"]}), ("remove-signer", {"users": ["v02"]}),
                         ("delegate", {"to_user": "v10"})):
        assert_error(post(client, "v01", v01, action, body), 409)
    assert holders(client, iid) == ["v01", "v02"]
    assert post(client, "v01", v01, "approve", {"comment": "已阅"}).status_code == 200
    assert instance(client, iid)["status"] == "running"
    h.assert_inbox_matches_engine(org, iid)
    assert post(client, "v02", v02, "approve").status_code == 200
    body = instance(client, iid)
    assert body["status"] == "completed" and body["end_event"] == "end"
    assert body["data"]["r"]["outcome"] == "read"
    assert [(v["user"], v["decision"]) for v in body["data"]["r"]["votes"]] == [("v01", "read"), ("v02", "read")]
    assert h.activation_states(org, iid) == [("r", "read")]


# ---------------------------------------------------------------- 票签 weighted votes


def test_a_weighted_majority_counts_weights(client, org):
    assert deploy(client, weighted("ops_wm", "majority", "v01:3,ghost1:5")).status_code == 201
    iid = start(client, "clerk", "ops_wm")
    seen = get(client, "v02", task_of(client, "v02", iid))
    assert seen["vote"]["weights"] == {"v01": 3, "v02": 1, "v03": 1}
    assert seen["vote"]["rule"] == "weight 3 of 5 needed"
    for user in ("v02", "v03"):
        assert post(client, user, task_of(client, user, iid), "approve").status_code == 200
    assert instance(client, iid)["status"] == "running", "2 of weight 5 is no majority"
    assert post(client, "v01", task_of(client, "v01", iid), "reject", {"comment": "否决"}).status_code == 200
    assert instance(client, iid)["end_event"] == "end_rejected"

    jid = start(client, "clerk", "ops_wm")
    assert post(client, "v01", task_of(client, "v01", jid), "approve").status_code == 200
    assert instance(client, jid)["end_event"] == "end", "weight 3 of 5 decides alone"
    h.assert_inbox_matches_engine(org, jid)


def test_a_weighted_ratio_counts_weights(client, org):
    assert deploy(client, weighted("ops_wr", "ratio", "v01:2,v02:2", 'threshold="0.6"')).status_code == 201
    iid = start(client, "clerk", "ops_wr")  # W = 5: approve at 3, reject once R > 2
    assert post(client, "v03", task_of(client, "v03", iid), "reject", {"comment": "否"}).status_code == 200
    assert post(client, "v01", task_of(client, "v01", iid), "approve").status_code == 200
    assert instance(client, iid)["status"] == "running"
    assert post(client, "v02", task_of(client, "v02", iid), "approve").status_code == 200
    assert instance(client, iid)["end_event"] == "end"


@pytest.mark.parametrize("weights", ["v01", "v01:0", "v01:x", "v01:-1", "v01:2,v01:3", "v 1:2", "v01:1001"])
def test_garbage_weights_are_refused_at_deploy_naming_the_node(client, weights):
    r = deploy(client, weighted("ops_wbad", "majority", weights))
    err = assert_error(r, 422)
    assert any(p["element_id"] == "m" and p["rule"] == "lz_weights" for p in err["problems"]), err
    assert client.get(f"{API}/process-definitions/ops_wbad", headers=login(client, "admin")).status_code == 404


# ---------------------------------------------------------------- 前加签 / 后加签, 加签 on any


def test_add_signer_before_me_on_a_sequential_node(client, org, deployed):
    iid = start(client, "clerk", "ops_seq")
    v01 = task_of(client, "v01", iid)
    assert get(client, "v01", v01)["positions"] == ["after", "before"]
    r = post(client, "v01", v01, "add-signer", {"users": ["v05", "v06"], "position": "before", "comment": "先请他们看"})
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    h.assert_inbox_matches_engine(org, iid)
    assert holders(client, iid) == ["v05"]
    for user in ("v05", "v06"):
        assert post(client, user, task_of(client, user, iid), "approve").status_code == 200
        h.assert_inbox_matches_engine(org, iid)
    assert holders(client, iid) == ["v01"], "the adder's turn comes again"
    assert task_of(client, "v01", iid) != v01
    assert post(client, "v01", task_of(client, "v01", iid), "add-signer",
                {"users": ["v07"], "position": "after"}).status_code == 200
    for user in ("v01", "v07", "v02", "v03"):
        assert post(client, user, task_of(client, user, iid), "approve").status_code == 200
    votes = [v["user"] for v in instance(client, iid)["data"]["s"]["votes"]]
    assert votes == ["v05", "v06", "v01", "v07", "v02", "v03"]


def test_add_signer_position_refusals(client, org, deployed):
    iid = start(client, "clerk", "ops_seq")
    v01 = task_of(client, "v01", iid)
    for body in ({"users": ["v05"], "position": "middle"}, {"users": ["v05"], "position": 1}):
        err = assert_error(post(client, "v01", v01, "add-signer", body), 422)
        assert set(err["fields"]) == {"position"}
    assert_error(post(client, "v02", v01, "add-signer", {"users": ["v05"], "position": "before"}), 403)
    aid = start(client, "clerk", "ops_all")
    err = assert_error(post(client, "v01", task_of(client, "v01", aid), "add-signer",
                            {"users": ["v05"], "position": "before"}), 422)
    assert set(err["fields"]) == {"position"}
    assert get(client, "v01", task_of(client, "v01", aid))["positions"] == []
    assert holders(client, iid) == ["v01"] and holders(client, aid) == ["v01", "v02", "v03"]


def test_on_an_any_node_the_first_decision_of_adder_or_added_decides(client, org, deployed):
    iid = start(client, "clerk", "ops_any")
    assert post(client, "v01", task_of(client, "v01", iid), "add-signer", {"users": ["v05"]}).status_code == 200
    assert holders(client, iid) == ["v01", "v02", "v05"]
    assert post(client, "v05", task_of(client, "v05", iid), "approve").status_code == 200
    body = instance(client, iid)
    assert body["end_event"] == "end" and [v["user"] for v in body["data"]["a"]["votes"]] == ["v05"]
    h.assert_inbox_matches_engine(org, iid)
