"""销售机会 in the search (issue 15): an opportunity is found by its summary, customer, source, stage
and the steps of its development plan, by exactly those who may open it in the API (its
salesperson, whoever entered it, their supervisors, admins) — a colleague finds nothing — and the
result links to the opportunity's page. Runs on SQLite and PostgreSQL (the `client` fixture)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.design import definitions
from tests.api.conftest import API, login
from tests.api.test_search__index_and_visibility import found

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "sales_opportunity.bpmn").read_bytes()
OPP = {"source": "行业展会", "customer_name": "华东测绘研究院", "summary": "地理信息平台升级", "probability": 60,
       "stage": "方案报价", "description": "现有平台明年到期"}


@pytest.fixture
def org(any_org):
    """Every test here on SQLite (FTS5) and on PostgreSQL (tsvector)."""
    return any_org


def opportunity(client, user="clerk", **over):
    r = client.post(f"{API}/opportunities", json={**OPP, **over}, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_an_opportunity_is_found_by_its_fields_only_by_those_who_may_open_it(client, org):
    oid = opportunity(client)
    hit = [("opportunity", oid)]
    for q in ("地理信息", "测绘 研究院", "展会", "方案报价", "明年到期"):
        assert found(client, "clerk", q)[0] == hit, q
    assert found(client, "clerk", "平台", kind="opportunity")[0] == hit
    assert found(client, "clerk", "平台", kind="customer")[0] == []
    for user in ("sales_lead", "sales_head", "admin"):  # supervisors of the one who entered it, admins
        assert found(client, user, "地理信息")[0] == hit, user
    for user in ("clerk2", "fin2", "outsider"):  # a colleague, another department: nothing
        assert found(client, user, "地理信息")[0] == [], user
        assert client.get(f"{API}/opportunities/{oid}", headers=login(client, user)).status_code == 404
    # what the API shows, the search shows: the same ids for every user
    for user in ("clerk", "clerk2", "sales_lead", "fin1", "admin"):
        listed = client.get(f"{API}/opportunities", headers=login(client, user)).get_json()["items"]
        assert {i["id"] for i in listed} == {i for _k, i in found(client, user, "地理信息")[0]}, user


def test_the_plan_steps_are_indexed_and_the_assigned_salesperson_finds_it(client, org):
    definitions.deploy(org.db, XML, org["admin"])
    oid = opportunity(client, summary="港口调度系统")
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "sales_opportunity", "data": {"opportunity_id": oid}})
    assert r.status_code == 201, r.get_json()
    from tests.api.conftest import task_of

    task = task_of(client, "sales_lead", r.get_json()["id"])
    r = client.post(f"{API}/tasks/{task}/approve", json={"comment": "ok", "data": {"assignee": "clerk2"}},
                    headers=login(client, "sales_lead"))
    assert r.status_code == 200, r.get_json()
    assert found(client, "clerk2", "港口调度", kind="opportunity")[0] == [("opportunity", oid)]  # now its salesperson
    h = login(client, "clerk2")
    r = client.post(f"{API}/opportunities/{oid}/plan", json={"date": "2026-12-03", "content": "上门演示调度大屏"},
                    headers=h)
    assert r.status_code == 201, r.get_json()
    step = r.get_json()["id"]
    assert found(client, "clerk2", "调度大屏", kind="opportunity")[0] == [("opportunity", oid)]
    assert client.patch(f"{API}/opportunity-steps/{step}", json={"result": "客户认可报价"},
                        headers=h).status_code == 200
    assert found(client, "clerk", "认可 报价", kind="opportunity")[0] == [("opportunity", oid)]  # the result of a step too
    assert found(client, "fin2", "调度大屏")[0] == []


def _hide(client, role, kind, field):
    from tests.api.test_admin__field_permissions_search_pdf import _hide as hide_customer_field

    hide_customer_field(client, field)


def test_a_field_hidden_from_a_role_does_not_find_the_opportunity(client, org):
    oid = opportunity(client, summary="冷链仓储扩建", source="老客户转介绍")
    _hide(client, "salesperson", "customer", "remark")  # registers the role and gives it to the clerk
    r = client.put(f"{API}/field-rules/salesperson/opportunity/source", json={"view": False},
                   headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    assert found(client, "clerk", "转介绍")[0] == []
    hits, body = found(client, "clerk", "冷链")
    assert hits == [("opportunity", oid)] and "转介绍" not in body["items"][0]["snippet"]
    assert found(client, "sales_lead", "转介绍")[0] == [("opportunity", oid)]


def test_the_search_page_links_to_the_opportunity_page(client, app, org):
    oid = opportunity(client, summary="智慧园区安防改造")
    from tests.web.conftest import signed_in

    web = app.test_client()
    signed_in(web, "clerk")
    html = web.get("/search", query_string={"q": "园区 安防"}).get_data(as_text=True)
    assert f'href="/crm/opportunities/{oid}"' in html and ("销售机会" in html or "Sales opportunity" in html)
    assert web.get(f"/crm/opportunities/{oid}").status_code == 200  # the link opens
    colleague = app.test_client()
    signed_in(colleague, "clerk2")
    assert f'/crm/opportunities/{oid}"' not in colleague.get("/search", query_string={"q": "园区 安防"}).get_data(as_text=True)
