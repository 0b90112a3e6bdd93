"""The inbox page is one read (issue 9's rule, issue 12's budget): after the signed-in user's read
(web/users.py, as on every page) one transaction (engine.inbox_page.inbox_page) with a fixed number
of SQL statements, whatever the box, the page or the number of rows: the tabs' five counts in one
statement (the listed box's total among them unless a filter narrows the list), the rows, the
processes of the filter. Counted with SQLAlchemy's engine events around one GET, on both databases.
Before (main at this change) the unfiltered todo page took 4 transactions and 12 statements after
the user's read (SQLite: a count for the list, four more for the tabs, two for the catalogue of
processes, the rows)."""
from __future__ import annotations

import re

import pytest

from tests.web.conftest import signed_in
from tests.web.test_inbox__filters_paging_bulk import SIMPLE, deploy, start
from tests.web.test_task__one_read import counting

# statements of the page's own transaction: counts, rows, processes (+ the open tasks of the listed
# instances in 我发起的 / 抄送); a filter adds the list's own count, a keyword the look-ups of the CRM
# records it names (customers, contracts, agents: engine.inbox_filters.keyword_ids; four when a
# customer matches)
BUDGET = {"todo": 3, "done": 3, "started": 4, "cc": 4}
FILTERED = 1
KEYWORD = 3


@pytest.fixture
def app(any_org, app_for):
    return app_for(any_org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True)


def page_transactions(app, org, url: str) -> tuple[list[list[str]], str]:
    client = app.test_client()
    signed_in(client, "sales_lead")
    client.get(url)  # warm: the versions' parsed configs are cached
    with counting(org.db) as counts:
        r = client.get(url)
    assert r.status_code == 200
    user, *page = counts.transactions
    assert user and all("user_account" in s or "role" in s or "department" in s for s in user), counts
    return page, r.get_data(as_text=True)


@pytest.mark.parametrize("rows", [3, 25])
def test_each_box_is_one_transaction_with_a_fixed_number_of_statements(app, any_org, rows):
    org = any_org
    deploy(org, SIMPLE)
    for n in range(rows):
        start(org, "clerk", "simple", {"title": f"申请 {n}"})
    for box, budget in BUDGET.items():
        page, html = page_transactions(app, org, f"/?box={box}")
        assert len(page) == 1, f"{box}: {len(page)} transactions:\n{page}"
        assert len(page[0]) <= budget, f"{box}: {len(page[0])} statements:\n" + "\n".join(page[0])
    page, html = page_transactions(app, org, "/?box=todo&page=2")
    assert len(page) == 1 and len(page[0]) <= BUDGET["todo"]
    assert re.search(rf'data-box="todo">[^<]*<span class="badge"[^>]*>{rows}</span>', html), \
        "the tab shows the box's count"


def test_a_filter_adds_its_own_count_and_a_keyword_its_records(app, any_org):
    org = any_org
    deploy(org, SIMPLE)
    for n in range(3):
        start(org, "clerk", "simple", {"title": f"申请 {n}" if n else "服务器"})
    page, html = page_transactions(app, org, "/?box=todo&process=simple&sort=due")
    assert len(page) == 1 and len(page[0]) <= BUDGET["todo"] + FILTERED, "\n".join(page[0])
    page, html = page_transactions(app, org, "/?box=todo&q=服务器")
    assert len(page) == 1 and len(page[0]) <= BUDGET["todo"] + FILTERED + KEYWORD, "\n".join(page[0])
    assert "1 in total" in html or "共 1" in html, "the filtered total, not the box's"
    assert re.search(r'data-box="todo">[^<]*<span class="badge"[^>]*>3</span>', html), "the tab: the whole box"
