"""The form designer: an admin opens the start form of 通用审批 in the form-js editor, adds a
field, previews it, saves it into the process's draft (an unusable form is refused with its
problems shown), deploys the process from the modeler, and the new version validates start data
against the designed form."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.errors import ValidationFailed
from crm import directory, org
from engine import instances
from engine.design import catalog, drafts
from tests.browser.conftest import LiveServer, login

ADMIN_PASSWORD = "designer-admin-1"

ADD_FIELD = """async () => {
  const editor = window.lzFormEditor;
  const schema = editor.saveSchema();
  const root = editor.get('formFieldRegistry').get(schema.id) || editor._getState().schema;
  editor.get('modeling').addFormField(
    { type: 'textfield', key: 'cost_center', label: '成本中心', validate: { maxLength: 20 } },
    root, schema.components.length);
  return editor.saveSchema().components.map((c) => c.key || c.type);
}"""

BREAK_FIELD = """async () => {
  const editor = window.lzFormEditor;
  const schema = editor.saveSchema();
  schema.components.find((c) => c.key === 'amount').validate = { min: 100, max: 1 };
  await editor.importSchema(schema);
}"""


def test_design_a_form_save_it_and_deploy_it_with_the_process(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to="/designer/")
    page.locator('tr[data-key="general_approval"]').get_by_role("link", name="general_approval").click()
    expect(page).to_have_url("/designer/general_approval/forms/general_approval")
    expect(page.locator("#lz-form-designer.lz-ready")).to_be_attached()
    expect(page.locator(".lz-status")).to_have_text("正在编辑已部署版本的表单。")
    expect(page.locator(".fjs-editor-container")).to_contain_text("金额（元）")
    shot(page, "opened")

    keys = page.evaluate(ADD_FIELD)
    assert keys[-1] == "cost_center"
    expect(page.locator(".fjs-editor-container")).to_contain_text("成本中心")
    page.get_by_role("tab", name="预览").click()
    expect(page.locator(".lz-form-preview")).to_be_visible()
    expect(page.locator(".lz-form-preview").get_by_label("成本中心")).to_be_visible()
    shot(page, "preview")
    page.get_by_role("tab", name="编辑").click()
    page.get_by_role("button", name="保存到草稿").click()
    expect(page.locator(".lz-status")).to_have_text("已保存到草稿。部署流程后生效。")
    admin_id = directory.login(live_server.db, "admin", ADMIN_PASSWORD)
    assert admin_id is not None
    draft = drafts.get_draft(live_server.db, admin_id, "general_approval")
    assert draft is not None
    assert [c.get("key") for c in draft["forms"]["general_approval"]["components"]][-1] == "cost_center"

    # an unusable form is refused, the problems are listed, the draft keeps the good one
    page.evaluate(BREAK_FIELD)
    page.get_by_role("button", name="保存到草稿").click()
    expect(page.locator(".lz-status")).to_have_text("未保存：表单有问题。")
    expect(page.locator(".lz-problems")).to_contain_text("validate.min 100 大于 validate.max 1")  # in Chinese
    shot(page, "refused")
    draft = drafts.get_draft(live_server.db, admin_id, "general_approval")
    assert draft is not None
    amount = next(c for c in draft["forms"]["general_approval"]["components"] if c.get("key") == "amount")
    assert amount["validate"] == {"required": True, "min": 0}

    # deploy from the modeler: the draft (with its form) becomes version 2
    page.get_by_role("link", name="流程设计器").click()
    expect(page).to_have_url("/designer/general_approval/edit")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    expect(page.locator(".lz-status")).to_have_text("正在编辑已保存的草稿（尚未部署）。")
    page.get_by_role("button", name="部署").click()
    expect(page.locator(".lz-status")).to_have_text("已部署为版本 2。")
    version = catalog.get_version(live_server.db, "general_approval")
    assert version["version"] == 2
    assert version["forms"]["general_approval"] == draft["forms"]["general_approval"]

    with live_server.db.uow() as s:
        lisi = org.user_by_username(s, "lisi")
        assert lisi is not None
        lisi_id = lisi.id
    started = instances.start_process(live_server.db, lisi_id, "general_approval",
                                      {"title": "培训费", "amount": 800, "cost_center": "CC-01"})
    assert started["status"] == "running"
    with pytest.raises(ValidationFailed) as e:  # the designed field's rules apply
        instances.start_process(live_server.db, lisi_id, "general_approval",
                                {"title": "培训费", "amount": 800, "cost_center": "x" * 21})
    assert "data.cost_center" in e.value.fields or "cost_center" in e.value.fields
