"""What Liuzhuan's persistence, locking, inbox and audit cost on top of SpiffWorkflow.

The same 3-node approval process (three single-approver nodes in a row) is run
  (a) with raw SpiffWorkflow in memory,
  (b) with a JSON save + load round trip per task (spec stored by reference),
  (c) through Liuzhuan's use cases on SQLite (start + one approve per node),
  (d) the same on PostgreSQL (127.0.0.1:5432; skipped when unreachable),
  (e) (b) plus one durable commit of the state per action on the same PostgreSQL (an UPDATE of
      one row through the driver, synchronous commit): what this disk allows at best,
and reports microseconds per action and the ratios c/b, d/b and d/e. Then the per-action cost of
an instance that already has ~10 vs ~500 completed tasks (a revise loop; the two timed
alternately, pair by pair) shows how cost grows with history.

Run: make bench   (or .venv/bin/python bench/engine_overhead.py [--rounds N] [--cpu] [--wired] [--json PATH])
--cpu measures the process's CPU time instead of wall time (on a shared, loaded machine; on
PostgreSQL that is the client's CPU only, and (e) is then mostly waiting: read it in wall time);
--wired runs (c)/(d) with notify/ and search/ listening, as the web process does (app.wire()).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402  (bench may use the library directly)
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

import crm.org  # noqa: E402
from bench import figures  # noqa: E402
from db.base import Base  # noqa: E402
from db.session import Database  # noqa: E402
from engine import inbox, instances, spiff, tasks  # noqa: E402
from engine.design import definitions  # noqa: E402
from tests.bpmn_factory import chain, user_task  # noqa: E402
from tests.org import build_org  # noqa: E402

crm.org.PASSWORD_METHOD = "pbkdf2:sha256:1000"
XML = chain("bench3", [user_task("n1", "any", "users", "v01"), user_task("n2", "any", "users", "v02"),
                       user_task("n3", "any", "users", "v03")])
LOOP_XML = (ROOT / "tests/engine/data/revise_loop.bpmn").read_bytes()
PG_ADMIN = os.environ.get("LIUZHUAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


CLOCK = time.perf_counter


def per_action_us(fn, rounds: int, actions_per_round: int) -> float:
    samples = []
    for _ in range(rounds):
        t0 = CLOCK()
        fn()
        samples.append((CLOCK() - t0) / actions_per_round * 1e6)
    return statistics.median(samples)


def raw(parsed) -> None:
    wf = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    wf.do_engine_steps()
    for _ in range(3):
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.run()
        wf.do_engine_steps()
    assert wf.is_completed()


def round_trip(parsed) -> None:
    wf = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    wf.do_engine_steps()
    state = spiff.dump_state(wf)
    for _ in range(3):
        wf = spiff.load_state(state, parsed.spec, parsed.subprocess_specs)
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.run()
        wf.do_engine_steps()
        state = spiff.dump_state(wf)
    assert wf.is_completed()


def durable_round_trip(parsed, conn) -> None:
    """(b) with the state committed to PostgreSQL after each action (one UPDATE, one durable commit)."""
    wf = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    wf.do_engine_steps()
    state = spiff.dump_state(wf)
    cur = conn.cursor()
    for _ in range(3):
        wf = spiff.load_state(state, parsed.spec, parsed.subprocess_specs)
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.run()
        wf.do_engine_steps()
        state = spiff.dump_state(wf)
        cur.execute("UPDATE bench_state SET state = %s, revision = revision + 1 WHERE id = 1", (state,))
        conn.commit()
    assert wf.is_completed()


def durable_us(parsed, url: str, rounds: int) -> float:
    eng = create_engine(url)
    with eng.begin() as c:
        c.execute(text("CREATE TABLE bench_state (id int PRIMARY KEY, state text, revision int)"))
        c.execute(text("INSERT INTO bench_state VALUES (1, '', 0)"))
    conn = eng.raw_connection()
    try:
        durable_round_trip(parsed, conn)  # warm
        return per_action_us(lambda: durable_round_trip(parsed, conn), rounds, 3)
    finally:
        conn.close()
        eng.dispose()


def liuzhuan(org, key: str) -> None:
    iid = instances.start_process(org.db, org.ids["clerk"], key, {"amount": 1})["id"]
    for user in ("v01", "v02", "v03"):
        rows, _ = inbox.list_box(org.db, org.ids[user], "todo", 0, 5)
        tid = next(r["id"] for r in rows if r["instance_id"] == iid)
        tasks.approve(org.db, org.ids[user], tid, "ok")


def make_db(url: str):
    db = Database(url)
    Base.metadata.create_all(db.engine)
    org = build_org(db)
    key = definitions.deploy(db, XML, org.ids["admin"])[0].key
    loop_key = definitions.deploy(db, LOOP_XML, org.ids["admin"])[0].key
    return org, key, loop_key


def growth(org, loop_key: str, small: int = 10, large: int = 500, pairs: int = 20) -> tuple[float, float]:
    """Per-action µs of an instance with about `small` and one with about `large` completed human
    tasks (a revise loop: approve, reject, again): `pairs` approve + reject pairs on each, timed
    alternately so both see the same background load, and the median pair of each."""
    def step(iid: int, user: str, reject: bool) -> None:
        rows, _ = inbox.list_box(org.db, org.ids[user], "todo", 0, 5)
        tid = next(r["id"] for r in rows if r["instance_id"] == iid)
        if reject:
            tasks.reject(org.db, org.ids[user], tid, "again")
        else:
            tasks.approve(org.db, org.ids[user], tid, "ok")

    def pair(iid: int) -> None:
        step(iid, "clerk", False)
        step(iid, "v01", True)

    both = [instances.start_process(org.db, org.ids["clerk"], loop_key, {})["id"] for _ in (small, large)]
    for iid, completed in zip(both, (small, large), strict=True):
        for _ in range(completed // 2):
            pair(iid)
    samples: dict[int, list[float]] = {iid: [] for iid in both}
    for _ in range(pairs):
        for iid in both:
            t0 = CLOCK()
            pair(iid)
            samples[iid].append((CLOCK() - t0) / 2 * 1e6)
    return statistics.median(samples[both[0]]), statistics.median(samples[both[1]])


def pg_url() -> str | None:
    try:
        eng = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"lz_bench_{uuid.uuid4().hex[:8]}"
        with eng.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        eng.dispose()
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    except Exception:
        return None


def drop_pg(url: str) -> None:
    eng = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--cpu", action="store_true", help="process CPU time instead of wall time")
    ap.add_argument("--wired", action="store_true", help="notify/ and search/ listening (app.wire())")
    figures.add_json_option(ap)
    args = ap.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time
    if args.wired:
        import notify.models  # noqa: F401  (their tables, created with the others)
        import search.models  # noqa: F401
        from app import wire

        wire()
    parsed, problems = spiff.parse(XML)
    assert parsed is not None, problems
    rows = []
    a = per_action_us(lambda: raw(parsed), args.rounds * 3, 3)
    b = per_action_us(lambda: round_trip(parsed), args.rounds * 3, 3)
    rows += [("(a) raw SpiffWorkflow, in memory", a), ("(b) + JSON save/load per task", b)]
    results = {}
    e = None
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/bench.db")]
        pg = pg_url()
        if pg:
            targets.append(("postgresql", pg))
        try:
            if pg:
                e = durable_us(parsed, pg, args.rounds * 3)
            for name, url in targets:
                org, key, loop_key = make_db(url)
                liuzhuan(org, key)  # warm caches
                us = per_action_us(lambda org=org, key=key: liuzhuan(org, key), args.rounds, 4)
                results[name] = (us, *growth(org, loop_key))
                org.db.dispose()
        finally:
            if pg:
                drop_pg(pg)
    clock = "process CPU time" if args.cpu else "wall time"
    wired = ", notify/ and search/ wired" if args.wired else ""
    print(f"\nPer action (median of rounds, {clock}{wired}; (c)/(d) actions = start + 3 approvals, "
          "each its own transaction)\n")
    print("| run | µs per action | ratio to (b) | ratio to (e) |")
    print("|---|---:|---:|---:|")
    for label, us in rows:
        print(f"| {label} | {us:,.0f} | {us / b:.2f} | |")
    labels = {"sqlite": "(c) Liuzhuan use cases, SQLite", "postgresql": "(d) Liuzhuan use cases, PostgreSQL"}
    for name, (us, _, _) in results.items():
        to_e = f"{us / e:.2f}" if e and name == "postgresql" else ""
        print(f"| {labels[name]} | {us:,.0f} | {us / b:.2f} | {to_e} |")
    if "postgresql" not in results:
        print("| (d) Liuzhuan use cases, PostgreSQL | skipped: 127.0.0.1:5432 unreachable | | |")
    if e:
        print(f"| (e) (b) + one durable commit per action, same PostgreSQL | {e:,.0f} | {e / b:.2f} | 1.00 |")
    else:
        print("| (e) (b) + one durable commit per action, PostgreSQL | skipped: 127.0.0.1:5432 unreachable | | |")
    print("\nGrowth with history (revise loop; per action once the instance has N completed tasks, "
          "median of 20 approve + reject pairs, N = 10 and 500 interleaved)\n")
    print("| database | N = 10 | N = 500 | growth ratio |")
    print("|---|---:|---:|---:|")
    for name, (_, g10, g500) in results.items():
        print(f"| {name} | {g10:,.0f} µs | {g500:,.0f} µs | {g500 / g10:.2f} |")
    us = {"a": a, "b": b, "c": results["sqlite"][0], "d": results.get("postgresql", (None,))[0], "e": e}
    figures.save(args.json, {"clock": clock, "wired": args.wired, "rounds": args.rounds, "us": us,
                             "growth": {name: [g10, g500] for name, (_, g10, g500) in results.items()},
                             "pg_skipped": None if pg else "PostgreSQL not reachable at 127.0.0.1:5432"})


if __name__ == "__main__":
    main()
