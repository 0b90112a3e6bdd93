"""PATCH /users/{id}: admins change or deactivate users; a deactivated user can no longer log in
and is no longer assigned work."""
from __future__ import annotations

from tests.api.conftest import login


def _id(client, admin, username):
    users = client.get("/api/v1/users?per_page=100", headers=admin).get_json()["items"]
    return next(u["id"] for u in users if u["username"] == username)


def test_admin_deactivates_a_user_who_then_cannot_log_in(client, org):
    admin = login(client, "admin")
    uid = _id(client, admin, "clerk2")
    r = client.patch(f"/api/v1/users/{uid}", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.get_json()["active"] is False
    r = client.post("/api/v1/auth/token", json={"username": "clerk2", "password": "secret-pass-1"})
    assert r.status_code == 401


def test_admin_moves_a_user_and_changes_roles_and_supervisor(client, org):
    admin = login(client, "admin")
    uid = _id(client, admin, "clerk2")
    r = client.patch(f"/api/v1/users/{uid}", headers=admin,
                     json={"supervisor": "fin_head", "department": org.depts["财务部"], "roles": ["finance"]})
    body = r.get_json()
    assert r.status_code == 200
    assert (body["supervisor"], body["department"], body["roles"]) == ("fin_head", org.depts["财务部"], ["finance"])


def test_bad_changes_are_refused_with_field_errors_and_change_nothing(client, org):
    admin = login(client, "admin")
    uid = _id(client, admin, "sales_head")
    r = client.patch(f"/api/v1/users/{uid}", headers=admin,
                     json={"supervisor": "clerk", "active": "no", "roles": ["nope"], "password": "short"})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert {"supervisor", "active", "roles", "password"} <= set(fields)
    assert "cycle" in fields["supervisor"]
    users = client.get("/api/v1/users?per_page=100", headers=admin).get_json()["items"]
    assert next(u for u in users if u["username"] == "sales_head")["supervisor"] == "gm"
    assert client.patch("/api/v1/users/999999", json={"active": False}, headers=admin).status_code == 404
    me = _id(client, admin, "admin")
    assert client.patch(f"/api/v1/users/{me}", json={"active": False}, headers=admin).status_code == 422


def test_only_admins_may_change_users(client, org):
    admin = login(client, "admin")
    uid = _id(client, admin, "clerk")
    r = client.patch(f"/api/v1/users/{uid}", json={"display_name": "黑客"}, headers=login(client, "sales_head"))
    assert r.status_code == 403
    users = client.get("/api/v1/users?per_page=100", headers=admin).get_json()["items"]
    assert next(u for u in users if u["username"] == "clerk")["display_name"] == "张三"
