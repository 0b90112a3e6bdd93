"""The process library in a browser: a process admin opens the gallery from the designer, sees
the library by category with descriptions and diagram previews, enables 加班申请 (a clerk then
starts it from the start page and it runs), copies 借款申请 under a new key (a taken key is refused
at the field) into the modeler, adapts 资产归还 in the modeler, and reads the gallery in English."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login, sign_out

CATEGORIES = ["公文", "行政", "人事", "财务", "项目", "业务"]


def diagram_loaded(page, card) -> None:
    img = card.locator(".lib-diagram img")
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())


def modeler_has(page, element_id: str) -> bool:
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    return bool(page.evaluate("(id) => !!window.lzModeler.get('elementRegistry').get(id)", element_id))


def test_a_process_admin_enables_copies_and_adapts_library_processes(page, shot, live_server):
    login(page, "chenjing", to="/designer/")  # 陈静, process admin
    page.get_by_role("link", name="流程库").click()
    expect(page).to_have_url(re.compile(r"/designer/gallery$"))
    expect(page.locator("h1")).to_have_text("流程库")
    expect(page.locator("section.lib-category h2")).to_have_text(CATEGORIES)
    expect(page.locator("article.lib-card")).to_have_count(13)
    overtime = page.locator("#lib-overtime_request")
    expect(overtime.locator("h3")).to_have_text("加班申请")
    expect(overtime).to_contain_text("按 8 小时折 1 天")
    expect(overtime.locator(".lib-state")).to_have_text("未启用")
    diagram_loaded(page, page.locator("#lib-doc_outgoing"))
    diagram_loaded(page, overtime)
    shot(page, "gallery")

    # enable: deployed, on the start page
    overtime.get_by_role("button", name="启用").click()
    expect(page.locator(".flash-success")).to_contain_text("加班申请 已启用（版本 1）")
    expect(overtime.locator(".lib-state")).to_have_text("已启用（v1）")
    expect(overtime.get_by_role("button", name="启用")).to_have_count(0)
    shot(page, "enabled")

    # copy: a taken key is refused at the field, a new one opens the modeler on the draft
    loan = page.locator("#lib-loan_request")
    loan.locator("summary").click()
    loan.get_by_label("新标识").fill("leave_request")
    loan.get_by_label("新名称").fill("备用金申请")
    loan.get_by_role("button", name="创建草稿").click()
    expect(loan.locator(".field-error")).to_contain_text("leave_request")
    expect(loan.get_by_label("新名称")).to_have_value("备用金申请")
    shot(page, "copy-refused")
    loan.get_by_label("新标识").fill("petty_cash")
    loan.get_by_role("button", name="创建草稿").click()
    expect(page).to_have_url(re.compile(r"/designer/petty_cash/edit$"))
    assert modeler_has(page, "pay") and modeler_has(page, "gm_approval")
    shot(page, "copy-in-modeler")

    # adapt: the library file opens in the modeler as a draft of its own key
    page.goto("/designer/gallery")
    page.locator("#lib-asset_return").get_by_role("button", name="在设计器中调整").click()
    expect(page).to_have_url(re.compile(r"/designer/asset_return/edit$"))
    assert modeler_has(page, "inspect")
    page.goto("/designer/gallery")
    expect(page.locator("#lib-asset_return .tag", has_text="草稿")).to_have_count(1)

    # English
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Process library")
    expect(page.locator("section.lib-category h2").first).to_have_text("Official documents")
    expect(overtime.locator("h3")).to_have_text("Overtime request")
    expect(overtime.locator(".lib-state")).to_have_text("Enabled (v1)")
    expect(page.locator("#lib-doc_outgoing .lib-desc")).to_contain_text("the general manager signs it")
    shot(page, "gallery-en")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("h1")).to_have_text("流程库")

    # a clerk starts the enabled process and his supervisor approves it
    sign_out(page)
    login(page, "zhangsan", to="/start")
    card = page.locator("a.start-card", has_text="加班申请")
    expect(card).to_have_count(1)
    card.click()
    expect(page.locator(".fjs-form")).to_be_visible()
    date = page.get_by_label("加班日期")
    date.fill("2026-11-28")
    date.press("Enter")
    page.locator("h1").click()
    page.get_by_label("加班时长（小时）").fill("10")
    page.locator(".fjs-form-field-select", has=page.get_by_label("加班类型")).locator(".fjs-select-display").click()
    page.locator(".fjs-dropdownlist-item", has_text="工作日").click()
    page.get_by_label("调休 Time off").check()
    page.get_by_label("加班事由").fill("版本上线")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    expect(page.locator("body")).to_contain_text("直属上级审批")
    shot(page, "started")
