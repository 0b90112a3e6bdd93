"""Attachments and signatures (issue 14) through the API: uploads are hashed and referenced by form
data, the field's limits refuse a file with 422 at the field (and nothing is created), downloads
only for readers who may see the field, the hash recorded in the audit trail; a node with
`signature="required"` needs a drawn signature to approve or reject, stored with the vote."""
from __future__ import annotations

import base64
import hashlib
import io
import struct
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.base import utcnow
from engine.design import definitions
from engine.models import AuditEvent, ProcessInstance
from files import service as file_service
from files import storage
from files.models import StoredFile
from tests.api.conftest import API, assert_error, login, task_of
from tests.bpmn_factory import chain, user_task

FORM = {"type": "default", "id": "att_form", "components": [
    {"type": "textfield", "id": "f_title", "key": "title", "label": "标题"},
    {"type": "filepicker", "id": "f_docs", "key": "docs", "label": "附件", "multiple": True,
     "accept": ".pdf,image/*", "properties": {"maxSizeMb": "0.01", "maxFiles": "2"}},
    {"type": "filepicker", "id": "f_secret", "key": "secret", "label": "保密附件"},
]}
ATT = chain("att", [
    user_task("sup", "any", "supervisor", extra='<lz:fields hidden="secret"/>'),
    user_task("sign", "any", "users", "v01", approval_attrs='signature="required"'),
], prefix="AT").replace(b'<bpmn:startEvent id="start"/>',
                        b'<bpmn:startEvent id="start"><bpmn:extensionElements><lz:form key="att_form"/>'
                        b'</bpmn:extensionElements></bpmn:startEvent>')
PDF_BYTES = b"%PDF-1.4\n% a tiny test pdf\n" + b"x" * 200


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


SIGNATURE = "data:image/png;base64," + base64.b64encode(png()).decode()


@pytest.fixture
def att(org):
    definitions.deploy(org.db, ATT, org["admin"], forms={"att_form": FORM})
    return org


def upload(client, user, name="invoice.pdf", content=PDF_BYTES, status=201):
    r = client.post(f"{API}/files", data={"file": (io.BytesIO(content), name)}, headers=login(client, user),
                    content_type="multipart/form-data")
    assert r.status_code == status, r.get_data(as_text=True)
    return r.get_json()


def start(client, user, data):
    return client.post(f"{API}/process-instances", json={"process": "att", "data": data}, headers=login(client, user))


def instances_count(org):
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ProcessInstance))


def test_upload_is_hashed_referenced_and_the_hash_is_in_the_audit_trail(client, att):
    ref = upload(client, "clerk")
    assert ref == {"id": ref["id"], "name": "invoice.pdf", "size": len(PDF_BYTES),
                   "sha256": hashlib.sha256(PDF_BYTES).hexdigest(), "content_type": "application/pdf"}
    # the client's own idea of size / type / hash is replaced by the stored record
    r = start(client, "clerk", {"title": "发票", "docs": [{**ref, "size": 1, "sha256": "0" * 64}]})
    assert r.status_code == 201, r.get_json()
    iid = r.get_json()["id"]
    view = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()
    assert view["data"]["docs"] == [ref]
    with att.db.uow() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.action == "attach")).one()
        assert ev.detail["files"] == [{"field": "docs", "id": ref["id"], "size": len(PDF_BYTES),
                                       "sha256": hashlib.sha256(PDF_BYTES).hexdigest()}]
        assert s.get(StoredFile, ref["id"]).instance_id == iid
    ok = client.get(f"{API}/process-instances/{iid}/audit/verify", headers=login(client, "clerk")).get_json()
    assert ok["ok"] is True


@pytest.mark.parametrize("name,content,why", [
    ("big.pdf", PDF_BYTES * 60, "file_too_large"),   # over the field's 0.01 MB
    ("notes.txt", b"plain text", "file_type"),       # not .pdf or an image
])
def test_the_fields_limits_refuse_at_the_field_and_nothing_is_created(client, att, name, content, why):
    ref = upload(client, "clerk", name, content)
    before = instances_count(att)
    err = assert_error(start(client, "clerk", {"docs": [ref]}), 422)
    assert set(err["fields"]) == {"data.docs"}, err
    assert instances_count(att) == before
    with att.db.uow() as s:
        assert s.get(StoredFile, ref["id"]).instance_id is None  # still unreferenced


def test_too_many_files_one_file_field_and_someone_elses_upload_are_refused(client, att):
    refs = [upload(client, "clerk", f"p{i}.pdf") for i in range(3)]
    assert set(assert_error(start(client, "clerk", {"docs": refs}), 422)["fields"]) == {"data.docs"}
    assert set(assert_error(start(client, "clerk", {"secret": refs[:2]}), 422)["fields"]) == {"data.secret"}
    theirs = upload(client, "clerk2")
    err = assert_error(start(client, "clerk", {"docs": [theirs]}), 422)
    assert "data.docs" in err["fields"]
    assert_error(client.post(f"{API}/files", data={}, headers=login(client, "clerk"),
                             content_type="multipart/form-data"), 422)
    assert_error(start(client, "clerk", {"docs": ["files::abc"]}), 422)


def test_download_only_for_readers_who_may_see_the_field(client, att):
    docs, secret = upload(client, "clerk"), upload(client, "clerk", "secret.png", png())
    iid = start(client, "clerk", {"docs": [docs], "secret": [secret]}).get_json()["id"]

    def get(user, ref):
        return client.get(f"{API}/files/{ref['id']}", headers=login(client, user))

    r = get("clerk", docs)
    assert r.status_code == 200 and r.data == PDF_BYTES and r.mimetype == "application/pdf"
    assert get("clerk", secret).status_code == 200
    # sales_lead approves at `sup`, where `secret` is hidden: docs yes, secret never
    assert get("sales_lead", docs).status_code == 200
    assert_error(get("sales_lead", secret), 403)
    view = client.get(f"{API}/process-instances/{iid}", headers=login(client, "sales_lead")).get_json()
    assert "secret" not in view["data"]
    # a stranger: neither
    assert_error(get("outsider", docs), 403)
    assert_error(get("outsider", secret), 403)
    # an upload not yet submitted belongs to its uploader only
    mine = upload(client, "clerk2")
    assert get("clerk2", mine).status_code == 200
    assert_error(get("clerk", mine), 403)
    assert_error(client.get(f"{API}/files/nosuchfile", headers=login(client, "clerk")), 404)


def test_a_signature_is_required_where_the_node_says_so(client, att):
    iid = start(client, "clerk", {"title": "签字"}).get_json()["id"]
    tid = task_of(client, "sales_lead", iid)
    r = client.post(f"{API}/tasks/{tid}/approve", json={"comment": "好"}, headers=login(client, "sales_lead"))
    assert r.status_code == 200, r.get_json()  # `sup` asks for none
    tid = task_of(client, "v01", iid)
    headers = login(client, "v01")
    for body in ({"comment": "同意"}, {"comment": "同意", "signature": "data:image/png;base64,bm90IGEgcG5n"},
                 {"comment": "同意", "signature": "data:image/svg+xml;base64,PHN2Zz4="}):
        err = assert_error(client.post(f"{API}/tasks/{tid}/approve", json=body, headers=headers), 422)
        assert set(err["fields"]) == {"signature"}, err
    err = assert_error(client.post(f"{API}/tasks/{tid}/reject", json={"comment": "不行"}, headers=headers), 422)
    assert set(err["fields"]) == {"signature"}
    assert task_of(client, "v01", iid) == tid  # still open, nothing recorded
    task = client.get(f"{API}/tasks/{tid}", headers=headers).get_json()
    assert task["signature_required"] is True

    r = client.post(f"{API}/tasks/{tid}/approve", json={"comment": "同意", "signature": SIGNATURE}, headers=headers)
    assert r.status_code == 200, r.get_json()
    view = client.get(f"{API}/process-instances/{iid}", headers=login(client, "clerk")).get_json()
    assert view["outcome"] == "approved"
    vote = view["data"]["sign"]["votes"][0]
    assert vote["signature"]["sha256"] == hashlib.sha256(png()).hexdigest()
    approve_event = next(e for e in view["history"] if e["action"] == "approve" and e.get("node_id") == "sign")
    assert approve_event["detail"]["signature"]["id"] == vote["signature"]["id"]
    r = client.get(f"{API}/files/{vote['signature']['id']}", headers=login(client, "clerk"))
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data == png()
    assert_error(client.get(f"{API}/files/{vote['signature']['id']}", headers=login(client, "outsider")), 403)


def test_unreferenced_uploads_are_purged_after_a_day(client, att):
    old, kept = upload(client, "clerk"), upload(client, "clerk", "kept.pdf")
    start(client, "clerk", {"docs": [kept]})
    assert file_service.purge_unreferenced(att.db, utcnow() + timedelta(hours=23)) == 0
    assert file_service.purge_unreferenced(att.db, utcnow() + timedelta(days=1, minutes=1)) >= 1
    with att.db.uow() as s:
        assert s.get(StoredFile, old["id"]) is None and s.get(StoredFile, kept["id"]) is not None
    assert not storage.current().exists(old["id"]) and storage.current().exists(kept["id"])


def test_the_record_pdf_lists_attachments_with_hashes_and_shows_signatures(client, att):
    from pypdf import PdfReader

    docs, secret = upload(client, "clerk"), upload(client, "clerk", "secret.png", png(3, 3))
    iid = start(client, "clerk", {"title": "打印", "docs": [docs], "secret": [secret]}).get_json()["id"]
    r = client.post(f"{API}/tasks/{task_of(client, 'sales_lead', iid)}/approve", json={"comment": "好"},
                    headers=login(client, "sales_lead"))
    assert r.status_code == 200
    r = client.post(f"{API}/tasks/{task_of(client, 'v01', iid)}/approve", json={"comment": "同意", "signature": SIGNATURE},
                    headers=login(client, "v01"))
    assert r.status_code == 200

    def text(user):
        r = client.get(f"{API}/process-instances/{iid}/record.pdf", headers=login(client, user))
        assert r.status_code == 200
        reader = PdfReader(io.BytesIO(r.data))
        images = sum(len(page.images) for page in reader.pages)
        return "".join("".join(page.extract_text().split()) for page in reader.pages), images

    mine, _ = text("clerk")
    assert "invoice.pdf" in mine and docs["sha256"] in mine
    assert "secret.png" in mine and secret["sha256"] in mine
    assert "签名" in mine
    theirs, _ = text("sales_lead")  # `secret` is hidden from the supervisor: not even its hash
    assert "invoice.pdf" in theirs and docs["sha256"] in theirs
    assert "secret.png" not in theirs and secret["sha256"] not in theirs
