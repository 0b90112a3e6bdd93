"""Version pages: list with thumbnails, one version read-only, its SVG, the diff, copy under a new key."""
from __future__ import annotations

from pathlib import Path

import pytest

from bpmn import diff as version_diff
from designer.table import from_table, to_table
from engine.design import definitions, versions
from tests.web.conftest import signed_in

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
GENERAL = (BPMN / "general_approval.bpmn").read_bytes()


@pytest.fixture
def client(org, app_for):
    return app_for(org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True).test_client()


@pytest.fixture
def two_versions(org):
    definitions.deploy(org.db, GENERAL, None)
    t = to_table(GENERAL)
    t["steps"].append({**t["steps"][0], "id": "board", "name": "委员会审议", "mode": "majority",
                       "skip_initiator": False, "assignee_strategy": "users", "assignee_value": "fin1,fin2,hr1",
                       "condition": ""})
    definitions.deploy(org.db, from_table(t), org["admin"])
    return "general_approval"


def test_clerks_get_403_on_every_version_page(client, two_versions):
    signed_in(client, "clerk")
    for url in ("versions", "v1", "v1.svg", "diff?from=1&to=2"):
        assert client.get(f"/designer/general_approval/{url}").status_code == 403, url


def test_versions_list_with_thumbnails_and_diff_links(client, two_versions):
    signed_in(client, "admin")
    html = client.get("/designer/general_approval/versions").get_data(as_text=True)
    assert html.index('data-version="2"') < html.index('data-version="1"')
    assert 'src="/designer/general_approval/v2.svg"' in html and 'src="/designer/general_approval/v1.svg"' in html
    assert "系统管理员" in html
    assert "/designer/general_approval/diff?from=1&amp;to=2" in html
    r = client.get("/designer/general_approval/v2.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert "委员会审议" in r.get_data(as_text=True)
    assert client.get("/designer/general_approval/v9.svg").status_code == 404
    assert client.get("/designer/nope/versions").status_code == 404


def test_old_version_read_only_with_its_table(client, two_versions):
    signed_in(client, "admin")
    html = client.get("/designer/general_approval/v1").get_data(as_text=True)
    assert "直属主管审批" in html and "amount &gt; 10000" in html
    assert "委员会审议" not in html
    assert 'name="steps-0-name"' not in html  # read-only: no table inputs
    assert "v2" in html  # points at the latest version


def test_diff_page_lists_the_added_node_and_highlights_it(client, two_versions):
    signed_in(client, "admin")
    html = client.get("/designer/general_approval/diff?from=1&to=2").get_data(as_text=True)
    added = html[html.index('class="added-nodes"'):]
    added = added[:added.index("</ul>")]
    assert "委员会审议" in added and "board" in added
    assert 'class="removed-nodes"' in html and "end_rejected" in html
    assert "<svg" in html and "#c2410c" in html
    assert client.get("/designer/general_approval/diff?from=1&to=7").status_code == 404


def test_copy_as_new_process_validates_the_key(client, org, two_versions):
    token = signed_in(client, "admin")
    r = client.post("/designer/general_approval/v1/copy",
                    data={"csrf_token": token, "new_key": "has space", "new_name": "采购"})
    assert r.status_code == 422
    assert "no spaces" in r.get_data(as_text=True) or "空格" in r.get_data(as_text=True)
    r = client.post("/designer/general_approval/v1/copy",
                    data={"csrf_token": token, "new_key": "general_approval", "new_name": "采购"})
    assert r.status_code == 422 and "general_approval" in r.get_data(as_text=True)
    assert not versions.key_in_use(org.db, org["admin"], "has space")
    r = client.post("/designer/general_approval/v1/copy",
                    data={"csrf_token": token, "new_key": "purchase", "new_name": "采购审批"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/designer/purchase/versions")
    copy = versions.get_version(org.db, org["admin"], "purchase")
    assert copy["name"] == "采购审批" and copy["version"] == 1
    assert version_diff.describe(copy["bpmn_xml"].encode())[1] == version_diff.describe(GENERAL)[1]
