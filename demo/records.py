"""Demo CRM records for the demo organisation (华信科技, demo/org.py): customers with contacts,
agents, contracts, service tickets, expense claims, leave balances, the asset register and sales
opportunities in different stages (demo/opportunities.py).

`load_demo_records(database)` is what `python app.py demo-data` calls (after `demo`). Everything
is created through crm/records/service.py as the demo user who would enter it, so validation,
numbering (客户编号, 合同编号, 代理商编号, 服务授权编号) and data permissions apply exactly as in
the app:

- customers (and their contacts) are entered by their salesperson: zhangsan, lisi, zhouqiang and
  lijun each own a share, so zhangsan sees only his, zhouqiang his own + zhangsan's + lisi's, and
  lijun all of them;
- contracts are entered by the customer's salesperson; most are `draft` (ready for the 合同会签
  process), two from last year are `signed`;
- agents (代理商) are entered by 郑涛 (商务部); tickets by the salesperson of the customer (or
  客服 韩梅 for a hotline call) and handled by 褚伟 / 韩梅; expense claims by their claimant;
  leave balances for every demo user by 吴芳 (hr).

The dataset (demo/dataset.py) is generated from a fixed random seed, so it is the same on every
machine. Loading is idempotent per record: a record whose natural key (customer name, contract title, agent name,
ticket content, claim title per claimant, leave type per user, contact name per customer)
already exists is skipped, so a second run creates nothing. Returns the counts created.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.errors import NotFound
from crm import assets
from crm import records as rs
from crm.models import User
from crm.office_models import Asset
from crm.records import Agent, Contact, Contract, Customer, ExpenseClaim, LeaveBalance, ServiceTicket
from db.session import Database
from demo.dataset import AGENT_USER, HR_USER, LEAVE_DAYS, Dataset, build_dataset
from demo.dataset import SALES_OWNERS as SALES_OWNERS
from demo.opportunities import load_demo_opportunities
from demo.org import USERS


def _user_ids(database: Database) -> dict[str, int]:
    with database.uow() as s:
        found = {u.username: u.id for u in s.scalars(select(User).where(
            User.username.in_([u.username for u in USERS])))}
    missing = [u.username for u in USERS if u.username not in found]
    if missing:
        raise NotFound(f"demo user(s) {', '.join(missing)} not found: run `python app.py demo` first")
    return found


def load_demo_records(database: Database) -> dict[str, int]:
    """Create the demo CRM records that do not exist yet; return how many of each were created."""
    uid = _user_ids(database)
    data = build_dataset()
    counts = {"customers": 0, "contacts": 0, "agents": 0, "contracts": 0, "tickets": 0, "expense_claims": 0,
              "leave_balances": 0, "assets": 0, "opportunities": 0}
    have = _existing(database)
    ids = _load_customers(database, uid, data, have, counts)
    for agent in data.agents:
        if agent["name"] not in have.agents:
            rs.create(database, uid[AGENT_USER], "agent", agent)
            counts["agents"] += 1
    _load_contracts(database, uid, data, ids, have, counts)
    _load_tickets_and_claims(database, uid, data, ids, have, counts)
    for user in USERS:
        for leave_type, days in LEAVE_DAYS:
            if (uid[user.username], leave_type) not in have.leaves:
                rs.create(database, uid[HR_USER], "leave_balance",
                          {"user": user.username, "leave_type": leave_type, "days": days})
                counts["leave_balances"] += 1
    counts["assets"] = _load_assets(database, uid)
    customers_of: dict[str, list[int]] = {}
    for spec, cid in zip(data.customers, ids, strict=True):
        customers_of.setdefault(spec.owner, []).append(cid)
    counts["opportunities"] = load_demo_opportunities(database, uid, customers_of)
    return counts


# The asset register the library's 资产领用/借用 process picks from (bpmn/library/asset_request.bpmn)
ASSETS: list[tuple[str, str, str]] = [
    ("ZC-0001", "笔记本电脑 ThinkPad T14", "IT"), ("ZC-0002", "笔记本电脑 MacBook Air", "IT"),
    ("ZC-0003", "投影仪 爱普生 CB-X50", "办公"), ("ZC-0004", "会议平板 MAXHUB 65寸", "办公"),
    ("ZC-0005", "单反相机 佳能 EOS R6", "影像"), ("ZC-0006", "测试手机 华为 Mate 60", "IT"),
]


def _load_assets(database: Database, uid: dict[str, int]) -> int:
    """The demo asset register, entered by 吴芳 (hr, the asset keeper); existing tags are skipped."""
    with database.uow(write=True) as s:
        have = set(s.scalars(select(Asset.tag)))
        new = [a for a in ASSETS if a[0] not in have]
        for tag, name, category in new:
            assets.create(s, tag, name, category, uid[HR_USER])
    return len(new)


@dataclass
class _Existing:
    """The natural keys of the records already there."""

    customer_ids: dict[str, int]  # name -> id
    contacts: set[tuple[int, str]]  # (customer id, name)
    agents: set[str]
    contracts: set[str]  # titles
    tickets: set[str]  # contents
    claims: set[tuple[int, str]]  # (claimant id, title)
    leaves: set[tuple[int, str]]  # (user id, leave type)


def _existing(database: Database) -> _Existing:
    with database.uow() as s:
        return _Existing(
            customer_ids={name: cid for cid, name in s.execute(select(Customer.id, Customer.name))},
            contacts={(a, b) for a, b in s.execute(select(Contact.customer_id, Contact.name))},
            agents=set(s.scalars(select(Agent.name))),
            contracts=set(s.scalars(select(Contract.title))),
            tickets=set(s.scalars(select(ServiceTicket.content))),
            claims={(a, b) for a, b in s.execute(select(ExpenseClaim.claimant_id, ExpenseClaim.title))},
            leaves={(a, b) for a, b in s.execute(select(LeaveBalance.user_id, LeaveBalance.leave_type))},
        )


def _load_customers(database: Database, uid: dict[str, int], data: Dataset, have: _Existing,
                    counts: dict[str, int]) -> list[int]:
    """Customers (each followed by its contacts); returns the id of every customer of the dataset."""
    ids: list[int] = []
    for spec in data.customers:
        cid = have.customer_ids.get(spec.payload["name"])
        if cid is None:
            payload = {k: v for k, v in spec.payload.items() if k != "vip"}
            cid = rs.create(database, uid[spec.owner], "customer", payload)["id"]
            if spec.payload.get("vip"):  # VIP status comes through the VIP process; demo rows start as approved
                with database.uow(write=True) as s:
                    rs.process_update(s, "customer", cid, {"vip": True})
            counts["customers"] += 1
        ids.append(cid)
        for contact in spec.contacts:
            if (cid, contact["name"]) not in have.contacts:
                rs.create(database, uid[spec.owner], "contact", contact, customer_id=cid)
                counts["contacts"] += 1
    return ids


def _load_contracts(database: Database, uid: dict[str, int], data: Dataset, ids: list[int], have: _Existing,
                    counts: dict[str, int]) -> None:
    for owner, ci, payload, signed in data.contracts:
        if payload["title"] in have.contracts:
            continue
        row = rs.create(database, uid[owner], "contract", {**payload, "customer": ids[ci]})
        if signed:
            with database.uow(write=True) as s:
                rs.set_status(s, "contract", row["id"], "signed")
        counts["contracts"] += 1


def _load_tickets_and_claims(database: Database, uid: dict[str, int], data: Dataset, ids: list[int],
                             have: _Existing, counts: dict[str, int]) -> None:
    for creator, tci, ticket in data.tickets:
        if ticket["content"] not in have.tickets:
            linked = {"customer": ids[tci]} if tci is not None else {}
            rs.create(database, uid[creator], "ticket", {**ticket, **linked})
            counts["tickets"] += 1
    for claimant, claim, lines in data.claims:
        if (uid[claimant], claim["title"]) not in have.claims:
            rows = [{**line, **({"customer": ids[ci]} if ci is not None else {})} for ci, line in lines]
            rs.create(database, uid[claimant], "expense_claim", {**claim, "lines": rows})
            counts["expense_claims"] += 1
