"""The inbox's customer filter is a searchable picker: a user with more than 50 customers types part
of a name, chooses the 53rd, filters, and sees only that customer's requests; the choice stays
named after the page reloads, and the picker fits a phone. Without JavaScript the text box searches
on submit and the select offers the matches."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import records
from tests.browser.conftest import login
from tests.browser.test_task__approve_from_page import start_as, user_id

PHONE = {"width": 375, "height": 812}


def rows(page):
    return page.locator("table.inbox-list tbody tr")


def test_type_choose_the_53rd_customer_and_filter(page, live_server, shot):
    db = live_server.db
    clerk = user_id(db, "zhangsan")
    customers = [records.create(db, clerk, "customer", {"name": f"甲方客户{n:03d}"}) for n in range(1, 56)]
    started = {}
    for n in (2, 53):
        contract = records.create(db, clerk, "contract", {"customer": customers[n - 1]["id"],
                                                          "title": f"服务合同{n:03d}", "amount": "1000.00"})
        started[n] = start_as(live_server, "zhangsan", "contract_countersign",
                              {"contract_id": contract["id"], "reason": "请会签"})["business_key"]
    target = customers[52]

    login(page, "zhangsan", to="/?box=started")
    expect(rows(page).filter(has_text=started[2])).to_have_count(1)
    expect(rows(page).filter(has_text=started[53])).to_have_count(1)
    picker = page.get_by_role("combobox", name="搜索客户…")
    expect(picker).to_be_visible()
    expect(page.locator("select[name=customer]")).to_be_hidden()  # the combobox stands in for it

    picker.fill("客户05")
    options = page.locator("#f-customer-list li[role=option]")
    expect(options).to_have_count(6)  # 050 ... 055: searched on the server, beyond the first 50
    shot(page, "typed")
    page.get_by_role("option", name=re.compile("甲方客户053")).click()
    expect(picker).to_have_value(f"甲方客户053 ({target['code']})")
    page.locator("form.filters").get_by_role("button", name="筛选").click()

    expect(page).to_have_url(re.compile(rf"[?&]customer={target['id']}(&|$)"))
    assert "customer_q" not in page.url, "only the chosen id is a filter"
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(started[53])
    expect(picker).to_have_value(f"甲方客户053 ({target['code']})")  # named after the reload
    shot(page, "filtered")

    # emptying the box means all customers again
    picker.fill("")
    picker.press("Escape")
    page.locator("form.filters").get_by_role("button", name="筛选").click()
    expect(rows(page)).to_have_count(2)
    assert not re.search(r"customer=\d", page.url)

    # by keyboard: Enter chooses the highlighted option and does not submit the form yet
    url = page.url
    picker.fill("055")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("aria-selected", "true")
    picker.press("Enter")
    expect(picker).to_have_value(f"甲方客户055 ({customers[54]['code']})")
    expect(page.locator("#f-customer-list")).to_be_hidden()
    assert page.url == url
    expect(page.locator("select[name=customer]")).to_have_value(str(customers[54]["id"]))

    # Enter right after a keystroke, before the list caught up: it searches, it does not choose from
    # the list of the shorter text (which offered 甲方客户050 first)
    picker.fill("客户05")
    expect(options).to_have_count(6)
    picker.press("4")
    picker.press("Enter")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("甲方客户054")
    expect(page.locator("select[name=customer]")).to_have_value(str(customers[54]["id"]))  # still 055
    picker.press("Enter")
    expect(page.locator("select[name=customer]")).to_have_value(str(customers[53]["id"]))
    assert page.url == url

    page.set_viewport_size(PHONE)
    page.goto(f"/?box=started&customer={target['id']}")
    picker.click()
    picker.fill("甲方")
    expect(options.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the open picker fits a phone"
    shot(page, "phone")


def test_without_javascript_the_text_box_searches_and_the_select_offers_the_matches(browser, live_server):
    db = live_server.db
    clerk = user_id(db, "lisi")
    customers = [records.create(db, clerk, "customer", {"name": f"乙方客户{n:03d}"}) for n in range(1, 56)]
    contract = records.create(db, clerk, "contract", {"customer": customers[53]["id"], "title": "维保合同",
                                                      "amount": "1000.00"})
    key = start_as(live_server, "lisi", "contract_countersign",
                   {"contract_id": contract["id"], "reason": "请会签"})["business_key"]
    start_as(live_server, "lisi", "general_approval", {"title": "另一件事", "amount": 10, "reason": "无"})
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, "lisi", to="/?box=started")
        expect(rows(page)).to_have_count(2)
        page.locator("input[name=customer_q]").fill("054")
        page.locator("form.filters").get_by_role("button", name="筛选").click()
        expect(rows(page)).to_have_count(2)  # the text only fills the select
        select = page.locator("select[name=customer]")
        expect(select.locator("option")).to_have_count(2)  # all customers + 乙方客户054
        select.select_option(str(customers[53]["id"]))
        page.locator("input[name=customer_q]").fill("")
        page.locator("form.filters").get_by_role("button", name="筛选").click()
        expect(rows(page)).to_have_count(1)
        expect(rows(page).first).to_contain_text(key)
        expect(select.locator("option:checked")).to_have_text(f"乙方客户054 ({customers[53]['code']})")
    finally:
        context.close()
