"""db/session.py: the SQLite writers of one process take turns on an in-process lock before BEGIN
IMMEDIATE (instead of SQLite's sleeping busy handler); the lock is re-entrant for a write opened
inside a write (an after-commit hook's), and readers never wait for it."""
from __future__ import annotations

import threading

from sqlalchemy import text

from db.session import Database


def _db(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path}/w.db")
    with db.engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE t (n int)")
    return db


def test_a_second_writer_waits_until_the_first_has_committed(tmp_path):
    db = _db(tmp_path)
    first_inside, second_entered = threading.Event(), threading.Event()
    seen: list[int] = []

    def second() -> None:
        first_inside.wait(10)
        with db.uow(write=True) as s:  # before any statement: the lock alone holds it back
            second_entered.set()
            seen.append(s.scalar(text("SELECT count(*) FROM t")))

    th = threading.Thread(target=second)
    th.start()
    with db.uow(write=True) as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
        first_inside.set()
        assert not second_entered.wait(0.5), "the second writer came in while the first one wrote"
        with db.uow() as reader:  # a reader does not queue behind the writer
            assert reader.scalar(text("SELECT count(*) FROM t")) == 0
    th.join(10)
    assert second_entered.is_set() and seen == [1]


def test_a_write_inside_a_write_of_the_same_thread_does_not_wait_for_itself(tmp_path):
    db = _db(tmp_path)
    done = threading.Event()

    def nested() -> None:
        with db.uow(write=True):
            with db.uow(write=True) as inner:
                inner.execute(text("INSERT INTO t VALUES (2)"))
        done.set()

    th = threading.Thread(target=nested, daemon=True)
    th.start()
    th.join(10)
    assert done.is_set()
    with db.uow() as s:
        assert s.scalar(text("SELECT n FROM t")) == 2
