"""服务授权编号 YY AAAA II NNNN: format, a sequence per (year, area, industry), distinct under concurrency."""
from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest

from core.errors import Conflict, ValidationFailed
from crm import numbering
from crm import records as rs
from crm.records import NumberSequence
from db.base import utcnow

AT_2026 = datetime(2026, 3, 1, tzinfo=UTC)
AT_2027 = datetime(2027, 1, 2, tzinfo=UTC)


def _issue(db, area, industry, at=AT_2026):
    with db.uow(write=True) as s:
        return numbering.service_auth_no(s, area, industry, at)


def test_format_and_sequence_per_year_area_industry(db):
    assert _issue(db, "0531", "02") == "260531020001"
    assert _issue(db, "0531", "02") == "260531020002"
    assert _issue(db, "0531", "05") == "260531050001"  # another industry
    assert _issue(db, "0010", "02") == "260010020001"  # another area
    assert _issue(db, "0531", "02", AT_2027) == "270531020001"  # a new year starts again
    assert _issue(db, "0531", "02") == "260531020003"


def test_a_rolled_back_save_does_not_consume_a_number(db):
    with pytest.raises(RuntimeError):
        with db.uow(write=True) as s:
            numbering.service_auth_no(s, "0531", "01", AT_2026)
            raise RuntimeError("save failed")
    assert _issue(db, "0531", "01") == "260531010001"


def test_sequence_exhausted_is_a_conflict(db):
    with db.uow(write=True) as s:
        s.add(NumberSequence(record_type="service_auth", scope="26053103", value=9999))
    with pytest.raises(Conflict):
        _issue(db, "0531", "03")


def test_rules_are_configurable(db):
    saved = dict(numbering.RULES)
    try:
        numbering.set_rule("agent", "AG-{YYYY}-{seq:3}")
        with db.uow(write=True) as s:
            assert numbering.issue(s, "agent", at=AT_2026) == "AG-2026-001"
        with pytest.raises(ValueError):
            numbering.set_rule("agent", "{seq:3}-X")
    finally:
        numbering.RULES.clear()
        numbering.RULES.update(saved)


def test_customer_gets_its_number_on_save(org):
    c = rs.create(org.db, org["clerk"], "customer", {"name": "济南国土局", "area_code": "0531", "industry": "03"})
    yy = f"{utcnow().year % 100:02d}"
    assert c["service_auth_no"] == f"{yy}0531030001"
    assert re.fullmatch(r"\d{2}\d{4}(0[1-5])\d{4}", c["service_auth_no"])
    same = rs.update(org.db, org["clerk"], "customer", c["id"], {"name": "济南市国土资源局"})
    assert same["service_auth_no"] == c["service_auth_no"]  # unchanged area/industry keeps the number
    moved = rs.update(org.db, org["clerk"], "customer", c["id"], {"industry": "04"})
    assert moved["service_auth_no"] == f"{yy}0531040001"
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk"], "customer", {"name": "x", "area_code": "0531"})
    assert set(e.value.fields) == {"industry"}
    with pytest.raises(ValidationFailed) as e:
        rs.create(org.db, org["clerk"], "customer", {"name": "x", "area_code": "05a1", "industry": "06"})
    assert set(e.value.fields) == {"area_code", "industry"}


def test_concurrent_saves_get_distinct_numbers(any_org):
    db = any_org.db
    n, results, errors = 12, [], []
    barrier = threading.Barrier(n)

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            c = rs.create(db, any_org["clerk"], "customer", {"name": f"并发{i}", "area_code": "0755", "industry": "05"})
            results.append(c["service_auth_no"])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(int(r[-4:]) for r in results) == list(range(1, n + 1))
    assert len(set(results)) == n
