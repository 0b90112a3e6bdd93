"""The CRM workspace's customer pages without a browser: the list holds exactly what the user may
see (own / subordinates / all), filters (422 for a bad one, nothing listed), saved filters per user,
Excel export / import through the page; the customer page (客户360) is a 404 for a colleague; the
contact-record form (422 at its fields, nothing saved; then saved); the start page pre-filled from
a customer page (?customer= / ?contract=, only with a record the user may pick)."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from openpyxl import Workbook, load_workbook

from crm import records
from engine.design import definitions
from tests.web.conftest import signed_in


def as_user(app, username):
    """A fresh browser session signed in as `username`: (client, its CSRF token)."""
    client = app.test_client()
    return client, signed_in(client, username)

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def _names(html: str) -> list[str]:
    return re.findall(r'class="row-title">([^<]+)</a>', html)


def _setup(org):
    a = records.create(org.db, org["clerk"], "customer", {"name": "甲测绘院", "level": "战略客户", "region": "华北"})
    b = records.create(org.db, org["clerk"], "customer", {"name": "乙软件", "level": "普通客户"})
    c = records.create(org.db, org["clerk2"], "customer", {"name": "丙燃气", "level": "战略客户"})
    return a["id"], b["id"], c["id"]


def test_the_list_holds_what_the_user_may_see_and_filters_it(org, app):
    _setup(org)
    client, _ = as_user(app, "clerk")
    r = client.get("/crm/customers")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert sorted(_names(html)) == ["乙软件", "甲测绘院"]
    assert 'name="owner"' not in html, "a clerk with nobody below has no salesperson filter"
    assert _names(client.get("/crm/customers", query_string={"level": "战略客户"}).get_data(as_text=True)) == ["甲测绘院"]
    assert _names(client.get("/crm/customers", query_string={"q": "软件"}).get_data(as_text=True)) == ["乙软件"]
    assert _names(client.get("/crm/customers", query_string={"region": "华北"}).get_data(as_text=True)) == ["甲测绘院"]
    bad = client.get("/crm/customers", query_string={"level": "最好的客户"})
    assert bad.status_code == 422 and _names(bad.get_data(as_text=True)) == []
    # the supervisor sees the team's customers and filters by salesperson
    client, _ = as_user(app, "sales_lead")
    html = client.get("/crm/customers").get_data(as_text=True)
    assert sorted(_names(html)) == ["丙燃气", "乙软件", "甲测绘院"] and 'name="owner"' in html
    assert _names(client.get("/crm/customers", query_string={"owner": "clerk2"}).get_data(as_text=True)) == ["丙燃气"]
    client, _ = as_user(app, "outsider")
    assert _names(client.get("/crm/customers").get_data(as_text=True)) == []


def test_the_customer_page_is_a_404_for_a_colleague(org, app):
    a, _, _ = _setup(org)
    records.create(org.db, org["clerk"], "contact", {"customer": a, "name": "王经理", "mobile": "13800001111"})
    records.create(org.db, org["clerk"], "contract", {"customer": a, "title": "测绘软件采购合同", "amount": "120000"})
    for user in ("clerk", "sales_lead", "admin"):
        client, _ = as_user(app, user)
        html = client.get(f"/crm/customers/{a}").get_data(as_text=True)
        assert "甲测绘院" in html and "王经理" in html and "测绘软件采购合同" in html and "120,000.00" in html
    for user in ("clerk2", "outsider"):
        client, _ = as_user(app, user)
        r = client.get(f"/crm/customers/{a}")
        assert r.status_code == 404 and "甲测绘院" not in r.get_data(as_text=True)
        assert client.get("/crm/customers/999999").status_code == 404


def test_the_contact_record_form(org, app):
    a, _, _ = _setup(org)
    p = records.create(org.db, org["clerk"], "contact", {"customer": a, "name": "王经理"})["id"]
    client, csrf = as_user(app, "clerk")
    r = client.post(f"/crm/customers/{a}/contact-records", data={"csrf_token": csrf, "date": "2026-11-20", "way": ""})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert html.count('class="field-error"') == 2  # way and content, at their fields
    assert records.list_records(org.db, org["clerk"], "contact_record", {}, customer_id=a)[1] == 0
    r = client.post(f"/crm/customers/{a}/contact-records", data={
        "csrf_token": csrf, "date": "2026-11-20", "way": "上门拜访", "contact": str(p), "content": "演示新版本",
        "next_step": "发报价", "next_date": "2026-11-27"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/crm/customers/{a}#contact-records")
    items, total = records.list_records(org.db, org["clerk"], "contact_record", {}, customer_id=a)
    assert total == 1 and items[0]["contact"] == p and items[0]["created_by"] == "clerk"
    assert "演示新版本" in client.get(f"/crm/customers/{a}").get_data(as_text=True)
    # without the page's CSRF token, or by a colleague: refused, nothing saved
    assert client.post(f"/crm/customers/{a}/contact-records", data={
        "date": "2026-11-20", "way": "电话", "content": "x"}).status_code == 400
    client, csrf2 = as_user(app, "clerk2")
    assert client.post(f"/crm/customers/{a}/contact-records", data={
        "csrf_token": csrf2, "date": "2026-11-20", "way": "电话", "content": "x"}).status_code == 404
    assert records.list_records(org.db, org["clerk"], "contact_record", {}, customer_id=a)[1] == 1


def test_saved_filters_are_per_user(org, app):
    _setup(org)
    client, csrf = as_user(app, "clerk")
    r = client.post("/crm/customers/filters", data={"csrf_token": csrf, "name": "战略", "level": "战略客户"})
    assert r.status_code == 302 and "level=" in r.headers["Location"]
    html = client.get("/crm/customers").get_data(as_text=True)
    assert ">战略</a>" in html
    saved = re.search(r'/crm/customers/filters/(\d+)/delete', html)
    assert saved
    # a filter the list would refuse is not saved
    client.post("/crm/customers/filters", data={"csrf_token": csrf, "name": "坏的", "level": "最好的客户"})
    assert ">坏的</a>" not in client.get("/crm/customers").get_data(as_text=True)
    client, csrf2 = as_user(app, "clerk2")
    assert ">战略</a>" not in client.get("/crm/customers").get_data(as_text=True)
    assert client.post(f"/crm/customers/filters/{saved.group(1)}/delete", data={"csrf_token": csrf2}).status_code == 404
    client, csrf = as_user(app, "clerk")
    assert ">战略</a>" in client.get("/crm/customers").get_data(as_text=True)
    assert client.post(f"/crm/customers/filters/{saved.group(1)}/delete", data={"csrf_token": csrf}).status_code == 302
    assert ">战略</a>" not in client.get("/crm/customers").get_data(as_text=True)


def test_excel_export_and_import_from_the_list(org, app):
    _setup(org)
    client, csrf = as_user(app, "clerk")
    r = client.get("/crm/customers/export.xlsx", query_string={"level": "战略客户"})
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [row[1] for row in ws.iter_rows(min_row=2, values_only=True)] == ["甲测绘院"]
    # all rows or none: row 3 has a level that does not exist
    wb = Workbook()
    wb.active.append(["客户名称", "客户级别"])
    wb.active.append(["新客户一", "重点客户"])
    wb.active.append(["新客户二", "最好的客户"])
    data = io.BytesIO()
    wb.save(data)
    r = client.post("/crm/customers/import", data={"csrf_token": csrf, "file": (io.BytesIO(data.getvalue()), "c.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "row 3, column B" in html and "新客户一" not in _names(html)
    wb.active.delete_rows(3)
    data = io.BytesIO()
    wb.save(data)
    r = client.post("/crm/customers/import", data={"csrf_token": csrf, "file": (io.BytesIO(data.getvalue()), "c.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "新客户一" in _names(r.get_data(as_text=True))


def _config(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="start-config">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def test_the_start_page_is_prefilled_from_the_customer_page(org, app):
    for key in ("service_ticket", "contract_countersign"):
        definitions.deploy(org.db, (BPMN / f"{key}.bpmn").read_bytes(), org["admin"])
    a, _, c = _setup(org)
    k = records.create(org.db, org["clerk"], "contract", {"customer": a, "title": "甲合同"})["id"]
    client, _ = as_user(app, "clerk")
    page = client.get(f"/crm/customers/{a}").get_data(as_text=True)
    assert f'/start/service_ticket?customer={a}' in page and f'/start/contract_countersign?contract={k}' in page
    config = _config(client.get(f"/start/service_ticket?customer={a}").get_data(as_text=True))
    assert config["prefill"] == {"customer": a} and any(o["value"] == a for o in config["options"]["customers"])
    config = _config(client.get(f"/start/contract_countersign?contract={k}").get_data(as_text=True))
    assert config["prefill"] == {"contract_id": k}
    # someone else's customer is not filled in (nor offered)
    config = _config(client.get(f"/start/service_ticket?customer={c}").get_data(as_text=True))
    assert config["prefill"] == {} and all(o["value"] != c for o in config["options"]["customers"])
    assert _config(client.get("/start/service_ticket?customer=abc").get_data(as_text=True))["prefill"] == {}
