"""The registers the library processes keep, on SQLite and PostgreSQL: an asset moves only along
its states (one reservation at a time), document numbers count up per year without repeats, and
overtime hours turn into 调休 days in half-day steps."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.errors import Conflict, ValidationFailed
from crm import assets, documents, leave

YEAR = datetime.now(UTC).year


def test_an_asset_moves_along_its_states(any_org):
    db, clerk = any_org.db, any_org["clerk"]
    with db.uow(write=True) as s:
        a = assets.create(s, "ZC-1", "笔记本", "IT").id
    with db.uow(write=True) as s:
        assert assets.reserve(s, a, 7)["status"] == "reserved"
    with db.uow(write=True) as s, pytest.raises(ValidationFailed) as e:
        assets.reserve(s, a, 8)
    assert "asset_id" in e.value.fields
    with db.uow(write=True) as s, pytest.raises(Conflict):
        assets.hand_out(s, a, clerk, "borrow", "2026-12-31", 8)  # not this instance's reservation
    with db.uow(write=True) as s:
        out = assets.hand_out(s, a, clerk, "borrow", "2026-12-31", 7)
    assert (out["status"], out["holder_id"], out["due_back"]) == ("borrowed", clerk, "2026-12-31")
    with db.uow(write=True) as s, pytest.raises(ValidationFailed):
        assets.check_return(s, a, any_org["clerk2"])
    with db.uow(write=True) as s:
        assert assets.take_back(s, a, clerk)["status"] == "in_stock"
    with db.uow(write=True) as s, pytest.raises(Conflict):
        assets.release(s, a, 7)  # nothing reserved any more


def test_asset_tags_are_unique_and_unknown_assets_are_refused(any_org):
    with any_org.db.uow(write=True) as s:
        assets.create(s, "ZC-9", "投影仪")
        with pytest.raises(ValidationFailed) as e:
            assets.create(s, "ZC-9", "另一台")
        assert "tag" in e.value.fields
        with pytest.raises(ValidationFailed) as e:
            assets.reserve(s, 12345, 1)
        assert "asset_id" in e.value.fields
        with pytest.raises(ValidationFailed):
            assets.reserve(s, True, 1)


def test_document_numbers_count_per_direction_and_archive_needs_a_concluded_document(any_org):
    db, clerk = any_org.db, any_org["clerk"]
    with db.uow(write=True) as s:
        out1 = documents.issue_outgoing(s, "通知一", "notice", 1, clerk)
        out2 = documents.issue_outgoing(s, "通知二", "notice", 2, clerk)
        inc = documents.register_incoming(s, "来文", "市局", "市〔2026〕1号", 3, clerk)
    assert [out1["number"], out2["number"], inc["number"]] == [
        f"发〔{YEAR}〕001号", f"发〔{YEAR}〕002号", f"收〔{YEAR}〕001号"]
    with db.uow(write=True) as s, pytest.raises(ValidationFailed) as e:
        documents.check_archivable(s, inc["document_id"])
    assert "document_id" in e.value.fields
    with db.uow(write=True) as s:
        documents.conclude_incoming(s, inc["document_id"], "handled")
        done = documents.archive(s, inc["document_id"], "WS-1", "30年")
    assert (done["status"], done["archive_ref"], done["retention"]) == ("archived", "WS-1", "30年")
    with db.uow(write=True) as s, pytest.raises(Conflict):
        documents.archive(s, inc["document_id"], "WS-2", "永久")


@pytest.mark.parametrize(("hours", "days"), [(0.5, "0"), (4, "0.5"), (7.5, "0.5"), (8, "1"), (12, "1.5"), (24, "3")])
def test_overtime_hours_to_days(hours, days):
    assert leave.overtime_days(hours) == Decimal(days)


@pytest.mark.parametrize("hours", [0, 0.4, 24.5, -1, "x", None, True, float("nan")])
def test_overtime_hours_out_of_range_are_refused_on_the_field(hours):
    with pytest.raises(ValidationFailed) as e:
        leave.overtime_days(hours)
    assert "hours" in e.value.fields


def test_credit_adds_to_the_balance_creating_it(any_org):
    with any_org.db.uow(write=True) as s:
        assert leave.credit(s, any_org["clerk"], "compensatory", Decimal("1.5")) == (Decimal(0), Decimal("1.5"))
    with any_org.db.uow(write=True) as s:
        assert leave.credit(s, any_org["clerk"], "compensatory", Decimal("0.5")) == (Decimal("1.5"), Decimal("2.0"))
        with pytest.raises(ValidationFailed):
            leave.credit(s, any_org["clerk"], "holiday", Decimal(1))
