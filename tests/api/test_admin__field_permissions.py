"""Field permissions per role (004 §7.3 查看/修改/导出): with 信用度 (credit) hidden from the
salesperson role and customer export forbidden to it, a salesperson never sees credit — not in a
read, a list, a filter, a keyword match, the customer page data or an export — cannot set it, and
cannot export customers; their supervisor (no such role) and admins are not restricted. Rules are
admin-only and land in the system log."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from crm import records
from tests.api.conftest import API, assert_error, login


def _setup(client):
    admin = login(client, "admin")
    assert client.post(f"{API}/roles", json={"key": "salesperson", "name": "业务员"}, headers=admin).status_code == 201
    uid = client.get(f"{API}/users", query_string={"per_page": 100}, headers=admin).get_json()["items"]
    clerk = next(u for u in uid if u["username"] == "clerk")
    r = client.patch(f"{API}/users/{clerk['id']}", json={"roles": ["salesperson"]}, headers=admin)
    assert r.status_code == 200, r.get_json()
    r = client.put(f"{API}/field-rules/salesperson/customer/credit", json={"view": False}, headers=admin)
    assert r.status_code == 200 and r.get_json() == {"role": "salesperson", "kind": "customer", "field": "credit",
                                                     "view": False, "edit": True, "export": True}
    r = client.put(f"{API}/field-rules/salesperson/customer/*", json={"export": False}, headers=admin)
    assert r.status_code == 200
    return admin


def _customer(client, user, **payload):
    r = client.post(f"{API}/customers", json={"name": "华北测绘院", **payload}, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_rules_are_admin_only_and_checked(client):
    admin = login(client, "admin")
    assert_error(client.get(f"{API}/field-rules", headers=login(client, "clerk")), 403)
    assert_error(client.put(f"{API}/field-rules/hr/customer/credit", json={"view": False},
                            headers=login(client, "clerk")), 403)
    err = assert_error(client.put(f"{API}/field-rules/nobody/customer/colour", json={"view": "no", "x": 1},
                                  headers=admin), 422)
    assert set(err["fields"]) == {"role", "field", "view", "x"}
    assert_error(client.put(f"{API}/field-rules/hr/spaceship/credit", json={"view": False}, headers=admin), 404)
    assert client.get(f"{API}/field-rules", headers=admin).get_json()["items"] == []


def test_a_hidden_field_is_absent_from_every_read_of_the_role(client):
    _setup(client)
    c = _customer(client, "sales_lead", credit="AAA", owner="clerk", remark="信用优良")
    h = login(client, "clerk")
    one = client.get(f"{API}/customers/{c['id']}", headers=h).get_json()
    assert "credit" not in one and one["name"] == "华北测绘院"
    listed = client.get(f"{API}/customers", headers=h).get_json()["items"]
    assert listed and all("credit" not in x for x in listed)
    # filtering or searching by it neither works nor tells the value
    err = assert_error(client.get(f"{API}/customers", query_string={"credit": "AAA"}, headers=h), 422)
    assert set(err["fields"]) == {"credit"}
    assert client.get(f"{API}/customers", query_string={"q": "AAA"}, headers=h).get_json()["total"] == 0
    overview = records.customer_overview(client.application.extensions["lz_db"], _uid(client, "clerk"), c["id"])
    assert "credit" not in overview["customer"]
    assert client.get(f"{API}/me/field-limits", headers=h).get_json() == {
        "customer": {"hidden": ["credit"], "readonly": [], "noexport": ["*"]}}
    # the supervisor (without the role) and admins see it
    for user in ("sales_lead", "admin"):
        assert client.get(f"{API}/customers/{c['id']}", headers=login(client, user)).get_json()["credit"] == "AAA"
        assert client.get(f"{API}/customers", query_string={"q": "AAA"},
                          headers=login(client, user)).get_json()["total"] == 1


def _uid(client, username):
    items = client.get(f"{API}/users", query_string={"per_page": 100}, headers=login(client, "admin")).get_json()
    return next(u["id"] for u in items["items"] if u["username"] == username)


def test_a_field_the_role_may_not_edit_is_refused_naming_it(client):
    admin = _setup(client)
    client.put(f"{API}/field-rules/salesperson/customer/level", json={"edit": False}, headers=admin)
    c = _customer(client, "sales_lead", level="重点客户", owner="clerk")
    h = login(client, "clerk")
    err = assert_error(client.patch(f"{API}/customers/{c['id']}", json={"level": "战略客户", "phone": "010-1234567"},
                                    headers=h), 403)
    assert set(err["fields"]) == {"level"}
    err = assert_error(client.patch(f"{API}/customers/{c['id']}", json={"credit": "C"}, headers=h), 403)
    assert set(err["fields"]) == {"credit"}
    # sending the value it has is no change; other fields change
    r = client.patch(f"{API}/customers/{c['id']}", json={"level": "重点客户", "phone": "010-1234567"}, headers=h)
    assert r.status_code == 200 and r.get_json()["phone"] == "010-1234567"
    err = assert_error(client.post(f"{API}/customers", json={"name": "新", "credit": "B"}, headers=h), 403)
    assert set(err["fields"]) == {"credit"}
    r = client.patch(f"{API}/customers/{c['id']}", json={"credit": "B", "level": "战略客户"},
                     headers=login(client, "sales_lead"))
    assert r.status_code == 200 and r.get_json()["credit"] == "B"


def test_export_is_refused_to_the_role_and_leaves_out_what_it_may_not_export(client):
    admin = _setup(client)
    _customer(client, "sales_lead", credit="AAA", phone="010-7654321", owner="clerk")
    err = assert_error(client.get(f"{API}/customers/export.xlsx", headers=login(client, "clerk")), 403)
    assert set(err["fields"]) == {"export"}
    # a role allowed to export the kind but not one field: the column is left out
    client.put(f"{API}/field-rules/salesperson/customer/*", json={"export": True}, headers=admin)
    client.put(f"{API}/field-rules/salesperson/customer/phone", json={"export": False}, headers=admin)
    r = client.get(f"{API}/customers/export.xlsx", headers=login(client, "clerk"))
    assert r.status_code == 200
    header = [c.value for c in next(load_workbook(io.BytesIO(r.data)).active.iter_rows(max_row=1))]
    assert "客户名称" in header and "信用评价" not in header and "电话" not in header
    r = client.get(f"{API}/customers/export.xlsx", headers=login(client, "sales_lead"))
    header = [c.value for c in next(load_workbook(io.BytesIO(r.data)).active.iter_rows(max_row=1))]
    assert "信用评价" in header and "电话" in header


def test_rule_changes_are_in_the_system_log(client):
    admin = _setup(client)
    log = client.get(f"{API}/admin-log", query_string={"type": "field_rule"}, headers=admin).get_json()
    assert [(e["actor"], e["target"]) for e in log["items"]] == [("admin", "salesperson:customer.*"),
                                                                  ("admin", "salesperson:customer.credit")]
    assert log["items"][1]["detail"]["view"] == [None, False]
    assert_error(client.get(f"{API}/admin-log", headers=login(client, "clerk")), 403)
    users = client.get(f"{API}/admin-log", query_string={"type": "user"}, headers=admin).get_json()["items"]
    assert users[0]["target"] == "clerk" and users[0]["detail"]["roles"] == [[], ["salesperson"]]
