"""In chromium, the operations the earlier browser tests did not click: a process admin suspends a
request (the approver's task offers nothing meanwhile), activates it and jumps it to a later step;
the approver who decided takes his step back from the instance page; an approver of a countersign
removes a signer who has not decided yet from the task page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from engine import inbox, instances, tasks
from engine.design import definitions
from tests.bpmn_factory import chain, user_task
from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, switch_user, todo_row, user_id


def accept_dialogs(page):
    page.on("dialog", lambda d: d.accept())


def open_task(db, username, instance_id):
    rows, _ = inbox.list_box(db, user_id(db, username), "todo", 0, 100)
    (task_id,) = [r["id"] for r in rows if r["instance_id"] == instance_id]
    return task_id


def test_suspend_activate_then_jump_from_the_instance_page(page, live_server, shot):
    # 20,000: the supervisor, then the department head (general approval over 10,000)
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "年度软件采购", "amount": 20000, "reason": "续费"})
    accept_dialogs(page)
    login(page, "chenjing", to=f"/instances/{started['id']}")
    page.locator("#op-suspend").get_by_role("button", name="挂起").click()
    expect(page.locator("#instance-status")).to_have_text("已挂起")
    expect(page.locator("#suspended-note")).to_be_visible()
    expect(page.locator("#op-suspend")).to_have_count(0)
    shot(page, "suspended")

    switch_user(page, "zhouqiang")
    row = todo_row(page, started["business_key"])
    expect(row).to_contain_text("已挂起")
    expect(row.locator("input[type=checkbox]")).to_be_disabled()
    page.goto(f"/tasks/{open_task(live_server.db, 'zhouqiang', started['id'])}")
    expect(page.locator("#approve")).to_have_count(0)  # a suspended request takes no action
    expect(page.locator("#reject")).to_have_count(0)

    switch_user(page, "chenjing")
    page.goto(f"/instances/{started['id']}")
    page.locator("#op-activate").get_by_role("button", name="激活").click()
    expect(page.locator("#instance-status")).to_have_text("审批中")
    jump = page.locator("#op-jump")
    jump.locator("select[name=to_node]").select_option("head_approval")
    jump.get_by_label("原因（必填）").fill("主管出差，直接到部门负责人")
    jump.get_by_role("button", name="跳转").click()
    expect(page.locator("#open-tasks")).to_contain_text("部门负责人审批")
    expect(page.locator("#open-tasks")).not_to_contain_text("直属主管审批")
    expect(page.locator("#timeline")).to_contain_text("主管出差，直接到部门负责人")
    shot(page, "jumped")
    view = instances.get_instance(live_server.db, user_id(live_server.db, "chenjing"), started["id"])
    assert [(t["node_id"], t["assignee"]) for t in view["open_tasks"]] == [("head_approval", "lijun")]


def test_the_supervisor_takes_his_step_back_before_the_head_acts(page, live_server):
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "服务器扩容", "amount": 30000, "reason": "业务增长"})
    db = live_server.db
    tasks.approve(db, user_id(db, "zhouqiang"), open_task(db, "zhouqiang", started["id"]), "同意")
    accept_dialogs(page)
    login(page, "zhouqiang", to=f"/instances/{started['id']}")
    expect(page.locator("#open-tasks")).to_contain_text("部门负责人审批")
    page.locator("#take-back").click()
    expect(page.locator("#open-tasks")).to_contain_text("直属主管审批")
    expect(page.locator("#open-tasks")).not_to_contain_text("部门负责人审批")
    page.goto("/")
    expect(todo_row(page, started["business_key"])).to_have_count(1)  # back in his 待办


def test_an_approver_removes_a_signer_who_has_not_decided(page, live_server, shot):
    db = live_server.db
    definitions.deploy(db, chain("browser_cs", [user_task("cs", "all", "users", "zhaomin,qianli,wufang")],
                                 prefix="BC", route_last=True), None)
    started = instances.start_process(db, user_id(db, "zhangsan"), "browser_cs", {})
    login(page, "zhaomin", to=f"/tasks/{open_task(db, 'zhaomin', started['id'])}")
    page.locator("details.more summary").click()
    page.locator("#remove_users").select_option("wufang")
    page.locator("#comment").fill("吴芳休假，不需要她会签")
    page.locator("#remove-signer").click()
    expect(page.locator(".flash-success")).to_be_visible()
    shot(page, "signer-removed")
    view = instances.get_instance(db, user_id(db, "zhangsan"), started["id"])
    assert sorted(t["assignee"] for t in view["open_tasks"]) == ["qianli", "zhaomin"]
    assert re.search("remove_signer", str([e["action"] for e in view["history"]]))
