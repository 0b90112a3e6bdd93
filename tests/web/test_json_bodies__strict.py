"""Every face reads JSON bodies with one strict reader (web/json_body.py): a body nested thousands of
levels deep (a RecursionError, answered with an HTML 500 by the pages and the designer), NaN (which
PostgreSQL's JSON refuses), a list or malformed JSON is refused naming `body`, and nothing changes:
no instance started, the task still open, the form unchanged."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import ProcessInstance
from tests.api.conftest import TWO_STEP
from tests.engine import helpers as h
from tests.web.conftest import signed_in

BODIES = {"deep": "[" * 50_000 + "]" * 50_000, "nan": '{"data": {"n": NaN}}', "list": "[1]", "cut": '{"data":'}


@pytest.fixture
def two_step(org):
    h.deploy(org, TWO_STEP)
    return org


def _post(client, method: str, url: str, body: str, token: str):
    return client.open(url, method=method, data=body.encode(), content_type="application/json",
                       headers={"X-CSRFToken": token})


def _instances(org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ProcessInstance))


@pytest.mark.parametrize("kind", BODIES)
def test_the_start_page_and_a_task_action_refuse_it_and_change_nothing(two_step, client, kind):
    org = two_step
    iid = h.start(org, "clerk", "two_step")
    tid = h.task_of(org, "sales_lead", iid)
    token = signed_in(client, "clerk")
    for url in ("/start/two_step", "/start/two_step/lists"):
        r = _post(client, "POST", url, BODIES[kind], token)
        assert r.status_code == 422 and "body" in r.get_json()["error"]["fields"], (url, r.status_code)
    assert _instances(org) == 1
    client.delete_cookie("session")
    token = signed_in(client, "sales_lead")
    r = _post(client, "POST", f"/tasks/{tid}/approve", BODIES[kind], token)
    assert r.status_code == 422 and "body" in r.get_json()["error"]["fields"], r.status_code
    assert h.task_of(org, "sales_lead", iid) == tid, "the task is still open"
    r = _post(client, "POST", "/api/v1/process-instances", BODIES[kind], token)
    assert r.status_code == 400 and "body" in r.get_json()["error"]["fields"]


@pytest.mark.parametrize("kind", BODIES)
def test_the_designer_refuses_it(two_step, client, kind):
    token = signed_in(client, "admin")
    form = client.get("/designer/api/processes/two_step/forms/start")
    for method, url in (("PUT", "/designer/api/processes/two_step/forms/start"), ("POST", "/designer/api/validate"),
                        ("PUT", "/designer/api/processes/two_step/draft")):
        r = _post(client, method, url, BODIES[kind], token)
        assert r.status_code == 422 and "body" in r.get_json()["error"]["fields"], (url, r.status_code)
    assert client.get("/designer/api/processes/two_step/forms/start").data == form.data
