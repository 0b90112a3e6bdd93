"""委派 and 认领 on the task page, in chromium: a countersigner delegates to a colleague found by
search, the colleague gives an opinion, the task comes back showing it and the delegator's own
approval is the vote; on a claim node a candidate claims the task (it leaves the other's inbox) and
decides it — on a phone, nothing scrolls sideways."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from engine import instances, tasks
from engine.design import definitions
from engine.models import HumanTask
from tests.bpmn_factory import chain, user_task
from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, switch_user, user_id

COUNTERSIGN = chain("pw_countersign", [user_task("cs", "all", "users", "zhaomin,qianli")], prefix="PWC",
                    route_last=True)
CLAIM = chain("pw_claim", [user_task("pick", "claim", "users", "zhaomin,qianli")], prefix="PWK", route_last=True)


def open_task(db: Any, instance_id: int, username: str) -> int | None:
    with db.uow() as s:
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.assignee_id == user_id(db, username),
                                                   HumanTask.status == "open"))


def test_delegate_resolve_then_decide(page, live_server, shot):
    definitions.deploy(live_server.db, COUNTERSIGN, None)
    iid = start_as(live_server, "zhangsan", "pw_countersign", {})["id"]
    tid = open_task(live_server.db, iid, "zhaomin")
    login(page, "zhaomin", to=f"/tasks/{tid}")
    page.locator("details.more summary").click()
    page.locator(".user-search[data-target=delegate_to]").fill("吴芳")
    expect(page.locator("#delegate_to option[value=wufang]")).to_have_count(1)
    page.select_option("#delegate_to", "wufang")
    page.fill("#comment", "请帮我看一下人事条款")
    page.locator("#delegate").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".flash-success")).to_contain_text("已委派给")
    assert open_task(live_server.db, iid, "zhaomin") is None, "the delegated task left her 待办"

    switch_user(page, "wufang")
    theirs = open_task(live_server.db, iid, "wufang")
    page.goto(f"/tasks/{theirs}")
    expect(page.locator("#delegated-from")).to_contain_text("赵敏")
    expect(page.locator("#delegate_to")).to_have_count(0)
    page.fill("#comment", "人事条款没有问题")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    shot(page, "delegate-resolved")

    switch_user(page, "zhaomin")
    page.goto(f"/tasks/{tid}")
    expect(page.locator("#delegation-opinion")).to_contain_text("人事条款没有问题")
    expect(page.locator("#delegation-opinion")).to_contain_text("同意")
    shot(page, "delegation-back")
    page.fill("#comment", "同意")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    tasks.approve(live_server.db, user_id(live_server.db, "qianli"), open_task(live_server.db, iid, "qianli"))
    body = instances.get_instance(live_server.db, user_id(live_server.db, "zhangsan"), iid)
    assert body["end_event"] == "end"
    assert [v["user"] for v in body["data"]["cs"]["votes"]] == ["zhaomin", "qianli"], "the delegate did not vote"


def test_claim_then_decide_on_a_phone(page, live_server, shot):
    definitions.deploy(live_server.db, CLAIM, None)
    iid = start_as(live_server, "zhangsan", "pw_claim", {})["id"]
    tid = open_task(live_server.db, iid, "qianli")
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, "qianli", to=f"/tasks/{tid}")
    expect(page.locator("#claim-note")).to_be_visible()
    expect(page.get_by_role("button", name="同意", exact=True)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "claim-offered")
    page.get_by_role("button", name="认领").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{tid}$"))
    expect(page.locator("#claimed-note")).to_be_visible()
    expect(page.get_by_role("button", name="取消认领")).to_be_visible()
    assert open_task(live_server.db, iid, "zhaomin") is None, "claimed: gone from the other candidate's inbox"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "claimed")
    page.fill("#comment", "我来处理")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    body = instances.get_instance(live_server.db, user_id(live_server.db, "zhangsan"), iid)
    assert body["end_event"] == "end" and [v["user"] for v in body["data"]["pick"]["votes"]] == ["qianli"]
