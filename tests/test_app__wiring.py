"""app.wire(), the composition root: the CRM process functions (crm/processes/) are registered
with the engine there and nowhere else; docs/functions.md lists exactly them; an engine nobody
wired names the function it does not know."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import BPMN_DIR, wire
from core.errors import DefinitionInvalid, ValidationFailed
from crm import processes
from engine import functions, instances
from engine.design import definitions
from tests.bpmn_factory import HEAD
from tests.engine import helpers as h

DOC = Path(__file__).resolve().parents[1] / "docs" / "functions.md"
COUNTERSIGN = (BPMN_DIR / "contract_countersign.bpmn").read_bytes()
SET_STATUS = (HEAD + '''<bpmn:process id="set_status" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:serviceTask id="mark" name="mark"><bpmn:extensionElements>
    <lz:call function="crm.contract.set_status"><lz:arg name="contract_id" expr="1"/>
      <lz:arg name="status" expr="'signed'"/></lz:call></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="mark"/>
  <bpmn:sequenceFlow id="f2" sourceRef="mark" targetRef="e"/>
</bpmn:process></bpmn:definitions>''').encode()


def test_wire_registers_every_process_function_and_undo_and_is_idempotent():
    wire()
    wire()
    assert set(functions.registry()) >= set(processes.FUNCTIONS)
    assert {n: functions.get(n) for n in processes.FUNCTIONS} == processes.FUNCTIONS
    assert {n: functions.undo_of(n) for n in processes.UNDOS} == processes.UNDOS
    assert set(processes.UNDOS) <= set(processes.FUNCTIONS)


def test_docs_list_exactly_the_registered_functions_and_undos():
    text = DOC.read_text(encoding="utf-8")
    functions_table, undo_table = text.split("## Withdraw", 1)
    listed = set(re.findall(r"^\| `([a-z_.]+)` \|", functions_table, flags=re.M))
    undone = set(re.findall(r"^\| `([a-z_.]+)` \|", undo_table, flags=re.M))
    assert listed == set(processes.FUNCTIONS)
    assert undone == set(processes.UNDOS)


def test_the_engines_call_has_what_the_crm_functions_read():
    wanted = {n for n in vars(processes.Call) if not n.startswith("_")}
    assert wanted == set(functions.Call.__dataclass_fields__)


@pytest.fixture
def unwired(monkeypatch):
    monkeypatch.setattr(functions, "_REGISTRY", {})
    monkeypatch.setattr(functions, "_UNDO", {})
    monkeypatch.setattr(functions, "_DOCS", {})


def test_an_unwired_engine_refuses_the_deploy_naming_the_unknown_function(org, unwired):
    with pytest.raises(DefinitionInvalid) as e:
        definitions.deploy(org.db, COUNTERSIGN, org["admin"])
    messages = [p.message for p in e.value.problems]
    assert any("no registered function 'crm.contract.submit_for_review'" in m and "not wired" in m
               for m in messages), messages


def test_an_unwired_engine_fails_the_step_naming_the_unknown_function(org, monkeypatch):
    key = h.deploy(org, SET_STATUS)
    monkeypatch.setattr(functions, "_REGISTRY", {})
    with pytest.raises(ValidationFailed) as e:
        instances.start_process(org.db, org["clerk"], key, {})
    assert "no registered function 'crm.contract.set_status'" in e.value.message
    assert "not wired" in e.value.message
