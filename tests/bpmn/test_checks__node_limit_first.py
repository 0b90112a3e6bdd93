"""A process over the node limit (core/limits.py) is refused after one walk over the parsed XML:
the XSD, the lint rules and the deploy's later steps never read it (a DoS defence), and the
refusal names the process and the limit."""
from __future__ import annotations

import pytest

from bpmn.checks import check_bpmn
from core.errors import DefinitionInvalid
from engine.design.definitions import compile_definition
from tests.bpmn.stand_ins import expr_ok, script_ok
from tests.bpmn_factory import wide

# a flow to nowhere (rule `reference`) and an element the XSD refuses: reported for a small process
BROKEN = '<bpmn:sequenceFlow id="lost" sourceRef="s" targetRef="nowhere"/><bpmn:bogus id="x"/>'


def test_a_small_process_gets_every_problem():
    rules = {p.rule for p in check_bpmn(wide(3, BROKEN), expr_ok, script_ok)}
    assert {"reference", "xsd"} <= rules


def test_over_the_node_limit_only_the_limit_is_reported():
    problems = check_bpmn(wide(1999, BROKEN), expr_ok, script_ok)
    assert [(p.element_id, p.rule) for p in problems] == [("wide", "limit")]
    assert "2001 flow nodes" in problems[0].message and "LIUZHUAN_MAX_NODES" in problems[0].message


def test_the_deploy_stops_at_the_node_limit():
    with pytest.raises(DefinitionInvalid) as e:
        compile_definition(wide(1999, BROKEN))
    assert [(p.element_id, p.rule) for p in e.value.problems] == [("wide", "limit")]


def test_at_the_limit_the_other_checks_run():
    rules = {p.rule for p in check_bpmn(wide(1998, BROKEN), expr_ok, script_ok)}
    assert "limit" not in rules and {"reference", "xsd"} <= rules
