"""The inbox at scale (issue 12), on SQLite and PostgreSQL: keyset pages (cursor) list exactly the
rows OFFSET pages list, forwards and backwards, in every box and sort, ties included; counts come
from human_task alone yet keep a suspended instance's tasks and drop an ended one's; counts stop at
a cap; the done box's partial index and the keyword's trigram indexes serve their queries; a page
never loads a version's BPMN."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, text, update

from core.errors import ValidationFailed
from db.base import utcnow
from engine import inbox, instance_admin, instances
from engine.inbox_keyset import Cursor
from engine.models import HumanTask
from tests.bpmn_factory import chain, user_task
from tests.engine.helpers import approve, deploy, start

TWO = chain("two", [user_task("a", "any", "supervisor"), user_task("b", "any", "supervisor")], prefix="TW")


@pytest.fixture
def org(any_org):
    return any_org


@pytest.fixture
def seven(org):
    deploy(org, TWO)
    ids = [start(org, "clerk", "two", {"title": f"申请 {n}"}) for n in range(7)]
    now = utcnow()
    with org.db.uow(write=True) as s:  # ties on purpose: equal arrival and due times, some without a due time
        for n, iid in enumerate(ids):
            s.execute(update(HumanTask).where(HumanTask.instance_id == iid).values(
                created_at=now - timedelta(hours=n // 2), due_at=None if n % 3 == 0 else now + timedelta(days=n % 2)))
    return ids


def offset_ids(org, user, box, sort, size=3):
    out, offset = [], 0
    while True:
        rows, _ = inbox.list_box(org.db, org[user], box, offset, size, sort=sort)
        if not rows:
            return out
        out += [r["id"] for r in rows]
        offset += size


def walk(org, user, box, sort, size=3):
    """Every page forwards by next_cursor, then backwards from the last by prev_cursor."""
    pages, cursor = [], None
    while True:
        page = inbox.list_page(org.db, org[user], box, 0, size, sort=sort, cursor=cursor)
        pages.append([r["id"] for r in page.items])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    back, cursor = [pages[-1]], page.prev_cursor
    while cursor is not None:
        page = inbox.list_page(org.db, org[user], box, 0, size, sort=sort, cursor=cursor)
        back.insert(0, [r["id"] for r in page.items])
        cursor = page.prev_cursor
    assert back == pages, "previous pages are the pages walked forwards"
    return [i for p in pages for i in p]


@pytest.mark.parametrize("sort", ["received", "due"])
def test_cursor_pages_are_the_offset_pages_in_every_box(org, seven, sort):
    for iid in seven[:4]:  # four decided by sales_lead (whose next step, b, is theirs too)
        approve(org, "sales_lead", iid)
    with org.db.uow(write=True) as s:
        s.execute(update(HumanTask).where(HumanTask.status != "open").values(acted_at=utcnow()))
    for user, box in (("sales_lead", "todo"), ("sales_lead", "done"), ("clerk", "started")):
        expected = offset_ids(org, user, box, sort)
        assert len(expected) == (4 if box == "done" else 7)
        assert walk(org, user, box, sort) == expected, (box, sort)


def test_first_and_last_pages_have_no_cursor_beyond_them(org, seven):
    first = inbox.list_page(org.db, org["sales_lead"], "todo", 0, 5)
    assert first.prev_cursor is None and first.next_cursor is not None and first.total == 7
    last = inbox.list_page(org.db, org["sales_lead"], "todo", 0, 5, cursor=first.next_cursor)
    assert len(last.items) == 2 and last.next_cursor is None and last.prev_cursor is not None
    whole = inbox.list_page(org.db, org["sales_lead"], "todo", 0, 7)
    assert whole.next_cursor is None and whole.prev_cursor is None


def test_a_bad_cursor_is_refused_naming_it(org, seven):
    other = inbox.list_page(org.db, org["sales_lead"], "todo", 0, 2).next_cursor
    forged = (Cursor("todo", "received", (1, 2)).encode(), Cursor("todo", "received", (utcnow(),)).encode(),
              Cursor("todo", "received", (utcnow(), True)).encode())
    for bad, kw in (("garbage!", {}), (other, {"sort": "due"}), (other, {"box": "done"}), ("W10", {}),
                    *((f, {}) for f in forged)):
        with pytest.raises(ValidationFailed) as e:
            inbox.list_page(org.db, org["sales_lead"], kw.get("box", "todo"), 0, 2, sort=kw.get("sort", "received"),
                            cursor=bad)
        assert "cursor" in e.value.fields


def test_counts_keep_a_suspended_instances_tasks_and_drop_an_ended_ones(org, seven):
    lead = org["sales_lead"]
    instance_admin.suspend(org.db, org["admin"], seven[0])
    instances.withdraw(org.db, org["clerk"], seven[1])
    rows, total = inbox.list_box(org.db, lead, "todo", 0, 20)
    assert total == 6 and inbox.counts(org.db, lead)["todo"] == 6
    assert seven[1] not in {r["instance_id"] for r in rows}
    assert {r["instance_id"]: r["instance_status"] for r in rows}[seven[0]] == "suspended"
    assert inbox.box_totals(org.db, lead)["todo"] == 6


def test_counts_stop_at_the_cap(org, seven):
    lead = org["sales_lead"]
    assert inbox.counts(org.db, lead, cap=5)["todo"] == 5
    assert inbox.box_totals(org.db, org["clerk"], cap=5)["started"] == 5
    assert inbox.list_page(org.db, lead, "todo", 0, 2, count_cap=5).total == 5
    assert inbox.list_page(org.db, lead, "todo", 0, 2).total == 7


def test_a_page_never_loads_the_bpmn(org, seven):
    inbox.list_box(org.db, org["sales_lead"], "todo", 0, 20)  # the versions' configs are cached now
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(org.db.engine, "before_cursor_execute", seen)
    try:
        for box in inbox.BOXES:
            inbox.list_box(org.db, org["clerk" if box == "started" else "sales_lead"], box, 0, 20)
    finally:
        event.remove(org.db.engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "bpmn_xml" in s or "password_hash" in s or "spec_json" in s]
    assert len(statements) <= 4 * 3 + 2, statements  # count + page per box, + the open tasks of started/cc


def explain(org, sql, **params):
    with org.db.engine.connect() as con:
        con.execute(text("SET enable_seqscan = off"))
        return "\n".join(r[0] for r in con.execute(text("EXPLAIN " + sql), params))


@pytest.mark.parametrize("any_db", ["postgresql"], indirect=True)  # PostgreSQL query plans
def test_the_done_box_the_due_sort_and_the_keyword_have_their_indexes_on_postgresql(org, seven):
    done = explain(org, "SELECT id FROM human_task WHERE assignee_id = :u AND status != 'open' "
                        "AND status IN ('approved', 'rejected') AND auto IS false ORDER BY acted_at DESC LIMIT 20",
                   u=org["sales_lead"])
    assert "ix_human_task_done" in done, done
    due = explain(org, "SELECT id FROM human_task WHERE assignee_id = :u AND status = 'open' "
                       "ORDER BY (due_at IS NULL), due_at, created_at DESC, id DESC LIMIT 20", u=org["sales_lead"])
    assert "ix_human_task_todo_due" in due and "Sort" not in due.split("Index")[0], due
    q = explain(org, "SELECT id FROM process_instance WHERE lower(title) LIKE '%申请 3%'")
    assert "ix_process_instance_title_trgm" in q, q
