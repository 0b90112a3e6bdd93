"""The instance page at 375 px: the vertical approver chain (submission first, each step with who,
status, time and comment, the current step marked with who has read it) above the diagram; the
diagram has zoom buttons, labels at a readable size and the bpmn.io mark over nothing."""
from __future__ import annotations

from playwright.sync_api import expect

from crm import org as org_svc
from engine import instances, task_reads, tasks
from tests.browser.conftest import login

PHONE = {"width": 375, "height": 812}


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_chain_above_a_readable_diagram_on_a_phone(page, live_server, shot):
    db = live_server.db
    with db.uow() as s:
        zhangsan, zhouqiang, lijun = (org_svc.user_by_username(s, u).id for u in ("zhangsan", "zhouqiang", "lijun"))
    iid = instances.start_process(db, zhangsan, "general_approval",
                                  {"title": "审批链测试", "amount": 30000, "reason": "拜访客户"})["id"]
    tasks.approve(db, zhouqiang, instances.get_instance(db, zhangsan, iid)["open_tasks"][0]["id"], "同意，注意预算")
    head_task = instances.get_instance(db, zhangsan, iid)["open_tasks"][0]["id"]
    task_reads.get_task(db, lijun, head_task)  # 李军 opens his task: read

    page.set_viewport_size(PHONE)
    login(page, "zhangsan", to=f"/instances/{iid}")
    chain = page.locator("#approver-chain > li")
    expect(chain).to_have_count(3)
    expect(chain.nth(0)).to_contain_text("张三")
    expect(chain.nth(0)).to_contain_text("已提交")
    expect(chain.nth(1)).to_contain_text("直属主管审批")
    expect(chain.nth(1)).to_contain_text("周强")
    expect(chain.nth(1)).to_contain_text("已同意")
    expect(chain.nth(1).locator(".chain-comment")).to_have_text("同意，注意预算")
    expect(chain.nth(1).locator(".when")).not_to_be_empty()
    current = page.locator("#approver-chain > li[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("部门负责人审批")
    expect(current).to_contain_text("李军")
    expect(current.locator(".read-state")).to_have_text("已读")

    diagram = page.locator("#diagram.ready")
    expect(diagram).to_be_visible()
    assert page.locator("#approver-chain").bounding_box()["y"] < diagram.bounding_box()["y"], "chain above diagram"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    label = page.locator("#diagram .djs-element[data-element-id=head_approval] text").first
    assert label.bounding_box()["height"] >= 8, "the step's label is readable"
    svg = page.locator("#diagram svg").first.bounding_box()
    logo = page.locator("#diagram .bjs-powered-by")
    expect(logo).to_be_visible()
    assert not _overlap(logo.bounding_box(), svg), "the bpmn.io mark sits beside the drawing, over nothing"

    scale = "document.querySelector('#diagram .viewport').transform.baseVal.consolidate().matrix.a"
    before = page.evaluate(scale)
    page.locator(".diagram-zoom [data-zoom=in]").click()
    assert page.evaluate(scale) > before * 1.2
    page.locator(".diagram-zoom [data-zoom=out]").click()
    page.locator(".diagram-zoom [data-zoom=out]").click()
    assert page.evaluate(scale) < before
    shot(page, "instance-chain-phone")
