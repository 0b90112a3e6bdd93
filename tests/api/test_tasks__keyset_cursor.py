"""GET /tasks pages by keyset: `cursor` takes the answer's next_cursor / prev_cursor (page/per_page
still work), on SQLite and PostgreSQL; a cursor of another box or sort, or not a cursor, is a 422
naming it; the OpenAPI document lists the parameter and the two fields."""
from __future__ import annotations

import pytest

from tests.api.conftest import API, assert_error, login
from tests.bpmn_factory import chain, user_task
from tests.engine.helpers import deploy, start

ONE = chain("one", [user_task("a", "any", "supervisor")], prefix="ON")


@pytest.fixture
def org(any_org):
    return any_org


@pytest.fixture
def five(org):
    deploy(org, ONE)
    return [start(org, "clerk", "one", {"title": f"申请 {n}"}) for n in range(5)]


def get(client, h, **params):
    r = client.get(f"{API}/tasks", query_string=params, headers=h)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_cursor_pages_walk_forwards_and_back_like_numbered_pages(client, org, five):
    h = login(client, "sales_lead")
    numbered = [i["instance_id"] for n in (1, 2, 3) for i in get(client, h, per_page=2, page=n)["items"]]
    assert sorted(numbered) == sorted(five)
    first = get(client, h, per_page=2)
    assert first["total"] == 5 and first["prev_cursor"] is None
    second = get(client, h, per_page=2, cursor=first["next_cursor"])
    third = get(client, h, per_page=2, cursor=second["next_cursor"])
    assert third["next_cursor"] is None and len(third["items"]) == 1
    walked = [i["instance_id"] for p in (first, second, third) for i in p["items"]]
    assert walked == numbered
    back = get(client, h, per_page=2, cursor=third["prev_cursor"])
    assert back["items"] == second["items"]
    # the other filters still apply with a cursor: the newest is before it, the oldest after it
    assert get(client, h, per_page=2, cursor=first["next_cursor"], q="申请 4")["items"] == []
    assert [i["instance_id"] for i in get(client, h, per_page=2, cursor=first["next_cursor"], q="申请 0")["items"]
            ] == [five[0]]


def test_a_bad_cursor_is_422_naming_it(client, org, five):
    h = login(client, "sales_lead")
    cursor = get(client, h, per_page=2)["next_cursor"]
    for params in ({"cursor": "not-a-cursor"}, {"cursor": cursor, "box": "done"}, {"cursor": cursor, "sort": "due"}):
        err = assert_error(client.get(f"{API}/tasks", query_string=params, headers=h), 422)
        assert "cursor" in err["fields"], err


def test_the_openapi_document_lists_the_cursor(client, org):
    doc = client.get(f"{API}/openapi.json").get_json()
    names = [p.get("name") or p.get("$ref", "").rsplit("/", 1)[-1] for p in doc["paths"]["/tasks"]["get"]["parameters"]]
    assert "cursor" in names and "page" in names
    assert {"next_cursor", "prev_cursor"} <= set(doc["components"]["schemas"]["InboxPage"]["properties"])
