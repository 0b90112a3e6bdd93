"""VIP 客户录入 end to end over HTTP as the real users: a salesperson's new VIP customer is created as
a normal customer and becomes VIP once their supervisor approves (rejected: it stays a normal
customer); a supervisor's own entry is VIP at once."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crm.records import Customer
from engine.design import definitions
from engine.models import ProcessInstance
from tests.api.conftest import API, act, assert_error, login

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "vip_customer.bpmn").read_bytes()
CUSTOMER = {"name": "华北测绘院", "phone": "010-62345678", "email": "office@hbch.example.cn", "province": "北京",
            "region": "华北", "level": "战略客户", "legal_rep": "刘院长"}


@pytest.fixture(autouse=True)
def deployed(org):
    definitions.deploy(org.db, XML, org["admin"])


def start(client, user="clerk", customer: dict[str, Any] | None = None, **data: Any):
    return client.post(f"{API}/process-instances", headers=login(client, user),
                       json={"process": "vip_customer", "data": {"customer": customer or CUSTOMER, **data}})


def instance(client, iid, user="clerk"):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, user)).get_json()


def customer(client, cid, user="admin"):
    r = client.get(f"{API}/customers/{cid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def todo(client, user, iid):
    rows = client.get(f"{API}/tasks?box=todo", headers=login(client, user)).get_json()["items"]
    return [r["id"] for r in rows if r["instance_id"] == iid]


def counts(org):
    with org.db.uow() as s:
        return s.query(Customer).count(), s.query(ProcessInstance).count()


def test_a_salespersons_entry_becomes_vip_when_the_supervisor_approves(client, org):
    r = start(client, reason="年采购额超过百万")
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    assert r.get_json()["business_key"].startswith("VIP-")
    inst = instance(client, iid)
    result = inst["data"]["enter"]["result"]
    assert result["initiator_is_supervisor"] is False
    cid = result["customer_id"]
    c = customer(client, cid, "clerk")
    assert (c["vip"], c["owner"], c["name"], c["region"], c["level"]) == (False, "clerk", "华北测绘院", "华北", "战略客户")
    assert c["code"], "numbered like any customer"
    assert [t["assignee"] for t in inst["open_tasks"]] == ["sales_lead"]
    assert todo(client, "clerk2", iid) == [] and todo(client, "sales_head", iid) == []
    act(client, "sales_lead", iid)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_approved")
    assert customer(client, cid, "clerk")["vip"] is True


def test_rejected_the_customer_stays_a_normal_customer(client, org):
    iid = start(client).get_json()["id"]
    cid = instance(client, iid)["data"]["enter"]["result"]["customer_id"]
    [tid] = todo(client, "sales_lead", iid)
    assert_error(client.post(f"{API}/tasks/{tid}/reject", json={}, headers=login(client, "sales_lead")), 422)
    act(client, "sales_lead", iid, action="reject", comment="采购额不够 VIP 标准")
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_rejected")
    assert inst["data"]["supervisor_approval"]["votes"][0]["comment"] == "采购额不够 VIP 标准"
    c = customer(client, cid, "clerk")
    assert (c["vip"], c["owner"]) == (False, "clerk"), "kept, owned by the salesperson, not VIP"


@pytest.mark.parametrize("user, owner_sees", [("sales_lead", "sales_lead"), ("gm", "gm")])
def test_a_supervisors_own_entry_is_vip_at_once(client, org, user, owner_sees):
    r = start(client, user=user)
    assert r.status_code == 201, r.get_json()
    inst = instance(client, r.get_json()["id"], user)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_direct")
    assert inst["data"]["enter"]["result"]["initiator_is_supervisor"] is True
    assert "supervisor_approval" not in inst["data"]
    c = customer(client, inst["data"]["enter"]["result"]["customer_id"], user)
    assert (c["vip"], c["owner"]) == (True, owner_sees)


def test_the_pending_customer_is_visible_to_the_supervisor_not_to_a_colleague(client, org):
    iid = start(client).get_json()["id"]
    cid = instance(client, iid)["data"]["enter"]["result"]["customer_id"]
    assert customer(client, cid, "sales_lead")["vip"] is False
    assert client.get(f"{API}/customers/{cid}", headers=login(client, "clerk2")).status_code == 404


@pytest.mark.parametrize("cust, field", [
    ({**CUSTOMER, "name": "  "}, "data.customer.name"),
    ({k: v for k, v in CUSTOMER.items() if k != "name"}, "data.customer.name"),
    ({**CUSTOMER, "email": "nope"}, "data.customer.email"),
    ({**CUSTOMER, "phone": "x"}, "data.customer.phone"),
    ({**CUSTOMER, "level": "Z"}, "data.customer.level"),
    ({**CUSTOMER, "name": "名" * 201}, "data.customer.name"),
    ({**CUSTOMER, "vip": True}, "data.customer.vip"),
    ({**CUSTOMER, "owner": "clerk2"}, "data.customer.owner"),
])
def test_start_errors_name_the_field_and_create_nothing(client, org, cust, field):
    before = counts(org)
    err = assert_error(start(client, customer=cust), 422)
    assert field in err["fields"], err
    assert counts(org) == before


def test_a_missing_customer_group_is_refused(client, org):
    before = counts(org)
    r = client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "vip_customer", "data": {}})
    assert "data.customer.name" in assert_error(r, 422)["fields"]
    assert counts(org) == before
