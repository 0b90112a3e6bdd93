"""Login, logout, CSRF, rate limits and redirects of the web pages; the API seen from a page."""
from __future__ import annotations

from tests.web.conftest import csrf_of, page_login, signed_in


def test_pages_need_a_login_and_come_back_after_it(client):
    r = client.get("/?box=done")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=/?box%3Ddone"
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"username": "clerk", "password": "secret-pass-1", "csrf_token": token,
                                    "next": "/?box=done"})
    assert r.status_code == 302 and r.headers["Location"] == "/?box=done"


def test_wrong_password_is_401_with_the_message_and_no_session(client):
    r = page_login(client, "clerk", "nope")
    assert r.status_code == 401
    assert "Wrong user name or password." in r.get_data(as_text=True) or "用户名或密码错误" in r.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_deactivated_user_cannot_log_in_and_is_signed_out(client, org):
    signed_in(client, "clerk2")
    assert client.get("/").status_code == 200
    from crm import directory
    directory.update_user(org.db, org["admin"], org["clerk2"], {"active": False})
    assert client.get("/").status_code == 302
    assert page_login(client, "clerk2").status_code == 401


def test_login_without_csrf_token_is_refused(client):
    r = client.post("/login", data={"username": "clerk", "password": "secret-pass-1"})
    assert r.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_logout_needs_post_with_token_and_ends_the_session(client):
    token = signed_in(client, "clerk")
    assert client.post("/logout").status_code == 400  # no token: refused, still signed in
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_next_never_leaves_the_site(client):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for evil in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        client.post("/logout", data={"csrf_token": token})
        token = csrf_of(client.get("/login").get_data(as_text=True))
        r = client.post("/login", data={"username": "clerk", "password": "secret-pass-1", "csrf_token": token,
                                        "next": evil})
        assert r.status_code == 302 and r.headers["Location"] == "/", evil
        token = csrf_of(client.get("/").get_data(as_text=True))


def test_signed_in_page_may_call_the_api_only_with_its_csrf_token(client, org):
    token = signed_in(client, "clerk")
    assert client.get("/api/v1/me").get_json()["username"] == "clerk"  # reads need no token
    r = client.post("/api/v1/process-instances", json={"process": "nope"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    r = client.post("/api/v1/process-instances", json={"process": "nope"}, headers={"X-CSRFToken": token})
    assert r.status_code in (404, 422), r.get_json()  # past the CSRF check: the unknown process answers


def test_language_choice_is_stored_on_the_user(client, org):
    token = signed_in(client, "clerk")
    assert 'lang="zh"' in client.get("/").get_data(as_text=True)
    assert client.post("/language", data={"locale": "en", "csrf_token": token}).status_code == 302
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    from crm import directory
    assert directory.me(org.db, org["clerk"])["locale"] == "en"
    r = client.post("/language", data={"locale": "fr", "csrf_token": token}, follow_redirects=True)
    assert "Unknown language." in r.get_data(as_text=True)
    assert directory.me(org.db, org["clerk"])["locale"] == "en"


def test_unknown_pages_are_an_error_page_not_json(client):
    signed_in(client, "clerk")
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert client.get("/api/v1/no-such").is_json
