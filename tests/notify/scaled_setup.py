"""The scaled mode's test setup: real Celery workers (`celery -A celery_app worker`, subprocesses)
on the real Redis and PostgreSQL; this test process writes as a web process of the scaled mode does
(its commits hand their notifications to the workers through the broker)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from core.config import load_notify
from db import migrate
from db.session import Database
from notify import runner
from tests.conftest import REQUIRE_PG
from tests.org import build_org

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/15"


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if REQUIRE_PG:
            pytest.fail("Redis is required (LIUZHUAN_REQUIRE_PG=1) but not reachable at 127.0.0.1:6379")
        pytest.skip("Redis not reachable at 127.0.0.1:6379")


def wait_for(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def scaled(pg_url, tmp_path) -> Iterator[dict[str, Any]]:
    """{db, org, start_worker(**env), configure(**notify settings), sender, outbox, log}."""
    redis_or_skip()
    redis.Redis.from_url(BROKER).flushdb()
    migrate.upgrade(pg_url)
    db = Database(pg_url)
    org = build_org(db)
    env = {**os.environ, "DATABASE_URL": pg_url, "LIUZHUAN_BROKER": BROKER, "LIUZHUAN_INSTANCE_DIR": str(tmp_path),
           "LIUZHUAN_BASE_URL": "http://lz.scaled", "PYTHONPATH": str(ROOT)}
    workers: list[subprocess.Popen] = []
    sender = Celery("test-sender", broker=BROKER)
    log = tmp_path / "w.log"

    def start_worker(wait: bool = False, **more_env: str) -> subprocess.Popen:
        """A worker process (solo pool: the process that is killed is the one sending). With `wait`,
        returns once it answers a ping (it consumes from the queue from then on)."""
        name = f"t{uuid.uuid4().hex[:6]}@test"
        p = subprocess.Popen([sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool", "solo",
                              "--hostname", name, "--loglevel", "WARNING"],
                             cwd=ROOT, env={**env, **more_env}, stdout=subprocess.DEVNULL, stderr=open(log, "ab"))
        workers.append(p)
        if wait:
            wait_for(lambda: bool(sender.control.ping(destination=[name], timeout=0.5)), f"worker {name}")
        return p

    def configure(**overrides: Any) -> None:
        conf = load_notify({}, outbox_dir=tmp_path / "outbox", broker=BROKER, **overrides)
        runner.configure(conf, "celery", lambda ids: sender.send_task("liuzhuan.deliver", args=[ids]))

    before = dict(runner._state)
    configure()
    try:
        yield {"db": db, "org": org, "start_worker": start_worker, "configure": configure, "sender": sender,
               "outbox": tmp_path / "outbox", "log": log}
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
