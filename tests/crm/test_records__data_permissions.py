"""Data permissions (requirements 001): salesperson, supervisors up the chain, admin, other department.

Org: clerk, clerk2 -> sales_lead -> sales_head -> gm; outsider in 法务部; admin has role admin.
"""
from __future__ import annotations

import pytest

from core.errors import Forbidden, NotFound, ValidationFailed
from crm import records as rs


@pytest.fixture
def cust(org):
    return rs.create(org.db, org["clerk"], "customer", {"name": "张三的客户"})


def _names(org, user, kind="customer"):
    return {c["name"] for c in rs.list_records(org.db, org[user], kind)[0]}


@pytest.mark.parametrize("user", ["clerk", "sales_lead", "sales_head", "gm", "admin"])
def test_owner_supervisor_chain_and_admin_see_and_edit(org, cust, user):
    assert _names(org, user) == {"张三的客户"}
    assert rs.get(org.db, org[user], "customer", cust["id"])["owner"] == "clerk"
    assert rs.update(org.db, org[user], "customer", cust["id"], {"level": "战略客户"})["level"] == "战略客户"


@pytest.mark.parametrize("user", ["clerk2", "outsider", "legal_head", "fin1"])
def test_peers_and_other_departments_see_nothing(org, cust, user):
    assert _names(org, user) == set()
    for call in (lambda: rs.get(org.db, org[user], "customer", cust["id"]),
                 lambda: rs.update(org.db, org[user], "customer", cust["id"], {"level": "战略客户"}),
                 lambda: rs.delete(org.db, org[user], "customer", cust["id"]),
                 lambda: rs.reassign_customer(org.db, org[user], cust["id"], {"owner": user}),
                 lambda: rs.list_records(org.db, org[user], "contact", customer_id=cust["id"]),
                 lambda: rs.create(org.db, org[user], "contact", {"name": "x"}, customer_id=cust["id"])):
        with pytest.raises(NotFound):
            call()
    assert rs.get(org.db, org["clerk"], "customer", cust["id"])["level"] is None


def test_a_salesperson_sees_only_their_own(org, cust):
    rs.create(org.db, org["clerk2"], "customer", {"name": "李四的客户"})
    assert _names(org, "clerk") == {"张三的客户"}
    assert _names(org, "clerk2") == {"李四的客户"}
    assert _names(org, "sales_lead") == {"张三的客户", "李四的客户"}


def test_owner_can_only_be_self_or_a_subordinate(org):
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk"], "customer", {"name": "x", "owner": "clerk2"})
    assert "owner" in e.value.fields
    c = rs.create(org.db, org["sales_lead"], "customer", {"name": "给张三", "owner": "clerk"})
    assert c["owner"] == "clerk" and c["created_by"] == "sales_lead"
    assert _names(org, "clerk") == {"给张三"}
    with pytest.raises(ValidationFailed) as e:
        rs.update(org.db, org["sales_lead"], "customer", c["id"], {"owner": "clerk2"})
    assert "reassign" in e.value.fields["owner"]


def test_contacts_and_contracts_follow_their_customer(org, cust):
    rs.create(org.db, org["clerk"], "contact", {"name": "王经理"}, customer_id=cust["id"])
    k = rs.create(org.db, org["clerk"], "contract", {"customer": cust["id"], "title": "合同"})
    assert _names(org, "sales_head", "contact") == {"王经理"}
    assert _names(org, "clerk2", "contact") == set()
    assert rs.list_records(org.db, org["clerk2"], "contract")[1] == 0
    with pytest.raises(NotFound):
        rs.get(org.db, org["outsider"], "contract", k["id"])
    # a customer one cannot see cannot be referenced either (reported like a missing one)
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk2"], "contract", {"customer": cust["id"], "title": "抢单"})
    assert e.value.fields["customer"] == f"no customer with id {cust['id']}"


def test_reassign_keeps_history(org, cust):
    with pytest.raises(Forbidden):  # the owner sees the customer but may not give it away
        rs.reassign_customer(org.db, org["clerk"], cust["id"], {"owner": "clerk2"})
    with pytest.raises(ValidationFailed) as e:  # a supervisor reassigns only within their own reach
        rs.reassign_customer(org.db, org["sales_lead"], cust["id"], {"owner": "outsider"})
    assert "owner" in e.value.fields
    moved = rs.reassign_customer(org.db, org["sales_lead"], cust["id"], {"owner": "clerk2", "reason": "离职交接"})
    assert moved["owner"] == "clerk2"
    assert _names(org, "clerk") == set() and _names(org, "clerk2") == {"张三的客户"}
    rs.reassign_customer(org.db, org["admin"], cust["id"], {"owner": "outsider"})
    history = rs.customer_owner_history(org.db, org["admin"], cust["id"])
    assert [(h["from"], h["to"], h["by"], h["reason"]) for h in history] == [
        (None, "clerk", "clerk", None), ("clerk", "clerk2", "sales_lead", "离职交接"),
        ("clerk2", "outsider", "admin", None)]
    assert all(h["at"] for h in history)
    assert _names(org, "sales_lead") == set() and _names(org, "legal_head") == {"张三的客户"}


def test_agents_readable_by_all_writable_by_creator_and_admin(org):
    a = rs.create(org.db, org["clerk"], "agent", {"name": "华东代理", "bank_account": "6222 0200 1234"})
    assert a["code"] == "DL0001"
    assert rs.get(org.db, org["outsider"], "agent", a["id"])["name"] == "华东代理"
    with pytest.raises(Forbidden):
        rs.update(org.db, org["outsider"], "agent", a["id"], {"region": "华东"})
    with pytest.raises(Forbidden):
        rs.delete(org.db, org["sales_lead"], "agent", a["id"])
    assert rs.update(org.db, org["admin"], "agent", a["id"], {"region": "华东"})["region"] == "华东"


def test_leave_balances_set_by_hr_read_by_the_user(org):
    with pytest.raises(Forbidden):
        rs.create(org.db, org["clerk"], "leave_balance", {"user": "clerk", "leave_type": "annual", "days": 99})
    b = rs.create(org.db, org["hr1"], "leave_balance", {"user": "clerk", "leave_type": "annual", "days": "5.5"})
    assert b["days"] == "5.5"
    assert [x["days"] for x in rs.list_records(org.db, org["clerk"], "leave_balance")[0]] == ["5.5"]
    assert rs.list_records(org.db, org["clerk2"], "leave_balance")[1] == 0
    with pytest.raises(Forbidden):
        rs.update(org.db, org["clerk"], "leave_balance", b["id"], {"days": 50})
    with pytest.raises(NotFound):
        rs.get(org.db, org["clerk2"], "leave_balance", b["id"])


def test_expense_claims_claimant_chain_and_finance(org):
    c = rs.create(org.db, org["clerk"], "customer", {"name": "甲"})
    claim = rs.create(org.db, org["clerk"], "expense_claim", {"title": "出差", "lines": [
        {"date": "2026-03-01", "category": "transport", "amount": "120.50", "customer": c["id"]},
        {"date": "2026-03-02", "category": "travel", "amount": 380}]})
    assert claim["total"] == "500.50" and claim["claimant"] == "clerk" and len(claim["lines"]) == 2
    assert claim["lines"][0]["customer"] == c["id"]
    assert rs.get(org.db, org["fin1"], "expense_claim", claim["id"])["total"] == "500.50"
    assert rs.get(org.db, org["sales_lead"], "expense_claim", claim["id"])["id"] == claim["id"]
    with pytest.raises(NotFound):
        rs.get(org.db, org["clerk2"], "expense_claim", claim["id"])
    with pytest.raises(Forbidden):
        rs.update(org.db, org["fin1"], "expense_claim", claim["id"], {"title": "改"})
    with pytest.raises(ValidationFailed) as e:
        rs.update(org.db, org["clerk"], "expense_claim", claim["id"], {"claimant": "clerk2"})
    assert set(e.value.fields) == {"claimant"}
    with pytest.raises(ValidationFailed) as e:  # the status follows the reimbursement process
        rs.update(org.db, org["clerk"], "expense_claim", claim["id"], {"status": "paid"})
    assert set(e.value.fields) == {"status"}
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk"], "expense_claim", {"lines": [{"date": "x", "amount": 0, "bogus": 1}, 3]})
    assert set(e.value.fields) == {"lines.0.date", "lines.0.amount", "lines.0.category", "lines.0.bogus",
                                   "lines.1"}


def test_tickets_and_settlements(org):
    t = rs.create(org.db, org["clerk"], "ticket", {"complainant": "刘先生", "content": "软件无法启动",
                                                   "handler": "outsider", "expected_at": "2026-05-01T10:00:00+08:00"})
    assert t["status"] == "open" and t["expected_at"] == "2026-05-01T02:00:00+00:00"
    assert rs.get(org.db, org["legal_head"], "ticket", t["id"])["id"] == t["id"]  # the handler's supervisor
    with pytest.raises(NotFound):
        rs.get(org.db, org["clerk2"], "ticket", t["id"])
    with pytest.raises(ValidationFailed) as e:
        rs.update(org.db, org["outsider"], "ticket", t["id"], {"satisfaction": 6})
    assert set(e.value.fields) == {"satisfaction"}
    a = rs.create(org.db, org["admin"], "agent", {"name": "代理"})
    st = rs.create(org.db, org["clerk"], "settlement", {"agent": a["id"], "period": "2026-Q1", "fees": "10000"})
    assert st["amount"] is None and st["status"] == "draft"
    with pytest.raises(ValidationFailed) as e:  # the ratio is set by 技术支持中心 in the settlement process
        rs.update(org.db, org["clerk"], "settlement", st["id"], {"ratio": "0.35"})
    assert "process" in e.value.fields["ratio"]
    with org.db.uow(write=True) as s:
        st = rs.process_update(s, "settlement", st["id"], {"ratio": "0.35", "settlement_method": "offset"})
    assert st["amount"] == "3500.00" and st["ratio"] == "0.3500"
    assert rs.get(org.db, org["fin2"], "settlement", st["id"])["amount"] == "3500.00"
    assert rs.update(org.db, org["clerk"], "settlement", st["id"], {"fees": 20000})["amount"] == "7000.00"
    with pytest.raises(ValidationFailed) as e:
        rs.update(org.db, org["admin"], "settlement", st["id"], {"ratio": 1.5, "settlement_method": "cash"})
    assert set(e.value.fields) == {"ratio", "settlement_method"}


def test_reach_is_read_once_per_session_and_again_after_the_session_changes_a_supervisor(org):
    from sqlalchemy import event

    from crm.models import User
    from crm.records.permissions import reach

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if " ".join(statement.split()).startswith("WITH RECURSIVE below"):
            statements.append(statement)  # the supervisor tree, as reach walks it

    event.listen(org.db.engine, "before_cursor_execute", count)
    try:
        with org.db.uow(write=True) as s:
            lead = s.get(User, org["sales_lead"])
            assert reach(s, lead) == {org["sales_lead"], org["clerk"], org["clerk2"]}
            assert reach(s, lead) == {org["sales_lead"], org["clerk"], org["clerk2"]}
            assert len(statements) == 1  # the second answer is remembered
            s.get(User, org["clerk2"]).supervisor_id = org["sales_head"]  # not flushed yet
            assert reach(s, lead) == {org["sales_lead"], org["clerk"]}  # the change is seen
            s.get(User, org["clerk2"]).supervisor_id = org["sales_lead"]
        with org.db.uow() as s:  # a new session reads again
            before = len(statements)
            assert reach(s, s.get(User, org["sales_lead"])) == {org["sales_lead"], org["clerk"], org["clerk2"]}
            assert len(statements) == before + 1
    finally:
        event.remove(org.db.engine, "before_cursor_execute", count)
