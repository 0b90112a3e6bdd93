"""Forms are validated on the server: the start form at start, the node's form with its lz:fields
(editable / hidden) when a task is completed; hidden fields never reach that node's assignee."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import DefinitionInvalid, ValidationFailed
from engine import inbox, instances, tasks
from engine.design import definitions
from forms import library
from tests.bpmn_factory import HEAD
from tests.engine import helpers as h

ROOT = Path(__file__).resolve().parents[2]

EXPENSE = {"type": "default", "schemaVersion": 16, "components": [
    {"type": "textfield", "key": "title", "label": "标题", "validate": {"required": True, "maxLength": 50}},
    {"type": "number", "key": "amount", "label": "金额", "validate": {"required": True, "min": 0}},
    {"type": "textfield", "key": "bank_account", "label": "银行账号"},
    {"type": "textfield", "key": "finance_note", "label": "财务备注"},
]}

PROCESS = (HEAD + """<bpmn:process id="formed" isExecutable="true">
  <bpmn:startEvent id="s"><bpmn:extensionElements><lz:form key="t_expense"/></bpmn:extensionElements></bpmn:startEvent>
  <bpmn:userTask id="review" name="review"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="v01"/><lz:form key="t_expense"/>
    <lz:fields editable="finance_note" hidden="bank_account"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:userTask id="pay" name="pay"><bpmn:extensionElements>
    <lz:assignees strategy="users" value="fin1"/><lz:form key="t_expense"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="pay"/>
  <bpmn:sequenceFlow id="f3" sourceRef="pay" targetRef="e"/>
</bpmn:process></bpmn:definitions>""").encode()


@pytest.fixture
def forms_dir(tmp_path, monkeypatch):
    (tmp_path / "t_expense.json").write_text(json.dumps(EXPENSE), encoding="utf-8")
    monkeypatch.setattr(library, "SCHEMA_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def key(org, forms_dir):
    return h.deploy(org, PROCESS)


GOOD = {"title": "差旅", "amount": 300, "bank_account": "6222 0000 1111"}


def test_start_data_is_validated_against_the_start_form(org, key):
    with pytest.raises(ValidationFailed) as e:
        instances.start_process(org.db, org["clerk"], key, {"amount": -1, "evil": "x"})
    assert set(e.value.fields) == {"data.title", "data.amount", "data.evil"}
    assert inbox.list_box(org.db, org["clerk"], "started", 0, 5)[1] == 0, "nothing was started"
    iid = h.start(org, "clerk", key, GOOD)
    assert h.instance(org, iid)["data"] == GOOD


def test_only_editable_fields_may_change_at_a_node(org, key):
    iid = h.start(org, "clerk", key, GOOD)
    tid = h.task_of(org, "v01", iid)
    with pytest.raises(ValidationFailed) as e:
        tasks.approve(org.db, org["v01"], tid, "改金额", data={"amount": 1})
    assert "data.amount" in e.value.fields and "read-only" in e.value.fields["data.amount"]
    with pytest.raises(ValidationFailed) as e:
        tasks.approve(org.db, org["v01"], tid, data={"bank_account": "x"})
    assert "hidden" in e.value.fields["data.bank_account"]
    assert h.open_assignees(org, iid) == {"review": {"v01"}}, "refused submissions change nothing"
    tasks.approve(org.db, org["v01"], tid, "ok", data={"finance_note": "发票齐全", "amount": 300})
    assert h.instance(org, iid)["data"]["finance_note"] == "发票齐全"


def test_hidden_fields_never_reach_that_nodes_assignee(org, key):
    iid = h.start(org, "clerk", key, GOOD)
    tid = h.task_of(org, "v01", iid)
    assert "bank_account" not in tasks.get_task(org.db, org["v01"], tid)["data"]
    assert "bank_account" not in instances.get_instance(org.db, org["v01"], iid)["data"]
    assert instances.get_instance(org.db, org["clerk"], iid)["data"]["bank_account"] == GOOD["bank_account"]
    h.approve(org, "v01", iid)
    assert "bank_account" not in instances.get_instance(org.db, org["v01"], iid)["data"], "not after acting either"
    pay = h.task_of(org, "fin1", iid)
    assert tasks.get_task(org.db, org["fin1"], pay)["data"]["bank_account"] == GOOD["bank_account"]


def test_a_node_without_lz_fields_has_a_read_only_form(org, key):
    iid = h.start(org, "clerk", key, GOOD)
    h.approve(org, "v01", iid)
    with pytest.raises(ValidationFailed):
        tasks.approve(org.db, org["fin1"], h.task_of(org, "fin1", iid), data={"title": "改标题"})


def test_deploy_refuses_a_missing_or_broken_form(org, forms_dir):
    (forms_dir / "t_expense.json").unlink()
    with pytest.raises(DefinitionInvalid) as e:
        definitions.deploy(org.db, PROCESS, org["admin"])
    assert {p.element_id for p in e.value.problems if p.rule == "form"} == {"formed", "review", "pay"}
    (forms_dir / "t_expense.json").write_text('{"type": "default", "components": [{"type": "number"}]}')
    with pytest.raises(DefinitionInvalid) as e:
        definitions.deploy(org.db, PROCESS, org["admin"])
    assert any(p.rule == "form" for p in e.value.problems)


def test_the_version_keeps_the_forms_it_was_deployed_with(org, key, forms_dir):
    changed = dict(EXPENSE, components=[*EXPENSE["components"],
                                        {"type": "textfield", "key": "extra", "label": "x"}])
    (forms_dir / "t_expense.json").write_text(json.dumps(changed), encoding="utf-8")
    d, created = definitions.deploy(org.db, PROCESS, org["admin"])
    assert created and d.version == 2, "a changed form makes a new version"
    assert "extra" in [c.get("key") for c in d.forms["t_expense"]["components"]]


REQUIRED_NOTE = (HEAD + """<bpmn:process id="formed_req" isExecutable="true">
  <bpmn:startEvent id="s"><bpmn:extensionElements><lz:form key="t_expense_req"/></bpmn:extensionElements></bpmn:startEvent>
  <bpmn:userTask id="review" name="review"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="v01"/><lz:form key="t_expense_req"/>
    <lz:fields editable="finance_note"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/>
</bpmn:process></bpmn:definitions>""").encode()


def test_approving_without_data_still_needs_the_steps_required_editable_fields(org, forms_dir):
    schema = json.loads(json.dumps(EXPENSE))
    schema["components"][3]["validate"] = {"required": True}  # finance_note: required, filled in at review
    (forms_dir / "t_expense_req.json").write_text(json.dumps(schema), encoding="utf-8")
    key = h.deploy(org, REQUIRED_NOTE)
    with pytest.raises(ValidationFailed):  # the start form requires it too
        instances.start_process(org.db, org["clerk"], key, dict(GOOD))
    iid = h.start(org, "clerk", key, {**GOOD, "finance_note": "起草时填写"})
    tid = h.task_of(org, "v01", iid)
    tasks.approve(org.db, org["v01"], tid)  # filled in before: approving without data is fine
    assert h.instance(org, iid)["status"] == "completed"


def test_a_required_editable_field_left_empty_refuses_an_approval_without_data(org, forms_dir):
    schema = json.loads(json.dumps(EXPENSE))
    schema["components"][3]["validate"] = {"required": True}
    (forms_dir / "t_expense_req.json").write_text(json.dumps(schema), encoding="utf-8")
    key = h.deploy(org, REQUIRED_NOTE.replace(b'<lz:form key="t_expense_req"/></bpmn:extensionElements></bpmn:startEvent>',
                                              b'</bpmn:extensionElements></bpmn:startEvent>'))
    iid = h.start(org, "clerk", key, {})
    tid = h.task_of(org, "v01", iid)
    with pytest.raises(ValidationFailed) as e:
        tasks.approve(org.db, org["v01"], tid, "ok")
    assert set(e.value.fields) == {"data.finance_note"} and "required" in e.value.fields["data.finance_note"]
    assert h.open_assignees(org, iid) == {"review": {"v01"}}, "the refused approval changed nothing"
    tasks.approve(org.db, org["v01"], tid, "ok", data={"finance_note": "已核对"})
    assert h.instance(org, iid)["data"]["finance_note"] == "已核对"
