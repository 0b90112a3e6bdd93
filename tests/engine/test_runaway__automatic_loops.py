"""A process that loops through automatic steps forever is stopped with a clear error, not a hung worker."""
from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from engine import inbox, instances
from tests.engine import helpers as h

ENDLESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="endless" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:scriptTask id="inc" scriptFormat="python"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="back"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="inc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="inc" targetRef="gw"/>
    <bpmn:sequenceFlow id="out" sourceRef="gw" targetRef="e"><bpmn:conditionExpression>n &lt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="inc"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_an_endless_automatic_loop_is_refused_at_start(org):
    key = h.deploy(org, ENDLESS)
    with pytest.raises(ValidationFailed) as e:
        instances.start_process(org.db, org["clerk"], key, {"n": 0})
    assert "automatic steps" in e.value.message
    _rows, total = inbox.list_box(org.db, org["clerk"], "started", 0, 10)
    assert total == 0, "nothing was stored"
