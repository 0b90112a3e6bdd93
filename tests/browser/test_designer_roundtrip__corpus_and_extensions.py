"""Open -> save in the designer's modeler keeps what the engine reads.

- Every BPMN MIWG reference model (read from ../shared/corpus, not copied) imports without an
  error and exports; import warnings are allowed and recorded (test-output/designer-miwg-warnings.json).
- The lz: and SpiffWorkflow extensions of every shipped bpmn/*.bpmn (opened through the designer
  page, which lays out files without a diagram) and of SpiffWorkflow's spiff_multiinstance.bpmn
  survive unchanged, compared element by element with lxml; the shipped ones compile to the same
  lz configuration, and the multi-instance task keeps its loopDataInputRef/OutputRef variable
  names (which a plain bpmn-js round trip drops: shown with a modeler without the fix).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from playwright.sync_api import expect

from app import BPMN_DIR
from bpmn.lz import BPMN_NS, LZ_NS, parse_xml
from crm import directory
from engine import spiff
from engine.design import definitions
from tests.browser.conftest import SCREENS, LiveServer, login
from tests.corpus import CORPUS, requires_corpus

MIWG = sorted((CORPUS / "bpmn-miwg-test-suite" / "Reference").glob("*.bpmn"))
SPIFF_MI = CORPUS / "SpiffWorkflow" / "tests" / "SpiffWorkflow" / "spiff" / "data" / "spiff_multiinstance.bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ADMIN_PASSWORD = "designer-admin-1"
SHIPPED = sorted(BPMN_DIR.glob("*.bpmn"))

ROUND_TRIP = """async (xml) => {
  try {
    const r = await window.lzModeler.importXML(xml);
    const out = await window.lzModeler.saveXML({ format: true });
    return { ok: true, warnings: r.warnings.map((w) => w.message), xml: out.xml };
  } catch (e) {
    return { ok: false, error: String(e), warnings: (e.warnings || []).map((w) => w.message) };
  }
}"""

# The same round trip in a bpmn-js Modeler without Liuzhuan's modules (what a plain designer does).
PLAIN_ROUND_TRIP = """async (xml) => {
  const div = document.createElement('div');
  document.body.appendChild(div);
  const plain = new window.lzModeler.constructor({ container: div });
  await plain.importXML(xml);
  const out = await plain.saveXML({ format: true });
  plain.destroy();
  div.remove();
  return out.xml;
}"""


def _ext_tree(el: etree._Element) -> Any:
    """An extension element as (tag, sorted attributes, text, children), comparable across serializations."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_ext_tree(c) for c in el if isinstance(c.tag, str)))


def extensions(xml: bytes, namespaces: tuple[str, ...]) -> dict[str, Any]:
    """For each BPMN element with an id: its extension elements and attributes in `namespaces`, and
    the variable names of its multi-instance loop data refs."""
    root = parse_xml(xml)
    out: dict[str, Any] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(f"{{{BPMN_NS}}}") or not el.get("id"):
            continue
        ext = el.find(f"{{{BPMN_NS}}}extensionElements")
        children = [] if ext is None else [c for c in ext if isinstance(c.tag, str)
                                           and etree.QName(c).namespace in namespaces]
        attrs = sorted((k, v) for k, v in el.attrib.items() if etree.QName(k).namespace in namespaces)
        refs = [(etree.QName(r).localname, (r.text or "").strip())
                for r in el.iter(f"{{{BPMN_NS}}}loopDataInputRef", f"{{{BPMN_NS}}}loopDataOutputRef")]
        if children or attrs or refs:
            out[el.get("id")] = {"ext": [_ext_tree(c) for c in children], "attrs": attrs, "refs": refs}
    return out


@pytest.fixture
def admin(page, live_server: LiveServer) -> Any:
    """The page, signed in as the admin (the tests below open a process in the designer first)."""
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to=None)
    return page


@pytest.fixture
def modeler(admin) -> Any:
    """The page, on the designer's new-process modeler, ready."""
    admin.goto("/designer/new")
    expect(admin.locator("#lz-modeler.lz-ready")).to_be_attached()
    return admin


@requires_corpus
def test_every_miwg_reference_model_imports_and_exports(modeler, shot):
    assert len(MIWG) >= 20, f"MIWG reference models not found under {CORPUS}"
    warnings: dict[str, list[str]] = {}
    failures = []
    for path in MIWG:
        result = modeler.evaluate(ROUND_TRIP, path.read_text(encoding="utf-8"))
        if not result["ok"]:
            failures.append(f"{path.name}: {result['error']}")
            continue
        warnings[path.name] = result["warnings"]
        exported = parse_xml(result["xml"].encode("utf-8"))
        before = parse_xml(path.read_bytes())
        # every process and flow element is still there, with its id
        ids = {el.get("id") for el in before.iter(f"{{{BPMN_NS}}}*") if el.get("id")}
        ids_after = {el.get("id") for el in exported.iter(f"{{{BPMN_NS}}}*") if el.get("id")}
        assert ids <= ids_after, (path.name, sorted(ids - ids_after))
    assert failures == []
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS.parent / "designer-miwg-warnings.json").write_text(
        json.dumps(warnings, ensure_ascii=False, indent=1), encoding="utf-8")
    modeler.evaluate("() => window.lzModeler.get('canvas').zoom('fit-viewport')")
    shot(modeler, "last-miwg-model")


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_process_survives_the_designer_round_trip(admin, shot, path: Path):
    modeler = admin
    key = definitions.compile_definition(path.read_bytes()).parsed.process_id
    modeler.goto(f"/designer/{key}/edit")
    expect(modeler.locator("#lz-modeler.lz-ready")).to_be_attached()
    expect(modeler.locator('.djs-element[data-element-id="start"]')).to_be_visible()  # laid out and drawn
    xml = modeler.evaluate("async () => (await window.lzModeler.saveXML({ format: true })).xml").encode("utf-8")
    original = path.read_bytes()
    namespaces = (LZ_NS, SPIFF_NS, CAMUNDA_NS)
    assert extensions(original, namespaces), "the shipped file has lz: extensions"
    assert extensions(xml, namespaces) == extensions(original, namespaces)
    assert definitions.compile_definition(xml).config == definitions.compile_definition(original).config
    if path.stem == "contract_countersign":
        shot(modeler, "opened")


@requires_corpus
def test_spiff_multiinstance_keeps_its_extensions_and_loop_variables(modeler):
    original = SPIFF_MI.read_bytes()
    result = modeler.evaluate(ROUND_TRIP, original.decode("utf-8"))
    assert result["ok"], result
    assert result["warnings"] == []  # the loop variable names are no longer "unresolved references"
    xml = result["xml"].encode("utf-8")
    namespaces = (SPIFF_NS, CAMUNDA_NS, LZ_NS)
    before = extensions(original, namespaces)
    assert before["any_task"]["refs"] == [("loopDataInputRef", "input_data"), ("loopDataOutputRef", "output_data")]
    assert len(before["any_task"]["ext"]) == 2  # spiffworkflow:preScript, postScript
    assert extensions(xml, namespaces) == before
    # SpiffWorkflow reads the saved file exactly as the original
    parsed_before, _ = spiff.parse(original)
    parsed_after, problems = spiff.parse(xml)
    assert problems == [] and parsed_before is not None and parsed_after is not None
    assert json.loads(spiff.spec_to_json(parsed_after)) == json.loads(spiff.spec_to_json(parsed_before))

    # without Liuzhuan's fix, bpmn-js drops both variable names (INVENTORY.md finding 1)
    plain = modeler.evaluate(PLAIN_ROUND_TRIP, original.decode("utf-8")).encode("utf-8")
    assert extensions(plain, namespaces).get("any_task", {}).get("refs", []) == []


def test_what_the_modeler_cannot_read_is_reported_not_lost_silently(admin, live_server: LiveServer, shot):
    """An element the lz schema does not define (a typo, a newer file) cannot be kept by bpmn-js;
    the page says so when it opens the file."""
    modeler = admin
    admin_id = directory.login(live_server.db, "admin", ADMIN_PASSWORD)
    assert admin_id is not None
    xml = (BPMN_DIR / "general_approval.bpmn").read_text(encoding="utf-8").replace(
        '<lz:assignees strategy="dept_head"/>', '<lz:assignees strategy="dept_head"/><lz:asignees value="typo"/>')
    from engine.design import drafts

    drafts.save_draft(live_server.db, admin_id, "general_approval", xml)
    modeler.goto("/designer/general_approval/edit")
    expect(modeler.locator("#lz-modeler.lz-ready")).to_be_attached()
    warnings = modeler.locator(".lz-warnings")
    expect(warnings).to_be_visible()
    expect(warnings.locator("summary")).to_contain_text("1 处内容无法读取")
    warnings.locator("summary").click()
    expect(warnings.locator("li")).to_contain_text("lz:asignees")
    shot(modeler, "import-warning")
