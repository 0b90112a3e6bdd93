"""The inbox page: tabs with counts, filters and sort in the query string, paging that keeps them,
overdue due times, copies marked read when opened, and bulk approval reported per task."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from db.base import utcnow
from engine import inbox, instances, tasks
from engine.design import definitions
from engine.models import AuditEvent, HumanTask
from tests.bpmn_factory import chain, user_task
from tests.web.conftest import signed_in

SIMPLE = chain("simple", [user_task("sup", "any", "supervisor")], prefix="SP")
OTHER = chain("other", [user_task("sup", "any", "supervisor", extra='<lz:cc strategy="users" value="v07"/>')],
              prefix="OT")
# the supervisor must fill in title and amount (required in the general_approval form) at this node
NEEDS_INPUT = chain("needs_input", [user_task("sup", "any", "supervisor",
                                              extra='<lz:form key="general_approval"/><lz:fields editable="title,amount"/>')],
                    prefix="NI")
# sales_lead or sales_head: whoever decides first
EITHER = chain("either", [user_task("pick", "any", "users", "sales_lead,sales_head")], prefix="EI")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def deploy(org, *xmls):
    for xml in xmls:
        definitions.deploy(org.db, xml, org["admin"])


def start(org, user, process, data=None):
    return instances.start_process(org.db, org[user], process, data or {})


def fresh(app, user):
    """A new browser session signed in as `user`: (client, csrf token)."""
    c = app.test_client()
    return c, signed_in(c, user)


def rows(html):
    """(data-instance, row html) of each list row."""
    return re.findall(r'<tr data-instance="(\d+)"[^>]*>(.*?)</tr>', html, re.S)


def open_task(org, user, instance_id):
    with org.db.uow() as s:
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.assignee_id == org[user], HumanTask.status == "open"))


def task_status(org, task_id):
    with org.db.uow() as s:
        return s.get(HumanTask, task_id).status


def test_filters_sort_and_paging_keep_each_other(client, org):
    deploy(org, SIMPLE, OTHER)
    started = [start(org, "clerk", "simple") for _ in range(22)] + [start(org, "clerk2", "other")]
    signed_in(client, "sales_lead")

    html = client.get("/").get_data(as_text=True)
    assert len(rows(html)) == 20, "20 per page"
    assert re.search(r'data-box="todo">[^<]*<span class="badge"[^>]*>23</span>', html), "count on the tab"
    assert "张三" in html and "李四" in html, "the initiator's name"
    assert 'href="/?box=todo&amp;page=2"' in html
    page2 = client.get("/?box=todo&page=2").get_data(as_text=True)
    assert len(rows(page2)) == 3
    assert {i for i, _ in rows(html)} | {i for i, _ in rows(page2)} == {str(s["id"]) for s in started}

    # the process filter, and paging links that keep it (and the sort)
    html = client.get("/?box=todo&process=simple&sort=due").get_data(as_text=True)
    assert len(rows(html)) == 20 and str(started[-1]["id"]) not in dict(rows(html))
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "process=simple" in next_link and "sort=due" in next_link
    assert len(rows(client.get(next_link).get_data(as_text=True))) == 2
    assert '<option value="simple" selected>' in html, "the select shows the filter"

    # keyword: a business key (any case) finds exactly that one, and rows link to the task page
    key = started[5]["business_key"]
    html = client.get("/", query_string={"q": key.lower()}).get_data(as_text=True)
    (only,) = rows(html)
    assert only[0] == str(started[5]["id"])
    assert f'href="/tasks/{open_task(org, "sales_lead", started[5]["id"])}"' in only[1]
    assert "Nothing matches" not in html and "没有符合" not in html

    # received dates in the user's time zone: today finds all, tomorrow none
    today = datetime.now(SHANGHAI).date()
    assert len(rows(client.get(f"/?from={today}&to={today}").get_data(as_text=True))) == 20
    html = client.get(f"/?from={today + timedelta(days=1)}").get_data(as_text=True)
    assert rows(html) == [] and "没有符合筛选条件的记录。" in html
    assert len(rows(client.get(f"/?to={today - timedelta(days=1)}").get_data(as_text=True))) == 0
    # a malformed date is ignored, not a 500
    assert len(rows(client.get("/?from=2026-13-45").get_data(as_text=True))) == 20


def test_due_sort_and_overdue_marked_red(client, org):
    deploy(org, SIMPLE)
    a, b = start(org, "clerk", "simple")["id"], start(org, "clerk", "simple")["id"]
    with org.db.uow(write=True) as s:
        s.execute(update(HumanTask).where(HumanTask.instance_id == a).values(due_at=utcnow() - timedelta(hours=3)))
        s.execute(update(HumanTask).where(HumanTask.instance_id == b).values(due_at=utcnow() + timedelta(days=2)))
    signed_in(client, "sales_lead")
    html = client.get("/?sort=due").get_data(as_text=True)
    listed = rows(html)
    assert [i for i, _ in listed] == [str(a), str(b)]
    assert 'class="overdue"' in listed[0][1] and "已超时" in listed[0][1]
    assert 'class="overdue"' not in listed[1][1]
    assert [i for i, _ in rows(client.get("/").get_data(as_text=True))] == [str(b), str(a)], "newest first"


def test_other_boxes_and_copies_marked_read_when_opened(app, client, org):
    deploy(org, OTHER)
    iid = start(org, "clerk", "other")["id"]
    tasks.approve(org.db, org["sales_lead"], open_task(org, "sales_lead", iid), "可以")
    signed_in(client, "v07")
    html = client.get("/?box=cc").get_data(as_text=True)
    (row,) = rows(html)
    assert row[0] == str(iid) and "张三" in row[1] and "已通过" in row[1]
    assert re.search(r'data-box="cc">[^<]*<span class="count">1</span> <span class="badge"[^>]*>1</span>', html)
    cc_url = re.search(r'href="(/cc/\d+)"', row[1]).group(1)
    r = client.get(cc_url)
    assert (r.status_code, r.location) == (302, f"/instances/{iid}")
    html = client.get("/?box=cc").get_data(as_text=True)
    assert not re.search(r'data-box="cc">[^<]*<span class="count">1</span> <span class="badge"', html), "read now"
    other, _ = fresh(app, "v08")
    assert other.get(cc_url).status_code == 403, "someone else's copy"

    lead, _ = fresh(app, "sales_lead")
    (row,) = rows(lead.get("/?box=done").get_data(as_text=True))
    assert "已同意" in row[1] and f'href="/instances/{iid}"' in row[1]
    clerk, _ = fresh(app, "clerk")
    (row,) = rows(clerk.get("/?box=started").get_data(as_text=True))
    assert row[0] == str(iid)


def test_bulk_approve_reports_each_task_and_leaves_the_failing_ones_untouched(client, org):
    deploy(org, SIMPLE, NEEDS_INPUT, EITHER)
    ok1, ok2 = start(org, "clerk", "simple")["id"], start(org, "clerk2", "simple")["id"]
    needs = start(org, "clerk", "needs_input")
    either = start(org, "clerk", "either")["id"]
    ids = {name: open_task(org, "sales_lead", iid)
           for name, iid in (("ok1", ok1), ("ok2", ok2), ("needs", needs["id"]), ("either", either))}
    token = signed_in(client, "sales_lead")
    html = client.get("/").get_data(as_text=True)
    assert all(f'name="task" value="{t}"' in html for t in ids.values()), "a checkbox per todo row"
    # meanwhile the sales head decides the shared task
    tasks.approve(org.db, org["sales_head"], open_task(org, "sales_head", either), "我来批")

    r = client.post("/tasks/bulk-approve", data={"csrf_token": token, "comment": "批量同意",
                                                 "task": list(ids.values()), "next": "/?box=todo"})
    assert (r.status_code, r.location) == (302, "/?box=todo")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'flash-success[^>]*>已同意 2 项', html)
    assert f"张三的needs_input ({needs['business_key']})：需要在审批页填写（标题, 金额（元））" in html
    assert "已被他人处理或已结束" in html
    assert (task_status(org, ids["ok1"]), task_status(org, ids["ok2"])) == ("approved", "approved")
    assert task_status(org, ids["needs"]) == "open", "the task needing input is left for its page"
    assert task_status(org, ids["either"]) == "cancelled"
    with org.db.uow() as s:
        comments = list(s.scalars(select(AuditEvent.comment).where(AuditEvent.action == "approve",
                                                                   AuditEvent.actor_id == org["sales_lead"])))
    assert comments == ["批量同意", "批量同意"]
    assert [i for i, _ in rows(html)] == [str(needs["id"])], "only the failing one is still to do"


def test_bulk_approve_needs_the_csrf_token_and_a_selection(app, client, org):
    deploy(org, SIMPLE)
    iid = start(org, "clerk", "simple")["id"]
    tid = open_task(org, "sales_lead", iid)
    token = signed_in(client, "sales_lead")
    assert client.post("/tasks/bulk-approve", data={"task": [tid]}).status_code == 400
    assert task_status(org, tid) == "open"
    r = client.post("/tasks/bulk-approve", data={"csrf_token": token})
    assert r.status_code == 302
    assert "请先勾选要审批的事项。" in client.get("/").get_data(as_text=True)
    # someone else's task in a bulk request is refused for that task only
    other, token = fresh(app, "clerk2")
    other.post("/tasks/bulk-approve", data={"csrf_token": token, "task": [tid]})
    assert "不是你的待办" in other.get("/").get_data(as_text=True)
    assert task_status(org, tid) == "open"


def test_opening_the_instance_page_directly_reads_the_copy_too(app, client, org):
    deploy(org, OTHER)
    iid = start(org, "clerk", "other")["id"]
    tasks.approve(org.db, org["sales_lead"], open_task(org, "sales_lead", iid), "可以")
    assert inbox.counts(org.db, org["v07"])["cc_unread"] == 1
    other, _ = fresh(app, "v08")
    assert other.get(f"/instances/{iid}").status_code == 403
    assert inbox.counts(org.db, org["v07"])["cc_unread"] == 1, "a refused viewer reads nothing"
    signed_in(client, "v07")
    assert client.get(f"/instances/{iid}").status_code == 200
    assert inbox.counts(org.db, org["v07"])["cc_unread"] == 0


def test_received_date_filter_uses_shanghai_days_at_any_hour_utc(client, org):
    """The date filter's bounds are Shanghai midnights (UTC+8, not the +08:06 local mean time a
    pytz zone gives when passed as tzinfo) converted to UTC before comparing: pinned with tasks
    received just either side of, and 3 minutes after, a Shanghai midnight, whatever the hour now."""
    deploy(org, SIMPLE)
    late, early, after_lmt = (start(org, "clerk", "simple")["id"] for _ in range(3))
    midnight = datetime(2026, 3, 2, tzinfo=SHANGHAI)  # 2026-03-01 16:00 UTC
    received = {late: midnight - timedelta(minutes=1),  # 2026-03-01 23:59 in Shanghai
                early: midnight + timedelta(minutes=1),  # 2026-03-02 00:01
                after_lmt: midnight - timedelta(minutes=3)}  # 23:57: before an +08:06 midnight too
    with org.db.uow(write=True) as s:
        for iid, at in received.items():
            s.execute(update(HumanTask).where(HumanTask.instance_id == iid).values(created_at=at.astimezone(UTC)))
    signed_in(client, "sales_lead")

    def listed(query):
        return {int(i) for i, _ in rows(client.get(query).get_data(as_text=True))}

    assert listed("/?from=2026-03-02&to=2026-03-02") == {early}
    assert listed("/?from=2026-03-01&to=2026-03-01") == {late, after_lmt}
    assert listed("/?from=2026-03-02") == {early}
    assert listed("/?to=2026-03-01") == {late, after_lmt}
    assert listed("/?from=2026-03-01&to=2026-03-02") == {late, early, after_lmt}
