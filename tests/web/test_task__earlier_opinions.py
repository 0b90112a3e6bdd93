"""The task page shows every signer's opinion at the earlier approval nodes (from `<node>.votes`):
the general manager sees the legal head's objection next to the other heads' opinions."""
from __future__ import annotations

import re

from crm import records
from engine import tasks
from engine.design import definitions
from tests.web.test_task__page_and_actions import BPMN, fresh, open_task, start


def test_the_gm_sees_each_heads_opinion_of_the_countersign(app, org):
    definitions.deploy(org.db, (BPMN / "contract_countersign.bpmn").read_bytes(), org["admin"])
    customer = records.create(org.db, org["clerk"], "customer", {"name": "华北测绘院"})
    contract = records.create(org.db, org["clerk"], "contract",
                              {"customer": customer["id"], "title": "年度测绘服务", "amount": "250000.00"})
    iid = start(org, "clerk", "contract_countersign", {"contract_id": contract["id"], "reason": "请会签"})
    c, _ = fresh(app, "legal_head")
    assert 'id="opinions"' not in c.get(f"/tasks/{open_task(org, 'legal_head', iid)}").get_data(as_text=True)
    for user, comment in (("legal_head", "违约金条款偏高，建议签约前修改"), ("fin_head", "付款节点可以接受"),
                          ("sales_head", "客户已确认")):
        tasks.approve(org.db, org[user], open_task(org, user, iid), comment)
    c, _ = fresh(app, "gm")
    html = c.get(f"/tasks/{open_task(org, 'gm', iid)}").get_data(as_text=True)
    section = re.search(r'<section class="card opinions-card" id="opinions">(.*?)</section>', html, re.S).group(1)
    assert "前序审批意见" in section and "部门会签" in section and "已同意" in section
    ballots = re.findall(r'data-user="(\w+)">(.*?)</li>', section, re.S)
    assert [u for u, _ in ballots] == ["legal_head", "fin_head", "sales_head"]
    assert "违约金条款偏高，建议签约前修改" in ballots[0][1] and "付款节点可以接受" in ballots[1][1]
    assert "会签意见汇总" not in html, "no shared opinion field any more"
