"""Transfer (转办), add signer (加签), withdraw (撤回), urge (催办): behaviour, permissions, 409s."""
from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, ValidationFailed
from engine import collab, instances, tasks
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


@pytest.fixture
def allnode(org):
    return h.deploy(org, chain("allnode", [user_task("cs", "all", "users", "v01,v02,v03")], route_last=True))


def test_transfer_moves_the_task_and_keeps_the_count(org, allnode):
    iid = h.start(org, "clerk", allnode)
    tid = h.task_of(org, "v01", iid)
    out = tasks.transfer(org.db, org["v01"], tid, "v09", "出差，转给同事")
    assert h.open_assignees(org, iid) == {"cs": {"v09", "v02", "v03"}}
    assert h.todo(org, "v01", iid) == []
    for u in ("v09", "v02", "v03"):
        h.approve(org, u, iid)
    inst = h.instance(org, iid)
    assert inst["end_event"] == "end"
    assert [v["user"] for v in inst["data"]["cs"]["votes"]] == ["v09", "v02", "v03"]
    ev = [e for e in inst["history"] if e["action"] == "transfer"][0]
    assert ev["actor"] == "v01" and ev["comment"] == "出差，转给同事" and ev["detail"]["to_user"] == "v09"
    assert out["new_task"] != tid


def test_transfer_refusals(org, allnode):
    iid = h.start(org, "clerk", allnode)
    tid = h.task_of(org, "v01", iid)
    with pytest.raises(Forbidden):
        tasks.transfer(org.db, org["v02"], tid, "v09")
    with pytest.raises(ValidationFailed) as e:
        tasks.transfer(org.db, org["v01"], tid, "v02")
    assert "to_user" in e.value.fields
    with pytest.raises(ValidationFailed):
        tasks.transfer(org.db, org["v01"], tid, "ghost")
    with pytest.raises(ValidationFailed):
        tasks.transfer(org.db, org["v01"], tid, "v01")
    assert h.open_assignees(org, iid) == {"cs": {"v01", "v02", "v03"}}, "refusals change nothing"
    tasks.transfer(org.db, org["v01"], tid, "v09")
    with pytest.raises(Conflict):
        tasks.transfer(org.db, org["v01"], tid, "v08")


def test_add_signer_raises_the_count_of_an_all_node(org, allnode):
    iid = h.start(org, "clerk", allnode)
    tasks.add_signer(org.db, org["v01"], h.task_of(org, "v01", iid), ["v10", "v11"], "请法务也看看")
    assert h.open_assignees(org, iid)["cs"] == {"v01", "v02", "v03", "v10", "v11"}
    for u in ("v01", "v02", "v03", "v10"):
        h.approve(org, u, iid)
    assert h.instance(org, iid)["status"] == "running", "the added signer must approve too"
    h.approve(org, "v11", iid)
    assert h.instance(org, iid)["end_event"] == "end"


def test_add_signer_in_a_sequential_node_inserts_after_the_current_approver(org):
    key = h.deploy(org, chain("seq_add", [user_task("s", "sequential", "users", "v01,v02")], route_last=True))
    iid = h.start(org, "clerk", key)
    tasks.add_signer(org.db, org["v01"], h.task_of(org, "v01", iid), ["v05"])
    h.approve(org, "v01", iid)
    assert h.open_assignees(org, iid) == {"s": {"v05"}}
    h.approve(org, "v05", iid)
    assert h.open_assignees(org, iid) == {"s": {"v02"}}
    h.approve(org, "v02", iid)
    assert [v["user"] for v in h.instance(org, iid)["data"]["s"]["votes"]] == ["v01", "v05", "v02"]


def test_add_signer_refusals(org, allnode):
    iid = h.start(org, "clerk", allnode)
    tid = h.task_of(org, "v01", iid)
    for bad in ([], "v05", ["v02"], ["ghost"], ["v05", "v05"], [1]):
        with pytest.raises(ValidationFailed):
            tasks.add_signer(org.db, org["v01"], tid, bad)
    with pytest.raises(Forbidden):
        tasks.add_signer(org.db, org["v04"], tid, ["v05"])
    handle = h.deploy(org, chain("handle_only", [user_task("h", None, "users", "v01")]))
    hid = h.start(org, "clerk", handle)
    with pytest.raises(Conflict):
        tasks.add_signer(org.db, org["v01"], h.task_of(org, "v01", hid), ["v05"])
    assert h.open_assignees(org, iid) == {"cs": {"v01", "v02", "v03"}}


def test_reject_needs_a_comment_and_a_decided_task_answers_409(org):
    key = h.deploy(org, chain("anynode", [user_task("a", "any", "users", "v01,v02")], route_last=True))
    iid = h.start(org, "clerk", key)
    t1, t2 = h.task_of(org, "v01", iid), h.task_of(org, "v02", iid)
    with pytest.raises(ValidationFailed) as e:
        tasks.reject(org.db, org["v01"], t1, "  ")
    assert e.value.fields == {"comment": "required"}
    tasks.approve(org.db, org["v01"], t1)
    with pytest.raises(Conflict):
        tasks.approve(org.db, org["v02"], t2)  # the any-node was decided by v01: v02's task was cancelled
    with pytest.raises(Conflict):
        tasks.approve(org.db, org["v01"], t1)


def test_only_the_assignee_may_act(org, allnode):
    iid = h.start(org, "clerk", allnode)
    tid = h.task_of(org, "v01", iid)
    for actor in ("v02", "clerk", "admin"):
        with pytest.raises(Forbidden):
            tasks.approve(org.db, org[actor], tid)
    with pytest.raises(Forbidden):
        tasks.get_task(org.db, org["v02"], tid)
    assert tasks.get_task(org.db, org["admin"], tid)["actions"] == [], "admins may look but not act"
    mine = tasks.get_task(org.db, org["v01"], tid)
    # return: to the initiator
    assert mine["actions"] == ["approve", "reject", "return", "transfer", "add_signer", "delegate", "remove_signer"]
    assert mine["vote"]["rule"] == "all 3 needed"


def test_withdraw_by_the_initiator_before_anyone_acted(org, allnode):
    iid = h.start(org, "clerk", allnode)
    with pytest.raises(Forbidden):
        instances.withdraw(org.db, org["v01"], iid)
    out = instances.withdraw(org.db, org["clerk"], iid, "填错了")
    assert out["status"] == "withdrawn"
    assert h.open_assignees(org, iid) == {}
    assert h.todo(org, "v01", iid) == []
    with pytest.raises(Conflict):
        instances.withdraw(org.db, org["clerk"], iid)


def test_withdraw_is_refused_once_an_approver_acted(org, allnode):
    iid = h.start(org, "clerk", allnode)
    h.approve(org, "v01", iid)
    with pytest.raises(Conflict):
        instances.withdraw(org.db, org["clerk"], iid)
    assert h.instance(org, iid)["status"] == "running"


def test_urge_records_who_was_reminded(org, allnode):
    iid = h.start(org, "clerk", allnode)
    assert collab.urge(org.db, org["clerk"], iid, "请尽快")["urged"] == 3
    with pytest.raises(Forbidden):
        collab.urge(org.db, org["v01"], iid)
    assert [e for e in h.instance(org, iid)["history"] if e["action"] == "urge"][0]["comment"] == "请尽快"


def test_instance_visibility(org, allnode):
    iid = h.start(org, "clerk", allnode)
    for viewer in ("clerk", "v01", "sales_lead", "sales_head", "gm", "legal_head", "admin"):
        assert instances.get_instance(org.db, org[viewer], iid)["id"] == iid, viewer
    for outsider in ("outsider", "fin1", "clerk2"):
        with pytest.raises(Forbidden):
            instances.get_instance(org.db, org[outsider], iid)


def test_a_withdrawn_instance_keeps_its_data(org, allnode):
    iid = h.start(org, "clerk", allnode, {"amount": 42, "reason": "出差"})
    instances.withdraw(org.db, org["clerk"], iid)
    assert h.instance(org, iid)["data"] == {"amount": 42, "reason": "出差"}


def test_an_admin_reassigns_the_task_of_someone_who_left(org, allnode):
    from crm import org as org_svc
    iid = h.start(org, "clerk", allnode)
    tid = h.task_of(org, "v02", iid)
    with org.db.uow(write=True) as s:
        org_svc.update_user(s, org["v02"], {"active": False})
    with pytest.raises(Forbidden):
        tasks.transfer(org.db, org["v01"], tid, "v09")  # another assignee may not
    tasks.transfer(org.db, org["admin"], tid, "v09", "v02 离职")
    assert h.open_assignees(org, iid) == {"cs": {"v01", "v09", "v03"}}
    ev = [e for e in h.instance(org, iid)["history"] if e["action"] == "reassign"][0]
    assert ev["actor"] == "admin" and ev["detail"]["from_user"] == org["v02"]
    out = instances.withdraw(org.db, org["clerk"], iid)
    assert out["status"] == "withdrawn", "an admin's reassignment is not an approver acting"


def test_data_without_a_form_may_not_overwrite_outcomes(org):
    key = h.deploy(org, chain("free_data", [user_task("a", "any", "users", "v01"),
                                            user_task("b", "any", "users", "v02")], route_last=True))
    iid = h.start(org, "clerk", key)
    h.approve(org, "v01", iid)
    with pytest.raises(ValidationFailed) as e:
        tasks.approve(org.db, org["v02"], h.task_of(org, "v02", iid), data={"a": {"outcome": "rejected"}})
    assert e.value.fields == {"data.a": "is a node of this process"}
    tasks.approve(org.db, org["v02"], h.task_of(org, "v02", iid), data={"note": "free data is fine here"})
    inst = h.instance(org, iid)
    assert inst["data"]["a"]["outcome"] == "approved" and inst["data"]["note"] == "free data is fine here"


def test_an_engine_failure_is_recorded_and_cleared_by_the_next_good_step(org):
    from core.errors import EngineFailure
    from tests.bpmn_factory import HEAD
    xml = (HEAD + """<bpmn:process id="broken_gw" isExecutable="true"><bpmn:startEvent id="s"/>
      <bpmn:userTask id="a"><bpmn:extensionElements><lz:assignees strategy="users" value="v01"/>
      </bpmn:extensionElements></bpmn:userTask>
      <bpmn:exclusiveGateway id="gw" default="f3"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/><bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="gw"/>
      <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="e2"><bpmn:conditionExpression>missing_var &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="e"/></bpmn:process></bpmn:definitions>""").encode()
    iid = h.start(org, "clerk", h.deploy(org, xml))
    with pytest.raises(EngineFailure) as e:
        h.approve(org, "v01", iid)
    assert "missing_var" in e.value.message
    inst = h.instance(org, iid)
    assert "missing_var" in inst["error"] and inst["status"] == "running"
    assert h.open_assignees(org, iid) == {"a": {"v01"}}, "rolled back: the task is still open"
    instances.withdraw(org.db, org["clerk"], iid)
    assert h.instance(org, iid)["error"] is None
    assert any(ev["action"] == "engine_error" for ev in h.instance(org, iid)["history"])


def test_withdraw_after_the_initiators_own_first_step(org):
    """§8: the initiator's own steps (a first step of their own, revise, resubmit) are not an approver acting."""
    pid = h.deploy(org, chain("ownfirst", [user_task("prepare", "any", "initiator"),
                                           user_task("approve", "any", "users", "v01")], route_last=True))
    iid = h.start(org, "clerk", pid)
    h.approve(org, "clerk", iid)  # the initiator completes their own first step
    assert h.open_assignees(org, iid) == {"approve": {"v01"}}
    out = instances.withdraw(org.db, org["clerk"], iid, "不需要了")
    assert out["status"] == "withdrawn"
    assert h.open_assignees(org, iid) == {}


def test_withdraw_is_refused_once_someone_else_acted_after_the_initiators_step(org):
    pid = h.deploy(org, chain("ownfirst2", [user_task("prepare", "any", "initiator"),
                                            user_task("approve", "all", "users", "v01,v02")], route_last=True))
    iid = h.start(org, "clerk", pid)
    h.approve(org, "clerk", iid)
    h.approve(org, "v01", iid)
    with pytest.raises(Conflict) as e:
        instances.withdraw(org.db, org["clerk"], iid)
    assert e.value.reason == "already_acted"
