"""What the reports cost (engine/reports.py): N finished requests (N = 10,000 and 50,000) over 5
processes, each with two steps (a node activation and a task each, some overdue, some still open),
then the median time of every report for an admin, on SQLite (a file) and, when reachable,
PostgreSQL. On PostgreSQL the portable window median / p90 (what SQLite runs) is also compared with
percentile_cont (what PostgreSQL runs): same values, and their times.

Run: .venv/bin/python bench/reports.py [--rounds N]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crm.models  # noqa: E402,F401
import engine.models  # noqa: E402,F401
import files.models  # noqa: E402,F401
import notify.models  # noqa: E402,F401
import search.models  # noqa: E402,F401
from app import wire  # noqa: E402
from bench.pgdb import on_both_databases  # noqa: E402
from crm import org as org_svc  # noqa: E402
from db.base import Base, utcnow  # noqa: E402
from db.session import Database  # noqa: E402
from engine import reports  # noqa: E402
from engine.models import HumanTask, NodeActivation, ProcessDefinition, ProcessInstance  # noqa: E402


def fill(db: Database, n: int) -> int:
    rng = random.Random(7)
    with db.uow(write=True) as s:
        org_svc.create_role(s, "admin", "admin")
        uid = org_svc.create_user(s, "bench", "bench", "secret-pass-1", roles=["admin"]).id
        for k in range(5):
            s.add(ProcessDefinition(key=f"p{k}", version=1, name=f"流程{k}", bpmn_xml="<x/>", spec_json="{}",
                                    config={}, checksum="x", deployed_at=utcnow()))
    now = utcnow()
    for chunk in range(0, n, 5000):
        with db.uow(write=True) as s:
            insts = []
            for i in range(chunk, min(n, chunk + 5000)):
                at = now - timedelta(days=rng.uniform(1, 180))
                run = timedelta(hours=rng.expovariate(1 / 20))
                open_ = rng.random() < .1
                insts.append(ProcessInstance(
                    definition_id=1 + i % 5, process_key=f"p{i % 5}", business_key=uuid.uuid4().hex[:20],
                    initiator_id=uid, title=f"#{i}", data={}, state="{}", created_at=at,
                    status="running" if open_ else "completed", ended_at=None if open_ else at + run,
                    outcome=None if open_ else rng.choice(["approved", "approved", "rejected"])))
            s.add_all(insts)
            s.flush()
            for inst in insts:
                t0 = inst.created_at
                for j, node in enumerate(("a", "b")):
                    took = timedelta(hours=rng.expovariate(1 / 8))
                    done = not (inst.ended_at is None and j == 1)
                    act = NodeActivation(instance_id=inst.id, node_id=node, node_name=node, spiff_task_id="x",
                                         kind="approval", mode="any", assignee_ids=[uid],
                                         status="approved" if done else "open", created_at=t0,
                                         decided_at=t0 + took if done else None)
                    s.add(act)
                    s.flush()
                    s.add(HumanTask(instance_id=inst.id, activation_id=act.id, node_id=node, node_name=node,
                                    assignee_id=uid, status="approved" if done else "open", created_at=t0,
                                    acted_at=t0 + took if done else None, due_at=t0 + timedelta(hours=12)))
                    t0 += took
    return uid


def measure(url: str, n: int, rounds: int) -> None:
    db = Database(url)
    Base.metadata.create_all(db.engine)
    try:
        uid = fill(db, n)
        for name in reports.REPORTS:
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                reports.report(db, uid, name, {})
                times.append(time.perf_counter() - t)
            print(f"  {db.engine.dialect.name:10} N={n:6} {name:12}: {statistics.median(times) * 1000:7.1f} ms")
        if db.engine.dialect.name == "postgresql":
            _compare_percentile_cont(db, uid)
    finally:
        db.dispose()


def _compare_percentile_cont(db: Database, uid: int) -> None:
    """The per-process median and p90 on PostgreSQL: the portable window against percentile_cont."""
    from sqlalchemy import select

    from engine.models import ProcessInstance as PI
    from engine.reports_sql import group_percentiles, interpolate, percentiles, seconds

    source = select(PI.process_key.label("k"), seconds(PI.ended_at, PI.created_at).label("d")) \
        .where(PI.ended_at.is_not(None)).subquery()
    with db.uow() as s:
        t = time.perf_counter()
        window = interpolate(s.execute(percentiles(source, ["k"], "d")).all(), 1)
        t_window = time.perf_counter() - t
        t = time.perf_counter()
        cont = group_percentiles(s, source, ["k"], "d")
        t_cont = time.perf_counter() - t
    same = all(abs(cont[k][p] - window[k][p]) < 0.2 for k in cont for p in ("median", "p90"))
    print(f"  postgresql median+p90 per process: window {t_window * 1000:.1f} ms, percentile_cont "
          f"{t_cont * 1000:.1f} ms; same values: {same}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="10000")
    args = parser.parse_args()
    wire()
    print("reports (median of rounds):")
    for n in (int(x) for x in args.sizes.split(",")):
        on_both_databases(lambda url, n=n: measure(url, n, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
