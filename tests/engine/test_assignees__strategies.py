"""Every assignee strategy of DESIGN.md §2, the empty-result fallback, and the skip rules."""
from __future__ import annotations

import pytest

from crm import org as org_svc
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


def _first_node_assignees(org, strategy, value="", starter="clerk", data=None, mode="any", **kw):
    key = h.deploy(org, chain(f"s_{strategy}_{abs(hash((value, mode))) % 10**6}",
                              [user_task("n1", mode, strategy, value)], mode=kw.pop("flow", "fixed")))
    iid = h.start(org, starter, key, data or {}, **kw)
    return iid, h.open_assignees(org, iid).get("n1", set())


@pytest.mark.parametrize("strategy,value,starter,expected", [
    ("users", "v01,v02", "clerk", {"v01", "v02"}),
    ("users", "v03，v04", "clerk", {"v03", "v04"}),  # Chinese comma
    ("role", "finance", "clerk", {"fin1", "fin2"}),
    ("role", "hr,legal", "clerk", {"hr1"}),
    ("dept_head", "", "clerk", {"sales_head"}),
    ("dept_head", "财务部", "clerk", {"fin_head"}),
    ("dept_heads", "法务部,财务部,销售部", "clerk", {"legal_head", "fin_head", "sales_head"}),
    ("supervisor", "", "clerk", {"sales_lead"}),
    ("supervisor", "1", "clerk", {"sales_lead"}),
    ("supervisor", "2", "clerk", {"sales_head"}),
    ("supervisor", "3", "clerk", {"gm"}),
    ("initiator", "", "clerk2", {"clerk2"}),
])
def test_strategy_resolves_the_expected_people(org, strategy, value, starter, expected):
    iid, got = _first_node_assignees(org, strategy, value, starter)
    assert got == expected
    assert h.instance(org, iid)["warnings"] == []


def test_field_strategy_reads_usernames_from_process_data(org):
    _, got = _first_node_assignees(org, "field", "reviewers", data={"reviewers": ["v05", "v06"]})
    assert got == {"v05", "v06"}
    _, got = _first_node_assignees(org, "field", "reviewer", data={"reviewer": "v07"})
    assert got == {"v07"}


def test_chosen_strategy_uses_the_initiators_choice_in_a_predefined_flow(org):
    _, got = _first_node_assignees(org, "chosen", flow="predefined", chosen={"n1": ["v08", "v09"]})
    assert got == {"v08", "v09"}


def test_chosen_strategy_refuses_a_missing_or_unknown_choice(org):
    from core.errors import ValidationFailed
    key = h.deploy(org, chain("chosen_bad", [user_task("n1", "any", "chosen")], mode="predefined"))
    with pytest.raises(ValidationFailed) as e:
        h.start(org, "clerk", key, {}, chosen={})
    assert "chosen.n1" in e.value.fields
    with pytest.raises(ValidationFailed) as e:
        h.start(org, "clerk", key, {}, chosen={"n1": ["nobody"]})
    assert "nobody" in e.value.fields["chosen.n1"]


def test_dept_head_falls_back_to_the_parent_department_head(org):
    with org.db.uow(write=True) as s:
        org_svc.update_department(s, org.depts["销售部"], {"head": None})
    _, got = _first_node_assignees(org, "dept_head", "")
    assert got == {"gm"}


@pytest.mark.parametrize("strategy,value,starter", [
    ("users", "ghost", "clerk"),
    ("role", "nobody_has_this", "clerk"),
    ("supervisor", "9", "clerk"),
    ("dept_head", "不存在的部门", "clerk"),
    ("field", "approver", "clerk"),
])
def test_empty_result_goes_to_process_admins_with_a_warning(org, strategy, value, starter):
    iid, got = _first_node_assignees(org, strategy, value, starter)
    assert got == {"admin"}, "never silently approved: the process admins get the node"
    inst = h.instance(org, iid)
    assert inst["status"] == "running"
    assert any("process admins" in w for w in inst["warnings"])
    assert any(e["action"] == "warning" for e in inst["history"])


def test_deactivated_users_are_skipped(org):
    with org.db.uow(write=True) as s:
        org_svc.user_by_username(s, "v02").active = False
    iid, got = _first_node_assignees(org, "users", "v01,v02")
    assert got == {"v01"}
    assert any("deactivated" in w for w in h.instance(org, iid)["warnings"])


def test_skip_initiator_auto_approves_the_initiators_vote(org):
    key = h.deploy(org, chain("skip_init", [
        user_task("cs", "all", "users", "clerk,v01", approval_attrs='skipInitiator="true"')], route_last=True))
    iid = h.start(org, "clerk", key)
    assert h.open_assignees(org, iid) == {"cs": {"v01"}}
    h.approve(org, "v01", iid)
    inst = h.instance(org, iid)
    assert inst["end_event"] == "end"
    votes = inst["data"]["cs"]["votes"]
    assert [(v["user"], v["auto"]) for v in votes] == [("clerk", True), ("v01", False)]


def test_skip_initiator_alone_decides_an_any_node(org):
    key = h.deploy(org, chain("skip_init_any", [
        user_task("a", "any", "initiator", approval_attrs='skipInitiator="true"'),
        user_task("b", "any", "users", "v01")]))
    iid = h.start(org, "clerk", key)
    assert h.open_assignees(org, iid) == {"b": {"v01"}}


def test_skip_repeated_auto_approves_someone_who_approved_an_earlier_node(org):
    key = h.deploy(org, chain("skip_rep", [
        user_task("first", "any", "users", "v01"),
        user_task("second", "all", "users", "v01,v02", approval_attrs='skipRepeated="true"')], route_last=True))
    iid = h.start(org, "clerk", key)
    h.approve(org, "v01", iid)
    assert h.open_assignees(org, iid) == {"second": {"v02"}}


def test_without_skip_rules_nobody_is_auto_approved(org):
    key = h.deploy(org, chain("no_skip", [user_task("cs", "all", "users", "clerk,v01")], route_last=True))
    iid = h.start(org, "clerk", key)
    assert h.open_assignees(org, iid) == {"cs": {"clerk", "v01"}}


def test_cc_copies_the_instance_to_read_only_users(org):
    from engine import inbox
    key = h.deploy(org, chain("cc", [user_task("a", "any", "users", "v01",
                                               extra='<lz:cc strategy="role" value="hr"/>')]))
    iid = h.start(org, "clerk", key)
    rows, total = inbox.list_box(org.db, org["hr1"], "cc", 0, 10)
    assert total == 1 and rows[0]["instance_id"] == iid
    assert h.todo(org, "hr1") == []
    assert h.instance(org, iid)["id"] == iid
    from engine import instances
    assert instances.get_instance(org.db, org["hr1"], iid)["id"] == iid, "cc'd users may read the instance"
