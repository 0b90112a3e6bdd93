"""Cost of one audit event insert (issue 11: the HMAC and the lock check): N events, each in its
own write transaction with the instance row locked as use cases do, on SQLite and PostgreSQL.

    PYTHONPATH=<checkout> python bench/audit_insert.py [sqlite|postgresql] [N]
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid

from sqlalchemy import create_engine, select, text

import crm.models  # noqa: F401
import engine.models  # noqa: F401
import files.models  # noqa: E402,F401
import notify.models  # noqa: F401
import search.models  # noqa: F401
from crm.models import User
from db.base import Base
from db.session import Database, lock_for_update
from engine import audit
from engine.models import ProcessDefinition, ProcessInstance

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    admin = None
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        name = f"lz_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    db = Database(url)
    Base.metadata.create_all(db.engine)
    with db.uow(write=True) as s:
        u = User(username="u", display_name="u", password_hash="x")
        s.add(u)
        s.flush()
        d = ProcessDefinition(key="k", version=1, name="k", bpmn_xml="", spec_json="", config={}, checksum="")
        s.add(d)
        s.flush()
        inst = ProcessInstance(definition_id=d.id, process_key="k", business_key="K-1", initiator_id=u.id, state="")
        s.add(inst)
        s.flush()
        iid = inst.id
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        with db.uow(write=True) as s:
            s.scalars(lock_for_update(select(ProcessInstance).where(ProcessInstance.id == iid), s)).first()
            if hasattr(audit, "mark_locked"):
                audit.mark_locked(s, iid)
            audit.record(s, iid, "comment", None, comment=f"c{i}", detail={"i": i})
        times.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    with db.uow(write=True) as s:
        s.scalars(lock_for_update(select(ProcessInstance).where(ProcessInstance.id == iid), s)).first()
        if hasattr(audit, "mark_locked"):
            audit.mark_locked(s, iid)
        for i in range(n):
            audit.record(s, iid, "comment", None, comment=f"c{i}", detail={"i": i})
    batch = (time.perf_counter() - t0) * 1000 / n
    print(f"{kind}: {n} audit inserts in one transaction: {batch:.3f} ms each")
    print(f"{kind}: {n} audit inserts, one transaction each: median {statistics.median(times):.3f} ms, "
          f"mean {statistics.mean(times):.3f} ms")
    db.dispose()
    if admin is not None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
