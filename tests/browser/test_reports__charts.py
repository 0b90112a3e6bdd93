"""The reports page in the browser: an admin sees every chart drawn by ECharts (a canvas each, no
page error) with its table and Excel link; at 375 px it fits; a department head sees the page
without the SLA view; a clerk has no menu entry and gets 403; a bad date is named at its field."""
from __future__ import annotations

from playwright.sync_api import expect

from crm import org as org_svc
from engine import instances, tasks
from tests.browser.conftest import login, sign_out

PHONE = {"width": 375, "height": 812}


def _some_requests(db):
    with db.uow() as s:
        zhangsan, zhouqiang = (org_svc.user_by_username(s, u).id for u in ("zhangsan", "zhouqiang"))
    for amount in (3000, 5000):
        iid = instances.start_process(db, zhangsan, "general_approval",
                                      {"title": "报表", "amount": amount, "reason": "拜访客户"})["id"]
        tasks.approve(db, zhouqiang, instances.get_instance(db, zhangsan, iid)["open_tasks"][0]["id"], "同意")


def test_reports_draw_their_charts_for_the_admin_and_on_a_phone(page, live_server, shot):
    _some_requests(live_server.db)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size(PHONE)
    login(page, "wangjianguo")  # the general manager: head of 总经办, the root department
    page.get_by_role("link", name="报表").click()  # the menu entry of a department head
    expect(page.locator("h1")).to_have_text("报表")
    cards = page.locator("section.report")
    expect(cards).to_have_count(5)  # no SLA view for a head
    for name in ("processes", "nodes", "people", "bottlenecks", "trends"):
        card = page.locator(f"#report-{name}")
        expect(card).to_have_class("card report ready")
        expect(card.locator(".report-chart canvas")).to_have_count(1)
        expect(card.locator("table.report-rows tbody tr").first).to_be_visible()
        assert card.locator("a.export").get_attribute("href") == f"/api/v1/reports/{name}.xlsx"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not errors, errors
    shot(page, "reports-phone")
    xlsx = page.request.get("/api/v1/reports/processes.xlsx")
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"

    page.goto("/reports?from=2026-13-01")
    expect(page.locator(".field-error[data-field=from]")).to_contain_text("开始日期")
    expect(page.locator("section.report")).to_have_count(0)


def test_sla_for_admins_and_no_reports_for_a_clerk(page, live_server):
    login(page, "chenjing", to="/reports")  # the process admin
    expect(page.locator("#report-sla.ready")).to_be_visible()
    expect(page.locator("nav").get_by_role("link", name="报表")).to_be_visible()
    sign_out(page)
    login(page, "zhangsan")
    expect(page.get_by_role("link", name="报表")).to_have_count(0)
    assert page.request.get("/reports").status == 403
