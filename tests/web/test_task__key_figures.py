"""What the approver decides on: the leave approver sees the computed days (2.0) and the balance
left (10.0) at the top of the task page (and in the task's data over the API); the expense claim's
total sits in the top card, and a read-only customer picker inside the expense lines is offered the
chosen customer's name (not an empty search box)."""
from __future__ import annotations

import re

from crm import records as rs
from engine import tasks
from engine.design import definitions
from tests.web.test_task__page_and_actions import BPMN, fresh, open_task, page_json, start


def top_card(html):
    return re.search(r'<section class="card task-head">(.*?)</section>', html, re.S).group(1)


def test_the_leave_approver_sees_days_and_balance(app, org):
    definitions.deploy(org.db, (BPMN / "leave_request.bpmn").read_bytes(), org["admin"])
    rs.create(org.db, org["hr1"], "leave_balance", {"user": "clerk", "leave_type": "annual", "days": "10"})
    iid = start(org, "clerk", "leave_request", {"leave_type": "annual", "start_date": "2026-03-02",
                                                "start_half": "am", "end_date": "2026-03-03", "end_half": "pm",
                                                "reason": "回老家探亲"})
    tid = open_task(org, "sales_lead", iid)
    c, _ = fresh(app, "sales_lead")
    card = top_card(c.get(f"/tasks/{tid}").get_data(as_text=True))
    assert re.search(r"天数</dt>\s*<dd[^>]*><strong>2\.0</strong>", card), card
    assert re.search(r"剩余额度</dt>\s*<dd[^>]*><strong>10\.0</strong>", card), card
    task = tasks.get_task(org.db, org["sales_lead"], tid)
    assert (task["data"]["check"]["result"]["days"], task["data"]["check"]["result"]["balance"]) == (2.0, 10.0)


def test_the_expense_total_is_on_top_and_the_lines_customer_has_its_name(app, org):
    definitions.deploy(org.db, (BPMN / "expense_reimbursement.bpmn").read_bytes(), org["admin"])
    customer = rs.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    lines = [{"date": "2026-11-02", "category": "travel", "amount": 1280.5, "customer": customer["id"]},
             {"date": "2026-11-03", "category": "other", "amount": 1000}]
    iid = start(org, "clerk", "expense_reimbursement", {"reason": "出差", "lines": lines})
    c, _ = fresh(app, "sales_lead")
    html = c.get(f"/tasks/{open_task(org, 'sales_lead', iid)}").get_data(as_text=True)
    assert re.search(r"合计</dt>\s*<dd[^>]*><strong>¥2,280.50</strong>", top_card(html))
    options = page_json(html)["data"]["customers"]
    assert {"value": customer["id"], "label": f"华北测绘院 ({customer['code']})"} in options
