"""The process library's gallery (/designer/gallery) without a browser: every library process by
category with its description and diagram, in zh and en; enable deploys it (once), copy saves a
draft under a new key (refusing a bad or taken key), adapt opens the designer on a draft of it.
Clerks get 403 everywhere."""
from __future__ import annotations

import re

import pytest

from bpmn import gallery as files
from engine.design import catalog, definitions, drafts, library
from tests.web.conftest import signed_in


@pytest.fixture
def client(org, app_for):
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True).test_client()


def test_clerks_get_403_on_every_gallery_page(client):
    token = signed_in(client, "clerk")
    assert client.get("/designer/gallery").status_code == 403
    assert client.get("/designer/gallery/overtime_request.svg").status_code == 403
    for action in ("enable", "adapt", "copy"):
        r = client.post(f"/designer/gallery/overtime_request/{action}", data={"csrf_token": token})
        assert r.status_code == 403, action


def test_the_gallery_lists_every_library_process_by_category_in_chinese(client):
    signed_in(client, "admin")
    html = client.get("/designer/gallery").get_data(as_text=True)
    keys = re.findall(r'data-key="([a-z_]+)"', html)
    assert sorted(keys) == sorted(e.key for e in files.entries()) and len(keys) == 13
    categories = re.findall(r'data-category="([^"]+)"', html)
    assert categories == ["公文", "行政", "人事", "财务", "项目", "业务"]
    for text in ("流程库", "公文发文", "资产领用/借用", "按 8 小时折 1 天", "未启用", "启用", "复制为新流程", "在设计器中调整"):
        assert text in html, text
    assert 'src="/designer/gallery/doc_outgoing.svg"' in html


def test_the_gallery_in_english(client):
    token = signed_in(client, "admin")
    client.post("/language", data={"locale": "en", "csrf_token": token})
    html = client.get("/designer/gallery").get_data(as_text=True)
    for text in ("Process library", "Outgoing document", "Official documents", "Administration", "Not enabled",
                 "Adapt in the designer", "the review board of four department heads"):
        assert text in html, text
    assert "<h3>Outgoing document</h3>" in html and "<h3>公文发文</h3>" not in html


def test_the_diagram_preview_is_an_svg_of_the_file(client):
    signed_in(client, "admin")
    r = client.get("/designer/gallery/purchase_request.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert "采购下单" in r.get_data(as_text=True) and "财务预算审核" in r.get_data(as_text=True)
    assert client.get("/designer/gallery/nope.svg").status_code == 404


def test_enable_deploys_the_library_file_once(client, org):
    token = signed_in(client, "admin")
    r = client.post("/designer/gallery/overtime_request/enable", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/designer/gallery#lib-overtime_request")
    assert catalog.get_version(org.db, "overtime_request")["version"] == 1
    html = client.get("/designer/gallery").get_data(as_text=True)
    assert "已启用（v1）" in html and "加班申请 已启用（版本 1），现已出现在发起页面。" in html
    client.post("/designer/gallery/overtime_request/enable", data={"csrf_token": token})
    assert catalog.get_version(org.db, "overtime_request")["version"] == 1, "the same file: no new version"
    item = next(i for i in library.list_library(org.db, org["admin"]) if i["key"] == "overtime_request")
    assert (item["enabled"], item["current"]) == (1, True)


def test_an_enabled_process_changed_in_the_designer_shows_as_adapted(client, org):
    library.enable(org.db, org["admin"], "business_trip")
    xml = files.xml("business_trip").replace(b'name="\xe5\x87\xba\xe5\xb7\xae\xe7\x94\xb3\xe8\xaf\xb7"',
                                             'name="出差审批"'.encode())
    definitions.deploy(org.db, xml, org["admin"])
    signed_in(client, "admin")
    html = client.get("/designer/gallery").get_data(as_text=True)
    card = html[html.index('id="lib-business_trip"'):]
    card = card[:card.index("</article>")]
    assert "已调整（v2）" in card and "/gallery/business_trip/enable" not in card


def test_process_admins_enable_too(client, org):
    from crm import org as org_svc
    with org.db.uow(write=True) as s:
        org_svc.update_user(s, org["hr1"], {"roles": ["hr", "process_admin"]})
    token = signed_in(client, "hr1")
    assert client.post("/designer/gallery/office_supplies/enable", data={"csrf_token": token}).status_code == 302
    assert catalog.get_version(org.db, "office_supplies")["version"] == 1


def test_copy_saves_a_draft_under_the_new_key_and_opens_the_designer(client, org):
    token = signed_in(client, "admin")
    r = client.post("/designer/gallery/loan_request/copy",
                    data={"csrf_token": token, "new_key": "petty_cash", "new_name": "备用金申请"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/designer/petty_cash/edit")
    draft = drafts.get_draft(org.db, org["admin"], "petty_cash")
    assert 'id="petty_cash"' in draft["bpmn_xml"] and 'name="备用金申请"' in draft["bpmn_xml"]
    assert 'lz:form key="loan_request"' in draft["bpmn_xml"], "the copy keeps the library's forms"
    d, _ = drafts.deploy_draft(org.db, org["admin"], "petty_cash", discard=True)
    assert (d["key"], d["name"], d["version"]) == ("petty_cash", "备用金申请", 1)
    assert files.xml("loan_request") is not None and b'id="loan_request"' in files.xml("loan_request")


@pytest.mark.parametrize(("new_key", "new_name", "field"), [
    ("has space", "x", "new_key"), ("loan_request", "x", "new_key"), ("general_approval", "x", "new_key"),
    ("ok_key", "", "new_name"),
])
def test_copy_refuses_a_bad_or_taken_key_and_a_missing_name(client, org, new_key, new_name, field):
    definitions.deploy(org.db, (files.LIBRARY_DIR.parent / "general_approval.bpmn").read_bytes(), None)
    token = signed_in(client, "admin")
    r = client.post("/designer/gallery/loan_request/copy",
                    data={"csrf_token": token, "new_key": new_key, "new_name": new_name})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    card = html[html.index('id="lib-loan_request"'):]
    assert 'class="field-error"' in card[:card.index("</article>")] and f'name="{field}"' in card
    if field == "new_name" or new_key == "has space":
        assert drafts.list_drafts(org.db, org["admin"]) == [], "nothing saved"


def test_adapt_opens_the_designer_on_a_draft_of_the_library_file(client, org):
    token = signed_in(client, "admin")
    r = client.post("/designer/gallery/asset_return/adapt", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/designer/asset_return/edit")
    draft = drafts.get_draft(org.db, org["admin"], "asset_return")
    assert draft["bpmn_xml"] == files.xml("asset_return").decode()
    src = client.get("/designer/api/processes/asset_return/source").get_json()
    assert src["source"] == "draft" and "资产管理员验收" in src["bpmn_xml"]


def test_adapt_an_enabled_process_opens_it_without_a_draft(client, org):
    library.enable(org.db, org["admin"], "asset_return")
    token = signed_in(client, "admin")
    r = client.post("/designer/gallery/asset_return/adapt", data={"csrf_token": token})
    assert r.headers["Location"].endswith("/designer/asset_return/edit")
    assert drafts.get_draft(org.db, org["admin"], "asset_return") is None


def test_unknown_library_process_is_404(client):
    token = signed_in(client, "admin")
    for action in ("enable", "adapt", "copy"):
        assert client.post(f"/designer/gallery/nope/{action}", data={"csrf_token": token}).status_code == 404
