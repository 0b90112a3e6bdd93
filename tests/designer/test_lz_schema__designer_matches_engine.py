"""One schema (DESIGN.md §2): the designer's moddle descriptor for the `lz:` namespace
(frontend/src/designer/lz.json) and its option lists (lzModel.js) name exactly what bpmn/lz.py reads."""
from __future__ import annotations

import json
import re
from pathlib import Path

from bpmn import lz

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTOR = json.loads((ROOT / "frontend" / "src" / "designer" / "lz.json").read_text(encoding="utf-8"))
LZ_SOURCE = (ROOT / "bpmn" / "lz.py").read_text(encoding="utf-8")
LZ_MODEL_JS = (ROOT / "frontend" / "src" / "designer" / "lzModel.js").read_text(encoding="utf-8")


def _element_name(type_name: str) -> str:
    return type_name[0].lower() + type_name[1:]  # "tagAlias": "lowerCase"


def test_the_descriptor_is_the_lz_namespace():
    assert DESCRIPTOR["uri"] == lz.LZ_NS and DESCRIPTOR["prefix"] == "lz"
    assert DESCRIPTOR["xml"] == {"tagAlias": "lowerCase"}


def test_the_descriptor_defines_every_element_lz_py_reads_and_no_other():
    read = set(re.findall(r'_ext\(\w+, "(\w+)"\)', LZ_SOURCE)) | set(re.findall(r'\{_L\}(\w+)', LZ_SOURCE))
    defined = {_element_name(t["name"]) for t in DESCRIPTOR["types"]}
    assert read == defined


def test_every_attribute_the_designer_writes_is_read_by_lz_py():
    read = set(re.findall(r'\.get\("(\w+)"\)', LZ_SOURCE))
    for t in DESCRIPTOR["types"]:
        attrs = {p["name"] for p in t["properties"] if p.get("isAttr")}
        assert attrs <= read, (t["name"], attrs - read)
    # and each element's attributes are the ones lz.py reads for it
    approval = next(t for t in DESCRIPTOR["types"] if t["name"] == "Approval")
    assert {p["name"] for p in approval["properties"]} == {"mode", "threshold", "skipInitiator", "skipRepeated",
                                                           "signature"}
    process = next(t for t in DESCRIPTOR["types"] if t["name"] == "Process")
    assert {p["name"] for p in process["properties"]} == {"mode", "category", "prefix", "name_en", "starters"}


def test_the_panels_choices_are_the_engines():
    def js_list(name: str) -> tuple[str, ...]:
        m = re.search(rf"export const {name} = \[([^\]]*)\]", LZ_MODEL_JS)
        assert m, name
        return tuple(re.findall(r"'([^']+)'", m.group(1)))

    assert js_list("APPROVAL_MODES") == lz.APPROVAL_MODES
    assert js_list("STRATEGIES") == lz.STRATEGIES
    assert js_list("DEADLINE_ACTIONS") == lz.DEADLINE_ACTIONS
    assert js_list("FLOW_MODELS") == lz.FLOW_MODELS
