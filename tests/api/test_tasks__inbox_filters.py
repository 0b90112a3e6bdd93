"""GET /tasks takes the inbox page's filters: customer, contract, agent (record ids), overdue=true,
and `q` matches the contract number, the customer's name or the agent's name as well as the title
and the business key. The title is what the clerk typed as 标题. A bad filter is 422 naming it."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from db.base import utcnow
from engine.design import definitions
from engine.models import HumanTask
from tests.api.conftest import API, assert_error, login

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture
def org(any_org):
    """On SQLite and PostgreSQL: the filters read JSON process data, which the two store differently."""
    return any_org


@pytest.fixture
def two_contracts(client, org):
    for name in ("contract_countersign", "general_approval"):
        definitions.deploy(org.db, (BPMN / f"{name}.bpmn").read_bytes(), org["admin"])
    h = login(client, "clerk")
    out = {}
    for customer, title in (("华北测绘院", "年度测绘服务"), ("东海船舶", "船舶维保")):
        c = client.post(f"{API}/customers", json={"name": customer}, headers=h).get_json()
        k = client.post(f"{API}/contracts", headers=h,
                        json={"customer": c["id"], "title": title, "amount": "250000.00"}).get_json()
        r = client.post(f"{API}/process-instances", headers=h,
                        json={"process": "contract_countersign", "data": {"contract_id": k["id"], "reason": "请会签"}})
        assert r.status_code == 201, r.get_json()
        out[customer] = {"customer": c, "contract": k, "instance": r.get_json()["id"]}
    r = client.post(f"{API}/process-instances", headers=h,
                    json={"process": "general_approval", "data": {"title": "采购 3 台服务器", "amount": 9000}})
    out["general"] = r.get_json()["id"]
    return out


def rows(client, user, **params):
    r = client.get(f"{API}/tasks", query_string=params, headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return sorted(row["instance_id"] for row in r.get_json()["items"])


def test_filter_by_customer_contract_and_keyword_in_every_box(client, two_contracts):
    north, east = two_contracts["华北测绘院"], two_contracts["东海船舶"]
    for box, user in (("todo", "legal_head"), ("started", "clerk")):
        assert rows(client, user, box=box, contract=north["contract"]["id"]) == [north["instance"]]
        assert rows(client, user, box=box, customer=east["customer"]["id"]) == [east["instance"]]
        assert rows(client, user, box=box, q="东海") == [east["instance"]], "the customer's name"
        assert rows(client, user, box=box, q=north["contract"]["number"].lower()) == [north["instance"]]
        assert rows(client, user, box=box, q="测绘服务") == [north["instance"]], "the contract's title"
    assert rows(client, "clerk", box="started", q="服务器") == [two_contracts["general"]], "the typed title"
    assert rows(client, "clerk", box="started", agent=999) == []


def test_the_title_is_what_the_clerk_typed(client, two_contracts):
    r = client.get(f"{API}/tasks", query_string={"box": "started", "q": "服务器"}, headers=login(client, "clerk"))
    assert [row["title"] for row in r.get_json()["items"]] == ["采购 3 台服务器"]
    north = two_contracts["华北测绘院"]["instance"]
    inst = client.get(f"{API}/process-instances/{north}", headers=login(client, "clerk")).get_json()
    assert inst["title"] == "张三的合同会签", "no 标题 field: the initiator's name and the process"


def test_overdue_keeps_only_late_rows(client, org, two_contracts):
    north, east = two_contracts["华北测绘院"]["instance"], two_contracts["东海船舶"]["instance"]
    assert rows(client, "legal_head", overdue="true") == []
    with org.db.uow(write=True) as s:
        s.execute(update(HumanTask).where(HumanTask.instance_id == north)
                  .values(due_at=utcnow() - timedelta(hours=1)))
        s.execute(update(HumanTask).where(HumanTask.instance_id == east)
                  .values(due_at=utcnow() + timedelta(days=1)))
    assert rows(client, "legal_head", overdue="true") == [north]
    assert rows(client, "legal_head", overdue="false") == sorted([north, east])
    assert rows(client, "clerk", box="started", overdue="true") == [north]


@pytest.mark.parametrize("param, value", [("customer", "abc"), ("contract", "-1"), ("agent", "1.5"),
                                          ("overdue", "maybe"), ("customer", "0")])
def test_a_bad_filter_is_422_naming_it(client, two_contracts, param, value):
    r = client.get(f"{API}/tasks", query_string={param: value}, headers=login(client, "legal_head"))
    assert set(assert_error(r, 422, "validation_failed")["fields"]) == {param}


def test_openapi_lists_the_filters(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    names = {p["$ref"].rsplit("/", 1)[1] for p in doc["paths"]["/tasks"]["get"]["parameters"]}
    assert {"customer", "contract", "agent", "overdue", "q", "process", "from", "to", "sort"} <= names
    assert doc["components"]["parameters"]["overdue"]["schema"]["type"] == "boolean"
