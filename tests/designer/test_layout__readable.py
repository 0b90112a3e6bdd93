"""bpmn/layout.py: graphviz positions written as BPMN DI - standard sizes, left to right, no
overlapping shapes, every flow drawn from its source's bounds to its target's and through no other shape."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from bpmn.checks import validate_xsd
from bpmn.layout import EVENT, GATEWAY, TASK, auto_layout, crosses, ensure_layout, has_di, read_di
from designer.table import from_table, new_table
from tests.designer.test_table__round_trip import tables

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
SHIPPED = sorted(p.name for p in BPMN.glob("*.bpmn"))


def _check_readable(xml: bytes) -> None:
    shapes, edges = read_di(xml)
    root = etree.fromstring(xml)
    flow_ids = {f.get("id") for f in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}sequenceFlow")}
    assert {e.element_id for e in edges} == flow_ids, "every sequence flow is drawn"
    for s in shapes:
        size = TASK if s.kind.endswith("Task") else GATEWAY if s.kind.endswith("Gateway") else EVENT
        assert (s.box.w, s.box.h) == size, s
    hosted = [s for s in shapes if s.kind != "boundaryEvent"]
    for i, a in enumerate(hosted):
        for b in hosted[i + 1:]:
            assert not a.box.overlaps(b.box), (a.element_id, b.element_id)
    boxes = {s.element_id: s.box for s in shapes}
    for e in edges:
        assert len(e.points) >= 2, e
        assert boxes[e.source].on_border(*e.points[0]), (e.element_id, e.points[0], boxes[e.source])
        assert boxes[e.target].on_border(*e.points[-1]), (e.element_id, e.points[-1], boxes[e.target])
        others = [s.box for s in hosted if s.element_id not in (e.source, e.target)]
        assert not crosses(list(e.points), others), f"flow {e.element_id} runs through a shape"
    assert validate_xsd(root) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_processes_are_laid_out_without_overlaps(name):
    xml = (BPMN / name).read_bytes()
    assert not has_di(xml)
    laid = auto_layout(xml)
    assert has_di(laid)
    _check_readable(laid)


def test_chain_reads_left_to_right_and_existing_layout_is_kept():
    t = new_table("chain", "链")
    t["steps"] = [{**t["steps"][0], "id": f"s{i}", "name": f"第{i}步", "condition": "x > 1" if i == 2 else ""}
                  for i in range(1, 5)]
    xml = from_table(t)
    _check_readable(xml)
    boxes = {s.element_id: s.box for s in read_di(xml)[0]}
    order = ["start", "s1", "s2__if", "s2", "s2__join", "s3", "s4", "end"]
    xs = [boxes[i].cx for i in order]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert ensure_layout(xml) == xml
    again = auto_layout(xml)  # a laid-out file can be laid out again: the old diagram is replaced
    root = etree.fromstring(again)
    assert len(root.findall("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram")) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_every_generated_table_is_laid_out_readably(table):
    _check_readable(from_table(table))
