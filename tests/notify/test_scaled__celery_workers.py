"""Scaled mode end to end: real Celery workers (subprocesses, `celery -A celery_app worker`) on the
real Redis and PostgreSQL deliver an approval's notification and run the tick; with two workers
ticking at once a timer fires once; with one worker killed (SIGKILL) the other carries on."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from sqlalchemy import func, select, update

from core.config import load_notify
from crm.models import User
from db import migrate
from db.base import utcnow
from db.session import Database
from engine import instances
from engine.design import definitions
from engine.models import AuditEvent, Timer
from notify import runner
from notify.models import Notification
from tests.api.conftest import TWO_STEP
from tests.bpmn_factory import chain, user_task
from tests.conftest import REQUIRE_PG
from tests.engine import helpers as h
from tests.org import build_org

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/15"
REMIND = chain("scaled_remind", [user_task("n", "any", "users", "v01",
                                           extra='<lz:deadline duration="PT1H" action="remind"/>')], prefix="SR")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("celery")]


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if REQUIRE_PG:
            pytest.fail("Redis is required (LIUZHUAN_REQUIRE_PG=1) but not reachable at 127.0.0.1:6379")
        pytest.skip("Redis not reachable at 127.0.0.1:6379")


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def scaled(pg_url, tmp_path) -> Iterator[dict]:
    _redis_or_skip()
    redis.Redis.from_url(BROKER).flushdb()
    migrate.upgrade(pg_url)
    db = Database(pg_url)
    org = build_org(db)
    env = {**os.environ, "DATABASE_URL": pg_url, "LIUZHUAN_BROKER": BROKER, "LIUZHUAN_INSTANCE_DIR": str(tmp_path),
           "LIUZHUAN_BASE_URL": "http://lz.scaled", "PYTHONPATH": str(ROOT)}
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool", "solo",
                              "--hostname", f"t{uuid.uuid4().hex[:6]}@%h", "--loglevel", "WARNING"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "w.log", "ab"))
        workers.append(p)
        return p

    sender = Celery("test-sender", broker=BROKER)
    before = dict(runner._state)
    conf = load_notify({}, outbox_dir=tmp_path / "outbox", broker=BROKER)
    runner.configure(conf, "celery", lambda ids: sender.send_task("liuzhuan.deliver", args=[ids]))
    try:
        yield {"db": db, "org": org, "start_worker": start_worker, "sender": sender, "outbox": tmp_path / "outbox"}
    finally:
        runner._state.update(before)
        for p in workers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in workers:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        db.dispose()


def _email_rows(db: Database) -> list[Notification]:
    with db.uow() as s:
        return list(s.scalars(select(Notification).where(Notification.channel == "email").order_by(Notification.id)))


def test_workers_deliver_an_approvals_notification_and_fire_a_timer_once(scaled):
    db, org = scaled["db"], scaled["org"]
    with db.uow(write=True) as s:
        s.get(User, org["sales_lead"]).email = "lead@example.com"
        s.get(User, org["clerk"]).email = "clerk@example.com"
    w1, _w2 = scaled["start_worker"](), scaled["start_worker"]()
    definitions.deploy(db, TWO_STEP, org["admin"])
    definitions.deploy(db, REMIND, org["admin"])
    iid = instances.start_process(db, org["clerk"], "two_step", {})["id"]
    wait_for(lambda: [n.status for n in _email_rows(db)] == ["sent"], "the new-task e-mail")
    (eml,) = list(scaled["outbox"].glob("*.eml"))
    assert b"To: lead@example.com" in eml.read_bytes()

    # the tick through the workers: two ticks at once, the timer fires once
    rid = instances.start_process(db, org["clerk"], "scaled_remind", {})["id"]
    with db.uow(write=True) as s:
        s.execute(update(Timer).where(Timer.instance_id == rid).values(due_at=utcnow() - timedelta(minutes=1)))
    for _ in range(2):
        scaled["sender"].send_task("liuzhuan.tick")

    def reminds() -> int:
        with db.uow() as s:
            return s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.instance_id == rid, AuditEvent.action == "remind")) or 0

    wait_for(lambda: reminds() == 1, "the deadline reminder")
    scaled["sender"].send_task("liuzhuan.tick")
    time.sleep(2)
    assert reminds() == 1

    # one worker killed: the other delivers the next notifications (the decision to the initiator)
    w1.send_signal(signal.SIGKILL)
    w1.wait(10)
    for user in ("sales_lead", "v01", "v02"):
        h.approve(org, user, iid)
    wait_for(lambda: any(n.kind == "decided" and n.status == "sent" for n in _email_rows(db)), "the decision e-mail")
