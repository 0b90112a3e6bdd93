"""CRM pickers: a form select with a valuesKey offers, and the server accepts, only the records the
user may see (DESIGN.md §4)."""
from __future__ import annotations

from pathlib import Path

from engine.design import definitions
from tests.api.conftest import API, assert_error, login

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "contract_countersign.bpmn").read_bytes()


def contract(client, user, customer_name, title):
    h = login(client, user)
    c = client.post(f"{API}/customers", json={"name": customer_name}, headers=h).get_json()
    return client.post(f"{API}/contracts", json={"customer": c["id"], "title": title}, headers=h).get_json()


def values(client, user, key, **q):
    r = client.get(f"{API}/pickers/{key}", query_string=q, headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return [o["value"] for o in r.get_json()["items"]]


def test_options_follow_data_permissions_and_search(client, org):
    mine = contract(client, "clerk", "甲公司", "维保合同")
    other = contract(client, "clerk2", "乙公司", "咨询合同")
    assert values(client, "clerk", "contracts") == [mine["id"]]
    assert sorted(values(client, "sales_lead", "contracts")) == sorted([mine["id"], other["id"]]), "supervisor"
    assert values(client, "outsider", "contracts") == []
    assert values(client, "admin", "contracts", q="咨询") == [other["id"]]
    labels = client.get(f"{API}/pickers/customers", headers=login(client, "clerk")).get_json()["items"]
    assert [o["label"].split(" ")[0] for o in labels] == ["甲公司"]
    assert "clerk2" in values(client, "clerk", "users")
    assert_error(client.get(f"{API}/pickers/secrets", headers=login(client, "clerk")), 404)


def test_a_form_refuses_a_record_the_user_may_not_pick(client, org):
    definitions.deploy(org.db, XML, org["admin"])
    other = contract(client, "clerk2", "乙公司", "咨询合同")
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "contract_countersign", "data": {"contract_id": other["id"]}})
    err = assert_error(r, 422)
    # refused by the form's picker rule when the start form is validated, not later by the
    # process's submit step (which refuses someone else's contract with "not your contract")
    assert err["fields"] == {"data.contract_id": "is not one of the allowed values"}, err
    assert client.get(f"{API}/contracts/{other['id']}", headers=login(client, "admin")).get_json()["status"] == "draft"


def test_an_editable_picker_of_a_task_form_offers_the_users_options(org):
    """A task form with an editable picker field (e.g. the supervisor's 指派给客户经理) gets its options;
    a read-only one at least its current value (before: the editable case raised TypeError, a 500)."""
    from crm import pickers
    from crm import records as rs

    rs.create(org.db, org["clerk"], "opportunity", {"customer_name": "甲", "summary": "平台升级", "probability": 5})
    with org.db.uow() as s:
        out = pickers.form_options(s, org["sales_lead"], [("users", "assignee"), ("opportunities", "opportunity_id")],
                                   {"opportunity_id": 99}, ["assignee"], lambda kind, value, data: f"{kind} {value}")
    assert "clerk" in [o["value"] for o in out["users"]]
    assert out["opportunities"] == [{"value": 99, "label": "opportunity 99"}], "read-only: its current value"


def test_the_inbox_filters_search_finds_only_the_callers_customers(client, org):
    """The inbox's customer filter asks GET /pickers/customers?q= as the user types (worklist inbox.js):
    the text narrows what the user may pick; a colleague's customer is never listed, whatever the text."""
    h = login(client, "clerk")
    mine = [client.post(f"{API}/customers", json={"name": f"华北测绘{n}号"}, headers=h).get_json() for n in range(3)]
    theirs = client.post(f"{API}/customers", json={"name": "华北测绘乙方"}, headers=login(client, "clerk2")).get_json()
    r = client.get(f"{API}/pickers/customers", query_string={"q": "测绘"}, headers=h)
    body = r.get_json()
    assert r.status_code == 200 and body["total"] == 3
    assert [o["value"] for o in body["items"]] == [c["id"] for c in mine]
    assert body["items"][0]["label"] == f"华北测绘0号 ({mine[0]['code']})", "labelled as the page shows it"
    assert values(client, "clerk", "customers", q="1号") == [mine[1]["id"]]
    assert values(client, "clerk", "customers", q="乙方") == []
    assert values(client, "clerk", "customers", q=theirs["code"]) == []
    assert theirs["id"] in values(client, "admin", "customers", q="乙方"), "an admin reaches every customer"


def test_a_search_text_over_100_characters_is_422_naming_q(client, org):
    h = login(client, "clerk")
    assert client.get(f"{API}/pickers/customers", query_string={"q": "上" * 100}, headers=h).status_code == 200
    err = assert_error(client.get(f"{API}/pickers/customers", query_string={"q": "上" * 101}, headers=h), 422)
    assert set(err["fields"]) == {"q"}
