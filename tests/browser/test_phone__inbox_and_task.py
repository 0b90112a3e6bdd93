"""At 375 px (a phone): the inbox rows become cards, the task page stacks, nothing scrolls
sideways, and the approve button is there to press."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, todo_row

PHONE = {"width": 375, "height": 812}


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_inbox_and_task_page_fit_a_phone(page, live_server, shot):
    started = start_as(live_server, "lisi", "expense_reimbursement", {
        "reason": "拜访华北测绘院的差旅费用（往返高铁、两晚住宿、市内交通）",
        "lines": [{"date": "2026-11-02", "category": "travel", "amount": 1280.5, "note": "北京—石家庄往返高铁"},
                  {"date": "2026-11-03", "category": "other", "amount": 860, "note": "两晚住宿"}]})
    start_as(live_server, "zhangsan", "general_approval",
             {"title": "采购一台非常长名字的显示器用于设计部门的日常工作", "amount": 3999, "reason": "旧的坏了"})
    page.set_viewport_size(PHONE)
    login(page, "zhouqiang")
    row = todo_row(page, started["business_key"])
    expect(row).to_be_visible()
    expect(row.locator("td[data-label]").first).to_be_visible()
    assert page.locator("table.inbox-list thead").is_hidden(), "rows are cards on a phone"
    assert page_width(page) <= 375
    shot(page, "inbox")

    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(page.locator("#task-form").get_by_role("textbox", name="报销事由")).to_have_value(re.compile("差旅费用"))
    approve = page.get_by_role("button", name="同意", exact=True)
    expect(approve).to_be_visible()
    assert page_width(page) <= 375
    shot(page, "task")
    page.get_by_text("退回、转办、加签").click()
    expect(page.locator("#to_user")).to_be_visible()
    expect(page.locator("#users")).to_be_visible()
    assert page_width(page) <= 375, "the transfer and add-signer pickers fit too"
    page.locator("#actions").scroll_into_view_if_needed()
    shot(page, "task-more")
    approve.scroll_into_view_if_needed()
    page.fill("#comment", "同意报销")
    approve.click()
    expect(page.locator(".flash-success")).to_contain_text("已同意")
    assert page_width(page) <= 375
    shot(page, "after-approve")
