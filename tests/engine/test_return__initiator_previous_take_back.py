"""驳回 to the initiator / to the previous step, and 拿回 (take back), inside a countersign and a
parallel branch: after every step the inbox matches the engine, and the returned tasks say who
returned them and why."""
from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, ValidationFailed
from engine import collab, tasks
from tests.engine import helpers as h


@pytest.fixture
def cs(org):
    return h.deploy_countersign_return(org)


def test_return_to_initiator_from_inside_a_countersign_then_resubmit_runs_again(org, cs):
    iid = h.to_parallel(org, cs)
    h.approve(org, "v01", iid)
    tasks.return_task(org.db, org["v02"], h.task_of(org, "v02", iid), "initiator", "金额写错了")
    assert h.open_assignees(org, iid) == {"start": {"clerk"}}, "only the initiator's task is open"
    h.assert_inbox_matches_engine(org, iid)
    tid = h.task_of(org, "clerk", iid)
    task = tasks.get_task(org.db, org["clerk"], tid)
    assert task["kind"] == "resubmit" and task["actions"] == ["approve"]
    assert task["returned"] == {"by": "v02", "comment": "金额写错了", "from_node": "legal"}
    assert task["data"]["amount"] == 100
    tasks.approve(org.db, org["clerk"], tid, "已改", {"amount": 80})
    assert h.open_assignees(org, iid) == {"draft": {"clerk"}}, "the flow runs again from the first step"
    h.assert_inbox_matches_engine(org, iid)
    assert h.instance(org, iid)["data"]["amount"] == 80
    h.approve(org, "clerk", iid)
    h.approve(org, "sales_lead", iid)
    assert h.open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}
    h.assert_inbox_matches_engine(org, iid)
    actions = [e["action"] for e in h.instance(org, iid)["history"]]
    assert "resubmit" in actions and actions.count("return") == 1


def test_return_to_previous_from_a_parallel_branch(org, cs):
    iid = h.to_parallel(org, cs)
    h.approve(org, "v03", iid)
    tasks.return_task(org.db, org["v01"], h.task_of(org, "v01", iid), "previous", "请主管复核")
    assert h.open_assignees(org, iid) == {"sup": {"sales_lead"}}
    h.assert_inbox_matches_engine(org, iid)
    task = tasks.get_task(org.db, org["sales_lead"], h.task_of(org, "sales_lead", iid))
    assert task["returned"] == {"by": "v01", "comment": "请主管复核", "from_node": "legal"}
    h.approve(org, "sales_lead", iid)
    h.assert_inbox_matches_engine(org, iid)
    assert tasks.get_task(org.db, org["v03"], h.task_of(org, "v03", iid))["returned"] is None


def test_return_to_previous_without_an_earlier_step_is_422_and_changes_nothing(org, cs):
    iid = h.start(org, "clerk", cs, {"amount": 1})
    tid = h.task_of(org, "clerk", iid)
    with pytest.raises(ValidationFailed) as e:
        tasks.return_task(org.db, org["clerk"], tid, "previous", "x")
    assert "to_node" in e.value.fields
    assert h.open_assignees(org, iid) == {"draft": {"clerk"}}
    h.assert_inbox_matches_engine(org, iid)


def test_resubmit_is_the_only_action_on_the_returned_request(org, cs):
    iid = h.start(org, "clerk", cs, {"amount": 1})
    h.approve(org, "clerk", iid)
    tasks.return_task(org.db, org["sales_lead"], h.task_of(org, "sales_lead", iid), "initiator", "重填")
    tid = h.task_of(org, "clerk", iid)
    with pytest.raises(Conflict):
        tasks.return_task(org.db, org["clerk"], tid, "initiator", "x")
    with pytest.raises(Conflict):
        tasks.transfer(org.db, org["clerk"], tid, "clerk2")
    with pytest.raises(Conflict):
        tasks.reject(org.db, org["clerk"], tid, "x")
    assert h.open_assignees(org, iid) == {"start": {"clerk"}}
    h.assert_inbox_matches_engine(org, iid)


def test_take_back_a_countersign_nobody_acted_on(org, cs):
    iid = h.to_parallel(org, cs)
    with pytest.raises(Forbidden):
        collab.take_back(org.db, org["clerk"], iid)      # completed draft, but sup came after it
    with pytest.raises(Forbidden):
        collab.take_back(org.db, org["v01"], iid)
    collab.take_back(org.db, org["sales_lead"], iid, "还要补充")
    assert h.open_assignees(org, iid) == {"sup": {"sales_lead"}}
    h.assert_inbox_matches_engine(org, iid)
    h.approve(org, "sales_lead", iid)
    assert h.open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}
    h.assert_inbox_matches_engine(org, iid)


def test_take_back_is_409_once_someone_of_the_next_step_acted(org, cs):
    iid = h.to_parallel(org, cs)
    h.approve(org, "v04", iid)                          # a vote in one branch
    with pytest.raises(Conflict) as e:
        collab.take_back(org.db, org["sales_lead"], iid)
    assert e.value.reason == "next_step_acted"
    assert h.open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v05"}}
    h.assert_inbox_matches_engine(org, iid)


def test_take_back_after_a_transfer_is_409(org, cs):
    iid = h.start(org, "clerk", cs, {"amount": 1})
    h.approve(org, "clerk", iid)
    tasks.transfer(org.db, org["sales_lead"], h.task_of(org, "sales_lead", iid), "sales_head")
    with pytest.raises(Conflict):
        collab.take_back(org.db, org["clerk"], iid)
    h.assert_inbox_matches_engine(org, iid)


def test_take_back_of_the_first_step(org, cs):
    iid = h.start(org, "clerk", cs, {"amount": 1})
    h.approve(org, "clerk", iid)
    collab.take_back(org.db, org["clerk"], iid)
    assert h.open_assignees(org, iid) == {"draft": {"clerk"}}
    h.assert_inbox_matches_engine(org, iid)
    history = h.instance(org, iid)["history"]
    assert [e for e in history if e["action"] == "take_back"][0]["actor"] == "clerk"
