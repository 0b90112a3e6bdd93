"""The CRM workspace in chromium: a salesperson opens their customer list, filters it, opens a
customer, sees its contacts, contracts, tickets and approvals, adds a visit record, and starts a
contract countersign from the customer page with the form pre-filled; the supervisor sees the
team's customers; a colleague gets 404; the pages work at 375 px."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import org as org_svc
from crm import records as rs
from engine import instances
from tests.browser.conftest import login, sign_out


def user_id(db, username):
    with db.uow() as s:
        return org_svc.user_by_username(s, username).id


def _customers(db):
    zs, ls = user_id(db, "zhangsan"), user_id(db, "lisi")
    mine = rs.create(db, zs, "customer", {"name": "华北测绘院", "level": "战略客户", "region": "华北"})
    rs.create(db, zs, "customer", {"name": "江北软件厂", "level": "普通客户"})
    theirs = rs.create(db, ls, "customer", {"name": "江南机械厂", "level": "战略客户"})
    rs.create(db, zs, "contact", {"customer": mine["id"], "name": "王经理", "title": "总工", "mobile": "13800001111"})
    contract = rs.create(db, zs, "contract", {"customer": mine["id"], "title": "测绘软件采购合同", "amount": "120000"})
    ticket = instances.start_process(db, zs, "service_ticket", {
        "complainant": "王经理", "contact_info": "13800001111", "customer": mine["id"], "content": "软件无法登录"})
    return mine, theirs, contract, ticket


def test_a_salesperson_works_a_customer_from_the_list(page, shot, live_server):
    mine, theirs, contract, ticket = _customers(live_server.db)
    login(page, "zhangsan")
    page.get_by_role("link", name="客户", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/crm/customers$"))
    rows = page.locator("table.crm-list a.row-title")
    expect(rows).to_have_text(["江北软件厂", "华北测绘院"])  # newest first; not lisi's
    page.locator("select[name=level]").select_option("战略客户")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(rows).to_have_text(["华北测绘院"])
    shot(page, "list-filtered")
    rows.first.click()
    expect(page).to_have_url(re.compile(rf"/crm/customers/{mine['id']}$"))
    expect(page.locator("h1")).to_contain_text("华北测绘院")
    expect(page.locator("#contacts")).to_contain_text("王经理")
    expect(page.locator("#contracts")).to_contain_text("测绘软件采购合同")
    expect(page.locator("#tickets")).to_contain_text("软件无法登录")
    expect(page.locator(f"#approvals tr[data-instance='{ticket['id']}']")).to_contain_text(ticket["business_key"])

    # a visit record
    form = page.locator("#contact-record-form")
    form.locator("input[name=date]").fill("2026-11-20")
    form.locator("select[name=way]").select_option("上门拜访")
    form.locator("select[name=contact]").select_option(label="王经理 · 总工")
    form.locator("textarea[name=content]").fill("上门演示新版本，客户有采购意向。")
    form.locator("input[name=next_step]").fill("发送报价单")
    form.get_by_role("button", name="添加联系记录").click()
    expect(page.locator(".flash-success")).to_contain_text("联系记录已添加")
    expect(page.locator("#contact-record-list li").first).to_contain_text("上门演示新版本")
    expect(page.locator("#contact-record-list li").first).to_contain_text("王经理")
    expect(page.locator("#timeline")).to_contain_text("上门演示新版本")
    shot(page, "customer")

    # a countersign for the contract, from its row: the start form comes with the contract picked
    page.locator(f"#contracts tr[data-id='{contract['id']}'] a[data-process=contract_countersign]").click()
    expect(page).to_have_url(re.compile(rf"/start/contract_countersign\?contract={contract['id']}$"))
    picker = page.locator(".fjs-form-field-select", has=page.get_by_label("合同")).locator("input").first
    expect(picker).to_have_value(re.compile("测绘软件采购合同"))
    shot(page, "start-prefilled")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    started = int(page.url.rsplit("/", 1)[1])
    assert rs.get(live_server.db, user_id(live_server.db, "zhangsan"), "contract", contract["id"])["status"] == \
        "under_review"
    page.goto(f"/crm/customers/{mine['id']}")
    expect(page.locator(f"#approvals tr[data-instance='{started}']")).to_contain_text("审批中")
    expect(page.locator("#contracts")).to_contain_text("审核中")


def test_the_supervisor_sees_the_team_and_a_colleague_gets_404(page, shot, live_server):
    mine = rs.create(live_server.db, user_id(live_server.db, "zhangsan"), "customer", {"name": "张三的客户"})
    rs.create(live_server.db, user_id(live_server.db, "lisi"), "customer", {"name": "李四的客户"})
    login(page, "zhouqiang", to="/crm/customers")
    expect(page.locator("table.crm-list a.row-title")).to_contain_text(["李四的客户", "张三的客户"])
    page.locator("select[name=owner]").select_option("lisi")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.locator("table.crm-list a.row-title", has_text="李四的客户")).to_have_count(1)
    expect(page.locator("table.crm-list a.row-title", has_text="张三的客户")).to_have_count(0)
    assert "owner=lisi" in page.url and "level=" not in page.url, "empty filters stay out of the address"
    page.goto(f"/crm/customers/{mine['id']}")
    expect(page.locator("h1")).to_contain_text("张三的客户")
    sign_out(page)
    login(page, "lisi")
    response = page.goto(f"/crm/customers/{mine['id']}")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("张三的客户")
    shot(page, "colleague-404")


def test_the_customer_pages_work_on_a_phone(page, shot, live_server):
    mine, _, _, _ = _customers(live_server.db)
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "zhangsan")
    for url in ("/crm/customers", f"/crm/customers/{mine['id']}", "/crm/contracts"):
        page.goto(url)
        expect(page.locator("main.page")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 380, f"{url} is {width} px wide at 375 px"
        shot(page, url.strip("/").replace("/", "-"))
    page.goto(f"/crm/customers/{mine['id']}")
    expect(page.get_by_role("button", name="添加联系记录")).to_be_visible()
