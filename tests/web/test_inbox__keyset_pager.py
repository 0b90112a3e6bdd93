"""The inbox page at scale (issue 12): from page 3 on, the next / previous links carry a keyset
cursor and list exactly the rows the numbered pages list (a bookmark with only ?page= still
works); a mangled cursor leads back to page 1; counts beyond the cap read "999+"."""
from __future__ import annotations

import re

from sqlalchemy import event

from engine import inbox
from tests.web.conftest import signed_in
from tests.web.test_inbox__filters_paging_bulk import SIMPLE, deploy, fresh, rows, start


def link(html, rel):
    m = re.search(rf'href="([^"]*)" rel="{rel}"', html)
    return m.group(1).replace("&amp;", "&") if m else None


def ids(html):
    return [i for i, _ in rows(html)]


def test_deep_pages_follow_cursors_and_match_numbered_pages(client, org):
    deploy(org, SIMPLE)
    for n in range(65):
        start(org, "clerk", "simple", {"title": f"申请 {n}"})
    signed_in(client, "sales_lead")
    numbered = [ids(client.get(f"/?box=todo&page={n}").get_data(as_text=True)) for n in (1, 2, 3, 4)]
    assert [len(p) for p in numbered] == [20, 20, 20, 5]
    html = client.get("/").get_data(as_text=True)
    assert link(html, "next") == "/?box=todo&page=2", "page 2 by number"
    html = client.get(link(html, "next")).get_data(as_text=True)
    assert ids(html) == numbered[1] and "cursor=" in link(html, "next")
    html = client.get(link(html, "next")).get_data(as_text=True)
    assert ids(html) == numbered[2] and "3 / 4" in html
    assert link(html, "prev") == "/?box=todo&page=2"
    html = client.get(link(html, "next")).get_data(as_text=True)
    assert ids(html) == numbered[3] and link(html, "next") is None
    back = client.get(link(html, "prev")).get_data(as_text=True)
    assert ids(back) == numbered[2]
    # a mangled link: back to the first page, not an error page
    r = client.get("/?box=todo&page=4&cursor=garbage")
    assert r.status_code == 302 and r.headers["Location"].endswith("/?box=todo")


def test_counts_beyond_the_cap_read_999_plus(app, client, org, monkeypatch):
    deploy(org, SIMPLE)
    for n in range(12):
        start(org, "clerk", "simple", {"title": f"申请 {n}"})
    monkeypatch.setattr(inbox, "COUNT_CAP", 10)
    signed_in(client, "sales_lead")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-box="todo">[^<]*<span class="badge"[^>]*>9\+</span>', html), "capped tab count"
    clerk, _ = fresh(app, "clerk")
    html = clerk.get("/?box=started").get_data(as_text=True)
    assert re.search(r'data-box="started">[^<]*<span class="count">9\+</span>', html)


def test_the_inbox_page_loads_no_bpmn_and_counts_each_box_once(client, org):
    deploy(org, SIMPLE)
    for n in range(3):
        start(org, "clerk", "simple", {"title": f"申请 {n}"})
    signed_in(client, "sales_lead")
    client.get("/")  # warm: the versions' parsed configs are cached
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(org.db.engine, "before_cursor_execute", seen)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(org.db.engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "bpmn_xml" in s or "spec_json" in s], "no BPMN loaded"
    counting = [s for s in statements if "count(" in s.lower()]
    # todo (the listed box, its total), done, started, cc and the unread copies: five counts, one statement
    assert len(counting) == 1 and counting[0].lower().count("count(") == 5, counting
