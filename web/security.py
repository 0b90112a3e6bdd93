"""CSRF protection (Flask-WTF) for every form post and page script, and the login rate limits
(Flask-Limiter) shared by the login page and the API's token endpoint."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def limit_logins(username_of: Callable[[], str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Failed logins (answered 401) are limited per user name and per client address; a correct
    password is never held back. Exceeding a limit answers 429."""

    def failed(response: Any) -> bool:
        return response.status_code == 401

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view = limiter.limit(lambda: current_app.config["LOGIN_IP_LIMIT"], methods=["POST"],
                             deduct_when=failed)(view)
        return limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], deduct_when=failed,
                             key_func=lambda: "login:" + (username_of() or "").strip().lower())(view)

    return decorate
