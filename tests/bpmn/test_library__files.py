"""The library files (bpmn/library/, bpmn.gallery): each one deploys with its forms, says what it
does in Chinese and English, uses only roles the organisation has, and stays out of `deploy-all`
(the gallery enables them)."""
from __future__ import annotations

import pytest

from app import BPMN_DIR
from bpmn import gallery
from bpmn.lz import parse_xml, read_definitions
from engine.design.definitions import compile_definition
from forms import library as forms

ENTRIES = gallery.entries()
ROLES = {"admin", "process_admin", "hr", "finance", "legal", "gm"}  # the demo's and the tests' roles
MODES = {"any", "all", "majority", "ratio", "sequential", "read"}


def test_the_library_holds_the_thirteen_processes_of_issue_16():
    assert sorted(e.key for e in ENTRIES) == sorted([
        "doc_outgoing", "doc_incoming", "doc_archive", "project_initiation", "regulation_countersign",
        "business_trip", "purchase_request", "asset_request", "asset_return", "overtime_request", "loan_request",
        "business_application", "office_supplies"])
    assert {e.key for e in ENTRIES}.isdisjoint(p.stem for p in BPMN_DIR.glob("*.bpmn"))
    assert not any(p.parent == gallery.LIBRARY_DIR for p in BPMN_DIR.glob("*.bpmn")), "deploy-all skips them"
    assert len({e.prefix for e in ENTRIES}) == len(ENTRIES), "every business-key prefix is its own"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.key for e in ENTRIES])
def test_each_file_compiles_with_its_forms_and_describes_itself(entry):
    xml = gallery.xml(entry.key)
    assert xml is not None
    compiled = compile_definition(xml)
    assert compiled.parsed.process_id == entry.key
    for key in entry.forms:
        schema, problems = forms.load(key)
        assert schema is not None, problems
    assert entry.name and entry.name_en and entry.category and entry.prefix
    assert len(entry.description) >= 20 and len(entry.description_en) >= 40


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.key for e in ENTRIES])
def test_each_file_uses_known_roles_and_modes(entry):
    configs, problems = read_definitions(parse_xml(gallery.xml(entry.key) or b""))
    assert problems == []
    for node in configs[entry.key].nodes.values():
        assignees = getattr(node, "assignees", None)
        if assignees is not None and assignees.strategy == "role":
            assert assignees.value in ROLES, (node.node_id, assignees.value)
        approval = getattr(node, "approval", None)
        if approval is not None:
            assert approval.mode in MODES, (node.node_id, approval.mode)


def test_the_library_uses_every_approval_rule_of_design_md():
    modes = set()
    for e in ENTRIES:
        configs, _ = read_definitions(parse_xml(gallery.xml(e.key) or b""))
        modes |= {n.approval.mode for n in configs[e.key].nodes.values() if getattr(n, "approval", None)}
    assert modes == MODES
