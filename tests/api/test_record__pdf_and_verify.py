"""The approval record (issue 14, DESIGN.md §8): record.pdf shows the form as the reader may see it
(text extracted with pypdf), the approver chain and the audit head; /audit/verify recomputes the
hash chain; the public verification page the QR code opens confirms a printed hash and says so when
the trail was changed; `app.py verify-audit` finds a changed row."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import main as cli
from engine import instances, tasks
from engine.design import definitions
from engine.models import AuditEvent
from tests.api.conftest import API, assert_error, login
from tests.bpmn_factory import chain, user_task

# The supervisor decides on the general approval form without seeing the amount.
SECRET = chain("secret", [user_task("sup", "any", "supervisor",
                                    extra='<lz:form key="general_approval"/><lz:fields hidden="amount"/>')],
               prefix="SE").replace(b'<bpmn:startEvent id="start"/>',
                                    b'<bpmn:startEvent id="start"><bpmn:extensionElements>'
                                    b'<lz:form key="general_approval"/></bpmn:extensionElements></bpmn:startEvent>')


@pytest.fixture
def started(org):
    definitions.deploy(org.db, SECRET, org["admin"])
    iid = instances.start_process(org.db, org["clerk"], "secret",
                                  {"title": "采购打印机", "amount": 98765.43, "reason": "旧的坏了"})["id"]
    return iid


def pdf_text(client, user, iid):
    r = client.get(f"{API}/process-instances/{iid}/record.pdf", headers=login(client, user))
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_shows_the_form_as_each_reader_may_see_it_and_the_chain(client, org, started):
    task = instances.get_instance(org.db, org["clerk"], started)["open_tasks"][0]["id"]
    tasks.approve(org.db, org["sales_lead"], task, "同意采购")
    initiator = compact(pdf_text(client, "clerk", started))
    assert "金额（元）" in initiator and "98,765.43" in initiator  # the initiator sees the amount
    assert "采购打印机" in initiator and "旧的坏了" in initiator
    assert "周组长" in initiator and "同意采购" in initiator  # the approver chain: who, and the comment
    head = client.get(f"{API}/process-instances/{started}/audit/verify", headers=login(client, "clerk")).get_json()
    assert head["ok"] is True and head["head"] in initiator  # the printed head hash is the chain's head

    approver = compact(pdf_text(client, "sales_lead", started))
    assert "采购打印机" in approver
    assert "金额（元）" not in approver and "98765" not in approver and "98,765" not in approver


def test_strangers_get_403_and_unknown_instances_404(client, started):
    assert_error(client.get(f"{API}/process-instances/{started}/record.pdf", headers=login(client, "fin1")), 403)
    assert_error(client.get(f"{API}/process-instances/{started}/audit/verify", headers=login(client, "fin1")), 403)
    assert_error(client.get(f"{API}/process-instances/999999/audit/verify", headers=login(client, "clerk")), 404)
    assert client.get(f"{API}/process-instances/{started}/record.pdf").status_code == 401


def _tamper(org, iid):
    with org.db.uow(write=True) as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid).order_by(AuditEvent.seq)).first()
        ev.comment = "changed afterwards"
        return ev.seq


def test_verify_answers_the_chain_and_the_first_changed_event(client, org, started):
    ok = client.get(f"{API}/process-instances/{started}/audit/verify", headers=login(client, "clerk")).get_json()
    assert ok["ok"] is True and ok["events"] >= 2 and len(ok["head"]) == 64 and "first_bad" not in ok
    seq = _tamper(org, started)
    bad = client.get(f"{API}/process-instances/{started}/audit/verify", headers=login(client, "clerk")).get_json()
    assert bad == {**ok, "ok": False, "first_bad": seq, "missing_tail": False}


def test_the_public_page_confirms_a_printed_hash_and_says_when_the_trail_changed(client, org, started):
    view = instances.get_instance(org.db, org["clerk"], started)
    head = client.get(f"{API}/process-instances/{started}/audit/verify", headers=login(client, "clerk")).get_json()["head"]
    page = client.get(f"/verify/{view['business_key']}/{head}")  # no sign-in
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="verify-ok"' in html and view["business_key"] in html
    assert "采购打印机" not in html and "98765" not in html  # nothing but the key and the hash

    task = view["open_tasks"][0]["id"]
    tasks.approve(org.db, org["sales_lead"], task, "同意")  # more events after printing: still genuine
    later = client.get(f"/verify/{view['business_key']}/{head}").get_data(as_text=True)
    assert 'id="verify-ok"' in later and re.search(r'id="verify-later" data-n="[1-9]\d*"', later)

    assert client.get(f"/verify/{view['business_key']}/{'0' * 64}").status_code == 404
    assert client.get(f"/verify/NOPE-1/{head}").status_code == 404
    assert client.get(f"/verify/{view['business_key']}/not-a-hash").status_code == 404
    _tamper(org, started)
    changed = client.get(f"/verify/{view['business_key']}/{head}")
    assert changed.status_code == 200 and 'id="verify-bad"' in changed.get_data(as_text=True)


def test_the_cli_finds_a_changed_row(org, started, capsys):
    url = str(org.db.engine.url.render_as_string(hide_password=False))
    assert cli(["--database-url", url, "verify-audit"]) == 0
    assert "0 with a broken audit chain" in capsys.readouterr().out
    _tamper(org, started)
    assert cli(["--database-url", url, "verify-audit"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at event 1" in out and "1 with a broken audit chain" in out
    assert cli(["--database-url", url, "verify-audit", "--instance", "999999"]) == 1
