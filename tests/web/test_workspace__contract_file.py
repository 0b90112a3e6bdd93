"""The contract file on the contract page (issue 15): the form uploads it (multipart, CSRF), the page
then shows its name, size and a download link whose bytes are the upload's; a second upload replaces
it, the remove button removes it; a colleague who does not see the contract gets 404s; a role whose
`attachment` field is read-only sees the link but no form."""
from __future__ import annotations

import io

from crm import records
from crm.admin import field_rules
from crm.models import Role, User
from tests.web.test_workspace__customers import as_user

PDF = b"%PDF-1.4\n% page test\n" + b"q" * 100


def _contract(org):
    c = records.create(org.db, org["clerk"], "customer", {"name": "甲公司"})["id"]
    return records.create(org.db, org["clerk"], "contract", {"customer": c, "title": "甲合同"})["id"]


def test_upload_link_replace_remove(org, app):
    k = _contract(org)
    client, csrf = as_user(app, "clerk")
    html = client.get(f"/crm/contracts/{k}").get_data(as_text=True)
    assert 'id="contract-file"' in html and 'enctype="multipart/form-data"' in html
    assert f'action="/crm/contracts/{k}/file"' in html and 'name="csrf_token"' in html
    assert client.post(f"/crm/contracts/{k}/file", data={"file": (io.BytesIO(PDF), "甲合同.pdf")},
                       content_type="multipart/form-data").status_code == 400  # no CSRF token
    r = client.post(f"/crm/contracts/{k}/file", data={"csrf_token": csrf, "file": (io.BytesIO(PDF), "甲合同.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/crm/contracts/{k}#contract-file")
    html = client.get(f"/crm/contracts/{k}").get_data(as_text=True)
    assert f'href="/crm/contracts/{k}/file" download>甲合同.pdf</a>' in html
    assert client.get(f"/crm/contracts/{k}/file").data == PDF
    assert records.get(org.db, org["clerk"], "contract", k)["file"]["name"] == "甲合同.pdf"
    # a colleague out of reach
    other, csrf2 = as_user(app, "clerk2")
    assert other.get(f"/crm/contracts/{k}/file").status_code == 404
    assert other.post(f"/crm/contracts/{k}/file", data={"csrf_token": csrf2, "file": (io.BytesIO(b"x"), "x.txt")},
                      content_type="multipart/form-data").status_code == 404
    # replace, then remove
    client.post(f"/crm/contracts/{k}/file", data={"csrf_token": csrf, "file": (io.BytesIO(b"v2"), "v2.txt")},
                content_type="multipart/form-data")
    assert client.get(f"/crm/contracts/{k}/file").data == b"v2"
    assert client.post(f"/crm/contracts/{k}/file/remove", data={"csrf_token": csrf}).status_code == 302
    html = client.get(f"/crm/contracts/{k}").get_data(as_text=True)
    assert f'/crm/contracts/{k}/file" download' not in html and client.get(f"/crm/contracts/{k}/file").status_code == 404
    # an empty file is refused with a message, nothing stored
    r = client.post(f"/crm/contracts/{k}/file", data={"csrf_token": csrf, "file": (io.BytesIO(b""), "e.txt")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert records.get(org.db, org["clerk"], "contract", k)["file"] is None


def test_a_read_only_field_shows_the_link_but_no_form(org, app):
    k = _contract(org)
    client, csrf = as_user(app, "clerk")
    client.post(f"/crm/contracts/{k}/file", data={"csrf_token": csrf, "file": (io.BytesIO(PDF), "a.pdf")},
                content_type="multipart/form-data")
    with org.db.uow(write=True) as s:
        role = Role(key="salesperson", name="业务员")
        s.add(role)
        clerk = s.get(User, org["clerk"])
        assert clerk is not None
        clerk.roles.append(role)
    field_rules.set_rule(org.db, org["admin"], "salesperson", "contract", "attachment", {"edit": False})
    html = client.get(f"/crm/contracts/{k}").get_data(as_text=True)
    assert f'href="/crm/contracts/{k}/file" download>a.pdf</a>' in html and "contract-file-form" not in html
    assert client.post(f"/crm/contracts/{k}/file", data={"csrf_token": csrf, "file": (io.BytesIO(b"x"), "x.txt")},
                       content_type="multipart/form-data").status_code == 403
