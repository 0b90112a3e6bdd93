"""The table view of a shipped process that is not a chain of approval steps (报销): its main path
as read-only rows — the system's steps, the approvals with their settings and 'enter when'
conditions — and what the rows do not show (rejections, skips) in words, in Chinese; at 375 px the
table scrolls inside its card instead of widening the page."""
from __future__ import annotations

from playwright.sync_api import expect

from crm import directory
from tests.browser.conftest import LiveServer, login

ADMIN_PASSWORD = "designer-admin-1"


def test_expense_reimbursement_shows_its_main_path(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to="/designer/expense_reimbursement/table")
    rows = page.locator("#main-path tbody tr[data-step]")
    expect(rows).to_have_count(8)
    expect(rows.nth(1)).to_contain_text("生成报销单")
    expect(rows.nth(1)).to_contain_text("系统步骤（服务任务）")
    expect(rows.nth(3)).to_contain_text("部门负责人审批")
    expect(rows.nth(3)).to_contain_text('Decimal(submit["result"]["total"]) > 5000')
    expect(rows.nth(6)).to_contain_text("办理")
    expect(page.locator("#main-path-notes")).to_contain_text("驳回时：报销单驳回 → 已驳回。")
    expect(page.locator("#main-path-notes")).to_contain_text("跳过直到「报销单已批准」之前的步骤")
    expect(page.locator("#table-form")).to_have_count(0)  # read-only: nothing to post
    page.get_by_role("link", name="在流程图中打开").first.click()
    expect(page).to_have_url("/designer/expense_reimbursement/edit")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/designer/expense_reimbursement/table")
    expect(rows).to_have_count(8)
    shot(page, "375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
