"""客户级别 / 客户类型 / 客户状态 / 客户阶段 take only their listed values (crm.records
CUSTOMER_LEVELS / _TYPES / _STATUSES / _STAGES): anything else is refused with 422 naming the
field, on create and on update, and nothing changes. The demo data uses the listed values."""
from __future__ import annotations

from crm import records as rs
from demo.records import build_dataset
from tests.api.conftest import API, assert_error, login

CHOICES = {"level": rs.CUSTOMER_LEVELS, "type": rs.CUSTOMER_TYPES, "status": rs.CUSTOMER_STATUSES,
           "stage": rs.CUSTOMER_STAGES}
BAD = {"level": "A", "type": "大客户", "status": "正常", "stage": "已成交"}


def customers(client):
    return client.get(f"{API}/customers", headers=login(client, "admin")).get_json()["total"]


def test_every_listed_value_is_accepted(client):
    h = login(client, "clerk")
    r = client.post(f"{API}/customers", json={"name": "华北测绘院"}, headers=h)
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    for field, values in CHOICES.items():
        assert len(values) >= 3
        for value in values:
            r = client.patch(f"{API}/customers/{cid}", json={field: value}, headers=h)
            assert r.status_code == 200, r.get_json()
            assert r.get_json()[field] == value
    r = client.post(f"{API}/customers", headers=h, json={"name": "青岛电信", **{f: v[0] for f, v in CHOICES.items()}})
    assert r.status_code == 201, r.get_json()


def test_other_values_are_refused_on_create_naming_each_field(client):
    before = customers(client)
    err = assert_error(client.post(f"{API}/customers", json={"name": "华北测绘院", **BAD},
                                   headers=login(client, "clerk")), 422, "validation_failed")
    assert set(err["fields"]) == set(BAD)
    assert "战略客户" in err["fields"]["level"], "the message lists the allowed values"
    assert customers(client) == before


def test_other_values_are_refused_on_update_and_nothing_changes(client):
    h = login(client, "clerk")
    c = client.post(f"{API}/customers", json={"name": "华北测绘院", "level": "重点客户"}, headers=h).get_json()
    for field, value in BAD.items():
        err = assert_error(client.patch(f"{API}/customers/{c['id']}", json={field: value, "remark": "x"}, headers=h),
                           422)
        assert set(err["fields"]) == {field}
    after = client.get(f"{API}/customers/{c['id']}", headers=h).get_json()
    assert (after["level"], after["type"], after["remark"]) == ("重点客户", None, None)
    # clearing a value is allowed
    r = client.patch(f"{API}/customers/{c['id']}", json={"level": None}, headers=h)
    assert r.status_code == 200 and r.get_json()["level"] is None


def test_filtering_on_a_value_that_cannot_exist_is_422(client):
    err = assert_error(client.get(f"{API}/customers", query_string={"stage": "已成交"}, headers=login(client, "clerk")),
                       422)
    assert set(err["fields"]) == {"stage"}


def test_the_demo_customers_use_the_listed_values():
    data = build_dataset()
    seen: dict[str, set[str]] = {f: set() for f in CHOICES}
    for spec in data.customers:
        for field, values in CHOICES.items():
            assert spec.payload[field] in values, (spec.payload["name"], field, spec.payload[field])
            seen[field].add(spec.payload[field])
    assert all(len(v) >= 2 for v in seen.values()), seen
