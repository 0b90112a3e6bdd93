"""One map from domain errors to statuses (web/errors.py), shared by the API, the designer's
endpoints and the pages: a page answers an error a view lets through with the error page."""
from __future__ import annotations

import pytest

from core.errors import (
    Conflict,
    DefinitionInvalid,
    DomainError,
    EngineFailure,
    Forbidden,
    NotFound,
    Problem,
    Unauthenticated,
    ValidationFailed,
)
from tests.web.conftest import signed_in
from web.errors import error_page, form_refusal, status_of


@pytest.mark.parametrize("error, status", [
    (ValidationFailed("bad", {"f": "why"}), 422), (DefinitionInvalid([Problem(None, "no start")]), 422),
    (NotFound("gone"), 404), (Forbidden("no"), 403), (Unauthenticated("who"), 401), (Conflict("late"), 409),
    (EngineFailure("stuck"), 409), (DomainError("other"), 400),
])
def test_each_kind_of_error_has_one_status(error, status):
    assert status_of(error) == status


def test_a_domain_error_in_a_page_is_the_error_page_with_its_status(app):
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        _body, status = error_page(NotFound("no task 7"))
        assert status == 404
        body, status = error_page(Forbidden("not yours"))
        assert status == 403 and "无权访问" in body


def test_a_form_shows_refusals_that_name_fields_and_hands_on_the_rest(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert form_refusal(Conflict("exists", {"name": "already exists"})) == {"name": "already exists"}
        with pytest.raises(NotFound):
            form_refusal(NotFound("gone"))
        with pytest.raises(Conflict):
            form_refusal(Conflict("no fields"))


def test_an_unknown_record_on_a_page_is_the_404_page(org, client):
    signed_in(client, "admin")
    r = client.get("/admin/users/999999")
    assert r.status_code == 404 and "404" in r.get_data(as_text=True)
    assert client.get("/designer/no_such_process/versions").status_code == 404
