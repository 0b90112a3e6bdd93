"""Contacts and contracts to and from Excel, like customers: GET /contacts/export.xlsx and
/contracts/export.xlsx hold only what the caller may see (a record's customer by its 客户编号);
POST /contacts/import and /contracts/import create every row or none — 422 names row and column,
also for a 客户编号 the importer may not see — and an export imports back."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from tests.api.conftest import API, assert_error, login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client, user, path, body):
    r = client.post(f"{API}/{path}", json=body, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _sheet(client, user, path, **query):
    r = client.get(f"{API}/{path}/export.xlsx", query_string=query, headers=login(client, user))
    assert r.status_code == 200 and r.mimetype == XLSX, r.get_data(as_text=True)
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def _upload(client, user, path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    data = io.BytesIO()
    wb.save(data)
    return client.post(f"{API}/{path}/import", headers=login(client, user), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data.getvalue()), "x.xlsx")})


def _count(client, user, path):
    return client.get(f"{API}/{path}", headers=login(client, user)).get_json()["total"]


def test_export_holds_what_the_caller_may_see(client):
    a = _post(client, "clerk", "customers", {"name": "甲公司", "code": "KH-A"})
    b = _post(client, "clerk2", "customers", {"name": "乙公司", "code": "KH-B"})
    _post(client, "clerk", f"customers/{a['id']}/contacts", {"name": "王经理", "mobile": "13800001111"})
    _post(client, "clerk2", f"customers/{b['id']}/contacts", {"name": "李工"})
    _post(client, "clerk", "contracts", {"customer": a["id"], "title": "甲合同", "amount": "1200.50",
                                         "start_date": "2026-01-01"})
    _post(client, "clerk2", "contracts", {"customer": b["id"], "title": "乙合同"})
    header, rows = _sheet(client, "clerk", "contacts")
    assert header[:2] == ("客户编号", "姓名") and [(r[0], r[1]) for r in rows] == [("KH-A", "王经理")]
    header, rows = _sheet(client, "clerk", "contracts")
    assert header[:3] == ("合同编号", "客户编号", "合同名称")
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [("KH-A", "甲合同", "1200.50", "2026-01-01")]
    _, rows = _sheet(client, "sales_lead", "contracts")
    assert sorted(r[2] for r in rows) == ["乙合同", "甲合同"]
    _, rows = _sheet(client, "outsider", "contacts")
    assert rows == []


def test_import_all_or_nothing_with_row_and_column(client):
    _post(client, "clerk", "customers", {"name": "甲公司", "code": "KH-A"})
    _post(client, "clerk2", "customers", {"name": "乙公司", "code": "KH-B"})
    # row 3: a colleague's customer (not theirs to see): refused before anything is validated further
    r = _upload(client, "clerk", "contracts", [
        ("客户编号", "合同名称", "开始日期", "合同金额"),
        ("KH-A", "一号合同", "2026-02-01", "100"),
        ("KH-B", "二号合同", None, None),
    ])
    assert set(assert_error(r, 422)["fields"]) == {"row 3, column A (客户编号)"}
    # rows validated like POST /contracts: every bad cell named, nothing created
    r = _upload(client, "clerk", "contracts", [
        ("客户编号", "合同名称", "开始日期", "合同金额"),
        ("KH-A", "一号合同", "2026-02-01", "100"),
        ("KH-A", None, "2026-13-01", "x"),
    ])
    assert set(assert_error(r, 422)["fields"]) == {"row 3, column B (合同名称)", "row 3, column C (开始日期)",
                                                   "row 3, column D (合同金额)"}
    assert _count(client, "clerk", "contracts") == 0
    r = _upload(client, "clerk", "contacts", [("姓名",), ("王经理",)])
    assert "file" in assert_error(r, 422)["fields"]  # 客户编号 is required
    r = _upload(client, "clerk", "contacts", [("客户编号", "姓名", "性别"), ("KH-A", "王经理", "女士")])
    assert set(assert_error(r, 422)["fields"]) == {"row 2, column C (性别)"}
    # good files
    r = _upload(client, "clerk", "contracts", [("客户编号", "合同名称", "开始日期"), ("KH-A", "一号合同", "2026-02-01")])
    assert r.status_code == 201 and r.get_json()["created"] == 1
    r = _upload(client, "clerk", "contacts", [("客户编号", "姓名", "手机"), ("KH-A", "王经理", 13800001111)])
    assert r.status_code == 201
    contacts = client.get(f"{API}/customers/{_sheet_customer(client)}/contacts", headers=login(client, "clerk"))
    assert [(c["name"], c["mobile"], c["created_by"]) for c in contacts.get_json()["items"]] == \
        [("王经理", "13800001111", "clerk")]


def _sheet_customer(client):
    items = client.get(f"{API}/customers", query_string={"code": "KH-A"}, headers=login(client, "clerk")).get_json()
    return items["items"][0]["id"]


def test_an_export_imports_back(client):
    a = _post(client, "clerk", "customers", {"name": "甲公司", "code": "KH-A"})
    _post(client, "clerk", "contracts", {"customer": a["id"], "title": "甲合同", "number": "HT-1", "amount": "99.00"})
    r = client.get(f"{API}/contracts/export.xlsx", headers=login(client, "clerk"))
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb.active
    ws.cell(row=2, column=1, value="HT-2")  # a new number: the first one is taken
    data = io.BytesIO()
    wb.save(data)
    r = client.post(f"{API}/contracts/import", headers=login(client, "clerk"), content_type="multipart/form-data",
                    data={"file": (io.BytesIO(data.getvalue()), "x.xlsx")})
    assert r.status_code == 201, r.get_json()
    got = client.get(f"{API}/contracts", query_string={"number": "HT-2"}, headers=login(client, "clerk")).get_json()
    assert got["items"][0]["title"] == "甲合同" and got["items"][0]["amount"] == "99.00"
    assert got["items"][0]["status"] == "draft"  # 合同状态 is export-only: the process sets it
