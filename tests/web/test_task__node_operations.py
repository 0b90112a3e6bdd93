"""The task page offers exactly the node operations the viewer may take (委派, 减签, 认领/取消认领,
阅办, 前加签/后加签, 票签 weights), posts them as forms and as JSON, and shows 422s at their own inputs."""
from __future__ import annotations

from tests.bpmn_factory import chain, user_task
from tests.engine import helpers as h
from tests.web.conftest import signed_in
from tests.web.test_task__page_and_actions import deploy, open_task, page_json, start

ALL3 = chain("wall", [user_task("cs", "all", "users", "v01,v02,v03")], prefix="WA", route_last=True)
SEQ2 = chain("wseq", [user_task("s", "sequential", "users", "v01,v02")], prefix="WS", route_last=True)
CLAIM2 = chain("wclaim", [user_task("c", "claim", "users", "v01,v02")], prefix="WC", route_last=True)
READ2 = chain("wread", [user_task("r", "read", "users", "v01,v02")], prefix="WR")
WEIGHTED = chain("wmaj", [user_task("m", "majority", "users", "v01,v02,v03").replace(
    'value="v01,v02,v03"/>', 'value="v01,v02,v03" weights="v01:3"/>')], prefix="WM", route_last=True)


def page(client, tid, locale="en"):
    with client.session_transaction() as sess:
        sess["locale"] = locale
    r = client.get(f"/tasks/{tid}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_an_all_node_offers_delegate_and_remove_signer_but_no_position(app, org, client):
    deploy(org, ALL3)
    iid = start(org, "clerk", "wall")
    signed_in(client, "v01")
    html = page(client, open_task(org, "v01", iid))
    assert 'id="delegate_to"' in html and 'id="remove_users"' in html and 'name="position"' not in html
    assert 'value="v02">' in html.split('id="remove_users"')[1].split("</select>")[0]
    assert 'id="claim"' not in html
    assert page_json(html)["actions"] == ["approve", "reject", "transfer", "add_signer", "delegate", "remove_signer"]


def test_delegate_and_remove_signer_as_json_and_422_at_their_inputs(app, org, client):
    deploy(org, ALL3)
    iid = start(org, "clerk", "wall")
    token = signed_in(client, "v01")
    tid = open_task(org, "v01", iid)
    r = client.post(f"/tasks/{tid}/delegate", json={"to_user": "v02"}, headers={"X-CSRFToken": token})
    assert r.status_code == 422 and "to_user" in r.get_json()["error"]["fields"]
    r = client.post(f"/tasks/{tid}/delegate", data={"delegate_to": "v01", "csrf_token": token})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert html.split('id="err-delegate_to" data-for="delegate_to">')[1].split("</p>")[0].strip() != ""
    r = client.post(f"/tasks/{tid}/remove-signer", json={"users": ["v03"]}, headers={"X-CSRFToken": token})
    assert r.status_code == 200
    assert h.open_assignees(org, iid) == {"cs": {"v01", "v02"}}
    r = client.post(f"/tasks/{tid}/delegate", json={"to_user": "v10", "comment": "帮我看看"},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200
    html = page(client, tid)
    assert "You delegated this task to" in html and 'id="actions"' not in html
    h.assert_inbox_matches_engine(org, iid)


def test_a_claim_node_shows_only_claim_then_decide_and_unclaim(app, org, client):
    deploy(org, CLAIM2)
    iid = start(org, "clerk", "wclaim")
    token = signed_in(client, "v01")
    tid = open_task(org, "v01", iid)
    html = page(client, tid)
    assert 'id="claim"' in html and 'id="approve"' not in html and 'id="reject"' not in html
    r = client.post(f"/tasks/{tid}/claim", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/tasks/{tid}")
    html = page(client, tid)
    assert 'id="approve"' in html and 'id="unclaim"' in html and 'id="claim"' not in html
    assert h.open_assignees(org, iid) == {"c": {"v01"}}


def test_a_read_node_shows_one_mark_as_read_button(app, org, client):
    deploy(org, READ2)
    iid = start(org, "clerk", "wread")
    signed_in(client, "v01")
    html = page(client, open_task(org, "v01", iid))
    assert "Mark as read" in html and 'id="reject"' not in html and 'id="delegate_to"' not in html
    assert 'id="remove_users"' not in html


def test_a_sequential_node_offers_before_and_after(app, org, client):
    deploy(org, SEQ2)
    iid = start(org, "clerk", "wseq")
    token = signed_in(client, "v01")
    tid = open_task(org, "v01", iid)
    html = page(client, tid)
    assert 'name="position" value="before"' in html and 'name="position" value="after"' in html
    r = client.post(f"/tasks/{tid}/add-signer", data={"users": "v05", "position": "before", "csrf_token": token})
    assert r.status_code == 302
    assert h.open_assignees(org, iid) == {"s": {"v05"}}


def test_weights_are_shown_in_the_vote(app, org, client):
    deploy(org, WEIGHTED)
    iid = start(org, "clerk", "wmaj")
    signed_in(client, "v02")
    html = page(client, open_task(org, "v02", iid))
    assert "Weighted votes: 0 of weight 5 approved, 3 needed" in html
    assert "×3" in html


def test_the_chinese_page_words_the_operations(app, org, client):
    deploy(org, READ2)
    iid = start(org, "clerk", "wread")
    signed_in(client, "v01")
    html = page(client, open_task(org, "v01", iid), "zh")
    assert "阅办" in html and "已阅" in html
