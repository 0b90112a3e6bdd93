"""The scaled mode's Celery app (LIUZHUAN_BROKER=redis://...): a composition root like app.py.

    celery -A celery_app worker     delivers notifications (task liuzhuan.deliver), continues instances
                                    past service tasks (liuzhuan.continue) and runs ticks
    celery -A celery_app beat       sends liuzhuan.tick every LIUZHUAN_TIMER_INTERVAL seconds

The tick fires due timers (engine/timers.py: claimed, so any number of beats and workers fire each
once), tells of tasks due soon and sends what is due (notify/jobs.py). Tasks are acknowledged
after they ran (acks_late) and given back when a worker dies, so a worker killed mid-delivery
loses nothing; the outbox row's claim makes a second delivery of a sent row do nothing.
"""
from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_init

from app import wire
from core import limits
from core.config import load, load_notify
from db.session import Database

_conf, _notify = load(), load_notify()
limits.configure(_conf.limits)  # the tick runs timers and scripts here too
celery = Celery("liuzhuan", broker=_notify.broker or "redis://127.0.0.1:6379/0")
celery.conf.update(
    task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True, task_ignore_result=True, worker_hijack_root_logger=False,
    beat_schedule={"tick": {"task": "liuzhuan.tick", "schedule": _conf.timer_interval}},
)
app = celery  # `celery -A celery_app` finds it under either name
_state: dict[str, Any] = {}


@worker_init.connect
def _load_before_the_pool_forks(sender: Any = None, **_: Any) -> None:
    """The word dictionary of the search index (jieba: ~1 s of CPU and ~100 MB to load) is loaded once
    here, in the worker's main process before its prefork pool starts, so the pool's children share
    it instead of each loading its own on their first indexed write. A worker without children (the
    solo or thread pools) loads it on first use, as before: it may never index anything."""
    pool = getattr(sender, "pool_cls", "prefork")
    if "prefork" not in (pool if isinstance(pool, str) else f"{pool.__module__}.{pool.__name__}").lower():
        return
    from search import tokens

    tokens.load()


def database() -> Database:
    """This worker process's database (created after the fork, on first use)."""
    if "db" not in _state:
        from notify import runner

        wire()
        runner.configure(_notify, "celery", send_later)
        _state["db"] = Database(_conf.database_url)
    db: Database = _state["db"]
    return db


@celery.task(name="liuzhuan.deliver")
def deliver_task(ids: list[int]) -> int:
    from notify import deliver

    return deliver.deliver(database(), [int(i) for i in ids], _notify)


@celery.task(name="liuzhuan.tick")
def tick_task() -> int:
    from engine.timers import fire_due_timers
    from notify import jobs

    db = database()
    fired = fire_due_timers(db)
    jobs.tick(db)
    return fired


@celery.task(name="liuzhuan.continue")
def continue_task(timer_id: int) -> int:
    """Continue an instance past the service task its action stopped before (engine/continuation.py):
    the "continue" timer fires once, in its own locked transaction; run twice, the second does nothing."""
    from engine.timers import fire_due_timers

    return fire_due_timers(database(), timer_id=int(timer_id))


def continue_later(timer_id: int) -> None:
    """After a commit (engine.continuation, scaled mode): the continuation becomes a task."""
    continue_task.delay(int(timer_id))


def send_later(ids: list[int]) -> None:
    """After a commit (notify.runner, mode "celery"): the rows to send become a task."""
    deliver_task.delay(list(ids))
