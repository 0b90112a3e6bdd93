"""The system log (系统日志): every admin change of a user, role, department, dictionary entry and
process definition is a line with who, what and the changed values (a password only as changed);
refused changes leave no line; only admins read it."""
from __future__ import annotations

from tests.api.conftest import API, HANDLE_CC, assert_error, deploy, login


def test_admin_changes_are_logged_with_who_and_what(client):
    admin = login(client, "admin")
    r = client.post(f"{API}/users", json={"username": "newbie", "display_name": "新人", "password": "secret-pass-9",
                                          "supervisor": "sales_lead"}, headers=admin)
    uid = r.get_json()["id"]
    client.patch(f"{API}/users/{uid}", json={"display_name": "新同事", "password": "another-pass-9"}, headers=admin)
    assert_error(client.patch(f"{API}/users/{uid}", json={"supervisor": "nobody"}, headers=admin), 422)
    client.post(f"{API}/roles", json={"key": "salesperson", "name": "业务员"}, headers=admin)
    depts = client.get(f"{API}/departments", headers=admin).get_json()["items"]
    client.patch(f"{API}/departments/{depts[1]['id']}", json={"name": "销售一部"}, headers=admin)
    client.put(f"{API}/options/customer_type/政府客户", json={"label_zh": "政府客户", "label_en": "Government"},
               headers=admin)
    assert deploy(client, HANDLE_CC).status_code == 201
    items = client.get(f"{API}/admin-log", query_string={"per_page": 50}, headers=admin).get_json()["items"]
    assert [(e["action"], e["target"]) for e in items] == [
        ("definition.deploy", "handle_cc v1"), ("option.create", "customer_type:政府客户"),
        ("department.update", "销售一部"), ("role.create", "salesperson"), ("user.update", "newbie"),
        ("user.create", "newbie")]
    assert all(e["actor"] == "admin" for e in items)
    update = items[4]["detail"]
    assert update["display_name"] == ["新人", "新同事"] and update["password"] == ["***", "***"]
    assert "another-pass-9" not in str(items) and "secret-pass-9" not in str(items)
    assert items[2]["detail"]["name"] == ["销售部", "销售一部"]
    only_options = client.get(f"{API}/admin-log", query_string={"type": "option"}, headers=admin).get_json()
    assert only_options["total"] == 1
    assert_error(client.get(f"{API}/admin-log", query_string={"type": "spaceship"}, headers=admin), 422)
    assert_error(client.get(f"{API}/admin-log", headers=login(client, "sales_head")), 403)
