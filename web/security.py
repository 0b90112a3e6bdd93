"""CSRF protection (Flask-WTF) for every form post and page script, and the login throttle shared
by the login page and the API's token endpoint.

The throttle counts failed logins per (user name, client address) pair, the page and the API
together, in the rate-limit storage (LIUZHUAN_RATELIMIT_STORAGE: memory, or redis shared between
processes). The first FREE_FAILURES failures of a pair cost nothing; after that each failure makes
the pair wait twice as long before its next attempt (1 s, 2 s, 4 s ... up to MAX_DELAY), and an
attempt inside the wait answers 429 with Retry-After without checking the password. A correct
password clears the pair's count. Nothing is counted per name alone, so failures from one address
never hold back the owner of the name at another address.

Password spraying (a guess or two for each of many names from one address) is slowed per address,
without locking out the people behind it: once an address has SPRAY_FAILURES failures within
SPRAY_WINDOW, a name that has never signed in successfully from that address waits (429) until the
window ends, while every name that has (remembered for KNOWN_TTL after its last sign-in there)
keeps signing in as before. The client address is the peer's, or the one a configured proxy
forwards (web/proxy.py).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from core.errors import TooManyRequests, Unauthenticated

csrf = CSRFProtect()
# Holds the storage the throttle counts in (limiter.storage); limiter.reset() clears the counts.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

FREE_FAILURES = 5  # failures of a pair before any wait
MAX_DELAY = 15 * 60  # the longest wait, in seconds
COUNT_TTL = 24 * 3600  # a pair's failures are forgotten a day after the last one
SPRAY_FAILURES = 30  # failures of one address (any names) within SPRAY_WINDOW ...
SPRAY_WINDOW = 3600  # ... after which names new to that address wait for the window's end
KNOWN_TTL = 90 * 24 * 3600  # a name stays known at an address this long after its last sign-in there


def delay_after(failures: int) -> int:
    """Seconds the pair waits after its `failures`-th failure in a row."""
    if failures <= FREE_FAILURES:
        return 0
    return min(MAX_DELAY, 2 ** min(failures - FREE_FAILURES - 1, 20))


def _key(username: str) -> str:
    name = username.strip().lower()[:200]
    return f"lz-login|{request.remote_addr or '?'}|{name}"


def _address_key() -> str:
    return f"lz-login-addr|{request.remote_addr or '?'}"


def _spraying_wait(key: str) -> int:
    """Seconds a name new to this address waits while the address is over its failure budget (0:
    may try: the budget holds, or the name has signed in from here before)."""
    storage = limiter.storage
    if storage.get(_address_key()) < SPRAY_FAILURES or storage.get(key + "|known") > 0:
        return 0
    return max(1, math.ceil(storage.get_expiry(_address_key()) - time.time()))


def _waiting(key: str) -> int:
    """Seconds left of the pair's wait (0: may try)."""
    storage = limiter.storage
    if storage.get(key + "|wait") <= 0:
        return 0
    return max(1, math.ceil(storage.get_expiry(key + "|wait") - time.time()))


def _failed(key: str) -> None:
    storage = limiter.storage
    storage.incr(_address_key(), SPRAY_WINDOW)  # a fixed window from the address's first failure
    failures = storage.incr(key + "|n", COUNT_TTL)
    wait = delay_after(failures)
    if wait:
        storage.clear(key + "|wait")
        storage.incr(key + "|wait", wait)


def _succeeded(key: str) -> None:
    storage = limiter.storage
    storage.clear(key + "|n")
    storage.clear(key + "|wait")
    storage.clear(key + "|known")
    storage.incr(key + "|known", KNOWN_TTL)


def limit_logins(username_of: Callable[[], str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Throttle a login view (POST): its failures are answered 401 (a response or Unauthenticated)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.method != "POST" or not current_app.config.get("LOGIN_THROTTLE", True):
                return view(*args, **kwargs)
            key = _key(username_of() or "")
            wait = _spraying_wait(key)
            if wait:
                raise TooManyRequests(f"too many failed logins from this address; a user name that has not "
                                      f"signed in from here before may try again in {wait} seconds", wait,
                                      reason="login_throttled_address")
            wait = _waiting(key)
            if wait:
                raise TooManyRequests(f"too many failed logins for this user name from this address; "
                                      f"try again in {wait} seconds", wait, reason="login_throttled")
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except Unauthenticated:
                _failed(key)
                raise
            if response.status_code == 401:
                _failed(key)
            elif response.status_code < 400:
                _succeeded(key)
            return response

        return wrapper

    return decorate
