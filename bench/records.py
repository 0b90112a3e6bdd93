"""What records cost (issue 14): the search over 100,000 instances, and the approval record PDF.

* search: 100,000 instances with their search documents (business key, title, a customer-like name
  drawn from a vocabulary), bulk-loaded into SQLite (FTS5) and, when reachable, PostgreSQL (a stored
  tsvector with a GIN index); median time of `search.query.search` for an admin (no visibility filter) and for a
  clerk who started 1 in 50 of them (the visibility filter runs), a common two-word query and a
  rare one;
* the PDF: an instance with 5 attachments that went through 20 approval steps, each with a comment; median time of
  GET /instances/<id>/record.pdf through Flask's test client (WeasyPrint, the diagram, the chain).

Run: .venv/bin/python bench/records.py [--rounds N] [--instances N]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crm.models  # noqa: E402,F401
import engine.models  # noqa: E402,F401
import files.models  # noqa: E402,F401
import notify.models  # noqa: E402,F401
import search.models  # noqa: E402,F401
from app import create_app, wire  # noqa: E402
from bench.pgdb import on_both_databases  # noqa: E402
from crm import org as org_svc  # noqa: E402
from db.base import Base, utcnow  # noqa: E402
from db.session import Database  # noqa: E402
from engine import instances, tasks  # noqa: E402
from engine.design import definitions  # noqa: E402
from search import query  # noqa: E402
from search.tokens import document_tokens  # noqa: E402

PLACES = ["上海", "北京", "杭州", "深圳", "广州", "成都", "南京", "武汉", "苏州", "天津"]
TRADES = ["网络", "科技", "贸易", "物流", "电子", "软件", "医疗", "建材", "食品", "能源"]
KINDS = ["采购申请", "费用报销", "合同会签", "请假申请", "服务工单"]
PASSWORD = "bench-pass-1"


def median_ms(fn, rounds: int) -> float:
    fn()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


ATTACHMENTS = 5
FORM = {"type": "default", "id": "bench_form", "components": [
    {"type": "textfield", "id": "f_title", "key": "title", "label": "标题"},
    {"type": "filepicker", "id": "f_docs", "key": "docs", "label": "附件", "multiple": True,
     "properties": {"maxFiles": str(ATTACHMENTS)}}]}


def chain_xml(steps: int, form: bool = False) -> bytes:
    from tests.bpmn_factory import chain, user_task

    xml = chain("bench_chain", [user_task(f"s{i}", "any", "users", "boss") for i in range(steps)], prefix="BC")
    if form:
        xml = xml.replace(b'<bpmn:startEvent id="start"/>',
                          b'<bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="bench_form"/>'
                          b'</bpmn:extensionElements></bpmn:startEvent>')
    return xml


def org(db: Database) -> tuple[int, int, int]:
    with db.uow(write=True) as s:
        org_svc.create_role(s, "admin", "admin")
        admin = org_svc.create_user(s, "admin", "admin", PASSWORD, roles=["admin"]).id
        boss = org_svc.create_user(s, "boss", "王总", PASSWORD).id
        clerk = org_svc.create_user(s, "clerk", "张三", PASSWORD, supervisor="boss").id
    return admin, boss, clerk


def load_search(db: Database, n: int, clerk: int, boss: int) -> None:
    """n instances (1 in 50 started by the clerk) and their documents, in bulk."""
    definitions.deploy(db, chain_xml(1), None)
    rng = random.Random(7)
    with db.uow(write=True) as s:
        d_id = s.execute(engine.models.ProcessDefinition.__table__.select()).first().id
        now = utcnow()
        batch_i, batch_d = [], []
        for i in range(1, n + 1):
            middle = rng.choice(["某某", "一二", "三四"])
            name = f"{rng.choice(PLACES)}{middle}{rng.choice(TRADES)}{rng.choice(TRADES)}有限公司"
            title = f"{name}{rng.choice(KINDS)}"
            key = f"BC-2026-{i:06d}"
            batch_i.append({"id": i, "definition_id": d_id, "process_key": "bench_chain", "business_key": key,
                            "status": "completed", "initiator_id": clerk if i % 50 == 0 else boss, "title": title,
                            "data": {}, "state": "", "revision": 0, "warnings": [], "chosen": {}, "created_at": now,
                            "updated_at": now, "outcome": "approved"})
            body = f"{key}\n{title}\n{name}"
            batch_d.append({"kind": "instance", "ref_id": i, "title": title, "body": body,
                            "tokens": document_tokens(f"{title}\n{body}"), "updated_at": now})
            if len(batch_i) == 5000:
                s.execute(engine.models.ProcessInstance.__table__.insert(), batch_i)
                s.execute(search.models.SearchDoc.__table__.insert(), batch_d)
                batch_i, batch_d = [], []
        if batch_i:
            s.execute(engine.models.ProcessInstance.__table__.insert(), batch_i)
            s.execute(search.models.SearchDoc.__table__.insert(), batch_d)
    if not db.is_sqlite:
        with db.engine.begin() as con:
            con.exec_driver_sql("SELECT setval('process_instance_id_seq', (SELECT max(id) FROM process_instance))")
            con.exec_driver_sql("ANALYZE")


def bench_search(url: str, n: int, rounds: int) -> None:
    db = Database(url)
    Base.metadata.create_all(db.engine)
    admin, boss, clerk = org(db)
    t0 = time.perf_counter()
    load_search(db, n, clerk, boss)
    print(f"  {db.engine.dialect.name}: {n:,} instances loaded in {time.perf_counter() - t0:.0f} s")
    for who, uid in (("admin", admin), ("clerk", clerk)):
        for q in ("上海 网络", "苏州 医疗 采购"):
            hits = query.search(db, uid, q)["total"]
            ms = median_ms(lambda uid=uid, q=q: query.search(db, uid, q), rounds)
            print(f"    {who:<6} q={q!r:<16} {ms:8.1f} ms  ({hits} visible among the matches checked)")
    db.dispose()


def bench_pdf(rounds: int, steps: int = 20) -> None:
    """A request with ATTACHMENTS files (a PDF and images, 40-400 KB) through `steps` approvals."""
    import io

    from files import service as file_service
    from files import storage

    with tempfile.TemporaryDirectory() as tmp:
        storage.use(storage.LocalStorage(Path(tmp) / "files"))
        db = Database(f"sqlite:///{tmp}/pdf.db")
        Base.metadata.create_all(db.engine)
        _admin, boss, clerk = org(db)
        definitions.deploy(db, chain_xml(steps, form=True), None, forms={"bench_form": FORM})
        rng = random.Random(3)
        docs = [file_service.upload(db, clerk, f"发票{i + 1}.{'pdf' if i == 0 else 'png'}", None,
                                    io.BytesIO(rng.randbytes(40_000 * (i + 1) ** 2 // 2)))
                for i in range(ATTACHMENTS)]
        iid = instances.start_process(db, clerk, "bench_chain", {"title": "差旅报销", "docs": docs})["id"]
        for i in range(steps):
            task = instances.get_instance(db, clerk, iid)["open_tasks"][0]["id"]
            tasks.approve(db, boss, task, f"第 {i + 1} 步同意，请注意预算与合同条款")
        app = create_app({"DATABASE": db, "SECRET_KEY": "bench", "TESTING": True})
        client = app.test_client()
        with client.session_transaction() as sess:
            from crm import directory

            sess["uid"] = directory.login(db, "clerk", PASSWORD)

        def once() -> None:
            r = client.get(f"/instances/{iid}/record.pdf")
            assert r.status_code == 200 and r.data.startswith(b"%PDF"), r.status_code

        size = sum(d["size"] for d in docs) // 1000
        print(f"  record.pdf, {steps} steps with comments, {ATTACHMENTS} attachments ({size} KB): "
              f"{median_ms(once, rounds):.0f} ms (median)")
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--instances", type=int, default=100_000)
    args = parser.parse_args()
    wire()
    print("approval record PDF:")
    bench_pdf(max(3, args.rounds // 3))
    print("search (median per query):")
    on_both_databases(lambda url: bench_search(url, args.instances, args.rounds), "search.db")
    return 0


if __name__ == "__main__":
    sys.exit(main())
