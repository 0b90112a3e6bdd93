"""Ids beyond any id column (2^31 - 1; 32-bit on PostgreSQL) and digits int() refuses ("²") where
pages and the API take an id from a query string or a body: the inbox filters (a bookmark is never an
error page: the filter is dropped; the API answers 422 naming it), the start page's ?from= and
?customer= pre-fills (404 / nothing filled in), and `resubmitted_from` (404). Never a 500, on SQLite
and on PostgreSQL."""
from __future__ import annotations

import pytest

from tests.api.conftest import API, TWO_STEP, assert_error, deploy, login
from tests.web.conftest import signed_in

HUGE = "99999999999999999999999"


@pytest.fixture
def client(any_org, app_for):
    return app_for(any_org.db, SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=True).test_client()


@pytest.mark.parametrize("value", [HUGE, str(2**31), "²", "-3"])
def test_inbox_record_filters_drop_a_non_id(client, value):
    signed_in(client, "clerk")
    for key in ("customer", "contract", "agent"):
        r = client.get("/", query_string={key: value})
        assert r.status_code == 200, (key, value)
        assert f'name="{key}"' in r.get_data(as_text=True)


@pytest.mark.parametrize("value", [HUGE, str(2**31), "²"])
def test_the_tasks_api_names_a_non_id_filter(client, value):
    h = login(client, "clerk")
    err = assert_error(client.get(f"{API}/tasks", query_string={"box": "todo", "customer": value}, headers=h), 422)
    assert "customer" in err["fields"]


def test_the_start_page_and_the_start_api_never_500_on_a_huge_source_or_prefill(client):
    assert deploy(client, TWO_STEP).status_code == 201
    signed_in(client, "clerk")
    assert client.get("/start/two_step", query_string={"from": HUGE}).status_code == 404
    assert client.get("/start/two_step", query_string={"customer": HUGE}).status_code == 200
    r = client.post(f"{API}/process-instances", json={"process": "two_step", "data": {}, "resubmitted_from": 2**70},
                    headers=login(client, "clerk"))
    assert_error(r, 404)
