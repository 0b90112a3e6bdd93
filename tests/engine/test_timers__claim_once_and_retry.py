"""Scaled mode's timer guarantees (engine/timers.py): two ticks at once fire each timer exactly
once (claimed with FOR UPDATE SKIP LOCKED on PostgreSQL); a timer whose firing keeps failing is
retried with a growing delay, marked failed after MAX_ATTEMPTS, and never holds up the others."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from db.base import utcnow
from engine import timers
from engine.models import AuditEvent, ProcessInstance, Timer
from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h

REMIND = chain("claim_remind", [user_task("n", "any", "users", "v01", extra='<lz:deadline duration="PT1H" action="remind"/>')],
               prefix="CR")


def _reminds(org, iid: int) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.instance_id == iid, AuditEvent.action == "remind")) or 0


def test_two_ticks_at_once_fire_every_timer_exactly_once(any_org):
    org = any_org
    key = h.deploy(org, REMIND)
    ids = [h.start(org, "clerk", key) for _ in range(8)]
    now = utcnow() + timedelta(hours=2)
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def tick() -> None:
        barrier.wait()
        counts.append(timers.fire_due_timers(org.db, now))

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 8
    assert [_reminds(org, iid) for iid in ids] == [1] * 8
    assert timers.fire_due_timers(org.db, now + timedelta(hours=1)) == 0


def test_a_failing_timer_is_retried_with_backoff_then_failed_and_never_blocks_the_others(any_org):
    org = any_org
    key = h.deploy(org, REMIND)
    bad, good = h.start(org, "clerk", key), h.start(org, "clerk", key)
    with org.db.uow(write=True) as s:  # an instance whose saved state cannot be loaded any more
        s.execute(update(ProcessInstance).where(ProcessInstance.id == bad).values(state="{broken"))
    now = utcnow() + timedelta(hours=2)
    assert timers.fire_due_timers(org.db, now) == 1
    assert _reminds(org, good) == 1

    def bad_timer() -> Timer:
        with org.db.uow() as s:
            return s.scalars(select(Timer).where(Timer.instance_id == bad)).one()

    t = bad_timer()
    assert (t.attempts, t.failed_at, t.fired_at) == (1, None, None) and t.last_error
    assert timers.fire_due_timers(org.db, now + timedelta(seconds=1)) == 0  # waiting for its retry
    assert bad_timer().attempts == 1
    for attempt in range(2, timers.MAX_ATTEMPTS + 1):
        now += timers.retry_delay(attempt - 1) + timedelta(seconds=1)
        timers.fire_due_timers(org.db, now)
        assert bad_timer().attempts == attempt
    t = bad_timer()
    assert t.failed_at is not None and t.fired_at is None
    timers.fire_due_timers(org.db, now + timedelta(days=1))
    assert bad_timer().attempts == timers.MAX_ATTEMPTS  # left alone once failed
    # a new timer due meanwhile still fires: 200 failing ones no longer stop the tick
    later = h.start(org, "clerk", key)
    assert timers.fire_due_timers(org.db, utcnow() + timedelta(hours=2)) == 1
    assert _reminds(org, later) == 1
