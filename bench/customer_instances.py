"""What finding "the instances about a customer" costs (engine/about.py, the customer page 客户360).

The query searches process_instance.data with the database's JSON functions (SQLite json_type /
json_extract, PostgreSQL JSONB @>) instead of keeping an index table in step with every save.
This measures it: N instances (N = 2,000 and 20,000) with data like the shipped processes' (a
customer id, a contract id, or neither, plus a dozen other fields), then the median time of
about_customer for one customer, on SQLite (a file) and, when reachable, PostgreSQL.

Run: .venv/bin/python bench/customer_instances.py [--rounds N]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
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
from crm import records  # noqa: E402
from db.base import Base, utcnow  # noqa: E402
from db.session import Database  # noqa: E402
from engine import about  # noqa: E402
from engine.models import ProcessDefinition, ProcessInstance  # noqa: E402


def fill(db: Database, n: int) -> tuple[int, int]:
    """n instances over 200 customers (and a contract each); returns (user id, a customer id)."""
    with db.uow(write=True) as s:
        org_svc.create_role(s, "admin", "admin")
        uid = org_svc.create_user(s, "bench", "bench", "secret-pass-1", roles=["admin"]).id
    customers = [records.create(db, uid, "customer", {"name": f"客户{i}"})["id"] for i in range(200)]
    contracts = [records.create(db, uid, "contract", {"customer": c, "title": f"合同{c}"})["id"] for c in customers]
    rng = random.Random(7)
    with db.uow(write=True) as s:
        d = ProcessDefinition(key="bench", version=1, name="bench", bpmn_xml="<x/>", spec_json="{}", config={},
                              checksum="x", deployed_at=utcnow())
        s.add(d)
        s.flush()
        rows = []
        for i in range(n):
            data = {f"field{j}": rng.random() for j in range(12)}
            pick = rng.random()
            if pick < .4:
                data["customer_id"] = rng.choice(customers)
            elif pick < .6:
                data["contract_id"] = rng.choice(contracts)
            rows.append(ProcessInstance(definition_id=d.id, process_key="bench", business_key=uuid.uuid4().hex[:20],
                                        initiator_id=uid, title=f"#{i}", data=data, state="{}"))
        s.add_all(rows)
    return uid, customers[0]


def measure(url: str, n: int, rounds: int) -> float:
    db = Database(url)
    Base.metadata.create_all(db.engine)
    try:
        uid, customer = fill(db, n)
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            found = about.about_customer(db, uid, customer)
            times.append(time.perf_counter() - t)
        print(f"  {db.engine.dialect.name:10} N={n:6}: {statistics.median(times) * 1000:7.1f} ms "
              f"({len(found)} instances about the customer)")
        return statistics.median(times)
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    wire()
    print("about_customer (median):")
    for n in (2_000, 20_000):
        on_both_databases(lambda url, n=n: measure(url, n, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
