"""撤回 undoes what the start step did to CRM records, in the withdraw's transaction, per shipped
process: a contract under review goes back to draft (or rejected), the expense claim / settlement
/ service ticket the instance created becomes `withdrawn`; leave, VIP and trial-account
instances changed nothing that needs undoing (no days deducted, the customer stays non-VIP, the
trial user stays inactive). A record no longer in the state the process left it refuses the
withdraw (409) and nothing changes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from crm.models import User
from engine.design import definitions
from tests.api.conftest import API, act, assert_error, login

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def deploy(org, name: str) -> None:
    definitions.deploy(org.db, (BPMN / f"{name}.bpmn").read_bytes(), org["admin"])


def start(client, process: str, data: dict[str, Any], user: str = "clerk") -> tuple[int, dict[str, Any]]:
    r = client.post(f"{API}/process-instances", headers=login(client, user), json={"process": process, "data": data})
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    return iid, instance(client, iid)["data"]


def instance(client, iid: int) -> dict[str, Any]:
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def withdraw(client, iid: int, user: str = "clerk"):
    return client.post(f"{API}/process-instances/{iid}/withdraw", json={"comment": "填错了"},
                       headers=login(client, user))


def withdrawn(client, iid: int, user: str = "clerk") -> dict[str, Any]:
    r = withdraw(client, iid, user)
    assert r.status_code == 200, r.get_json()
    inst = instance(client, iid)
    assert inst["status"] == "withdrawn" and inst["open_tasks"] == []
    return inst


def record(client, path: str) -> dict[str, Any]:
    r = client.get(f"{API}/{path}", headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def undo_events(inst: dict[str, Any]) -> list[str]:
    return [e["node_id"] for e in inst["history"] if e["action"] == "undo"]


# ---------------------------------------------------------------- 合同会签


def new_contract(client) -> int:
    h = login(client, "clerk")
    customer = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=h).get_json()
    r = client.post(f"{API}/contracts", headers=h, json={"customer": customer["id"], "title": "年度测绘服务",
                                                           "amount": "250000.00"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_contract_withdrawn_goes_back_to_draft_and_can_be_submitted_again(client, org):
    deploy(org, "contract_countersign")
    cid = new_contract(client)
    iid, _ = start(client, "contract_countersign", {"contract_id": cid, "reason": "请会签"})
    assert record(client, f"contracts/{cid}")["status"] == "under_review"
    inst = withdrawn(client, iid)
    assert record(client, f"contracts/{cid}")["status"] == "draft"
    assert undo_events(inst) == ["submit"]
    # a draft again: the owner submits it anew
    start(client, "contract_countersign", {"contract_id": cid, "reason": "再次提交"})
    assert record(client, f"contracts/{cid}")["status"] == "under_review"


def test_a_rejected_contract_resubmitted_then_withdrawn_is_rejected_again(client, org):
    deploy(org, "contract_countersign")
    cid = new_contract(client)
    first, _ = start(client, "contract_countersign", {"contract_id": cid})
    act(client, "legal_head", first, action="reject", comment="条款不可接受")
    assert record(client, f"contracts/{cid}")["status"] == "rejected"
    second, _ = start(client, "contract_countersign", {"contract_id": cid})
    withdrawn(client, second)
    assert record(client, f"contracts/{cid}")["status"] == "rejected"


def test_a_contract_no_longer_under_review_refuses_the_withdraw_and_nothing_changes(client, org):
    deploy(org, "contract_countersign")
    cid = new_contract(client)
    iid, _ = start(client, "contract_countersign", {"contract_id": cid})
    r = client.patch(f"{API}/contracts/{cid}", json={"status": "signed"}, headers=login(client, "admin"))
    assert r.status_code == 200, r.get_json()
    err = assert_error(withdraw(client, iid), 409)
    assert "signed" in err["message"]
    inst = instance(client, iid)
    assert inst["status"] == "running" and inst["open_tasks"], "the withdraw rolled back"
    assert undo_events(inst) == []
    assert record(client, f"contracts/{cid}")["status"] == "signed"


# ---------------------------------------------------------------- 费用报销


def test_expense_claim_of_a_withdrawn_instance_is_withdrawn(client, org):
    deploy(org, "expense_reimbursement")
    iid, data = start(client, "expense_reimbursement", {
        "reason": "十一月出差", "lines": [{"date": "2026-11-02", "category": "travel", "amount": 800}]})
    claim_id = data["submit"]["result"]["claim_id"]
    assert record(client, f"expense-claims/{claim_id}")["status"] == "submitted"
    inst = withdrawn(client, iid)
    assert record(client, f"expense-claims/{claim_id}")["status"] == "withdrawn"
    assert undo_events(inst) == ["submit"]
    r = client.get(f"{API}/expense-claims", query_string={"status": "withdrawn"}, headers=login(client, "clerk"))
    assert r.status_code == 200 and [c["id"] for c in r.get_json()["items"]] == [claim_id]


# ---------------------------------------------------------------- 代理商服务费结算


def test_settlement_of_a_withdrawn_instance_is_withdrawn(client, org):
    deploy(org, "agent_settlement")
    r = client.post(f"{API}/agents", json={"name": "华东代理商", "region": "华东"}, headers=login(client, "admin"))
    assert r.status_code == 201, r.get_json()
    iid, data = start(client, "agent_settlement", {"agent_id": r.get_json()["id"], "period": "2026-Q3",
                                                   "fees": "1000.00"})
    sid = data["submit"]["result"]["settlement_id"]
    assert record(client, f"settlements/{sid}")["status"] == "submitted"
    withdrawn(client, iid)
    assert record(client, f"settlements/{sid}")["status"] == "withdrawn"


# ---------------------------------------------------------------- 客户投诉/服务工单


def test_service_ticket_of_a_withdrawn_instance_is_withdrawn(client, org):
    deploy(org, "service_ticket")
    iid, data = start(client, "service_ticket", {"complainant": "刘先生", "contact_info": "13800138000",
                                                 "content": "系统升级后无法登录", "category": "product"})
    tid = data["create_ticket"]["result"]["ticket_id"]
    assert record(client, f"tickets/{tid}")["status"] == "open"
    withdrawn(client, iid)
    assert record(client, f"tickets/{tid}")["status"] == "withdrawn"


# ---------------------------------------------------------------- nothing to undo


def test_leave_withdrawn_before_approval_leaves_the_balance_alone(client, org):
    deploy(org, "leave_request")
    r = client.post(f"{API}/leave-balances", headers=login(client, "hr1"),
                    json={"user": "clerk", "leave_type": "annual", "days": 15})
    assert r.status_code == 201, r.get_json()
    bid = r.get_json()["id"]
    iid, _ = start(client, "leave_request", {"leave_type": "annual", "start_date": "2026-03-02", "start_half": "am",
                                             "end_date": "2026-03-03", "end_half": "pm", "reason": "探亲"})
    inst = withdrawn(client, iid)
    assert undo_events(inst) == []
    assert record(client, f"leave-balances/{bid}")["days"] == "15.0"


def test_vip_entry_withdrawn_leaves_the_customer_non_vip(client, org):
    deploy(org, "vip_customer")
    iid, data = start(client, "vip_customer", {"customer": {"name": "华北测绘院"}, "reason": "大客户"})
    cid = data["enter"]["result"]["customer_id"]
    withdrawn(client, iid)
    assert record(client, f"customers/{cid}")["vip"] is False


def test_trial_account_withdrawn_leaves_the_user_inactive(client, org):
    deploy(org, "trial_account")
    iid, _ = start(client, "trial_account", {"account": {"username": "trial.hbch", "display_name": "刘试用",
                                                         "company": "华北测绘院", "phone": "13812345678",
                                                         "email": "liu@hbch.example.cn", "expires_on": "2030-06-30"}})
    withdrawn(client, iid)
    with org.db.uow() as s:
        user = s.query(User).filter_by(username="trial.hbch").one()
        assert user.active is False
