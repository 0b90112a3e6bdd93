"""Library processes routed by amount, over HTTP as the real users (tests/org.py): 采购申请
(purchase_request, sequential senior approval over 50,000), 借款申请 (loan_request), 业务申请
(business_application, a majority joint review over 100,000), 办公用品申请 (office_supplies).
Every branch of each diagram."""
from __future__ import annotations

import pytest

from tests.api.conftest import assert_error
from tests.api.library.helpers import decide, deploy_library, ended, holders, instance, ok, reject, started


@pytest.fixture
def deployed(org):
    return deploy_library(org, "purchase_request", "loan_request", "business_application", "office_supplies")


# ---------------------------------------------------------------- 采购申请


def purchase(amount: float) -> dict:
    return {"title": "笔记本电脑", "category": "equipment", "amount": amount, "needed_by": "2026-12-20",
            "reason": "新员工入职", "items": [{"name": "ThinkPad T14", "quantity": 2, "unit_price": 8999}]}


def order(client, iid, user="fin2"):
    return ok(client, user, iid, data={"supplier": "联想华东", "order_no": "PO-2026-118"})


def test_purchase_up_to_50000_head_and_finance_then_the_order(client, deployed):
    iid = started(client, "purchase_request", purchase(50000), prefix="CG")
    assert holders(client, iid) == ["sales_head"]
    ok(client, "sales_head", iid)
    assert holders(client, iid) == ["fin1", "fin2"]
    ok(client, "fin1", iid)
    assert holders(client, iid) == ["fin1", "fin2"], "the purchaser: any of finance"
    order(client, iid)
    assert ended(client, iid) == ("completed", "end_ordered", "approved")
    data = instance(client, iid)["data"]
    assert (data["supplier"], data["order_no"]) == ("联想华东", "PO-2026-118")


def test_purchase_order_fields_are_only_editable_at_the_order(client, deployed):
    iid = started(client, "purchase_request", purchase(1000))
    r = decide(client, "sales_head", iid, data={"supplier": "偷偷改"})
    assert "data.supplier" in assert_error(r, 422)["fields"]


def test_purchase_over_50000_finance_head_then_gm_in_order(client, deployed):
    iid = started(client, "purchase_request", purchase(50000.01))
    ok(client, "sales_head", iid)
    ok(client, "fin2", iid)
    assert holders(client, iid) == ["fin_head"], "sequential: the head of finance first"
    ok(client, "fin_head", iid)
    assert holders(client, iid) == ["gm"], "then the general manager"
    ok(client, "gm", iid)
    order(client, iid, "fin1")
    assert ended(client, iid) == ("completed", "end_ordered", "approved")
    assert [v["user"] for v in instance(client, iid)["data"]["senior_approval"]["votes"]] == ["fin_head", "gm"]


@pytest.mark.parametrize("who", ["sales_head", "fin1", "fin_head", "gm"])
def test_purchase_rejected_at_any_step(client, deployed, who):
    iid = started(client, "purchase_request", purchase(80000))
    steps = ["sales_head", "fin1", "fin_head", "gm"]
    for u in steps[:steps.index(who)]:
        ok(client, u, iid)
    reject(client, who, iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert holders(client, iid) == [], "a sequential rejection never reaches the next approver"


# ---------------------------------------------------------------- 借款申请


def loan(amount: float) -> dict:
    return {"amount": amount, "purpose_type": "travel", "repay_date": "2027-01-31", "payee_account": "6222 0000 1234",
            "reason": "出差备用金"}


def pay(client, iid, user="fin1"):
    return ok(client, user, iid, data={"paid_at": "2026-12-02", "payment_ref": "ICBC-88"})


@pytest.mark.parametrize(("amount", "approvers"), [
    (5000, ["sales_lead", "fin2"]),
    (20000, ["sales_lead", "sales_head", "fin1"]),
    (20000.01, ["sales_lead", "sales_head", "fin1", "gm"]),
], ids=["up_to_5000", "up_to_20000", "over_20000"])
def test_loan_routes_by_amount_and_the_cashier_pays(client, deployed, amount, approvers):
    iid = started(client, "loan_request", loan(amount), prefix="JK")
    for u in approvers:
        expected = ["fin1", "fin2"] if u.startswith("fin") else [u]
        assert holders(client, iid) == expected, u
        ok(client, u, iid)
    assert holders(client, iid) == ["fin1", "fin2"]
    pay(client, iid)
    assert ended(client, iid) == ("completed", "end_paid", "approved")
    assert instance(client, iid)["data"]["payment_ref"] == "ICBC-88"


@pytest.mark.parametrize("who", ["sales_lead", "sales_head", "fin2", "gm"])
def test_loan_rejected_at_any_step(client, deployed, who):
    iid = started(client, "loan_request", loan(30000))
    steps = ["sales_lead", "sales_head", "fin2", "gm"]
    for u in steps[:steps.index(who)]:
        ok(client, u, iid)
    reject(client, who, iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert holders(client, iid) == []


# ---------------------------------------------------------------- 业务申请

JOINT = ["fin_head", "legal_head", "sales_head"]


def application(amount: float) -> dict:
    return {"title": "年度框架协议特价", "matter_type": "special_price", "amount": amount, "description": "老客户续约"}


def test_business_up_to_100000_the_supervisor_decides(client, deployed):
    iid = started(client, "business_application", application(100000), prefix="YW")
    assert holders(client, iid) == ["sales_lead"]
    ok(client, "sales_lead", iid)
    assert ended(client, iid) == ("completed", "end_approved", "approved")


@pytest.mark.parametrize(("approve", "reject_", "outcome"), [
    (["fin_head", "legal_head"], [], "approved"),
    (["sales_head"], ["fin_head", "legal_head"], "rejected"),
    ([], ["sales_head", "fin_head"], "rejected"),
], ids=["two_approve", "one_approves_two_reject", "two_reject"])
def test_business_over_100000_the_joint_review_decides_by_majority(client, deployed, approve, reject_, outcome):
    iid = started(client, "business_application", application(250000))
    ok(client, "sales_lead", iid)
    assert holders(client, iid) == JOINT
    for u in approve:
        ok(client, u, iid)
    for u in reject_:
        reject(client, u, iid)
    assert holders(client, iid) == [], "decided after two votes of three: the third is cancelled"
    assert ended(client, iid)[2] == outcome
    assert len(instance(client, iid)["data"]["joint_review"]["votes"]) == 2 + (1 if len(approve) + len(reject_) == 3 else 0)


def test_business_rejected_by_the_supervisor(client, deployed):
    iid = started(client, "business_application", application(500000))
    reject(client, "sales_lead", iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")


# ---------------------------------------------------------------- 办公用品申请


def supplies(total: float) -> dict:
    return {"items": [{"name": "A4 纸", "quantity": 10}, {"name": "签字笔", "quantity": 20}],
            "estimated_total": total, "purpose": "部门日常"}


@pytest.mark.parametrize(("total", "approvers"), [(2000, ["sales_lead"]), (2000.01, ["sales_lead", "sales_head"])],
                         ids=["up_to_2000", "over_2000"])
def test_supplies_approved_then_handed_out(client, deployed, total, approvers):
    iid = started(client, "office_supplies", supplies(total), prefix="BG")
    for u in approvers:
        assert holders(client, iid) == [u]
        ok(client, u, iid)
    assert holders(client, iid) == ["hr1"]
    ok(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_handed_out", "approved")


@pytest.mark.parametrize("who", ["sales_lead", "sales_head"])
def test_supplies_rejected(client, deployed, who):
    iid = started(client, "office_supplies", supplies(3000))
    if who == "sales_head":
        ok(client, "sales_lead", iid)
    reject(client, who, iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert holders(client, iid) == []


def test_supplies_need_at_least_one_item(client, deployed):
    from tests.api.library.helpers import start
    r = start(client, "office_supplies", {**supplies(100), "items": []})
    assert any(k.startswith("data.items") for k in assert_error(r, 422)["fields"])
