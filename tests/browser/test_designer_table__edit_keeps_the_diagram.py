"""The table view edits one step and deploys (issue 16): the new version's XML differs from the
old one only in that step; the end events, names and labels of the diagram stay."""
from __future__ import annotations

import difflib

from playwright.sync_api import expect

from crm.directory import ensure_admin
from engine.design import catalog
from tests.browser.conftest import login

ADMIN_PASSWORD = "admin-pass-123"


def test_a_table_edit_leaves_the_rest_of_the_diagram_intact(page, live_server, shot):
    ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD)
    old = catalog.get_version(live_server.db, "general_approval")
    page.goto("/designer/general_approval/table")
    rows = page.locator("#steps tbody tr[data-step]")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("input[name='steps-1-name']").fill("财务负责人审批")
    rows.nth(1).locator("select[name='steps-1-assignee_strategy']").select_option("role")
    rows.nth(1).locator("input[name='steps-1-assignee_value']").fill("finance")
    shot(page, "edited")
    page.get_by_role("button", name="部署为新版本").click()
    page.wait_for_url("**/designer/general_approval/versions")

    new = catalog.get_version(live_server.db, "general_approval")
    assert new["version"] == old["version"] + 1
    diff = [line for line in difflib.unified_diff(old["bpmn_xml"].splitlines(), new["bpmn_xml"].splitlines(),
                                                  n=0, lineterm="")
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff == ['-    <bpmn:userTask id="head_approval" name="部门负责人审批">',
                    '+    <bpmn:userTask id="head_approval" name="财务负责人审批">',
                    '-        <lz:assignees strategy="dept_head"/>',
                    '+        <lz:assignees strategy="role" value="finance"/>'], diff

    page.goto(f"/designer/general_approval/v{new['version']}")
    diagram = page.locator("#version-diagram.ready")
    for element in ("end_approved", "end_rejected", "start"):
        expect(diagram.locator(f".djs-element[data-element-id='{element}']")).to_have_count(1)
    expect(diagram).to_contain_text("已驳回")
    expect(diagram).to_contain_text("金额 > 10000")
    shot(page, "version")
