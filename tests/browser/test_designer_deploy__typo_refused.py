"""A typo in a condition is refused at deploy (issue 16): the modeler lists the problem in Chinese
and marks the flow red on the canvas; nothing is deployed. The fixed condition deploys."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import directory
from engine.design import catalog
from tests.browser.conftest import LiveServer, login
from tests.browser.test_designer_modeler__edit_shipped_process import select


def test_a_typo_in_a_condition_is_refused_with_the_flow_marked(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, "designer-admin-1")
    login(page, "admin", "designer-admin-1")
    before = catalog.get_definition(live_server.db, "general_approval")["version"]
    page.goto("/designer/general_approval/edit")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()

    select(page, "to_head")
    condition = page.locator("#bio-properties-panel-lz-condition-expression")
    condition.fill('supervisor_approval["outcome"] == "approved" and amout > 10000')
    condition.blur()
    page.get_by_role("button", name="部署").click()
    expect(page.locator(".lz-problems")).to_contain_text("“amout”在此处不存在")
    expect(page.locator(".lz-problems")).to_contain_text("是否想写“amount”")
    expect(page.locator('.djs-element[data-element-id="to_head"]')).to_have_class(re.compile(r"\blz-problem\b"))
    shot(page, "typo-refused")
    assert catalog.get_definition(live_server.db, "general_approval")["version"] == before

    condition.fill('supervisor_approval["outcome"] == "approved" and amount > 20000')
    condition.blur()
    page.get_by_role("button", name="部署").click()
    expect(page.locator(".lz-status")).to_contain_text(f"版本 {before + 1}")
    expect(page.locator('.djs-element[data-element-id="to_head"]')).not_to_have_class(re.compile(r"\blz-problem\b"))
    shot(page, "fixed-deployed")
