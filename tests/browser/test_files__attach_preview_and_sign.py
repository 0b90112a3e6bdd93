"""Attachments and signatures in the browser (issue 14): a clerk attaches an image on the start
page (uploaded at once, listed with its hash); the approver sees its preview on the task page, is
stopped at the signature pad when deciding without signing, draws a signature at phone width and
approves; the signature shows in the instance's history."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import org as org_svc
from engine import instances
from engine.design import definitions
from tests.api.test_files__attachments_and_signatures import png
from tests.bpmn_factory import chain, user_task
from tests.browser.conftest import login, sign_out

FORM = {"type": "default", "id": "att_demo_form", "components": [
    {"type": "textfield", "id": "f_title", "key": "title", "label": "标题", "validate": {"required": True}},
    {"type": "filepicker", "id": "f_docs", "key": "docs", "label": "附件", "multiple": True,
     "accept": ".pdf,image/*", "properties": {"maxSizeMb": "2"}},
]}
BPMN = chain("att_demo", [
    user_task("sup", "any", "supervisor", approval_attrs='signature="required"',
              extra='<lz:form key="att_demo_form"/>'),
], prefix="AD").replace(b'<bpmn:startEvent id="start"/>',
                        b'<bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="att_demo_form"/>'
                        b'</bpmn:extensionElements></bpmn:startEvent>')


def user_id(db, username):
    with db.uow() as s:
        return org_svc.user_by_username(s, username).id


def test_attach_on_start_preview_on_the_task_then_sign_and_approve(page, live_server, shot):
    db = live_server.db
    definitions.deploy(db, BPMN, user_id(db, "chenjing"), forms={"att_demo_form": FORM})
    login(page, "zhangsan", to="/start/att_demo")
    expect(page.locator(".fjs-form")).to_be_visible()
    expect(page.get_by_text("正在加载表单")).to_have_count(0)
    expect(page.locator("#start-submit")).to_be_enabled()
    page.get_by_label("标题").fill("报销发票")
    page.get_by_label("标题").blur()  # as clicking the file button does
    page.locator(".lz-file-input").set_input_files(
        files=[{"name": "invoice.png", "mimeType": "image/png", "buffer": png(40, 30)}])
    expect(page.locator(".lz-file .lz-file-name")).to_have_text("invoice.png")
    expect(page.locator(".lz-file")).to_contain_text("SHA-256")
    shot(page, "start-with-attachment")
    page.locator("#start-submit").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    iid = int(page.url.rsplit("/", 1)[1])

    task_id = instances.get_instance(db, user_id(db, "zhangsan"), iid)["open_tasks"][0]["id"]
    sign_out(page)
    login(page, "zhouqiang")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"/tasks/{task_id}")
    preview = page.locator("#task-form img.lz-file-preview")
    expect(preview).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('#task-form img.lz-file-preview');"
                           " return i && i.complete && i.naturalWidth === 40; }")
    # deciding without a signature is stopped at the pad
    page.fill("#comment", "同意报销")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator("#err-signature")).to_contain_text("签名")
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}$"))
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] <= 375
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 20, box["y"] + 40 + (i % 3) * 25)
    page.mouse.up()
    shot(page, "signed-at-375")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page).not_to_have_url(re.compile(rf"/tasks/{task_id}$"))

    view = instances.get_instance(db, user_id(db, "zhangsan"), iid)
    assert view["outcome"] == "approved"
    signature = view["data"]["sup"]["votes"][0]["signature"]
    assert signature["content_type"] == "image/png" and signature["size"] > 100
    page.goto(f"/instances/{iid}")
    shown = page.locator("#timeline img.signature-shown")
    expect(shown).to_have_count(1)
    page.wait_for_function("() => { const i = document.querySelector('#timeline img.signature-shown');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    shot(page, "instance-with-signature")
