"""An approver opens a task from the inbox, sees the form and the vote status, approves it with a
comment, and finds it gone from 待办 and present in 已办. Rejecting without a comment is refused
at the comment field and changes nothing."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from crm import org as org_service
from engine import instances
from tests.browser.conftest import login, sign_out


def user_id(db: Any, username: str) -> int:
    with db.uow() as s:
        return org_service.user_by_username(s, username).id


def start_as(live_server: Any, username: str, process: str, data: dict[str, Any]) -> dict[str, Any]:
    """Start an instance directly through the engine use case (as a clerk would from the start page)."""
    return instances.start_process(live_server.db, user_id(live_server.db, username), process, data)


def switch_user(page: Any, username: str) -> None:
    sign_out(page)
    login(page, username)


def todo_row(page: Any, business_key: str) -> Any:
    return page.locator("table.inbox-list tbody tr", has_text=business_key)


def test_approve_with_a_comment_moves_the_task_from_todo_to_done(page, live_server, shot):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "采购显示器", "amount": 2600, "reason": "旧显示器坏了"})
    key = started["business_key"]
    login(page, "zhouqiang")
    row = todo_row(page, key)
    expect(row).to_be_visible()
    expect(row).to_contain_text("张三")  # the initiator
    expect(row).to_contain_text("直属主管审批")  # the node
    shot(page, "inbox")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(page.locator(".task-head h1")).to_have_text("采购显示器")
    expect(page.locator("#task-form input").first).to_have_value("采购显示器")  # the form, read-only here
    expect(page.locator(".vote-card")).to_contain_text("或签")
    expect(page.locator(".vote-card")).to_contain_text("已同意 0 / 1")

    # reject without a reason: refused at the comment field, nothing changes
    page.get_by_role("button", name="驳回").click()
    expect(page.locator("#err-comment")).to_have_text("请填写审批意见，说明原因。")
    expect(page.locator("#comment")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    shot(page, "reject-needs-comment")

    page.fill("#comment", "同意采购，注意比价")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".flash-success")).to_contain_text("已同意：采购显示器")
    expect(todo_row(page, key)).to_have_count(0)
    page.locator(".tabs a[data-box=done]").click()
    done = todo_row(page, key)
    expect(done).to_contain_text("已同意")
    expect(done).to_contain_text("已通过")  # nothing above 10,000: the supervisor's approval ends it
    shot(page, "done")
    # the comment is in the record of the instance
    history = instances.get_instance(live_server.db, user_id(live_server.db, "zhangsan"), started["id"])["history"]
    assert [e["comment"] for e in history if e["action"] == "approve"] == ["同意采购，注意比价"]


def test_transfer_to_someone_found_by_search(page, live_server, shot):
    started = start_as(live_server, "lisi", "general_approval", {"title": "采购投影仪", "amount": 4200})
    key = started["business_key"]
    login(page, "zhouqiang")
    todo_row(page, key).get_by_role("link").click()
    page.get_by_text("退回、转办、加签").click()
    page.locator(".user-search[data-target=to_user]").fill("李军")
    options = page.locator("#to_user option")
    expect(options).to_have_count(2)  # the placeholder and the one match
    page.select_option("#to_user", "lijun")
    page.fill("#comment", "请李总定夺")
    shot(page, "transfer")
    page.get_by_role("button", name="转办", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("已转办给 李军 (lijun)")
    expect(todo_row(page, key)).to_have_count(0)
    switch_user(page, "lijun")
    expect(todo_row(page, key)).to_contain_text("李四")
