"""The data dictionary (数据字典): admins add entries and rename them; the code records store never
changes, so a renamed level still matches its customers; unknown and retired codes are refused
with 422 naming the field; a customer holding a retired code can still be saved unchanged; forms'
pickers offer the list in the reader's language."""
from __future__ import annotations

from crm import pickers
from crm.admin import options
from tests.api.conftest import API, assert_error, login


def _customer(client, user, **payload):
    r = client.post(f"{API}/customers", json={"name": "华北测绘院", **payload}, headers=login(client, user))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_lists_start_with_the_shipped_entries_and_everyone_reads_them(client):
    r = client.get(f"{API}/options", headers=login(client, "clerk"))
    assert r.status_code == 200
    lists = {x["category"]: x for x in r.get_json()["items"]}
    assert set(lists) == {"customer_level", "customer_type", "customer_status", "customer_stage", "area_code",
                          "industry", "ticket_category", "expense_category", "care_task"}
    # the reminder kinds that open a care task (crm/care.py): shipped, none is switched on
    assert [(e["code"], e["active"]) for e in lists["care_task"]["entries"]] == [
        ("birthday", False), ("first_visit", False), ("next_contact", False)]
    levels = lists["customer_level"]["entries"]
    assert [(e["code"], e["label_en"]) for e in levels] == [("战略客户", "Strategic"), ("重点客户", "Key"),
                                                            ("普通客户", "Regular")]
    assert client.get(f"{API}/options/industry", headers=login(client, "clerk")).get_json()["total"] == 5
    assert_error(client.get(f"{API}/options/nope", headers=login(client, "clerk")), 404)


def test_only_admins_change_the_dictionary_and_bad_entries_name_the_field(client):
    put = f"{API}/options/customer_level/金牌客户"
    assert_error(client.put(put, json={"label_zh": "金牌客户", "label_en": "Gold"}, headers=login(client, "clerk")),
                 403)
    err = assert_error(client.put(put, json={"label_zh": " ", "colour": "gold"}, headers=login(client, "admin")), 422)
    assert set(err["fields"]) == {"label_zh", "label_en", "colour"}
    err = assert_error(client.put(f"{API}/options/area_code/12", json={"label_zh": "x", "label_en": "x"},
                                  headers=login(client, "admin")), 422)
    assert set(err["fields"]) == {"code"}
    # nothing was written by the refused calls: still the shipped three
    assert client.get(f"{API}/options/customer_level", headers=login(client, "clerk")).get_json()["total"] == 3


def test_a_new_entry_is_accepted_and_a_renamed_one_keeps_its_customers(client):
    admin = login(client, "admin")
    err = assert_error(client.post(f"{API}/customers", json={"name": "x", "level": "金牌客户"},
                                   headers=login(client, "clerk")), 422)
    assert set(err["fields"]) == {"level"}
    r = client.put(f"{API}/options/customer_level/金牌客户", json={"label_zh": "金牌客户", "label_en": "Gold"},
                   headers=admin)
    assert r.status_code == 200 and r.get_json()["position"] == 3
    gold = _customer(client, "clerk", level="金牌客户")
    key = _customer(client, "clerk", name="重点一号", level="重点客户")
    # rename 重点客户: the code stays, the customer still filters under it
    r = client.put(f"{API}/options/customer_level/重点客户", json={"label_zh": "核心客户", "label_en": "Core"},
                   headers=admin)
    assert r.get_json() == {"code": "重点客户", "label_zh": "核心客户", "label_en": "Core", "position": 1,
                            "active": True}
    found = client.get(f"{API}/customers", query_string={"level": "重点客户"}, headers=login(client, "clerk"))
    assert [c["id"] for c in found.get_json()["items"]] == [key["id"]]
    assert gold["level"] == "金牌客户"


def test_a_retired_code_is_refused_for_new_values_but_kept_on_records_that_hold_it(client):
    admin = login(client, "admin")
    c = _customer(client, "clerk", level="普通客户", area_code="0531", industry="03")
    r = client.put(f"{API}/options/customer_level/普通客户", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.get_json()["active"] is False
    h = login(client, "clerk")
    err = assert_error(client.post(f"{API}/customers", json={"name": "y", "level": "普通客户"}, headers=h), 422)
    assert set(err["fields"]) == {"level"}
    # the customer holding it is saved with it unchanged, and other changes go through
    r = client.patch(f"{API}/customers/{c['id']}", json={"level": "普通客户", "phone": "010-1234567"}, headers=h)
    assert r.status_code == 200 and r.get_json()["level"] == "普通客户"
    # filtering by the retired code still finds it
    found = client.get(f"{API}/customers", query_string={"level": "普通客户"}, headers=h).get_json()
    assert [x["id"] for x in found["items"]] == [c["id"]]
    err = assert_error(client.get(f"{API}/customers", query_string={"level": "不存在"}, headers=h), 422)
    assert set(err["fields"]) == {"level"}


def test_ticket_and_expense_categories_follow_the_dictionary(client):
    h = login(client, "clerk")
    err = assert_error(client.post(f"{API}/tickets", json={"complainant": "刘", "content": "x", "category": "billing"},
                                   headers=h), 422)
    assert set(err["fields"]) == {"category"}
    client.put(f"{API}/options/ticket_category/billing", json={"label_zh": "账单", "label_en": "Billing"},
               headers=login(client, "admin"))
    r = client.post(f"{API}/tickets", json={"complainant": "刘", "content": "x", "category": "billing"}, headers=h)
    assert r.status_code == 201, r.get_json()
    client.put(f"{API}/options/expense_category/meals", json={"active": False}, headers=login(client, "admin"))
    err = assert_error(client.post(f"{API}/expense-claims", json={"title": "t", "lines": [
        {"date": "2026-11-02", "category": "meals", "amount": "10"}]}, headers=h), 422)
    assert set(err["fields"]) == {"lines.0.category"}


def test_pickers_offer_the_lists_in_the_readers_language(client):
    h = login(client, "clerk")
    client.put(f"{API}/options/ticket_category/service", json={"active": False}, headers=login(client, "admin"))
    zh = client.get(f"{API}/pickers/ticket_categories", headers=h).get_json()["items"]
    assert {"value": "product", "label": "产品投诉"} in zh and all(o["value"] != "service" for o in zh)
    client.patch(f"{API}/me/settings", json={"language": "en"}, headers=h)
    en = client.get(f"{API}/pickers/customer_levels", headers=h).get_json()["items"]
    assert en[0] == {"value": "战略客户", "label": "Strategic"}


def test_a_read_only_dictionary_field_shows_its_label_even_when_retired(org):
    options.save_entry(org.db, org["admin"], "ticket_category", "service", {"active": False})
    with org.db.uow() as s:
        shown = pickers.form_options(s, org["clerk"], [("ticket_categories", "category")], {"category": "service"},
                                     [], lambda kind, value, data: str(value))
    assert shown == {"ticket_categories": [{"value": "service", "label": "服务投诉"}]}
