"""Reads do not write. A read unit of work (`Database.uow()` without write=True) runs outside a
transaction on PostgreSQL (db/session.py), so writes in it would not be atomic, and on SQLite they
would take the database's write lock without the process's writer lock. Its session refuses to
flush a change or to run an ORM INSERT / UPDATE / DELETE, except for the columns registered with
`allow_in_reads` (the 已阅 mark, HumanTask.read_at: engine/task_reads.py). A refusal is a
programming error (RuntimeError), for the tests to find; recording every flush of a read over the
suite found that mark and nothing else."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

READ = "lz_read"  # Session.info key of a read unit of work's session
_ALLOWED: dict[type, frozenset[str]] = {}


def allow_in_reads(model: type, *columns: str) -> None:
    """Let a read unit of work change these columns of `model` (a single-row mark, atomic on its own)."""
    _ALLOWED[model] = _ALLOWED.get(model, frozenset()) | frozenset(columns)


def _changed(obj: Any) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


@event.listens_for(Session, "before_flush")
def _no_writes(session: Session, _ctx: Any, _instances: Any) -> None:
    if not session.info.get(READ):
        return
    bad = [f"new {type(o).__name__}" for o in session.new] + [f"deleted {type(o).__name__}" for o in session.deleted]
    for obj in session.dirty:
        changed = _changed(obj)
        if changed and not changed <= _ALLOWED.get(type(obj), frozenset()):
            bad.append(f"{type(obj).__name__}.{', '.join(sorted(changed))}")
    if bad:
        raise RuntimeError(f"a read unit of work may not write ({'; '.join(bad)}): use db.uow(write=True)")


@event.listens_for(Session, "do_orm_execute")
def _no_dml(state: ORMExecuteState) -> None:
    if state.session.info.get(READ) and (state.is_insert or state.is_update or state.is_delete):
        raise RuntimeError("a read unit of work may not run INSERT / UPDATE / DELETE: use db.uow(write=True)")
