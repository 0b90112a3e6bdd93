"""Bulk approval in the browser: the supervisor ticks two tasks, gives one comment and approves
both at once; the inbox reports each and the rows leave 待办."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, todo_row


def test_bulk_approve_two_tasks(page, live_server, shot):
    a = start_as(live_server, "zhangsan", "general_approval", {"title": "采购键盘", "amount": 300})
    b = start_as(live_server, "lisi", "general_approval", {"title": "采购鼠标", "amount": 150})
    keep = start_as(live_server, "lisi", "general_approval", {"title": "采购耳机", "amount": 500})
    login(page, "zhouqiang")
    button = page.locator("#bulk-approve")
    expect(button).to_be_disabled()
    for started in (a, b):
        todo_row(page, started["business_key"]).locator("input[name=task]").check()
    expect(button).to_be_enabled()
    expect(button).to_contain_text("(2)")
    page.fill("#bulk-bar input[name=comment]", "同意，按预算执行")
    shot(page, "selected")
    button.click()
    expect(page.locator(".flash-success")).to_contain_text("已同意 2 项")
    expect(page.locator(".flash-success")).to_contain_text(a["business_key"])
    expect(page.locator(".flash-success")).to_contain_text(b["business_key"])
    expect(todo_row(page, a["business_key"])).to_have_count(0)
    expect(todo_row(page, b["business_key"])).to_have_count(0)
    expect(todo_row(page, keep["business_key"])).to_be_visible()
    expect(page.locator(".tabs a[data-box=todo] .badge")).to_have_text("1")
    shot(page, "after")
    page.locator(".tabs a[data-box=done]").click()
    for started in (a, b):
        expect(todo_row(page, started["business_key"])).to_contain_text("已同意")
