"""跳转 jump through HTTP (DESIGN.md §8): an admin or process admin cancels every open task and the
flow continues from any user task, forward or back — out of a countersign with votes cast, out of
one branch of a parallel gateway — with the inbox matching the engine after every step."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from tests.api.conftest import API, act, assert_error, deploy, login, start
from tests.engine.helpers import assert_inbox_matches_engine, open_assignees

CS = (Path(__file__).parents[1] / "engine" / "data" / "countersign_return.bpmn").read_bytes()


@pytest.fixture
def deployed(client):
    assert deploy(client, CS).status_code == 201


def jump(client, iid, to_node, user="admin", comment="管理员调整流程"):
    return client.post(f"{API}/process-instances/{iid}/jump", json={"to_node": to_node, "comment": comment},
                       headers=login(client, user))


def get(client, iid):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()


def to_parallel(client, org):
    iid = start(client, "clerk", "countersign_return", {"amount": 100})
    act(client, "clerk", iid)
    act(client, "sales_lead", iid)
    assert open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}
    return iid


def test_jump_forward_skips_the_steps_between(client, org, deployed):
    iid = start(client, "clerk", "countersign_return", {"amount": 100})
    act(client, "clerk", iid)
    r = jump(client, iid, "gm")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["to_node"] == "gm" and r.get_json()["status"] == "running"
    assert open_assignees(org, iid) == {"gm": {"gm"}}
    assert_inbox_matches_engine(org, iid)
    act(client, "gm", iid)
    body = get(client, iid)
    assert (body["status"], body["end_event"], body["outcome"]) == ("completed", "end", "approved")
    event = [e for e in body["history"] if e["action"] == "jump"][0]
    assert event["detail"] == {"to_node": "gm", "from_nodes": ["sup"]} and event["comment"] == "管理员调整流程"


def test_jump_out_of_a_countersign_with_votes_cast_back_to_the_start(client, org, deployed):
    iid = to_parallel(client, org)
    act(client, "v01", iid)          # one legal vote
    act(client, "v03", iid)          # one finance vote
    assert jump(client, iid, "draft").status_code == 200
    assert open_assignees(org, iid) == {"draft": {"clerk"}}
    assert_inbox_matches_engine(org, iid)
    act(client, "clerk", iid)
    assert_inbox_matches_engine(org, iid)
    act(client, "sales_lead", iid)
    assert open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}, \
        "the countersign starts afresh: the earlier votes are gone"
    assert_inbox_matches_engine(org, iid)


def test_jump_out_of_one_branch_of_a_parallel_gateway_past_the_join(client, org, deployed):
    iid = to_parallel(client, org)
    act(client, "v03", iid)
    act(client, "v04", iid)          # finance decided, waiting at the join; legal still open
    assert open_assignees(org, iid) == {"legal": {"v01", "v02"}}
    assert jump(client, iid, "gm").status_code == 200
    assert open_assignees(org, iid) == {"gm": {"gm"}}
    assert_inbox_matches_engine(org, iid)
    act(client, "gm", iid, "reject", comment="不同意")
    assert open_assignees(org, iid) == {"draft": {"clerk"}}, "the flow runs on as drawn from there"
    assert_inbox_matches_engine(org, iid)


def test_jump_back_from_both_branches_and_run_through(client, org, deployed):
    iid = to_parallel(client, org)
    assert jump(client, iid, "sup").status_code == 200
    assert open_assignees(org, iid) == {"sup": {"sales_lead"}}
    assert_inbox_matches_engine(org, iid)
    act(client, "sales_lead", iid)
    for user in ("v01", "v02", "v03", "v04"):
        act(client, user, iid)
        assert_inbox_matches_engine(org, iid)
    act(client, "gm", iid)
    assert get(client, iid)["outcome"] == "approved"


def test_jump_to_the_node_that_is_open_restarts_it(client, org, deployed):
    iid = start(client, "clerk", "countersign_return", {"amount": 100})
    act(client, "clerk", iid)
    assert jump(client, iid, "sup").status_code == 200
    assert open_assignees(org, iid) == {"sup": {"sales_lead"}}
    assert_inbox_matches_engine(org, iid)


@pytest.mark.parametrize("to_node", ["nope", "split", "gw_sup", "end", "legal", "finance", ""])
def test_jump_to_what_is_not_a_user_task_outside_a_parallel_branch_is_422(client, org, deployed, to_node):
    iid = to_parallel(client, org)
    before = get(client, iid)
    err = assert_error(jump(client, iid, to_node), 422, "validation_failed")
    assert "to_node" in err["fields"]
    if to_node:
        assert to_node in err["fields"]["to_node"]
    after = get(client, iid)
    assert (after["open_tasks"], after["history"]) == (before["open_tasks"], before["history"])


def test_jump_needs_a_comment(client, org, deployed):
    iid = start(client, "clerk", "countersign_return", {"amount": 100})
    err = assert_error(jump(client, iid, "gm", comment=""), 422, "validation_failed")
    assert "comment" in err["fields"]
    assert open_assignees(org, iid) == {"draft": {"clerk"}}


@pytest.mark.parametrize("user", ["clerk", "sales_lead", "v01", "gm"])
def test_jump_by_anyone_else_is_403_and_changes_nothing(client, org, deployed, user):
    iid = to_parallel(client, org)
    assert_error(jump(client, iid, "gm", user=user), 403, "forbidden")
    assert open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}
    with org.db.uow() as s:
        assert "jump" not in set(s.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == iid)))


def test_jump_in_an_ended_or_suspended_instance_is_409(client, org, deployed):
    iid = start(client, "clerk", "countersign_return", {"amount": 100})
    assert client.post(f"{API}/process-instances/{iid}/suspend", json={},
                       headers=login(client, "admin")).status_code == 200
    assert assert_error(jump(client, iid, "gm"), 409, "conflict")["reason"] == "instance_suspended"
    assert client.post(f"{API}/process-instances/{iid}/terminate", json={"comment": "x"},
                       headers=login(client, "admin")).status_code == 200
    assert assert_error(jump(client, iid, "gm"), 409, "conflict")["reason"] == "instance_ended"
    assert get(client, iid)["outcome"] == "terminated"
    assert_inbox_matches_engine(org, iid)


def test_terminate_inside_a_countersign_and_a_parallel_branch_leaves_nothing_open(client, org, deployed):
    iid = to_parallel(client, org)
    act(client, "v01", iid)
    act(client, "v03", iid)
    act(client, "v04", iid)          # finance waits at the join; legal half voted
    assert_inbox_matches_engine(org, iid)
    r = client.post(f"{API}/process-instances/{iid}/terminate", json={"comment": "作废"},
                    headers=login(client, "admin"))
    assert r.status_code == 200
    assert open_assignees(org, iid) == {}
    assert_inbox_matches_engine(org, iid)
