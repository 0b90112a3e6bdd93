"""The CRM workspace's record pages without a browser: each list holds only what the user may see
(the API's data permissions), each detail page is a 404 for a colleague, and a detail page links
to the records it names and to the approvals about it; contacts and contracts export to Excel."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from crm import records
from tests.bpmn_factory import chain, user_task
from tests.engine.helpers import deploy, start
from tests.web.test_workspace__customers import as_user

PROCESS = chain("about_test", [user_task("sup", "any", "supervisor")], prefix="AB")


def _titles(html: str) -> list[str]:
    return re.findall(r'class="row-title">([^<]+)</a>', html)


def test_record_lists_and_details_follow_the_data_permissions(org, app):
    a = records.create(org.db, org["clerk"], "customer", {"name": "甲公司", "code": "KH-A"})["id"]
    b = records.create(org.db, org["clerk2"], "customer", {"name": "乙公司"})["id"]
    contact = records.create(org.db, org["clerk"], "contact", {"customer": a, "name": "王经理"})["id"]
    records.create(org.db, org["clerk2"], "contact", {"customer": b, "name": "李工"})
    contract = records.create(org.db, org["clerk"], "contract", {"customer": a, "title": "甲合同"})["id"]
    records.create(org.db, org["clerk2"], "contract", {"customer": b, "title": "乙合同"})
    claim = records.create(org.db, org["clerk"], "expense_claim", {"title": "拜访甲公司差旅", "lines": [
        {"date": "2026-11-02", "category": "transport", "amount": "35.50", "customer": a}]})["id"]
    agent = records.create(org.db, org["admin"], "agent", {"name": "华东代理"})["id"]
    settlement = records.create(org.db, org["clerk"], "settlement", {"agent": agent, "period": "2026-Q1",
                                                                     "fees": "10000"})["id"]
    deploy(org, PROCESS)
    about = start(org, "clerk", "about_test", {"contract_id": contract})

    client, _ = as_user(app, "clerk")
    assert _titles(client.get("/crm/contacts").get_data(as_text=True)) == ["王经理"]
    assert _titles(client.get("/crm/contracts").get_data(as_text=True)) == ["甲合同"]
    assert _titles(client.get("/crm/expense-claims").get_data(as_text=True)) == ["拜访甲公司差旅"]
    assert _titles(client.get("/crm/settlements").get_data(as_text=True)) == ["2026-Q1"]
    assert _titles(client.get("/crm/agents").get_data(as_text=True)) == ["华东代理"]  # everyone reads agents
    html = client.get(f"/crm/contracts/{contract}").get_data(as_text=True)
    assert f'href="/crm/customers/{a}"' in html and "甲公司 (KH-A)" in html
    assert f'href="/instances/{about}"' in html, "the approval about the contract"
    html = client.get(f"/crm/expense-claims/{claim}").get_data(as_text=True)
    assert "35.50" in html and f'href="/crm/customers/{a}"' in html
    html = client.get(f"/crm/agents/{agent}").get_data(as_text=True)
    assert f'href="/crm/settlements/{settlement}"' in html
    assert client.get(f"/crm/contacts/{contact}").status_code == 200
    # filters: a bad status is a 422 naming nothing listed
    assert client.get("/crm/contracts", query_string={"status": "signed"}).status_code == 200
    assert client.get("/crm/contracts", query_string={"status": "nonsense"}).status_code == 422

    # the supervisor sees the team's records
    lead, _ = as_user(app, "sales_lead")
    assert sorted(_titles(lead.get("/crm/contracts").get_data(as_text=True))) == ["乙合同", "甲合同"]
    assert lead.get(f"/crm/contracts/{contract}").status_code == 200

    # a colleague: lists without them, detail pages are 404s
    other, _ = as_user(app, "clerk2")
    assert _titles(other.get("/crm/contracts").get_data(as_text=True)) == ["乙合同"]
    for url in (f"/crm/contacts/{contact}", f"/crm/contracts/{contract}", f"/crm/expense-claims/{claim}",
                f"/crm/settlements/{settlement}"):
        r = other.get(url)
        assert r.status_code == 404, url
        assert "甲" not in r.get_data(as_text=True)
    assert other.get("/crm/nothing").status_code == 404


def test_contacts_and_contracts_export_from_their_lists(org, app):
    a = records.create(org.db, org["clerk"], "customer", {"name": "甲公司", "code": "KH-A"})["id"]
    b = records.create(org.db, org["clerk2"], "customer", {"name": "乙公司", "code": "KH-B"})["id"]
    records.create(org.db, org["clerk"], "contract", {"customer": a, "title": "甲合同"})
    records.create(org.db, org["clerk2"], "contract", {"customer": b, "title": "乙合同"})
    client, csrf = as_user(app, "clerk")
    assert 'href="/crm/contracts/export.xlsx"' in client.get("/crm/contracts").get_data(as_text=True)
    r = client.get("/crm/contracts/export.xlsx")
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[2]) for row in rows] == [("KH-A", "甲合同")]
    assert client.get("/crm/agents/export.xlsx").status_code == 404
    r = client.post("/crm/contacts/import", data={"csrf_token": csrf}, follow_redirects=True)
    assert "请选择要导入的 Excel 文件" in r.get_data(as_text=True) or "Choose an Excel file" in r.get_data(as_text=True)
