"""The search index on SQLite (FTS5) and PostgreSQL (GIN over to_tsvector): the same words find the
same records, kept current by the writer's transaction, rolled back with it."""
from __future__ import annotations

import pytest

from app import wire
from crm.records import Customer
from engine import instances, tasks
from search import query
from tests.bpmn_factory import chain, user_task
from tests.engine.helpers import deploy


@pytest.fixture(autouse=True)
def _wired():
    wire()  # installs the index's session listeners (the app does it at start)


def ids(org, user, q, kind=None):
    return [(it["kind"], it["id"]) for it in query.search(org.db, org[user], q, kind)["items"]]


def add_customer(org, name, owner="clerk"):
    with org.db.uow(write=True) as s:
        c = Customer(code=f"C{abs(hash(name)) % 10**8}", name=name, created_by_id=org[owner], owner_id=org[owner])
        s.add(c)
        s.flush()
        return c.id


def test_words_prefixes_comments_and_rollback(any_org):
    org = any_org
    cid = add_customer(org, "上海某某网络科技有限公司")
    add_customer(org, "北京网络设备公司", owner="fin1")
    assert ids(org, "clerk", "上海 网络") == [("customer", cid)]
    assert ids(org, "clerk", "网络科") == [("customer", cid)]  # prefix of the last word
    assert ids(org, "clerk", "上海 设备") == []  # every word must match
    assert len(ids(org, "admin", "网络")) == 2 and ids(org, "fin2", "上海") == []

    deploy(org, chain("buy", [user_task("sup", "any", "supervisor")], prefix="BY"))
    iid = instances.start_process(org.db, org["clerk"], "buy", {"title": "采购投影仪"})["id"]
    assert ids(org, "clerk", "投影仪") == [("instance", iid)]
    task = instances.get_instance(org.db, org["clerk"], iid)["open_tasks"][0]["id"]
    tasks.approve(org.db, org["sales_lead"], task, "请走集中采购")
    assert ids(org, "gm", "集中采购") == [("instance", iid)]
    assert ids(org, "hr1", "集中采购") == []

    with pytest.raises(RuntimeError), org.db.uow(write=True) as s:
        s.get(Customer, cid).name = "改名失败的公司"
        s.flush()
        raise RuntimeError("rolled back")
    assert ids(org, "clerk", "改名失败") == [] and ids(org, "clerk", "上海 网络") == [("customer", cid)]
    with org.db.uow(write=True) as s:
        s.get(Customer, cid).name = "杭州某某数据公司"
    assert ids(org, "clerk", "上海") == [] and ids(org, "clerk", "杭州 数据") == [("customer", cid)]
    with org.db.uow(write=True) as s:
        s.delete(s.get(Customer, cid))
    assert ids(org, "admin", "杭州") == []


def test_a_reader_finds_their_match_behind_many_they_may_not_see(any_org, monkeypatch):
    org = any_org
    monkeypatch.setattr(query, "CANDIDATES", 9)  # examine the best 9 matches instead of 2,000
    deploy(org, chain("buy2", [user_task("sup", "any", "supervisor")], prefix="BZ"))
    for i in range(8):  # better matches (the word twice) the clerk may not see
        instances.start_process(org.db, org["hr1"], "buy2", {"title": f"投影仪 投影仪 {i}"})
    mine = instances.start_process(org.db, org["clerk"], "buy2", {"title": "会议室投影仪"})["id"]
    assert ids(org, "clerk", "投影仪") == [("instance", mine)]
    assert len(ids(org, "admin", "投影仪")) == 9
    monkeypatch.setattr(query, "CANDIDATES", 8)  # the bound is real: the 9th best is not examined
    assert ids(org, "clerk", "投影仪") == []
