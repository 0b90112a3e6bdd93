"""费用报销 end to end over HTTP as the real users: the clerk submits expense lines, their supervisor
(sales_lead) approves; over 5,000 also the department head (sales_head), over 20,000 also the
general manager (gm); then finance (fin1 or fin2) pays. The claim follows the instance:
submitted -> approved -> paid, any rejection -> rejected (checked through /expense-claims)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.records import ExpenseClaim
from engine.design import definitions
from tests.api.conftest import API, act, assert_error, inbox, login

XML = (Path(__file__).resolve().parents[2] / "bpmn" / "expense_reimbursement.bpmn").read_bytes()
EVERYONE = ("clerk", "sales_lead", "sales_head", "gm", "fin1", "fin2", "fin_head", "admin")


@pytest.fixture
def deployed(org):
    definitions.deploy(org.db, XML, org["admin"])
    return org


def line(amount: Any = "100.00", **kw: Any) -> dict[str, Any]:
    out = {"date": "2026-11-02", "category": "travel", "amount": amount, "note": "高铁"}
    out.update(kw)
    return out


def lines_for(total: float) -> list[dict[str, Any]]:
    """Two lines adding up to `total`."""
    return [line(amount=1000), line(amount=round(total - 1000, 2), category="meals")]


def start(client, lines, user="clerk", reason="十一月出差", **extra):
    return client.post(f"{API}/process-instances", headers=login(client, user),
                       json={"process": "expense_reimbursement", "data": {"reason": reason, "lines": lines, **extra}})


def started(client, total: float, user="clerk") -> tuple[int, int]:
    """(instance id, claim id) of a claim over `total` started by `user`."""
    r = start(client, lines_for(total), user=user)
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    assert r.get_json()["business_key"].startswith("BX-")
    data = instance(client, iid, user)["data"]
    assert data["submit"]["result"]["total"] == f"{total:.2f}"
    return iid, data["submit"]["result"]["claim_id"]


def instance(client, iid, user="clerk"):
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def claim(client, claim_id, user="clerk"):
    r = client.get(f"{API}/expense-claims/{claim_id}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def status_of(client, claim_id, claimant="clerk"):
    """The claim's status, read by the claimant and by finance (both may see it)."""
    by_claimant, by_finance = claim(client, claim_id, claimant)["status"], claim(client, claim_id, "fin2")["status"]
    assert by_claimant == by_finance
    return by_claimant


def todo(client, user, iid):
    return [t for t in inbox(client, user)["items"] if t["instance_id"] == iid]


def holders(client, iid):
    """Who has an open task of this instance."""
    return sorted(u for u in EVERYONE if todo(client, u, iid))




def pay(client, iid, user="fin1", paid_at="2026-11-20", payment_ref="ICBC-20261120-0042"):
    return act(client, user, iid, data={"paid_at": paid_at, "payment_ref": payment_ref})


def claims_in_db(org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ExpenseClaim)) or 0


# ---------------------------------------------------------------- the three approval routes


def test_up_to_5000_the_supervisor_approves_and_finance_pays(client, deployed):
    iid, cid = started(client, 5000)
    c = claim(client, cid)
    assert (c["status"], c["total"], c["claimant"], c["instance_id"], c["title"]) == \
        ("submitted", "5000.00", "clerk", iid, "十一月出差")
    assert [(x["category"], x["amount"], x["date"]) for x in c["lines"]] == \
        [("travel", "1000.00", "2026-11-02"), ("meals", "4000.00", "2026-11-02")]
    assert holders(client, iid) == ["sales_lead"]
    act(client, "sales_lead", iid)
    assert status_of(client, cid) == "approved"
    assert holders(client, iid) == ["fin1", "fin2"], "finance: any of the role"
    pay(client, iid, "fin2")
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_paid")
    assert inst["data"]["mark_paid"]["result"] == {"claim_id": cid, "total": "5000.00", "status": "paid",
                                                   "paid_at": "2026-11-20", "payment_ref": "ICBC-20261120-0042"}
    c = claim(client, cid, "fin1")
    assert c["status"] == "paid"
    assert "2026-11-20" in c["remark"] and "ICBC-20261120-0042" in c["remark"]
    assert holders(client, iid) == []
    assert [t["instance_id"] for t in inbox(client, "fin1")["items"]] == [], "fin2 paid: it left fin1's inbox"


def test_over_5000_the_department_head_approves_too(client, deployed):
    iid, cid = started(client, 5000.01)
    act(client, "sales_lead", iid)
    assert status_of(client, cid) == "submitted"
    assert holders(client, iid) == ["sales_head"]
    act(client, "sales_head", iid)
    assert status_of(client, cid) == "approved"
    assert holders(client, iid) == ["fin1", "fin2"]
    pay(client, iid)
    assert status_of(client, cid) == "paid"
    assert instance(client, iid)["end_event"] == "end_paid"


def test_up_to_20000_no_general_manager(client, deployed):
    iid, cid = started(client, 20000)
    act(client, "sales_lead", iid)
    act(client, "sales_head", iid)
    assert status_of(client, cid) == "approved"
    assert holders(client, iid) == ["fin1", "fin2"]


def test_over_20000_the_general_manager_approves_too(client, deployed):
    iid, cid = started(client, 20000.01)
    act(client, "sales_lead", iid)
    act(client, "sales_head", iid)
    assert status_of(client, cid) == "submitted"
    assert holders(client, iid) == ["gm"]
    act(client, "gm", iid)
    assert status_of(client, cid) == "approved"
    pay(client, iid, "fin1")
    assert status_of(client, cid) == "paid"
    votes = instance(client, iid)["data"]
    assert [v["user"] for node in ("sup_approval", "dept_approval", "gm_approval") for v in votes[node]["votes"]] \
        == ["sales_lead", "sales_head", "gm"]


def test_the_department_head_who_already_approved_as_supervisor_is_skipped(client, deployed):
    # sales_lead's supervisor is sales_head, who is also the head of 销售部: skipRepeated
    iid, cid = started(client, 8000, user="sales_lead")
    act(client, "sales_head", iid)
    assert status_of(client, cid, "sales_lead") == "approved"
    assert holders(client, iid) == ["fin1", "fin2"]
    assert instance(client, iid, "sales_lead")["data"]["dept_approval"]["votes"][0]["auto"] is True


# ---------------------------------------------------------------- rejections


@pytest.mark.parametrize(("total", "approvers"), [
    (3000, ["sales_lead"]),
    (8000, ["sales_lead", "sales_head"]),
    (30000, ["sales_lead", "sales_head", "gm"]),
], ids=["supervisor", "dept_head", "gm"])
def test_a_rejection_at_any_level_rejects_the_claim_and_ends_the_process(client, deployed, total, approvers):
    iid, cid = started(client, total)
    *approving, rejecting = approvers
    for user in approving:
        act(client, user, iid)
    act(client, rejecting, iid, action="reject", comment="票据不全")
    inst = instance(client, iid)
    assert (inst["status"], inst["end_event"]) == ("completed", "end_rejected")
    assert status_of(client, cid) == "rejected"
    assert holders(client, iid) == [], "nobody else gets a task"


def test_a_rejection_needs_a_comment(client, deployed):
    iid, cid = started(client, 1100)
    tid = todo(client, "sales_lead", iid)[0]["id"]
    r = client.post(f"{API}/tasks/{tid}/reject", json={}, headers=login(client, "sales_lead"))
    assert "comment" in assert_error(r, 422)["fields"]
    assert status_of(client, cid) == "submitted"


# ---------------------------------------------------------------- payment


def test_only_the_payment_fields_are_editable_and_only_at_the_payment(client, deployed):
    iid, cid = started(client, 1200)
    tid = todo(client, "sales_lead", iid)[0]["id"]
    r = client.post(f"{API}/tasks/{tid}/approve", json={"data": {"paid_at": "2026-11-20"}},
                    headers=login(client, "sales_lead"))
    assert "data.paid_at" in assert_error(r, 422)["fields"]
    act(client, "sales_lead", iid)
    tid = todo(client, "fin1", iid)[0]["id"]
    r = client.post(f"{API}/tasks/{tid}/approve", headers=login(client, "fin1"),
                    json={"data": {"paid_at": "2026-11-20", "payment_ref": "X1", "lines": [line(amount=99999)]}})
    assert "data.lines" in assert_error(r, 422)["fields"]
    r = client.post(f"{API}/tasks/{tid}/approve", headers=login(client, "fin1"),
                    json={"data": {"paid_at": "2026-13-01", "payment_ref": "X1"}})
    assert "data.paid_at" in assert_error(r, 422)["fields"]
    assert status_of(client, cid) == "approved", "nothing changed"
    pay(client, iid)
    assert status_of(client, cid) == "paid"


def test_paying_without_the_payment_details_is_refused(client, deployed):
    iid, cid = started(client, 1200)
    act(client, "sales_lead", iid)
    tid = todo(client, "fin1", iid)[0]["id"]
    r = client.post(f"{API}/tasks/{tid}/approve", json={"data": {"paid_at": "2026-11-20"}},
                    headers=login(client, "fin1"))
    err = assert_error(r, 422, "validation_failed")
    assert err["fields"] == {"data.payment_ref": "is required"}
    assert status_of(client, cid) == "approved"
    assert holders(client, iid) == ["fin1", "fin2"], "the payment task is still open"
    pay(client, iid)
    assert status_of(client, cid) == "paid"


def test_payment_details_sent_at_start_are_dropped(client, deployed):
    r = start(client, [line()], paid_at="2026-01-01", payment_ref="FAKE")
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    data = instance(client, iid)["data"]
    assert (data["paid_at"], data["payment_ref"]) == (None, None)


def test_finance_cannot_reject_the_payment_task(client, deployed):
    iid, cid = started(client, 1200)
    act(client, "sales_lead", iid)
    tid = todo(client, "fin1", iid)[0]["id"]
    r = client.post(f"{API}/tasks/{tid}/reject", json={"comment": "no"}, headers=login(client, "fin1"))
    assert_error(r, 409)
    assert status_of(client, cid) == "approved"


# ---------------------------------------------------------------- the start form


@pytest.mark.parametrize(("lines", "field"), [
    ([], "data.lines"),
    (None, "data.lines"),
    ([line(), line(amount=-5)], "data.lines.1.amount"),
    ([line(), line(amount=0)], "data.lines.1.amount"),
    ([line(amount=10.005)], "data.lines.0.amount"),
    ([line(), {"category": "travel", "amount": 10}], "data.lines.1.date"),
    ([line(date="2026-02-30")], "data.lines.0.date"),
    ([line(category="spa")], "data.lines.0.category"),
    ([line(approved=True)], "data.lines.0.approved"),
], ids=["no_lines", "missing_lines", "negative_amount", "zero_amount", "three_decimals", "missing_date",
        "bad_date", "unknown_category", "unknown_field"])
def test_form_errors_are_422_and_create_no_claim(client, deployed, lines, field):
    r = start(client, lines) if lines is not None else \
        client.post(f"{API}/process-instances", headers=login(client, "clerk"),
                    json={"process": "expense_reimbursement", "data": {"reason": "x"}})
    assert field in assert_error(r, 422)["fields"]
    assert claims_in_db(deployed) == 0
    assert inbox(client, "sales_lead")["total"] == 0, "no instance started"


def test_a_reason_is_required(client, deployed):
    assert "data.reason" in assert_error(start(client, [line()], reason=""), 422)["fields"]
    assert claims_in_db(deployed) == 0


def test_a_line_may_name_one_of_the_claimants_customers(client, deployed):
    mine = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=login(client, "clerk")).get_json()
    theirs = client.post(f"{API}/customers", json={"name": "某法务客户"}, headers=login(client, "legal_head")).get_json()
    r = start(client, [line(), line(customer=theirs["id"])])
    err = assert_error(r, 422)
    assert "data.lines.1.customer" in err["fields"]
    assert "data.lines.0.customer" in assert_error(start(client, [line(customer=999999)]), 422)["fields"]
    assert claims_in_db(deployed) == 0
    r = start(client, [line(customer=mine["id"], category="entertainment")])
    assert r.status_code == 201, r.get_json()
    cid = instance(client, r.get_json()["id"])["data"]["submit"]["result"]["claim_id"]
    assert claim(client, cid)["lines"][0]["customer"] == mine["id"]


def test_the_claim_is_private_to_the_claimants_chain_and_finance(client, deployed):
    _, cid = started(client, 1200)
    for user in ("clerk", "sales_lead", "sales_head", "fin1", "admin"):
        assert client.get(f"{API}/expense-claims/{cid}", headers=login(client, user)).status_code == 200, user
    for user in ("clerk2", "legal_head"):
        assert client.get(f"{API}/expense-claims/{cid}", headers=login(client, user)).status_code == 404, user
