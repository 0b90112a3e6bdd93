"""What one sandboxed evaluation costs (engine/sandbox.py): a gateway condition, an lz:arg style
expression, a comprehension and a small script task, in microseconds per evaluation (median of
several rounds). Run it on two trees to compare, e.g. before and after a sandbox change:

    .venv/bin/python bench/sandbox_cost.py [--rounds 7] [--n 20000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import sandbox  # noqa: E402

CONTEXT = {"amount": 1200, "days": 3, "dept": "sales", "items": [{"price": 10, "qty": 2}] * 10,
           "applicant": "zhang.san"}
CASES = [
    ("eval", "amount > 1000"),
    ("eval", "days > 2 and dept == 'sales'"),
    ("eval", "sum(i['price'] * i['qty'] for i in items) > 100"),
    ("eval", "f'{applicant}: {amount:.2f}'"),
    ("exec", "total = 0\nfor i in items:\n    total += i['price'] * i['qty']\n"
             "level = 'high' if total > 150 else 'low'"),
]


def per_eval(env: sandbox.RestrictedEnvironment, mode: str, src: str, n: int) -> float:
    ctx = dict(CONTEXT)
    run = env.evaluate if mode == "eval" else env.execute
    run(src, ctx)
    t = time.perf_counter()
    for _ in range(n):
        run(src, dict(ctx) if mode == "exec" else ctx)
    return (time.perf_counter() - t) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()
    env = sandbox.RestrictedEnvironment()
    for mode, src in CASES:
        times = [per_eval(env, mode, src, args.n) for _ in range(args.rounds)]
        print(f"{statistics.median(times):8.2f} us  {mode}  {src.splitlines()[0][:60]}")


if __name__ == "__main__":
    main()
