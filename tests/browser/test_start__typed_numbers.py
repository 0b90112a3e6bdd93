"""A number typed with thousands separators is the number it means: `50,000` in the 通用审批 amount
starts an instance with amount 50000, which goes on to the department head after the supervisor
(it once stored 50 and skipped them). An ambiguous `1,2` is refused at the field, nothing starts.
A number beyond what a JavaScript number holds exactly (more than 15 significant digits) is refused
at the field too: it once reached the server already rounded. A read-only amount shows its
thousands separators on the task page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from engine import inbox, instances, tasks
from tests.browser.conftest import login, sign_out
from tests.browser.test_task__approve_from_page import user_id


def test_typing_50_000_stores_50000_and_reaches_the_department_head(page, live_server, shot):
    db = live_server.db
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, "zhangsan", to="/start/general_approval")
    expect(page.locator(".fjs-form")).to_be_visible()
    page.get_by_label("标题").fill("采购服务器")
    amount = page.get_by_label("金额（元）")
    amount.fill("1,2")
    page.get_by_label("标题").click()  # leave the field
    field = page.locator(".fjs-form-field-number")
    expect(field.locator(".fjs-form-field-error")).to_contain_text("逗号只能用作千位分隔符")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_contain_text("请修改标出的字段")
    me = user_id(db, "zhangsan")
    assert inbox.list_box(db, me, "started", 0, 5)[1] == 0, "nothing was started"
    shot(page, "ambiguous-refused")

    amount.fill("12,345,678,901,234,567.89")  # a JavaScript number would send 12345678901234568
    page.get_by_label("标题").click()
    expect(field.locator(".fjs-form-field-error")).to_contain_text("最多 15 位有效数字")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_contain_text("请修改标出的字段")
    assert inbox.list_box(db, me, "started", 0, 5)[1] == 0, "nothing was started"

    amount.fill("50,000")
    expect(field.locator(".fjs-form-field-error")).to_have_count(0)
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    iid = int(page.url.rsplit("/", 1)[1])
    inst = instances.get_instance(db, me, iid)
    assert inst["data"]["amount"] == 50000 and isinstance(inst["data"]["amount"], int)

    (task,) = [t for t in inst["open_tasks"] if t["assignee"] == "zhouqiang"]
    sign_out(page)
    login(page, "zhouqiang", to=f"/tasks/{task['id']}")
    expect(page.locator("#task-form").get_by_label("金额（元）")).to_have_value("50,000")
    shot(page, "read-only-amount")
    tasks.approve(db, user_id(db, "zhouqiang"), task["id"], "同意")
    after = instances.get_instance(db, me, iid)
    assert [(t["node_id"], t["assignee"]) for t in after["open_tasks"]] == [("head_approval", "lijun")]
    assert errors == []
