"""Processes drawn in Camunda Modeler or Flowable deploy with what has a faithful meaning translated
(bpmn/foreign.py): assignees and candidates -> lz:assignees, N-of-M completion conditions -> the
approval rule, ${...} comparisons -> Python. The deploy answer lists the translations; the votes
then decide as the completion condition said. Everything else is a 422 naming the element."""
from __future__ import annotations

from typing import Any

import pytest

from tests import corpus
from tests.api.conftest import API, act, assert_error, deploy, login

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
FLOWABLE = "http://flowable.org/bpmn"
VOTERS = ["v01", "v02", "v03", "v04", "v05"]


def foreign_file(pid: str, body: str, ns: str = CAMUNDA, prefix: str = "camunda") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:{prefix}="{ns}"
  id="defs_{pid}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.23.0">
  <bpmn:process id="{pid}" name="{pid}" isExecutable="true" {prefix}:historyTimeToLive="180">
    {body}
  </bpmn:process>
</bpmn:definitions>""".encode()


def vote_file(pid: str, completion: str | None, prefix: str = "camunda", ns: str = CAMUNDA,
              sequential: bool = False) -> bytes:
    cond = f"<bpmn:completionCondition>{completion}</bpmn:completionCondition>" if completion else ""
    return foreign_file(pid, f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="财务复核" {prefix}:assignee="fin1"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="small"/>
    <bpmn:sequenceFlow id="big" sourceRef="gw" targetRef="vote">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{amount &gt; 1000 &amp;&amp; kind == 'buy'}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="gw" targetRef="end"/>
    <bpmn:userTask id="vote" name="会签" {prefix}:assignee="${{voter}}">
      <bpmn:multiInstanceLoopCharacteristics isSequential="{'true' if sequential else 'false'}"
          {prefix}:collection="${{voters}}" {prefix}:elementVariable="voter">{cond}</bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="vote" targetRef="end"/>
    <bpmn:endEvent id="end"/>""", ns, prefix)


def _instance(client: Any, iid: int) -> dict[str, Any]:
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _start(client: Any, process: str, data: dict[str, Any]) -> int:
    r = client.post(f"{API}/process-instances", json={"process": process, "data": data},
                    headers=login(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _open(client: Any, iid: int) -> list[tuple[str, str]]:
    return sorted((t["node_id"], t["assignee"]) for t in _instance(client, iid)["open_tasks"])


def test_camunda_assignee_condition_and_ratio_are_translated_and_reported(client):
    r = deploy(client, vote_file("cam_ratio", "${nrOfCompletedInstances/nrOfInstances >= 0.6}"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    by = {(t["element_id"], t["action"]): t for t in body["translations"]}
    assert by[("review", "translated")]["to"] == '<lz:assignees strategy="users" value="fin1"/>'
    assert by[("big", "translated")]["to"] == "amount > 1000 and kind == 'buy'"
    assert by[("vote", "translated")]["to"] == ('<lz:approval mode="ratio" threshold="0.6"/>'
                                                '<lz:assignees strategy="field" value="voters"/>')
    assert by[("cam_ratio", "dropped")]["from"] == 'camunda:historyTimeToLive="180"'
    xml = client.get(f"{API}/process-definitions/cam_ratio", headers=login(client, "admin")).get_json()
    assert xml["key"] == "cam_ratio"


def test_ratio_approves_at_three_of_five_and_rejects_when_out_of_reach(client):
    assert deploy(client, vote_file("cam_ratio", "${nrOfCompletedInstances/nrOfInstances >= 0.6}")).status_code == 201
    ok = _start(client, "cam_ratio", {"amount": 5000, "kind": "buy", "voters": VOTERS})
    assert _open(client, ok) == [("review", "fin1")]
    act(client, "fin1", ok)
    assert _open(client, ok) == [("vote", v) for v in VOTERS]
    for v in VOTERS[:2]:
        act(client, v, ok)
    assert _instance(client, ok)["status"] == "running"
    act(client, "v03", ok)
    inst = _instance(client, ok)
    assert (inst["status"], inst["outcome"], inst["open_tasks"]) == ("completed", "approved", [])

    no = _start(client, "cam_ratio", {"amount": 5000, "kind": "buy", "voters": VOTERS})
    act(client, "fin1", no)
    act(client, "v01", no, "reject")
    act(client, "v02", no, "reject")
    assert _instance(client, no)["status"] == "running"  # 3 of 5 can still approve: 0.6
    act(client, "v03", no, "reject")
    assert _instance(client, no)["outcome"] == "rejected"


def test_the_translated_condition_routes_as_the_comparison_said(client):
    assert deploy(client, vote_file("cam_any", "${nrOfCompletedInstances >= 1}")).status_code == 201
    small = _start(client, "cam_any", {"amount": 500, "kind": "buy", "voters": VOTERS})
    act(client, "fin1", small)
    assert _instance(client, small)["status"] == "completed"  # amount <= 1000: no vote
    other = _start(client, "cam_any", {"amount": 5000, "kind": "sell", "voters": VOTERS})
    act(client, "fin1", other)
    assert _instance(client, other)["status"] == "completed"  # kind != 'buy'
    big = _start(client, "cam_any", {"amount": 5000, "kind": "buy", "voters": VOTERS})
    act(client, "fin1", big)
    act(client, "v04", big)  # any: the first decision decides
    assert (_instance(client, big)["outcome"], _open(client, big)) == ("approved", [])


@pytest.mark.parametrize("completion, mode", [
    ("${nrOfCompletedInstances == nrOfInstances}", "all"),
    ("${nrOfCompletedInstances/nrOfInstances > 0.5}", "majority"),
    ("${nrOfCompletedInstances > 0}", "any"),
    (None, "all"),
])
def test_flowable_completion_conditions_map_to_the_lz_rule(client, completion, mode):
    r = deploy(client, vote_file("flow_vote", completion, "flowable", FLOWABLE))
    assert r.status_code == 201, r.get_json()
    vote = next(t for t in r.get_json()["translations"] if t["element_id"] == "vote")
    assert vote["to"].startswith(f'<lz:approval mode="{mode}"/>')
    iid = _start(client, "flow_vote", {"amount": 5000, "kind": "buy", "voters": VOTERS[:3]})
    act(client, "fin1", iid)
    act(client, "v01", iid)
    decided_after_one = _instance(client, iid)["status"] == "completed"
    assert decided_after_one is (mode == "any")
    if decided_after_one:
        return
    act(client, "v02", iid)
    assert (_instance(client, iid)["status"] == "completed") is (mode in ("any", "majority"))


def test_sequential_multi_instance_asks_each_in_the_order_of_the_collection(client):
    assert deploy(client, vote_file("cam_seq", None, sequential=True)).status_code == 201
    iid = _start(client, "cam_seq", {"amount": 5000, "kind": "buy", "voters": ["v03", "v01"]})
    act(client, "fin1", iid)
    assert _open(client, iid) == [("vote", "v03")]
    act(client, "v03", iid)
    assert _open(client, iid) == [("vote", "v01")]
    act(client, "v01", iid)
    assert _instance(client, iid)["outcome"] == "approved"


def test_candidate_groups_and_users_become_a_handle_task_for_any_of_them(client):
    xml = foreign_file("cam_cand", """
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pay"/>
    <bpmn:userTask id="pay" name="付款" camunda:candidateGroups="finance"/>
    <bpmn:sequenceFlow id="f2" sourceRef="pay" targetRef="check"/>
    <bpmn:userTask id="check" name="核对" camunda:candidateUsers="v07, v08"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
    <bpmn:endEvent id="end"/>""")
    r = deploy(client, xml)
    assert r.status_code == 201, r.get_json()
    tos = {t["element_id"]: t["to"] for t in r.get_json()["translations"]}
    assert tos["pay"] == '<lz:assignees strategy="role" value="finance"/>'
    assert tos["check"] == '<lz:assignees strategy="users" value="v07,v08"/>'
    iid = _start(client, "cam_cand", {})
    assert _open(client, iid) == [("pay", "fin1"), ("pay", "fin2")]
    act(client, "fin2", iid)
    assert _open(client, iid) == [("check", "v07"), ("check", "v08")]
    act(client, "v08", iid)
    assert _instance(client, iid)["status"] == "completed"


@pytest.mark.parametrize("body, element, words", [
    ('<bpmn:userTask id="t" camunda:assignee="${voter}"><bpmn:multiInstanceLoopCharacteristics '
     'camunda:collection="voters" camunda:elementVariable="voter"><bpmn:completionCondition>'
     '${nrOfCompletedInstances &gt;= 2}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>'
     '</bpmn:userTask>', "t", "nrOfInstances >= r"),
    ('<bpmn:serviceTask id="t" camunda:class="org.example.Mailer"/>', "t", "camunda:class"),
    ('<bpmn:userTask id="t" camunda:assignee="${user.name}"/>', "t", "expression"),
    ('<bpmn:userTask id="t" camunda:assignee="a1" camunda:candidateGroups="hr"/>', "t", "more than one"),
    ('<bpmn:userTask id="t"><bpmn:extensionElements><camunda:taskListener event="create" class="X"/>'
     '</bpmn:extensionElements></bpmn:userTask>', "t", "camunda:taskListener"),
])
def test_what_has_no_faithful_meaning_is_422_naming_the_element(client, body, element, words):
    xml = foreign_file("cam_bad", f"""<bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t"/>{body}
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end"/><bpmn:endEvent id="end"/>""")
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    mine = [p for p in err["problems"] if p["rule"] == "foreign"]
    assert mine and all(p["element_id"] == element for p in mine), err["problems"]
    assert any(words in p["message"] for p in mine), mine
    assert_error(client.get(f"{API}/process-definitions/cam_bad", headers=login(client, "admin")), 404)


def test_a_condition_with_property_access_is_refused_naming_the_flow(client):
    xml = vote_file("cam_prop", None).replace(b"amount &gt; 1000", b"order.amount &gt; 1000")
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    assert [(p["element_id"], p["rule"]) for p in err["problems"]] == [("big", "foreign")]
    assert "property access" in err["problems"][0]["message"] or "object" in err["problems"][0]["message"]


def test_a_translated_condition_still_passes_the_expression_checks(client):
    xml = vote_file("cam_op", None).replace(b"amount &gt; 1000", b"__import__ == 1")
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    assert [p["element_id"] for p in err["problems"]] == ["big"]


# ---------------------------------------------------------------- files from the corpus

MI = "camunda-bpm-platform-selected/engine/src/test/resources/org/camunda/bpm/engine/test/bpmn"


@corpus.requires_corpus
def test_corpus_quorum_file_deploys_and_votes_at_sixty_percent(client):
    xml = (corpus.CORPUS / MI / "multiinstance/MultiInstanceTest.testParallelUserTasksBasedOnCollection.bpmn20.xml")
    r = deploy(client, xml.read_bytes())
    assert r.status_code == 201, r.get_json()
    assert [t["element_id"] for t in r.get_json()["translations"]] == ["miTasks"]
    iid = _start(client, "miParallelUserTasksBasedOnCollection", {"assigneeList": VOTERS})
    assert len(_open(client, iid)) == 5
    for v in VOTERS[:2]:
        act(client, v, iid)
    assert _instance(client, iid)["status"] == "running"
    act(client, "v05", iid)
    assert (_instance(client, iid)["outcome"], _open(client, iid)) == ("approved", [])


@corpus.requires_corpus
def test_corpus_gateway_file_routes_on_the_translated_conditions(client):
    xml = corpus.CORPUS / MI / "gateway/ExclusiveGatewayTest.testDivergingExclusiveGateway.bpmn20.xml"
    r = deploy(client, xml.read_bytes())
    assert r.status_code == 201, r.get_json()
    assert {t["to"] for t in r.get_json()["translations"]} == {"input == 1", "input == 2", "input == 3"}
    iid = _start(client, "exclusiveGwDiverging", {"input": 2})
    assert [n for n, _ in _open(client, iid)] == ["theTask2"]


@corpus.requires_corpus
def test_corpus_modeler_file_with_form_keys_is_refused_naming_each_element(client):
    xml = corpus.CORPUS / "camunda-bpm-examples/usertask/task-camunda-forms/src/main/resources/invoiceApproval.bpmn"
    err = assert_error(deploy(client, xml.read_bytes()), 422, "definition_invalid")
    assert sorted(p["element_id"] for p in err["problems"]) == ["StartEvent_1", "UserTask_1"]
    assert all("camunda:formKey" in p["message"] for p in err["problems"])
