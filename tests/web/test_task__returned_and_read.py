"""The task page after a return (the banner says who returned it and why; to the initiator: the
start form to correct and submit again) and 已阅 (opening one's task marks it read; an admin looking
does not)."""
from __future__ import annotations

import pytest

from engine import tasks
from tests import bpmn_factory as bf
from tests.engine import helpers as h
from tests.web.conftest import signed_in

TWO = bf.chain("two_r", [bf.user_task("sup", "any", "supervisor"), bf.user_task("boss", "any", "users", "gm")])


@pytest.fixture
def iid(org):
    h.deploy(org, TWO)
    return h.start(org, "clerk", "two_r")


def fresh(app, user):
    c = app.test_client()
    signed_in(c, user)
    return c


def _read_at(org, user, tid):
    return tasks.get_task(org.db, org["admin"], tid)["read_at"]


def test_opening_the_task_page_marks_it_read_once_and_an_admin_does_not(org, app, client, iid):
    tid = h.task_of(org, "sales_lead", iid)
    assert fresh(app, "admin").get(f"/tasks/{tid}").status_code == 200
    assert _read_at(org, "admin", tid) is None
    signed_in(client, "sales_lead")
    inbox = client.get("/").get_data(as_text=True)
    assert f'data-instance="{iid}" class="unread"' in inbox
    assert client.get(f"/tasks/{tid}").status_code == 200
    first = _read_at(org, "sales_lead", tid)
    assert first is not None
    client.get(f"/tasks/{tid}")
    assert _read_at(org, "sales_lead", tid) == first
    assert f'data-instance="{iid}" class="unread"' not in client.get("/").get_data(as_text=True)


def test_returned_task_shows_who_returned_it_and_why(org, client, iid):
    h.approve(org, "sales_lead", iid)
    tasks.return_task(org.db, org["gm"], h.task_of(org, "gm", iid), "previous", "预算不清楚")
    signed_in(client, "sales_lead")
    html = client.get(f"/tasks/{h.task_of(org, 'sales_lead', iid)}").get_data(as_text=True)
    assert 'id="returned-banner"' in html and "由 王总 退回" in html and "预算不清楚" in html


def test_returned_to_the_initiator_offers_only_to_submit_again(org, client, iid):
    tasks.return_task(org.db, org["sales_lead"], h.task_of(org, "sales_lead", iid), "initiator", "请补充说明")
    signed_in(client, "clerk")
    html = client.get(f"/tasks/{h.task_of(org, 'clerk', iid)}").get_data(as_text=True)
    assert "由 周组长 退回" in html and "再次提交" in html
    assert 'id="reject"' not in html and 'id="to_user"' not in html
