"""The inbox at a million rows, on PostgreSQL (issue 12).

Bulk-loads (COPY, generated data, well under a minute) a database `liuzhuan_bench_inbox` with
1,000,000 human_task rows: 250,000 instances of the general approval, 100,000 of them running
(1 % suspended) with one open task each, so 100,000 open tasks and 900,000 decided or cancelled
ones. Among the 2,000 generated users:
  bench_u50     50 open tasks            bench_u10k   10,000 open tasks
  bench_done    18,600 rows in 已办       bench_starter 5,000 started instances
Then p95 and median (ms) of GET /api/v1/tasks — todo page 1, todo page 400 (OFFSET, and the
keyset cursor when the API has one), the done box, q=, sort=due, one task (GET /api/v1/tasks/<id>)
— and of the inbox page (/) and the task page (/tasks/<id>), through Flask's test client (no
network). The generated rows carry no workflow state, so the task read and page are of one general
approval the engine started (bench_task_page: the shipped process with bench_starter as approver),
created on the first run and kept. The database is kept between runs and migrated to head on each
run (so a new migration is applied to a million rows); `--rebuild` loads it again.

Run: .venv/bin/python bench/inbox_million.py [--rounds N] [--rebuild] [--table-only] [--json PATH]
(`make bench` runs it with --table-only: the requests issue 12's table reads.)
PostgreSQL: LIUZHUAN_BENCH_PG (default postgresql://postgres@127.0.0.1:5432); absent -> skipped.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crm.models  # noqa: E402,F401
import engine.models  # noqa: E402,F401
from app import BPMN_DIR, create_app, wire  # noqa: E402
from bench import figures  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.session import Database  # noqa: E402
from engine import instances  # noqa: E402
from engine.design import definitions  # noqa: E402

ADMIN_URL = os.environ.get("LIUZHUAN_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "liuzhuan_bench_inbox"
LAYOUT = 2  # bump when the generated data changes: an older database is loaded again
N_USERS, N_INSTANCES, N_RUNNING, TASKS_PER_INSTANCE = 2000, 250_000, 100_000, 4
U10K, U50, DONE_ROWS, STARTED_EVERY = 10_000, 50, 18_600, 50
WORDS = ("办公用品", "差旅", "培训", "市场活动", "服务器", "软件许可", "招待", "设备维修")
KEYWORD = "服务器"  # in 1/8 of the titles
ISSUE_TABLE = {"API todo, 50 open", "API todo, 10,000 open, page 1", "API todo, 10,000 open, page 400 (offset)",
               "API todo, 10,000 open, page 400 (cursor)", "API done, 18,600 rows", "page / todo, 50 open",
               "API task /api/v1/tasks/<id>", "page /tasks/<id>"}


def _pg(url_tail: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(f"{ADMIN_URL}/{url_tail}", autocommit=True, connect_timeout=3)


def pg_reachable() -> str | None:
    try:
        _pg().close()
        return None
    except Exception as e:  # noqa: BLE001 - any failure means: skip with the reason
        return str(e).splitlines()[0]


def _loaded() -> bool:
    with _pg() as con:
        if con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone() is None:
            return False
    with _pg(DB_NAME) as con:
        try:
            row = con.execute("SELECT layout FROM bench_meta").fetchone()
        except Exception:  # noqa: BLE001 - no table: not (completely) loaded
            return False
        return row is not None and row[0] == LAYOUT


def load(url: str) -> None:
    t0 = time.perf_counter()
    with _pg() as con:
        con.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        con.execute(f"CREATE DATABASE {DB_NAME}")
    upgrade(url)
    db = Database(url)
    wire()
    definitions.deploy(db, (BPMN_DIR / "general_approval.bpmn").read_bytes(), None)
    db.dispose()
    rnd = random.Random(12)
    now = datetime.now(tz=UTC).replace(microsecond=0)
    start = now - timedelta(days=730)
    step = timedelta(days=720) / N_INSTANCES
    from werkzeug.security import generate_password_hash

    pw = generate_password_hash("bench", "pbkdf2:sha256:1000")
    with _pg(DB_NAME) as con, con.cursor() as cur:
        def_id, key = cur.execute("SELECT id, key FROM process_definition").fetchone()
        special = ("bench_u50", "bench_u10k", "bench_done", "bench_starter")
        with cur.copy("COPY user_account (username, display_name, password_hash, active, locale, created_at) "
                      "FROM STDIN") as cp:
            for name in special + tuple(f"bench{n:04d}" for n in range(N_USERS)):
                cp.write_row((name, name, pw, True, "zh", start))
        ids = dict(cur.execute("SELECT username, id FROM user_account WHERE username LIKE 'bench%'").fetchall())
        u50, u10k, udone, ustarter = (ids[n] for n in special)
        generic = [ids[f"bench{n:04d}"] for n in range(N_USERS)]
        first_inst = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM process_instance").fetchone()[0]
        with cur.copy("COPY process_instance (id, definition_id, process_key, business_key, status, outcome, "
                      "initiator_id, title, data, state, revision, warnings, chosen, created_at, updated_at, "
                      "ended_at) FROM STDIN") as cp:
            for n in range(N_INSTANCES):
                created = start + step * n
                status = ("suspended" if n % 100 == 99 else "running") if n < N_RUNNING else "completed"
                ended = created + timedelta(hours=5) if status == "completed" else None
                title = f"{WORDS[n % len(WORDS)]}申请 {n}"
                data = {"title": title, "reason": f"第 {n} 号申请的事由", "amount": 1000 + n % 9000}
                cp.write_row((first_inst + n, def_id, key, f"BENCH-{n:07d}", status,
                              "approved" if ended else None,
                              ustarter if n % STARTED_EVERY == 0 else rnd.choice(generic), title,
                              json.dumps(data, ensure_ascii=False), "{}", 4, "[]", "{}", created,
                              ended or created, ended))
        first_act = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM node_activation").fetchone()[0]
        with cur.copy("COPY node_activation (id, instance_id, node_id, node_name, spiff_task_id, kind, mode, "
                      "assignee_ids, status, created_at) FROM STDIN") as cp:
            for n in range(N_INSTANCES):
                cp.write_row((first_act + n, first_inst + n, "head_approval", "部门负责人审批", f"{n:036d}",
                              "approval", "any", "[]", "open" if n < N_RUNNING else "approved",
                              start + step * n))
        done_given = 0
        with cur.copy("COPY human_task (instance_id, activation_id, node_id, node_name, assignee_id, status, auto, "
                      "created_at, acted_at, due_at) FROM STDIN") as cp:
            for n in range(N_INSTANCES):
                created = start + step * n
                for k in range(TASKS_PER_INSTANCE):
                    arrived = created + timedelta(hours=k)
                    due = arrived + timedelta(days=3) if (n + k) % 2 else None
                    if k == TASKS_PER_INSTANCE - 1 and n < N_RUNNING:
                        who = u10k if n < U10K else u50 if n < U10K + U50 else rnd.choice(generic)
                        cp.write_row((first_inst + n, first_act + n, "head_approval", "部门负责人审批", who,
                                      "open", False, arrived, None, due))
                        continue
                    status = "cancelled" if (n + k) % 20 == 0 else ("approved", "rejected", "done")[(n + k) % 3]
                    who = rnd.choice(generic)
                    if status != "cancelled" and done_given < DONE_ROWS and (n * TASKS_PER_INSTANCE + k) % 40 == 1:
                        who, done_given = udone, done_given + 1
                    cp.write_row((first_inst + n, first_act + n, "supervisor_approval", "直属上级审批", who,
                                  status, False, arrived, arrived + timedelta(minutes=30), due))
        # the stored next due time of each instance (engine/next_due.py keeps it on every write)
        cur.execute("UPDATE process_instance p SET next_due_at = h.due FROM (SELECT instance_id, min(due_at) AS due "
                    "FROM human_task WHERE status = 'open' AND due_at IS NOT NULL GROUP BY instance_id) h "
                    "WHERE h.instance_id = p.id")
        for table in ("user_account", "process_instance", "node_activation", "human_task"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("CREATE TABLE bench_meta (layout int)")
        cur.execute("INSERT INTO bench_meta VALUES (%s)", (LAYOUT,))
    with _pg(DB_NAME) as con:
        con.execute("VACUUM ANALYZE")
    print(f"loaded 1,000,000 human_task rows in {time.perf_counter() - t0:.0f} s")


def real_task(db: Database, starter: int, initiator: int) -> int:
    """The open task of an instance the engine started (bench_task_page, approved by bench_starter),
    started on the first run and kept: the generated rows have no workflow state to show."""
    from sqlalchemy import text

    find = text("SELECT min(h.id) FROM human_task h JOIN process_instance p ON p.id = h.instance_id "
                "WHERE p.process_key = 'bench_task_page' AND h.status = 'open' AND h.assignee_id = :u")
    with db.engine.connect() as con:
        task = con.execute(find, {"u": starter}).scalar()
    if task is None:
        xml = (BPMN_DIR / "general_approval.bpmn").read_text(encoding="utf-8")
        xml = xml.replace('id="general_approval"', 'id="bench_task_page"').replace(
            '<lz:assignees strategy="supervisor" value="1"/>', '<lz:assignees strategy="users" value="bench_starter"/>')
        definitions.deploy(db, xml.encode(), None)
        instances.start_process(db, initiator, "bench_task_page",
                                {"title": "服务器采购申请", "amount": 8000, "reason": "机房扩容"})
        with db.engine.connect() as con:
            task = con.execute(find, {"u": starter}).scalar_one()
    return int(task)


def timed(client: Any, url: str, rounds: int) -> tuple[float, float]:
    """(p95, median) ms of GET url."""
    for _ in range(3):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:300])
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t0) * 1e3)
        assert r.status_code == 200, (url, r.status_code)
    samples.sort()
    return samples[max(0, int(round(0.95 * len(samples))) - 1)], statistics.median(samples)


def cursor_at(client: Any, base: str, page: int) -> str | None:
    """The keyset cursor of page `page` (walked from page 1), or None when the API has no cursors."""
    cursor = None
    for _ in range(page - 1):
        body = client.get(base + (f"&cursor={cursor}" if cursor else "")).get_json()
        if "next_cursor" not in body:
            return None
        cursor = body["next_cursor"]
    return cursor


def measure(url: str, rounds: int, table_only: bool = False) -> list[tuple[str, float, float]]:
    db = Database(url)
    app = create_app({"DATABASE": db, "SECRET_KEY": "bench", "TESTING": True})
    with db.engine.connect() as con:
        from sqlalchemy import text

        ids = dict(con.execute(text("SELECT username, id FROM user_account WHERE username IN "
                                    "('bench_u50', 'bench_u10k', 'bench_done', 'bench_starter')")).all())

    def client(name: str) -> Any:
        c = app.test_client()
        with c.session_transaction() as sess:
            sess["uid"] = ids[name]
        return c

    task = real_task(db, ids["bench_starter"], ids["bench_u50"])
    u50, u10k, done, starter = (client(n) for n in ("bench_u50", "bench_u10k", "bench_done", "bench_starter"))
    api = "/api/v1/tasks?box="
    cases: list[tuple[str, Any, str]] = [
        ("API todo, 50 open", u50, api + "todo"),
        ("API todo, 10,000 open, page 1", u10k, api + "todo"),
        ("API todo, 10,000 open, page 400 (offset)", u10k, api + "todo&page=400"),
    ]
    c400 = cursor_at(u10k, api + "todo", 400)
    if c400 is not None:
        cases.append(("API todo, 10,000 open, page 400 (cursor)", u10k, f"{api}todo&cursor={c400}"))
    cases += [
        ("API done, 18,600 rows", done, api + "done"),
        (f"API todo q={KEYWORD}, 10,000 open", u10k, f"{api}todo&q={KEYWORD}"),
        (f"API done q={KEYWORD}, 18,600 rows", done, f"{api}done&q={KEYWORD}"),
        ("API todo q=BENCH-00050 (100 match), 10,000 open", u10k, api + "todo&q=BENCH-00050"),
        ("API todo sort=due, 10,000 open", u10k, api + "todo&sort=due"),
        ("API started sort=due, 5,000 started", starter, api + "started&sort=due"),
        ("page / todo, 50 open", u50, "/"),
        ("page / todo, 10,000 open", u10k, "/"),
        ("page / done, 18,600 rows", done, "/?box=done"),
        ("API task /api/v1/tasks/<id>", starter, f"/api/v1/tasks/{task}"),
        ("page /tasks/<id>", starter, f"/tasks/{task}"),
    ]
    if table_only:  # the requests issue 12's table reads (bench/summary.py)
        cases = [case for case in cases if case[0] in ISSUE_TABLE]
    out = []
    for name, c, path in cases:
        p95, med = timed(c, path, rounds)
        out.append((name, p95, med))
        print(f"{name:<44} p95 {p95:>7.1f} ms   median {med:>7.1f} ms", flush=True)
    db.dispose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true", help="load the million rows again")
    parser.add_argument("--table-only", action="store_true", help="only the requests of issue 12's table")
    figures.add_json_option(parser)
    args = parser.parse_args()
    why = pg_reachable()
    if why is not None:
        print(f"inbox at 1,000,000 rows: SKIPPED — PostgreSQL is not reachable at {ADMIN_URL} ({why}); "
              "set LIUZHUAN_BENCH_PG to a server where user postgres may create databases")
        figures.skipped(args.json, f"PostgreSQL not reachable at {ADMIN_URL}")
        return 0
    url = f"{ADMIN_URL}/{DB_NAME}"
    if args.rebuild or not _loaded():
        load(url)
    else:
        upgrade(url)
        with _pg(DB_NAME) as con:
            con.execute("ANALYZE")
    print(f"inbox at 1,000,000 human_task rows (100,000 open), PostgreSQL, {args.rounds} requests each")
    out = measure(url, args.rounds, args.table_only)
    figures.save(args.json, {"rounds": args.rounds,
                             "ms": {name: {"p95": p95, "median": med} for name, p95, med in out}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
