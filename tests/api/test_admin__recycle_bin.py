"""The recycle bin (回收站): a deleted customer leaves lists and search at once and waits in the bin
with its contacts; the salesperson who owns it cannot restore it, their supervisor and admins can
(with its id, number and contacts), a colleague does not see the entry; a number taken meanwhile is
a 409; the tick purges entries older than the configured days."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from crm.admin import recycle
from db.base import utcnow
from tests.api.conftest import API, assert_error, login
from tests.org import Org


@pytest.fixture
def client(any_org: Org, app_for: Any) -> Any:
    """On SQLite and PostgreSQL: a restore that fails on a unique number must roll back cleanly on both."""
    return app_for(any_org.db, SECRET_KEY="test", TESTING=True).test_client()


def _customer_with_contact(client):
    h = login(client, "clerk")
    c = client.post(f"{API}/customers", json={"name": "华北测绘院", "code": "KH-7"}, headers=h).get_json()
    r = client.post(f"{API}/customers/{c['id']}/contacts", json={"name": "刘工"}, headers=h)
    assert r.status_code == 201
    # a later customer, so that SQLite does not hand the deleted customer's id to the next one
    client.post(f"{API}/customers", json={"name": "后来的客户"}, headers=h)
    assert client.delete(f"{API}/customers/{c['id']}", headers=h).status_code == 204
    return c


def test_a_deleted_customer_waits_in_the_bin_and_its_supervisor_restores_it(client):
    c = _customer_with_contact(client)
    h = login(client, "clerk")
    assert_error(client.get(f"{API}/customers/{c['id']}", headers=h), 404)
    assert client.get(f"{API}/search", query_string={"q": "华北测绘院"},
                      headers=login(client, "admin")).get_json()["total"] == 0
    # the owner sees nothing to restore and may not restore it
    assert client.get(f"{API}/recycle-bin", headers=h).get_json()["total"] == 0
    lead = login(client, "sales_lead")
    items = client.get(f"{API}/recycle-bin", headers=lead).get_json()["items"]
    assert [(i["kind"], i["record_id"], i["owner"], i["deleted_by"]) for i in items] == [
        ("customer", c["id"], "clerk", "clerk")]
    entry = items[0]["id"]
    assert_error(client.post(f"{API}/recycle-bin/{entry}/restore", headers=h), 403)
    assert_error(client.post(f"{API}/recycle-bin/{entry}/restore", headers=login(client, "outsider")), 404)
    r = client.post(f"{API}/recycle-bin/{entry}/restore", headers=lead)
    assert r.status_code == 200 and r.get_json()["id"] == c["id"]
    back = client.get(f"{API}/customers/{c['id']}", headers=h).get_json()
    assert (back["code"], back["name"], back["owner"]) == ("KH-7", "华北测绘院", "clerk")
    contacts = client.get(f"{API}/customers/{c['id']}/contacts", headers=h).get_json()["items"]
    assert [x["name"] for x in contacts] == ["刘工"]
    assert client.get(f"{API}/search", query_string={"q": "华北测绘院"},
                      headers=login(client, "admin")).get_json()["total"] == 1
    assert client.get(f"{API}/recycle-bin", headers=lead).get_json()["total"] == 0
    log = client.get(f"{API}/admin-log", query_string={"type": "record"}, headers=login(client, "admin")).get_json()
    assert [(e["action"], e["actor"]) for e in log["items"]] == [("record.restore", "sales_lead"),
                                                                  ("record.delete", "clerk")]


def test_a_number_taken_meanwhile_is_a_conflict(client):
    c = _customer_with_contact(client)
    h = login(client, "clerk")
    other = client.post(f"{API}/customers", json={"name": "另一家", "code": "KH-7"}, headers=h).get_json()
    assert other["id"] != c["id"]
    entry = client.get(f"{API}/recycle-bin", headers=login(client, "admin")).get_json()["items"][0]["id"]
    err = assert_error(client.post(f"{API}/recycle-bin/{entry}/restore", headers=login(client, "admin")), 409)
    assert set(err["fields"]) == {"record"}
    assert client.get(f"{API}/recycle-bin", headers=login(client, "admin")).get_json()["total"] == 1
    assert_error(client.get(f"{API}/customers/{c['id']}", headers=h), 404)


def test_old_entries_are_purged(client, any_org):
    _customer_with_contact(client)
    assert recycle.purge(any_org.db, days=30) == 0
    assert recycle.purge(any_org.db, days=30, now=utcnow() + timedelta(days=31)) == 1
    assert client.get(f"{API}/recycle-bin", headers=login(client, "admin")).get_json()["total"] == 0
