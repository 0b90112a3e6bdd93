"""资产领用/借用 and 资产归还 (asset_request, asset_return) with the asset register they move
(crm/assets.py), and 加班申请 (overtime_request) crediting the 调休 balance (crm/leave.py), over HTTP.
Every branch of each diagram."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crm import assets, leave
from crm.office_models import Asset
from tests.api.conftest import assert_error
from tests.api.library.helpers import (
    deploy_library,
    ended,
    holders,
    instance,
    ok,
    reject,
    start,
    started,
    withdraw,
)


@pytest.fixture
def deployed(org):
    deploy_library(org, "asset_request", "asset_return", "overtime_request")
    with org.db.uow(write=True) as s:
        org.ids["laptop"] = assets.create(s, "ZC-0001", "笔记本电脑 ThinkPad", "IT", org["admin"]).id
        org.ids["projector"] = assets.create(s, "ZC-0002", "投影仪", "办公", org["admin"]).id
    return org


def asset_state(org, key: str = "laptop") -> tuple[str, str | None, str | None]:
    with org.db.uow() as s:
        a = s.get(Asset, org[key])
        holder = org.name_of(a.holder_id) if a.holder_id else None
        return a.status, holder, a.due_back.isoformat() if a.due_back else None


def request(org, kind: str = "borrow", key: str = "laptop") -> dict:
    return {"asset_id": org[key], "kind": kind, "due_back": "2026-12-31", "reason": "客户现场演示"}


# ---------------------------------------------------------------- 资产领用/借用


@pytest.mark.parametrize(("kind", "status", "due"), [("borrow", "borrowed", "2026-12-31"), ("issue", "issued", None)])
def test_asset_request_approved_and_handed_out(client, deployed, kind, status, due):
    iid = started(client, "asset_request", request(deployed, kind), prefix="ZC")
    assert asset_state(deployed) == ("reserved", None, None)
    assert holders(client, iid) == ["sales_lead"]
    ok(client, "sales_lead", iid)
    assert holders(client, iid) == ["hr1"]
    ok(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_handed_out", "approved")
    assert asset_state(deployed) == (status, "clerk", due)


@pytest.mark.parametrize("who", ["sales_lead", "hr1"])
def test_asset_request_rejected_puts_the_asset_back_in_stock(client, deployed, who):
    iid = started(client, "asset_request", request(deployed))
    if who == "hr1":
        ok(client, "sales_lead", iid)
    reject(client, who, iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert asset_state(deployed) == ("in_stock", None, None)


def test_a_reserved_asset_cannot_be_requested_again(client, deployed):
    started(client, "asset_request", request(deployed))
    r = start(client, "asset_request", request(deployed), user="clerk2")
    assert "data.asset_id" in assert_error(r, 422)["fields"]
    assert asset_state(deployed) == ("reserved", None, None)


def test_a_withdrawn_request_releases_the_asset(client, deployed):
    iid = started(client, "asset_request", request(deployed))
    r = withdraw(client, iid)
    assert r.status_code == 200, r.get_json()
    assert asset_state(deployed) == ("in_stock", None, None)
    started(client, "asset_request", request(deployed), user="clerk2")
    assert asset_state(deployed)[0] == "reserved"


# ---------------------------------------------------------------- 资产归还


def borrowed_by_clerk(client, org) -> None:
    iid = started(client, "asset_request", request(org))
    ok(client, "sales_lead", iid)
    ok(client, "hr1", iid)


def test_asset_return_accepted_puts_it_back_in_stock(client, deployed):
    borrowed_by_clerk(client, deployed)
    iid = started(client, "asset_return", {"asset_id": deployed["laptop"], "condition": "good"}, prefix="ZH")
    assert holders(client, iid) == ["hr1"]
    ok(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_returned", "approved")
    assert asset_state(deployed) == ("in_stock", None, None)


def test_asset_return_refused_at_inspection_leaves_it_with_the_holder(client, deployed):
    borrowed_by_clerk(client, deployed)
    iid = started(client, "asset_return", {"asset_id": deployed["laptop"], "condition": "damaged"})
    reject(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert asset_state(deployed) == ("borrowed", "clerk", "2026-12-31")


def test_only_the_holder_returns_an_asset(client, deployed):
    borrowed_by_clerk(client, deployed)
    r = start(client, "asset_return", {"asset_id": deployed["laptop"], "condition": "good"}, user="clerk2")
    assert "data.asset_id" in assert_error(r, 422)["fields"]
    r = start(client, "asset_return", {"asset_id": deployed["projector"], "condition": "good"})
    assert "data.asset_id" in assert_error(r, 422)["fields"], "in stock: nobody holds it"


# ---------------------------------------------------------------- 加班申请


def overtime(hours: float, kind: str = "workday", compensation: str = "time_off") -> dict:
    return {"date": "2026-11-28", "hours": hours, "overtime_type": kind, "compensation": compensation,
            "reason": "版本上线"}


def compensatory(org, user: str = "clerk") -> Decimal:
    with org.db.uow() as s:
        return leave.balance(s, org[user], "compensatory")


@pytest.mark.parametrize(("hours", "days"), [(10, Decimal("1.0")), (4, Decimal("0.5")), (3.5, Decimal("0"))])
def test_overtime_as_time_off_is_credited_in_half_days(client, deployed, hours, days):
    iid = started(client, "overtime_request", overtime(hours), prefix="JB")
    assert holders(client, iid) == ["sales_lead"]
    ok(client, "sales_lead", iid)
    assert ended(client, iid) == ("completed", "end_approved", "approved")
    assert compensatory(deployed) == days
    assert instance(client, iid)["data"]["credit"]["result"]["balance_after"] == float(days)


def test_holiday_overtime_needs_the_department_head_and_adds_to_the_balance(client, deployed):
    for _ in range(2):
        iid = started(client, "overtime_request", overtime(8, "holiday"))
        ok(client, "sales_lead", iid)
        assert holders(client, iid) == ["sales_head"]
        ok(client, "sales_head", iid)
        assert ended(client, iid)[2] == "approved"
    assert compensatory(deployed) == Decimal("2.0")


def test_overtime_paid_goes_to_hr_and_leaves_the_balance(client, deployed):
    iid = started(client, "overtime_request", overtime(6, "weekend", "pay"))
    ok(client, "sales_lead", iid)
    assert holders(client, iid) == ["hr1"]
    ok(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_approved", "approved")
    assert compensatory(deployed) == 0


@pytest.mark.parametrize("who", ["sales_lead", "sales_head"])
def test_overtime_rejected_credits_nothing(client, deployed, who):
    iid = started(client, "overtime_request", overtime(8, "holiday"))
    if who == "sales_head":
        ok(client, "sales_lead", iid)
    reject(client, who, iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert compensatory(deployed) == 0


def test_overtime_hours_out_of_range_are_refused(client, deployed):
    r = start(client, "overtime_request", overtime(25))
    assert "data.hours" in assert_error(r, 422)["fields"]


def test_the_reserved_asset_is_named_on_the_approvers_task_and_the_instance_page(client, deployed, app_for):
    from tests.api.library.helpers import todo
    from tests.web.conftest import signed_in
    iid = started(client, "asset_request", request(deployed))
    tid = todo(client, "sales_lead", iid)[0]["id"]
    web = app_for(deployed.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True)
    page = web.test_client()
    signed_in(page, "sales_lead")
    html = page.get(f"/tasks/{tid}").get_data(as_text=True)
    named = f'"assets": [{{"value": {deployed["laptop"]}, "label": "笔记本电脑 ThinkPad (ZC-0001)"}}]'
    assert named in html, "read-only: the picked asset (reserved now, no longer offered), named, and no other"
    page = web.test_client()
    signed_in(page, "clerk")
    html = page.get(f"/instances/{iid}").get_data(as_text=True)
    assert "笔记本电脑 ThinkPad (ZC-0001)" in html
