"""The task page is one read: one transaction (engine.task_page.task_page) and a bounded number of
SQL statements, whatever record cards, pickers and ballots it shows. Counted with SQLAlchemy's
engine events around one GET of the page. Before the one read (restructuring move 7) the contract
countersign page below took 12 transactions and 57 statements (10 and 45 for the head who sees the
contract only as submitted); with it, 2 and 21 (the signed-in user's read, as on every page, and the
page's 17), and 2 and 19."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from core.errors import Forbidden
from crm import records
from engine import instances, tasks
from engine.design import definitions
from engine.models import HumanTask
from engine.task_page import task_page
from tests.bpmn_factory import chain, user_task
from tests.web.conftest import signed_in

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
MAJORITY = chain("vote", [user_task("m", "majority", "users", "v01,v02,v03,v04,v05")], prefix="MJ")


# the page's own read, and the whole request (the signed-in user is read first, as on every page:
# web/users.py); measured 17 and 21 statements, 20 at most before TaskRead read the task with its
# activation, instance and definition in one statement and the viewer with the node's people (16
# since: engine/task_reads.py); the rest is margin
PAGE_STATEMENTS = 18
SIGNED_IN_USER_STATEMENTS = 1  # the user with department, supervisor and roles (crm.directory.me; was 4)


@dataclass
class Counts:
    """The SQL statements of each transaction begun while counting."""

    transactions: list[list[str]] = field(default_factory=list)

    @property
    def statements(self) -> int:
        return sum(len(t) for t in self.transactions)

    def __str__(self) -> str:
        return "\n\n".join("\n".join(" ".join(st.split())[:120] for st in t) for t in self.transactions)


@contextmanager
def counting(db: Any) -> Iterator[Counts]:
    counts = Counts()

    def on_begin(conn: Any) -> None:
        counts.transactions.append([])

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN is issued by db/session.py
            counts.transactions[-1].append(statement)

    event.listen(db.engine, "begin", on_begin)
    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield counts
    finally:
        event.remove(db.engine, "begin", on_begin)
        event.remove(db.engine, "before_cursor_execute", on_execute)


def open_task(org, user, instance_id):
    with org.db.uow() as s:
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.assignee_id == org[user], HumanTask.status == "open"))


def countersign(org) -> int:
    """A contract under countersign by the heads: sales_head may see it in the CRM, legal_head not."""
    definitions.deploy(org.db, (BPMN / "contract_countersign.bpmn").read_bytes(), org["admin"])
    customer = records.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    contract = records.create(org.db, org["clerk"], "contract",
                              {"customer": customer["id"], "title": "年度测绘服务", "amount": "250000.00"})
    return instances.start_process(org.db, org["clerk"], "contract_countersign",
                                   {"contract_id": contract["id"], "reason": "请会签"})["id"]


def counted_get(app, org, user: str, path: str) -> Counts:
    """GET `path` signed in as `user` (must answer 200), with the SQL of the request counted."""
    client = app.test_client()
    signed_in(client, user)
    with counting(org.db) as counts:
        r = client.get(path)
    assert r.status_code == 200
    return counts


def page_request(app, org, user: str, task_id: int) -> Counts:
    return counted_get(app, org, user, f"/tasks/{task_id}")


def assert_one_read(counts: Counts) -> None:
    signed_in_user, *page = counts.transactions
    assert len(signed_in_user) == SIGNED_IN_USER_STATEMENTS, "the first read is web/users.py's, as on every page"
    assert len(page) == 1, f"the page is one transaction, not {len(page)}:\n{counts}"
    assert len(page[0]) <= PAGE_STATEMENTS, f"{len(page[0])} statements:\n{counts}"


def test_the_task_page_is_one_transaction_with_a_bounded_number_of_statements(app, org):
    iid = countersign(org)
    for user in ("sales_head", "legal_head"):  # the contract card from the CRM, and as submitted
        assert_one_read(page_request(app, org, user, open_task(org, user, iid)))


def test_more_ballots_do_not_cost_more_statements(app, org):
    definitions.deploy(org.db, MAJORITY, org["admin"])
    iid = instances.start_process(org.db, org["clerk"], "vote", {})["id"]
    before = page_request(app, org, "v05", open_task(org, "v05", iid))
    tasks.approve(org.db, org["v01"], open_task(org, "v01", iid), "同意")
    tasks.reject(org.db, org["v02"], open_task(org, "v02", iid), "不同意")
    after = page_request(app, org, "v04", open_task(org, "v04", iid))
    assert_one_read(after)
    assert after.statements == before.statements


def test_the_read_itself_is_one_transaction_for_the_assignee_or_an_admin(org):
    iid = countersign(org)
    tid = open_task(org, "sales_head", iid)
    with counting(org.db) as counts:
        page = task_page(org.db, org["sales_head"], tid)
    assert len(counts.transactions) == 1 and counts.statements <= PAGE_STATEMENTS
    assert page["vote"]["n"] == 3 and page["vote"]["approved"] == 0
    assert [c["kind"] for c in page["records"]] == ["contract"] and page["people"]
    looking = task_page(org.db, org["admin"], tid)
    assert looking["task"]["actions"] == [] and looking["people"] == [], "admins may look but not act"
    with pytest.raises(Forbidden):
        task_page(org.db, org["legal_head"], tid)
