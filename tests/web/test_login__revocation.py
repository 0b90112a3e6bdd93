"""Sessions and bearer tokens are revoked (issue 11): logout, a password reset and deactivation
raise the user's token version, so an old cookie (copied before) and an old token answer 401 /
send the browser to the login page."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from crm import directory
from tests.web.conftest import signed_in

API = "/api/v1"


def _token(client: FlaskClient, username: str, password: str = "secret-pass-1") -> dict[str, str]:
    r = client.post(f"{API}/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def _copied_cookie(app: Any, client: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def _works(client: FlaskClient, headers: dict[str, str] | None = None) -> bool:
    if headers is not None:
        r = client.get(f"{API}/me", headers=headers)
        assert r.status_code in (200, 401), r.status_code
        return r.status_code == 200
    r = client.get("/")
    assert r.status_code in (200, 302), r.status_code
    return r.status_code == 200 and client.get(f"{API}/me").status_code == 200


def _setup(app: Any, username: str) -> tuple[FlaskClient, FlaskClient, dict[str, str], str]:
    browser = app.test_client()
    csrf = signed_in(browser, username)
    thief = _copied_cookie(app, browser)
    bearer = _token(app.test_client(), username)
    assert _works(thief) and _works(app.test_client(), bearer)
    return browser, thief, bearer, csrf


def test_logout_on_the_page_revokes_the_copied_cookie_and_the_token(app):
    browser, thief, bearer, csrf = _setup(app, "clerk")
    assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert not _works(thief), "a copied cookie still works after logout"
    r = thief.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert not _works(app.test_client(), bearer)
    assert signed_in(app.test_client(), "clerk")  # logging in again works


def test_logout_through_the_api_revokes_the_token_and_the_sessions(app):
    _browser, thief, bearer, _csrf = _setup(app, "clerk")
    api = app.test_client()
    assert api.post(f"{API}/auth/logout", headers=bearer).status_code == 204
    assert not _works(api, bearer)
    r = api.post(f"{API}/auth/logout", headers=bearer)
    assert r.status_code == 401 and r.is_json
    assert not _works(thief)
    assert _works(api, _token(api, "clerk"))  # a new token works


def test_a_cookie_logout_through_the_api_needs_the_csrf_token(app):
    browser, _thief, bearer, csrf = _setup(app, "clerk")
    assert browser.post(f"{API}/auth/logout").status_code == 403
    assert _works(app.test_client(), bearer), "a refused logout changed nothing"
    assert browser.post(f"{API}/auth/logout", headers={"X-CSRFToken": csrf}).status_code == 204
    assert not _works(app.test_client(), bearer)


@pytest.mark.parametrize("how", ["api", "page"])
def test_an_admin_password_reset_revokes_the_old_cookie_and_token(app, org, how):
    _browser, thief, bearer, _csrf = _setup(app, "clerk")
    if how == "api":
        admin = _token(app.test_client(), "admin")
        r = app.test_client().patch(f"{API}/users/{org['clerk']}", json={"password": "new-pass-123"}, headers=admin)
        assert r.status_code == 200, r.get_json()
    else:
        directory.update_user(org.db, org["admin"], org["clerk"], {"password": "new-pass-123"})
    assert not _works(thief)
    assert not _works(app.test_client(), bearer)
    assert _works(app.test_client(), _token(app.test_client(), "clerk", "new-pass-123"))


def test_a_change_that_is_not_the_password_keeps_the_sessions(app, org):
    _browser, thief, bearer, _csrf = _setup(app, "clerk")
    directory.update_user(org.db, org["admin"], org["clerk"], {"display_name": "Clerk K."})
    assert _works(thief) and _works(app.test_client(), bearer)


def test_deactivation_revokes_and_reactivation_does_not_bring_them_back(app, org):
    _browser, thief, bearer, _csrf = _setup(app, "clerk2")
    directory.update_user(org.db, org["admin"], org["clerk2"], {"active": False})
    assert not _works(thief) and not _works(app.test_client(), bearer)
    directory.update_user(org.db, org["admin"], org["clerk2"], {"active": True})
    assert not _works(thief), "the old cookie came back with the account"
    assert not _works(app.test_client(), bearer)
