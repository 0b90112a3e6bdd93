"""The key scenario: a clerk starts a leave request from the start page, meets a server-side
validation error at the field, fixes it, lands on the instance page with the current node
highlighted; the supervisor approves from his inbox in his own browser session, and the clerk
sees the instance completed with its path."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import org as org_svc
from crm import records as rs
from engine import inbox, instances
from tests.browser.conftest import login


def user_id(db, username):
    with db.uow() as s:
        return org_svc.user_by_username(s, username).id


def pick_date(page, label, value):
    field = page.get_by_label(label)
    field.fill(value)
    field.press("Enter")
    page.locator("h1").click()  # close the calendar


def test_a_clerk_starts_a_leave_request_and_follows_it_to_the_end(page, shot, live_server):
    db = live_server.db
    rs.create(db, user_id(db, "wufang"), "leave_balance", {"user": "zhangsan", "leave_type": "annual", "days": "10"})
    login(page, "zhangsan")
    page.locator(".mainnav").get_by_role("link", name="发起", exact=True).click()
    expect(page.locator("h1")).to_have_text("发起申请")
    # the 14 shipped processes (bpmn/*.bpmn: with 自由审批, 客户关怀任务) but 离职交接 (starters="role:admin")
    expect(page.locator("a.start-card")).to_have_count(13)
    shot(page, "start-list")
    page.get_by_placeholder("按名称搜索").fill("请假")
    expect(page.locator("a.start-card:visible")).to_have_count(1)
    shot(page, "start-list-filtered")
    page.locator("a.start-card:visible").click()
    expect(page).to_have_url(re.compile(r"/start/leave_request$"))
    expect(page.locator(".fjs-form")).to_be_visible()
    expect(page.get_by_text("正在加载表单")).to_have_count(0)

    # the leave type, the dates the wrong way round, a reason
    page.locator(".fjs-form-field-select", has=page.get_by_label("请假类型")).locator(".fjs-select-display").click()
    page.locator(".fjs-dropdownlist-item", has_text="年假").click()
    pick_date(page, "开始日期", "2026-12-10")
    pick_date(page, "结束日期", "2026-12-08")
    page.get_by_label("请假事由").fill("回老家办理房产手续")
    page.get_by_role("button", name="提交").click()
    end_field = page.locator(".fjs-form-field-datetime").filter(has=page.get_by_label("结束日期"))
    expect(end_field.locator(".fjs-form-field-error")).to_have_text("结束时间不能早于开始时间。")
    expect(page.get_by_role("alert")).to_contain_text("请修改标出的字段")
    shot(page, "server-error-at-the-field")
    assert inbox.list_box(db, user_id(db, "zhangsan"), "started", 0, 5)[1] == 0, "nothing was started"

    pick_date(page, "结束日期", "2026-12-11")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    instance_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#instance-status")).to_have_text("审批中")
    expect(page.locator("#open-tasks")).to_contain_text("周强")
    expect(page.locator("#diagram.ready")).to_be_visible()
    expect(page.locator('#diagram [data-element-id="supervisor"].lz-current')).to_have_count(1)
    expect(page.locator('#diagram [data-element-id="start"].lz-completed')).to_have_count(1)
    expect(page.locator("#instance-data.ready")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("张三")
    shot(page, "instance-waiting")

    # the supervisor approves from his inbox, in his own browser session
    business_key = instances.get_instance(db, user_id(db, "zhangsan"), instance_id)["business_key"]
    boss_page = page.context.browser.new_context(base_url=live_server.url, locale="zh-CN",
                                                 timezone_id="Asia/Shanghai").new_page()
    login(boss_page, "zhouqiang")
    row = boss_page.locator("table.inbox-list tbody tr", has_text=business_key)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("张三的请假")
    row.get_by_role("link").first.click()
    expect(boss_page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(boss_page.locator(".vote-card")).to_contain_text("已同意 0 / 1")
    boss_page.fill("#comment", "同意，注意交接工作")
    boss_page.get_by_role("button", name="同意", exact=True).click()
    expect(boss_page.locator(".flash-success")).to_contain_text("已同意")
    expect(boss_page.locator("table.inbox-list tbody tr", has_text=business_key)).to_have_count(0)
    shot(boss_page, "supervisor-approved")
    boss_page.context.close()
    boss = user_id(db, "zhouqiang")
    assert instances.get_instance(db, boss, instance_id)["status"] == "completed"

    page.reload()
    expect(page.locator("#instance-status")).to_have_text("已通过")
    expect(page.locator("#diagram.ready")).to_be_visible()
    for element in ("start", "check", "supervisor", "deduct", "end_approved"):
        expect(page.locator(f'#diagram [data-element-id="{element}"].lz-completed')).to_have_count(1)
    expect(page.locator("#diagram .lz-current")).to_have_count(0)
    expect(page.locator('#diagram [data-element-id="end_cancelled"].lz-completed')).to_have_count(0)
    for flow in ("f_start", "f_check", "f_sup", "f_sup_gw", "sup_approved", "f_deduct", "f_end_approved"):
        expect(page.locator(f'#diagram [data-element-id="{flow}"].lz-taken')).to_have_count(1)
    for flow in ("sup_to_dept", "sup_rejected", "revise_resubmit"):  # branches not taken
        expect(page.locator(f'#diagram [data-element-id="{flow}"].lz-taken')).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("同意，注意交接工作")
    expect(page.locator("#timeline")).to_contain_text("周强")
    expect(page.get_by_role("button", name="撤回")).to_have_count(0)
    shot(page, "instance-completed")
