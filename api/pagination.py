"""`?page=&per_page=` for list routes; lists answer {"items": [...], "total", "page", "per_page"}."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request

from api.errors import ApiError
from web.paging import MAX_PAGE

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def limit(self) -> int:
        return self.per_page

    def result(self, items: list[Any], total: int) -> dict[str, Any]:
        return {"items": items, "total": total, "page": self.page, "per_page": self.per_page}


def _int_arg(name: str, default: int, low: int, high: int, fields: dict[str, str]) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9) or not low <= int(text) <= high:
        fields[name] = f"an integer from {low} to {high}"
        return default
    return int(text)


def page_args() -> Page:
    """The requested page; 400 naming page/per_page when either is not a valid number."""
    fields: dict[str, str] = {}
    page = _int_arg("page", 1, 1, MAX_PAGE, fields)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, fields)
    if fields:
        raise ApiError(400, "bad_request", "invalid pagination parameters", fields)
    return Page(page, per_page)
