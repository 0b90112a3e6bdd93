"""Field permissions (字段权限) on the process pages, per role: a customer's 信用度 entered on a VIP
customer entry is not on the instance page (data, form, timeline) or the task page of a reader
whose role may not see it, while the supervisor and an admin see it; the start page and the task
page refuse a value of a field the sender's role may not change (the server checks, not the form)."""
from __future__ import annotations

from pathlib import Path

import pytest

from crm import directory
from crm.admin import field_rules
from tests.engine import helpers as h
from tests.web.conftest import signed_in

VIP = (Path(__file__).resolve().parents[2] / "bpmn" / "vip_customer.bpmn").read_bytes()
CREDIT = "AAA级信用"


def restrict(org, users: list[str], **perms: bool) -> None:
    """Users get the role `salesperson`, whose holders may do with customers' credit only `perms`."""
    try:
        directory.create_role(org.db, org["admin"], {"key": "salesperson", "name": "业务员"})
    except Exception:  # already there (a second call in one test)
        pass
    for u in users:
        directory.update_user(org.db, org["admin"], org[u], {"roles": ["salesperson"]})
    field_rules.set_rule(org.db, org["admin"], "salesperson", "customer", "credit", perms)


@pytest.fixture
def entry(org):
    h.deploy(org, VIP)
    iid = h.start(org, "clerk", "vip_customer", {"customer": {"name": "华北测绘院", "credit": CREDIT,
                                                               "level": "战略客户"}, "reason": "年采购额过百万"})
    restrict(org, ["clerk"], view=False)
    return iid


def page(app, user: str, path: str) -> str:
    client = app.test_client()  # one browser per user
    signed_in(client, user)
    r = client.get(path)
    assert r.status_code == 200, (user, path, r.status_code)
    return r.get_data(as_text=True)


def test_the_instance_page_follows_the_viewers_role(app, org, entry):
    clerk = page(app, "clerk", f"/instances/{entry}")
    assert "华北测绘院" in clerk and CREDIT not in clerk and "信用度" not in clerk
    for user in ("sales_lead", "admin"):
        html = page(app, user, f"/instances/{entry}")
        assert CREDIT in html and "信用度" in html, user


def test_the_task_page_follows_the_approvers_role(app, org, entry):
    tid = h.task_of(org, "sales_lead", entry)
    html = page(app, "sales_lead", f"/tasks/{tid}")
    assert CREDIT in html and "信用度" in html
    restrict(org, ["clerk", "sales_lead"], view=False)
    html = page(app, "sales_lead", f"/tasks/{tid}")
    assert "华北测绘院" in html and CREDIT not in html and "信用度" not in html
    assert CREDIT in page(app, "admin", f"/tasks/{tid}")


def test_the_start_page_refuses_a_field_the_role_may_not_change(app, client, org):
    h.deploy(org, VIP)
    restrict(org, ["clerk"], edit=False)
    assert "信用度" in page(app, "sales_lead", "/start/vip_customer")
    start_page = page(app, "clerk", "/start/vip_customer")
    assert "信用度" not in start_page and "客户级别" in start_page, "the clerk's start form leaves it out"
    token = signed_in(client, "clerk")
    r = client.post("/start/vip_customer", headers={"X-CSRFToken": token}, json={
        "data": {"customer": {"name": "华北测绘院", "credit": CREDIT}}})
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["fields"] == {"data.customer.credit": "您的角色无权修改此字段。"}, "in the page's language"
    assert h.todo(org, "sales_lead") == [], "nothing started"
