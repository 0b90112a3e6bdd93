"""The table view in a browser: add a majority step for three users to general_approval, deploy it
as version 2, see version 2 with its thumbnail in the versions list and the added node in the diff."""
from __future__ import annotations

from playwright.sync_api import expect

from crm.directory import ensure_admin
from tests.browser.conftest import login

ADMIN_PASSWORD = "admin-pass-123"


def test_add_a_majority_step_and_deploy_version_2(page, live_server, shot):
    ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to="/designer/general_approval/table")
    rows = page.locator("#steps tbody tr[data-step]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("input[name$='-name']")).to_have_value("直属主管审批")
    expect(rows.nth(1).locator("input[name$='-condition']")).to_have_value("amount > 10000")
    expect(page.locator("img.diagram-img")).to_be_visible()
    shot(page, "table")

    page.get_by_role("button", name="添加步骤").click()
    expect(rows).to_have_count(3)
    new = rows.nth(2)
    expect(new.locator(".step-no")).to_have_text("3")
    new.locator("input[name='steps-2-name']").fill("委员会审议")
    new.locator("select[name='steps-2-mode']").select_option("majority")
    new.locator("select[name='steps-2-assignee_strategy']").select_option("users")
    new.locator("input[name='steps-2-assignee_value']").fill("lisi,zhouqiang,lijun")
    expect(new.locator("input[name='steps-2-threshold']")).to_be_hidden()  # only for the ratio mode
    # move it up and back down: the numbering follows the rows
    new.get_by_role("button", name="上移").click()
    expect(rows.nth(1).locator("input[name='steps-1-name']")).to_have_value("委员会审议")
    rows.nth(1).get_by_role("button", name="下移").click()
    expect(rows.nth(2).locator("input[name='steps-2-name']")).to_have_value("委员会审议")
    shot(page, "step-added")

    page.get_by_role("button", name="部署为新版本").click()
    page.wait_for_url("**/designer/general_approval/versions")
    expect(page.locator(".flash-success")).to_contain_text("版本 2")
    v2 = page.locator("tr[data-version='2']")
    expect(v2).to_contain_text("系统管理员")
    thumb = v2.locator("td.thumb img")
    expect(thumb).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    shot(page, "versions")

    v2.get_by_role("link", name="变更内容").click()
    page.wait_for_url("**/designer/general_approval/diff?from=1&to=2")
    added = page.locator(".added-nodes")
    expect(added).to_contain_text("委员会审议")
    expect(page.locator(".diff-diagram svg")).to_be_visible()
    shot(page, "diff")

    page.goto("/designer/general_approval/table")
    expect(rows).to_have_count(3)
    expect(rows.nth(2).locator("select[name='steps-2-mode']")).to_have_value("majority")
    expect(rows.nth(2).locator("input[name='steps-2-assignee_value']")).to_have_value("lisi,zhouqiang,lijun")
    # the old version, read-only: bpmn-js opens the laid-out file (the shipped file has no diagram)
    page.goto("/designer/general_approval/v2")
    expect(page.locator("#version-diagram.ready .djs-element[data-element-id='step_3']")).to_have_count(1)
    expect(page.locator("#version-diagram img")).to_have_count(0)
    page.goto("/designer/general_approval/v1")
    expect(page.locator("#version-diagram.ready .djs-element[data-element-id='head_approval']")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text("amount > 10000")
    shot(page, "version-1")
