"""The issued 公文 as a PDF (/instances/<id>/document.pdf, web/document_pdf.py): the masthead, the
发文字号 the register gave it, title, 主送, body, signing date and 抄送; linked from the instance page
once issued; 404 before it is signed and for other processes; readers of the instance only."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from engine import instances, tasks
from engine.design import definitions
from tests.api.library.helpers import LIBRARY, deploy_library
from tests.web.conftest import signed_in

YEAR = datetime.now(UTC).year
DATA = {"issuer": "华信科技", "title": "关于调整冬季作息时间的通知", "doc_type": "notice", "urgency": "normal",
        "recipients": "公司各部门", "cc_to": "董事会", "body": "自12月1日起执行冬季作息时间。\n请各部门遵照执行。",
        "legal_check": "no"}


@pytest.fixture
def client(org, app_for):
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True).test_client()


def approve(org, user: str, iid: int) -> None:
    from engine import inbox
    rows = [t for t in inbox.list_box(org.db, org[user], "todo", 0, 50)[0] if t["instance_id"] == iid]
    tasks.approve(org.db, org[user], rows[0]["id"], "同意")


@pytest.fixture
def drafted(org):
    deploy_library(org, "doc_outgoing")
    return instances.start_process(org.db, org["clerk"], "doc_outgoing", DATA)["id"]


def text_of(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_the_signed_document_prints_as_an_official_document(client, org, drafted):
    signed_in(client, "clerk")
    assert client.get(f"/instances/{drafted}/document.pdf").status_code == 404, "not signed yet: no document"
    assert 'id="document-pdf"' not in client.get(f"/instances/{drafted}").get_data(as_text=True)
    approve(org, "sales_head", drafted)
    approve(org, "gm", drafted)
    assert 'id="document-pdf"' in client.get(f"/instances/{drafted}").get_data(as_text=True)
    r = client.get(f"/instances/{drafted}/document.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    text = text_of(r.data)
    today = datetime.now(UTC)
    for part in ("华信科技文件", f"发〔{YEAR}〕001号", "关于调整冬季作息时间的通知", "公司各部门：",
                 "自12月1日起执行冬季作息时间。", "请各部门遵照执行。", f"{today.year}年{today.month}月", "抄送：董事会。"):
        assert part in text, (part, text)


def test_only_readers_of_the_instance_get_it(client, org, drafted):
    approve(org, "sales_head", drafted)
    approve(org, "gm", drafted)
    signed_in(client, "outsider")
    assert client.get(f"/instances/{drafted}/document.pdf").status_code in (403, 404)


def test_other_processes_have_no_document(client, org):
    definitions.deploy(org.db, (LIBRARY.parent / "general_approval.bpmn").read_bytes(), None)
    iid = instances.start_process(org.db, org["clerk"], "general_approval", {"title": "x", "amount": 1})["id"]
    signed_in(client, "clerk")
    assert client.get(f"/instances/{iid}/document.pdf").status_code == 404
