"""One approval under the microscope: the SQL statements and flushes it issues, and where its time goes.

Runs the three-step approval of bench/engine_overhead.py with the application wired (notify/ and
search/ listening, as in the web process) on SQLite and, when reachable, PostgreSQL; prints the
statements of one approval (the middle one of the chain), and with --profile the top functions of
cProfile over 200 approvals.

With --countersign: a vote that does not decide its node instead (the first of three in an `all`
countersign), its statements and flushes, and its process CPU time per vote (median of --runs runs
of --rounds votes each).

Run: .venv/bin/python bench/action_profile.py [--profile] [--statements] [--countersign [--runs N]]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import notify.models  # noqa: E402,F401
import search.models  # noqa: E402,F401
from app import wire  # noqa: E402
from bench import engine_overhead as eo  # noqa: E402
from engine import inbox, instances, tasks  # noqa: E402
from engine.design import definitions  # noqa: E402
from tests.bpmn_factory import chain, user_task  # noqa: E402

COUNTERSIGN = chain("bench_all", [user_task("n1", "all", "users", "v01,v02,v03")])


def one_chain(org, key: str, watch: int | None = None, seen: list | None = None) -> None:
    iid = instances.start_process(org.db, org.ids["clerk"], key, {"amount": 1})["id"]
    for i, user in enumerate(("v01", "v02", "v03")):
        rows, _ = inbox.list_box(org.db, org.ids[user], "todo", 0, 5)
        tid = next(r["id"] for r in rows if r["instance_id"] == iid)
        if seen is not None and i == watch:
            seen.append("--start--")
        tasks.approve(org.db, org.ids[user], tid, "ok")
        if seen is not None and i == watch:
            seen.append("--end--")


def first_vote(org, key: str, seen: list | None = None) -> None:
    """Start an instance of COUNTERSIGN and cast its first vote (counted; the node stays open)."""
    iid = instances.start_process(org.db, org.ids["clerk"], key, {"amount": 1})["id"]
    rows, _ = inbox.list_box(org.db, org.ids["v01"], "todo", 0, 5)
    tid = next(r["id"] for r in rows if r["instance_id"] == iid)
    if seen is not None:
        seen.append("--start--")
    tasks.approve(org.db, org.ids["v01"], tid, "ok")
    if seen is not None:
        seen.append("--end--")


def vote_cpu_us(org, key: str, rounds: int) -> float:
    """Median process CPU µs of one counted vote (the start and the inbox read not timed)."""
    times = []
    for _ in range(rounds):
        iid = instances.start_process(org.db, org.ids["clerk"], key, {"amount": 1})["id"]
        rows, _ = inbox.list_box(org.db, org.ids["v01"], "todo", 0, 5)
        tid = next(r["id"] for r in rows if r["instance_id"] == iid)
        t0 = time.process_time()
        tasks.approve(org.db, org.ids["v01"], tid, "ok")
        times.append(time.process_time() - t0)
    return statistics.median(times) * 1e6


def count(org, key: str, chain_of=None) -> tuple[list[str], int]:
    seen: list = []
    flushes = [0]

    def on_sql(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    def on_flush(session, ctx):
        if "--start--" in seen and "--end--" not in seen:
            flushes[0] += 1

    event.listen(org.db.engine, "before_cursor_execute", on_sql)
    event.listen(Session, "after_flush", on_flush)
    try:
        if chain_of is None:
            one_chain(org, key, watch=1, seen=seen)
        else:
            chain_of(org, key, seen=seen)
    finally:
        event.remove(org.db.engine, "before_cursor_execute", on_sql)
        event.remove(Session, "after_flush", on_flush)
    start, end = seen.index("--start--"), seen.index("--end--")
    return [s for s in seen[start + 1:end]], flushes[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--statements", action="store_true")
    ap.add_argument("--rounds", type=int, default=70)
    ap.add_argument("--countersign", action="store_true", help="a vote that does not decide its node")
    ap.add_argument("--runs", type=int, default=3, help="--countersign: timed runs of --rounds votes")
    args = ap.parse_args()
    wire()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/p.db")]
        pg = eo.pg_url()
        if pg:
            targets.append(("postgresql", pg))
        try:
            for name, url in targets:
                org, key, _ = eo.make_db(url)
                if args.countersign:
                    key = definitions.deploy(org.db, COUNTERSIGN, org.ids["admin"])[0].key
                    first_vote(org, key)
                    stmts, flushes = count(org, key, first_vote)
                    runs = [vote_cpu_us(org, key, args.rounds) for _ in range(args.runs)]
                    print(f"\n== {name}: one counted vote = {len(stmts)} statements, {flushes} flushes, "
                          f"CPU {statistics.median(runs):,.0f} µs (runs: {', '.join(f'{r:,.0f}' for r in runs)})")
                    if args.statements:
                        for s in stmts:
                            print("   ", " ".join(s.split())[:160])
                    org.db.dispose()
                    continue
                one_chain(org, key)
                stmts, flushes = count(org, key)
                kinds: dict[str, int] = {}
                for s in stmts:
                    word = s.split(None, 1)[0].upper()
                    kinds[word] = kinds.get(word, 0) + 1
                print(f"\n== {name}: one approval = {len(stmts)} statements {kinds}, {flushes} flushes")
                if args.statements:
                    for s in stmts:
                        print("   ", " ".join(s.split())[:160])
                if args.profile:
                    prof = cProfile.Profile()
                    prof.enable()
                    for _ in range(args.rounds):
                        one_chain(org, key)
                    prof.disable()
                    st = pstats.Stats(prof)
                    st.sort_stats("cumulative").print_stats(45)
                    st.sort_stats("tottime").print_stats(25)
                org.db.dispose()
        finally:
            if pg:
                eo.drop_pg(pg)


if __name__ == "__main__":
    main()
