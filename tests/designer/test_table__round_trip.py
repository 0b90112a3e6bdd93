"""designer/table.py: BPMN <-> table of steps. Generated files deploy (XSD, lint, sandboxed
conditions), read back to the same table, and run as the chain they describe."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpmn import lz
from designer.chain import opposite
from designer.table import check_table, from_table, new_table, step_of_element, to_table
from engine import sandbox
from engine.design.definitions import compile_definition
from forms import library
from tests.engine import helpers as h

BPMN = Path(__file__).resolve().parents[2] / "bpmn"

# ----------------------------------------------------------------------------- generated tables

ident = st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4})?", fullmatch=True)
words = st.text(alphabet="审批主管部门经理财务人事ABCxyz 0123", min_size=1, max_size=12).map(str.strip).filter(bool)
field_list = st.lists(ident, max_size=3, unique=True).map(",".join)
CONDITIONS = ["amount > 10000", "days >= 3 and leave_type == 'annual'", "title != ''", "amount <= 5000 or urgent",
              'customer["level"] in ("A", "B")']
VALUES = {"users": st.sampled_from(["lisi", "lisi,zhouqiang,lijun", "wufang"]),
          "role": st.sampled_from(["finance", "hr", "gm"]),
          "dept_head": st.sampled_from(["", "销售部"]),
          "dept_heads": st.sampled_from(["法务部,财务部", "销售部"]),
          "supervisor": st.sampled_from(["", "1", "2"]),
          "initiator": st.just(""), "field": ident, "chosen": st.just("")}


@st.composite
def steps_of(draw, flow_model: str, forms: list[str]) -> dict:
    mode = draw(st.sampled_from(["any", "all", "majority", "ratio", "sequential", "claim", "read", "handle"]))
    strategies = [s for s in lz.STRATEGIES if s != "chosen" or flow_model == "predefined"]
    strategy = draw(st.sampled_from(strategies))
    duration = draw(st.sampled_from(["", "P2D", "PT4H", "P1DT12H", "P1W"]))
    approval = mode != "handle"
    return {
        "id": "", "name": draw(words), "mode": mode,
        "threshold": draw(st.sampled_from(["0.5", "0.6", "1", "2/3"])) if mode == "ratio" else "",
        "skip_initiator": approval and draw(st.booleans()), "skip_repeated": approval and draw(st.booleans()),
        "assignee_strategy": strategy, "assignee_value": draw(VALUES[strategy]),
        "weights": draw(st.sampled_from(["", "lisi:3", "lisi:2,wufang:5"])) if mode in ("majority", "ratio") else "",
        "deadline_duration": duration,
        "deadline_action": draw(st.sampled_from(lz.DEADLINE_ACTIONS)) if duration else "",
        "form": draw(st.sampled_from(["", *forms])), "editable": draw(field_list), "hidden": draw(field_list),
        "cc": draw(st.sampled_from(["", "role:finance", "users:lisi,wufang; role:hr", "initiator", "supervisor:2"])),
        "condition": draw(st.sampled_from(["", "", *CONDITIONS])),
    }


@st.composite
def tables(draw) -> dict:
    forms = library.keys()
    flow_model = draw(st.sampled_from(lz.FLOW_MODELS))
    key = draw(ident.filter(lambda k: k not in ("start", "end")))
    steps = draw(st.lists(steps_of(flow_model, forms), min_size=1, max_size=6))
    ids = draw(st.lists(ident.filter(lambda i: i not in ("start", "end", key)), min_size=len(steps),
                        max_size=len(steps), unique=True))
    for s, i in zip(steps, ids, strict=True):
        s["id"] = i
    return {"process": {"key": key, "name": draw(words), "name_en": draw(st.sampled_from(["", "Purchase request"])),
                        "category": draw(st.sampled_from(["", "通用", "人事"])),
                        "prefix": draw(st.sampled_from(["", "CG", "X1"])), "mode": flow_model,
                        "start_form": draw(st.sampled_from(["", *forms]))},
            "steps": steps, "editable": True, "why_not": None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_every_valid_table_round_trips_and_deploys(table):
    assert check_table(table, sandbox.check_expression) == []
    xml = from_table(table)
    assert to_table(xml) == table
    compiled = compile_definition(xml)  # XSD, lint rules, sandboxed conditions, forms: raises when invalid
    assert compiled.parsed.process_id == table["process"]["key"]
    assert set(table["steps"][i]["id"] for i in range(len(table["steps"]))) <= set(compiled.config.nodes)


# ----------------------------------------------------------------------------- shipped files


def test_general_approval_reads_as_two_steps_the_second_one_conditional():
    t = to_table((BPMN / "general_approval.bpmn").read_bytes())
    assert t["editable"] and t["why_not"] is None
    assert t["process"] == {"key": "general_approval", "name": "通用审批", "name_en": "General approval",
                            "category": "通用", "prefix": "TY", "mode": "fixed", "start_form": "general_approval"}
    sup, head = t["steps"]
    assert (sup["id"], sup["name"], sup["mode"], sup["skip_initiator"]) == ("supervisor_approval", "直属主管审批", "any", True)
    assert (sup["assignee_strategy"], sup["assignee_value"]) == ("supervisor", "1")
    assert (sup["deadline_duration"], sup["deadline_action"], sup["condition"]) == ("P2D", "remind", "")
    assert (head["id"], head["assignee_strategy"], head["skip_repeated"]) == ("head_approval", "dept_head", True)
    assert head["condition"] == "amount > 10000"
    assert head["cc"] == "role:finance"
    assert to_table(from_table(t)) == t


@pytest.mark.parametrize("name, element", [
    ("contract_countersign", "service task 'submit'"),
    ("leave_request", "service task 'check'"),
    ("expense_reimbursement", "script task"),
    ("service_ticket", "script task 'prepare'"),
])
def test_processes_that_are_not_chains_say_which_element_is_in_the_way(name, element):
    t = to_table((BPMN / f"{name}.bpmn").read_bytes())
    assert t["editable"] is False and t["steps"] == []
    assert element in t["why_not"]
    assert t["process"]["key"] == name


def _doc(body: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:lz="urn:liuzhuan:bpmn:1"
  id="d" targetNamespace="urn:t"><bpmn:process id="p" name="P" isExecutable="true">{body}</bpmn:process>
</bpmn:definitions>""".encode()


TASK = '<bpmn:userTask id="{0}" name="{0}"><bpmn:extensionElements><lz:approval mode="any"/>' \
       '<lz:assignees strategy="initiator"/></bpmn:extensionElements></bpmn:userTask>'


def test_parallel_gateway_loop_and_timer_are_named():
    parallel = _doc('<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork" name="会签"/>'
                    + TASK.format("a") + TASK.format("b") + '<bpmn:endEvent id="e"/>'
                    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fork"/>'
                    '<bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="a"/>'
                    '<bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="b"/>')
    assert "parallel gateway 'fork' (会签)" in to_table(parallel)["why_not"]
    loop = _doc('<bpmn:startEvent id="s"/>' + TASK.format("a") + '<bpmn:exclusiveGateway id="g" default="back"/>'
                '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
                '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="g"/>'
                '<bpmn:sequenceFlow id="back" sourceRef="g" targetRef="a"/>'
                '<bpmn:sequenceFlow id="ok" sourceRef="g" targetRef="e"><bpmn:conditionExpression>'
                'a["outcome"] == "approved"</bpmn:conditionExpression></bpmn:sequenceFlow>')
    t = to_table(loop)
    assert not t["editable"] and "loops back" in t["why_not"] and "'a'" in t["why_not"]
    timer = _doc('<bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeCycle>"R/P1D"</bpmn:timeCycle>'
                 '</bpmn:timerEventDefinition></bpmn:startEvent>' + TASK.format("a") + '<bpmn:endEvent id="e"/>'
                 '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
                 '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="e"/>')
    assert "is a timer event" in to_table(timer)["why_not"]


def test_a_plain_chain_without_gateways_is_a_table():
    xml = _doc('<bpmn:startEvent id="s"/>' + TASK.format("a") + TASK.format("b") + '<bpmn:endEvent id="e"/>'
               '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
               '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>'
               '<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e"/>')
    t = to_table(xml)
    assert t["editable"], t["why_not"]
    assert [s["id"] for s in t["steps"]] == ["a", "b"]


def test_opposite_conditions():
    assert opposite("amount > 10000", "amount <= 10000")
    assert opposite("x == 1", "not (x == 1)")
    assert not opposite("amount > 10000", "amount < 10000")


# ----------------------------------------------------------------------------- checks


def test_check_table_names_the_step_and_field():
    t = new_table("buy", "采购")
    t["steps"][0].update(name="", mode="ratio", threshold="1.5", assignee_strategy="users", assignee_value="",
                         deadline_duration="2 days", condition="import os")
    t["steps"].append({**t["steps"][0], "id": "step_1", "name": "x", "mode": "any", "threshold": "",
                       "deadline_duration": "", "condition": ""})
    found = {(p.step, p.field) for p in check_table(t, sandbox.check_expression)}
    assert {(0, "name"), (0, "threshold"), (0, "assignee_value"), (0, "deadline_duration"), (0, "condition"),
            (1, "id"), (1, "assignee_value")} <= found
    w = new_table("vote", "票签")
    w["steps"][0].update(mode="majority", weights="zhaomin:0")
    w["steps"].append({**w["steps"][0], "id": "step_2", "name": "y", "mode": "all", "weights": "zhaomin:3"})
    assert {(0, "weights"), (1, "weights")} <= {(p.step, p.field) for p in check_table(w)}
    bad_key = new_table("1 bad key", "x")
    assert (None, "key") in {(p.step, p.field) for p in check_table(bad_key)}
    assert step_of_element(t, "step_1__yes") == 0


# ----------------------------------------------------------------------------- it runs as drawn


def test_generated_chain_runs_conditional_steps_only_when_their_condition_holds(org):
    t = new_table("purchase", "采购申请")
    t["steps"] = [
        {**t["steps"][0], "id": "lead", "name": "组长审批", "assignee_strategy": "supervisor", "assignee_value": "1"},
        {**t["steps"][0], "id": "board", "name": "多数通过", "mode": "majority", "assignee_strategy": "users",
         "assignee_value": "fin1,fin2,hr1", "condition": "amount > 10000"},
    ]
    key = h.deploy(org, from_table(t))
    small = h.start(org, "clerk", key, {"amount": 500})
    h.approve(org, "sales_lead", small)
    assert h.instance(org, small)["status"] == "completed"
    big = h.start(org, "clerk", key, {"amount": 50000})
    h.approve(org, "sales_lead", big)
    assert h.open_assignees(org, big) == {"board": {"fin1", "fin2", "hr1"}}
    h.approve(org, "fin1", big)
    h.approve(org, "hr1", big)
    assert h.instance(org, big)["status"] == "completed"
    rejected = h.start(org, "clerk", key, {"amount": 50000})
    h.reject(org, "sales_lead", rejected)
    inst = h.instance(org, rejected)
    assert inst["status"] == "completed" and h.open_assignees(org, rejected) == {}
