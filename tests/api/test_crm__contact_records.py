"""Contact / visit records (联系记录) over HTTP: nested under the customer, with the customer's data
permissions (own / subordinates / all; a colleague gets 404), 422 naming the field, nothing
changed on a refusal."""
from __future__ import annotations

from tests.api.conftest import API, assert_error, login


def _customer(client, user, name="华北测绘院"):
    r = client.post(f"{API}/customers", json={"name": name}, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _contact(client, user, customer, name="王经理"):
    r = client.post(f"{API}/customers/{customer}/contacts", json={"name": name}, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _records(client, user, customer):
    r = client.get(f"{API}/customers/{customer}/contact-records", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_create_list_change_delete(client):
    c = _customer(client, "clerk")
    p = _contact(client, "clerk", c)
    h = login(client, "clerk")
    r = client.post(f"{API}/customers/{c}/contact-records", headers=h, json={
        "date": "2026-11-20", "way": "上门拜访", "contact": p, "content": "介绍新版本，客户有意向。",
        "next_step": "发送报价单", "next_date": "2026-11-27"})
    assert r.status_code == 201, r.get_json()
    rec = r.get_json()
    assert rec["customer"] == c and rec["contact"] == p and rec["contact_name"] == "王经理"
    assert rec["created_by"] == "clerk" and rec["way"] == "上门拜访" and rec["next_date"] == "2026-11-27"
    body = _records(client, "clerk", c)
    assert body["total"] == 1 and body["items"][0]["id"] == rec["id"]
    # filters and search as on every list
    assert client.get(f"{API}/customers/{c}/contact-records", query_string={"way": "电话"},
                      headers=h).get_json()["total"] == 0
    assert client.get(f"{API}/customers/{c}/contact-records", query_string={"q": "报价"},
                      headers=h).get_json()["total"] == 1
    r = client.patch(f"{API}/contact-records/{rec['id']}", json={"way": "电话"}, headers=h)
    assert r.status_code == 200 and r.get_json()["way"] == "电话"
    assert client.get(f"{API}/contact-records/{rec['id']}", headers=h).get_json()["way"] == "电话"
    assert client.delete(f"{API}/contact-records/{rec['id']}", headers=h).status_code == 204
    assert _records(client, "clerk", c)["total"] == 0


def test_reach_own_subordinates_all_and_404_for_a_colleague(client):
    c = _customer(client, "clerk")
    r = client.post(f"{API}/customers/{c}/contact-records", headers=login(client, "clerk"),
                    json={"date": "2026-11-20", "way": "电话", "content": "首次电话联系"})
    rec = r.get_json()["id"]
    # the supervisor chain (sales_lead, sales_head) and admins see and add records
    for user in ("sales_lead", "sales_head", "admin"):
        assert _records(client, user, c)["total"] >= 1
        assert client.get(f"{API}/contact-records/{rec}", headers=login(client, user)).status_code == 200
    r = client.post(f"{API}/customers/{c}/contact-records", headers=login(client, "sales_lead"),
                    json={"date": "2026-11-21", "way": "会议", "content": "主管陪同拜访"})
    assert r.status_code == 201 and r.get_json()["created_by"] == "sales_lead"
    # a colleague at the same level, or outside the sales line: the customer and its records do not exist
    for user in ("clerk2", "outsider"):
        h = login(client, user)
        assert_error(client.get(f"{API}/customers/{c}/contact-records", headers=h), 404)
        assert_error(client.post(f"{API}/customers/{c}/contact-records", headers=h,
                                 json={"date": "2026-11-20", "way": "电话", "content": "x"}), 404)
        assert_error(client.get(f"{API}/contact-records/{rec}", headers=h), 404)
        assert_error(client.patch(f"{API}/contact-records/{rec}", json={"content": "改"}, headers=h), 404)
        assert_error(client.delete(f"{API}/contact-records/{rec}", headers=h), 404)
        # and the list of all contact records holds none of them
    assert _records(client, "clerk", c)["total"] == 2
    assert client.get(f"{API}/contact-records/{rec}", headers=login(client, "clerk")).get_json()["content"] == "首次电话联系"


def test_bad_input_is_422_naming_the_field_and_nothing_is_saved(client):
    c = _customer(client, "clerk")
    other = _customer(client, "clerk", "另一家")
    foreign_contact = _contact(client, "clerk", other, "李工")
    h = login(client, "clerk")
    err = assert_error(client.post(f"{API}/customers/{c}/contact-records", headers=h, json={}), 422)
    assert set(err["fields"]) == {"date", "way", "content"}
    err = assert_error(client.post(f"{API}/customers/{c}/contact-records", headers=h, json={
        "date": "2026-13-01", "way": "飞鸽传书", "content": "x"}), 422)
    assert set(err["fields"]) == {"date", "way"}
    err = assert_error(client.post(f"{API}/customers/{c}/contact-records", headers=h, json={
        "date": "2026-11-20", "way": "电话", "content": "x", "contact": foreign_contact}), 422)
    assert set(err["fields"]) == {"contact"}
    err = assert_error(client.post(f"{API}/customers/{c}/contact-records", headers=h, json={
        "date": "2026-11-20", "way": "电话", "content": "x", "customer": other}), 422)
    assert set(err["fields"]) == {"customer"}
    err = assert_error(client.post(f"{API}/customers/{c}/contact-records", headers=h, json={
        "date": "2026-11-20", "way": "电话", "content": "x", "bogus": 1}), 422)
    assert "bogus" in err["fields"]
    assert _records(client, "clerk", c)["total"] == 0
    # there is no un-nested create or list
    assert client.post(f"{API}/contact-records", headers=h, json={}).status_code in (404, 405)
