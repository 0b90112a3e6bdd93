"""Organisation routes: admins change departments, roles and users; everyone may read."""
from __future__ import annotations

from tests.api.conftest import API, assert_error, login


def _count(client, path, user="clerk"):
    return client.get(f"{API}/{path}", headers=login(client, user)).get_json()["total"]


def test_admin_creates_department_role_and_user_then_sets_the_head(client, org):
    admin = login(client, "admin")
    r = client.post(f"{API}/departments", json={"name": "客服部", "parent": org.depts["总经办"]}, headers=admin)
    assert r.status_code == 201
    dept = r.get_json()
    assert dept["name"] == "客服部" and dept["parent"] == org.depts["总经办"] and dept["head"] is None

    r = client.post(f"{API}/roles", json={"key": "service", "name": "客服"}, headers=admin)
    assert r.status_code == 201 and r.get_json() == {"key": "service", "name": "客服"}

    r = client.post(f"{API}/users", json={"username": "svc1", "display_name": "客服一", "password": "long-enough-1",
                                          "department": dept["id"], "supervisor": "gm", "roles": ["service"]},
                    headers=admin)
    assert r.status_code == 201, r.get_json()
    user = r.get_json()
    assert user["username"] == "svc1" and user["roles"] == ["service"] and user["supervisor"] == "gm"
    assert "password" not in user and "password_hash" not in user

    r = client.patch(f"{API}/departments/{dept['id']}", json={"head": "svc1"}, headers=admin)
    assert r.status_code == 200 and r.get_json()["head"] == "svc1"

    # the new user can log in
    me = client.get(f"{API}/me", headers=login(client, "svc1", "long-enough-1")).get_json()
    assert me["department_name"] == "客服部"


def test_non_admin_gets_403_and_nothing_changes(client, org):
    clerk = login(client, "clerk")
    before = (_count(client, "departments"), _count(client, "users"), _count(client, "roles"))
    attempts = [
        client.post(f"{API}/departments", json={"name": "黑客部"}, headers=clerk),
        client.patch(f"{API}/departments/{org.depts['销售部']}", json={"head": "clerk"}, headers=clerk),
        client.post(f"{API}/roles", json={"key": "hacker", "name": "x"}, headers=clerk),
        client.post(f"{API}/users", json={"username": "evil", "display_name": "x", "password": "long-enough-1",
                                          "roles": ["admin"]}, headers=clerk),
        # even with an invalid payload the answer is 403, not a validation report
        client.post(f"{API}/users", json={"bogus": 1}, headers=clerk),
    ]
    for r in attempts:
        assert_error(r, 403, "forbidden")
    assert (_count(client, "departments"), _count(client, "users"), _count(client, "roles")) == before
    depts = client.get(f"{API}/departments", headers=clerk, query_string={"per_page": 100}).get_json()["items"]
    assert next(d for d in depts if d["name"] == "销售部")["head"] == "sales_head"


def test_field_errors_are_422_naming_each_field(client, org):
    admin = login(client, "admin")
    err = assert_error(client.post(f"{API}/users", json={"username": "1bad", "display_name": "", "password": "short",
                                                         "department": "sales", "roles": "admin"}, headers=admin),
                       422, "validation_failed")
    assert set(err["fields"]) == {"username", "display_name", "password", "department", "roles"}

    err = assert_error(client.post(f"{API}/departments", json={"name": "新部门", "parent": 99999, "head": "ghost"},
                                   headers=admin), 422)
    assert set(err["fields"]) == {"parent", "head"}

    err = assert_error(client.post(f"{API}/roles", json={"key": "Bad Key", "name": 3}, headers=admin), 422)
    assert set(err["fields"]) == {"key", "name"}

    err = assert_error(client.patch(f"{API}/departments/{org.depts['销售部']}",
                                    json={"parent": org.depts["销售部"]}, headers=admin), 422)
    assert set(err["fields"]) == {"parent"}


def test_ids_too_large_for_the_database_are_422(client):
    admin = login(client, "admin")
    err = assert_error(client.post(f"{API}/departments", json={"name": "新部门", "parent": 2**70}, headers=admin), 422)
    assert set(err["fields"]) == {"parent"}
    err = assert_error(client.post(f"{API}/users", json={"username": "x1", "display_name": "x",
                                                         "password": "long-enough-1", "department": -(2**64)},
                                   headers=admin), 422)
    assert set(err["fields"]) == {"department"}


def test_unknown_keys_are_422_naming_them(client, org):
    admin = login(client, "admin")
    for path, payload in [("users", {"username": "x1", "display_name": "x", "password": "long-enough-1",
                                     "is_admin": True}),
                          ("departments", {"name": "新部门", "budget": 5}),
                          ("roles", {"key": "abc", "name": "x", "perms": []})]:
        err = assert_error(client.post(f"{API}/{path}", json=payload, headers=admin), 422)
        assert set(err["fields"]) == set(payload) - {"username", "display_name", "password", "name", "key"}
    err = assert_error(client.patch(f"{API}/departments/{org.depts['销售部']}", json={"colour": "red"},
                                    headers=admin), 422)
    assert set(err["fields"]) == {"colour"}


def test_duplicates_are_409(client):
    admin = login(client, "admin")
    assert_error(client.post(f"{API}/departments", json={"name": "销售部"}, headers=admin), 409, "conflict")
    assert_error(client.post(f"{API}/roles", json={"key": "hr", "name": "x"}, headers=admin), 409)
    err = assert_error(client.post(f"{API}/users", json={"username": "clerk", "display_name": "x",
                                                         "password": "long-enough-1"}, headers=admin), 409)
    assert set(err["fields"]) == {"username"}


def test_patch_unknown_department_is_404(client):
    assert_error(client.patch(f"{API}/departments/99999", json={"name": "x"}, headers=login(client, "admin")), 404)


def test_non_object_body_is_400(client):
    admin = login(client, "admin")
    for data in ["[1, 2]", '"x"', "{bad", "null"]:
        r = client.post(f"{API}/departments", data=data, content_type="application/json", headers=admin)
        assert "body" in assert_error(r, 400, "bad_request")["fields"]
    r = client.post(f"{API}/departments", data="name=x", content_type="application/x-www-form-urlencoded",
                    headers=admin)
    assert_error(r, 415)


def test_anyone_reads_users_and_departments_paginated(client, org):
    clerk = login(client, "clerk")
    r = client.get(f"{API}/users", query_string={"per_page": 5, "page": 2}, headers=clerk)
    body = r.get_json()
    assert r.status_code == 200 and len(body["items"]) == 5 and body["total"] == len(org.ids)
    assert body["page"] == 2 and body["per_page"] == 5
    names = [u["username"] for u in body["items"]]
    assert names == [org.name_of(i) for i in sorted(org.ids.values())[5:10]]
    depts = client.get(f"{API}/departments", headers=clerk).get_json()
    assert depts["total"] == 5 and {d["name"] for d in depts["items"]} >= {"总经办", "销售部"}
    roles = client.get(f"{API}/roles", headers=clerk).get_json()
    assert {"key": "admin", "name": "管理员"} in roles["items"]


def test_lists_need_a_login(client):
    for path in ("users", "departments", "roles", "me"):
        assert_error(client.get(f"{API}/{path}"), 401)
