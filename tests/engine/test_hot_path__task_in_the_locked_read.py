"""PostgreSQL reads the task in the same statement that locks its instance (issue 12). Rows joined to
a FOR UPDATE row come from the statement's snapshot: a voter who waited for the lock would see a task
the holder of the lock has just changed as it was. The locked row is then a newer version than the
snapshot's, and the task is read again: the second voter of an `any` node whose first voter decided
it meanwhile is told the task is no longer open, and the node is decided once."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from core.errors import Conflict
from engine import driver, runtime, tasks
from engine.models import AuditEvent
from engine.nodes import approval
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h


@pytest.mark.parametrize("any_db", ["postgresql", "sqlite"], indirect=True)
def test_a_voter_who_waited_for_the_lock_sees_the_task_as_the_holder_left_it(any_org):
    org = any_org
    key = h.deploy(org, chain("waited", [user_task("n1", "any", "users", "v01,v02"),
                                         user_task("n2", "any", "users", "v03")]))
    iid = h.start(org, "clerk", key)
    first, second = h.task_of(org, "v01", iid), h.task_of(org, "v02", iid)
    outcome: dict[str, object] = {}

    def vote_second() -> None:
        try:
            outcome["answer"] = tasks.approve(org.db, org["v02"], second, "我也同意")
        except Conflict as e:
            outcome["conflict"] = str(e)
        except BaseException as e:  # noqa: BLE001  (reported below)
            outcome["error"] = e

    with org.db.uow(write=True) as s:  # v01 decides the node, holding the lock ...
        ctx = runtime.load_for_task(s, first)
        t, act = tasks._my_open_task(ctx, first, org["v01"])
        approval.vote(ctx, act, t, org["v01"], True, "同意")
        driver.advance(ctx)
        runtime.save(ctx)
        waiter = threading.Thread(target=vote_second)
        if org.db.engine.dialect.name == "postgresql":
            waiter.start()
            time.sleep(0.5)  # ... while v02's approval waits for it (SQLite: writers take turns before BEGIN)
    if not waiter.is_alive() and org.db.engine.dialect.name == "sqlite":
        waiter.start()
    waiter.join(30)
    assert "error" not in outcome, outcome
    assert "no longer open" in str(outcome.get("conflict")), outcome
    assert h.open_assignees(org, iid) == {"n2": {"v03"}}
    with org.db.uow() as s:
        decided = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.instance_id == iid, AuditEvent.action == "decide"))
    assert decided == 1
