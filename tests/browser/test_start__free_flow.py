"""自定流程 in the browser, on the shipped free process 自由审批 (bpmn/free_approval.bpmn, deployed with
every shipped process): a clerk lays out three approval steps on its start page (the one it proposes,
总经理审批 by the role gm, kept last; two added and moved up: a named user and a role countersign),
saves them as his template, submits; the instance page shows the generated diagram, and the request runs through the
three steps to the end. The saved template is offered on the next start. In English, a start without
steps is refused with the message under the step list."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import org as org_svc
from engine import free_flows, inbox, instances, tasks
from engine.design import definitions
from tests.browser.conftest import login, sign_out


def user_id(db, username):
    with db.uow() as s:
        return org_svc.user_by_username(s, username).id


def _approve_all(db, instance_id, expected):
    """Every open task of the instance is approved by its assignee; they must be `expected`."""
    inst = instances.get_instance(db, user_id(db, "zhangsan"), instance_id)
    assert sorted(t["assignee"] for t in inst["open_tasks"]) == sorted(expected)
    for t in inst["open_tasks"]:
        tasks.approve(db, user_id(db, t["assignee"]), t["id"], "同意")


def test_a_free_flow_with_three_laid_out_steps_runs_to_the_end(page, shot, live_server):
    db = live_server.db
    login(page, "zhangsan", to="/start")
    expect(page.locator("a.start-card", has_text="自由审批")).to_be_visible()  # shipped: no admin drew it
    page.goto("/start/free_approval")
    expect(page.locator(".fjs-form")).to_be_visible()
    page.get_by_label("标题").fill("采购打印机")
    page.get_by_label("金额（元）").fill("3000")
    expect(page.locator("#free-steps legend")).to_have_text("审批步骤")
    steps = page.locator("#free-step-list li[data-step]")
    expect(steps).to_have_count(1)  # the process proposes its own step
    expect(steps.nth(0).locator(".free-name")).to_have_value("总经理审批")
    expect(steps.nth(0).locator(".free-role")).to_have_value("gm")

    page.get_by_role("button", name="添加步骤").click()
    second = steps.nth(1)
    second.locator(".free-name").fill("组长审批")
    second.locator(".free-users").select_option(["zhouqiang"])
    second.locator(".free-up").click()  # before the proposed step
    page.get_by_role("button", name="添加步骤").click()
    third = steps.nth(2)
    third.locator(".free-name").fill("财务会签")
    third.locator(".free-mode").select_option("all")
    third.locator(".free-kind").select_option("role")
    third.locator(".free-role").select_option("finance")
    third.locator(".free-up").click()
    for i, name in enumerate(["组长审批", "财务会签", "总经理审批"]):
        expect(steps.nth(i).locator(".free-name")).to_have_value(name)
    page.get_by_label("将这些步骤保存为我的模板").check()
    page.get_by_placeholder("模板名称").fill("采购三步")
    shot(page, "three-steps")
    page.get_by_role("button", name="提交").click()

    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    instance_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#diagram.ready")).to_be_visible()
    for step in ("step_1", "step_2", "step_3"):  # the generated diagram of this instance
        expect(page.locator(f'#diagram [data-element-id="{step}"]')).to_have_count(1)
    expect(page.locator('#diagram [data-element-id="step_1"].lz-current')).to_have_count(1)
    shot(page, "instance-generated-diagram")

    _approve_all(db, instance_id, ["zhouqiang"])
    _approve_all(db, instance_id, ["qianli", "sunyue"])
    _approve_all(db, instance_id, ["wangjianguo"])
    page.reload()
    expect(page.locator("#instance-status")).to_have_text("已通过")
    expect(page.locator("#diagram.ready")).to_be_visible()
    for step in ("step_1", "step_2", "step_3"):
        expect(page.locator(f'#diagram [data-element-id="{step}"].lz-completed')).to_have_count(1)
    shot(page, "instance-completed")

    saved = free_flows.list_saved(db, user_id(db, "zhangsan"), "free_approval", "steps")
    assert [(x["name"], [s["name"] for s in x["items"]]) for x in saved] == [("采购三步", ["组长审批", "财务会签", "总经理审批"])]
    page.goto("/start/free_approval")
    page.locator("#free-saved").select_option(label="采购三步")
    expect(steps).to_have_count(3)
    expect(steps.nth(1).locator(".free-role")).to_have_value("finance")
    sign_out(page)


def test_in_english_a_start_without_steps_is_refused_under_the_list(page, live_server):
    db = live_server.db
    en = page.context.browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(en, "lisi")
    en.get_by_role("button", name="English").click()
    expect(en.locator("html")).to_have_attribute("lang", "en")
    en.goto("/start/free_approval")
    expect(en.locator(".fjs-form")).to_be_visible()
    expect(en.locator("#free-steps legend")).to_have_text("Approval steps")
    en.get_by_label("Title").fill("Printer")
    en.get_by_label("Amount (yuan)").fill("100")
    en.locator("#free-step-list li[data-step] .free-remove").click()
    expect(en.locator("#free-step-list li[data-step]")).to_have_count(0)
    en.get_by_role("button", name="Submit").click()
    expect(en.locator("#free-error")).to_have_text("Add at least one approval step.")
    expect(en.get_by_role("alert")).to_contain_text("Please correct the marked fields.")
    assert inbox.list_box(db, user_id(db, "lisi"), "started", 0, 5)[1] == 0
    en.get_by_role("button", name="中文").click()  # lisi's language is remembered: leave it as it was
    expect(en.locator("html")).to_have_attribute("lang", "zh")
    en.context.close()


PICKED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:lz="urn:liuzhuan:bpmn:1"
  id="defs_picked" targetNamespace="urn:test">
  <bpmn:process id="picked_approval" name="指定审批" isExecutable="true">
    <bpmn:extensionElements><lz:process mode="predefined" prefix="ZD"/></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="general_approval"/></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pick"/>
    <bpmn:userTask id="pick" name="指定审批人"><bpmn:extensionElements><lz:approval mode="all"/>
      <lz:assignees strategy="chosen"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="pick" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


def test_chosen_approvers_are_saved_and_offered_as_common_approvers(page, live_server):
    db = live_server.db
    definitions.deploy(db, PICKED, None)
    login(page, "zhangsan", to="/start/picked_approval")
    expect(page.locator(".fjs-form")).to_be_visible()
    expect(page.locator("#approvers-saved")).to_have_count(0)  # nothing saved yet
    page.get_by_label("标题").fill("合同用印")
    page.get_by_label("金额（元）").fill("100")
    page.locator('select[data-node="pick"]').select_option(["qianli", "wufang"])
    page.get_by_label("将这些审批人保存为常用审批人").check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#form-alert")).to_contain_text("请填写名称后再保存")  # a list needs a name
    page.get_by_placeholder("名称").fill("财务和人事")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    expect(page.locator("#open-tasks")).to_contain_text("钱丽")

    page.goto("/start/picked_approval")
    page.locator("#approvers-saved").select_option(label="财务和人事")
    expect(page.locator('select[data-node="pick"] option:checked')).to_have_count(2)
    assert sorted(page.locator('select[data-node="pick"]').evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.value)")) == ["qianli", "wufang"]
    sign_out(page)
