"""An admin deactivates a supervisor who still has work, naming the successor at the field (the
direct path; without one the staff handover process starts, test_org__handover_process.py); the
open task lands in the successor's 待办 and the instance page shows the handover."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import directory
from tests.browser.conftest import login
from tests.browser.test_org__admin_pages import ADMIN_PASSWORD
from tests.browser.test_task__approve_from_page import start_as, switch_user, todo_row, user_id


def test_deactivating_zhouqiang_hands_his_task_to_lijun(page, shot, live_server):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "采购投影仪", "amount": 3000, "reason": "会议室"})
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to=f"/admin/users/{user_id(live_server.db, 'zhouqiang')}")
    expect(page.locator("#workload")).to_contain_text("1 个待办任务")
    page.get_by_label("启用（可登录、可接收任务）").uncheck()
    # without a successor the staff handover process would start (tests/browser/test_org__handover_process.py)
    page.get_by_label("交接人（停用时）").select_option("lijun")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success").first).to_contain_text("已停用")
    expect(page.locator(".flash-success").nth(1)).to_contain_text("已移交给 lijun：1 个待办任务")
    shot(page, "handed-over")

    switch_user(page, "lijun")
    row = todo_row(page, started["business_key"])
    expect(row).to_be_visible()
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(page.locator("#history")).to_contain_text("离职交接")
    page.goto(f"/instances/{started['id']}")
    expect(page.locator("body")).to_contain_text("将已停用用户的任务移交给交接人")
