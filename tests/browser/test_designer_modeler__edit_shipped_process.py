"""An admin changes the shipped 通用审批 in the modeler through the properties panel: a flow
condition (with the field helper), a deadline, the task's form and its field permissions; saves a
draft; the engine reads exactly those settings from the saved XML, and the page reopens the draft."""
from __future__ import annotations

from lxml import etree
from playwright.sync_api import expect

from app import BPMN_DIR
from bpmn.lz import BPMN_NS, Assignees, Deadline, parse_xml
from crm import directory
from engine.design import definitions, drafts
from tests.browser.conftest import LiveServer, login

ADMIN_PASSWORD = "designer-admin-1"


def select(page, element_id: str) -> None:
    page.evaluate("(id) => { const m = window.lzModeler; const el = m.get('elementRegistry').get(id);"
                  " m.get('selection').select(el); m.get('canvas').scrollToElement(el); }", element_id)
    expect(page.locator("#bio-properties-panel-id")).to_have_value(element_id)


def open_group(page, group_id: str) -> None:
    header = page.locator(f'[data-group-id="group-{group_id}"] .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or "").split():
        header.click()


def test_change_condition_deadline_form_and_field_permissions(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to="/designer/general_approval/edit")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()

    # the condition of the "above 10,000" flow: rewritten with the field helper
    select(page, "to_head")
    condition = page.locator("#bio-properties-panel-lz-condition-expression")
    expect(condition).to_have_value('supervisor_approval["outcome"] == "approved" and amount > 10000')
    condition.fill('supervisor_approval["outcome"] == "approved"')
    condition.blur()
    page.select_option("#lz-condition-insert", "amount")
    expect(condition).to_have_value('supervisor_approval["outcome"] == "approved" and amount')
    condition.press("End")
    condition.press_sequentially(" > 20000")
    condition.blur()
    shot(page, "condition")

    # the department head's task: deadline, form, per-field permissions; its CC is shown as it is
    select(page, "head_approval")
    open_group(page, "lz-deadline")
    page.fill("#bio-properties-panel-lz-deadline-duration", "P3D")
    page.locator("#bio-properties-panel-lz-deadline-duration").blur()
    page.select_option("#bio-properties-panel-lz-deadline-action", "escalate")
    open_group(page, "lz-fields")
    expect(page.locator('[data-group-id="group-lz-fields"]')).to_contain_text("请先选择表单")
    page.select_option("#bio-properties-panel-lz-form-key", "general_approval")
    expect(page.get_by_role("link", name="编辑此表单 ↗")).to_have_attribute(
        "href", "/designer/general_approval/forms/general_approval")
    page.select_option("#bio-properties-panel-lz-field-amount", "editable")
    page.select_option("#bio-properties-panel-lz-field-reason", "hidden")
    expect(page.locator("#bio-properties-panel-lz-field-title")).to_have_value("readonly")
    open_group(page, "lz-cc")
    expect(page.locator("#bio-properties-panel-lz-cc-strategy")).to_have_value("role")
    expect(page.locator("#bio-properties-panel-lz-cc-value")).to_have_value("finance")
    shot(page, "task")

    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".lz-status")).to_have_text("草稿已保存。")
    admin_id = directory.login(live_server.db, "admin", ADMIN_PASSWORD)
    assert admin_id is not None
    draft = drafts.get_draft(live_server.db, admin_id, "general_approval")
    assert draft is not None
    xml = draft["bpmn_xml"].encode("utf-8")
    cfg = definitions.compile_definition(xml).config
    before = definitions.compile_definition((BPMN_DIR / "general_approval.bpmn").read_bytes()).config
    node = cfg.nodes["head_approval"]
    assert node.deadline == Deadline("P3D", "escalate")
    assert node.form_key == "general_approval"
    assert (node.editable, node.hidden) == (("amount",), ("reason",))
    assert node.cc == (Assignees("role", "finance"),)
    assert node.approval == before.nodes["head_approval"].approval
    assert node.assignees == before.nodes["head_approval"].assignees
    assert cfg.nodes["supervisor_approval"] == before.nodes["supervisor_approval"]
    flow = parse_xml(xml).find(f".//{{{BPMN_NS}}}sequenceFlow[@id='to_head']")
    assert flow is not None
    assert etree.QName(flow[0]).localname == "conditionExpression"
    assert flow[0].text == 'supervisor_approval["outcome"] == "approved" and amount > 20000'

    page.reload()
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    expect(page.locator(".lz-status")).to_have_text("正在编辑已保存的草稿（尚未部署）。")
    select(page, "head_approval")
    open_group(page, "lz-fields")
    expect(page.locator("#bio-properties-panel-lz-field-reason")).to_have_value("hidden")

    # discarding the draft goes back to the deployed version
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="放弃草稿").click()
    expect(page.locator(".lz-status")).to_have_text("正在编辑已部署的版本 1。")
    expect(page.get_by_role("button", name="放弃草稿")).to_be_hidden()
    assert drafts.get_draft(live_server.db, admin_id, "general_approval") is None
