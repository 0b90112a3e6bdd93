"""db/read_guard.py: a read unit of work refuses to write (it runs outside a transaction on
PostgreSQL), except for the registered 已阅 mark; a write unit of work is unaffected."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from crm.models import User
from engine import task_reads
from engine.models import HumanTask
from tests.api.conftest import TWO_STEP
from tests.engine import helpers as h


def _name(org) -> str:
    with org.db.uow() as s:
        return s.scalar(select(User.display_name).where(User.id == org["clerk"]))


def test_a_read_that_changes_adds_or_updates_is_refused_and_nothing_is_written(any_org):
    org = any_org
    with pytest.raises(RuntimeError, match="read unit of work may not write .*User.display_name"), org.db.uow() as s:
        s.get(User, org["clerk"]).display_name = "改了"
    with pytest.raises(RuntimeError, match="new User"), org.db.uow() as s:
        s.add(User(username="sneaky", display_name="x", password_hash="x"))
    with pytest.raises(RuntimeError, match="INSERT / UPDATE / DELETE"), org.db.uow() as s:
        s.execute(update(User).where(User.id == org["clerk"]).values(display_name="改了"))
    assert _name(org) == "张三"
    with org.db.uow(write=True) as s:
        s.get(User, org["clerk"]).display_name = "张三丰"
    assert _name(org) == "张三丰"


def test_the_read_mark_is_the_one_write_a_read_may_make(any_org):
    org = any_org
    h.deploy(org, TWO_STEP)
    iid = h.start(org, "clerk", "two_step")
    tid = h.task_of(org, "sales_lead", iid)
    task_reads.get_task(org.db, org["sales_lead"], tid)  # the assignee opens it: 已阅
    with org.db.uow() as s:
        assert s.get(HumanTask, tid).read_at is not None
    with pytest.raises(RuntimeError, match="HumanTask.comment"), org.db.uow() as s:
        s.get(HumanTask, tid).comment = "not a read mark"
