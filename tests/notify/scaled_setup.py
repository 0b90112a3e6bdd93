"""The scaled mode's test setup: real Celery workers (`celery -A celery_app worker`, subprocesses)
on the real Redis and PostgreSQL; this test process writes as a web process of the scaled mode does
(its commits hand their notifications to the workers through the broker).

Waiting is done on events, not on the clock: a task sent with `send` is waited for with `ran`,
which returns when a worker reports it finished (workers run with task events, `-E`, and this
process listens to them), so "nothing happened" is asserted after the task ran, however slow
the machine. Workers skip mingle (a 1 s wait for replies at start-up, syncing revoked task ids,
which Liuzhuan does not use) and are killed at teardown (nothing is asserted after the test; a
warm shutdown only waits for the event loop and the interpreter's exit)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
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
from tests.conftest import REQUIRE_PG, _need_pg, _pg_admin, _pg_url
from tests.org import Org, build_org

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/15"
_FINISHED = ("task-succeeded", "task-failed")


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
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class _Finished:
    """The ids of the tasks the workers report finished (their task events), collected by a thread."""

    def __init__(self, app: Celery) -> None:
        self.ids: set[str] = set()
        self._conn = app.connection_for_read()
        self._recv = app.events.Receiver(self._conn, handlers={"*": self._on})
        self._listening = threading.Event()
        threading.Thread(target=self._capture, name="lz-task-events", daemon=True).start()
        with app.connection_for_write() as conn:  # events are not queued: listen before any worker runs
            dispatcher = app.events.Dispatcher(conn, enabled=True)

            def heard() -> bool:
                dispatcher.send("lz-listening")
                return self._listening.wait(0.1)

            wait_for(heard, "this process to hear the task events")
            dispatcher.close()

    def _on(self, event: dict[str, Any]) -> None:
        if event["type"] in _FINISHED:
            self.ids.add(event["uuid"])
        elif event["type"] == "lz-listening":
            self._listening.set()

    def _capture(self) -> None:
        try:
            self._recv.capture(wakeup=False)
        except RuntimeError:  # kombu's redis channel.close() can trip over its own fanout dict when stopping
            if not self._recv.should_stop:
                raise
        finally:
            self._conn.release()

    def stop(self) -> None:
        self._recv.should_stop = True  # the thread ends within a second (its poll) and closes its connection


@pytest.fixture(scope="session")
def _scaled_template() -> Iterator[tuple[str, Org]]:
    """A migrated database with the organisation (once per xdist worker); each test gets a copy."""
    _need_pg()
    name = _pg_admin.create()
    db = Database(_pg_url(name))
    migrate.upgrade(db.url)
    org = build_org(db)
    db.dispose()
    yield name, org
    _pg_admin.drop(name)


@pytest.fixture
def scaled(_scaled_template, tmp_path) -> Iterator[dict[str, Any]]:
    """{db, org, start_worker(**env), configure(**notify settings), sender, send(task, *args), ran(*ids),
    outbox, log}."""
    redis_or_skip()
    redis.Redis.from_url(BROKER).flushdb()
    template, built = _scaled_template
    name = _pg_admin.create(template=template)
    pg_url = _pg_url(name)
    db = Database(pg_url)
    org = Org(db, dict(built.ids), dict(built.depts))
    env = {**os.environ, "DATABASE_URL": pg_url, "LIUZHUAN_BROKER": BROKER, "LIUZHUAN_INSTANCE_DIR": str(tmp_path),
           "LIUZHUAN_BASE_URL": "http://lz.scaled", "PYTHONPATH": str(ROOT)}
    workers: list[subprocess.Popen] = []
    sender = Celery("test-sender", broker=BROKER)
    finished = _Finished(sender)
    log = tmp_path / "w.log"

    def start_worker(wait: bool = False, **more_env: str) -> subprocess.Popen:
        """A worker process (solo pool: the process that is killed is the one sending). With `wait`,
        returns once it answers a ping (it consumes from the queue from then on)."""
        name = f"t{uuid.uuid4().hex[:6]}@test"
        with open(log, "ab") as err:
            p = subprocess.Popen([sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool", "solo",
                                  "--hostname", name, "--loglevel", "WARNING", "--task-events", "--without-mingle"],
                                 cwd=ROOT, env={**env, **more_env}, stdout=subprocess.DEVNULL, stderr=err)
        workers.append(p)
        if wait:
            wait_for(lambda: bool(sender.control.ping(destination=[name], timeout=0.5, limit=1)), f"worker {name}")
        return p

    def send(task: str, *args: Any) -> str:
        """Hand a task to the workers; its id for `ran`."""
        return str(sender.send_task(task, args=list(args)).id)

    def ran(*ids: str) -> None:
        """Returns once workers have run these tasks to their end."""
        wait_for(lambda: finished.ids.issuperset(ids), f"the workers to run {ids}")

    def configure(**overrides: Any) -> None:
        conf = load_notify({}, outbox_dir=tmp_path / "outbox", broker=BROKER, **overrides)
        runner.configure(conf, "celery", lambda ids: sender.send_task("liuzhuan.deliver", args=[ids]))

    before = dict(runner._state)
    configure()
    try:
        yield {"db": db, "org": org, "start_worker": start_worker, "configure": configure, "sender": sender,
               "send": send, "ran": ran, "outbox": tmp_path / "outbox", "log": log}
    finally:
        runner._state.update(before)
        for p in workers:
            if p.poll() is None:
                p.kill()
        for p in workers:
            p.wait(20)
        finished.stop()
        db.dispose()
        _pg_admin.drop_later(name)
