"""What the worklist pages cost on top of the API reads they are built from.

The demo organisation with every shipped process deployed (SQLite file), and an approver with
N open general-approval tasks (N = 10 and 200). For each N, median time of
  GET /api/v1/tasks?box=todo     the JSON inbox (the baseline)
  GET /                          the inbox page (tabs, filters, counts, 20 rows)
  GET /tasks/<id>                the task page (form, vote status, record card, history)
  GET /instances/<id>            the instance page (diagram with progress, timeline, data)
through Flask's test client (no network), and each page's ratio to the JSON inbox.
Then the weight of a first visit of each page, as a phone's browser fetches it (Accept-Encoding:
br, gzip; nothing cached): the HTML plus every stylesheet and script it names, raw and as sent.

Run: .venv/bin/python bench/web_pages.py [--rounds N] [--json PATH]   (make bench runs it after engine_overhead.py)
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crm.models  # noqa: E402,F401
import crm.org  # noqa: E402
import engine.models  # noqa: E402,F401
import files.models  # noqa: E402,F401
import notify.models  # noqa: E402,F401
import search.models  # noqa: E402,F401
from app import BPMN_DIR, create_app, wire  # noqa: E402
from bench import figures  # noqa: E402
from db.base import Base  # noqa: E402
from db.session import Database  # noqa: E402
from demo.org import DEFAULT_PASSWORD, load_demo  # noqa: E402
from engine import inbox, instances  # noqa: E402
from engine.design import definitions  # noqa: E402
from web.assets import DIST  # noqa: E402

crm.org.PASSWORD_METHOD = "pbkdf2:sha256:1000"
APPROVER, CLERK = "zhouqiang", "zhangsan"  # zhangsan's supervisor approves general approvals


def median_ms(fn, rounds: int) -> float:
    fn()  # warm caches (templates, spec cache)
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


def client_for(app, username: str):
    client = app.test_client()
    with client.session_transaction() as sess:
        from crm import directory

        sess["uid"] = directory.login(app.extensions["lz_db"], username, DEFAULT_PASSWORD)
    return client


ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="(/static/[^"]+)"')


def page_weight(client, url: str) -> tuple[int, int]:
    """(raw bytes, bytes sent) of a first visit: the page and every asset it names."""
    page = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    html = page.get_data(as_text=True)
    raw = sent = len(page.data)
    for asset in ASSET.findall(html):
        r = client.get(asset.replace("&amp;", "&"), headers={"Accept-Encoding": "br, gzip"})
        assert r.status_code == 200, (asset, r.status_code)
        sent += len(r.data)
        name = asset.split("?")[0].rsplit("/", 1)[1]
        raw += (DIST / name).stat().st_size if asset.startswith("/static/dist/") else len(r.data)
    return raw, sent


def run(n_tasks: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(db.engine)
        load_demo(db)
        wire()  # the shipped processes call the CRM process functions (create_app() wires them too, later)
        for path in sorted(BPMN_DIR.glob("*.bpmn")):
            definitions.deploy(db, path.read_bytes(), None)
        from crm import directory

        clerk = directory.login(db, CLERK, DEFAULT_PASSWORD)
        approver = directory.login(db, APPROVER, DEFAULT_PASSWORD)
        iid = None
        for i in range(n_tasks):
            iid = instances.start_process(db, clerk, "general_approval",
                                          {"title": f"采购申请 {i}", "amount": 1000 + i, "reason": "办公用品"})["id"]
        (task,), _ = inbox.list_box(db, approver, "todo", 0, 1)
        app = create_app({"DATABASE": db, "SECRET_KEY": "bench", "TESTING": True})
        c = client_for(app, APPROVER)

        def get(url: str):
            def once() -> None:
                r = c.get(url)
                assert r.status_code == 200, (url, r.status_code)
            return once

        out: dict[str, Any] = {
            "weight": {name: page_weight(c, url) for name, url in
                       (("inbox", "/"), ("task", f"/tasks/{task['id']}"), ("instance", f"/instances/{iid}"))},
            "api": median_ms(get("/api/v1/tasks?box=todo"), rounds),
            "inbox": median_ms(get("/"), rounds),
            "task": median_ms(get(f"/tasks/{task['id']}"), rounds),
            "instance": median_ms(get(f"/instances/{iid}"), rounds),
        }
        db.dispose()
        return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    figures.add_json_option(parser)
    args = parser.parse_args()
    print("worklist pages, SQLite, median ms per request (ratio to the JSON inbox)")
    print(f"{'open tasks':>10} {'api/tasks':>10} {'inbox /':>14} {'task page':>14} {'instance page':>16}")
    weights = {}
    pages = {}
    for n in (10, 200):
        r = run(n, args.rounds)
        weights = r["weight"]
        pages[n] = {k: r[k] for k in ("api", "inbox", "task", "instance")}
        print(f"{n:>10} {r['api']:>10.1f} "
              f"{r['inbox']:>7.1f} ({r['inbox'] / r['api']:.1f}x) "
              f"{r['task']:>7.1f} ({r['task'] / r['api']:.1f}x) "
              f"{r['instance']:>8.1f} ({r['instance'] / r['api']:.1f}x)")
    print("\nfirst visit (page + its CSS/JS), KB: raw / sent with brotli")
    for name, (raw, sent) in weights.items():
        print(f"{name:>10} {raw / 1024:>8.0f} / {sent / 1024:.0f}")
    weight = {name: {"raw": raw, "sent": sent} for name, (raw, sent) in weights.items()}
    figures.save(args.json, {"rounds": args.rounds, "median_ms": pages, "first_visit_bytes": weight})
    return 0


if __name__ == "__main__":
    sys.exit(main())
