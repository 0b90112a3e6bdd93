"""`python app.py demo-data` on a fresh database after the `make run` setup commands: the demo CRM
records and process instances load, data permissions hold on them, every demo user finds something
in their inbox, and a second run creates nothing."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import main as app_cli
from core.errors import NotFound
from crm import records as rs
from crm.models import User
from crm.records import Agent, Contact, Contract, Customer, ExpenseClaim, LeaveBalance, Opportunity, ServiceTicket
from db.session import Database
from demo.instances import COUNTERSIGNS, GENERAL_REQUESTS, load_demo_instances
from demo.opportunities import OPPORTUNITIES
from demo.org import USERS, load_demo
from demo.records import LEAVE_DAYS, SALES_OWNERS, build_dataset, load_demo_records
from engine import inbox
from engine.models import HumanTask, ProcessInstance

ROOT = Path(__file__).resolve().parents[2]
SALES = [u for u, _ in SALES_OWNERS]
EXPECTED = {"customers": 50, "agents": 4, "contracts": 12, "tickets": 6, "expense_claims": 2,
            "leave_balances": len(USERS) * len(LEAVE_DAYS), "opportunities": len(OPPORTUNITIES)}
MODELS = {"opportunities": Opportunity, "customers": Customer, "contacts": Contact, "agents": Agent, "contracts": Contract,
          "tickets": ServiceTicket, "expense_claims": ExpenseClaim, "leave_balances": LeaveBalance,
          "instances": ProcessInstance, "tasks": HumanTask}


def _run(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "LIUZHUAN_ADMIN_PASSWORD": "admin-pw-123", "LIUZHUAN_SECRET_KEY": "test"}
    out = subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _printed_counts(out: str) -> dict[str, int]:
    line = next(x for x in out.splitlines() if x.startswith("demo records created:"))
    counts = {kind.replace(" ", "_"): int(n) for n, kind in re.findall(r"(\d+) ([a-z ]+?)(?:,|$)", line)}
    counts["instances"] = int(re.search(r"instances started: (\d+)", out).group(1))  # type: ignore[union-attr]
    return counts


def _table_counts(db: Database) -> dict[str, int]:
    with db.uow() as s:
        return {k: s.scalar(select(func.count()).select_from(m)) or 0 for k, m in MODELS.items()}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    # the `make run` setup commands, in this process (tests/test_cli__fresh_process.py runs them
    # in fresh processes); demo-data, the subject here, runs as its own process below
    for cmd in ("init-db", "create-admin", "demo", "deploy-all"):
        assert app_cli(["--database-url", url, cmd]) == 0, cmd
    first = _printed_counts(_run(url, "demo-data"))
    db = Database(url)
    with db.uow() as s:
        uid = {u.username: u.id for u in s.scalars(select(User))}
    yield db, first, uid
    db.dispose()


def test_counts_are_as_printed_and_expected(setup):
    db, first, _ = setup
    for kind, n in EXPECTED.items():
        assert first[kind] == n, kind
    assert 50 <= first["contacts"] <= 150
    assert first["instances"] == len(GENERAL_REQUESTS) + len(COUNTERSIGNS)
    table = _table_counts(db)
    for kind in EXPECTED | {"contacts": 0, "instances": 0}:
        assert table[kind] == first[kind], kind
    with db.uow() as s:
        customers = list(s.scalars(select(Customer)))
        assert all(c.service_auth_no and len(c.service_auth_no) == 12 for c in customers)
        assert all(1 <= len(c.contacts) <= 3 for c in customers)
        assert any(c.vip for c in customers) and not all(c.vip for c in customers)
        assert len({c.region for c in customers}) >= 5
        statuses = [c.status for c in s.scalars(select(Contract))]
        assert set(statuses) == {"draft", "under_review", "signed", "rejected"}
        assert statuses.count("draft") >= 4
        assert len({t.status for t in s.scalars(select(ServiceTicket))}) >= 4
        ends = {(i.status, i.end_event) for i in s.scalars(select(ProcessInstance))}
    assert {("running", None), ("completed", "end_approved"), ("completed", "end_rejected"),
            ("completed", "end_signed"), ("withdrawn", None)} <= ends


def test_every_salesperson_owns_customers_and_a_draft_contract_to_submit(setup):
    db, _, uid = setup
    with db.uow() as s:
        for user, n in SALES_OWNERS:
            assert s.scalar(select(func.count()).select_from(Customer).where(Customer.owner_id == uid[user])) == n
            assert s.scalar(select(func.count()).select_from(Contract).where(
                Contract.owner_id == uid[user], Contract.status == "draft")), user


def _visible_owners(db: Database, user_id: int, kind: str = "customer") -> tuple[set[str], int]:
    rows, total = rs.list_records(db, user_id, kind, limit=500)
    return {r["owner"] for r in rows} if kind == "customer" else {r["customer"] for r in rows}, total


def test_data_permissions_hold_on_the_demo_records(setup):
    db, _, uid = setup
    owners, total = _visible_owners(db, uid["zhangsan"])
    assert owners == {"zhangsan"} and total == dict(SALES_OWNERS)["zhangsan"]
    owners, total = _visible_owners(db, uid["zhouqiang"])
    assert owners == {"zhouqiang", "zhangsan", "lisi"}
    assert total == sum(n for u, n in SALES_OWNERS if u != "lijun")
    owners, total = _visible_owners(db, uid["lijun"])
    assert owners == set(SALES) and total == 50
    assert _visible_owners(db, uid["zhaomin"]) == (set(), 0)

    lisi_customer = rs.list_records(db, uid["lisi"], "customer", limit=1)[0][0]
    with pytest.raises(NotFound):
        rs.get(db, uid["zhangsan"], "customer", lisi_customer["id"])
    assert rs.get(db, uid["zhouqiang"], "customer", lisi_customer["id"])["owner"] == "lisi"

    mine = {c["id"] for c in rs.list_records(db, uid["zhangsan"], "customer", limit=500)[0]}
    contacts = rs.list_records(db, uid["zhangsan"], "contact", limit=500)[0]
    contracts = rs.list_records(db, uid["zhangsan"], "contract", limit=500)[0]
    assert contacts and {c["customer"] for c in contacts} <= mine
    assert contracts and {c["customer"] for c in contracts} <= mine
    assert [b["leave_type"] for b in rs.list_records(db, uid["zhangsan"], "leave_balance")[0]] != []
    assert rs.list_records(db, uid["wufang"], "leave_balance", limit=500)[1] == len(USERS) * len(LEAVE_DAYS)


def test_opportunities_are_in_different_stages_and_seen_by_their_people(setup):
    db, _, uid = setup
    with db.uow() as s:
        rows = list(s.scalars(select(Opportunity)))
        assert {o.status for o in rows} == {"unassigned", "developing", "lost"}
        assert len({o.stage for o in rows}) >= 3
        assert any(o.customer_id for o in rows if o.status == "developing")
    mine, _n = rs.list_records(db, uid["zhangsan"], "opportunity", limit=100)
    assert mine and {o["owner"] or o["created_by"] for o in mine} == {"zhangsan"}
    assert any(o["plan"] for o in (rs.get(db, uid["zhangsan"], "opportunity", o["id"]) for o in mine))
    team = rs.list_records(db, uid["zhouqiang"], "opportunity", limit=100)[1]
    assert team == len(OPPORTUNITIES)  # his team's, and the one he entered for 李军
    assert rs.list_records(db, uid["lijun"], "opportunity", limit=100)[1] >= 1
    assert rs.list_records(db, uid["zhaomin"], "opportunity", limit=100)[1] == 0


def test_every_demo_user_finds_their_inbox_populated(setup):
    db, _, uid = setup
    for user in SALES:
        todo, done = (inbox.list_box(db, uid[user], box, 0, 100)[1] for box in ("todo", "done"))
        assert todo + done >= 1, user
    for user in USERS:
        assert sum(inbox.list_box(db, uid[user.username], box, 0, 100)[1] for box in inbox.BOXES), user.username
    assert inbox.list_box(db, uid["zhouqiang"], "todo", 0, 100)[1] >= 1  # waiting at the supervisor


def test_second_run_creates_nothing(setup):
    db, _, _ = setup
    before = _table_counts(db)
    again = _printed_counts(_run(db.url, "demo-data"))
    assert set(again.values()) == {0}
    assert _table_counts(db) == before


def test_dataset_is_stable():
    day = date(2026, 5, 31)
    assert build_dataset(day) == build_dataset(day)


def test_instances_are_skipped_when_processes_are_not_deployed(db):
    load_demo(db)
    counts = load_demo_records(db)
    assert counts["customers"] == 50
    assert load_demo_instances(db) == 0
    assert load_demo_records(db) == dict.fromkeys(counts, 0)
