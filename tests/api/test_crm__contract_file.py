"""The contract file (issue 15) over HTTP: uploaded into a contract (the contract JSON shows its
reference), downloaded with the same bytes, replaced, removed; refused to a colleague who does not see
the contract, to one who may read but not change it, and to a role that may not view the contract's
`attachment` field; too large is 422 at `file`; the purge keeps a contract's file and drops the rest."""
from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from db.base import utcnow
from files import service as file_service
from files import storage
from files.models import StoredFile
from tests.api.conftest import API, assert_error, login

PDF = b"%PDF-1.4\n% a contract\n" + b"y" * 300


def _contract(client, user="clerk"):
    h = login(client, user)
    c = client.post(f"{API}/customers", json={"name": "甲方"}, headers=h).get_json()
    r = client.post(f"{API}/contracts", json={"customer": c["id"], "title": "年度服务", "attachment": "http://x/y"},
                    headers=h)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _put(client, user, contract_id, content=PDF, name="合同.pdf"):
    return client.put(f"{API}/contracts/{contract_id}/file", data={"file": (io.BytesIO(content), name)},
                      headers=login(client, user), content_type="multipart/form-data")


def test_upload_download_replace_delete(client, org):
    k = _contract(client)
    assert k["file"] is None and k["attachment"] == "http://x/y"
    r = _put(client, "clerk", k["id"])
    assert r.status_code == 200, r.get_json()
    ref = r.get_json()["file"]
    assert ref["name"] == "合同.pdf" and ref["size"] == len(PDF) and ref["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert r.get_json()["attachment"] == "http://x/y"  # the text field stays as it was
    h = login(client, "clerk")
    assert client.get(f"{API}/contracts/{k['id']}", headers=h).get_json()["file"] == ref
    listed = client.get(f"{API}/contracts", headers=h).get_json()["items"]
    assert [x["file"] for x in listed] == [ref]
    got = client.get(f"{API}/contracts/{k['id']}/file", headers=h)
    assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == ref["sha256"]
    assert "attachment" in got.headers["Content-Disposition"]
    # the supervisor reaches the clerk's contract
    assert client.get(f"{API}/contracts/{k['id']}/file", headers=login(client, "sales_lead")).data == PDF
    # a record's file is not read through /files (that would skip the record's rules)
    assert_error(client.get(f"{API}/files/{ref['id']}", headers=h), 403)
    # replace: the new one is held, the old one released
    new = _put(client, "clerk", k["id"], b"second version", "v2.txt").get_json()["file"]
    assert new["id"] != ref["id"] and client.get(f"{API}/contracts/{k['id']}/file", headers=h).data == b"second version"
    with org.db.uow() as s:
        assert s.get(StoredFile, ref["id"]).record is None and s.get(StoredFile, new["id"]).record == f"contract:{k['id']}"
    # delete
    assert client.delete(f"{API}/contracts/{k['id']}/file", headers=h).status_code == 204
    assert client.get(f"{API}/contracts/{k['id']}", headers=h).get_json()["file"] is None
    assert_error(client.get(f"{API}/contracts/{k['id']}/file", headers=h), 404)
    assert_error(client.delete(f"{API}/contracts/{k['id']}/file", headers=h), 404)
    assert_error(client.get(f"{API}/contracts/999999/file", headers=h), 404)


def test_who_may_not(client):
    k = _contract(client)
    assert _put(client, "clerk", k["id"]).status_code == 200
    out = login(client, "outsider")
    assert_error(client.get(f"{API}/contracts/{k['id']}/file", headers=out), 404)
    assert_error(_put(client, "outsider", k["id"]), 404)
    assert_error(client.delete(f"{API}/contracts/{k['id']}/file", headers=out), 404)


def test_no_part_and_too_large(client):
    k = _contract(client)
    r = client.put(f"{API}/contracts/{k['id']}/file", data={}, headers=login(client, "clerk"),
                   content_type="multipart/form-data")
    assert "file" in assert_error(r, 422)["fields"]
    big = b"z" * (file_service.MAX_UPLOAD_BYTES + 1)
    r = _put(client, "clerk", k["id"], big, "big.bin")
    assert set(assert_error(r, 422)["fields"]) == {"file"}  # as the form upload answers (files/service.py)
    assert client.get(f"{API}/contracts/{k['id']}", headers=login(client, "clerk")).get_json()["file"] is None


def test_a_role_that_may_not_view_the_field_neither_sees_nor_downloads(client):
    admin = login(client, "admin")
    k = _contract(client)
    assert _put(client, "clerk", k["id"]).status_code == 200
    assert client.post(f"{API}/roles", json={"key": "salesperson", "name": "业务员"}, headers=admin).status_code == 201
    users = client.get(f"{API}/users", query_string={"per_page": 100}, headers=admin).get_json()["items"]
    clerk = next(u for u in users if u["username"] == "clerk")
    assert client.patch(f"{API}/users/{clerk['id']}", json={"roles": ["salesperson"]}, headers=admin).status_code == 200
    h = login(client, "clerk")
    assert client.get(f"{API}/contracts/{k['id']}/file", headers=h).status_code == 200
    r = client.put(f"{API}/field-rules/salesperson/contract/attachment", json={"edit": False}, headers=admin)
    assert r.status_code == 200
    assert client.get(f"{API}/contracts/{k['id']}/file", headers=h).status_code == 200
    assert "attachment" in assert_error(_put(client, "clerk", k["id"]), 403)["fields"]
    assert_error(client.delete(f"{API}/contracts/{k['id']}/file", headers=h), 403)
    assert client.put(f"{API}/field-rules/salesperson/contract/attachment", json={"view": False},
                      headers=admin).status_code == 200
    one = client.get(f"{API}/contracts/{k['id']}", headers=h).get_json()
    assert "file" not in one and "attachment" not in one
    assert_error(client.get(f"{API}/contracts/{k['id']}/file", headers=h), 403)


def test_purge_keeps_a_contract_file_and_drops_an_unbound_upload(client, org):
    k = _contract(client)
    held = _put(client, "clerk", k["id"]).get_json()["file"]
    loose = client.post(f"{API}/files", data={"file": (io.BytesIO(b"loose"), "a.txt")}, headers=login(client, "clerk"),
                        content_type="multipart/form-data").get_json()
    assert file_service.purge_unreferenced(org.db, utcnow() + timedelta(days=2)) == 1
    assert storage.current().exists(held["id"]) and not storage.current().exists(loose["id"])
    assert client.get(f"{API}/contracts/{k['id']}/file", headers=login(client, "clerk")).data == PDF
    # once replaced, the old file goes with the next purge
    _put(client, "clerk", k["id"], b"v2", "v2.txt")
    assert file_service.purge_unreferenced(org.db, utcnow() + timedelta(days=2)) == 1
    assert not storage.current().exists(held["id"])


def test_a_deleted_contract_keeps_its_file_in_the_recycle_bin_until_the_bin_is_purged(client, org):
    """Deleted, the contract is restorable with its file (kept); purged from the recycle bin, the file
    is released and the next purge of uploads removes it."""
    from crm.admin import recycle

    k = _contract(client)
    held = _put(client, "clerk", k["id"]).get_json()["file"]
    assert client.delete(f"{API}/contracts/{k['id']}", headers=login(client, "admin")).status_code == 204
    later = utcnow() + timedelta(days=2)
    assert file_service.purge_unreferenced(org.db, later) == 0 and storage.current().exists(held["id"])
    assert recycle.purge(org.db, days=1, now=later) == 1
    assert file_service.purge_unreferenced(org.db, later) == 1
    assert not storage.current().exists(held["id"])
