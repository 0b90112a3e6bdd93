"""Service tasks call registered functions by name (lz:call) with sandboxed arguments; their
changes commit or roll back with the process step; unknown functions are refused at deploy."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import DefinitionInvalid, ValidationFailed
from crm.models import Department
from engine import functions
from engine.design import definitions
from tests.bpmn_factory import HEAD
from tests.engine import helpers as h


def rename_department(call: functions.Call, dept: str, new_name: str) -> dict:
    """Rename a department (a stand-in for a CRM write-back such as crm.contract.set_status)."""
    d = call.session.scalars(select(Department).where(Department.name == dept)).one()
    if new_name == "FAIL":
        raise ValidationFailed("refused by the function", {"new_name": "not allowed"})
    d.name = new_name
    return {"renamed": dept, "to": new_name, "by_instance": call.business_key}


@pytest.fixture(autouse=True)
def registered():
    functions.register("test.rename_department", rename_department)
    yield
    functions.unregister("test.rename_department")


def process(call: str, args: str, key: str = "svc") -> bytes:
    return (HEAD + f'''<bpmn:process id="{key}" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="ok" name="ok"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="v01"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:serviceTask id="write_back" name="write back"><bpmn:extensionElements>
    <lz:call function="{call}">{args}</lz:call></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ok"/>
  <bpmn:sequenceFlow id="f2" sourceRef="ok" targetRef="write_back"/>
  <bpmn:sequenceFlow id="f3" sourceRef="write_back" targetRef="e"/>
</bpmn:process></bpmn:definitions>''').encode()


ARGS = '<lz:arg name="dept" expr="dept"/><lz:arg name="new_name" expr="prefix + &quot;-&quot; + dept"/>'


def names(org):
    with org.db.uow() as s:
        return set(s.scalars(select(Department.name)))


def test_the_function_runs_with_evaluated_arguments_and_its_result_is_stored(org):
    key = h.deploy(org, process("test.rename_department", ARGS))
    iid = h.start(org, "clerk", key, {"dept": "法务部", "prefix": "新"})
    assert "法务部" in names(org), "nothing runs before the approval"
    h.approve(org, "v01", iid)
    inst = h.instance(org, iid)
    assert inst["status"] == "completed"
    assert "新-法务部" in names(org) and "法务部" not in names(org)
    assert inst["data"]["write_back"]["result"] == {"renamed": "法务部", "to": "新-法务部",
                                                     "by_instance": inst["business_key"]}
    assert not any(k.startswith("spiff__") for k in inst["data"])
    call = [e for e in inst["history"] if e["action"] == "call"][0]
    assert call["detail"]["function"] == "test.rename_department"


def test_a_refusing_function_rolls_back_the_whole_step(org):
    refusing = '<lz:arg name="dept" expr="dept"/><lz:arg name="new_name" expr="&quot;FAIL&quot;"/>'
    iid = h.start(org, "clerk", h.deploy(org, process("test.rename_department", refusing)), {"dept": "法务部"})
    with pytest.raises(ValidationFailed) as e:  # 422 naming the field, like a form error; not 409
        h.approve(org, "v01", iid)
    assert "refused by the function" in e.value.message
    assert e.value.fields == {"data.new_name": "not allowed"}, "the caller hears which field"
    assert h.open_assignees(org, iid) == {"ok": {"v01"}}, "the approval was rolled back too"
    assert "法务部" in names(org)
    assert h.instance(org, iid)["error"] is None, "a business refusal is not an engine failure"


def test_deploy_refuses_unknown_functions_wrong_arguments_and_bare_service_tasks(org):
    cases = [
        (process("no.such.function", ARGS), "no registered function"),
        (process("test.rename_department", '<lz:arg name="dept" expr="dept"/>'), "needs argument(s) new_name"),
        (process("test.rename_department", ARGS + '<lz:arg name="extra" expr="1"/>'), "no argument(s) extra"),
        (process("test.rename_department", ARGS.replace('expr="dept"', 'expr="__import__(1)"')), "_"),
    ]
    for xml, why in cases:
        with pytest.raises(DefinitionInvalid) as e:
            definitions.deploy(org.db, xml, org["admin"])
        assert any(why in p.message and p.element_id == "write_back" for p in e.value.problems), e.value.problems
    bare = process("x", "").replace(b'<bpmn:extensionElements>\n    <lz:call function="x"></lz:call></bpmn:extensionElements>',
                                    b"")
    with pytest.raises(DefinitionInvalid) as e:
        definitions.deploy(org.db, bare, org["admin"])
    assert any("needs <lz:call" in p.message for p in e.value.problems)


def test_registry_lists_functions_with_their_arguments():
    assert functions.registry()["test.rename_department"] == {
        "args": ["dept", "new_name"], "doc": "Rename a department (a stand-in for a CRM write-back such as "
                                             "crm.contract.set_status)."}


def test_an_argument_naming_a_field_the_client_left_out_is_none(org):
    seen = {}

    def capture(call: functions.Call, dept: str, new_name: str | None = None) -> None:
        seen["new_name"] = new_name

    functions.register("test.capture", capture)
    try:
        key = h.deploy(org, process("test.capture", '<lz:arg name="dept" expr="dept"/>'
                                                    '<lz:arg name="new_name" expr="optional_note"/>', key="svc_opt"))
        iid = h.start(org, "clerk", key, {"dept": "法务部"})
        h.approve(org, "v01", iid)
        assert seen == {"new_name": None}
    finally:
        functions.unregister("test.capture")
