"""At 375 px (a phone): the start list, the start form and the instance page fit the screen
(no sideways scrolling) and work."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_start_form_and_instance_page_fit_a_phone(page, shot):
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "lisi", to="/start")
    # the 14 shipped processes (bpmn/*.bpmn: with 自由审批, 客户关怀任务) but 离职交接 (starters="role:admin")
    expect(page.locator("a.start-card")).to_have_count(13)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "start-list-375")
    page.locator("a.start-card", has_text="通用审批").click()
    expect(page).to_have_url(re.compile(r"/start/general_approval$"))
    expect(page.get_by_label("标题")).to_be_visible()
    page.get_by_label("标题").fill("采购两台显示器")
    page.get_by_label("金额（元）").fill("3600")
    page.get_by_label("申请理由").fill("新同事入职，需要配置显示器。")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "start-form-375")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    expect(page.locator("#instance-status")).to_have_text("审批中")
    expect(page.locator("#diagram.ready")).to_be_visible()
    expect(page.locator("#instance-data.ready")).to_be_visible()
    expect(page.locator("#open-tasks")).to_contain_text("周强")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "instance-375")

    # withdraw, confirmed in the browser's dialog
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="撤回").click()
    expect(page.locator("#instance-status")).to_have_text("已撤回")
    expect(page.locator(".flash-success")).to_have_text("申请已撤回。")
    expect(page.locator("#diagram .lz-current")).to_have_count(0)
    expect(page.get_by_role("button", name="撤回")).to_have_count(0)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "withdrawn-375")
