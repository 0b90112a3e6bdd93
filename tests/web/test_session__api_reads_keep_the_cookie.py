"""An API call that only reads the session leaves the session cookie alone, so a background call
(the bell's) answered after a form post cannot put back a session without the post's flash message;
pages still refresh the cookie, and a change to the session is always sent."""
from __future__ import annotations

from tests.web.conftest import signed_in


def _sets_cookie(response) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_an_api_read_sends_no_cookie_a_page_does(app):
    client = app.test_client()
    signed_in(client, "clerk")
    assert not _sets_cookie(client.get("/api/v1/notifications?per_page=1"))
    assert not _sets_cookie(client.get("/api/v1/me"))
    assert _sets_cookie(client.get("/"))  # a page refreshes the permanent session

