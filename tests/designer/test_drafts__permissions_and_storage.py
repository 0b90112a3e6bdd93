"""Designer drafts (engine/design/drafts.py): only admins and process admins
may save, read or delete them; a draft is stored per process key with its forms."""
from __future__ import annotations

import pytest

from core.errors import Forbidden, NotFound, ValidationFailed
from crm import directory
from engine.design import catalog, drafts
from tests.bpmn_factory import chain, user_task
from tests.org import PASSWORD, Org

XML = chain("draft_demo", [user_task("sup", "any", "supervisor")], prefix="DD").decode()
FORM = {"type": "default", "components": [{"type": "textfield", "key": "title", "label": "标题"}]}


@pytest.fixture
def process_admin(org: Org) -> int:
    user = directory.create_user(org.db, org["admin"], {"username": "pa", "display_name": "流程管理员甲",
                                                        "password": PASSWORD, "roles": ["process_admin"]})
    return user["id"]


def test_non_admins_may_not_touch_drafts(org: Org):
    for call in (lambda: drafts.save_draft(org.db, org["clerk"], "draft_demo", XML),
                 lambda: drafts.get_draft(org.db, org["clerk"], "draft_demo"),
                 lambda: drafts.delete_draft(org.db, org["clerk"], "draft_demo"),
                 lambda: drafts.validate(org.db, org["clerk"], XML)):
        with pytest.raises(Forbidden):
            call()
    assert drafts.get_draft(org.db, org["admin"], "draft_demo") is None


def test_admin_saves_reads_replaces_and_deletes_a_draft(org: Org):
    saved = drafts.save_draft(org.db, org["admin"], "draft_demo", XML, {"draft_demo": FORM})
    assert saved["updated_by"] == "admin" and saved["forms"] == {"draft_demo": FORM}
    got = drafts.get_draft(org.db, org["admin"], "draft_demo")
    assert got is not None and got["bpmn_xml"] == XML and got["forms"] == {"draft_demo": FORM}
    # forms=None keeps the forms; the XML is replaced
    xml2 = XML.replace('name="sup"', 'name="主管"')
    drafts.save_draft(org.db, org["admin"], "draft_demo", xml2)
    got = drafts.get_draft(org.db, org["admin"], "draft_demo")
    assert got is not None and got["bpmn_xml"] == xml2 and got["forms"] == {"draft_demo": FORM}
    assert [d["key"] for d in drafts.list_drafts(org.db, org["admin"])] == ["draft_demo"]
    assert drafts.delete_draft(org.db, org["admin"], "draft_demo") is True
    assert drafts.get_draft(org.db, org["admin"], "draft_demo") is None
    assert drafts.delete_draft(org.db, org["admin"], "draft_demo") is False


def test_a_process_admin_may_keep_drafts(org: Org, process_admin: int):
    drafts.save_draft(org.db, process_admin, "draft_demo", XML)
    got = drafts.get_draft(org.db, process_admin, "draft_demo")
    assert got is not None and got["updated_by"] == "pa"


def test_bad_input_names_the_field(org: Org):
    cases = [
        (("bad key!", XML, None), "key"),
        (("other_key", XML, None), "key"),  # not the process id in the XML
        (("draft_demo", "<not xml", None), "xml"),
        (("draft_demo", "", None), "xml"),
        (("draft_demo", XML, {"draft_demo": {"components": [{"type": "textfield"}]}}), "forms.draft_demo"),
        (("draft_demo", XML, {"bad key": FORM}), "forms.bad key"),
    ]
    for (key, xml, forms), field in cases:
        with pytest.raises(ValidationFailed) as e:
            drafts.save_draft(org.db, org["admin"], key, xml, forms)
        assert field in e.value.fields, (key, e.value.fields)
    assert drafts.get_draft(org.db, org["admin"], "draft_demo") is None


def test_load_for_editing_prefers_the_draft_over_the_deployed_version(org: Org):
    with pytest.raises(NotFound):
        drafts.load_for_editing(org.db, org["admin"], "draft_demo")
    catalog.deploy_definition(org.db, org["admin"], XML.encode())
    out = drafts.load_for_editing(org.db, org["admin"], "draft_demo")
    assert out["source"] == "deployed" and out["version"] == 1 and out["bpmn_xml"] == XML
    xml2 = XML.replace('name="sup"', 'name="主管"')
    drafts.save_draft(org.db, org["admin"], "draft_demo", xml2)
    out = drafts.load_for_editing(org.db, org["admin"], "draft_demo")
    assert out["source"] == "draft" and out["version"] == 1 and out["bpmn_xml"] == xml2


def test_form_for_editing_falls_back_from_draft_to_version_to_library_to_empty(org: Org):
    xml = XML.replace('<bpmn:startEvent id="start"/>',
                      '<bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="general_approval"/>'
                      '</bpmn:extensionElements></bpmn:startEvent>')
    assert drafts.form_for_editing(org.db, org["admin"], "draft_demo", "nothing_here")["source"] == "new"
    assert drafts.form_for_editing(org.db, org["admin"], "draft_demo", "general_approval")["source"] == "library"
    catalog.deploy_definition(org.db, org["admin"], xml.encode())
    assert drafts.form_for_editing(org.db, org["admin"], "draft_demo", "general_approval")["source"] == "deployed"
    drafts.save_draft_form(org.db, org["admin"], "draft_demo", "general_approval", FORM)
    got = drafts.form_for_editing(org.db, org["admin"], "draft_demo", "general_approval")
    assert got == {"form_key": "general_approval", "source": "draft", "schema": FORM}
    # the draft was started from the deployed version's XML
    draft = drafts.get_draft(org.db, org["admin"], "draft_demo")
    assert draft is not None and draft["bpmn_xml"] == xml
