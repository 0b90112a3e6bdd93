"""engine.inbox.list_box filters (process, keyword, received range), the due-time sort, the
initiator's name on every row, the tab totals, and copies marked read when opened."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from core.errors import Forbidden, NotFound, ValidationFailed
from db.base import utcnow
from engine import inbox
from engine.models import HumanTask
from tests.bpmn_factory import chain, user_task
from tests.engine.helpers import approve, deploy, start

SOON = chain("soon", [user_task("a", "any", "supervisor", extra='<lz:deadline duration="P1D" action="remind"/>')],
             prefix="SO")
LATER = chain("later", [user_task("a", "any", "supervisor", extra='<lz:deadline duration="P3D" action="remind"/>')],
              prefix="LA")
NONE = chain("none", [user_task("a", "any", "supervisor",
                                extra='<lz:cc strategy="users" value="v05"/>')], prefix="NO")


@pytest.fixture
def three(org):
    for xml in (SOON, LATER, NONE):
        deploy(org, xml)
    return {"none": start(org, "clerk", "none"), "later": start(org, "clerk", "later"),
            "soon": start(org, "clerk2", "soon")}


def keys(rows):
    return [r["process"] for r in rows]


def test_rows_name_the_initiator(org, three):
    rows, total = inbox.list_box(org.db, org["sales_lead"], "todo", 0, 20)
    assert total == 3
    assert {r["process"]: r["initiator_name"] for r in rows} == {"none": "张三", "later": "张三", "soon": "李四"}
    assert {r["initiator"] for r in rows} == {"clerk", "clerk2"}


def test_process_and_keyword_filters(org, three):
    uid = org["sales_lead"]
    rows, total = inbox.list_box(org.db, uid, "todo", 0, 20, process="later")
    assert (keys(rows), total) == (["later"], 1)
    bk = rows[0]["business_key"]
    rows, total = inbox.list_box(org.db, uid, "todo", 0, 20, q=bk.lower())  # case-insensitive
    assert [r["business_key"] for r in rows] == [bk] and total == 1
    rows, total = inbox.list_box(org.db, uid, "todo", 0, 20, q="李四")  # the title names the initiator
    assert keys(rows) == ["soon"]
    rows, total = inbox.list_box(org.db, uid, "todo", 0, 20, q="100%_")  # LIKE wildcards are literal
    assert (rows, total) == ([], 0)
    rows, _ = inbox.list_box(org.db, org["clerk"], "started", 0, 20, process="none")
    assert keys(rows) == ["none"]


def test_received_range(org, three):
    uid, now = org["sales_lead"], utcnow()
    assert inbox.list_box(org.db, uid, "todo", 0, 20, received_from=now - timedelta(hours=1))[1] == 3
    assert inbox.list_box(org.db, uid, "todo", 0, 20, received_from=now + timedelta(hours=1))[1] == 0
    assert inbox.list_box(org.db, uid, "todo", 0, 20, received_before=now - timedelta(hours=1))[1] == 0
    assert inbox.list_box(org.db, org["v05"], "cc", 0, 20, received_before=now + timedelta(hours=1))[1] == 1


def test_sort_by_due_puts_the_earliest_first_and_tasks_without_a_deadline_last(org, three):
    uid = org["sales_lead"]
    rows, _ = inbox.list_box(org.db, uid, "todo", 0, 20, sort="due")
    assert keys(rows) == ["soon", "later", "none"]
    rows, _ = inbox.list_box(org.db, uid, "todo", 0, 20)  # default: newest received first
    assert keys(rows) == ["soon", "later", "none"]
    # a later deadline moved earlier changes the order
    with org.db.uow(write=True) as s:
        s.execute(update(HumanTask).where(HumanTask.instance_id == three["later"])
                  .values(due_at=utcnow() - timedelta(hours=2)))
    rows, _ = inbox.list_box(org.db, uid, "todo", 0, 20, sort="due")
    assert keys(rows) == ["later", "soon", "none"]
    rows, _ = inbox.list_box(org.db, uid, "todo", 0, 20)
    assert keys(rows) == ["soon", "later", "none"], "the received order does not depend on the deadline"
    started, _ = inbox.list_box(org.db, org["clerk"], "started", 0, 20, sort="due")
    assert keys(started) == ["later", "none"]


def test_bad_filters_are_refused(org, three):
    with pytest.raises(ValidationFailed) as e:
        inbox.list_box(org.db, org["sales_lead"], "todo", 0, 20, sort="random", q="x" * 101)
    assert set(e.value.fields) == {"sort", "q"}


def test_totals_and_copies_marked_read_when_opened(org, three):
    approve(org, "sales_lead", three["none"])
    totals = inbox.box_totals(org.db, org["sales_lead"])
    assert (totals["todo"], totals["done"]) == (2, 1)
    assert inbox.box_totals(org.db, org["clerk"])["started"] == 2
    v05 = org["v05"]
    assert inbox.box_totals(org.db, v05)["cc"] == 1 and inbox.counts(org.db, v05)["cc_unread"] == 1
    (row,), _ = inbox.list_box(org.db, v05, "cc", 0, 20)
    assert row["read_at"] is None and row["initiator_name"] == "张三"
    with pytest.raises(Forbidden):
        inbox.open_copy(org.db, org["v06"], row["id"])
    assert inbox.counts(org.db, v05)["cc_unread"] == 1, "someone else opening it does not mark it read"
    assert inbox.open_copy(org.db, v05, row["id"]) == three["none"]
    assert inbox.counts(org.db, v05)["cc_unread"] == 0
    (row,), _ = inbox.list_box(org.db, v05, "cc", 0, 20)
    assert row["read_at"] is not None
    with pytest.raises(NotFound):
        inbox.open_copy(org.db, v05, 99999)


PLAIN = chain("plain", [user_task("a", "any", "supervisor")], prefix="PL")
HIDES_TITLE = chain("hides_title", [user_task("a", "any", "supervisor",
                                              extra='<lz:form key="general_approval"/><lz:fields hidden="title"/>')],
                    prefix="HT")


def test_rows_carry_a_summary_but_never_a_hidden_field(org):
    deploy(org, PLAIN)
    deploy(org, HIDES_TITLE)
    start(org, "clerk", "plain", {"title": "  采购\n服务器 ", "amount": 5})
    start(org, "clerk", "hides_title", {"title": "机密项目", "reason": "年度预算内", "amount": 5})
    start(org, "clerk", "plain", {"title": "长" * 80})
    rows, _ = inbox.list_box(org.db, org["sales_lead"], "todo", 0, 20)
    assert [r["summary"] for r in rows] == ["长" * 59 + "…", "年度预算内", "采购 服务器"]
    started, _ = inbox.list_box(org.db, org["clerk"], "started", 0, 20)
    assert started[1]["summary"] == "机密项目", "the initiator sees their own title"
