"""POST /auth/token and the bearer token: who gets in, who gets a 401."""
from __future__ import annotations

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from api.auth import TOKEN_SALT
from crm.models import User
from tests.api.conftest import API, assert_error, login


def test_good_credentials_give_a_token_that_authenticates(client):
    r = client.post(f"{API}/auth/token", json={"username": "clerk", "password": "secret-pass-1"})
    assert r.status_code == 200
    token = r.get_json()["token"]
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.get_json()
    assert body["username"] == "clerk" and body["display_name"] == "张三"
    assert body["department_name"] == "销售部" and body["roles"] == []


def test_me_lists_roles(client):
    body = client.get(f"{API}/me", headers=login(client, "admin")).get_json()
    assert body["roles"] == ["admin", "process_admin"] and body["is_admin"] is True


def test_wrong_password_and_unknown_user_are_401(client):
    for username, password in [("clerk", "wrong-password"), ("nobody", "secret-pass-1")]:
        r = client.post(f"{API}/auth/token", json={"username": username, "password": password})
        err = assert_error(r, 401, "unauthenticated")
        assert "token" not in r.get_json()
        assert err["message"] == "wrong username or password"  # the same answer for both


def test_missing_credentials_are_422_naming_the_fields(client):
    err = assert_error(client.post(f"{API}/auth/token", json={"username": "clerk"}), 422)
    assert set(err["fields"]) == {"password"}
    err = assert_error(client.post(f"{API}/auth/token", json={"username": 5, "password": ["x"]}), 422)
    assert set(err["fields"]) == {"username", "password"}


def test_missing_token_is_401(client):
    r = client.get(f"{API}/me")
    assert_error(r, 401, "unauthenticated")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_garbage_token_and_wrong_scheme_are_401(client):
    for header in ["Bearer garbage", "Bearer ", "Basic Y2xlcms6c2VjcmV0", "Bearer a.b.c", "token"]:
        assert_error(client.get(f"{API}/me", headers={"Authorization": header}), 401)


def test_token_signed_with_another_key_is_401(client):
    forged = URLSafeTimedSerializer("not-the-key", salt=TOKEN_SALT).dumps({"uid": 1})
    assert_error(client.get(f"{API}/me", headers={"Authorization": f"Bearer {forged}"}), 401)


def test_token_without_a_user_id_is_401(client, app):
    for payload in [{"user": 1}, [1], {"uid": "1"}, {"uid": 999999}]:
        token = URLSafeTimedSerializer(app.secret_key, salt=TOKEN_SALT).dumps(payload)
        assert_error(client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}), 401)


class _Past(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 13 * 3600


def test_expired_token_is_401(client, app, org):
    old = URLSafeTimedSerializer(app.secret_key, salt=TOKEN_SALT, signer=_Past).dumps({"uid": org["clerk"]})
    err = assert_error(client.get(f"{API}/me", headers={"Authorization": f"Bearer {old}"}), 401)
    assert "expired" in err["message"]
    fresh = URLSafeTimedSerializer(app.secret_key, salt=TOKEN_SALT).dumps({"uid": org["clerk"]})
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_deactivated_user_cannot_log_in_nor_use_an_earlier_token(client, org):
    headers = login(client, "clerk")
    with org.db.uow(write=True) as s:
        s.get(User, org["clerk"]).active = False
    assert_error(client.get(f"{API}/me", headers=headers), 401)
    assert_error(client.post(f"{API}/auth/token", json={"username": "clerk", "password": "secret-pass-1"}), 401)


def test_session_cookie_uid_authenticates(client, org):
    with client.session_transaction() as sess:
        sess["uid"] = org["fin1"]
    assert client.get(f"{API}/me").get_json()["username"] == "fin1"


def test_bad_token_body_is_400(client):
    r = client.post(f"{API}/auth/token", data="{not json", content_type="application/json")
    assert "body" in assert_error(r, 400)["fields"]
