"""Customers and contacts over HTTP: CRUD, 422/404/403 in the error format, search, paging, reassignment."""
from __future__ import annotations

from tests.api.conftest import API, assert_error, login


def _create(client, user, **body):
    r = client.post(f"{API}/customers", json=body, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_crud(client):
    h = login(client, "clerk")
    c = _create(client, "clerk", name="华北测绘院", email="a@b.cn", area_code="0531", industry="01",
                custom={"规模": "大"})
    assert c["created_by"] == "clerk" and c["owner"] == "clerk" and len(c["service_auth_no"]) == 12
    r = client.patch(f"{API}/customers/{c['id']}", json={"level": "战略客户"}, headers=h)
    assert r.status_code == 200 and r.get_json()["level"] == "战略客户" and r.get_json()["vip"] is False
    # VIP status is given by the VIP customer entry process (its supervisor approval), not by editing
    assert_error(client.patch(f"{API}/customers/{c['id']}", json={"vip": True}, headers=h), 422)
    assert client.get(f"{API}/customers/{c['id']}", headers=h).get_json()["level"] == "战略客户"
    assert client.delete(f"{API}/customers/{c['id']}", headers=h).status_code == 204
    assert_error(client.get(f"{API}/customers/{c['id']}", headers=h), 404, "not_found")


def test_validation_is_422_with_fields(client):
    h = login(client, "clerk")
    err = assert_error(client.post(f"{API}/customers", json={"email": "x", "bogus": 1}, headers=h), 422,
                       "validation_failed")
    assert "bogus" in err["fields"]
    err = assert_error(client.post(f"{API}/customers", json={"email": "x", "phone": 1}, headers=h), 422)
    assert set(err["fields"]) == {"name", "email", "phone"}
    assert client.get(f"{API}/customers", headers=h).get_json()["total"] == 0
    assert_error(client.post(f"{API}/customers", data="[]", content_type="application/json", headers=h), 400)
    assert_error(client.get(f"{API}/customers"), 401)


def test_search_filter_and_pages(client):
    for i in range(5):
        _create(client, "clerk", name=f"客户{i}", level="战略客户" if i % 2 else "重点客户")
    _create(client, "clerk2", name="别人的客户", level="战略客户")
    h = login(client, "clerk")
    body = client.get(f"{API}/customers", query_string={"level": "战略客户", "owner": "clerk"}, headers=h).get_json()
    assert body["total"] == 2 and {c["name"] for c in body["items"]} == {"客户1", "客户3"}
    body = client.get(f"{API}/customers", query_string={"q": "客户", "per_page": 2, "page": 2}, headers=h).get_json()
    assert body["total"] == 5 and body["page"] == 2 and [c["name"] for c in body["items"]] == ["客户2", "客户1"]
    lead = client.get(f"{API}/customers", query_string={"level": "战略客户"}, headers=login(client, "sales_lead"))
    assert lead.get_json()["total"] == 3
    err = assert_error(client.get(f"{API}/customers", query_string={"stage2": "x"}, headers=h), 422)
    assert "stage2" in err["fields"]
    assert_error(client.get(f"{API}/customers", query_string={"per_page": 0}, headers=h), 400)


def test_permissions_404_for_strangers_403_for_owner_reassigning(client):
    c = _create(client, "clerk", name="张三的客户")
    for user in ("clerk2", "outsider"):
        h = login(client, user)
        assert_error(client.get(f"{API}/customers/{c['id']}", headers=h), 404)
        assert_error(client.patch(f"{API}/customers/{c['id']}", json={"level": "战略客户"}, headers=h), 404)
        assert client.get(f"{API}/customers", headers=h).get_json()["total"] == 0
    assert client.get(f"{API}/customers/{c['id']}", headers=login(client, "sales_head")).status_code == 200
    r = client.post(f"{API}/customers/{c['id']}/reassign", json={"owner": "clerk2"}, headers=login(client, "clerk"))
    assert_error(r, 403, "forbidden")
    r = client.post(f"{API}/customers/{c['id']}/reassign", json={"owner": "clerk2", "reason": "调岗"},
                    headers=login(client, "sales_lead"))
    assert r.status_code == 200 and r.get_json()["owner"] == "clerk2"
    hist = client.get(f"{API}/customers/{c['id']}/owner-history", headers=login(client, "clerk2")).get_json()
    assert [(x["from"], x["to"], x["by"]) for x in hist["items"]] == [(None, "clerk", "clerk"),
                                                                       ("clerk", "clerk2", "sales_lead")]
    assert_error(client.get(f"{API}/customers/{c['id']}", headers=login(client, "clerk")), 404)


def test_nested_contacts(client):
    c = _create(client, "clerk", name="甲")
    h = login(client, "clerk")
    r = client.post(f"{API}/customers/{c['id']}/contacts", json={"name": "王经理", "mobile": "13800000000",
                                                                 "birthday": "1985-06-01"}, headers=h)
    assert r.status_code == 201
    contact = r.get_json()
    assert contact["customer"] == c["id"] and contact["created_by"] == "clerk"
    listed = client.get(f"{API}/customers/{c['id']}/contacts", headers=h).get_json()
    assert listed["total"] == 1 and listed["items"][0]["name"] == "王经理"
    r = client.patch(f"{API}/contacts/{contact['id']}", json={"title": "总工"}, headers=h)
    assert r.get_json()["title"] == "总工"
    err = assert_error(client.patch(f"{API}/contacts/{contact['id']}", json={"birthday": "1985-13-01"}, headers=h),
                       422)
    assert set(err["fields"]) == {"birthday"}
    assert_error(client.get(f"{API}/contacts/{contact['id']}", headers=login(client, "clerk2")), 404)
    assert_error(client.get(f"{API}/customers/{c['id']}/contacts", headers=login(client, "clerk2")), 404)
    assert client.delete(f"{API}/contacts/{contact['id']}", headers=h).status_code == 204
