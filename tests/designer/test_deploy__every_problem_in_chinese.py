"""Every kind of deploy problem (bpmn/problem_texts.py) reaches a Chinese admin in Chinese: hand-made
broken files, one per kind, and Camunda files with refused constructs, are validated through the
designer API in zh, and no English sentence remains in the messages — only element ids, quoted user
text, numbers and BPMN / lz attribute names. The deploy answer's list of what a Camunda file was
translated to is in Chinese too. The same problems keep their English text (and a code) below the web."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from core.errors import DefinitionInvalid, Msg, ValidationFailed, code_of
from engine.design import drafts
from engine.design.definitions import compile_definition
from tests.designer.test_endpoints__designer_api import call
from tests.web.conftest import signed_in

GENERAL = (Path(__file__).resolve().parents[2] / "bpmn" / "general_approval.bpmn").read_text(encoding="utf-8")
SUP = '<lz:approval mode="any" skipInitiator="true"/>\n        <lz:assignees strategy="supervisor" value="1"/>'
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def general(old: str, new: str) -> str:
    assert old in GENERAL, old
    return GENERAL.replace(old, new, 1)


def with_task(task: str) -> str:
    """GENERAL with `task` (a BPMN element) placed on the way from the start to the first approval."""
    xml = general('<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="supervisor_approval"/>',
                  '<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="extra"/>'
                  '<bpmn:sequenceFlow id="f_extra" sourceRef="extra" targetRef="supervisor_approval"/>')
    return xml.replace('<bpmn:userTask id="supervisor_approval"', task + '\n    <bpmn:userTask id="supervisor_approval"',
                       1)


def camunda(body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="{CAMUNDA}"
  id="defs_cam" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.23.0">
  <bpmn:process id="cam" name="cam" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    {body}
    <bpmn:sequenceFlow id="f9" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def mi(attrs: str, inner: str = "", task_attrs: str = "") -> str:
    return camunda(f'<bpmn:userTask id="review" name="会签" {task_attrs}><bpmn:multiInstanceLoopCharacteristics '
                   f'isSequential="false" {attrs}>{inner}</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>')


# (the code the file must produce, the file)
CASES = [
    ("lz_mode_unknown", general('mode="any" skipInitiator', 'mode="most" skipInitiator')),
    ("lz_threshold_missing", general('mode="any" skipInitiator', 'mode="ratio" skipInitiator')),
    ("lz_threshold_unused", general('mode="any" skipInitiator', 'mode="any" threshold="0.5" skipInitiator')),
    ("lz_strategy_unknown", general('strategy="supervisor" value="1"', 'strategy="boss"')),
    ("lz_strategy_value", general('strategy="supervisor" value="1"', 'strategy="users"')),
    ("lz_strategy_level", general('strategy="supervisor" value="1"', 'strategy="supervisor" value="0"')),
    ("lz_weights", general('strategy="supervisor" value="1"', 'strategy="users" value="zhaomin" weights="zhaomin"')),
    ("lz_duplicate", general(SUP, SUP + '\n        <lz:assignees strategy="dept_head"/>')),
    ("lz_assignees_missing", general(SUP, '<lz:approval mode="any"/>')),
    ("lz_chosen", general('strategy="supervisor" value="1"', 'strategy="chosen"')),
    ("lz_deadline_duration", general('duration="P2D"', 'duration="2 days"')),
    ("lz_deadline_action", general('action="remind"', 'action="shout"')),
    ("lz_process_mode", general('mode="fixed"', 'mode="chaos"')),
    ("lz_process_prefix", general('prefix="TY"', 'prefix="TOO-LONG-PREFIX"')),
    ("lz_end", general('outcome="approved"', 'outcome="maybe"')),
    ("lz_approval_placement", with_task('<bpmn:manualTask id="extra"><bpmn:extensionElements><lz:approval mode="any"/>'
                                        '</bpmn:extensionElements></bpmn:manualTask>')),
    ("lz_call_function", with_task('<bpmn:serviceTask id="extra"><bpmn:extensionElements>'
                                   '<lz:call function="no such"/></bpmn:extensionElements></bpmn:serviceTask>')),
    ("fn_unknown_known", with_task('<bpmn:serviceTask id="extra"><bpmn:extensionElements>'
                                   '<lz:call function="no.such_function"/></bpmn:extensionElements></bpmn:serviceTask>')),
    ("lz_service_call", with_task('<bpmn:serviceTask id="extra"/>')),
    ("lz_arg", with_task('<bpmn:serviceTask id="extra"><bpmn:extensionElements><lz:call function="notify.send">'
                         '<lz:arg name="1x"/></lz:call></bpmn:extensionElements></bpmn:serviceTask>')),
    ("script_format", with_task('<bpmn:scriptTask id="extra" scriptFormat="javascript"><bpmn:script>x = 1'
                                '</bpmn:script></bpmn:scriptTask>')),
    ("script_missing", with_task('<bpmn:scriptTask id="extra"/>')),
    ("timer_quote", with_task('<bpmn:intermediateCatchEvent id="extra"><bpmn:timerEventDefinition>'
                              '<bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>'
                              '</bpmn:intermediateCatchEvent>')),
    ("timer_missing", with_task('<bpmn:intermediateCatchEvent id="extra"><bpmn:timerEventDefinition/>'
                                '</bpmn:intermediateCatchEvent>')),
    ("limit_duration_years", with_task('<bpmn:intermediateCatchEvent id="extra"><bpmn:timerEventDefinition>'
                                       '<bpmn:timeDuration>"P200Y"</bpmn:timeDuration></bpmn:timerEventDefinition>'
                                       '</bpmn:intermediateCatchEvent>')),
    ("limit_cycle_count", with_task('<bpmn:intermediateCatchEvent id="extra"><bpmn:timerEventDefinition>'
                                    '<bpmn:timeCycle>"R/PT1H"</bpmn:timeCycle></bpmn:timerEventDefinition>'
                                    '</bpmn:intermediateCatchEvent>')),
    ("limit_loop", with_task('<bpmn:userTask id="extra"><bpmn:standardLoopCharacteristics loopMaximum="99999"/>'
                             '</bpmn:userTask>')),
    ("expr_empty", general('supervisor_approval["outcome"] == "approved" and amount &lt;= 10000', " ")),
    ("sandbox_syntax_invalid", general('and amount &lt;= 10000', "and amount &lt;=")),
    ("sandbox_syntax_not_closed", general('and amount &lt;= 10000', "and (amount &lt;= 10000")),
    ("sandbox_underscore_name", general('and amount &lt;= 10000', "and _amount &lt;= 10000")),
    ("sandbox_import", with_task('<bpmn:scriptTask id="extra"><bpmn:script>import os\nx = 1</bpmn:script>'
                                 '</bpmn:scriptTask>')),
    ("sandbox_more", with_task('<bpmn:scriptTask id="extra"><bpmn:script>x = 1\n_y = 2\n_z = 3</bpmn:script>'
                               '</bpmn:scriptTask>')),
    ("expr_juel", with_task('<bpmn:intermediateCatchEvent id="extra"><bpmn:timerEventDefinition>'
                            '<bpmn:timeDuration>#{wait}</bpmn:timeDuration></bpmn:timerEventDefinition>'
                            '</bpmn:intermediateCatchEvent>')),
    ("gateway_bare_exclusive", general(' default="to_rejected_1"', "")),
    ("gateway_default", general('default="to_rejected_1"', 'default="f_head"')),
    ("duplicate_id", general('id="f_head"', 'id="f_sup"')),
    ("ref_other_process", general('</bpmn:process>', '<bpmn:subProcess id="sub"><bpmn:startEvent id="s2"/>'
                                  '</bpmn:subProcess><bpmn:sequenceFlow id="cross" sourceRef="s2" '
                                  'targetRef="end_approved"/></bpmn:process>')),
    ("not_executable", general('isExecutable="true"', 'isExecutable="false"')),
    ("xml_root", '<?xml version="1.0"?><process id="p"/>'),
    ("xml_dmn", '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"/>'),
    ("xml_doctype", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + GENERAL.split("?>", 1)[1]),
    ("xsd_expected_one_of", general('<bpmn:startEvent id="start" name="提交申请">',
                                    '<bpmn:startEvent id="start" name="提交申请"><bpmn:bogus/>')),
    ("xsd_attr_value", general('isExecutable="true"', 'isExecutable="maybe"')),
    ("xsd_id", general('id="f_head"', 'id="f head"')),
    # Camunda / Flowable files: what has no faithful meaning is refused, naming the element
    ("foreign_attribute", camunda('<bpmn:userTask id="review" camunda:formKey="embedded:x.html"/>')),
    ("foreign_element", camunda('<bpmn:userTask id="review"><bpmn:extensionElements><camunda:taskListener '
                                'event="create" class="a.B"/></bpmn:extensionElements></bpmn:userTask>')),
    ("foreign_people_several", camunda('<bpmn:userTask id="review" camunda:assignee="a1" '
                                       'camunda:candidateUsers="a2"/>')),
    ("foreign_groups_variable", camunda('<bpmn:userTask id="review" camunda:candidateGroups="${groups}"/>')),
    ("foreign_people_el", camunda('<bpmn:userTask id="review" camunda:assignee="${boss.name}"/>')),
    ("foreign_user_name", camunda('<bpmn:userTask id="review" camunda:candidateUsers="a b,c"/>')),
    ("foreign_mi_shape", mi("", "", 'camunda:candidateUsers="a1,a2"')),
    ("foreign_mi_element", mi('camunda:collection="${voters}" camunda:elementVariable="voter"', "",
                              'camunda:assignee="${someone}"')),
    ("foreign_card_literal", mi("", "<bpmn:loopCardinality>${n}</bpmn:loopCardinality>")),
    ("foreign_card_unnamed", mi("", "<bpmn:loopCardinality>${3}</bpmn:loopCardinality>")),
    ("foreign_card_names", mi("", "<bpmn:loopCardinality>3</bpmn:loopCardinality>", 'camunda:candidateUsers="a1,a2"')),
    ("juel_completion_unknown", mi('camunda:collection="${voters}" camunda:elementVariable="voter"',
                                   "<bpmn:completionCondition>${approved == true}</bpmn:completionCondition>",
                                   'camunda:assignee="${voter}"')),
    ("juel_completion_runtime", mi('camunda:collection="${voters}" camunda:elementVariable="voter"',
                                   "<bpmn:completionCondition>${nrOfCompletedInstances >= 2}"
                                   "</bpmn:completionCondition>", 'camunda:assignee="${voter}"')),
    ("juel_completion_unreachable", mi("", "<bpmn:loopCardinality>2</bpmn:loopCardinality><bpmn:completionCondition>"
                                       "${nrOfCompletedInstances >= 3}</bpmn:completionCondition>",
                                       'camunda:candidateUsers="a1,a2"')),
    ("juel_object", camunda('<bpmn:userTask id="review"/><bpmn:exclusiveGateway id="gw" default="f9b"/>'
                              '<bpmn:sequenceFlow id="f9a" sourceRef="review" targetRef="gw"/>'
                              '<bpmn:sequenceFlow id="f9b" sourceRef="gw" targetRef="end"/>'
                              '<bpmn:sequenceFlow id="c1" sourceRef="gw" targetRef="end"><bpmn:conditionExpression '
                              'xsi:type="bpmn:tFormalExpression">${order.amount &gt; 5}</bpmn:conditionExpression>'
                              '</bpmn:sequenceFlow>').replace('<bpmn:sequenceFlow id="f9" sourceRef="review" '
                                                              'targetRef="end"/>', "")),
    ("juel_arithmetic", camunda('<bpmn:userTask id="review"/><bpmn:exclusiveGateway id="gw" default="f9b"/>'
                                '<bpmn:sequenceFlow id="f9a" sourceRef="review" targetRef="gw"/>'
                                '<bpmn:sequenceFlow id="f9b" sourceRef="gw" targetRef="end"/>'
                                '<bpmn:sequenceFlow id="c1" sourceRef="gw" targetRef="end"><bpmn:conditionExpression '
                                'xsi:type="bpmn:tFormalExpression">${a + b &gt; 5}</bpmn:conditionExpression>'
                                '</bpmn:sequenceFlow>').replace('<bpmn:sequenceFlow id="f9" sourceRef="review" '
                                                                'targetRef="end"/>', "")),
]

# English that may remain: quoted user text, element ids, XML, ${...} expressions
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|'[^']*'|<[^>]*>|\$\{[^}]*\}")
_STOPWORDS = {"the", "is", "are", "not", "no", "must", "has", "have", "and", "or", "of", "a", "an", "to", "be",
              "only", "needs", "need", "with", "this", "it", "in", "on", "for", "by", "from", "can", "cannot",
              "could", "should", "would", "was", "there", "does", "write", "use", "remove", "expected", "got",
              "name", "names", "known", "allowed", "element", "missing", "required", "empty"}


def english_in(text: str, allowed: set[str] = frozenset()) -> list[str]:
    """English words of a sentence left in `text` (a stop word, or three words in a row), ids aside."""
    rest = _QUOTED.sub(" ", text)
    for word in sorted(filter(None, allowed), key=len, reverse=True):
        rest = rest.replace(word, " ")
    words = re.findall(r"[A-Za-z][A-Za-z0-9_]*", rest)
    found = [w for w in words if w.lower() in _STOPWORDS]
    found += [m.group(0) for m in re.finditer(r"[A-Za-z]+(?: [A-Za-z]+){2,}", rest)]
    return found


def codes_in(message: Any) -> list[str]:
    """The code of a message and of the coded messages inside it (e.g. the reason of a refused condition)."""
    if not isinstance(message, Msg):
        return []
    return [message.code, *(c for v in message.params.values() for c in codes_in(v))]


@pytest.mark.parametrize("code,xml", CASES, ids=[c for c, _ in CASES])
def test_every_kind_of_problem_is_in_chinese(org, client, code, xml):
    with pytest.raises(DefinitionInvalid) as e:
        compile_definition(xml.encode("utf-8"))
    assert code in {c for p in e.value.problems for c in codes_in(p.message)}, \
        [(p.message, code_of(p.message)) for p in e.value.problems]
    token = signed_in(client, "admin")
    r = call(client, "POST", "/designer/api/validate", token, {"xml": xml})
    found = r.get_json()["problems"]
    assert found, r.get_json()
    ids = {p["element_id"] for p in found if p["element_id"]}
    for p in found:
        assert not english_in(p["message"], ids), p["message"]
        assert re.search(r"[\u4e00-\u9fff]", p["message"]), p["message"]


# (the code, the forms sent with GENERAL, the start form's key in the file)
FORM_CASES = [
    ("form_key", {"bad key!": {"components": []}}, "general_approval"),
    ("form_type", {"general_approval": {"components": [{"type": "nope", "key": "x"}]}}, "general_approval"),
    ("form_bounds", {"general_approval": {"components": [{"type": "number", "key": "amount",
                                                          "validate": {"min": 5, "max": 1}}]}}, "general_approval"),
    ("form_value_duplicate", {"general_approval": {"components": [{"type": "select", "key": "kind", "values": [
        {"label": "甲", "value": "a"}, {"label": "乙", "value": "a"}]}]}}, "general_approval"),
    ("forms_not_object", ["not", "an", "object"], "general_approval"),
    ("form_not_found", None, "no_such_form"),
]


@pytest.mark.parametrize("code,forms,key", FORM_CASES, ids=[c for c, _, _ in FORM_CASES])
def test_every_kind_of_form_problem_is_in_chinese(org, client, code, forms, key):
    xml = general('<lz:form key="general_approval"/>', f'<lz:form key="{key}"/>')
    with pytest.raises(DefinitionInvalid) as e:
        compile_definition(xml.encode("utf-8"), forms)
    assert code in {c for p in e.value.problems for c in codes_in(p.message)}, \
        [(p.message, code_of(p.message)) for p in e.value.problems]
    token = signed_in(client, "admin")
    found = call(client, "POST", "/designer/api/validate", token, {"xml": xml, "forms": forms}).get_json()["problems"]
    assert found
    for p in found:
        assert not english_in(p["message"], {p["element_id"] or ""}), p["message"]


def test_the_translations_list_of_a_camunda_file_is_in_chinese(org, client):
    xml = mi('camunda:collection="${voters}" camunda:elementVariable="voter"',
             "<bpmn:completionCondition>${nrOfCompletedInstances/nrOfInstances >= 0.6}</bpmn:completionCondition>",
             'camunda:assignee="${voter}"').replace('<bpmn:startEvent id="start"/>',
                                                    '<bpmn:startEvent id="start" camunda:initiator="starter"/>')
    token = signed_in(client, "admin")
    r = call(client, "POST", "/designer/api/processes/cam/deploy", token, {"xml": xml})
    assert r.status_code == 201, r.get_json()
    items = r.get_json()["translations"]
    by = {(t["element_id"], t["action"]): t for t in items}
    assert by[("cam", "dropped")]["to"] == "无（引擎自身的管理设置）"
    assert by[("start", "dropped")]["to"] == "每个步骤都知道发起人"
    assert by[("review", "translated")]["from"] == \
        '对 voters 的多实例（并行，完成条件 ${nrOfCompletedInstances/nrOfInstances >= 0.6}），camunda:assignee="${voter}"'
    for t in items:
        assert not english_in(f"{t['from']} {t['to']}", {"voters"}), t


def test_below_the_web_the_problems_keep_their_english_text():
    xml = general('mode="any" skipInitiator', 'mode="most" skipInitiator')
    with pytest.raises(DefinitionInvalid) as e:
        compile_definition(xml.encode("utf-8"))
    (p,) = e.value.problems
    assert p.message == "unknown lz:approval mode 'most' (expected one of any, all, majority, ratio, sequential, " \
                        "claim, read)"
    assert (code_of(p.message), p.message.params["mode"]) == ("lz_mode_unknown", "most")


def test_the_form_editor_refuses_a_broken_form_in_chinese_one_problem_after_the_other(org, client):
    token = signed_in(client, "admin")
    schema = {"components": [{"type": "nope", "key": "x"},
                             {"type": "number", "key": "amount", "validate": {"min": 5, "max": 1}}]}
    r = call(client, "PUT", "/designer/api/processes/general_approval/forms/general_approval", token,
             {"schema": schema})
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["error"]["fields"]["forms.general_approval"]
    assert message == ("components[0]：未知的组件类型 'nope'。 "
                       "components[1] (amount)：validate.min 5 大于 validate.max 1。"), message


def test_a_refused_draft_is_explained_in_chinese_and_in_english_to_the_api(org, client):
    token = signed_in(client, "admin")
    r = call(client, "PUT", "/designer/api/processes/other_key/draft", token, {"xml": GENERAL})
    assert r.status_code == 422, r.get_json()
    error = r.get_json()["error"]
    assert error["message"] == "草稿的键不是 XML 中任何流程的标识。"
    assert error["fields"]["key"] == "“other_key”不是 XML 中某个 bpmn:process 的标识（已有：general_approval）。"
    with pytest.raises(ValidationFailed) as e:
        drafts.save_draft(org.db, org["admin"], "other_key", GENERAL)
    assert str(e.value) == "the draft's key is not the id of a process in the XML"
    assert e.value.fields["key"] == "'other_key' is not the id of a bpmn:process in the XML (found: general_approval)"
