"""XSD validation against the vendored OMG BPMN 2.0 schemas (bpmn/schema/)."""
from __future__ import annotations

from bpmn import checks
from bpmn.checks import check_bpmn, validate_xsd
from core.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = (f'xmlns:bpmn="{BPMN}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
      'xmlns:lz="urn:liuzhuan:bpmn:1" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')


def ok(src: str) -> str | None:
    return None


def doc(process: str, *, defs_attrs: str = 'targetNamespace="http://liuzhuan.test"', after: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="defs" {defs_attrs}>\n'
            f'<bpmn:process id="p" isExecutable="true">\n<bpmn:startEvent id="start"/>\n{process}\n'
            f'</bpmn:process>\n{after}</bpmn:definitions>\n').encode()


def xsd(xml: bytes) -> list[Problem]:
    return [p for p in check_bpmn(xml, ok, ok) if p.rule == "xsd"]


def test_minimal_valid_document():
    assert check_bpmn(doc(""), ok, ok) == []


def test_foreign_extension_elements_and_attributes_are_allowed():
    task = """<bpmn:userTask id="u" name="审批" camunda:assignee="demo" lz:note="x">
  <bpmn:extensionElements>
    <lz:approval mode="all"/><lz:assignees strategy="role" value="hr"/>
    <lz:call function="crm.x"><lz:arg name="a" expr="1"/></lz:call>
    <spiffworkflow:instructionsForEndUser>Please approve</spiffworkflow:instructionsForEndUser>
    <spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="f.json"/>
    </spiffworkflow:properties>
    <camunda:formData><camunda:formField id="amount" type="long"/></camunda:formData>
    <camunda:inputOutput><camunda:inputParameter name="x">${y}</camunda:inputParameter></camunda:inputOutput>
  </bpmn:extensionElements>
</bpmn:userTask>"""
    assert xsd(doc(task)) == []


def test_lz_element_outside_extension_elements_is_an_xsd_error():
    problems = xsd(doc('<bpmn:userTask id="u"><lz:approval mode="all"/></bpmn:userTask>'))
    assert [p.element_id for p in problems] == ["u"]
    assert "lz:approval" in problems[0].message


def test_unknown_bpmn_element_names_its_nearest_id_and_has_no_namespace_noise():
    problems = xsd(doc('<bpmn:userTask id="u"><bpmn:bogus/></bpmn:userTask>'))
    assert len(problems) == 1
    p = problems[0]
    assert p.element_id == "u"
    assert "bpmn:bogus" in p.message and "not allowed here" in p.message
    assert "{" not in p.message and "http://" not in p.message


def test_bad_attribute_value_names_the_element():
    problems = xsd(doc('<bpmn:exclusiveGateway id="g" gatewayDirection="Sideways"/>'))
    assert [p.element_id for p in problems] == ["g"]
    assert "gatewayDirection" in problems[0].message and "Sideways" in problems[0].message


def test_unknown_bpmn_attribute():
    problems = xsd(doc('<bpmn:task id="t" colour="red"/>'))
    assert [p.element_id for p in problems] == ["t"]
    assert "colour" in problems[0].message


def test_missing_required_target_namespace_names_the_definitions():
    problems = xsd(doc("", defs_attrs=""))
    assert [p.element_id for p in problems] == ["defs"]
    assert "targetNamespace" in problems[0].message


def test_invalid_id_value_is_explained():
    problems = xsd(doc('<bpmn:task id="1 bad"/>'))
    assert len(problems) == 1
    assert "not a valid XML id" in problems[0].message and "'1 bad'" in problems[0].message


def test_errors_in_the_diagram_name_the_shape():
    di = ('<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="p">'
          '<bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="1" y="2" width="wide" height="3"/>'
          '</bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')
    problems = xsd(doc("", after=di))
    assert [p.element_id for p in problems] == ["start_di"]
    assert "dc:Bounds" in problems[0].message and "width" in problems[0].message


def test_errors_on_one_line_map_to_the_right_elements():
    minified = doc('<bpmn:task id="a" colour="red"/><bpmn:task id="b" size="big"/>').replace(b"\n", b"")
    problems = xsd(minified)
    assert [(p.element_id, "colour" in p.message, "size" in p.message) for p in problems] == [
        ("a", True, False), ("b", False, True)]


def test_every_error_is_reported():
    problems = xsd(doc('<bpmn:task id="a" x="1"/><bpmn:task id="b" y="1"/><bpmn:task id="c" z="1"/>'))
    assert [p.element_id for p in problems] == ["a", "b", "c"]


def test_default_namespace_document():
    xml = (f'<definitions xmlns="{BPMN}" targetNamespace="t"><process id="p"><startEvent id="s"/>'
           '<task id="t" colour="red"/></process></definitions>').encode()
    assert [p.element_id for p in xsd(xml)] == ["t"]


def test_schema_is_built_once():
    assert checks.bpmn_schema() is checks.bpmn_schema()


def test_vendored_schemas_are_present():
    names = {p.name for p in checks.SCHEMA_DIR.glob("*.xsd")}
    assert {"BPMN20.xsd", "Semantic.xsd", "BPMNDI.xsd", "DC.xsd", "DI.xsd"} <= names


def test_validate_xsd_on_a_valid_root_returns_nothing():
    root, _ = checks.parse_definitions(doc(""))
    assert root is not None and validate_xsd(root) == []
