"""Ids beyond any id column (2^31 - 1; 32-bit on PostgreSQL) and digits int() refuses ("²") where
pages and the API take an id from a query string or a body: the inbox filters (a bookmark is never an
error page: the filter is dropped; the API answers 422 naming it), the start page's ?from= and
?customer= pre-fills (404 / nothing filled in), `resubmitted_from` (404), a list page's ?page= (an
OFFSET beyond a bigint), a report's department and the id fields of the admin and workspace forms
(422 at the field). Never a 500, on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.models import User
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


@pytest.mark.parametrize("value", [HUGE, "1000001", "x", "-2", "²"])
def test_a_list_page_beyond_the_last_or_not_a_number_is_a_page_not_an_error(client, value):
    """?page= used to become an OFFSET PostgreSQL cannot hold (bigint out of range: a 500)."""
    signed_in(client, "admin")
    for url in ("/", "/crm/customers", "/notifications", "/admin/users", "/crm/admin/recycle-bin"):
        r = client.get(url, query_string={"page": value})
        assert r.status_code in (200, 404) and r.status_code == client.get(url).status_code, (url, value)


@pytest.mark.parametrize("value", [HUGE, str(2**31), "²"])
def test_a_report_filtered_by_a_department_id_that_cannot_exist_is_refused_naming_it(client, value):
    err = assert_error(client.get(f"{API}/reports/processes", query_string={"department": value},
                                  headers=login(client, "admin")), 422)
    assert "department" in err["fields"]
    signed_in(client, "admin")
    page = client.get("/reports", query_string={"department": value})  # the page says so at the filter
    assert page.status_code == 200 and 'data-field="department"' in page.get_data(as_text=True)


@pytest.mark.parametrize("value", [HUGE, "²"])
def test_the_admin_and_workspace_forms_name_an_id_field_that_names_nothing(client, any_org, value):
    csrf = signed_in(client, "admin")
    users = client.get("/admin/users", query_string={"department": value})
    assert users.status_code == 200, "a filter naming no department is no filter"
    r = client.post("/admin/users/new", data={"csrf_token": csrf, "username": "newbie", "display_name": "新人",
                                              "password": "pass-word-1", "department": value})
    assert r.status_code == 422 and 'class="field-error"' in r.get_data(as_text=True)
    with any_org.db.uow() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.username == "newbie")) == 0
    r = client.post("/admin/departments", data={"csrf_token": csrf, "name": "新部门", "parent": value})
    assert r.status_code == 422
    client.delete_cookie("session")
    csrf = signed_in(client, "clerk")
    r = client.post("/crm/opportunities/new", data={"csrf_token": csrf, "customer": value, "summary": "升级",
                                                    "probability": "50"})
    assert r.status_code == 422 and 'class="field-error"' in r.get_data(as_text=True)
