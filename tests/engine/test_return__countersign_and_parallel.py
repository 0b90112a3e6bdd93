"""Return (退回): from inside a countersign or a parallel branch exactly the target node is open
afterwards, nothing orphaned or duplicated, and the countersign votes start fresh.
(Flowable #3944/#4046 and ruoyi-vue-pro #668 lose or duplicate tasks here.)"""
from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from engine import tasks
from tests.engine import helpers as h


@pytest.fixture
def cs(org):
    return h.deploy_countersign_return(org)


def test_return_from_inside_a_countersign_leaves_only_the_target_open(org, cs):
    iid = h.to_parallel(org, cs)
    h.approve(org, "v01", iid)              # one legal vote cast
    h.approve(org, "v03", iid)              # one finance vote cast
    tid = h.task_of(org, "v02", iid)
    assert tasks.get_task(org.db, org["v02"], tid)["returnable_nodes"] == ["sup", "draft"]
    tasks.return_task(org.db, org["v02"], tid, "draft", "附件缺失")
    assert h.open_assignees(org, iid) == {"draft": {"clerk"}}
    h.assert_inbox_matches_engine(org, iid)
    for u in ("v01", "v02", "v03", "v04", "v05", "sales_lead"):
        assert h.todo(org, u, iid) == [], f"{u} keeps no orphaned task"


def test_countersign_votes_start_fresh_after_a_return(org, cs):
    iid = h.to_parallel(org, cs)
    h.approve(org, "v01", iid)
    tasks.return_task(org.db, org["v03"], h.task_of(org, "v03", iid), "sup", "请主管再看")
    assert h.open_assignees(org, iid) == {"sup": {"sales_lead"}}
    h.approve(org, "sales_lead", iid)
    assert h.open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}
    h.approve(org, "v02", iid)
    assert h.instance(org, iid)["status"] == "running", "v01's earlier vote does not count any more"
    assert h.open_assignees(org, iid)["legal"] == {"v01"}
    h.approve(org, "v01", iid)
    legal_votes = h.instance(org, iid)["data"]["legal"]["votes"]
    assert [v["user"] for v in legal_votes] == ["v02", "v01"]
    h.approve(org, "v04", iid)
    h.approve(org, "v05", iid)
    assert h.open_assignees(org, iid) == {"gm": {"gm"}}
    h.approve(org, "gm", iid)
    inst = h.instance(org, iid)
    assert inst["status"] == "completed" and inst["end_event"] == "end"


def test_return_within_one_parallel_branch_keeps_the_other_branch(org, cs):
    iid = h.to_parallel(org, cs)
    h.approve(org, "v03", iid)
    h.approve(org, "v04", iid)              # finance decided (majority) -> waits at the join
    assert h.open_assignees(org, iid) == {"legal": {"v01", "v02"}}
    tasks.return_task(org.db, org["v01"], h.task_of(org, "v01", iid), "draft", "重填")
    assert h.open_assignees(org, iid) == {"draft": {"clerk"}}, "the join's waiting branch is dropped too"
    h.assert_inbox_matches_engine(org, iid)
    h.approve(org, "clerk", iid)
    h.approve(org, "sales_lead", iid)
    assert h.open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}


def test_return_to_a_node_not_on_the_path_is_refused_and_changes_nothing(org, cs):
    iid = h.to_parallel(org, cs)
    tid = h.task_of(org, "v01", iid)
    for bad in ("gm", "finance", "legal", "nope"):
        with pytest.raises(ValidationFailed) as e:
            tasks.return_task(org.db, org["v01"], tid, bad, "x")
        assert "to_node" in e.value.fields
    with pytest.raises(ValidationFailed):
        tasks.return_task(org.db, org["v01"], tid, "draft", "")
    assert h.open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}


def test_rejection_routes_back_to_draft_and_keeps_the_data(org, cs):
    iid = h.to_parallel(org, cs)
    h.reject(org, "v01", iid, "条款有问题")
    # legal decided rejected, finance still open: the join waits for finance
    assert h.open_assignees(org, iid) == {"finance": {"v03", "v04", "v05"}}
    h.approve(org, "v03", iid)
    h.approve(org, "v04", iid)
    assert h.open_assignees(org, iid) == {"draft": {"clerk"}}
    inst = h.instance(org, iid)
    assert inst["data"]["amount"] == 100 and inst["data"]["legal"]["outcome"] == "rejected"
