"""代理商服务费结算 end to end over HTTP as the real users: the agent's clerk submits the application,
the head of 商务部 reviews, the head of 技术支持中心 sets the refund ratio from the satisfaction survey,
the general manager approves and signs, finance records the agent's invoice and then decides offset
or refund. The settlement record follows (checked through /settlements):
submitted -> (ratio, amount = fees x ratio) -> approved -> invoiced -> settled; rejected."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.records import ServiceFeeSettlement
from engine.design import definitions
from engine.models import ProcessInstance
from tests.api.conftest import API, assert_error, login

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "agent_settlement.bpmn").read_bytes()
PASSWORD = "long-enough-1"
EXTRA = {"biz_head": "商务部", "biz1": "商务部", "tech_head": "技术支持中心", "tech1": "技术支持中心"}
EVERYONE = ("clerk", "clerk2", "sales_head", "biz_head", "biz1", "tech_head", "tech1", "gm", "fin1", "fin2",
            "fin_head", "admin")
FEES, RATIO, AMOUNT = "12345.67", "0.85", "10493.82"  # 12345.67 x 0.85 = 10493.8195


def who(client, username):
    """Headers of `username` (the users created here have their own password)."""
    return login(client, username, PASSWORD) if username in EXTRA else login(client, username)


@pytest.fixture
def agent(client, org) -> dict[str, Any]:
    """商务部 (head biz_head, staff biz1) and 技术支持中心 (head tech_head, staff tech1) created by the admin
    through the API; the process deployed; an agent entered by the head of 商务部."""
    admin = login(client, "admin")
    for dept, head, staff in (("商务部", "biz_head", "biz1"), ("技术支持中心", "tech_head", "tech1")):
        r = client.post(f"{API}/departments", json={"name": dept, "parent": org.depts["总经办"]}, headers=admin)
        assert r.status_code == 201, r.get_json()
        dept_id = r.get_json()["id"]
        for username, sup in ((head, "gm"), (staff, head)):
            r = client.post(f"{API}/users", headers=admin, json={
                "username": username, "display_name": username, "password": PASSWORD, "department": dept_id,
                "supervisor": sup})
            assert r.status_code == 201, r.get_json()
        assert client.patch(f"{API}/departments/{dept_id}", json={"head": head}, headers=admin).status_code == 200
    definitions.deploy(org.db, XML, org["admin"])
    r = client.post(f"{API}/agents", json={"name": "华东代理商", "region": "华东"}, headers=who(client, "biz_head"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def start(client, data: dict[str, Any], user: str = "clerk"):
    return client.post(f"{API}/process-instances", headers=who(client, user),
                       json={"process": "agent_settlement", "data": data})


def application(agent_id: int, **kw: Any) -> dict[str, Any]:
    return {"agent_id": agent_id, "period": "2026-Q3", "fees": FEES, "remark": "三季度技术服务费", **kw}


def started(client, agent) -> tuple[int, int]:
    """(instance id, settlement id) of an application by the clerk."""
    r = start(client, application(agent["id"]))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["business_key"].startswith("JS-")
    iid = r.get_json()["id"]
    return iid, instance(client, iid)["data"]["submit"]["result"]["settlement_id"]


def instance(client, iid, user="clerk"):
    r = client.get(f"{API}/process-instances/{iid}", headers=who(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def settlement(client, sid, user="admin"):
    r = client.get(f"{API}/settlements/{sid}", headers=who(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def todo(client, user, iid):
    r = client.get(f"{API}/tasks", query_string={"box": "todo"}, headers=who(client, user))
    assert r.status_code == 200, r.get_json()
    return [t for t in r.get_json()["items"] if t["instance_id"] == iid]


def holders(client, iid):
    """Who has an open task of this instance."""
    return sorted(u for u in EVERYONE if todo(client, u, iid))


def act(client, user, iid, action="approve", status=200, **body):
    rows = todo(client, user, iid)
    assert len(rows) == 1, (user, rows)
    r = client.post(f"{API}/tasks/{rows[0]['id']}/{action}", json={"comment": "意见", **body}, headers=who(client, user))
    assert r.status_code == status, r.get_json()
    return r


def count_settlements(org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ServiceFeeSettlement)) or 0


def count_instances(org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ProcessInstance)) or 0


# ---------------------------------------------------------------- the full path


def test_the_six_steps_settle_the_fees_and_the_record_follows_each_step(client, agent):
    # 1. the clerk applies; the settlement exists, submitted, linked to the instance
    iid, sid = started(client, agent)
    rec = settlement(client, sid, "clerk")  # the creator may read it
    assert (rec["agent"], rec["period"], rec["fees"], rec["status"]) == (agent["id"], "2026-Q3", FEES, "submitted")
    assert (rec["ratio"], rec["amount"], rec["instance_id"], rec["created_by"]) == (None, None, iid, "clerk")

    # 2. 商务部 reviews: only its head has the task
    assert holders(client, iid) == ["biz_head"]
    act(client, "biz_head", iid, comment="服务费可返还")
    assert settlement(client, sid)["status"] == "submitted"

    # 3. 技术支持中心 sets the ratio from the survey
    assert holders(client, iid) == ["tech_head"]
    act(client, "tech_head", iid, data={"survey_score": 88, "ratio": RATIO, "survey_report": "客户满意"})
    rec = settlement(client, sid)
    assert (rec["ratio"], rec["amount"], rec["status"]) == ("0.8500", AMOUNT, "submitted")
    assert Decimal(rec["amount"]) == (Decimal(FEES) * Decimal(RATIO)).quantize(Decimal("0.01"))
    data = instance(client, iid)["data"]
    assert data["set_ratio"]["result"]["amount"] == AMOUNT and data["set_ratio"]["result"]["survey_score"] == 88

    # 4. the general manager approves and signs
    assert holders(client, iid) == ["gm"]
    act(client, "gm", iid, comment="同意返还")
    assert settlement(client, sid)["status"] == "approved"

    # 5. finance records the invoice when it arrives (any of the finance role)
    assert holders(client, iid) == ["fin1", "fin2"]
    act(client, "fin2", iid, data={"invoice_no": "No.04417", "invoice_amount": AMOUNT,
                                   "invoice_received_at": "2026-10-15"})
    rec = settlement(client, sid, "fin1")  # finance reads every settlement
    assert rec["status"] == "invoiced"
    assert rec["invoice_received_at"].startswith("2026-10-15")
    assert "No.04417" in rec["remark"] and rec["remark"].startswith("三季度技术服务费")

    # 6. finance decides: offset against the agent's payables
    assert holders(client, iid) == ["fin1", "fin2"]
    act(client, "fin1", iid, data={"settlement_method": "offset"})
    rec = settlement(client, sid)
    assert (rec["status"], rec["settlement_method"], rec["ratio"], rec["amount"], rec["fees"]) == \
        ("settled", "offset", "0.8500", AMOUNT, FEES)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_settled")
    assert holders(client, iid) == []


def test_a_refund_with_a_whole_ratio(client, agent):
    iid, sid = started(client, agent)
    act(client, "biz_head", iid)
    act(client, "tech_head", iid, data={"survey_score": 100, "ratio": "1"})
    assert settlement(client, sid)["amount"] == FEES
    act(client, "gm", iid)
    act(client, "fin1", iid, data={"invoice_no": "A1", "invoice_amount": FEES, "invoice_received_at": "2026-11-01"})
    act(client, "fin1", iid, data={"settlement_method": "refund"})
    rec = settlement(client, sid)
    assert (rec["status"], rec["settlement_method"]) == ("settled", "refund")


# ---------------------------------------------------------------- rejections


def test_business_rejecting_ends_it_and_the_settlement_is_rejected(client, agent):
    iid, sid = started(client, agent)
    act(client, "biz_head", iid, action="reject", comment="合同未约定返还")
    rec = settlement(client, sid)
    assert (rec["status"], rec["ratio"], rec["amount"]) == ("rejected", None, None)
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_rejected")
    assert holders(client, iid) == [], "技术支持中心 never gets the task"


def test_the_leader_rejecting_ends_it_and_the_settlement_is_rejected(client, agent):
    iid, sid = started(client, agent)
    act(client, "biz_head", iid)
    act(client, "tech_head", iid, data={"survey_score": 40, "ratio": "0.3"})
    act(client, "gm", iid, action="reject", comment="满意度过低")
    rec = settlement(client, sid)
    assert (rec["status"], rec["ratio"], rec["amount"]) == ("rejected", "0.3000", "3703.70")
    assert instance(client, iid)["end_event"] == "end_rejected"
    assert holders(client, iid) == [], "finance never gets the task"


def test_a_reject_comment_is_required_and_a_handle_task_cannot_be_rejected(client, agent):
    iid, sid = started(client, agent)
    act(client, "biz_head", iid, action="reject", status=422, comment="")
    act(client, "biz_head", iid)
    act(client, "tech_head", iid, action="reject", status=409, comment="不行")
    assert settlement(client, sid)["status"] == "submitted"


# ---------------------------------------------------------------- validation


def test_an_unknown_agent_or_bad_fees_are_field_errors_and_nothing_is_created(client, agent, org):
    before = (count_settlements(org), count_instances(org))
    err = assert_error(start(client, application(999999)), 422)
    assert "data.agent_id" in err["fields"]
    err = assert_error(start(client, application(agent["id"], fees="-5")), 422)
    assert "data.fees" in err["fields"]
    err = assert_error(start(client, application(agent["id"], fees="1.005")), 422)
    assert "data.fees" in err["fields"]
    err = assert_error(start(client, {"agent_id": agent["id"]}), 422)
    assert {"data.period", "data.fees"} <= set(err["fields"])
    assert (count_settlements(org), count_instances(org)) == before


def test_what_the_applicant_sends_for_later_steps_is_dropped(client, agent):
    r = start(client, application(agent["id"], ratio="1", settlement_method="refund", invoice_no="X"))
    assert r.status_code == 201, r.get_json()
    data = instance(client, r.get_json()["id"])["data"]
    assert (data["ratio"], data["settlement_method"], data["invoice_no"]) == (None, None, None)
    assert settlement(client, data["submit"]["result"]["settlement_id"])["ratio"] is None


def test_a_ratio_above_one_or_missing_is_refused_and_nothing_changes(client, agent):
    iid, sid = started(client, agent)
    act(client, "biz_head", iid)
    err = assert_error(act(client, "tech_head", iid, status=422, data={"survey_score": 90, "ratio": "1.2"}), 422)
    assert "data.ratio" in err["fields"]
    err = assert_error(act(client, "tech_head", iid, status=422, data={"survey_score": 101, "ratio": "0.5"}), 422)
    assert "data.survey_score" in err["fields"]
    err = assert_error(act(client, "tech_head", iid, status=422, data={"ratio": "0.12345"}), 422)
    assert "data.ratio" in err["fields"]
    # no ratio at all: the registered function refuses, naming the field (422); the step is rolled back
    err = assert_error(act(client, "tech_head", iid, status=422, data={"survey_score": 90}), 422)
    assert "data.ratio" in err["fields"]
    rec = settlement(client, sid)
    assert (rec["ratio"], rec["amount"], rec["status"]) == (None, None, "submitted")
    assert holders(client, iid) == ["tech_head"], "the task is still open"
    act(client, "tech_head", iid, data={"ratio": "0.5"})
    assert settlement(client, sid)["amount"] == "6172.84"  # 6172.835 rounds half-even to .84


def test_fields_are_editable_only_at_their_step(client, agent):
    iid, sid = started(client, agent)
    err = assert_error(act(client, "biz_head", iid, status=422, data={"ratio": "0.9"}), 422)
    assert "read-only" in err["fields"]["data.ratio"]
    act(client, "biz_head", iid)
    err = assert_error(act(client, "tech_head", iid, status=422, data={"ratio": "0.9", "fees": "99999.00"}), 422)
    assert "read-only" in err["fields"]["data.fees"]
    act(client, "tech_head", iid, data={"ratio": "0.9"})
    err = assert_error(act(client, "gm", iid, status=422, data={"ratio": "1"}), 422)
    assert "read-only" in err["fields"]["data.ratio"]
    act(client, "gm", iid)
    err = assert_error(act(client, "fin1", iid, status=422, data={"settlement_method": "refund"}), 422)
    assert "read-only" in err["fields"]["data.settlement_method"]
    assert settlement(client, sid)["fees"] == FEES


def test_the_invoice_must_match_the_amount_and_carry_number_and_date(client, agent):
    iid, sid = started(client, agent)
    act(client, "biz_head", iid)
    act(client, "tech_head", iid, data={"ratio": RATIO})
    act(client, "gm", iid)
    err = assert_error(act(client, "fin1", iid, status=422, data={
        "invoice_no": "N1", "invoice_amount": "10000.00", "invoice_received_at": "2026-10-15"}), 422)
    assert "data.invoice_amount" in err["fields"]
    err = assert_error(act(client, "fin1", iid, status=422, data={"invoice_amount": AMOUNT}), 422)
    assert {"data.invoice_no", "data.invoice_received_at"} <= set(err["fields"])
    err = assert_error(act(client, "fin1", iid, status=422, data={
        "invoice_no": "N1", "invoice_amount": AMOUNT, "invoice_received_at": "2026-13-40"}), 422)
    assert "data.invoice_received_at" in err["fields"]
    rec = settlement(client, sid)
    assert (rec["status"], rec["invoice_received_at"]) == ("approved", None)
    act(client, "fin1", iid, data={"invoice_no": "N1", "invoice_amount": AMOUNT, "invoice_received_at": "2026-10-15"})
    # finance must choose a method
    err = assert_error(act(client, "fin2", iid, status=422, data={}), 422)
    assert "data.settlement_method" in err["fields"]
    err = assert_error(act(client, "fin2", iid, status=422, data={"settlement_method": "cash"}), 422)
    assert "data.settlement_method" in err["fields"]
    assert settlement(client, sid)["status"] == "invoiced"


# ---------------------------------------------------------------- who gets what


def test_only_the_assignee_may_act_on_each_step(client, agent):
    iid, _ = started(client, agent)
    steps = [("biz_head", {}), ("tech_head", {"data": {"ratio": "0.6"}}), ("gm", {}),
             ("fin1", {"data": {"invoice_no": "N9", "invoice_amount": "7407.40", "invoice_received_at": "2026-10-01"}}),
             ("fin2", {"data": {"settlement_method": "refund"}})]
    for user, body in steps:
        task_id = _any_open_task(client, iid)
        for other in ("clerk", "biz1", "tech1", "sales_head", "fin_head"):
            if other != user:
                r = client.post(f"{API}/tasks/{task_id}/approve", json={"comment": "x"}, headers=who(client, other))
                assert_error(r, 403)
        act(client, user, iid, **body)
    assert instance(client, iid)["end_event"] == "end_settled"


def _any_open_task(client, iid) -> int:
    inst = instance(client, iid)
    assert inst["open_tasks"], inst
    return inst["open_tasks"][0]["id"]
