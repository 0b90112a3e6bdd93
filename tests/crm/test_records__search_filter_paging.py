"""Keyword search across text fields, exact filters by any field, paging with totals."""
from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from crm import records as rs

EMAIL = {"战略客户": "a", "重点客户": "b", "普通客户": "c"}


@pytest.fixture
def customers(any_org):
    org = any_org
    rows = [("山东测绘院", "济南", "战略客户", True, "clerk"), ("济南国土局", "济南", "重点客户", False, "clerk"),
            ("青岛电信", "青岛", "战略客户", False, "clerk2"), ("烟台港务", "烟台", "普通客户", True, "clerk2"),
            ("100%_test", "淄博", "普通客户", False, "clerk")]
    for name, region, level, vip, owner in rows:
        # vip is process-owned (the VIP entry process); an admin may correct it
        rs.create(org.db, org["admin"], "customer", {"name": name, "region": region, "level": level,
                                                     "vip": vip, "owner": owner, "email": f"{EMAIL[level]}@x.cn"})
    return org


def _names(org, user="admin", **query):
    items, total = rs.list_records(org.db, org[user], "customer", query)
    assert total == len(items)
    return {c["name"] for c in items}


def test_keyword_searches_text_fields(customers):
    assert _names(customers, q="济南") == {"山东测绘院", "济南国土局"}  # region, name
    assert _names(customers, q="a@X.CN") == {"山东测绘院", "青岛电信"}  # email, case-insensitive
    assert _names(customers, q="100%") == {"100%_test"}  # wildcards are literal
    assert _names(customers, q="_") == {"100%_test"}
    assert _names(customers, q="没有") == set()


def test_exact_filters_by_any_field(customers):
    assert _names(customers, level="战略客户") == {"山东测绘院", "青岛电信"}
    assert _names(customers, vip="true", owner="clerk2") == {"烟台港务"}
    assert _names(customers, owner="clerk", q="济南", level="重点客户") == {"济南国土局"}
    assert _names(customers, created_by="admin") == _names(customers)
    assert _names(customers, "clerk", owner="clerk2") == set()  # filters never widen the permissions


def test_bad_filters_name_the_field(customers):
    with pytest.raises(ValidationFailed) as e:
        rs.list_records(customers.db, customers["admin"], "customer",
                        {"colour": "red", "vip": "maybe", "owner": "nobody", "custom": "x", "q": "x" * 101})
    assert set(e.value.fields) == {"colour", "vip", "owner", "custom", "q"}


def test_paging_newest_first_with_total(customers):
    page1, total = rs.list_records(customers.db, customers["admin"], "customer", {}, 0, 2)
    page3, _ = rs.list_records(customers.db, customers["admin"], "customer", {}, 4, 2)
    assert total == 5 and [c["name"] for c in page1] == ["100%_test", "烟台港务"]
    assert [c["name"] for c in page3] == ["山东测绘院"]
    _, total = rs.list_records(customers.db, customers["sales_lead"], "customer", {"level": "普通客户"}, 0, 1)
    assert total == 2
