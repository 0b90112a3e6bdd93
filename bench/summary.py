"""`make bench`: every figure of issue 12's table, measured in one run, against its target.

Runs the bench scripts one after the other (their own tables print as they go), each writing its
figures as JSON (`--json`, bench/figures.py), then prints the issue's table from those files:

    | figure | measured | target | met |

`met` is yes / no, or — for the reference row and for a figure that was not measured (PostgreSQL
or Redis unreachable: the row says skipped and why). The scripts:

  engine_overhead.py --wired         (b), (c), (d), (e) per action, growth 10 -> 500 completed tasks
  web_pages.py                       first-visit weight of the task page (SQLite, demo data)
  inbox_million.py --table-only      the inbox and task pages at 1,000,000 human_task rows (PostgreSQL)
  scaled_http.py --database sqlite   approvals/s through HTTP as `make run` serves (1 process, 8 threads)
  scaled_http.py --processes 1,2     approvals/s through HTTP on PostgreSQL, scaled mode

Run: .venv/bin/python bench/summary.py [--keep DIR]      (make bench)
     .venv/bin/python bench/summary.py --from DIR        (only the table, from the JSON of an earlier run)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
Figures = dict[str, Any]  # script name -> its JSON (or {"skipped": why} / {"failed": why})

# name -> the script and its arguments; the rounds keep the whole of `make bench` near 7 minutes on
# a 2-core machine (measured at a load average of 11-17) while keeping medians over dozens of samples.
SCRIPTS: dict[str, list[str]] = {
    "engine": ["bench/engine_overhead.py", "--wired", "--rounds", "30"],
    "pages": ["bench/web_pages.py", "--rounds", "20"],
    "inbox": ["bench/inbox_million.py", "--rounds", "40", "--table-only"],
    "http_sqlite": ["bench/scaled_http.py", "--database", "sqlite", "--approvals", "300"],
    "http_pg": ["bench/scaled_http.py", "--processes", "1,2", "--approvals", "300"],
}

Row = tuple[str, str, str, str]  # figure, measured, target, met


def _met(ok: bool) -> str:
    return "yes" if ok else "no"


def _not_measured(figs: Figures, name: str) -> str | None:
    """Why script `name` gave no figures, or None when it did."""
    f = figs.get(name)
    if f is None:
        return f"not measured: no figures from {SCRIPTS[name][0]}"
    if f.get("skipped"):
        return f"skipped: {f['skipped']}"
    if f.get("failed"):
        return f"not measured: {SCRIPTS[name][0]} {f['failed']}"
    return None


def _engine_rows(figs: Figures) -> list[Row]:
    why = _not_measured(figs, "engine")
    labels = [("(b) raw SpiffWorkflow with JSON save/load, per action", "— (the reference)"),
              ("(c) Liuzhuan use case, SQLite, per action", "≤ 2.5× (b)"),
              ("(d) Liuzhuan use case, PostgreSQL, per action", "≤ 2× (e)"),
              ("growth 10 → 500 completed tasks", "≤ 1.3×")]
    if why:
        return [(label, why, target, "—") for label, target in labels]
    us, growth = figs["engine"]["us"], figs["engine"]["growth"]
    b, c, d, e = us["b"], us["c"], us["d"], us["e"]
    rows = [(labels[0][0], f"{b:,.0f} µs", labels[0][1], "—"),
            (labels[1][0], f"{c:,.0f} µs = {c / b:.1f}× (b)", labels[1][1], _met(c / b <= 2.5))]
    if d is None or e is None:
        rows.append((labels[2][0], f"skipped: {figs['engine'].get('pg_skipped') or 'PostgreSQL not reachable'}",
                     labels[2][1], "—"))
    else:
        rows.append((labels[2][0], f"{d:,.0f} µs = {d / b:.1f}× (b) = {d / e:.1f}× (e); (e) = {e:,.0f} µs",
                     labels[2][1], _met(d / e <= 2)))
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    ratios = {names[db]: g500 / g10 for db, (g10, g500) in growth.items()}
    rows.append((labels[3][0], ", ".join(f"{db} {r:.2f}×" for db, r in ratios.items()), labels[3][1],
                 _met(max(ratios.values()) <= 1.3)))
    return rows


def _http_rows(figs: Figures) -> list[Row]:
    rows: list[Row] = []
    label, target = "approvals/s through HTTP, `make run`, SQLite, 8 clients", "≥ 400/s, p95 ≤ 50 ms"
    why = _not_measured(figs, "http_sqlite")
    if why:
        rows.append((label, why, target, "—"))
    else:
        run = figs["http_sqlite"]["runs"][0]
        rows.append((label, f"{run['per_s']:.0f}/s, p95 {run['p95_ms']:.0f} ms", target,
                     _met(run["per_s"] >= 400 and run["p95_ms"] <= 50)))
    label, target = "approvals/s, PostgreSQL, 1 → 2 gunicorn processes, 8 clients", "≥ 400/s with 2 processes"
    why = _not_measured(figs, "http_pg")
    if why:
        rows.append((label, why, target, "—"))
    else:
        runs = {r["processes"]: r for r in figs["http_pg"]["runs"]}
        text = "; ".join(f"{n} process{'es' if n > 1 else ''}: {r['per_s']:.0f}/s, p95 {r['p95_ms']:.0f} ms"
                         for n, r in sorted(runs.items()))
        rows.append((label, text, target, _met(runs[2]["per_s"] >= 400) if 2 in runs else "—"))
    return rows


def _inbox_rows(figs: Figures) -> list[Row]:
    labels = [("inbox API, 1,000,000 human_task rows (100,000 open), PostgreSQL, user with 50 open", "p95 ≤ 15 ms"),
              ("same, user with 10,000 open; page 400 of it", "p95 ≤ 20 ms (keyset paging)"),
              ("`done` box of a user with 18,600 rows", "p95 ≤ 20 ms"),
              ("inbox page / task page (HTML), 1M rows", "≤ 2× the JSON API")]
    why = _not_measured(figs, "inbox")
    if why:
        return [(label, why, target, "—") for label, target in labels]
    ms = figs["inbox"]["ms"]

    def p95(name: str) -> float:
        return float(ms[name]["p95"])

    u50, done = p95("API todo, 50 open"), p95("API done, 18,600 rows")
    page1 = p95("API todo, 10,000 open, page 1")
    offset = p95("API todo, 10,000 open, page 400 (offset)")
    cursor_name = "API todo, 10,000 open, page 400 (cursor)"
    page400 = p95(cursor_name) if cursor_name in ms else offset
    paging = f"page 1 p95 {page1:.1f} ms; page 400 p95 " + (
        f"{page400:.1f} ms (cursor), {offset:.1f} ms (offset)" if cursor_name in ms else f"{offset:.1f} ms (offset)")
    inbox_page, api_list = p95("page / todo, 50 open"), u50
    task_page, api_task = p95("page /tasks/<id>"), p95("API task /api/v1/tasks/<id>")
    pages = (f"inbox p95 {inbox_page:.1f} ms = {inbox_page / api_list:.1f}× API ({api_list:.1f} ms); "
             f"task p95 {task_page:.1f} ms = {task_page / api_task:.1f}× API ({api_task:.1f} ms)")
    return [(labels[0][0], f"p95 {u50:.1f} ms", labels[0][1], _met(u50 <= 15)),
            (labels[1][0], paging, labels[1][1], _met(max(page1, page400) <= 20)),
            (labels[2][0], f"p95 {done:.1f} ms", labels[2][1], _met(done <= 20)),
            (labels[3][0], pages, labels[3][1], _met(inbox_page <= 2 * api_list and task_page <= 2 * api_task))]


def _weight_rows(figs: Figures) -> list[Row]:
    label, target = "first visit of the task page on a phone", "≤ 300 KB transferred"
    why = _not_measured(figs, "pages")
    if why:
        return [(label, why, target, "—")]
    w = figs["pages"]["first_visit_bytes"]["task"]
    return [(label, f"{w['sent'] / 1024:.0f} KB transferred ({w['raw'] / 1024:.0f} KB uncompressed)", target,
             _met(w["sent"] <= 300 * 1024))]


ROWS: list[Callable[[Figures], list[Row]]] = [_engine_rows, _http_rows, _inbox_rows, _weight_rows]


def rows(figs: Figures) -> list[Row]:
    """The issue's rows, in its order."""
    return [r for make in ROWS for r in make(figs)]


def table(figs: Figures) -> str:
    """The issue-12 table as Markdown, with the load average at the end of each script below it."""
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows(figs)]
    loads = [f"{n} {f['load_avg']}" for n, f in figs.items()
             if n in SCRIPTS and isinstance(f.get("load_avg"), int | float)]
    engine = figs.get("engine") or {}
    notes = []
    if engine.get("clock"):
        wired = ", notify/ and search/ wired" if engine.get("wired") else ""
        notes.append(f"(b)–(e) and growth: {engine['clock']}{wired}")
    if loads:
        notes.append("load average (1 min) at the end of each script: " + ", ".join(loads))
    met = [r[3] for r in rows(figs)]
    notes.append(f"met {met.count('yes')} of {met.count('yes') + met.count('no')} measured targets")
    return "\n".join(lines + [""] + notes)


def run_all(out: Path) -> Figures:
    figs: Figures = {}
    for name, argv in SCRIPTS.items():
        path = out / f"{name}.json"
        print(f"\n=== {' '.join(argv)}  (load average {os.getloadavg()[0]:.1f})", flush=True)
        t0 = time.monotonic()
        rc = subprocess.call([sys.executable, *argv, "--json", str(path)], cwd=ROOT)
        print(f"=== {argv[0]}: {time.monotonic() - t0:.0f} s", flush=True)
        if rc != 0:
            figs[name] = {"failed": f"failed (exit {rc})"}
        elif path.exists():
            figs[name] = json.loads(path.read_text(encoding="utf-8"))
    return figs


def read_dir(src: Path) -> Figures:
    return {name: json.loads((src / f"{name}.json").read_text(encoding="utf-8"))
            for name in SCRIPTS if (src / f"{name}.json").exists()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="src", metavar="DIR", help="print the table from DIR/*.json, measure nothing")
    ap.add_argument("--keep", metavar="DIR", help="write the scripts' JSON to DIR (kept) instead of a temp dir")
    args = ap.parse_args()
    t0 = time.monotonic()
    if args.src:
        figs = read_dir(Path(args.src))
    elif args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        figs = run_all(Path(args.keep))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            figs = run_all(Path(tmp))
    print(f"\nIssue 12, measured in one run ({time.monotonic() - t0:.0f} s):\n")
    print(table(figs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
