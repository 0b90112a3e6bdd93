"""销售机会 to and from Excel, like customers, contacts and contracts: GET /opportunities/export.xlsx
holds only the opportunities the caller may see (a colleague's are not in it), without the columns
the caller's roles may not export (field permissions, crm/admin/field_rules.py); POST
/opportunities/import creates every row or none — 422 names row and column — and an export imports
back (the process-owned columns, status and salesperson, are ignored: imported ones are unassigned).
The list page offers the same workbook."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from tests.api.conftest import API, assert_error, login
from tests.api.test_crm__contacts_contracts_excel import _count, _post, _sheet, _upload

OPP = {"source": "展会", "customer_name": "华东测绘院", "summary": "地理信息平台升级", "probability": 60,
       "amount": "480000.00", "stage": "需求确认", "contact_name": "刘工", "contact_phone": "021-62345678"}


def test_export_holds_the_opportunities_the_caller_may_see(client):
    mine = _post(client, "clerk", "opportunities", OPP)
    _post(client, "clerk2", "opportunities", {**OPP, "summary": "同事的机会", "customer_name": "乙方"})
    header, rows = _sheet(client, "clerk", "opportunities")
    assert header[:5] == ("机会编号", "机会来源", "客户名称", "客户编号", "概要")
    col = {h: i for i, h in enumerate(header)}
    assert [(r[col["机会编号"]], r[col["概要"]], r[col["成功机率"]], r[col["预期金额"]], r[col["机会阶段"]],
             r[col["机会状态"]], r[col["信息添加人"]]) for r in rows] == [
        (mine["number"], "地理信息平台升级", "60", "480000.00", "需求确认", "unassigned", "clerk")]
    _, rows = _sheet(client, "sales_lead", "opportunities")
    assert sorted(r[col["概要"]] for r in rows) == ["同事的机会", "地理信息平台升级"]
    _, rows = _sheet(client, "outsider", "opportunities")
    assert rows == []
    _, rows = _sheet(client, "clerk", "opportunities", q="不存在的词")
    assert rows == []  # filtered like the list


def test_an_export_imports_back_and_bad_rows_are_named(client):
    customer = _post(client, "clerk", "customers", {"name": "甲公司", "code": "KH-A"})
    _post(client, "clerk", "opportunities", {**OPP, "customer": customer["id"], "customer_name": "甲公司"})
    header, rows = _sheet(client, "clerk", "opportunities")
    col = {h: i for i, h in enumerate(header)}
    assert rows[0][col["客户编号"]] == "KH-A"
    renumbered = [tuple(None if h == "机会编号" else v for h, v in zip(header, r, strict=True)) for r in rows]
    before = _count(client, "clerk", "opportunities")
    r = _upload(client, "clerk", "opportunities", [header, *renumbered])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["created"] == 1 and _count(client, "clerk", "opportunities") == before + 1
    new = client.get(f"{API}/opportunities/{r.get_json()['ids'][0]}", headers=login(client, "clerk")).get_json()
    assert (new["summary"], new["customer"], new["probability"], new["status"], new["owner"]) == (
        "地理信息平台升级", customer["id"], 60, "unassigned", None)

    before = _count(client, "clerk", "opportunities")
    bad = [("概要", "客户名称", "成功机率", "机会阶段", "客户编号"),
           ("好的一行", "丙公司", 30, "初步接触", None),
           ("机率不是数", "丁公司", "六十", None, None),
           ("机率太大", "戊公司", 120, "不存在的阶段", None),
           ("别人的客户", None, 10, None, "KH-NOPE")]
    err = assert_error(_upload(client, "clerk", "opportunities", bad), 422)
    assert "row 3, column C (成功机率)" in err["fields"], err
    assert "row 5, column E (客户编号)" in err["fields"], err
    assert _count(client, "clerk", "opportunities") == before, "nothing was imported"
    err = assert_error(_upload(client, "clerk", "opportunities", [bad[0], bad[1], bad[3]]), 422)
    assert {"row 3, column C (成功机率)", "row 3, column D (机会阶段)"} <= set(err["fields"]), err
    assert _count(client, "clerk", "opportunities") == before
    err = assert_error(_upload(client, "clerk", "opportunities", [("客户名称",), ("丙公司",)]), 422)
    assert "file" in err["fields"]  # no 概要 / 成功机率 column
    r = _upload(client, "clerk", "opportunities", bad[:2])
    assert r.status_code == 201 and _count(client, "clerk", "opportunities") == before + 1


def test_export_follows_the_field_permissions(client):
    _post(client, "clerk", "opportunities", OPP)
    admin = login(client, "admin")
    client.post(f"{API}/roles", json={"key": "salesperson", "name": "业务员"}, headers=admin)
    users = client.get(f"{API}/users", query_string={"per_page": 100}, headers=admin).get_json()["items"]
    clerk = next(u for u in users if u["username"] == "clerk")
    assert client.patch(f"{API}/users/{clerk['id']}", json={"roles": ["salesperson"]}, headers=admin).status_code == 200
    assert client.put(f"{API}/field-rules/salesperson/opportunity/amount", json={"export": False},
                      headers=admin).status_code == 200
    header, rows = _sheet(client, "clerk", "opportunities")
    assert "预期金额" not in header and "概要" in header and len(rows) == 1
    header, _rows = _sheet(client, "sales_lead", "opportunities")
    assert "预期金额" in header
    assert client.put(f"{API}/field-rules/salesperson/opportunity/*", json={"export": False},
                      headers=admin).status_code == 200
    err = assert_error(client.get(f"{API}/opportunities/export.xlsx", headers=login(client, "clerk")), 403)
    assert set(err["fields"]) == {"export"}


def test_the_list_page_exports_and_imports(client, app):
    _post(client, "clerk", "opportunities", OPP)
    from tests.web.test_workspace__customers import as_user

    web, csrf = as_user(app, "clerk")
    html = web.get("/crm/opportunities").get_data(as_text=True)
    assert 'id="export-xlsx"' in html and "/crm/opportunities/export.xlsx" in html
    r = web.get("/crm/opportunities/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert [row[4] for row in rows] == ["概要", "地理信息平台升级"]
    before = _count(client, "clerk", "opportunities")
    bad = _workbook([("概要", "成功机率"), ("页面导入的机会", "很高")])
    r = web.post("/crm/opportunities/import", data={"csrf_token": csrf, "file": (io.BytesIO(bad), "x.xlsx")},
                 content_type="multipart/form-data", follow_redirects=True)
    assert "row 2, column B (成功机率)" in r.get_data(as_text=True)
    assert _count(client, "clerk", "opportunities") == before
    good = _workbook([("概要", "成功机率", "客户名称"), ("页面导入的机会", 35, "庚公司")])
    r = web.post("/crm/opportunities/import", data={"csrf_token": csrf, "file": (io.BytesIO(good), "x.xlsx")},
                 content_type="multipart/form-data", follow_redirects=True)
    assert r.status_code == 200 and _count(client, "clerk", "opportunities") == before + 1


def _workbook(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
