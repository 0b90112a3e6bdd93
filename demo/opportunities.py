"""Demo 销售机会 (sales opportunities) for the demo salespeople, in different stages, so the
opportunity list, the customer page, the search and `make run` show them:

- two unassigned (未分配) ones, entered by the salesperson and by the supervisor 周强 — ready for
  the sales-opportunity process (bpmn/sales_opportunity.bpmn) to assign them;
- three being developed (开发中), assigned to 张三, 李四 and 李军, two of them for an existing
  customer of theirs, each with dated steps of its development plan (done ones with their result);
- one lost (开发失败) with its reason.

They are entered through crm/records/service.py as the demo user who would enter them (numbering,
validation and data permissions as in the app); assignment and the lost outcome use the functions
the process's steps call (crm/opportunities.py), as if the process had run. Won opportunities come
from running the process (they create a customer and a contract draft). Idempotent: an opportunity
whose 概要 (summary) exists is skipped, and so are its plan steps.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from crm import opportunities
from crm import records as rs
from crm.records import Opportunity
from db.session import Database

# (entered by, assigned to or None, index of the assignee's customer to link or None, payload,
#  plan steps as (days from today, content, result or None), lost reason or None)
OPPORTUNITIES: list[tuple[str, str | None, int | None, dict[str, Any], list[tuple[int, str, str | None]],
                          str | None]] = [
    ("zhangsan", None, None, {
        "source": "行业展会", "customer_name": "苏州瑞丰精密机械有限公司", "summary": "瑞丰精密 MES 系统选型",
        "contact_name": "顾建国", "contact_phone": "0512-65231188", "probability": 20, "amount": "380000.00",
        "stage": "初步接触", "description": "展会上留下名片，计划明年上半年上线车间 MES"}, [], None),
    ("zhouqiang", None, None, {
        "source": "老客户转介绍", "customer_name": "杭州云图数据科技有限公司", "summary": "云图数据 私有云扩容",
        "contact_name": "沈慧", "contact_phone": "0571-88012345", "probability": 30, "amount": "650000.00",
        "stage": "需求确认", "description": "现有机房容量不足，需评估私有云扩容方案"}, [], None),
    ("zhangsan", "zhangsan", 0, {
        "source": "电话拜访", "customer_name": "", "summary": "年度运维服务续约", "probability": 70,
        "amount": "120000.00", "stage": "方案报价", "description": "去年运维合同年底到期，客户有意续约并扩大范围"},
     [(-10, "电话沟通续约意向", "客户确认续约，希望增加驻场服务"), (-3, "发送续约报价单", "客户要求在价格上再优惠 5%"),
      (7, "上门洽谈商务条款", None)], None),
    ("lisi", "lisi", 0, {
        "source": "网站咨询", "customer_name": "", "summary": "办公网络安全改造", "probability": 50,
        "amount": "260000.00", "stage": "商务谈判", "description": "等保测评未通过，需改造办公网边界"},
     [(-14, "现场勘查网络拓扑", "出具勘查报告"), (5, "提交改造方案与报价", None)], None),
    ("zhouqiang", "lijun", None, {
        "source": "招标公告", "customer_name": "成都启明智能装备有限公司", "summary": "启明智能 仓储管理系统招标",
        "contact_name": "何磊", "contact_phone": "028-85561234", "probability": 40, "amount": "900000.00",
        "stage": "方案报价", "description": "公开招标，需在截止日前提交投标文件"},
     [(3, "购买招标文件并组织答疑", None), (12, "提交投标文件", None)], None),
    ("lisi", "lisi", None, {
        "source": "行业展会", "customer_name": "沈阳东方重工有限公司", "summary": "东方重工 设备物联网平台",
        "contact_name": "赵刚", "contact_phone": "024-23456789", "probability": 10, "amount": "1500000.00",
        "stage": "需求确认", "description": "客户预算未落实"},
     [(-30, "拜访设备部了解需求", "客户预算推迟到后年")], "客户预算推迟，项目暂停"),
]


def load_demo_opportunities(database: Database, uid: dict[str, int], customers_of: dict[str, list[int]],
                            today: date | None = None) -> int:
    """Create the demo opportunities that do not exist yet; how many were created. `customers_of`:
    the demo customer ids of each salesperson (an opportunity may be for one of them)."""
    today = today or date.today()
    with database.uow() as s:
        have = set(s.scalars(select(Opportunity.summary)))
    created = 0
    for entered_by, assignee, customer_index, payload, steps, lost in OPPORTUNITIES:
        if payload["summary"] in have:
            continue
        body = {k: v for k, v in payload.items() if v != ""}
        mine = customers_of.get(assignee or entered_by) or []
        if customer_index is not None and customer_index < len(mine):
            body["customer"] = mine[customer_index]
        elif "customer_name" not in body:
            body["customer_name"] = "演示客户"
        oid = rs.create(database, uid[entered_by], "opportunity", body)["id"]
        if assignee is not None:
            with database.uow(write=True) as s:
                opportunities.assign(s, oid, assignee)
            for days, content, result in steps:
                step = {"opportunity": oid, "date": (today + timedelta(days=days)).isoformat(), "content": content}
                if result:
                    step["result"] = result
                rs.create(database, uid[assignee], "opportunity_step", step)
            if lost:
                with database.uow(write=True) as s:
                    opportunities.mark_lost(s, oid, lost)
        created += 1
    return created
