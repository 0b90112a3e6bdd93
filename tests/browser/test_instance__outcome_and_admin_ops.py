"""In chromium: a rejected request shows 已驳回 in red in 我发起的 and on the instance page (never a
green 已完成); a process admin terminates a request from the instance page (confirm + reason),
after which it shows 已终止 and leaves the approver's inbox."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from engine import inbox, tasks
from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, switch_user, todo_row, user_id


def test_a_rejected_request_is_red_in_started_and_on_the_instance_page(page, live_server, shot):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "团建预算", "amount": 5000, "reason": "季度团建"})
    db = live_server.db
    boss = user_id(db, "zhouqiang")
    rows, _ = inbox.list_box(db, boss, "todo", 0, 100)
    (task_id,) = [r["id"] for r in rows if r["instance_id"] == started["id"]]
    tasks.reject(db, boss, task_id, "预算超标")

    login(page, "zhangsan", to="/?box=started")
    badge = todo_row(page, started["business_key"]).locator(".tag")
    expect(badge).to_have_text("已驳回")
    expect(badge).to_have_class(re.compile(r"\bred\b"))
    expect(todo_row(page, started["business_key"])).not_to_contain_text("已完成")
    shot(page, "started-rejected")
    todo_row(page, started["business_key"]).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/instances/{started['id']}$"))
    expect(page.locator("#instance-status")).to_have_text("已驳回")
    expect(page.locator("#instance-status")).to_have_class(re.compile(r"\bred\b"))
    shot(page, "instance-rejected")


def test_a_process_admin_terminates_a_request_from_the_instance_page(page, live_server, shot):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "重复的采购申请", "amount": 800, "reason": "误提交"})
    login(page, "chenjing", to=f"/instances/{started['id']}")
    expect(page.locator("#instance-status")).to_have_text("审批中")
    panel = page.locator("#instance-admin")
    expect(panel).to_be_visible()
    expect(panel.locator("#op-activate")).to_have_count(0)  # running: nothing to activate
    form = panel.locator("#op-terminate")
    form.get_by_label("原因（必填）").fill("重复提交，已另行处理")
    dialogs: list[str] = []

    def accept(d):
        dialogs.append(d.message)
        d.accept()

    page.once("dialog", accept)
    form.get_by_role("button", name="终止").click()
    expect(page.locator(".flash-success")).to_have_text("流程已终止。")
    assert dialogs and "终止此流程" in dialogs[0]
    expect(page.locator("#instance-status")).to_have_text("已终止")
    expect(page.locator("#instance-status")).to_have_class(re.compile(r"\bgrey\b"))
    expect(page.locator("#instance-admin")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("重复提交，已另行处理")
    shot(page, "terminated")

    switch_user(page, "zhouqiang")
    expect(todo_row(page, started["business_key"])).to_have_count(0)
    switch_user(page, "zhangsan")
    page.goto("/?box=started")
    expect(todo_row(page, started["business_key"]).locator(".tag")).to_have_text("已终止")


def test_an_approver_sees_no_admin_operations(page, live_server):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "办公用品", "amount": 300, "reason": "耗材"})
    login(page, "zhouqiang", to=f"/instances/{started['id']}")
    expect(page.locator("#instance-status")).to_have_text("审批中")
    expect(page.locator("#instance-admin")).to_have_count(0)
