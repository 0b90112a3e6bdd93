"""Business keys (engine/keys.py) under concurrent starts: the per prefix-and-year counter is taken
under a row lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE), so simultaneous
starts, including the very first ones that create the counter row, get distinct consecutive keys
and none fails."""
from __future__ import annotations

import threading

from sqlalchemy import select

from db.base import utcnow
from engine.models import KeySequence, ProcessInstance
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h

N = 12


def _start_together(org, key: str, n: int) -> list[int]:
    barrier = threading.Barrier(n)
    started: list[int] = []
    errors: list[BaseException] = []

    def go() -> None:
        try:
            barrier.wait(timeout=30)
            started.append(h.start(org, "clerk", key))
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=go) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(started) == n
    return started


def test_simultaneous_starts_get_distinct_consecutive_business_keys(any_org):
    org = any_org
    key = h.deploy(org, chain("keyed", [user_task("sup", "any", "supervisor")], prefix="KY"))
    first = _start_together(org, key, N)  # no counter row yet: every start races to create it
    second = _start_together(org, key, N)  # the row exists: every start waits for its lock
    year = utcnow().year
    with org.db.uow() as s:
        keys = sorted(s.scalars(select(ProcessInstance.business_key)
                                .where(ProcessInstance.id.in_(first + second))))
        counter = s.scalars(select(KeySequence).where(KeySequence.prefix == "KY")).one()
    assert keys == [f"KY-{year}-{i:06d}" for i in range(1, 2 * N + 1)]
    assert (counter.year, counter.value) == (year, 2 * N)
