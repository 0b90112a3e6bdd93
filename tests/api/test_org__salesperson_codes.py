"""业务员编号 (requirements 001): two letters + four digits; an admin gives the full code or the
agency's first four characters, and the next free number of that agency is issued (01-99, never
repeated); bad codes name the field `sales_code`."""
from __future__ import annotations

from tests.api.conftest import API, assert_error, login


def _user(client, admin, name, **extra):
    return client.post(f"{API}/users", json={"username": name, "display_name": name, "password": "secret-pass-9",
                                             **extra}, headers=admin)


def test_codes_are_issued_per_agency_and_checked(client):
    admin = login(client, "admin")
    a = _user(client, admin, "sp1", sales_code="sd01")
    assert a.status_code == 201 and a.get_json()["sales_code"] == "SD0101"
    assert _user(client, admin, "sp2", sales_code="SD01").get_json()["sales_code"] == "SD0102"
    assert _user(client, admin, "sp3", sales_code="BJ0507").get_json()["sales_code"] == "BJ0507"
    assert _user(client, admin, "sp4", sales_code="BJ05").get_json()["sales_code"] == "BJ0501"
    err = assert_error(_user(client, admin, "sp5", sales_code="BJ0507"), 409)
    assert set(err["fields"]) == {"sales_code"}
    for bad in ("S10101", "SD010", "SD0100", "sd", 7):
        err = assert_error(_user(client, admin, "sp6", sales_code=bad), 422)
        assert set(err["fields"]) == {"sales_code"}, bad
    # nothing of a refused user was kept
    names = [u["username"] for u in client.get(f"{API}/users", query_string={"per_page": 100},
                                               headers=admin).get_json()["items"]]
    assert "sp5" not in names and "sp6" not in names
    uid = a.get_json()["id"]
    r = client.patch(f"{API}/users/{uid}", json={"sales_code": "SD01"}, headers=admin)
    assert r.get_json()["sales_code"] == "SD0103"
    assert client.patch(f"{API}/users/{uid}", json={"sales_code": None}, headers=admin).get_json()["sales_code"] is None
    assert_error(client.patch(f"{API}/users/{uid}", json={"sales_code": "SD0102"}, headers=admin), 409)
    assert_error(_user(client, login(client, "clerk"), "sp7", sales_code="SD01"), 403)
