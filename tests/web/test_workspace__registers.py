"""The office registers (/crm/assets, /crm/documents): the office (role hr) and admins read them and
add assets (a taken number is refused at the field, in the user's language); anyone else gets 403
and no menu entry. The rows are what the library processes left."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm import assets, documents
from crm.office_models import Asset
from tests.web.conftest import signed_in


@pytest.fixture
def client(org, app_for):
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True).test_client()


@pytest.fixture
def filled(org):
    with org.db.uow(write=True) as s:
        a = assets.create(s, "ZC-0001", "笔记本电脑", "IT").id
        assets.create(s, "ZC-0002", "投影仪", "办公")
        assets.reserve(s, a, 5)
        assets.hand_out(s, a, org["clerk"], "borrow", "2026-12-31", 5)
        documents.issue_outgoing(s, "关于作息时间的通知", "notice", 9, org["clerk"])
        documents.register_incoming(s, "安全检查通知", "市应急管理局", "应急〔2026〕45号", 10, org["hr1"])
    return org


def test_clerks_get_403_and_no_menu_entry(client, filled):
    token = signed_in(client, "clerk")
    assert "/crm/assets" not in client.get("/").get_data(as_text=True)
    assert client.get("/crm/assets").status_code == 403
    assert client.get("/crm/documents").status_code == 403
    r = client.post("/crm/assets", data={"csrf_token": token, "tag": "ZC-9", "name": "x"})
    assert r.status_code == 403
    with filled.db.uow() as s:
        assert s.scalar(select(Asset.id).where(Asset.tag == "ZC-9")) is None, "nothing added"


@pytest.mark.parametrize("user", ["hr1", "admin"])
def test_the_office_reads_the_asset_register(client, filled, user):
    signed_in(client, user)
    assert 'href="/crm/assets"' in client.get("/").get_data(as_text=True), "台账 in the menu"
    html = client.get("/crm/assets").get_data(as_text=True)
    row = html[html.index('data-tag="ZC-0001"'):]
    row = row[:row.index("</tr>")]
    assert "借出" in row and "张三" in row and "2026-12-31" in row and "/instances/5" in row
    row2 = html[html.index('data-tag="ZC-0002"'):]
    assert "在库" in row2[:row2.index("</tr>")]


def test_the_office_adds_an_asset_and_a_taken_number_is_refused(client, filled):
    token = signed_in(client, "hr1")
    r = client.post("/crm/assets", data={"csrf_token": token, "tag": "ZC-0003", "name": "会议平板", "category": "办公"})
    assert r.status_code == 302
    html = client.get("/crm/assets").get_data(as_text=True)
    assert 'data-tag="ZC-0003"' in html and "资产 ZC-0003 已新增。" in html
    r = client.post("/crm/assets", data={"csrf_token": token, "tag": "ZC-0003", "name": "另一台"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "资产编号 ZC-0003 已被使用。" in html and 'value="另一台"' in html
    r = client.post("/crm/assets", data={"csrf_token": token, "tag": "", "name": ""})
    assert r.status_code == 422 and r.get_data(as_text=True).count('class="field-error"') == 2


def test_the_document_register_in_both_languages(client, filled):
    token = signed_in(client, "hr1")
    html = client.get("/crm/documents").get_data(as_text=True)
    assert "公文登记簿" in html and "关于作息时间的通知" in html and "市应急管理局" in html
    assert "已收文" in html and "发文" in html
    client.post("/language", data={"locale": "en", "csrf_token": token})
    html = client.get("/crm/documents").get_data(as_text=True)
    assert "Document register" in html and "Document received" in html and "Outgoing" in html
    html = client.get("/crm/assets").get_data(as_text=True)
    assert "Asset register" in html and "Borrowed" in html and "In stock" in html
