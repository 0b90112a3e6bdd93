"""POST /process-definitions (admin deploys BPMN) and the catalogue reads."""
from __future__ import annotations

from tests.api.conftest import API, HANDLE_CC, TWO_STEP, assert_error, deploy, login
from tests.bpmn_factory import chain, user_task

# Two problems, on two elements.
BROKEN = chain("broken", [user_task("a", "bogus", "users", "v01"), user_task("b", "any", "nonsense", "x")])


def test_new_file_is_201_and_the_same_file_again_is_200(client):
    r = deploy(client, TWO_STEP)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["key"], body["version"], body["name"]) == ("two_step", 1, "two_step")
    assert r.headers["Location"].endswith("/api/v1/process-definitions/two_step")

    again = deploy(client, TWO_STEP)
    assert again.status_code == 200 and again.get_json()["version"] == 1

    changed = deploy(client, TWO_STEP.replace(b'value="v01,v02"', b'value="v01,v02,v03"'))
    assert changed.status_code == 201 and changed.get_json()["version"] == 2


def test_text_xml_is_accepted(client):
    r = client.post(f"{API}/process-definitions", data=HANDLE_CC, content_type="text/xml; charset=utf-8",
                    headers=login(client, "admin"))
    assert r.status_code == 201, r.get_json()


def test_invalid_file_is_422_listing_each_problem_and_nothing_is_stored(client):
    err = assert_error(deploy(client, BROKEN), 422, "definition_invalid")
    problems = err["problems"]
    assert {p["element_id"] for p in problems} == {"a", "b"}
    assert all(set(p) == {"element_id", "message", "rule"} and p["message"] for p in problems)
    assert set(err["fields"]) == {"a", "b"}
    admin = login(client, "admin")
    assert_error(client.get(f"{API}/process-definitions/broken", headers=admin), 404)
    assert client.get(f"{API}/process-definitions", headers=admin).get_json()["total"] == 0


def test_not_xml_at_all_is_422(client):
    for body in [b"", b"hello", b"<a><b></a>"]:
        err = assert_error(deploy(client, body), 422, "definition_invalid")
        assert err["problems"]


def test_non_admin_is_403_and_nothing_is_stored(client):
    for user in ("clerk", "gm"):
        assert_error(deploy(client, TWO_STEP, user=user), 403, "forbidden")
    assert client.get(f"{API}/process-definitions", headers=login(client, "clerk")).get_json()["total"] == 0


def test_other_content_types_are_415(client):
    admin = login(client, "admin")
    for ctype in ("application/json", "text/plain", "multipart/form-data; boundary=x", None):
        kw = {"content_type": ctype} if ctype else {}
        r = client.post(f"{API}/process-definitions", data=TWO_STEP, headers=admin, **kw)
        assert_error(r, 415, "unsupported_media_type")


def test_deploy_needs_a_login(client):
    r = client.post(f"{API}/process-definitions", data=TWO_STEP, content_type="application/xml")
    assert_error(r, 401)


def test_list_and_read_one_with_its_versions(client):
    deploy(client, TWO_STEP)
    deploy(client, TWO_STEP.replace(b'value="v01,v02"', b'value="v02"'))
    deploy(client, HANDLE_CC)
    clerk = login(client, "clerk")
    listing = client.get(f"{API}/process-definitions", headers=clerk).get_json()
    assert listing["total"] == 2
    assert {(d["key"], d["version"]) for d in listing["items"]} == {("two_step", 2), ("handle_cc", 1)}
    one = client.get(f"{API}/process-definitions/two_step", headers=clerk)
    assert one.status_code == 200
    body = one.get_json()
    assert body["key"] == "two_step" and body["version"] == 2
    assert [v["version"] for v in body["versions"]] == [2, 1]
    page = client.get(f"{API}/process-definitions", query_string={"per_page": 1, "page": 2}, headers=clerk).get_json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_unknown_key_is_404(client):
    assert_error(client.get(f"{API}/process-definitions/nope", headers=login(client, "clerk")), 404, "not_found")


def test_a_countersign_sharing_an_editable_field_deploys_with_a_warning(client):
    """bpmn/countersign.py: a warning, not a refusal (DESIGN.md §2's example has such a node)."""
    from tests.bpmn.test_checks__lint import doc
    from tests.bpmn.test_lz__shared_fields import node

    xml = doc(node('<lz:approval mode="all"/><lz:assignees strategy="users" value="v01,v02"/>'
                   '<lz:form key="general_approval"/><lz:fields editable="reason"/>'))
    r = client.post(f"{API}/process-definitions", data=xml, content_type="application/xml",
                    headers=login(client, "admin"))
    assert r.status_code == 201, r.get_json()
    (warning,) = r.get_json()["warnings"]
    assert (warning["element_id"], warning["rule"]) == ("t", "lz_shared_field")
    ok = doc(node('<lz:approval mode="all"/><lz:assignees strategy="users" value="v01,v02"/>'))
    r = client.post(f"{API}/process-definitions", data=ok, content_type="application/xml",
                    headers=login(client, "admin"))
    assert r.status_code == 201 and r.get_json()["warnings"] == []
