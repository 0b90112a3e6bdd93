"""A Camunda Modeler file opened in the designer deploys with its settings translated into lz:
terms (issue 16), and the designer lists each translation after the deploy, in Chinese."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bpmn.layout import auto_layout
from core.errors import NotFound
from crm import directory
from engine.design import catalog
from tests.api.test_deploy__foreign_files import foreign_file
from tests.browser.conftest import LiveServer, login
from tests.designer.test_deploy__every_problem_in_chinese import english_in

CAMUNDA_FILE = foreign_file("camunda_review", """
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="主管审核" camunda:assignee="zhangsan"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>""")
# Camunda Modeler saves the diagram with the file; bpmn-js cannot open one without it
CAMUNDA_DRAWN = auto_layout(CAMUNDA_FILE).decode()


def test_a_camunda_file_deploys_and_the_designer_lists_what_was_translated(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, "designer-admin-2")
    login(page, "admin", "designer-admin-2", to="/designer/new")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    page.evaluate("xml => window.lzDesigner.modeler.importXML(xml)", CAMUNDA_DRAWN)
    expect(page.locator(".lz-translations")).to_be_hidden()
    page.get_by_role("button", name="部署").click()
    expect(page.locator(".lz-status")).to_contain_text("版本 1")
    box = page.locator(".lz-translations")
    expect(box).to_be_visible()
    expect(box.locator("summary")).to_contain_text("Camunda / Flowable")
    box.locator("summary").click()
    expect(box.locator('li[data-element="review"]')).to_contain_text('strategy="users" value="zhangsan"')
    expect(box.locator('li[data-element="camunda_review"]')).to_contain_text("已略去")  # historyTimeToLive
    for text in box.locator("li").all_inner_texts():  # in Chinese but for ids, attributes and XML
        assert not english_in(text, {"review", "camunda_review", "start", "end"}), text
    shot(page, "camunda-translated")
    deployed = catalog.get_version(live_server.db, "camunda_review")
    assert 'strategy="users"' in deployed["bpmn_xml"] and "camunda:assignee" not in deployed["bpmn_xml"]


REFUSED_FILE = auto_layout(foreign_file("camunda_refused", """
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="主管审核" camunda:formKey="embedded:review.html"
        camunda:candidateGroups="${groups}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>""")).decode()


def test_what_a_camunda_file_cannot_say_is_refused_in_chinese(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, "designer-admin-2")
    login(page, "admin", "designer-admin-2", to="/designer/new")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    page.evaluate("xml => window.lzDesigner.modeler.importXML(xml)", REFUSED_FILE)
    page.get_by_role("button", name="部署").click()
    problems = page.locator(".lz-problems")
    expect(problems).to_contain_text("camunda:formKey=\"embedded:review.html\" 在流转中没有对应的功能")
    expect(problems).to_contain_text("candidateGroups“${groups}”取自变量")
    shot(page, "camunda-refused")
    for text in problems.locator("li").all_inner_texts():
        assert not english_in(text, {"review", "camunda_refused"}), text
    with pytest.raises(NotFound):  # nothing deployed
        catalog.get_definition(live_server.db, "camunda_refused")
