"""The instance page's admin operations (终止、挂起/激活、跳转、迁移): offered only to admins and
process admins and only as the state allows; each posts with a comment and answers on the page.
Badges: 已通过 green, 已驳回 red, 已撤回 / 已终止 grey, 审批中, 已挂起 (instance page, inbox, task page)."""
from __future__ import annotations

import re

import pytest

from crm import org as org_svc
from engine import instance_admin
from tests import bpmn_factory as bf
from tests.engine import helpers as h
from tests.web.conftest import signed_in

TWO = bf.chain("two", [bf.user_task("sup", "any", "supervisor"), bf.user_task("boss", "any", "users", "gm")],
               route_last=True)
OPS = ("op-terminate", "op-suspend", "op-activate", "op-jump", "op-migrate")


@pytest.fixture
def iid(org):
    h.deploy(org, TWO)
    return h.start(org, "clerk", "two")


def offered(html: str) -> set[str]:
    return {op for op in OPS if f'id="{op}"' in html}


def badge(html: str, element_id: str) -> tuple[str, str]:
    m = re.search(rf'<span class="tag (\w+)[^"]*" id="{element_id}">([^<]+)</span>', html)
    assert m, f"no {element_id}"
    return m.group(1), m.group(2).strip()


@pytest.mark.parametrize("user", ["clerk", "sales_lead", "gm"])
def test_others_see_no_admin_operations_and_their_posts_are_refused(client, org, iid, user):
    token = signed_in(client, user)
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert offered(html) == set() and 'id="instance-admin"' not in html
    r = client.post(f"/instances/{iid}/terminate", data={"csrf_token": token, "comment": "x"})
    assert r.status_code == 403
    assert h.instance(org, iid)["status"] == "running"


def test_a_running_instance_offers_terminate_suspend_and_jump(client, org, iid):
    signed_in(client, "admin")
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert offered(html) == {"op-terminate", "op-suspend", "op-jump"}, "one version only: nothing to migrate to"
    assert badge(html, "instance-status") == ("blue", "审批中")
    assert re.search(r'<option value="boss">boss</option>', html)


def test_suspend_then_activate_from_the_page(client, org, iid):
    with org.db.uow(write=True) as s:
        org_svc.create_user(s, "padmin", "流程管理员", "secret-pass-1", roles=["process_admin"])
    token = signed_in(client, "padmin")
    r = client.post(f"/instances/{iid}/suspend", data={"csrf_token": token, "comment": "等资料"},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "流程已挂起" in html and badge(html, "instance-status") == ("orange", "已挂起")
    assert offered(html) == {"op-terminate", "op-activate"}
    # the assignee's inbox marks the task and its page offers no action
    other = client.application.test_client()
    signed_in(other, "sales_lead")
    inbox = other.get("/").get_data(as_text=True)
    assert "已挂起" in inbox
    task_html = other.get(f"/tasks/{h.task_of(org, 'sales_lead', iid)}").get_data(as_text=True)
    assert 'id="task-suspended"' in task_html and badge(task_html, "task-instance-status")[1] == "已挂起"
    r = client.post(f"/instances/{iid}/activate", data={"csrf_token": token}, follow_redirects=True)
    assert badge(r.get_data(as_text=True), "instance-status") == ("blue", "审批中")


def test_jump_and_its_refusal_are_said_on_the_page(client, org, iid):
    token = signed_in(client, "admin")
    r = client.post(f"/instances/{iid}/jump", data={"csrf_token": token, "to_node": "boss", "comment": ""},
                    follow_redirects=True)
    assert "请填写审批意见" in r.get_data(as_text=True) or "必填" in r.get_data(as_text=True)
    assert h.open_assignees(org, iid) == {"sup": {"sales_lead"}}
    r = client.post(f"/instances/{iid}/jump", data={"csrf_token": token, "to_node": "boss", "comment": "加急"},
                    follow_redirects=True)
    assert "流程已从所选节点继续" in r.get_data(as_text=True)
    assert h.open_assignees(org, iid) == {"boss": {"gm"}}


def test_migrate_is_offered_with_another_version_and_dry_run_changes_nothing(client, org, iid):
    h.deploy(org, TWO.replace(b'name="boss"', b'name="boss2"'))
    token = signed_in(client, "admin")
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert "op-migrate" in offered(html) and '<option value="2">v2</option>' in html
    r = client.post(f"/instances/{iid}/migrate", data={"csrf_token": token, "to_version": "2", "dry_run": "1"},
                    follow_redirects=True)
    assert "可以迁移到版本 2" in r.get_data(as_text=True) and h.instance(org, iid)["version"] == 1
    r = client.post(f"/instances/{iid}/migrate", data={"csrf_token": token, "to_version": "2"},
                    follow_redirects=True)
    assert "流程已迁移到版本 2" in r.get_data(as_text=True) and h.instance(org, iid)["version"] == 2


def test_terminate_from_the_page_shows_terminated_everywhere(client, org, iid):
    token = signed_in(client, "admin")
    r = client.post(f"/instances/{iid}/terminate", data={"csrf_token": token, "comment": "重复申请"},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert badge(html, "instance-status") == ("grey", "已终止") and offered(html) == set()
    assert "终止了流程" in html
    other = client.application.test_client()
    signed_in(other, "clerk")
    started = other.get("/?box=started").get_data(as_text=True)
    assert re.search(r'class="tag grey outcome-terminated">已终止', started)


def test_a_rejection_is_red_on_every_page_never_a_green_completed(client, org, iid):
    h.reject(org, "sales_lead", iid)
    assert h.instance(org, iid)["outcome"] == "rejected"
    signed_in(client, "clerk")
    assert badge(client.get(f"/instances/{iid}").get_data(as_text=True), "instance-status") == ("red", "已驳回")
    started = client.get("/?box=started").get_data(as_text=True)
    assert 'class="tag red outcome-rejected">已驳回' in started and "已完成" not in started
    approver = client.application.test_client()
    signed_in(approver, "sales_lead")
    assert 'class="tag red outcome-rejected">已驳回' in approver.get("/?box=done").get_data(as_text=True)


def test_admin_panel_is_none_for_others(org, iid):
    assert instance_admin.admin_panel(org.db, org["clerk"], iid) is None
    panel = instance_admin.admin_panel(org.db, org["admin"], iid)
    assert panel is not None and panel["terminate"] and not panel["activate"]
