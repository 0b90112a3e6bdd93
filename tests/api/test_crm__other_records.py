"""Contracts, agents, tickets, expense claims, leave balances and settlements over HTTP."""
from __future__ import annotations

from tests.api.conftest import API, assert_error, login


def _post(client, user, path, body, status=201):
    r = client.post(f"{API}/{path}", json=body, headers=login(client, user))
    assert r.status_code == status, r.get_json()
    return r.get_json()


def test_contracts(client):
    c = _post(client, "clerk", "customers", {"name": "甲"})
    k = _post(client, "clerk", "contracts", {"customer": c["id"], "title": "年度服务", "amount": "250000.00",
                                             "start_date": "2026-01-01", "end_date": "2026-12-31",
                                             "attachment": "contract.pdf"})
    assert k["status"] == "draft" and k["amount"] == "250000.00" and k["owner"] == "clerk"
    h = login(client, "clerk")
    assert client.get(f"{API}/contracts", query_string={"status": "draft"}, headers=h).get_json()["total"] == 1
    assert client.get(f"{API}/contracts", query_string={"status": "signed"}, headers=h).get_json()["total"] == 0
    err = assert_error(client.get(f"{API}/contracts", query_string={"status": "won"}, headers=h), 422)
    assert "status" in err["fields"]
    assert_error(client.patch(f"{API}/contracts/{k['id']}", json={"status": "signed"}, headers=h), 422)
    r = client.patch(f"{API}/contracts/{k['id']}", json={"status": "signed"}, headers=login(client, "admin"))
    assert r.get_json()["status"] == "signed"
    assert_error(client.get(f"{API}/contracts/{k['id']}", headers=login(client, "outsider")), 404)
    assert_error(client.delete(f"{API}/customers/{c['id']}", headers=h), 409, "conflict")


def test_agents(client):
    a = _post(client, "clerk", "agents", {"name": "华东代理", "region": "华东", "contact_name": "钱经理"})
    assert a["code"].startswith("DL")
    body = client.get(f"{API}/agents", query_string={"q": "华东"}, headers=login(client, "outsider")).get_json()
    assert body["total"] == 1
    assert_error(client.patch(f"{API}/agents/{a['id']}", json={"region": "x"}, headers=login(client, "outsider")),
                 403, "forbidden")
    _post(client, "clerk", "agents", {"name": "重复", "code": a["code"]}, 409)
    assert client.delete(f"{API}/agents/{a['id']}", headers=login(client, "admin")).status_code == 204


def test_tickets_claims_balances_settlements(client):
    t = _post(client, "clerk", "tickets", {"complainant": "刘先生", "content": "无法登录", "category": "product"})
    r = client.patch(f"{API}/tickets/{t['id']}", json={"status": "callback", "satisfaction": 4},
                     headers=login(client, "clerk"))
    assert r.get_json()["satisfaction"] == 4
    claim = _post(client, "clerk", "expense-claims", {"lines": [{"date": "2026-04-01", "category": "meals",
                                                                 "amount": 88.8}]})
    assert claim["total"] == "88.80" and claim["status"] == "draft"
    assert client.get(f"{API}/expense-claims/{claim['id']}", headers=login(client, "fin1")).status_code == 200
    err = assert_error(client.post(f"{API}/expense-claims", json={"lines": [{"amount": -1}]},
                                   headers=login(client, "clerk")), 422)
    assert {"lines.0.amount", "lines.0.date", "lines.0.category"} <= set(err["fields"])
    assert_error(client.post(f"{API}/leave-balances", json={"user": "clerk", "leave_type": "annual", "days": 5},
                             headers=login(client, "clerk")), 403)
    _post(client, "hr1", "leave-balances", {"user": "clerk", "leave_type": "annual", "days": 5})
    _post(client, "hr1", "leave-balances", {"user": "clerk", "leave_type": "annual", "days": 6}, 409)
    mine = client.get(f"{API}/leave-balances", headers=login(client, "clerk")).get_json()
    assert [(b["leave_type"], b["days"]) for b in mine["items"]] == [("annual", "5.0")]
    a = _post(client, "admin", "agents", {"name": "代理"})
    st = _post(client, "admin", "settlements", {"agent": a["id"], "period": "2026-Q2", "fees": 2000, "ratio": 0.5})
    assert st["amount"] == "1000.00"
    _post(client, "clerk", "settlements", {"agent": a["id"], "period": "2026-Q2", "fees": 1, "ratio": 0.5}, 422)
    _post(client, "clerk", "settlements", {"agent": a["id"], "period": "2026-Q2", "fees": 1})
    assert client.get(f"{API}/settlements", headers=login(client, "fin2")).get_json()["total"] == 2
    assert client.get(f"{API}/settlements", headers=login(client, "clerk")).get_json()["total"] == 1
