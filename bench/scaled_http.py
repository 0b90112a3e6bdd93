"""Approvals per second through HTTP: gunicorn on PostgreSQL with 1, 2 and 4 processes (issue 13), or
on SQLite served the way `make run` serves it (issue 12).

The same script for each process count: a throw-away PostgreSQL database (bench/pgdb.py) with the
schema from the migrations, the demo organisation and a one-step approval process (zhouqiang
approves); `--approvals` instances per run are started beforehand through the engine (not timed).
Then gunicorn serves `app:serve_app()` as the scaled mode runs it (`--threads 4` per process,
LIUZHUAN_TIMERS=off: no timer loop in the web processes; LIUZHUAN_BROKER set, so each commit hands
its notifications to Redis — no Celery worker runs, so delivery is not part of the figure), and
`--clients` threads, each with its own keep-alive connection and bearer token, send
POST /api/v1/tasks/<id>/approve for every task, as fast as the answers come. Each run first
approves `--warmup` tasks (not counted). Reported: approvals per second (all answered 200), the
median and 95th percentile latency, the CPU time the web processes spent per approval (independent
of what else runs on the machine: one core serves 1000 / that figure approvals per second), and the
load average after the run (on a shared machine, `--repeat` interleaves rounds so each process
count sees the same background load).

`--database sqlite`: the same on a throw-away SQLite file, served as `make run` serves it — one
gunicorn process with 8 threads, LIUZHUAN_TIMERS=inprocess (the timer loop runs in the web
process), no broker (notifications are delivered after each commit in the web process).

Run: .venv/bin/python bench/scaled_http.py [--approvals N] [--clients N] [--processes 1,2,4]
                                           [--database sqlite] [--json PATH]
Needs PostgreSQL at 127.0.0.1:5432 (trust) and Redis at 127.0.0.1:6379 (skipped with the reason when
either is unreachable); `--database sqlite` needs neither.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crm.org  # noqa: E402
from app import wire  # noqa: E402
from bench import figures  # noqa: E402
from bench.pgdb import throwaway_pg  # noqa: E402
from db import migrate  # noqa: E402
from db.session import Database  # noqa: E402
from demo.org import DEFAULT_PASSWORD, load_demo  # noqa: E402
from engine import instances  # noqa: E402
from engine.design import definitions  # noqa: E402

crm.org.PASSWORD_METHOD = "pbkdf2:sha256:1000"
BROKER = "redis://127.0.0.1:6379/14"
APPROVER, CLERK = "zhouqiang", "zhangsan"
PROCESS = b'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:lz="urn:liuzhuan:bpmn:1"
  id="defs" targetNamespace="urn:bench">
<bpmn:process id="bench_approve" name="Bench approval" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="ok" name="ok"><bpmn:extensionElements><lz:approval mode="any"/>
    <lz:assignees strategy="users" value="zhouqiang"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ok"/>
  <bpmn:sequenceFlow id="f2" sourceRef="ok" targetRef="e"/>
</bpmn:process></bpmn:definitions>'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def open_tasks(db: Database, count: int, initiator: int) -> list[int]:
    """Start `count` instances; the ids of their open tasks (one each, the approver's)."""
    from sqlalchemy import select

    from engine.models import HumanTask

    ids = [instances.start_process(db, initiator, "bench_approve", {})["id"] for _ in range(count)]
    with db.uow() as s:
        return list(s.scalars(select(HumanTask.id).where(HumanTask.instance_id.in_(ids), HumanTask.status == "open")
                              .order_by(HumanTask.id)))


def request(conn: http.client.HTTPConnection, method: str, path: str, body: Any, token: str | None = None
            ) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, json.loads(data or b"null")


# How each database is served: gunicorn threads per process and the app's environment.
SCALED = {"threads": 4, "env": {"LIUZHUAN_TIMERS": "off", "LIUZHUAN_BROKER": BROKER}}
MAKE_RUN = {"threads": 8, "env": {"LIUZHUAN_TIMERS": "inprocess"}}  # the Makefile's `run` target


def serve(url: str, processes: int, port: int, log: Path, mode: dict[str, Any] = SCALED) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("LIUZHUAN_BROKER", "LIUZHUAN_TIMERS")}
    env.update({"DATABASE_URL": url, **mode["env"], "LIUZHUAN_SECRET_KEY": "bench-secret-key-bench-secret-key",
                "PYTHONPATH": str(ROOT)})
    p = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--workers", str(processes), "--threads",
                          str(mode["threads"]),
                          "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:serve_app()"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "ab"))
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/v1/openapi.json")
            if c.getresponse().status == 200:
                booted(p.pid, processes)
                return p
        except OSError:
            pass
        time.sleep(0.3)
    p.kill()
    raise RuntimeError(f"gunicorn did not answer (see {log})")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def web_cpu(master: int) -> float:
    """CPU seconds used so far by the master's worker processes."""
    return sum(_cpu_seconds(int(c)) for c in Path(f"/proc/{master}/task/{master}/children").read_text().split())


def booted(master: int, processes: int, timeout: float = 180) -> None:
    """Wait until the master has its `processes` workers and none of them is still importing the app
    (gunicorn loads the app in each worker after the fork: on 2 loaded cores that takes seconds of
    CPU, which must not be counted against the approvals)."""
    end = time.monotonic() + timeout
    before: dict[int, float] = {}
    while time.monotonic() < end:
        children = [int(c) for c in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        now = {c: _cpu_seconds(c) for c in children}
        if len(children) == processes and before.keys() == now.keys() and \
                all(now[c] - before[c] < 0.05 for c in children):
            return
        before = now
        time.sleep(1.0)
    raise RuntimeError("the gunicorn workers did not settle")


def approve_all(port: int, task_ids: list[int], clients: int) -> tuple[float, list[float]]:
    """(seconds, latencies in ms) of approving every task with `clients` concurrent connections."""
    work: queue.Queue[int] = queue.Queue()
    for t in task_ids:
        work.put(t)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, body = request(conn, "POST", "/api/v1/auth/token", {"username": APPROVER, "password": DEFAULT_PASSWORD})
        assert status == 200, body
        token = body["token"]
        ready.wait()
        mine: list[float] = []
        while True:
            try:
                tid = work.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            status, body = request(conn, "POST", f"/api/v1/tasks/{tid}/approve", {"comment": "同意"}, token)
            mine.append((time.perf_counter() - t0) * 1e3)
            if status != 200:
                errors.append(f"{tid}: {status} {body}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    ready.wait()
    t0 = time.perf_counter()
    for th in threads:
        th.join()
    seconds = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} approvals failed, e.g. {errors[:3]}")
    return seconds, latencies


def unreachable() -> str | None:
    """Why the scaled run cannot happen here (PostgreSQL or Redis unreachable), or None."""
    import psycopg
    import redis

    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: skip
        return "PostgreSQL not reachable at 127.0.0.1:5432"
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=3).ping()
    except Exception:  # noqa: BLE001
        return "Redis not reachable at 127.0.0.1:6379"
    return None


def prepare(url: str) -> tuple[Database, dict[str, int]]:
    """The schema, the demo organisation and the one-step process in the database at `url`."""
    migrate.upgrade(url)
    db = Database(url)
    load_demo(db)
    with db.uow() as s:
        ids = {u: crm.org.user_by_username(s, u).id for u in (APPROVER, CLERK, "chenjing")}  # type: ignore[union-attr]
    definitions.deploy(db, PROCESS, ids["chenjing"])  # the demo's process admin
    return db, ids


def one_run(url: str, db: Database, clerk: int, processes: int, mode: dict[str, Any],
            args: argparse.Namespace) -> dict[str, float]:
    """Serve, warm up, approve `args.approvals` tasks; the run's figures."""
    tasks = open_tasks(db, args.warmup + args.approvals, clerk)
    db.engine.dispose()  # the server is the only writer while it runs
    log = Path(f"/tmp/lz_bench_gunicorn_{os.getpid()}.log")
    port = free_port()
    server = serve(url, processes, port, log, mode)
    try:
        approve_all(port, tasks[:args.warmup], args.clients)
        cpu0 = web_cpu(server.pid)
        seconds, lat = approve_all(port, tasks[args.warmup:], args.clients)
        cpu = web_cpu(server.pid) - cpu0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    lat.sort()
    run = {"processes": processes, "per_s": len(lat) / seconds, "median_ms": statistics.median(lat),
           "p95_ms": lat[int(len(lat) * 0.95) - 1], "cpu_ms": cpu / len(lat) * 1e3, "load_avg": os.getloadavg()[0]}
    print(f"| {processes} | {run['per_s']:.0f} | {run['median_ms']:.0f} | {run['p95_ms']:.0f} | "
          f"{run['cpu_ms']:.1f} | {run['load_avg']:.1f} |", flush=True)
    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--approvals", type=int, default=400)
    ap.add_argument("--warmup", type=int, default=40)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--processes", default="1,2,4")
    ap.add_argument("--repeat", type=int, default=1, help="rounds over the process counts, interleaved")
    ap.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql",
                    help="sqlite: one process, 8 threads, timers in process, as `make run` serves")
    figures.add_json_option(ap)
    args = ap.parse_args()
    sqlite = args.database == "sqlite"
    counts = [1] if sqlite else [int(x) for x in args.processes.split(",")]
    why = None if sqlite else unreachable()
    if why:
        print(f"approvals through HTTP, PostgreSQL: SKIPPED — {why}")
        figures.skipped(args.json, why)
        return
    wire()
    served = "as `make run` serves (1 process, 8 threads), SQLite" if sqlite else "scaled mode, PostgreSQL"
    print(f"{os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.1f}; "
          f"{args.approvals} approvals per run, {args.clients} client threads, {served}")
    print("| gunicorn processes | approvals/s | median ms | p95 ms | web CPU ms / approval | load avg |")
    print("|---|---|---|---|---|---|")
    runs = []
    with tempfile.TemporaryDirectory() as tmp, \
            (nullcontext(f"sqlite:///{tmp}/bench.db") if sqlite else throwaway_pg()) as url:
        if not sqlite:
            import redis

            redis.Redis.from_url(BROKER).flushdb()
        db, ids = prepare(url)
        for n in [n for _ in range(args.repeat) for n in counts]:
            runs.append(one_run(url, db, ids[CLERK], n, MAKE_RUN if sqlite else SCALED, args))
        db.dispose()
        if not sqlite:
            redis.Redis.from_url(BROKER).flushdb()
    figures.save(args.json, {"database": args.database, "clients": args.clients, "approvals": args.approvals,
                             "runs": runs})


if __name__ == "__main__":
    main()
