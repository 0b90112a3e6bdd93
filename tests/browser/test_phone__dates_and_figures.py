"""On a phone (375 px, a mobile browser): picking a date in the leave form throws no page error
(it threw `TypeError … removeEventListener`), read-only dates on a task page cannot be edited, the
expense total sits in the top card and the line's customer shows its name."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm import records as rs
from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, todo_row, user_id

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 375, "height": 740}, user_agent=IPHONE, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def test_picking_a_date_on_a_phone_throws_nothing(phone, shot):
    login(phone, "zhangsan", to="/start/leave_request")
    date = phone.get_by_label("开始日期")
    expect(date).to_be_visible()
    date.click()
    calendar = phone.locator(".flatpickr-calendar.open")
    expect(calendar).to_be_visible()
    calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text=re.compile(r"^15$")).click()
    expect(date).not_to_have_value("")
    phone.locator("h1").click()
    shot(phone, "date-picked")
    assert phone.errors == []  # type: ignore[attr-defined]


def test_read_only_dates_stay_read_only_and_the_total_is_on_top(phone, live_server, shot):
    db = live_server.db
    customer = rs.create(db, user_id(db, "lisi"), "customer", {"name": "华北测绘院"})
    started = start_as(live_server, "lisi", "expense_reimbursement", {
        "reason": "拜访华北测绘院", "lines": [
            {"date": "2026-11-02", "category": "travel", "amount": 1280.5, "customer": customer["id"]},
            {"date": "2026-11-03", "category": "other", "amount": 860}]})
    login(phone, "zhouqiang")
    todo_row(phone, started["business_key"]).get_by_role("link").click()
    expect(phone).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(phone.locator(".task-head")).to_contain_text("¥2,140.50")
    form = phone.locator("#task-form")
    first_date = form.locator(".fjs-form-field-datetime input").first
    expect(first_date).to_have_value(re.compile("2026"))
    expect(first_date).to_have_attribute("readonly", re.compile(".*"))
    before = first_date.input_value()
    first_date.click()
    expect(phone.locator(".flatpickr-calendar.open")).to_have_count(0)
    phone.keyboard.type("2030")
    expect(first_date).to_have_value(before)
    picker = form.locator(".fjs-form-field-select", has=phone.get_by_text("相关客户")).first
    expect(picker).to_contain_text("华北测绘院") if not picker.locator("input").count() else \
        expect(picker.locator("input").first).to_have_value(re.compile("华北测绘院"))
    shot(phone, "task-375")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.errors == []  # type: ignore[attr-defined]
