"""An admin draws a new approval process in the modeler (start -> user task -> end), sets the
approval mode and three assignees in the properties panel, deploys it; starting it opens one
task for each of the three users; reopened, the panel shows the same settings."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from core.errors import Forbidden
from crm import directory, org
from engine import inbox, instances
from tests.browser.conftest import LiveServer, login

ADMIN_PASSWORD = "designer-admin-1"
VOTERS = ["zhangsan", "lisi", "zhouqiang"]

DRAW = """() => {
  const m = window.lzModeler;
  const factory = m.get('bpmnFactory'), elementFactory = m.get('elementFactory'), modeling = m.get('modeling');
  const registry = m.get('elementRegistry'), canvas = m.get('canvas');
  const root = canvas.getRootElement();
  const start = registry.get('start');
  const shape = (type, id, name) => elementFactory.createShape({ type,
    businessObject: factory.create(type, { id, name }) });
  const task = modeling.createShape(shape('bpmn:UserTask', 'vote', '部门投票'), { x: 330, y: 200 }, root);
  const end = modeling.createShape(shape('bpmn:EndEvent', 'done', '结束'), { x: 500, y: 200 }, root);
  modeling.connect(start, task);
  modeling.connect(task, end);
  return [task.id, end.id];
}"""


def user_id(live_server: LiveServer, username: str) -> int:
    with live_server.db.uow() as s:
        u = org.user_by_username(s, username)
        assert u is not None
        return u.id


def select(page: Any, element_id: str) -> None:
    """Click an element on the canvas (selects it and shows its properties)."""
    page.locator(f'.djs-element[data-element-id="{element_id}"]').first.click()
    expect(page.locator(".bio-properties-panel-header-label")).to_be_visible()


def open_group(page: Any, group_id: str) -> None:
    header = page.locator(f'[data-group-id="group-{group_id}"] .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    expect(header).to_have_class(re.compile(r"\bopen\b"))


def test_draw_set_majority_and_three_users_deploy_and_start(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to="/designer/")
    expect(page.locator('tr[data-key="general_approval"]')).to_contain_text("编辑流程图")
    shot(page, "process-list")
    page.get_by_role("link", name="新建流程").click()
    expect(page).to_have_url("/designer/new")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    shot(page, "new")

    # the process: id, name and Liuzhuan settings in the panel (the canvas background is selected)
    open_group(page, "general")
    page.fill("#bio-properties-panel-id", "designed_vote")
    page.fill("#bio-properties-panel-name", "部门投票审批")
    open_group(page, "lz-process")
    page.select_option("#bio-properties-panel-lz-process-mode", "fixed")
    page.fill("#bio-properties-panel-lz-process-category", "行政")
    page.fill("#bio-properties-panel-lz-process-prefix", "TP")
    page.fill("#bio-properties-panel-lz-process-name-en", "Department vote")
    page.fill("#bio-properties-panel-lz-process-starters", "user:lijun，role:admin")  # 发起人 (lz:process starters=)
    page.locator("#bio-properties-panel-lz-process-starters").blur()
    expect(page.locator(".lz-key")).to_have_text("designed_vote")

    page.evaluate(DRAW)
    select(page, "vote")
    open_group(page, "lz-approval")
    page.select_option("#bio-properties-panel-lz-mode", "majority")
    # not finished yet: validating lists the problem and marks the task red
    page.get_by_role("button", name="校验").click()
    expect(page.locator(".lz-status")).to_contain_text("1 个问题")
    expect(page.locator(".lz-problems")).to_contain_text("审批节点需要设置审批人（lz:assignees）")
    expect(page.locator('.djs-element[data-element-id="vote"]')).to_have_class(re.compile(r"\blz-problem\b"))
    shot(page, "problem-marked")
    open_group(page, "lz-assignees")
    page.select_option("#bio-properties-panel-lz-strategy", "users")
    for name in VOTERS:
        page.select_option("#lz-value-picker", name)
        expect(page.locator("#bio-properties-panel-lz-value")).to_have_value(
            ",".join(VOTERS[:VOTERS.index(name) + 1]))
    expect(page.locator('[data-entry-id="lz-value"]')).to_contain_text("张三")
    shot(page, "task-settings")

    page.get_by_role("button", name="校验").click()
    expect(page.locator(".lz-status")).to_have_text("没有问题，可以部署。")
    expect(page.locator(".lz-problems")).to_be_hidden()
    expect(page.locator('.djs-element[data-element-id="vote"]')).not_to_have_class(re.compile(r"\blz-problem\b"))
    page.get_by_role("button", name="部署").click()
    expect(page.locator(".lz-status")).to_have_text("已部署为版本 1。")
    expect(page).to_have_url("/designer/designed_vote/edit")
    shot(page, "deployed")

    # the deployed version runs: one open task per chosen user
    started = instances.start_process(live_server.db, user_id(live_server, "lijun"), "designed_vote", {})
    assert started["status"] == "running"
    for name in VOTERS:
        items, _ = inbox.list_box(live_server.db, user_id(live_server, name), "todo", 0, 50)
        mine = [t for t in items if t["instance_id"] == started["id"]]
        assert [t["node_id"] for t in mine] == ["vote"], (name, items)
    items, _ = inbox.list_box(live_server.db, user_id(live_server, "lijun"), "todo", 0, 50)
    assert not [t for t in items if t["instance_id"] == started["id"]]
    with pytest.raises(Forbidden):  # not among the starters set in the panel
        instances.start_process(live_server.db, user_id(live_server, "zhangsan"), "designed_vote", {})

    # reopened: the settings are in the panel
    page.goto("/designer/designed_vote/edit")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    expect(page.locator(".lz-status")).to_have_text("正在编辑已部署的版本 1。")
    open_group(page, "lz-process")
    expect(page.locator("#bio-properties-panel-lz-process-prefix")).to_have_value("TP")
    expect(page.locator("#bio-properties-panel-lz-process-category")).to_have_value("行政")
    expect(page.locator("#bio-properties-panel-lz-process-starters")).to_have_value("user:lijun，role:admin")
    select(page, "vote")
    open_group(page, "lz-approval")
    expect(page.locator("#bio-properties-panel-lz-mode")).to_have_value("majority")
    open_group(page, "lz-assignees")
    expect(page.locator("#bio-properties-panel-lz-strategy")).to_have_value("users")
    expect(page.locator("#bio-properties-panel-lz-value")).to_have_value("zhangsan,lisi,zhouqiang")
    shot(page, "reopened")
