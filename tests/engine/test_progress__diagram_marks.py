"""The instance page's progress: completed / current elements and taken sequence flows, from the
engine's task states, for a chain, a gateway branch and a parallel countersign; and who may see it."""
from __future__ import annotations

import pytest

from core.errors import Forbidden
from engine import instances, progress
from engine.design import definitions
from forms.validate import redact_schema
from tests import bpmn_factory as bf
from tests.engine import helpers as h

PARALLEL = (bf.HEAD + """<bpmn:process id="par" name="并行会签" isExecutable="true">
<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>
""" + bf.user_task("legal", "any", "users", "legal_head") + bf.user_task("dept", "all", "users", "fin_head,hr_head")
    + bf.user_task("gm_ok", "any", "users", "gm") + """
<bpmn:parallelGateway id="join"/><bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="fork"/>
<bpmn:sequenceFlow id="f_legal" sourceRef="fork" targetRef="legal"/>
<bpmn:sequenceFlow id="f_dept" sourceRef="fork" targetRef="dept"/>
<bpmn:sequenceFlow id="f_legal_join" sourceRef="legal" targetRef="join"/>
<bpmn:sequenceFlow id="f_dept_join" sourceRef="dept" targetRef="join"/>
<bpmn:sequenceFlow id="f_gm" sourceRef="join" targetRef="gm_ok"/>
<bpmn:sequenceFlow id="f_end" sourceRef="gm_ok" targetRef="end"/>
</bpmn:process></bpmn:definitions>""").encode()


def marks(org, instance_id, user="admin"):
    p = progress.instance_progress(org.db, org[user], instance_id)
    return set(p["completed"]), set(p["current"]), set(p["taken"])


def test_a_chain_marks_what_is_done_and_what_waits(org):
    key = h.deploy(org, bf.chain("chain3", [bf.user_task("a", "any", "users", "clerk2"),
                                            bf.user_task("b", "any", "users", "sales_lead"),
                                            bf.user_task("c", "any", "users", "gm")]))
    iid = h.start(org, "clerk", key)
    assert marks(org, iid) == ({"start"}, {"a"}, {"f0"})
    h.approve(org, "clerk2", iid)
    assert marks(org, iid) == ({"start", "a"}, {"b"}, {"f0", "f1"})
    h.approve(org, "sales_lead", iid)
    h.approve(org, "gm", iid)
    assert h.instance(org, iid)["status"] == "completed"
    assert marks(org, iid) == ({"start", "a", "b", "c", "end"}, set(), {"f0", "f1", "f2", "f3"})


def test_a_gateway_marks_only_the_branch_taken(org):
    key = h.deploy(org, bf.chain("routed", [bf.user_task("a", "any", "users", "sales_lead")], route_last=True))
    rejected = h.start(org, "clerk", key)
    h.reject(org, "sales_lead", rejected)
    done, current, taken = marks(org, rejected)
    assert done == {"start", "a", "gw", "end_rejected"} and current == set()
    assert "f_rej" in taken and "f2" not in taken  # f2 = gw -> end (approved), not taken
    assert "end" not in done

    approved = h.start(org, "clerk", key)
    h.approve(org, "sales_lead", approved)
    done, _, taken = marks(org, approved)
    assert done == {"start", "a", "gw", "end"}
    assert "f2" in taken and "f_rej" not in taken and "end_rejected" not in done


def test_a_parallel_countersign_marks_each_branch_and_the_join(org):
    h.deploy(org, PARALLEL)
    iid = h.start(org, "clerk", "par")
    assert marks(org, iid) == ({"start", "fork"}, {"legal", "dept"}, {"f_start", "f_legal", "f_dept"})
    h.approve(org, "legal_head", iid)
    done, current, taken = marks(org, iid)
    # the legal branch arrived at the join, which waits: a waiting join is nobody's task
    assert done == {"start", "fork", "legal"} and current == {"dept"}
    assert taken == {"f_start", "f_legal", "f_dept", "f_legal_join"}
    h.approve(org, "fin_head", iid)  # one of two countersigners: the node stays current
    assert marks(org, iid)[1] == {"dept"}
    h.approve(org, "hr_head", iid)
    done, current, taken = marks(org, iid)
    assert done == {"start", "fork", "legal", "dept", "join"} and current == {"gm_ok"}
    assert taken == {"f_start", "f_legal", "f_dept", "f_legal_join", "f_dept_join", "f_gm"}


def test_a_withdrawn_instance_has_no_current_node(org):
    key = h.deploy(org, bf.chain("wd", [bf.user_task("a", "any", "users", "sales_lead")]))
    iid = h.start(org, "clerk", key)
    p = progress.instance_progress(org.db, org["clerk"], iid)
    assert p["can_withdraw"] and p["can_urge"]
    instances.withdraw(org.db, org["clerk"], iid)
    p = progress.instance_progress(org.db, org["clerk"], iid)
    assert p["current"] == [] and p["completed"] == ["start"]
    assert not p["can_withdraw"] and not p["can_urge"]


def test_only_the_initiator_may_withdraw_and_only_until_an_approver_acts(org):
    key = h.deploy(org, bf.chain("wd2", [bf.user_task("a", "any", "users", "sales_lead"),
                                         bf.user_task("b", "any", "users", "gm")]))
    iid = h.start(org, "clerk", key)
    assert progress.instance_progress(org.db, org["sales_lead"], iid)["can_withdraw"] is False
    h.approve(org, "sales_lead", iid)
    p = progress.instance_progress(org.db, org["clerk"], iid)
    assert p["can_withdraw"] is False and p["can_urge"] is True


def test_an_outsider_may_not_see_the_progress(org):
    key = h.deploy(org, bf.chain("secret", [bf.user_task("a", "any", "users", "sales_lead")]))
    iid = h.start(org, "clerk", key)
    with pytest.raises(Forbidden):
        progress.instance_progress(org.db, org["outsider"], iid)


def test_processes_started_by_a_timer_are_not_offered_to_start(org):
    h.deploy(org, bf.chain("by_hand", [bf.user_task("a", "any", "users", "sales_lead")]))
    timer = bf.chain("by_timer", [bf.user_task("a", "any", "users", "sales_lead")]).replace(
        b'<bpmn:startEvent id="start"/>',
        b'<bpmn:startEvent id="start"><bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
        b'</bpmn:timerEventDefinition></bpmn:startEvent>')
    definitions.deploy(org.db, timer, org["admin"])
    keys = [p["key"] for p in progress.startable(org.db, org["clerk"])]
    assert "by_hand" in keys and "by_timer" not in keys


def test_hidden_fields_are_pruned_from_the_form_shown():
    schema = {"components": [
        {"type": "textfield", "key": "title"}, {"type": "textfield", "key": "bank_account"},
        {"type": "dynamiclist", "path": "lines", "components": [{"type": "number", "key": "amount"},
                                                                {"type": "textfield", "key": "note"}]},
        {"type": "group", "components": [{"type": "textfield", "key": "secret"}]}]}
    pruned = redact_schema(schema, {"bank_account", "lines.note", "secret"})
    assert pruned is not None
    keys = [c.get("key") or c.get("path") for c in pruned["components"]]
    assert keys == ["title", "lines", None]
    assert [c["key"] for c in pruned["components"][1]["components"]] == ["amount"]
    assert pruned["components"][2]["components"] == []
