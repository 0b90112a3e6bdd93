"""CRM settings in chromium, in Chinese and at 375 px: an admin renames a customer level in the data
dictionary and hides 信用评价 (credit) from the sales role while forbidding it to export customers;
the salesperson's customer page no longer shows the credit, their list shows the new level name
and no export button; the admin still sees the credit; the system log lists both changes."""
from __future__ import annotations

from playwright.sync_api import expect

from crm import directory
from crm import org as org_svc
from crm import records as rs
from tests.browser.conftest import login, sign_out

ADMIN_PASSWORD = "admin-pass-42"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _uid(db, username):
    with db.uow() as s:
        return org_svc.user_by_username(s, username).id


def test_an_admin_renames_a_level_and_hides_credit_from_sales(page, shot, live_server):
    db = live_server.db
    directory.ensure_admin(db, ADMIN_PASSWORD)
    c = rs.create(db, _uid(db, "zhangsan"), "customer", {"name": "设置测试客户", "level": "重点客户",
                                                         "credit": "甲级信用"})
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, "admin", ADMIN_PASSWORD, to="/crm/admin/options")
    row = page.locator('#list-customer_level tr[data-code="重点客户"]')
    row.locator("input[name=label_zh]").fill("核心客户")
    row.get_by_role("button", name="保存").click()
    expect(page.locator(".flash").first).to_contain_text("重点客户")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "dictionary")

    page.get_by_role("link", name="字段权限").click()
    page.select_option("#rule-role", "sales")
    page.select_option("#rule-field", "customer/credit")
    page.uncheck("#rule-view")
    page.click("#field-rule-form button[type=submit]")
    expect(page.locator('tr[data-rule="sales:customer.credit"]')).to_contain_text("否")
    page.select_option("#rule-field", "customer/*")
    page.uncheck("#rule-export")
    page.click("#field-rule-form button[type=submit]")
    expect(page.locator('tr[data-rule="sales:customer.*"]')).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "field-rules")

    page.get_by_role("link", name="系统日志").click()
    expect(page.locator("#admin-log")).to_contain_text("sales:customer.credit")
    expect(page.locator("#admin-log")).to_contain_text("customer_level:重点客户")
    page.goto(f"/crm/customers/{c['id']}")
    expect(page.locator('[data-field="credit"]')).to_have_text("甲级信用")
    sign_out(page)

    login(page, "zhangsan", to=f"/crm/customers/{c['id']}")
    expect(page.locator("h1")).to_contain_text("设置测试客户")
    expect(page.locator('[data-field="level"]')).to_have_text("核心客户")
    expect(page.locator('[data-field="credit"]')).to_have_count(0)
    expect(page.get_by_text("甲级信用")).to_have_count(0)
    page.goto("/crm/customers")
    expect(page.locator("table.crm-list")).to_contain_text("核心客户")
    expect(page.locator("#export-xlsx")).to_have_count(0)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "salesperson-list")
