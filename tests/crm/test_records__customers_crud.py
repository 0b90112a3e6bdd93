"""Customers and contacts through the services: created_by/at, numbering, validation changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import Conflict, NotFound, ValidationFailed
from crm import records as rs
from crm.records import Customer


def _count(db) -> int:
    with db.uow() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def test_create_sets_who_and_when_and_a_code(org):
    c = rs.create(org.db, org["clerk"], "customer", {"name": "华北测绘院", "email": "info@hb.cn",
                                                     "custom": {"规模": "200人"}})
    assert c["created_by"] == "clerk" and c["created_at"] and c["owner"] == "clerk"
    assert c["code"].startswith("KH") and len(c["code"]) == 11
    assert c["vip"] is False and c["custom"] == {"规模": "200人"} and c["service_auth_no"] is None
    again = rs.create(org.db, org["clerk"], "customer", {"name": "二号"})
    assert int(again["code"][-5:]) == int(c["code"][-5:]) + 1
    assert rs.get(org.db, org["clerk"], "customer", c["id"]) == c


def test_validation_names_each_field_and_changes_nothing(org):
    bad = {"name": "", "email": "not-mail", "industry": "09", "area_code": "12",
           "postcode": "x" * 11, "owner": "nobody", "custom": [1]}
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk"], "customer", bad)
    assert set(e.value.fields) == {"name", "email", "industry", "area_code", "postcode", "owner", "custom"}
    assert e.value.fields["name"] == "required"
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk"], "customer", {"name": "x", "colour": "red", "service_auth_no": "1"})
    assert e.value.fields["service_auth_no"] == "read-only field" and "unknown" in e.value.fields["colour"]
    assert _count(org.db) == 0


def test_update_and_delete(org):
    c = rs.create(org.db, org["clerk"], "customer", {"name": "甲", "phone": "010-1234567"})
    u = rs.update(org.db, org["clerk"], "customer", c["id"], {"stage": "签约", "phone": None})
    assert u["stage"] == "签约" and u["phone"] is None and u["name"] == "甲"
    with pytest.raises(ValidationFailed) as e:
        rs.update(org.db, org["clerk"], "customer", c["id"], {"name": "乙", "email": "bad"})
    assert set(e.value.fields) == {"email"}
    assert rs.get(org.db, org["clerk"], "customer", c["id"])["name"] == "甲"
    rs.delete(org.db, org["clerk"], "customer", c["id"])
    with pytest.raises(NotFound):
        rs.get(org.db, org["clerk"], "customer", c["id"])


def test_duplicate_code_is_a_conflict(org):
    rs.create(org.db, org["clerk"], "customer", {"name": "甲", "code": "C-001"})
    with pytest.raises(Conflict) as e:
        rs.create(org.db, org["clerk"], "customer", {"name": "乙", "code": "C-001"})
    assert e.value.fields == {"code": "already exists"}


def test_customer_with_contracts_cannot_be_deleted(org):
    c = rs.create(org.db, org["clerk"], "customer", {"name": "甲"})
    rs.create(org.db, org["clerk"], "contract", {"customer": c["id"], "title": "框架合同", "amount": "1000.5"})
    with pytest.raises(Conflict):
        rs.delete(org.db, org["clerk"], "customer", c["id"])


def test_contacts_belong_to_a_customer(org):
    c = rs.create(org.db, org["clerk"], "customer", {"name": "甲"})
    ct = rs.create(org.db, org["clerk"], "contact", {"name": "王经理", "gender": "male", "birthday": "1980-02-29",
                                                     "email": "w@x.cn"}, customer_id=c["id"])
    assert ct["customer"] == c["id"] and ct["birthday"] == "1980-02-29" and ct["created_by"] == "clerk"
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk"], "contact", {"name": "李", "birthday": "1980-02-30", "gender": "x"},
                  customer_id=c["id"])
    assert set(e.value.fields) == {"birthday", "gender"}
    items, total = rs.list_records(org.db, org["clerk"], "contact", {}, customer_id=c["id"])
    assert total == 1 and items[0]["name"] == "王经理"
    rs.delete(org.db, org["clerk"], "customer", c["id"])  # contacts go with their customer
    assert rs.list_records(org.db, org["admin"], "contact")[1] == 0


def test_contract_rules(org):
    c = rs.create(org.db, org["clerk"], "customer", {"name": "甲"})
    k = rs.create(org.db, org["clerk"], "contract", {"customer": c["id"], "title": "服务合同", "amount": 12345.6,
                                                     "start_date": "2026-01-01", "end_date": "2026-12-31"})
    assert k["amount"] == "12345.60" and k["status"] == "draft" and k["number"].startswith("HT")
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["admin"], "contract", {"customer": 999, "title": "x", "amount": "1.234",
                                                     "status": "done", "start_date": "2026-02-01",
                                                     "end_date": "2026-01-01"})
    assert set(e.value.fields) == {"customer", "amount", "status", "end_date"}
    with pytest.raises(ValidationFailed) as e:  # the status follows the countersign process
        rs.update(org.db, org["clerk"], "contract", k["id"], {"status": "signed"})
    assert "process" in e.value.fields["status"]
    assert rs.update(org.db, org["admin"], "contract", k["id"], {"status": "rejected"})["status"] == "rejected"
    with org.db.uow(write=True) as s:
        assert rs.set_status(s, "contract", k["id"], "under_review")["status"] == "under_review"
        with pytest.raises(ValidationFailed):
            rs.set_status(s, "contract", k["id"], "done")
    assert rs.get(org.db, org["clerk"], "contract", k["id"])["status"] == "under_review"
