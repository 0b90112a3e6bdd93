"""The organisation pages: admins only; users listed with department, supervisor, roles and
status (search, filter, paging); a create or change with a bad field shows the message at the
field and changes nothing; deactivating a user stops their logins."""
from __future__ import annotations

import pytest

from crm import directory, org_pages
from tests.web.conftest import page_login, signed_in

PAGES = ["/admin/users", "/admin/users/new", "/admin/departments", "/admin/roles"]


@pytest.mark.parametrize("url", PAGES)
def test_non_admins_get_403(org, client, url):
    token = signed_in(client, "gm")  # a department head and general manager, but no admin
    assert client.get(url).status_code == 403
    if url != "/admin/users":
        assert client.post(url, data={"csrf_token": token, "name": "x", "key": "xx"}).status_code == 403
    assert client.get(f"/admin/users/{org['clerk']}").status_code == 403
    assert client.post(f"/admin/users/{org['clerk']}", data={"csrf_token": token, "display_name": "改名",
                                                             "active": ""}).status_code == 403
    assert org_pages.get_user(org.db, org["admin"], org["clerk"])["display_name"] == "张三"


def test_the_organisation_menu_is_only_for_admins(org, client):
    signed_in(client, "clerk")
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)
    client = client.application.test_client()
    signed_in(client, "admin")
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)


def test_the_user_list_shows_department_supervisor_roles_and_searches(org, client):
    signed_in(client, "admin")
    html = client.get("/admin/users?q=张三").get_data(as_text=True)
    row = html.split('data-username="clerk"', 1)[1].split("</tr>", 1)[0]
    assert "销售部" in row and "周组长" in row and "tag green" in row
    assert 'data-username="clerk2"' not in html
    html = client.get("/admin/users?q=hr1").get_data(as_text=True)
    assert "人事" in html.split('data-username="hr1"', 1)[1].split("</tr>", 1)[0]  # the hr role, by name


def test_the_user_list_pages_and_filters_by_department(org, client):
    signed_in(client, "admin")
    seen: list[str] = []
    for page in (1, 2, 3):
        html = client.get(f"/admin/users?page={page}").get_data(as_text=True)
        assert f"{page} / 3" in html
        seen += usernames(html)
    assert len(seen) == len(org.ids) and set(seen) == set(org.ids), "every user once over the pages"
    sales = client.get(f"/admin/users?department={org.depts['销售部']}").get_data(as_text=True)
    assert sorted(usernames(sales)) == ["clerk", "clerk2", "sales_head", "sales_lead"]
    everyone = client.get(f"/admin/users?department={org.depts['总经办']}&q=v0").get_data(as_text=True)
    assert len(usernames(everyone)) == 9, "sub-departments are included"


def usernames(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-username="')[1:]]


def test_creating_a_user_with_a_bad_field_shows_the_message_and_creates_nothing(org, client):
    token = signed_in(client, "admin")
    before = org_pages.search_users(org.db, org["admin"])[1]
    r = client.post("/admin/users/new", data={"csrf_token": token, "username": "wang wu", "display_name": "王五",
                                              "password": "short", "department": str(org.depts["销售部"]),
                                              "supervisor": "sales_lead", "roles": ["hr"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="err-username"' in html and 'id="err-password"' in html
    assert "至少 8 个字符" in html.split('id="err-password"', 1)[1].split("</small>", 1)[0]
    assert 'value="王五"' in html, "what was typed is kept"
    assert org_pages.search_users(org.db, org["admin"])[1] == before


def test_creating_a_user_then_changing_and_deactivating_them(org, client):
    token = signed_in(client, "admin")
    r = client.post("/admin/users/new", data={"csrf_token": token, "username": "wangwu", "display_name": "王五",
                                              "password": "good-pass-9", "department": str(org.depts["销售部"]),
                                              "supervisor": "sales_lead", "roles": ["hr"]})
    assert r.status_code == 302
    found, total = org_pages.search_users(org.db, org["admin"], q="wangwu")
    assert total == 1
    user = found[0]
    assert (user["department_name"], user["supervisor"], user["roles"]) == ("销售部", "sales_lead", ["hr"])
    # a duplicate user name is refused at the field
    r = client.post("/admin/users/new", data={"csrf_token": token, "username": "wangwu", "display_name": "x",
                                              "password": "good-pass-9"})
    assert r.status_code == 422 and 'id="err-username"' in r.get_data(as_text=True)

    other = client.application.test_client()
    assert page_login(other, "wangwu", "good-pass-9").status_code == 302

    # a supervisor cycle is refused and nothing changes
    r = client.post(f"/admin/users/{org['sales_lead']}", data={
        "csrf_token": token, "display_name": "周组长", "department": str(org.depts["销售部"]),
        "supervisor": "wangwu", "active": "on"})
    assert r.status_code == 422 and 'id="err-supervisor"' in r.get_data(as_text=True)
    assert org_pages.get_user(org.db, org["admin"], org["sales_lead"])["supervisor"] == "sales_head"

    # deactivate (the box unticked) and reset the password
    r = client.post(f"/admin/users/{user['id']}", data={
        "csrf_token": token, "display_name": "王五", "department": str(org.depts["销售部"]),
        "supervisor": "sales_lead", "roles": ["hr"], "password": "new-pass-77"})
    assert r.status_code == 302
    assert org_pages.get_user(org.db, org["admin"], user["id"])["active"] is False
    third = client.application.test_client()
    assert page_login(third, "wangwu", "new-pass-77").status_code == 401, "a deactivated user cannot log in"
    assert other.get("/").status_code == 302, "their open session ends too"


def test_an_admin_cannot_deactivate_themselves(org, client):
    token = signed_in(client, "admin")
    r = client.post(f"/admin/users/{org['admin']}", data={"csrf_token": token, "display_name": "系统管理员",
                                                          "roles": ["admin", "process_admin"]})
    assert r.status_code == 422 and 'id="err-active"' in r.get_data(as_text=True)
    assert org_pages.get_user(org.db, org["admin"], org["admin"])["active"] is True


def test_departments_are_created_and_edited_with_errors_at_the_fields(org, client):
    token = signed_in(client, "admin")
    r = client.post("/admin/departments", data={"csrf_token": token, "name": "销售部"})
    assert r.status_code == 422 and "field-error" in r.get_data(as_text=True)
    r = client.post("/admin/departments", data={"csrf_token": token, "name": "华东销售",
                                                "parent": str(org.depts["销售部"]), "head": "sales_lead"})
    assert r.status_code == 302
    tree = org_pages.department_tree(org.db, org["admin"])
    east = next(d for d in tree if d["name"] == "华东销售")
    assert (east["depth"], east["parent_name"], east["head"]) == (2, "销售部", "sales_lead")
    # its own descendant as parent: refused
    r = client.post(f"/admin/departments/{org.depts['销售部']}", data={
        "csrf_token": token, "name": "销售部", "parent": str(east["id"]), "head": "sales_head"})
    assert r.status_code == 422
    assert org_pages.get_department(org.db, org["admin"], org.depts["销售部"])["parent"] == org.depts["总经办"]
    html = client.get("/admin/departments").get_data(as_text=True)
    assert html.index("总经办") < html.index("销售部") < html.index("华东销售")


def test_roles_are_listed_and_created(org, client):
    token = signed_in(client, "admin")
    r = client.post("/admin/roles", data={"csrf_token": token, "key": "Bad Key", "name": ""})
    assert r.status_code == 422
    assert {r["key"] for r in directory.list_roles(org.db, org["admin"])} >= {"hr", "voter"}
    assert "service_manager" not in {r["key"] for r in directory.list_roles(org.db, org["admin"])}
    r = client.post("/admin/roles", data={"csrf_token": token, "key": "service_manager", "name": "客服经理"})
    assert r.status_code == 302
    html = client.get("/admin/roles").get_data(as_text=True)
    assert "客服经理" in html and "service_manager" in html
