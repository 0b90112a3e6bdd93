"""In chromium at phone width: the search box in the top bar finds a request by words of its title
(Chinese segmented), marks the words, and opens the request; a colleague who may not read it finds
nothing."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, switch_user


def test_search_from_the_top_bar_on_a_phone(page, live_server, shot):
    page.set_viewport_size({"width": 375, "height": 740})
    started = start_as(live_server, "zhangsan", "general_approval",
                       {"title": "杭州分公司投影仪采购", "amount": 4200, "reason": "会议室设备老化"})
    login(page, "zhangsan")
    box = page.get_by_role("searchbox", name="搜索")
    box.fill("投影仪 杭州")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    result = page.locator(f'#search-results li[data-kind="instance"][data-id="{started["id"]}"]')
    expect(result).to_have_count(1)
    expect(result.locator("mark").first).to_be_visible()
    shot(page, "search-phone")
    result.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/instances/{started['id']}$"))

    switch_user(page, "jiangna")  # 客服部: not a participant, not a supervisor of one
    page.goto("/search?q=投影仪 杭州")
    expect(page.locator("#search-count")).to_have_text(re.compile(r"^0"))
    expect(page.locator(f'#search-results li[data-id="{started["id"]}"]')).to_have_count(0)
