"""`${nrOfCompletedInstances >= n}` in Camunda and Flowable files (bpmn/foreign.py, bpmn/juel.py).

When the file fixes the number of instances M (a literal loopCardinality with its M approvers named
in the file) the condition becomes exactly n of M (`lz:approval mode="ratio" threshold="n/M"`): the
node decides at the n-th approval and the remaining tasks leave the inboxes. When M is only known at
run time (a collection variable), or n > M, the deploy is a 422 naming the element and saying why."""
from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from tests import corpus
from tests.api.conftest import API, act, assert_error, deploy, inbox, login, task_of
from tests.api.test_deploy__foreign_files import CAMUNDA, FLOWABLE, foreign_file

CORPUS_FILE = ("camunda-bpm-platform-selected/engine/src/test/resources/org/camunda/bpm/engine/test/bpmn/"
               "multiinstance/MultiInstanceTest.testParallelUserTasksCompletionCondition.bpmn20.xml")


def counted_file(pid: str, cardinality: str, people: str, completion: str, prefix: str = "camunda",
                 ns: str = CAMUNDA) -> bytes:
    return foreign_file(pid, f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign"/>
    <bpmn:userTask id="sign" name="会签" {people}>
      <bpmn:multiInstanceLoopCharacteristics isSequential="false">
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
        <bpmn:completionCondition>{completion}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>
    <bpmn:endEvent id="end"/>""", ns, prefix)


def _instance(client: Any, iid: int) -> dict[str, Any]:
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _start(client: Any, process: str) -> int:
    r = client.post(f"{API}/process-instances", json={"process": process, "data": {}}, headers=login(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _task_status(client: Any, user: str, tid: int) -> str:
    r = client.get(f"{API}/tasks/{tid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["status"]


def run_n_of_m(client: Any, process: str, voters: list[str], n: int, node: str = "sign") -> None:
    """Start; each voter has one task; n - 1 approvals leave it open, the n-th decides `approved` and
    the others' tasks are cancelled (out of their 待办)."""
    iid = _start(client, process)
    assert sorted((t["node_id"], t["assignee"]) for t in _instance(client, iid)["open_tasks"]) == \
        [(node, v) for v in sorted(voters)]
    tasks = {v: task_of(client, v, iid) for v in voters}
    for v in voters[:n - 1]:
        act(client, v, iid)
        assert _instance(client, iid)["status"] == "running", f"decided after {voters.index(v) + 1} of {n}"
    act(client, voters[n - 1], iid)
    inst = _instance(client, iid)
    assert (inst["status"], inst["outcome"], inst["open_tasks"]) == ("completed", "approved", [])
    for v in voters[n:]:
        assert _task_status(client, v, tasks[v]) == "cancelled"
        assert not [t for t in inbox(client, v)["items"] if t["instance_id"] == iid]


def test_camunda_two_of_three_named_approvers(client):
    r = deploy(client, counted_file("cam_2of3", "${3}", 'camunda:candidateUsers="v01, v02, v03"',
                                    "${nrOfCompletedInstances &gt;= 2}"))
    assert r.status_code == 201, r.get_json()
    (tr,) = [t for t in r.get_json()["translations"] if t["element_id"] == "sign"]
    assert tr["to"] == '<lz:approval mode="ratio" threshold="2/3"/><lz:assignees strategy="users" value="v01,v02,v03"/>'
    assert "nrOfCompletedInstances >= 2" in tr["from"] and "x 3" in tr["from"]
    run_n_of_m(client, "cam_2of3", ["v02", "v03", "v01"], 2)


def test_camunda_two_of_three_rejected_once_two_approvals_are_out_of_reach(client):
    assert deploy(client, counted_file("cam_2of3r", "3", 'camunda:candidateUsers="v01,v02,v03"',
                                       "${nrOfCompletedInstances &gt;= 2}")).status_code == 201
    iid = _start(client, "cam_2of3r")
    act(client, "v01", iid, "reject")
    assert _instance(client, iid)["status"] == "running"  # v02 and v03 can still make two
    act(client, "v02", iid, "reject")
    inst = _instance(client, iid)
    assert (inst["outcome"], inst["open_tasks"]) == ("rejected", [])


@pytest.mark.parametrize("completion, n", [
    ("${nrOfCompletedInstances == 3}", 3),
    ("${nrOfCompletedInstances &gt; 3}", 4),
    ("${nrOfCompletedInstances == nrOfInstances}", 5),
])
def test_flowable_n_of_five_decides_at_the_nth_approval(client, completion, n):
    r = deploy(client, counted_file("flow_nof5", "5", 'flowable:candidateUsers="v11,v12,v13,v14,v15"',
                                    completion, "flowable", FLOWABLE))
    assert r.status_code == 201, r.get_json()
    (tr,) = [t for t in r.get_json()["translations"] if t["element_id"] == "sign"]
    assert tr["to"].startswith('<lz:approval mode="all"/>' if n == 5 else
                               f'<lz:approval mode="ratio" threshold="{n}/5"/>')
    run_n_of_m(client, "flow_nof5", ["v14", "v11", "v15", "v12", "v13"], n)


def test_assignee_with_the_loop_counter_names_one_approver_per_instance(client):
    r = deploy(client, counted_file("cam_loopctr", "${3}", 'camunda:assignee="v2${loopCounter}"',
                                    "${nrOfCompletedInstances &gt;= 2}"))
    assert r.status_code == 201, r.get_json()
    run_n_of_m(client, "cam_loopctr", ["v21", "v20", "v22"], 2)


@pytest.mark.parametrize("body, words", [
    # the approvers come from a collection variable: M is only known at run time
    ('<bpmn:userTask id="t" camunda:assignee="${v}"><bpmn:multiInstanceLoopCharacteristics camunda:collection="${vs}" '
     'camunda:elementVariable="v"><bpmn:completionCondition>${nrOfCompletedInstances &gt;= 2}</bpmn:completionCondition>'
     '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>', "only known at run time"),
    ('<bpmn:userTask id="t" camunda:candidateUsers="v01,v02"><bpmn:multiInstanceLoopCharacteristics>'
     '<bpmn:loopCardinality>2</bpmn:loopCardinality><bpmn:completionCondition>${nrOfCompletedInstances &gt;= 3}'
     '</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>', "never be reached"),
    ('<bpmn:userTask id="t" camunda:candidateUsers="v01,v02"><bpmn:multiInstanceLoopCharacteristics>'
     '<bpmn:loopCardinality>${count}</bpmn:loopCardinality><bpmn:completionCondition>${nrOfCompletedInstances &gt;= 2}'
     '</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>', "not a literal number"),
    ('<bpmn:userTask id="t" camunda:candidateUsers="v01,v02"><bpmn:multiInstanceLoopCharacteristics>'
     '<bpmn:loopCardinality>3</bpmn:loopCardinality><bpmn:completionCondition>${nrOfCompletedInstances &gt;= 2}'
     '</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>', "name exactly 3"),
    ('<bpmn:userTask id="t" camunda:candidateGroups="finance"><bpmn:multiInstanceLoopCharacteristics>'
     '<bpmn:loopCardinality>2</bpmn:loopCardinality><bpmn:completionCondition>${nrOfCompletedInstances &gt;= 2}'
     '</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>', "only known at run time"),
])
def test_counts_that_cannot_be_fixed_at_deploy_are_422_naming_the_element(client, body, words):
    xml = foreign_file("cam_count_bad", f"""<bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t"/>{body}
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end"/><bpmn:endEvent id="end"/>""")
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    mine = [p for p in err["problems"] if p["rule"] == "foreign"]
    assert mine and all(p["element_id"] == "t" for p in mine), err["problems"]
    assert any(words in p["message"] for p in mine), mine
    assert_error(client.get(f"{API}/process-definitions/cam_count_bad", headers=login(client, "admin")), 404)


# ---------------------------------------------------------------- the corpus file


@corpus.requires_corpus
def test_corpus_completion_condition_file_names_no_approver_and_is_refused_saying_so(client):
    err = assert_error(deploy(client, (corpus.CORPUS / CORPUS_FILE).read_bytes()), 422, "definition_invalid")
    assert [(p["element_id"], p["rule"]) for p in err["problems"]] == [("miTasks", "foreign")]
    assert "names no approver" in err["problems"][0]["message"]


@corpus.requires_corpus
def test_corpus_completion_condition_file_with_its_five_approvers_named_decides_at_three(client):
    """The same file with the five approvers named (as a modeler would, candidateUsers on the task):
    `nrOfCompletedInstances/nrOfInstances >= 0.5` of 5 decides at the third approval."""
    root = etree.fromstring((corpus.CORPUS / CORPUS_FILE).read_bytes())
    (task,) = root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask")
    task.set(f"{{{CAMUNDA}}}candidateUsers", "v01,v02,v03,v04,v05")
    r = deploy(client, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert r.status_code == 201, r.get_json()
    (tr,) = r.get_json()["translations"]
    assert (tr["element_id"], tr["to"]) == (
        "miTasks", '<lz:approval mode="ratio" threshold="0.5"/><lz:assignees strategy="users" '
                   'value="v01,v02,v03,v04,v05"/>')
    run_n_of_m(client, "miParallelUserTasksCompletionCondition", ["v05", "v01", "v03", "v02", "v04"], 3,
               node="miTasks")
