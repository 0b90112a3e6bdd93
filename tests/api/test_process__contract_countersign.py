"""合同会签 end to end over HTTP as the real users: the contract's owner submits, the legal, finance
and sales heads countersign in parallel, the general manager approves; the contract's status
follows (draft -> under_review -> signed / rejected)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.design import definitions
from tests.api.conftest import API, act, assert_error, login

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "contract_countersign.bpmn").read_bytes()
HEADS = ("legal_head", "fin_head", "sales_head")


@pytest.fixture
def contract(client, org):
    definitions.deploy(org.db, XML, org["admin"])
    h = login(client, "clerk")
    customer = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=h).get_json()
    r = client.post(f"{API}/contracts", headers=h,
                    json={"customer": customer["id"], "title": "年度测绘服务", "amount": "250000.00"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def status_of(client, contract_id):
    return client.get(f"{API}/contracts/{contract_id}", headers=login(client, "admin")).get_json()["status"]


def start(client, contract_id, user="clerk"):
    return client.post(f"{API}/process-instances", headers=login(client, user),
                       json={"process": "contract_countersign", "data": {"contract_id": contract_id, "reason": "请会签"}})






def test_all_heads_then_the_gm_approve_and_the_contract_is_signed(client, contract):
    r = start(client, contract["id"])
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    assert r.get_json()["business_key"].startswith("HTQ-")
    assert status_of(client, contract["id"]) == "under_review"
    inst = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()
    assert sorted(t["assignee"] for t in inst["open_tasks"]) == sorted(HEADS), "parallel countersign"
    act(client, "legal_head", iid, data={"review_note": "法务无异议"})
    act(client, "fin_head", iid)
    assert status_of(client, contract["id"]) == "under_review"
    act(client, "sales_head", iid)
    act(client, "gm", iid)
    inst = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()
    assert (inst["status"], inst["end_event"]) == ("completed", "end_signed")
    assert inst["data"]["review_note"] == "法务无异议"
    assert status_of(client, contract["id"]) == "signed"
    cc = client.get(f"{API}/tasks?box=cc", headers=login(client, "fin1")).get_json()
    assert [row["instance_id"] for row in cc["items"]] == [iid], "finance is copied on the signed contract"


def test_one_head_rejecting_rejects_the_contract_and_closes_the_other_tasks(client, contract):
    iid = start(client, contract["id"]).get_json()["id"]
    act(client, "fin_head", iid)
    act(client, "legal_head", iid, action="reject", comment="违约条款不可接受")
    inst = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()
    assert (inst["status"], inst["end_event"]) == ("completed", "end_rejected")
    assert status_of(client, contract["id"]) == "rejected"
    assert client.get(f"{API}/tasks?box=todo", headers=login(client, "sales_head")).get_json()["total"] == 0
    # the owner revises and submits again: a rejected contract can be resubmitted
    assert start(client, contract["id"]).status_code == 201
    assert status_of(client, contract["id"]) == "under_review"


def test_the_gm_rejecting_rejects_the_contract(client, contract):
    iid = start(client, contract["id"]).get_json()["id"]
    for head in HEADS:
        act(client, head, iid)
    act(client, "gm", iid, action="reject", comment="价格过低")
    assert status_of(client, contract["id"]) == "rejected"


def test_only_the_owner_may_submit_and_only_a_draft(client, contract):
    err = assert_error(start(client, contract["id"], user="clerk2"), 422)
    assert "data.contract_id" in err["fields"]
    assert status_of(client, contract["id"]) == "draft", "nothing changed"
    assert start(client, contract["id"]).status_code == 201
    err = assert_error(start(client, contract["id"]), 422)
    assert "under_review" in err["fields"]["data.contract_id"]
    err = assert_error(client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                                   json={"process": "contract_countersign", "data": {}}), 422)
    assert "data.contract_id" in err["fields"]
    err = assert_error(start(client, 999999), 422)
    assert "data.contract_id" in err["fields"]
