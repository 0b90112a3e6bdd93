"""Walking a form-js schema: every component, nested ones included, in document order."""
from __future__ import annotations

from typing import Any


def components(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The schema's components depth-first (a group before what it contains)."""
    out: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items or []:
            out.append(c)
            walk(c.get("components", []))

    walk((schema or {}).get("components", []))
    return out
