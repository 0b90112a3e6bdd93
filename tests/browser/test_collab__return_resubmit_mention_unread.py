"""In chromium: an approver returns a request to the initiator, who corrects it on the returned task
(a banner says who returned it and why) and submits it again; a comment with an @mention lets the
mentioned person find and open the instance; a task not opened yet carries the unread marker."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from engine import instances
from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, switch_user, todo_row, user_id


def test_return_to_the_initiator_and_resubmit_with_corrected_data(page, live_server, shot):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "采购投影仪", "amount": 3000, "reason": "会议室"})
    key, iid = started["business_key"], started["id"]
    login(page, "zhouqiang")
    todo_row(page, key).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    page.fill("#comment", "金额应含安装费，请改后再提交")
    page.locator("details.more summary").click()
    page.select_option("#to_node", "initiator")
    page.get_by_role("button", name="退回", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("退回")

    switch_user(page, "zhangsan")
    row = todo_row(page, key)
    expect(row.locator(".returned-tag")).to_be_visible()
    row.get_by_role("link").click()
    banner = page.locator("#returned-banner")
    expect(banner).to_contain_text("由 周强 退回")
    expect(banner).to_contain_text("金额应含安装费")
    shot(page, "returned-to-initiator")
    amount = page.get_by_label("金额（元）")
    expect(amount).to_have_value("3000")
    amount.fill("12000")
    page.get_by_role("button", name="再次提交").click()
    expect(page.locator(".flash")).to_be_visible()
    view = instances.get_instance(live_server.db, user_id(live_server.db, "zhangsan"), iid)
    assert view["data"]["amount"] == 12000
    assert [(t["node_id"], t["assignee"]) for t in view["open_tasks"]] == [("supervisor_approval", "zhouqiang")]


def test_a_mention_lets_the_mentioned_person_open_the_instance(page, live_server, shot):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "采购白板", "amount": 800, "reason": "培训"})
    iid = started["id"]
    login(page, "qianli")
    assert page.goto(f"{live_server.url}/instances/{iid}").status == 403
    switch_user(page, "zhangsan")
    page.goto(f"{live_server.url}/instances/{iid}")
    page.fill("#comment-text", "钱丽请看一下预算")
    page.select_option("#comment-mentions", "qianli")
    page.click("#comment-submit")
    expect(page.locator("#timeline")).to_contain_text("钱丽请看一下预算")
    expect(page.locator("#timeline")).to_contain_text("@钱丽")
    shot(page, "comment-with-mention")

    switch_user(page, "qianli")
    page.goto(f"{live_server.url}/?box=cc")
    row = page.locator("table.inbox-list tbody tr", has_text=started["business_key"])
    expect(row).to_be_visible()
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/instances/{iid}$"))
    expect(page.locator("#timeline")).to_contain_text("钱丽请看一下预算")


def test_unread_marker_until_the_approver_opens_the_task(page, live_server, shot):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "采购键盘", "amount": 300, "reason": "坏了"})
    key = started["business_key"]
    login(page, "zhouqiang")
    row = todo_row(page, key)
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    shot(page, "inbox-unread")
    switch_user(page, "zhangsan")
    page.goto(f"{live_server.url}/instances/{started['id']}")
    expect(page.locator("#open-tasks")).to_contain_text("未读")
    switch_user(page, "zhouqiang")
    todo_row(page, key).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    page.goto(live_server.url + "/")
    expect(todo_row(page, key)).not_to_have_class(re.compile(r"\bunread\b"))
    switch_user(page, "zhangsan")
    page.goto(f"{live_server.url}/instances/{started['id']}")
    expect(page.locator("#open-tasks")).to_contain_text("已读")
