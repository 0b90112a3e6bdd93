"""销售机会 in chromium: a salesperson sees their own opportunities (not a colleague's), submits one
for assignment from its page (the start form comes pre-filled), and once their supervisor has
assigned it, plans the development from its page; the colleague gets 404; the pages fit 375 px."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import org as org_svc
from crm import records as rs
from engine import inbox
from tests.browser.conftest import login, sign_out


def user_id(db, username):
    with db.uow() as s:
        return org_svc.user_by_username(s, username).id


def _opportunities(db):
    mine = rs.create(db, user_id(db, "zhangsan"), "opportunity", {
        "customer_name": "华东测绘院", "summary": "地理信息平台升级", "probability": 60, "amount": "480000",
        "source": "展会", "stage": "需求确认", "due_date": "2027-03-31"})
    theirs = rs.create(db, user_id(db, "lisi"), "opportunity", {
        "customer_name": "江南机械厂", "summary": "李四的机会", "probability": 30})
    return mine, theirs


def test_a_salesperson_enters_submits_and_plans_their_opportunity(page, shot, live_server):
    db = live_server.db
    rs.create(db, user_id(db, "lisi"), "opportunity", {"customer_name": "江南机械厂", "summary": "李四的机会",
                                                          "probability": 30})
    login(page, "zhangsan", to="/crm/opportunities")
    rows = page.locator("table.crm-list a.row-title")
    expect(rows).to_have_count(0)  # not lisi's
    page.locator("#new-opportunity").click()
    form = page.locator("#opportunity-form")
    form.locator("input[name=customer_name]").fill("华东测绘院")
    form.locator("input[name=summary]").fill("地理信息平台升级")
    form.locator("input[name=probability]").fill("60")
    form.locator("input[name=amount]").fill("480000")
    form.locator("select[name=stage]").select_option("需求确认")
    form.locator("input[name=due_date]").fill("2027-03-31")
    shot(page, "new-opportunity")
    form.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_contain_text("销售机会已保存")
    expect(page.locator("h1")).to_contain_text("地理信息平台升级")
    mine = {"id": int(page.url.rsplit("/", 1)[1])}
    page.goto("/crm/opportunities")
    expect(rows).to_have_text(["地理信息平台升级"])
    rows.first.click()
    expect(page).to_have_url(re.compile(rf"/crm/opportunities/{mine['id']}$"))
    page.locator("a[data-action=submit-opportunity]").click()
    expect(page).to_have_url(re.compile(rf"/start/sales_opportunity\?opportunity={mine['id']}$"))
    picker = page.locator(".fjs-form-field-select", has=page.get_by_label("销售机会")).locator("input").first
    expect(picker).to_have_value(re.compile("地理信息平台升级"))
    shot(page, "start-prefilled")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    started = int(page.url.rsplit("/", 1)[1])

    # the supervisor assigns it to zhangsan on the task page
    sign_out(page)
    login(page, "zhouqiang")
    lead = user_id(db, "zhouqiang")
    [row] = [t for t in inbox.list_box(db, lead, "todo", 0, 100)[0] if t["instance_id"] == started]
    page.goto(f"/tasks/{row['id']}")
    picker = page.locator(".fjs-form-field-select", has=page.get_by_label("指派给客户经理")).locator("input").first
    picker.click()
    picker.fill("张三")
    page.locator(".fjs-dropdownlist-item", has_text="张三").first.click()
    shot(page, "assign")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert rs.get(db, user_id(db, "zhangsan"), "opportunity", mine["id"])["owner"] == "zhangsan"
    sign_out(page)
    login(page, "zhangsan")

    page.goto(f"/crm/opportunities/{mine['id']}")
    expect(page.locator("[data-field=status]")).to_contain_text("已指派（开发中）")
    form = page.locator("#plan-form")
    form.locator("input[name=date]").fill("2026-12-10")
    form.locator("textarea[name=content]").fill("上门演示平台新版本")
    form.get_by_role("button", name="新建计划项").click()
    expect(page.locator(".flash-success")).to_contain_text("计划项已添加")
    expect(page.locator("#plan table.plan")).to_contain_text("上门演示平台新版本")
    expect(page.locator(f"#approvals tr[data-instance='{started}']")).to_be_visible()
    shot(page, "opportunity-planned")

    sign_out(page)
    login(page, "lisi")
    response = page.goto(f"/crm/opportunities/{mine['id']}")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("地理信息平台升级")
    page.goto("/crm/opportunities")
    expect(page.locator("table.crm-list a.row-title")).to_have_text(["李四的机会"])
    shot(page, "colleague-404")


def test_the_opportunity_pages_work_on_a_phone(page, shot, live_server):
    mine, _ = _opportunities(live_server.db)
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "zhangsan")
    for url in ("/crm/opportunities", "/crm/opportunities/new", f"/crm/opportunities/{mine['id']}"):
        page.goto(url)
        expect(page.locator("main.page")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 380, f"{url} is {width} px wide at 375 px"
        shot(page, url.strip("/").replace("/", "-"))
