"""The bell counts unread notifications on every page; the list opens and marks them read; my
settings saves e-mail, mobile and preferences (refusing a bad e-mail at its field) and shows the
calendar link; it all works at 375 px."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from engine import collab
from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, user_id


def test_the_bell_counts_and_the_list_marks_read(page, live_server, shot):
    started = start_as(live_server, "zhangsan", "general_approval", {"title": "采购打印机", "amount": 1800})
    login(page, "zhouqiang")
    bell = page.get_by_test_id("bell-count")
    expect(bell).to_have_text("1")
    collab.urge(live_server.db, user_id(live_server.db, "zhangsan"), started["id"], "请尽快")
    page.goto("/start")  # another page: the bell is on every page
    expect(bell).to_have_text("2")
    shot(page, "bell")
    page.get_by_test_id("bell").click()
    items = page.locator("#notifications li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("催办")
    expect(items.first).to_contain_text("请尽快")
    expect(page.locator("#notifications li.unread")).to_have_count(2)
    shot(page, "list")
    items.first.get_by_test_id("mark-read").click()
    expect(bell).to_have_text("1")
    expect(page.locator("#notifications li.unread")).to_have_count(1)
    # opening the task notification marks it read and lands on the task page
    page.locator("#notifications li.unread .notify-subject").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(page.get_by_test_id("bell-count")).to_have_count(0)


def test_read_all_and_the_phone_width(page, live_server, shot):
    start_as(live_server, "lisi", "general_approval", {"title": "购买白板", "amount": 300})
    start_as(live_server, "lisi", "general_approval", {"title": "购买椅子", "amount": 500})
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, "zhouqiang", to="/notifications?unread=1")
    unread = page.locator("#notifications li.unread")
    expect(unread).not_to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "phone")
    page.get_by_test_id("read-all").click()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    expect(page.locator("#notifications li.unread")).to_have_count(0)


def test_my_settings_saves_and_refuses_a_bad_email(page, live_server, shot):
    login(page, "wufang", to="/settings")
    page.locator("input[name=email]").fill("not-an-address")
    page.locator("input[name=mobile]").fill("13900139000")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field-error")).to_be_visible()
    expect(page.locator("input[name=email]")).to_have_value("not-an-address")
    page.locator("input[name=email]").fill("wufang@example.com")
    page.locator("input[name='cc.email']").check()
    page.locator("input[name='urge.email']").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("input[name=email]")).to_have_value("wufang@example.com")
    expect(page.locator("input[name='cc.email']")).to_be_checked()
    expect(page.locator("input[name='urge.email']")).not_to_be_checked()
    link = page.locator("#feed-link").input_value()
    assert "/api/v1/me/calendar.ics?token=" in link
    shot(page, "settings")
    r = page.request.get(link)
    assert r.status == 200 and r.text().startswith("BEGIN:VCALENDAR\r\n")
    page.get_by_role("button", name="生成新链接").click()
    expect(page.locator("#feed-link")).not_to_have_value(link)
    assert page.request.get(link).status == 401
