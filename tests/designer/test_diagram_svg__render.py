"""bpmn/diagram_svg.py: a server-side SVG of any version, with Chinese names."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from bpmn.diagram_svg import render_svg, wrap
from bpmn.layout import auto_layout

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
SVG = "{http://www.w3.org/2000/svg}"


def test_svg_of_a_file_without_di_draws_every_node_with_its_name():
    svg = render_svg((BPMN / "contract_countersign.bpmn").read_bytes(), {"countersign"})
    root = etree.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    text = "".join(root.itertext())
    for name in ("部门会签", "总经理审批", "合同生效", "已签订"):
        assert name in text
    assert "Noto Sans CJK SC" in svg
    assert len(root.findall(f"{SVG}rect")) >= 1 + 5  # background + 5 tasks
    assert len(root.findall(f"{SVG}polygon")) == 3  # gateways
    assert len(root.findall(f"{SVG}path[@marker-end]")) == 11  # flows
    highlighted = [r for r in root.findall(f"{SVG}rect") if r.get("stroke") == "#c2410c"]
    assert len(highlighted) == 1


def test_svg_uses_the_file_own_diagram_when_present():
    xml = auto_layout((BPMN / "general_approval.bpmn").read_bytes())
    root = etree.fromstring(xml)
    bounds = root.find(".//{*}BPMNShape[@bpmnElement='start']/{*}Bounds")
    bounds.set("x", "900")
    moved = etree.tostring(root)
    circles = etree.fromstring(render_svg(moved).encode()).findall(f"{SVG}circle")
    assert any(c.get("cx") == "918.0" for c in circles)


def test_names_wrap_to_the_box():
    assert wrap("部门负责人审批并抄送财务部门", 88, 12) == ["部门负责人审批", "并抄送财务部门"]
    assert wrap("一二三四五六七八九十" * 3, 88, 12, 3)[-1].endswith("…")
    assert wrap("Department head approval", 88, 12)[0] == "Department"
