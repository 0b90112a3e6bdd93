"""公文 library processes over HTTP, with the document register they keep (crm/documents.py):
发文 (doc_outgoing), 收文 (doc_incoming), 归档 (doc_archive). Every branch of each diagram."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm import documents
from crm.office_models import OfficialDocument
from tests.api.conftest import assert_error
from tests.api.library.helpers import (
    decide,
    deploy_library,
    ended,
    holders,
    instance,
    ok,
    reject,
    start,
    started,
    withdraw,
)

YEAR = datetime.now(UTC).year


@pytest.fixture
def deployed(org):
    return deploy_library(org, "doc_outgoing", "doc_incoming", "doc_archive")


def register(org) -> list[tuple[str, str, str]]:
    with org.db.uow() as s:
        return [(d.number, d.direction, d.status) for d in s.scalars(select(OfficialDocument).order_by(OfficialDocument.id))]


# ---------------------------------------------------------------- 发文


def outgoing(legal: str = "no") -> dict:
    return {"issuer": "华信科技", "title": "关于调整作息时间的通知", "doc_type": "notice", "urgency": "normal", "recipients": "各部门",
            "body": "自 12 月 1 日起……", "legal_check": legal}


@pytest.mark.parametrize("legal", ["no", "yes"])
def test_outgoing_signed_gets_its_number_and_the_office_distributes(client, deployed, legal):
    iid = started(client, "doc_outgoing", outgoing(legal), prefix="FW")
    assert holders(client, iid) == ["sales_head"]
    ok(client, "sales_head", iid)
    if legal == "yes":
        assert holders(client, iid) == ["legal_head"]
        ok(client, "legal_head", iid)
    assert holders(client, iid) == ["gm"]
    assert register(deployed) == [], "no number before it is signed"
    ok(client, "gm", iid)
    assert register(deployed) == [(f"发〔{YEAR}〕001号", "outgoing", "issued")]
    assert instance(client, iid)["data"]["issue"]["result"]["number"] == f"发〔{YEAR}〕001号"
    assert holders(client, iid) == ["hr1"]
    ok(client, "hr1", iid)
    assert ended(client, iid) == ("completed", "end_issued", "approved")


def test_outgoing_numbers_follow_each_other(client, deployed):
    for n in (1, 2):
        iid = started(client, "doc_outgoing", outgoing())
        ok(client, "sales_head", iid)
        ok(client, "gm", iid)
        assert instance(client, iid)["data"]["issue"]["result"]["number"] == f"发〔{YEAR}〕00{n}号"


@pytest.mark.parametrize("who", ["sales_head", "legal_head", "gm"])
def test_outgoing_rejected_anywhere_registers_nothing(client, deployed, who):
    iid = started(client, "doc_outgoing", outgoing("yes"))
    for u in ["sales_head", "legal_head", "gm"][:["sales_head", "legal_head", "gm"].index(who)]:
        ok(client, u, iid)
    reject(client, who, iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert register(deployed) == []


# ---------------------------------------------------------------- 收文


def incoming() -> dict:
    return {"title": "关于开展安全生产检查的通知", "sender": "市应急管理局", "external_number": "应急〔2026〕45号",
            "received_date": "2026-11-30", "urgency": "urgent", "summary": "12 月底前自查"}


def test_incoming_registered_proposed_instructed_and_circulated(client, deployed):
    iid = started(client, "doc_incoming", incoming(), user="hr1", prefix="SW")
    assert register(deployed) == [(f"收〔{YEAR}〕001号", "incoming", "received")]
    assert holders(client, iid) == ["hr1"], "the office proposes how to handle it"
    ok(client, "hr1", iid, data={"proposal": "请各部门自查并于月底前报办公室"})
    assert holders(client, iid) == ["gm"]
    ok(client, "gm", iid)
    assert holders(client, iid) == ["fin_head", "hr_head", "legal_head", "sales_head"], "传阅 to the heads"
    for u in ["fin_head", "hr_head", "legal_head"]:
        ok(client, u, iid)
    assert register(deployed)[0][2] == "received", "still circulating"
    ok(client, "sales_head", iid)
    assert ended(client, iid, "hr1") == ("completed", "end_handled", "approved")
    assert register(deployed)[0][2] == "handled"
    data = instance(client, iid, "hr1")["data"]
    assert data["proposal"] == "请各部门自查并于月底前报办公室" and data["circulate"]["outcome"] == "read"


def test_incoming_the_leader_declines_it(client, deployed):
    iid = started(client, "doc_incoming", incoming(), user="hr1")
    ok(client, "hr1", iid)
    reject(client, "gm", iid)
    assert ended(client, iid, "hr1") == ("completed", "end_declined", "rejected")
    assert register(deployed)[0][2] == "declined"


def test_incoming_withdrawn_registration_is_declined_and_keeps_its_number(client, deployed):
    iid = started(client, "doc_incoming", incoming(), user="hr1")
    r = withdraw(client, iid, "hr1")
    assert r.status_code == 200, r.get_json()
    assert register(deployed) == [(f"收〔{YEAR}〕001号", "incoming", "declined")]


# ---------------------------------------------------------------- 归档


def issued_document(org, title: str = "年度工作总结") -> int:
    with org.db.uow(write=True) as s:
        return int(documents.issue_outgoing(s, title, "report", 0, org["clerk"])["document_id"])


def archive_form(document_id: int) -> dict:
    return {"document_id": document_id, "archive_category": "admin", "pages": 12, "note": "原件"}


def test_archive_approved_and_filed(client, deployed):
    doc_id = issued_document(deployed)
    iid = started(client, "doc_archive", archive_form(doc_id), prefix="DA")
    ok(client, "sales_head", iid)
    assert holders(client, iid) == ["hr1"]
    ok(client, "hr1", iid, data={"archive_ref": "WS-2026-Y-012", "retention": "永久"})
    assert ended(client, iid) == ("completed", "end_archived", "approved")
    with deployed.db.uow() as s:
        doc = s.get(OfficialDocument, doc_id)
        assert (doc.status, doc.archive_ref, doc.retention) == ("archived", "WS-2026-Y-012", "永久")
        assert doc.archived_at is not None


def test_archive_filing_needs_a_retention_from_the_list(client, deployed):
    doc_id = issued_document(deployed)
    iid = started(client, "doc_archive", archive_form(doc_id))
    ok(client, "sales_head", iid)
    r = decide(client, "hr1", iid, data={"archive_ref": "WS-1", "retention": "5年"})
    assert "data.retention" in assert_error(r, 422)["fields"]
    assert register(deployed)[0][2] == "issued"


def test_archive_rejected_leaves_the_document_alone(client, deployed):
    doc_id = issued_document(deployed)
    iid = started(client, "doc_archive", archive_form(doc_id))
    reject(client, "sales_head", iid)
    assert ended(client, iid) == ("completed", "end_rejected", "rejected")
    assert register(deployed)[0][2] == "issued"


def test_archive_refuses_a_document_not_ready_or_archived(client, deployed):
    doc_id = issued_document(deployed)
    iid = started(client, "doc_archive", archive_form(doc_id))
    ok(client, "sales_head", iid)
    ok(client, "hr1", iid, data={"archive_ref": "WS-2", "retention": "10年"})
    r = start(client, "doc_archive", archive_form(doc_id))
    assert "data.document_id" in assert_error(r, 422)["fields"], "archived already: not offered, refused"
