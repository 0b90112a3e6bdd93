"""The sales opportunity pages without a browser: the list holds what the user may see, a colleague
gets a 404 page, an unassigned opportunity offers the assignment process (its start page pre-filled),
an assigned one takes plan steps and their results from its page, and the customer page lists the
customer's opportunities; in Chinese and English."""
from __future__ import annotations

import re
from pathlib import Path

from crm import records
from engine.design import definitions
from tests.engine.helpers import approve, start
from tests.web.test_workspace__customers import as_user

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "sales_opportunity.bpmn").read_bytes()


def _titles(html: str) -> list[str]:
    return re.findall(r'class="row-title">([^<]+)</a>', html)


def _opportunity(org, user="clerk", **over):
    return records.create(org.db, org[user], "opportunity", {
        "customer_name": "华东测绘院", "summary": "平台升级", "probability": 40, **over})


def test_list_and_page_follow_the_data_permissions(org, app):
    mine = _opportunity(org)
    _opportunity(org, "clerk2", summary="同事的机会")
    client, _ = as_user(app, "clerk")
    html = client.get("/crm/opportunities").get_data(as_text=True)
    assert _titles(html) == ["平台升级"] and "销售机会" in html
    html = client.get(f"/crm/opportunities/{mine['id']}").get_data(as_text=True)
    assert f"/start/sales_opportunity?opportunity={mine['id']}" in html, "offers the assignment process"
    assert 'id="plan-form"' not in html, "a plan is made once assigned"
    colleague, _ = as_user(app, "clerk2")
    assert colleague.get(f"/crm/opportunities/{mine['id']}").status_code == 404
    lead, _ = as_user(app, "sales_lead")
    assert sorted(_titles(lead.get("/crm/opportunities").get_data(as_text=True))) == ["同事的机会", "平台升级"]
    assert client.get("/crm/opportunities", query_string={"status": "nonsense"}).status_code == 422


def test_the_start_page_is_prefilled_and_plan_steps_are_added_from_the_page(org, app):
    definitions.deploy(org.db, XML, org["admin"])
    customer = records.create(org.db, org["clerk"], "customer", {"name": "华东测绘院"})
    o = _opportunity(org, customer=customer["id"])
    client, csrf = as_user(app, "clerk")
    html = client.get(f"/start/sales_opportunity?opportunity={o['id']}").get_data(as_text=True)
    assert f'"opportunity_id": {o["id"]}' in html or f'"opportunity_id":{o["id"]}' in html
    iid = start(org, "clerk", "sales_opportunity", {"opportunity_id": o["id"]})
    approve(org, "sales_lead", iid, data={"assignee": "clerk"})
    r = client.post(f"/crm/opportunities/{o['id']}/plan", data={"csrf_token": csrf, "date": "2026-12-02",
                                                                "content": "上门演示"})
    assert r.status_code == 302
    page = client.get(f"/crm/opportunities/{o['id']}").get_data(as_text=True)
    assert "上门演示" in page and "客户开发计划" in page and "Development plan" not in page
    step = records.list_records(org.db, org["clerk"], "opportunity_step", {"opportunity": str(o["id"])})[0][0]
    client.post(f"/crm/opportunity-steps/{step['id']}", data={"csrf_token": csrf, "result": "客户认可"})
    assert records.get(org.db, org["clerk"], "opportunity_step", step["id"])["result"] == "客户认可"
    r = client.post(f"/crm/opportunities/{o['id']}/plan", data={"csrf_token": csrf, "date": "", "content": "x"})
    assert r.status_code == 302 and len(records.get(org.db, org["clerk"], "opportunity", o["id"])["plan"]) == 1
    colleague, ccsrf = as_user(app, "clerk2")
    assert colleague.post(f"/crm/opportunities/{o['id']}/plan",
                          data={"csrf_token": ccsrf, "date": "2026-12-03", "content": "x"}).status_code == 404
    client.post("/language", data={"csrf_token": csrf, "locale": "en"})
    en = client.get(f"/crm/customers/{customer['id']}").get_data(as_text=True)
    assert "Sales opportunities" in en and f"/crm/opportunities/{o['id']}" in en


def test_a_new_opportunity_from_its_form(org, app):
    client, csrf = as_user(app, "clerk")
    assert 'id="new-opportunity"' in client.get("/crm/opportunities").get_data(as_text=True)
    page = client.get("/crm/opportunities/new").get_data(as_text=True)
    assert 'name="summary"' in page and "新建销售机会" in page
    r = client.post("/crm/opportunities/new", data={"csrf_token": csrf, "customer_name": "华东测绘院",
                                                    "summary": "", "probability": "120"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and html.count('class="field-error"') == 2, "summary and probability marked"
    assert 'value="华东测绘院"' in html, "what was typed stays"
    r = client.post("/crm/opportunities/new", data={"csrf_token": csrf, "customer_name": "华东测绘院",
                                                    "summary": "平台升级", "probability": "60", "amount": "480000",
                                                    "stage": "需求确认", "due_date": "2027-03-31"})
    assert r.status_code == 302
    [o] = records.list_records(org.db, org["clerk"], "opportunity")[0]
    assert (o["summary"], o["probability"], o["amount"], o["created_by"], o["status"]) == (
        "平台升级", 60, "480000.00", "clerk", "unassigned")
    assert r.headers["Location"].endswith(f"/crm/opportunities/{o['id']}")
