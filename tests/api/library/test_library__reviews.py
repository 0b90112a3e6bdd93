"""Library processes decided by reviews, over HTTP as the real users (tests/org.py): 出差申请
(business_trip), 项目立项 (project_initiation, a 60% ratio board), 规章制度会签
(regulation_countersign, an all-must-agree countersign). Every branch of each diagram."""
from __future__ import annotations

import pytest

from tests.api.conftest import assert_error
from tests.api.library.helpers import deploy_library, ended, holders, instance, ok, reject, start, started

HEADS = ["fin_head", "hr_head", "legal_head", "sales_head"]  # 销售部, 法务部, 财务部, 人事部


@pytest.fixture
def deployed(org):
    return deploy_library(org, "business_trip", "project_initiation", "regulation_countersign")


# ---------------------------------------------------------------- 出差申请


def trip(days: float = 3, cost: float = 2000) -> dict:
    return {"destination": "上海", "start_date": "2026-12-07", "end_date": "2026-12-09", "days": days,
            "transport": "train", "estimated_cost": cost, "purpose": "拜访客户"}


def test_trip_short_and_cheap_the_supervisor_approves_and_hr_records_it(client, deployed):
    iid = started(client, "business_trip", trip(5, 5000), prefix="CC")
    assert holders(client, iid) == ["sales_lead"]
    ok(client, "sales_lead", iid)
    assert holders(client, iid) == ["hr1"], "HR confirms it read the approved trip (阅办)"
    ok(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_approved", "approved")
    assert instance(client, iid)["data"]["hr_record"]["outcome"] == "read"


@pytest.mark.parametrize(("days", "cost"), [(5.5, 1000), (2, 5000.01)], ids=["over_5_days", "over_5000"])
def test_trip_long_or_costly_needs_the_department_head(client, deployed, days, cost):
    iid = started(client, "business_trip", trip(days, cost))
    ok(client, "sales_lead", iid)
    assert holders(client, iid) == ["sales_head"]
    ok(client, "sales_head", iid)
    assert holders(client, iid) == ["hr1"]
    ok(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_approved", "approved")


@pytest.mark.parametrize("level", ["supervisor", "head"])
def test_trip_rejected_at_either_level_ends_rejected_without_hr(client, deployed, level):
    iid = started(client, "business_trip", trip(8, 9000))
    if level == "head":
        ok(client, "sales_lead", iid)
    reject(client, "sales_lead" if level == "supervisor" else "sales_head", iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert holders(client, iid) == []


def test_trip_the_head_who_approved_as_supervisor_is_not_asked_again(client, deployed):
    iid = started(client, "business_trip", trip(10, 100), user="sales_lead")
    ok(client, "sales_head", iid)
    assert holders(client, iid) == ["hr1"]
    assert instance(client, iid, "sales_lead")["data"]["head_approval"]["votes"][0]["auto"] is True


def test_trip_refuses_a_bad_form(client, deployed):
    r = start(client, "business_trip", {**trip(), "days": 0, "transport": "rocket"})
    assert {"data.days", "data.transport"} <= set(assert_error(r, 422)["fields"])


# ---------------------------------------------------------------- 项目立项


def project(budget: float) -> dict:
    return {"title": "客户门户二期", "project_type": "it", "budget": budget, "start_date": "2027-01-04",
            "end_date": "2027-06-30", "manager": "张三", "goals": "上线客户自助门户"}


def board_votes(client, iid, approve: list[str], reject_: list[str]) -> None:
    for u in approve:
        ok(client, u, iid)
    for u in reject_:
        reject(client, u, iid)


def test_project_within_budget_three_of_four_board_members_approve(client, deployed):
    iid = started(client, "project_initiation", project(500000), prefix="XM")
    assert holders(client, iid) == ["sales_head"]
    ok(client, "sales_head", iid)
    assert holders(client, iid) == HEADS, "the review board: the four department heads"
    board_votes(client, iid, ["fin_head", "legal_head"], [])
    assert holders(client, iid) == ["hr_head", "sales_head"], "2 of 4 = 50% < 60%: still open"
    ok(client, "hr_head", iid)
    assert holders(client, iid) == [], "3 of 4 = 75% >= 60%: decided, the last task cancelled"
    assert ended(client, iid) == ("completed", "end_approved", "approved")


def test_project_board_rejects_once_60_percent_is_out_of_reach(client, deployed):
    iid = started(client, "project_initiation", project(100000))
    ok(client, "sales_head", iid)
    board_votes(client, iid, ["fin_head"], ["legal_head"])
    assert "hr_head" in holders(client, iid), "1 rejection: 3 of 4 can still reach 60%"
    reject(client, "hr_head", iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert holders(client, iid) == []


@pytest.mark.parametrize("gm_decision", ["approve", "reject"])
def test_project_over_500000_the_general_manager_decides(client, deployed, gm_decision):
    iid = started(client, "project_initiation", project(500000.01))
    ok(client, "sales_head", iid)
    board_votes(client, iid, ["fin_head", "legal_head", "hr_head"], [])
    assert holders(client, iid) == ["gm"]
    if gm_decision == "approve":
        ok(client, "gm", iid)
        assert ended(client, iid) == ("completed", "end_approved", "approved")
    else:
        reject(client, "gm", iid)
        assert ended(client, iid) == ("completed", "end_rejected", "rejected")


def test_project_rejected_by_the_department_head_never_reaches_the_board(client, deployed):
    iid = started(client, "project_initiation", project(900000))
    reject(client, "sales_head", iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert "board_review" not in instance(client, iid)["data"]


# ---------------------------------------------------------------- 规章制度会签


def regulation() -> dict:
    return {"title": "差旅费管理办法", "category": "finance", "change": "revision", "effective_date": "2027-01-01",
            "content": "第一条 ……", "revision_note": "住宿标准调整"}


def to_countersign(client) -> int:
    iid = started(client, "regulation_countersign", regulation(), prefix="ZD")
    assert holders(client, iid) == ["sales_head"]
    ok(client, "sales_head", iid)
    assert holders(client, iid) == HEADS
    return iid


def test_regulation_everyone_agrees_legal_and_gm_sign_it_into_force(client, deployed):
    iid = to_countersign(client)
    for u in HEADS[:-1]:
        ok(client, u, iid)
    assert holders(client, iid) == ["sales_head"], "会签: every head must agree"
    ok(client, "sales_head", iid)
    assert holders(client, iid) == ["legal_head"]
    ok(client, "legal_head", iid)
    assert holders(client, iid) == ["gm"]
    ok(client, "gm", iid)
    assert ended(client, iid) == ("completed", "end_published", "approved")
    votes = instance(client, iid)["data"]["countersign"]["votes"]
    assert sorted(v["user"] for v in votes) == HEADS


def test_regulation_one_countersign_rejection_rejects_and_cancels_the_rest(client, deployed):
    iid = to_countersign(client)
    ok(client, "fin_head", iid)
    reject(client, "hr_head", iid)
    assert holders(client, iid) == []
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")


@pytest.mark.parametrize("who", ["sales_head_review", "legal_head", "gm"])
def test_regulation_rejected_at_review_legal_or_signing(client, deployed, who):
    if who == "sales_head_review":
        iid = started(client, "regulation_countersign", regulation())
        reject(client, "sales_head", iid)
    else:
        iid = to_countersign(client)
        for u in HEADS:
            ok(client, u, iid)
        if who == "gm":
            ok(client, "legal_head", iid)
        reject(client, who, iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert holders(client, iid) == []
