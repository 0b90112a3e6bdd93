"""Deploying with forms designed in the browser: they override forms/schemas/<key>.json, an
unusable one refuses the deploy with its problems, and nothing is stored then."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import DefinitionInvalid, Forbidden
from engine.design import catalog, definitions, drafts
from engine.models import ProcessDefinition
from forms import library
from tests.bpmn_factory import chain, user_task
from tests.org import Org

TASK = user_task("sup", "any", "supervisor", extra='<lz:form key="general_approval"/>')
XML = chain("designed", [TASK], prefix="DS").replace(
    b'<bpmn:startEvent id="start"/>',
    b'<bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="general_approval"/>'
    b'</bpmn:extensionElements></bpmn:startEvent>')
DESIGNED = {"type": "default", "components": [
    {"type": "textfield", "key": "title", "label": "标题", "validate": {"required": True}},
    {"type": "number", "key": "hours", "label": "工时"}]}


def _count(org: Org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ProcessDefinition)) or 0


def test_compile_uses_the_library_form_without_designer_forms():
    compiled = definitions.compile_definition(XML)
    assert compiled.forms["general_approval"] == library.load("general_approval")[0]


def test_designer_forms_override_the_library_and_are_stored_with_the_version(org: Org):
    d, created = catalog.deploy_definition(org.db, org["admin"], XML, {"general_approval": DESIGNED})
    assert created and d["version"] == 1
    version = catalog.get_version(org.db, "designed")
    assert version["forms"] == {"general_approval": DESIGNED}
    assert version["bpmn_xml"] == XML.decode()
    # the same file with the library form is a change: a new version
    d2, created2 = catalog.deploy_definition(org.db, org["admin"], XML)
    assert created2 and d2["version"] == 2
    assert catalog.get_version(org.db, "designed", 1)["forms"] == {"general_approval": DESIGNED}
    assert catalog.get_version(org.db, "designed")["forms"]["general_approval"] == library.load("general_approval")[0]


def test_forms_the_file_does_not_name_are_not_stored(org: Org):
    catalog.deploy_definition(org.db, org["admin"], XML, {"general_approval": DESIGNED, "unused": DESIGNED})
    assert set(catalog.get_version(org.db, "designed")["forms"]) == {"general_approval"}


def test_an_unusable_designer_form_refuses_the_deploy_and_stores_nothing(org: Org):
    bad = {"type": "default", "components": [{"type": "number", "key": "n", "validate": {"min": 5, "max": 1}},
                                             {"type": "textfield", "label": "no key"}]}
    with pytest.raises(DefinitionInvalid) as e:
        catalog.deploy_definition(org.db, org["admin"], XML, {"general_approval": bad})
    problems = [p for p in e.value.problems if p.element_id == "form:general_approval"]
    assert len(problems) >= 2, e.value.problems
    assert any("greater than" in p.message for p in problems)
    assert _count(org) == 0
    # an unusable form the file does not even use still refuses: the caller sent it to be deployed
    with pytest.raises(DefinitionInvalid):
        catalog.deploy_definition(org.db, org["admin"], XML, {"other": bad})
    with pytest.raises(DefinitionInvalid):
        catalog.deploy_definition(org.db, org["admin"], XML, ["not", "a", "dict"])  # type: ignore[arg-type]
    assert _count(org) == 0


def test_deploy_draft_deploys_the_drafts_forms_and_can_discard_the_draft(org: Org):
    drafts.save_draft(org.db, org["admin"], "designed", XML.decode(), {"general_approval": DESIGNED})
    d, created = drafts.deploy_draft(org.db, org["admin"], "designed", discard=True)
    assert created and d["version"] == 1
    assert catalog.get_version(org.db, "designed")["forms"] == {"general_approval": DESIGNED}
    assert drafts.get_draft(org.db, org["admin"], "designed") is None
    # without a draft, the latest version's forms are kept (not replaced by the library's)
    changed = XML.decode().replace('name="sup"', 'name="主管审批"')
    d2, _ = drafts.deploy_draft(org.db, org["admin"], "designed", changed)
    assert d2["version"] == 2
    assert catalog.get_version(org.db, "designed")["forms"] == {"general_approval": DESIGNED}


def test_a_refused_draft_deploy_stores_nothing_and_keeps_the_draft(org: Org):
    broken = XML.decode().replace('strategy="supervisor"', 'strategy="nobody"')
    drafts.save_draft(org.db, org["admin"], "designed", broken)
    with pytest.raises(DefinitionInvalid) as e:
        drafts.deploy_draft(org.db, org["admin"], "designed", discard=True)
    assert any(p.element_id == "sup" for p in e.value.problems)
    assert _count(org) == 0
    assert drafts.get_draft(org.db, org["admin"], "designed") is not None


def test_only_admins_deploy(org: Org):
    with pytest.raises(Forbidden):
        drafts.deploy_draft(org.db, org["clerk"], "designed", XML.decode())
    assert _count(org) == 0
