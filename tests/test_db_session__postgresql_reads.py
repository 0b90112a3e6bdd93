"""db/session.py on PostgreSQL: a read unit of work runs without a transaction around it (each
statement commits on its own, as READ COMMITTED reads see anyway), so it costs no BEGIN / COMMIT
round trips; a write unit of work is still one transaction. Seen through now(), which is the start
of the transaction, against statement_timestamp(), the start of the statement."""
from __future__ import annotations

import time

from sqlalchemy import text

from db.session import Database


def _one_transaction(db: Database, write: bool) -> bool:
    with db.uow(write=write) as s:
        s.execute(text("SELECT 1"))
        time.sleep(0.05)
        return bool(s.scalar(text("SELECT now() < statement_timestamp() - interval '40 milliseconds'")))


def test_reads_run_statement_by_statement_and_writes_in_one_transaction(pg_url):
    db = Database(pg_url)
    try:
        assert _one_transaction(db, write=True), "a write unit of work is one transaction"
        assert not _one_transaction(db, write=False), "a read unit of work opens no transaction"
        assert _one_transaction(db, write=True), "the pooled connection went back to transactions"
    finally:
        db.dispose()
