"""销售机会 end to end over HTTP as the real users: a salesperson enters an opportunity (only they
and their supervisors see it; a colleague gets 404), submits it; their supervisor assigns it to a
salesperson through the process; the salesperson plans the development in dated steps and marks it
won (a customer and a contract draft are created, or the named customer is linked) or lost (reason
required). Edits and deletes are for unassigned opportunities only."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crm.records import Contract, Customer
from engine.design import definitions
from tests.api.conftest import API, assert_error, login, task_of

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "sales_opportunity.bpmn").read_bytes()
OPP = {"source": "展会", "customer_name": "华东测绘院", "summary": "地理信息平台升级", "probability": 60,
       "amount": "480000.00", "stage": "需求确认", "contact_name": "刘工", "contact_phone": "021-62345678",
       "description": "现有平台到期，计划明年一季度采购"}


@pytest.fixture(autouse=True)
def deployed(org):
    definitions.deploy(org.db, XML, org["admin"])


def create(client, user="clerk", **over: Any) -> dict[str, Any]:
    r = client.post(f"{API}/opportunities", json={**OPP, **over}, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def get(client, oid, user="clerk"):
    return client.get(f"{API}/opportunities/{oid}", headers=login(client, user))


def start(client, oid, user="clerk") -> int:
    r = client.post(f"{API}/process-instances", headers=login(client, user),
                    json={"process": "sales_opportunity", "data": {"opportunity_id": oid}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def act(client, user, iid, data: dict[str, Any] | None = None, action: str = "approve", comment: str = "ok"):
    tid = task_of(client, user, iid)
    body: dict[str, Any] = {"comment": comment} if action == "reject" else {"comment": comment, "data": data or {}}
    return client.post(f"{API}/tasks/{tid}/{action}", json=body, headers=login(client, user))


def instance(client, iid, user="admin"):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, user)).get_json()


def assigned(client, user="clerk", to="clerk2", **over: Any) -> tuple[int, int]:
    oid = create(client, user, **over)["id"]
    iid = start(client, oid, user)
    r = act(client, "sales_lead", iid, {"assignee": to})
    assert r.status_code == 200, r.get_json()
    return oid, iid


def test_an_opportunity_is_seen_by_its_people_only(client, org):
    o = create(client)
    assert o["number"].startswith("JH") and (o["status"], o["owner"], o["created_by"]) == ("unassigned", None, "clerk")
    assert o["probability"] == 60 and o["amount"] == "480000.00" and o["plan"] == []
    for user in ("clerk", "sales_lead", "sales_head", "admin"):
        assert get(client, o["id"], user).status_code == 200, user
    for user in ("clerk2", "outsider"):
        assert_error(get(client, o["id"], user), 404)
        items = client.get(f"{API}/opportunities", headers=login(client, user)).get_json()["items"]
        assert o["id"] not in [i["id"] for i in items]
    mine = client.get(f"{API}/opportunities?status=unassigned", headers=login(client, "clerk")).get_json()
    assert [i["id"] for i in mine["items"]] == [o["id"]]


def test_bad_input_names_the_field(client, org):
    h = login(client, "clerk")
    r = client.post(f"{API}/opportunities", json={**OPP, "probability": 101}, headers=h)
    assert "probability" in assert_error(r, 422)["fields"]
    r = client.post(f"{API}/opportunities", json={k: v for k, v in OPP.items() if k != "customer_name"}, headers=h)
    assert "customer_name" in assert_error(r, 422)["fields"]
    r = client.post(f"{API}/opportunities", json={**OPP, "status": "won"}, headers=h)
    assert "status" in assert_error(r, 422)["fields"], "the process sets the status"
    r = client.post(f"{API}/opportunities", json={**OPP, "owner": "clerk2"}, headers=h)
    assert "owner" in assert_error(r, 422)["fields"], "the process assigns"


def test_the_supervisor_assigns_and_the_salesperson_wins_it(client, org):
    oid, iid = assigned(client)
    o = get(client, oid, "clerk2").get_json()
    assert (o["status"], o["owner"], o["instance_id"]) == ("developing", "clerk2", iid) and o["assigned_at"]
    assert get(client, oid, "clerk").status_code == 200, "the one who entered it still sees it"
    assert [t["assignee"] for t in instance(client, iid)["open_tasks"]] == ["clerk2"]
    # edits and deletes are for unassigned opportunities
    assert_error(client.patch(f"{API}/opportunities/{oid}", json={"probability": 90},
                              headers=login(client, "clerk")), 409)
    assert_error(client.delete(f"{API}/opportunities/{oid}", headers=login(client, "clerk")), 409)
    # the development plan: dated steps, the date fixed once made, results recorded
    h = login(client, "clerk2")
    r = client.post(f"{API}/opportunities/{oid}/plan", json={"date": "2026-12-03", "content": "上门演示"}, headers=h)
    assert r.status_code == 201, r.get_json()
    step = r.get_json()
    client.post(f"{API}/opportunities/{oid}/plan", json={"date": "2026-12-01", "content": "电话约见"}, headers=h)
    assert "date" in assert_error(client.patch(f"{API}/opportunity-steps/{step['id']}", json={"date": "2026-12-09"},
                                               headers=h), 422)["fields"]
    r = client.patch(f"{API}/opportunity-steps/{step['id']}", json={"result": "客户认可方案"}, headers=h)
    assert r.status_code == 200 and r.get_json()["result"] == "客户认可方案"
    plan = client.get(f"{API}/opportunities/{oid}/plan", headers=h).get_json()
    assert [s["content"] for s in plan["items"]] == ["电话约见", "上门演示"], "in date order"
    assert_error(client.post(f"{API}/opportunities/{oid}/plan", json={"date": "2026-12-05", "content": "x"},
                             headers=login(client, "outsider")), 404)
    assert_error(client.get(f"{API}/opportunity-steps/{step['id']}", headers=login(client, "outsider")), 404)
    # won: a customer (owned by the salesperson, with the contact) and a contract draft
    r = act(client, "clerk2", iid)  # approve = 开发成功
    assert r.status_code == 200, r.get_json()
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"], inst["outcome"]) == ("completed", "end_won", "approved")
    o = get(client, oid, "clerk2").get_json()
    assert o["status"] == "won" and o["customer"] and o["contract"] and o["contract_number"]
    with org.db.uow() as s:
        customer = s.get(Customer, o["customer"])
        contract = s.get(Contract, o["contract"])
        assert (customer.name, customer.owner_id, customer.vip) == ("华东测绘院", org["clerk2"], False)
        assert [(c.name, c.phone) for c in customer.contacts] == [("刘工", "021-62345678")]
        assert (contract.status, contract.customer_id, contract.owner_id, str(contract.amount)) == (
            "draft", customer.id, org["clerk2"], "480000.00")
    # the customer page lists the opportunity, for the salesperson, not for a colleague
    from crm import records

    overview = records.customer_overview(org.db, org["clerk2"], o["customer"])
    assert [x["id"] for x in overview["opportunities"]] == [oid]
    from engine import about

    assert iid in [i["id"] for i in about.about_customer(org.db, org["clerk2"], o["customer"])], \
        "the opportunity's process is among the customer's approvals"


def test_won_links_the_customer_it_names(client, org):
    customer = client.post(f"{API}/customers", json={"name": "西南规划院"}, headers=login(client, "clerk")).get_json()
    oid, iid = assigned(client, to="clerk", customer=customer["id"], customer_name=None)
    assert get(client, oid).get_json()["customer_name"] == "西南规划院", "taken from the customer"
    assert act(client, "clerk", iid).status_code == 200
    o = get(client, oid).get_json()
    assert o["customer"] == customer["id"]
    assert instance(client, iid)["data"]["mark_won"]["result"]["customer_created"] is False


def test_lost_needs_a_reason(client, org):
    oid, iid = assigned(client)
    r = act(client, "clerk2", iid, action="reject", comment="")  # reject = 开发失败, the comment its reason
    assert r.status_code == 422, r.get_json()
    assert get(client, oid, "clerk2").get_json()["status"] == "developing", "nothing changed"
    assert act(client, "clerk2", iid, action="reject", comment="客户预算取消").status_code == 200
    o = get(client, oid, "clerk2").get_json()
    assert (o["status"], o["outcome_reason"], o["customer"], o["contract"]) == ("lost", "客户预算取消", None, None)
    inst = instance(client, iid)
    assert (inst["end_event"], inst["outcome"]) == ("end_lost", "rejected")


def test_only_an_unassigned_opportunity_enters_the_process_once(client, org):
    oid, _ = assigned(client)
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "sales_opportunity", "data": {"opportunity_id": oid}})
    assert "data.opportunity_id" in assert_error(r, 422)["fields"] or "opportunity_id" in r.get_json()["error"][
        "fields"]
    other = create(client, "clerk2")["id"]
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "sales_opportunity", "data": {"opportunity_id": other}})
    assert r.status_code == 422, "a colleague's opportunity cannot be picked"


def test_withdrawn_before_assignment_the_opportunity_is_free_again(client, org):
    oid = create(client)["id"]
    iid = start(client, oid)
    r = client.post(f"{API}/process-instances/{iid}/withdraw", json={}, headers=login(client, "clerk"))
    assert r.status_code == 200, r.get_json()
    assert get(client, oid).get_json()["instance_id"] is None
    assert client.patch(f"{API}/opportunities/{oid}", json={"probability": 70},
                        headers=login(client, "clerk")).status_code == 200
    assert client.delete(f"{API}/opportunities/{oid}", headers=login(client, "clerk")).status_code == 204
