"""Files inside the items of a dynamic list (an invoice per expense line): each reference is
replaced by the stored file's record, checked against the field's limits with the server's size,
bound to the instance (so it is not purged as an unreferenced upload) and downloadable by readers
who may see the field; hiding the list hides its files."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from engine.design import definitions
from engine.models import AuditEvent
from files import service as file_service
from files.models import StoredFile
from tests.api.conftest import API, assert_error, login
from tests.api.test_files__attachments_and_signatures import PDF_BYTES, png, upload
from tests.bpmn_factory import chain, user_task

FORM = {"type": "default", "id": "claim_form", "components": [
    {"type": "textfield", "id": "f_title", "key": "title", "label": "标题"},
    {"type": "dynamiclist", "id": "f_lines", "path": "lines", "label": "明细", "isRepeating": True,
     "components": [
         {"type": "number", "id": "f_amount", "key": "amount", "label": "金额"},
         {"type": "filepicker", "id": "f_invoice", "key": "invoice", "label": "发票", "multiple": True,
          "accept": ".pdf,image/*", "properties": {"maxSizeMb": "0.01", "maxFiles": "2"}}]},
]}
CLAIM = chain("claim_files", [
    user_task("sup", "any", "supervisor"),
    user_task("fin", "any", "users", "fin1", extra='<lz:fields hidden="lines"/>'),
], prefix="CF").replace(b'<bpmn:startEvent id="start"/>',
                        b'<bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="claim_form"/>'
                        b'</bpmn:extensionElements></bpmn:startEvent>')


@pytest.fixture
def claims(org):
    definitions.deploy(org.db, CLAIM, org["admin"], forms={"claim_form": FORM})
    return org


def start(client, user, lines):
    return client.post(f"{API}/process-instances", json={"process": "claim_files",
                                                          "data": {"title": "差旅", "lines": lines}},
                       headers=login(client, user))


def test_an_invoice_per_line_is_stored_bound_and_hashed_in_the_audit_trail(client, claims):
    a, b = upload(client, "clerk", "taxi.pdf"), upload(client, "clerk", "hotel.png", png())
    r = start(client, "clerk", [{"amount": 35, "invoice": [{**a, "size": 1, "sha256": "0" * 64}]},
                                {"amount": 420, "invoice": [b]}])
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    view = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()
    assert [line["invoice"] for line in view["data"]["lines"]] == [[a], [b]]  # the server's records
    with claims.db.uow() as s:
        for ref in (a, b):
            row = s.get(StoredFile, ref["id"])
            assert (row.instance_id, row.field) == (iid, "lines.invoice")
        ev = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.action == "attach")).one()
        assert {(f["field"], f["id"]) for f in ev.detail["files"]} == {("lines.invoice", a["id"]),
                                                                         ("lines.invoice", b["id"])}
    # bound files are not unreferenced uploads: a purge a day later keeps them
    assert file_service.purge_unreferenced(claims.db, utcnow() + timedelta(days=2)) == 0
    r = client.get(f"{API}/files/{a['id']}", headers=login(client, "clerk"))
    assert r.status_code == 200 and r.data == PDF_BYTES


def test_the_limits_are_checked_with_the_servers_size_at_the_items_path(client, claims):
    big = upload(client, "clerk", "big.pdf", PDF_BYTES * 60)  # over the field's 0.01 MB
    small = upload(client, "clerk", "ok.pdf")
    err = assert_error(start(client, "clerk", [{"amount": 1, "invoice": [small]},
                                               {"amount": 2, "invoice": [{**big, "size": 10}]}]), 422)
    assert set(err["fields"]) == {"data.lines.1.invoice"}, err
    theirs = upload(client, "clerk2")
    err = assert_error(start(client, "clerk", [{"amount": 1, "invoice": [theirs]}]), 422)
    assert set(err["fields"]) == {"data.lines.0.invoice"}, err
    with claims.db.uow() as s:  # nothing was bound by the refused starts
        assert all(s.get(StoredFile, f["id"]).instance_id is None for f in (big, small, theirs))


def test_who_may_not_see_the_list_may_not_download_its_files(client, claims):
    ref = upload(client, "clerk")
    iid = start(client, "clerk", [{"amount": 35, "invoice": [ref]}]).get_json()["id"]
    tid = client.get(f"{API}/tasks", headers=login(client, "sales_lead")).get_json()["items"][0]["id"]
    assert client.post(f"{API}/tasks/{tid}/approve", json={}, headers=login(client, "sales_lead")).status_code == 200
    assert client.get(f"{API}/files/{ref['id']}", headers=login(client, "sales_lead")).status_code == 200
    # fin1 decides at `fin`, where the lines are hidden: their invoices too
    assert_error(client.get(f"{API}/files/{ref['id']}", headers=login(client, "fin1")), 403)
    view = client.get(f"{API}/process-instances/{iid}", headers=login(client, "fin1")).get_json()
    assert "lines" not in view["data"]


def test_the_record_pdf_lists_each_lines_invoice_with_its_hash(client, claims, app):
    import io

    from pypdf import PdfReader

    from tests.web.conftest import signed_in

    ref = upload(client, "clerk", "taxi.pdf")
    iid = start(client, "clerk", [{"amount": 35, "invoice": []}, {"amount": 80, "invoice": [ref]}]).get_json()["id"]
    web = app.test_client()
    signed_in(web, "clerk")
    r = web.get(f"/instances/{iid}/record.pdf")
    assert r.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    flat = "".join(text.split())
    assert "明细2·发票" in flat and "taxi.pdf" in flat and ref["sha256"][:16] in flat
