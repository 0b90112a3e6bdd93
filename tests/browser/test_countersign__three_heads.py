"""合同会签 seen from each inbox: the heads of 法务部 (赵敏), 财务部 (钱丽) and 销售部 (李军) each find
the contract in 待办, see the vote status "k of 3" and the contract, and approve; after the third
the general manager (王建国) has it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import records
from tests.browser.test_task__approve_from_page import start_as, switch_user, todo_row, user_id

HEADS = (("zhaomin", "赵敏"), ("qianli", "钱丽"), ("lijun", "李军"))


def test_three_heads_countersign_then_the_gm_has_it(page, live_server, shot):
    db = live_server.db
    clerk = user_id(db, "zhangsan")
    customer = records.create(db, clerk, "customer", {"name": "华北测绘院"})
    contract = records.create(db, clerk, "contract",
                                      {"customer": customer["id"], "title": "年度测绘服务合同", "amount": "250000.00"})
    started = start_as(live_server, "zhangsan", "contract_countersign",
                       {"contract_id": contract["id"], "reason": "请各位负责人会签"})
    key = started["business_key"]

    for done, (username, name) in enumerate(HEADS):
        switch_user(page, username)
        row = todo_row(page, key)
        expect(row).to_contain_text("部门会签")
        expect(row).to_contain_text("张三")
        row.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
        vote = page.locator(".vote-card")
        expect(vote).to_contain_text("会签：3 人全部同意才通过")
        expect(vote).to_contain_text(f"已同意 {done} / 3")
        expect(vote.locator(".ballot", has_text=name)).to_contain_text("待处理")
        for _other, other_name in HEADS[:done]:
            expect(vote.locator(".ballot", has_text=other_name)).to_contain_text("已同意")
        card = page.locator(".record-card[data-kind=contract]")
        expect(card).to_contain_text("年度测绘服务合同")
        expect(card).to_contain_text(contract["number"])
        # the contract select in the form shows the contract, not a bare id
        expect(page.locator("#task-form").get_by_role("textbox", name="合同")).to_have_value(
            f"年度测绘服务合同 ({contract['number']})")
        if done:
            expect(page.locator("#history")).to_contain_text(HEADS[done - 1][1])
        shot(page, f"{username}-task")
        page.fill("#comment", f"{name}：同意")
        page.get_by_role("button", name="同意", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text("已同意")
        expect(todo_row(page, key)).to_have_count(0)

    switch_user(page, "wangjianguo")
    row = todo_row(page, key)
    expect(row).to_contain_text("总经理审批")
    row.get_by_role("link").click()
    expect(page.locator(".vote-card")).to_contain_text("或签")
    history = page.locator("#history")
    for _username, name in HEADS:
        expect(history).to_contain_text(f"{name}：同意")
    shot(page, "gm-task")
