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
    act(client, "legal_head", iid, comment="法务无异议")
    act(client, "fin_head", iid)
    assert status_of(client, contract["id"]) == "under_review"
    act(client, "sales_head", iid)
    act(client, "gm", iid)
    inst = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()
    assert (inst["status"], inst["end_event"]) == ("completed", "end_signed")
    votes = inst["data"]["countersign"]["votes"]
    assert [(v["user"], v["comment"]) for v in votes if v["user"] == "legal_head"] == [("legal_head", "法务无异议")]
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


def test_every_signer_keeps_their_opinion_and_the_gm_sees_the_legal_heads_objection(client, contract):
    iid = start(client, contract["id"]).get_json()["id"]
    act(client, "legal_head", iid, comment="违约金条款偏高，建议签约前修改")
    act(client, "fin_head", iid, comment="付款节点可以接受")
    act(client, "sales_head", iid, comment="客户已确认")
    # no shared opinion field: a signer cannot write one
    gm = login(client, "gm")
    tid = next(t["id"] for t in client.get(f"{API}/tasks", headers=gm).get_json()["items"] if t["instance_id"] == iid)
    task = client.get(f"{API}/tasks/{tid}", headers=gm).get_json()
    votes = {v["user"]: (v["decision"], v["comment"]) for v in task["data"]["countersign"]["votes"]}
    assert votes == {"legal_head": ("approve", "违约金条款偏高，建议签约前修改"), "fin_head": ("approve", "付款节点可以接受"),
                     "sales_head": ("approve", "客户已确认")}
    assert all(v["at"] for v in task["data"]["countersign"]["votes"])
    assert "review_note" not in task["data"]


def test_the_countersign_takes_no_form_data(client, contract):
    iid = start(client, contract["id"]).get_json()["id"]
    tid = next(t["id"] for t in client.get(f"{API}/tasks", headers=login(client, "legal_head")).get_json()["items"]
               if t["instance_id"] == iid)
    r = client.post(f"{API}/tasks/{tid}/approve", json={"comment": "意见", "data": {"reason": "改写"}},
                    headers=login(client, "legal_head"))
    assert "data.reason" in assert_error(r, 422)["fields"]
