"""The main menu entries the faces add (add_nav)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

NAV: list[tuple[str, str, Any, Callable[[dict[str, Any]], bool]]] = []


def add_nav(key: str, endpoint: str, label: Any, visible: Callable[[dict[str, Any]], bool] = lambda u: True) -> None:
    """A main-menu entry (label: a lazy_gettext string) for the users `visible` accepts."""
    if all(k != key for k, *_ in NAV):
        NAV.append((key, endpoint, label, visible))


def extra_nav(user: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "url": url_for(endpoint), "label": label}
            for key, endpoint, label, visible in NAV if visible(user)]
