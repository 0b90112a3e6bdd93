"""The login throttle (issue 11): failures count per (user name, address) pair, the page and the API
together; a correct password after 5 failures still logs in; more failures make the pair wait
longer and longer (429 + Retry-After); nobody else is held back; X-Forwarded-For only from a
configured proxy."""
from __future__ import annotations

import time
from typing import Any

import limits.storage.memory
import pytest
from flask.testing import FlaskClient

import web.security
from tests.web.conftest import csrf_of
from web.security import FREE_FAILURES, delay_after

API = "/api/v1"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def _from(app: Any, addr: str, **headers: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": addr, **{f"HTTP_{k.upper().replace('-', '_')}": v
                                                         for k, v in headers.items()}})
    return client


def _page(client: FlaskClient, username: str, password: str) -> Any:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def _api(client: FlaskClient, username: str, password: str) -> Any:
    return client.post(f"{API}/auth/token", json={"username": username, "password": password})


def test_the_waits_grow_and_have_a_ceiling():
    assert [delay_after(n) for n in range(1, 10)] == [0] * 5 + [1, 2, 4, 8]
    assert delay_after(100) == 15 * 60


def test_after_five_wrong_passwords_the_right_one_still_logs_in(app):
    client = _from(app, ATTACKER)
    assert [_page(client, "clerk", "wrong").status_code for _ in range(FREE_FAILURES)] == [401] * FREE_FAILURES
    assert _page(client, "clerk", "secret-pass-1").status_code == 302
    api = _from(app, ATTACKER)
    assert [_api(api, "fin1", "wrong").status_code for _ in range(FREE_FAILURES)] == [401] * FREE_FAILURES
    assert _api(api, "fin1", "secret-pass-1").status_code == 200


def test_a_correct_password_clears_the_count(app):
    client = _from(app, ATTACKER)
    for _ in range(2):
        assert [_api(client, "clerk", "x").status_code for _ in range(FREE_FAILURES)] == [401] * FREE_FAILURES
        assert _api(client, "clerk", "secret-pass-1").status_code == 200


class _Clock:
    """time as the throttle and its counters (limits' memory storage) read it, moved on by the test
    instead of sleeping; everything else of the time module is the real one."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    c = _Clock()
    monkeypatch.setattr(limits.storage.memory, "time", c)
    monkeypatch.setattr(web.security, "time", c)
    return c


def test_failures_beyond_the_free_ones_make_the_pair_wait_page_and_api_counted_together(app, clock):
    client = _from(app, ATTACKER)
    codes = [_page(client, "clerk", "x").status_code for _ in range(3)]
    codes += [_api(client, "clerk", "x").status_code for _ in range(3)]  # the 6th failure: wait 1 s
    assert codes == [401] * 6
    r = _api(client, "clerk", "x")
    assert r.status_code == 429 and r.is_json and int(r.headers["Retry-After"]) >= 1
    assert r.get_json()["error"]["reason"] == "login_throttled"
    r = _page(client, "clerk", "x")
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert "Too many failed attempts" in r.get_data(as_text=True) or "失败次数过多" in r.get_data(as_text=True)
    clock.offset += 1.1
    assert _api(client, "clerk", "x").status_code == 401  # the 7th failure: now 2 s
    r = _api(client, "clerk", "secret-pass-1")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 2
    clock.offset += 2.1
    assert _api(client, "clerk", "secret-pass-1").status_code == 200  # after the wait: in


def test_an_attacker_holds_back_neither_the_owner_elsewhere_nor_others_behind_the_same_address(app):
    attacker = _from(app, ATTACKER)
    codes = [_api(attacker, "clerk", f"guess-{i}").status_code for i in range(30)]
    assert codes[:6] == [401] * 6 and set(codes[6:]) == {429}
    assert _api(_from(app, OWNER), "clerk", "secret-pass-1").status_code == 200  # the owner, elsewhere
    behind = _from(app, ATTACKER)  # another user behind the attacker's address (a shared proxy)
    assert _page(behind, "fin1", "secret-pass-1").status_code == 302
    assert _api(behind, "fin2", "secret-pass-1").status_code == 200


def test_x_forwarded_for_is_ignored_from_a_peer_that_is_not_a_configured_proxy(app):
    codes = [_api(_from(app, ATTACKER, **{"X-Forwarded-For": f"192.0.2.{i}"}), "clerk", "x").status_code
             for i in range(8)]
    assert codes == [401] * 6 + [429] * 2, "a made-up X-Forwarded-For escaped the throttle"


def test_x_forwarded_for_from_a_configured_proxy_names_the_client(org, app_for):
    app = app_for(org.db, SECRET_KEY="test", TESTING=True, TRUSTED_PROXIES="10.0.0.0/8")
    via = "10.1.2.3"
    attacker = {"X-Forwarded-For": f"1.2.3.4, {ATTACKER}"}  # the left part is the client's own claim
    codes = [_api(_from(app, via, **attacker), "clerk", "x").status_code for _ in range(7)]
    assert codes == [401] * 6 + [429]
    owner = _from(app, via, **{"X-Forwarded-For": OWNER})
    assert _api(owner, "clerk", "secret-pass-1").status_code == 200  # another client behind the proxy
    # the same headers from a peer outside the proxy network count against that peer itself
    direct = [_api(_from(app, OWNER, **attacker), "fin1", "x").status_code for _ in range(7)]
    assert direct == [401] * 6 + [429]
    assert _api(_from(app, via, **{"X-Forwarded-For": OWNER}), "fin1", "x").status_code == 429


def test_the_session_cookie_is_secure_when_served_over_https(org, app_for):
    plain = app_for(org.db, SECRET_KEY="test", TESTING=True)
    https = app_for(org.db, SECRET_KEY="test", TESTING=True, HTTPS=True)
    for app, secure in ((plain, False), (https, True)):
        client = app.test_client()
        r = _page(client, "clerk", "secret-pass-1")
        assert r.status_code == 302
        cookie = next(v for k, v in r.headers.items() if k == "Set-Cookie" and v.startswith("session="))
        assert ("; Secure" in cookie) is secure, cookie


def test_spraying_from_one_address_slows_new_names_but_not_people_who_signed_in_there_before(app):
    from web.security import SPRAY_FAILURES

    office = "192.0.2.10"  # an office behind one address; fin1 has signed in from it before
    assert _api(_from(app, office), "fin1", "secret-pass-1").status_code == 200
    attacker = _from(app, office)
    names = [f"user{i:03d}" for i in range(SPRAY_FAILURES)]  # one guess each: no pair ever waits
    assert {_api(attacker, n, "Summer2026!").status_code for n in names} == {401}
    r = _api(attacker, "user999", "Summer2026!")  # a further new name: the address is over its budget
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 60
    assert r.get_json()["error"]["reason"] == "login_throttled_address"
    r = _api(attacker, "clerk", "secret-pass-1")  # even a right password: clerk never signed in from here
    assert r.status_code == 429
    assert _api(_from(app, office), "fin1", "secret-pass-1").status_code == 200  # known here: unaffected
    assert _api(_from(app, OWNER), "clerk", "secret-pass-1").status_code == 200  # other addresses too
    page = _page(_from(app, office), "fin2", "secret-pass-1")
    assert page.status_code == 429 and "Retry-After" in page.headers
