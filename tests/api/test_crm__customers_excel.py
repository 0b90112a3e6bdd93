"""Customers to and from Excel: GET /customers/export.xlsx holds only the customers the caller may
see, under Chinese column headers; POST /customers/import validates every row and imports all or
nothing (422 lists row, column and message); an export imports into a fresh database unchanged."""
from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from app import create_app
from crm.export import COLUMNS
from db.base import Base
from db.session import Database
from tests.api.conftest import API, assert_error, login
from tests.org import build_org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [c.header for c in COLUMNS]
# what the system sets (not imported): compared apart
SYSTEM = {"id", "created_at", "updated_at", "created_by", "service_auth_no"}

FULL = {"code": "KH-0001", "name": "华北测绘院", "nature": "事业单位", "legal_rep": "刘院长",
        "address": "北京市海淀区学院路 1 号", "postcode": "010010", "website": "www.hbch.example.cn",
        "phone": "010-62345678", "email": "office@hbch.example.cn", "fax": "010-62345679", "level": "战略客户",
        "type": "终端客户", "status": "成交客户", "stage": "签约", "credit": "优", "province": "北京", "region": "华北",
        "source": "展会", "owner": "clerk", "vip": True, "area_code": "0531", "industry": "03",
        "custom": {"行业": "测绘", "员工数": 300}, "remark": "第一行\n第二行"}


def create(client, user: str, **payload: Any) -> dict[str, Any]:
    r = client.post(f"{API}/customers", json=payload, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def export(client, user: str, **query: str) -> list[list[Any]]:
    r = client.get(f"{API}/customers/export.xlsx", query_string=query, headers=login(client, user))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == XLSX
    ws = load_workbook(io.BytesIO(r.get_data()), read_only=True).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def export_bytes(client, user: str) -> bytes:
    return client.get(f"{API}/customers/export.xlsx", headers=login(client, user)).get_data()


def workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, user: str, data: bytes, name: str = "客户.xlsx"):
    return client.post(f"{API}/customers/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=login(client, user))


def all_customers(client, user: str = "admin") -> list[dict[str, Any]]:
    r = client.get(f"{API}/customers", query_string={"per_page": 100}, headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return sorted(r.get_json()["items"], key=lambda c: c["id"])


# ---------------------------------------------------------------- export


def test_export_has_chinese_headers_and_only_the_callers_customers(client):
    create(client, "clerk", name="甲客户", level="重点客户")
    create(client, "clerk2", name="乙客户")
    create(client, "admin", name="丙客户", owner="sales_head")
    rows = export(client, "clerk")
    assert rows[0] == HEADERS
    assert "客户名称" in rows[0] and "客户级别" in rows[0] and "业务员" in rows[0]
    name, level, owner = (rows[0].index(h) for h in ("客户名称", "客户级别", "业务员"))
    assert [(r[name], r[level], r[owner]) for r in rows[1:]] == [("甲客户", "重点客户", "clerk")]
    # the supervisor sees the chain below; the admin sees everyone; filters apply as in the list
    assert sorted(r[name] for r in export(client, "sales_lead")[1:]) == ["乙客户", "甲客户"]
    assert sorted(r[name] for r in export(client, "admin")[1:]) == ["丙客户", "乙客户", "甲客户"]
    assert [r[name] for r in export(client, "admin", level="重点客户")[1:]] == ["甲客户"]
    assert export(client, "outsider") == [HEADERS]


def test_values_are_text_and_a_leading_equals_sign_is_not_a_formula(client):
    create(client, "clerk", name="=1+1", postcode="010010")
    r = client.get(f"{API}/customers/export.xlsx", headers=login(client, "clerk"))
    ws = load_workbook(io.BytesIO(r.get_data())).worksheets[0]  # not data_only: formulas would show as such
    name = ws.cell(row=2, column=HEADERS.index("客户名称") + 1)
    assert (name.value, name.data_type) == ("=1+1", "s")
    assert ws.cell(row=2, column=HEADERS.index("邮编") + 1).value == "010010"


# ---------------------------------------------------------------- round trip into a fresh database


@pytest.fixture
def fresh(tmp_path):
    """A second, empty installation: its own database, organisation and app."""
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    Base.metadata.create_all(db.engine)
    build_org(db)
    yield create_app({"DATABASE": db, "SECRET_KEY": "test", "TESTING": True}).test_client()
    db.dispose()


def test_an_export_imports_into_a_fresh_database_unchanged(client, fresh):
    create(client, "admin", **FULL)
    create(client, "clerk", name="=1+1")
    create(client, "clerk2", name="青岛电信", level="普通客户", stage="初步接触", phone="0532 8888 6666")
    before = all_customers(client)
    r = upload(fresh, "admin", export_bytes(client, "admin"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["created"] == 3 and len(r.get_json()["ids"]) == 3
    after = all_customers(fresh)
    assert [{k: v for k, v in c.items() if k not in SYSTEM} for c in after] == \
        [{k: v for k, v in c.items() if k not in SYSTEM} for c in before]
    assert after[0]["created_by"] == "admin"
    assert after[0]["service_auth_no"][2:8] == "053103", "the authorization number is issued again"
    # the owner history starts at the import
    h = fresh.get(f"{API}/customers/{after[1]['id']}/owner-history", headers=login(fresh, "admin")).get_json()
    assert [(e["from"], e["to"], e["by"]) for e in h["items"]] == [(None, "clerk", "admin")]


def test_a_salesperson_imports_their_own_customers(client, fresh):
    create(client, "clerk", name="甲客户", level="重点客户", stage="需求确认")
    r = upload(fresh, "clerk", export_bytes(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    [c] = all_customers(fresh, "clerk")
    assert (c["name"], c["level"], c["stage"], c["owner"], c["vip"]) == ("甲客户", "重点客户", "需求确认", "clerk", False)


# ---------------------------------------------------------------- bad files: 422, nothing imported


def test_every_bad_row_is_listed_with_row_column_and_message_and_nothing_is_imported(client):
    rows = [["客户名称", "客户级别", "客户阶段", "业务员", "邮箱", "客户编号"],
            ["好客户", "重点客户", "签约", "clerk", "a@b.cn", "KH-1"],
            [None, "重点客户", None, None, None, None],
            ["坏级别", "A", "已成交", None, "not-an-email", None],
            [None, None, None, None, None, None],  # empty rows are skipped
            ["别人的", None, None, "sales_head", None, "KH-1"]]
    err = assert_error(upload(client, "clerk", workbook(rows)), 422, "validation_failed")
    assert set(err["fields"]) == {
        "row 3, column A (客户名称)", "row 4, column B (客户级别)", "row 4, column C (客户阶段)",
        "row 4, column E (邮箱)", "row 6, column D (业务员)", "row 6, column F (客户编号)"}, err["fields"]
    assert err["fields"]["row 3, column A (客户名称)"] == "required"
    assert "重点客户" in err["fields"]["row 4, column B (客户级别)"]
    assert err["fields"]["row 6, column D (业务员)"] == "yourself or someone who reports to you"
    assert "nothing was imported" in err["message"]
    assert all_customers(client) == []


def test_a_number_already_in_the_database_is_refused_on_its_row(client):
    create(client, "clerk", name="已有客户", code="KH-9")
    err = assert_error(upload(client, "clerk", workbook([["客户编号", "客户名称"], ["KH-9", "新客户"]])), 422)
    assert err["fields"] == {"row 2, column A (客户编号)": "already exists"}
    assert [c["name"] for c in all_customers(client)] == ["已有客户"]


def test_vip_is_for_administrators_only(client):
    err = assert_error(upload(client, "clerk", workbook([["客户名称", "VIP"], ["甲", "是"]])), 422)
    assert list(err["fields"]) == ["row 2, column B (VIP)"]
    assert "VIP customer process" in err["fields"]["row 2, column B (VIP)"]
    r = upload(client, "clerk", workbook([["客户名称", "VIP"], ["甲", "否"]]))
    assert r.status_code == 201, r.get_json()


@pytest.mark.parametrize("rows, fields", [
    ([["名称", "客户名称"], ["x", "甲"]], {"row 1, column A (名称)"}),
    ([["客户级别"], ["重点客户"]], {"file"}),
    ([["客户名称", "客户名称"], ["甲", "乙"]], {"row 1, column B (客户名称)"}),
    ([["客户名称"]], {"file"}),
    ([["客户名称", "自定义字段"], ["甲", "[1, 2]"]], {"row 2, column B (自定义字段)"}),
], ids=["unknown-column", "no-name-column", "repeated-column", "no-rows", "custom-not-object"])
def test_bad_sheets_are_422_naming_the_problem(client, rows, fields):
    err = assert_error(upload(client, "clerk", workbook(rows)), 422)
    assert set(err["fields"]) == fields
    assert all_customers(client) == []


def test_a_file_that_is_not_a_workbook_or_no_file_is_422(client):
    err = assert_error(upload(client, "clerk", "name,level\n甲,A\n".encode(), "客户.csv"), 422)
    assert err["fields"] == {"file": "not an .xlsx workbook"}
    r = client.post(f"{API}/customers/import", data={}, content_type="multipart/form-data",
                    headers=login(client, "clerk"))
    assert assert_error(r, 422)["fields"] == {"file": "required"}
    assert_error(client.post(f"{API}/customers/import", data={"file": (io.BytesIO(b""), "x.xlsx")},
                             content_type="multipart/form-data"), 401)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(client):
    """A zip bomb: 65 KB on the wire, 65 MB of sheet once unpacked (openpyxl held ~3x that in memory)."""
    good = zipfile.ZipFile(io.BytesIO(workbook([["客户名称"], ["甲"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"</sheetData>")
                data = head + b'<row r="9"><c r="A9" t="inlineStr"><is><t>' + b"A" * (65 << 20) + \
                    b"</t></is></c></row></sheetData>" + tail
            z.writestr(item, data)
    assert len(out.getvalue()) < 100_000
    err = assert_error(upload(client, "clerk", out.getvalue()), 422)
    assert err["fields"] == {"file": "unpacks to at most 64 MB"}
    assert all_customers(client) == []
