"""The approval record in the browser: the instance page's print link gives the PDF of the signed-in
reader, and the QR code's address opens the public verification page (no sign-in) that confirms
the printed hash."""
from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from crm import org as org_svc
from engine import instances, record, tasks
from tests.browser.conftest import login


def test_print_the_record_then_check_it_on_a_phone_without_signing_in(page, shot, live_server):
    db = live_server.db
    with db.uow() as s:
        zhangsan, zhouqiang = (org_svc.user_by_username(s, u).id for u in ("zhangsan", "zhouqiang"))
    started = instances.start_process(db, zhangsan, "general_approval",
                                      {"title": "打印审批单", "amount": 3000, "reason": "拜访客户"})
    iid = started["id"]
    tasks.approve(db, zhouqiang, instances.get_instance(db, zhangsan, iid)["open_tasks"][0]["id"], "同意")
    login(page, "zhangsan", to=f"/instances/{iid}")
    link = page.locator("#record-pdf")
    expect(link).to_have_text("打印审批单（PDF）")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    head = record.verify(db, zhangsan, iid)["head"]
    assert started["business_key"] in text and "周强" in text and head in re.sub(r"\s+", "", text)
    url = f"{live_server.url}/verify/{started['business_key']}/{head}"
    assert url in re.sub(r"\s+", "", text)  # the printed address (the QR code holds the same)

    phone = page.context.browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    public = phone.new_page()
    public.goto(url)
    expect(public.locator("#verify-ok")).to_contain_text("真实")
    expect(public.locator("h1")).to_have_text("核验审批单")
    shot(public, "verify-record-phone")
    public.goto(url.replace(head, "f" * 64))
    expect(public.locator("#verify-bad")).to_be_visible()
    phone.close()
