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


def field_paths(schema: dict[str, Any] | None) -> list[str]:
    """The data paths of the schema's keyed fields (`customer.level` inside a group with `path`
    customer, `lines.note` inside a dynamic list), as `redact` and `redact_schema` name them."""
    out: list[str] = []

    def walk(items: list[dict[str, Any]], prefix: str) -> None:
        for c in items or []:
            own = c.get("key") or c.get("path")
            path = f"{prefix}{own}" if own else prefix.rstrip(".")
            if c.get("key"):
                out.append(path)
            if isinstance(c.get("components"), list):
                walk(c["components"], f"{path}." if own else prefix)

    walk((schema or {}).get("components", []), "")
    return out
