"""bench/summary.py turns the bench scripts' JSON into issue 12's table: the rows of the issue in its
order, the measured figure against the target, and "skipped" (not a verdict) where nothing was
measured. Formatting only: the figures below are given, nothing is timed."""
from __future__ import annotations

import json

from bench import summary

ENGINE = {"clock": "wall time", "wired": True, "rounds": 40,
          "us": {"a": 100.0, "b": 400.0, "c": 1000.0, "d": 9000.0, "e": 3000.0},
          "growth": {"sqlite": [1000.0, 1100.0], "postgresql": [2000.0, 2800.0]}, "load_avg": 2.5}
INBOX_MS = {"API todo, 50 open": 10.0, "API todo, 10,000 open, page 1": 12.0,
            "API todo, 10,000 open, page 400 (offset)": 40.0, "API todo, 10,000 open, page 400 (cursor)": 14.0,
            "API done, 18,600 rows": 25.0, "page / todo, 50 open": 19.0, "API task /api/v1/tasks/<id>": 5.0,
            "page /tasks/<id>": 11.0}
FIGS = {
    "engine": ENGINE,
    "pages": {"first_visit_bytes": {"task": {"raw": 900 * 1024, "sent": 250 * 1024}}, "load_avg": 2.0},
    "inbox": {"ms": {k: {"p95": v, "median": v / 2} for k, v in INBOX_MS.items()}, "load_avg": 3.0},
    "http_sqlite": {"runs": [{"processes": 1, "per_s": 420.0, "p95_ms": 60.0}], "load_avg": 1.5},
    "http_pg": {"runs": [{"processes": 1, "per_s": 200.0, "p95_ms": 80.0},
                         {"processes": 2, "per_s": 410.0, "p95_ms": 40.0}], "load_avg": 1.7},
}


def by_figure(figs):
    return {r[0]: r[1:] for r in summary.rows(figs)}


def test_every_row_of_the_issue_in_its_order_with_the_verdict_of_its_target():
    rows = summary.rows(FIGS)
    assert [r[0].split(",")[0] for r in rows] == [
        "(b) raw SpiffWorkflow with JSON save/load", "(c) Liuzhuan use case", "(d) Liuzhuan use case",
        "growth 10 → 500 completed tasks", "approvals/s through HTTP", "approvals/s",
        "inbox API", "same", "`done` box of a user with 18", "inbox page / task page (HTML)",
        "first visit of the task page on a phone"]
    assert [r[3] for r in rows] == ["—", "yes", "no", "no", "no", "yes", "yes", "yes", "no", "no", "yes"]


def test_the_measured_column_carries_the_ratios_the_targets_are_stated_in():
    rows = by_figure(FIGS)
    assert rows["(c) Liuzhuan use case, SQLite, per action"][0] == "1,000 µs = 2.5× (b)"
    assert rows["(d) Liuzhuan use case, PostgreSQL, per action"][0].startswith("9,000 µs = 22.5× (b) = 3.0× (e)")
    assert rows["growth 10 → 500 completed tasks"][0] == "SQLite 1.10×, PostgreSQL 1.40×"
    assert "page 400 p95 14.0 ms (cursor), 40.0 ms (offset)" in rows["same, user with 10,000 open; page 400 of it"][0]
    assert "task p95 11.0 ms = 2.2× API (5.0 ms)" in rows["inbox page / task page (HTML), 1M rows"][0]


def test_without_postgresql_its_rows_say_skipped_and_give_no_verdict():
    why = "PostgreSQL not reachable at 127.0.0.1:5432"
    engine = {**ENGINE, "us": {**ENGINE["us"], "d": None, "e": None}, "growth": {"sqlite": [1000.0, 1100.0]},
              "pg_skipped": why}
    figs = {**FIGS, "engine": engine, "inbox": {"skipped": why}, "http_pg": {"skipped": why}}
    rows = summary.rows(figs)
    skipped = [r for r in rows if r[1].startswith("skipped: PostgreSQL not reachable")]
    assert [r[0][:12] for r in skipped] == ["(d) Liuzhuan", "approvals/s,", "inbox API, 1", "same, user w",
                                            "`done` box o", "inbox page /"]
    assert {r[3] for r in skipped} == {"—"}
    assert by_figure(figs)["growth 10 → 500 completed tasks"] == ("SQLite 1.10×", "≤ 1.3×", "yes")


def test_a_script_that_failed_is_named_and_the_table_still_prints(tmp_path):
    for name, figs in {**FIGS, "pages": {"failed": "failed (exit 1)"}}.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(figs), encoding="utf-8")
    text = summary.table(summary.read_dir(tmp_path))
    assert "| first visit of the task page on a phone | not measured: bench/web_pages.py failed (exit 1) |" in text
    assert "met 4 of 9 measured targets" in text
    assert "engine 2.5" in text and "http_pg 1.7" in text
