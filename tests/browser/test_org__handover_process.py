"""离职交接 as a process in chromium: an admin deactivates a salesperson who owns a customer without
naming a successor; the user page shows 交接中 linking to the handover instance; the salesperson's
supervisor opens the task from their 待办, picks the successor in the user picker and submits; the
successor then finds the customer in their customer list."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import directory
from crm import records as rs
from engine import handover as handovers
from tests.browser.conftest import login, sign_out
from tests.browser.test_org__admin_pages import ADMIN_PASSWORD
from tests.browser.test_task__approve_from_page import user_id


def test_the_supervisor_chooses_the_successor_who_then_sees_the_customer(page, shot, live_server):
    db = live_server.db
    customer = rs.create(db, user_id(db, "zhangsan"), "customer", {"name": "华北测绘院"})
    directory.ensure_admin(db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to=f"/admin/users/{user_id(db, 'zhangsan')}")
    expect(page.locator("#workload")).to_contain_text("1 个客户")
    expect(page.locator("#workload")).to_contain_text("不选交接人则启动离职交接流程")
    page.get_by_label("启用（可登录、可接收任务）").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success").first).to_contain_text("已停用")
    expect(page.locator(".flash-success").nth(1)).to_contain_text("离职交接流程已启动")
    running = page.locator("#handover-running a")
    expect(running).to_have_text("交接中")
    shot(page, "handover-running")
    page.goto("/admin/users?q=zhangsan")
    expect(page.locator("a.handover-running")).to_have_text("交接中")
    running_url = page.locator("a.handover-running").get_attribute("href")
    page.locator("a.handover-running").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    expect(page.locator("body")).to_contain_text("选择交接人")

    sign_out(page)
    login(page, "zhouqiang")  # zhangsan's supervisor
    row = page.locator("table.inbox-list tbody tr", has_text="离职交接")
    expect(row).to_be_visible()
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    picker = page.locator(".fjs-form-field-select", has=page.get_by_label("交接人")).locator("input").first
    picker.click()
    picker.fill("李四")
    page.locator(".fjs-dropdownlist-item", has_text="李四").first.click()
    expect(page.locator("#task-form")).to_contain_text("1 个客户 customers")
    shot(page, "successor-picked")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert handovers.running(db, "staff_handover") == {}, "the handover is done"
    page.goto(running_url)
    expect(page.locator("body")).to_contain_text("已移交给 / Handed over to lisi")
    shot(page, "handover-done")

    sign_out(page)
    login(page, "lisi", to="/crm/customers")
    expect(page.locator("table.crm-list a.row-title", has_text="华北测绘院")).to_be_visible()
    shot(page, "successor-customers")
    assert rs.get(db, user_id(db, "lisi"), "customer", customer["id"])["owner"] == "lisi"
