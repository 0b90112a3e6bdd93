"""A form-js `filepicker` field's value: a list of file references `{id, name, size, sha256,
content_type}` (files/), checked against the limits set on the field:

* `multiple` (form-js): several files, else at most one;
* `accept` (form-js, as on `<input type=file>`): `.pdf,.png,image/*` — an extension or a type;
* `properties.maxSizeMb`: the largest file, in MB (default: no limit beyond the upload cap);
* `properties.maxFiles`: how many files at most.

The engine replaces what the client sent by the stored file's own record before this runs, so the
size and type checked here are the server's. Pure functions.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import Msg
from forms.schema import Field, ListNode, Obj, SchemaError, compile_schema, join

REF_KEYS = ("id", "name", "size", "sha256", "content_type")


def is_ref(item: Any) -> bool:
    return (isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("name"), str)
            and isinstance(item.get("size"), int) and isinstance(item.get("sha256"), str)
            and isinstance(item.get("content_type"), str))


def _accepts(accept: str, ref: dict[str, Any]) -> bool:
    name, ctype = ref["name"].lower(), ref["content_type"].lower()
    for raw in accept.split(","):
        rule = raw.strip().lower()
        if not rule:
            continue
        if rule.startswith("."):
            if name.endswith(rule):
                return True
        elif rule.endswith("/*"):
            if ctype.startswith(rule[:-1]):
                return True
        elif ctype == rule:
            return True
    return False


def _max_bytes(comp: dict[str, Any]) -> int | None:
    raw = (comp.get("properties") or {}).get("maxSizeMb")
    try:
        mb = Decimal(str(raw)) if raw not in (None, "") else None
    except InvalidOperation:
        return None
    return int(mb * 1024 * 1024) if mb is not None and mb > 0 else None


def check_files(comp: dict[str, Any], value: Any) -> str | None:
    """The error message for a file field's value (not empty), or None."""
    if not isinstance(value, list) or not all(is_ref(v) for v in value):
        return Msg("file_ref", "must be a list of uploaded files")
    props = comp.get("properties") or {}
    most = 1 if not comp.get("multiple") else props.get("maxFiles")
    if isinstance(most, int | str) and str(most).isdigit() and len(value) > int(most):
        return Msg("too_many_files", f"at most {int(most)} file(s)", max=int(most))
    limit = _max_bytes(comp)
    accept = comp.get("accept")
    for ref in value:
        if limit is not None and ref["size"] > limit:
            return Msg("file_too_large", f"{ref['name']}: at most {props.get('maxSizeMb')} MB",
                       name=ref["name"], max_mb=props.get("maxSizeMb"))
        if isinstance(accept, str) and accept.strip() and not _accepts(accept, ref):
            return Msg("file_type", f"{ref['name']}: only {accept}", name=ref["name"], accept=accept)
    return None


def map_files(schema: dict[str, Any], data: dict[str, Any],
              fn: Callable[[str, str, list[Any]], list[Any]]) -> dict[str, Any]:
    """A copy of `data` with every file field's value (a list) replaced by `fn(schema_path,
    data_path, value)`: top-level fields (`docs`, `docs`), inside groups with a path and in every
    item of a dynamic list (`lines.invoice`, `lines.2.invoice`). Other values are kept as they are."""
    try:
        tree = compile_schema(schema)
    except SchemaError:
        return data
    return _map_obj(tree, data, "", fn)


def _map_obj(obj: Obj, data: dict[str, Any], path: str, fn: Callable[[str, str, list[Any]], list[Any]]
             ) -> dict[str, Any]:
    out = dict(data)
    for name, node in obj.children.items():
        value = data.get(name)
        here = join(path, name)
        if isinstance(node, Field) and node.component.get("type") == "filepicker" and isinstance(value, list):
            out[name] = fn(node.schema_path, here, value)
        elif isinstance(node, Obj) and isinstance(value, dict):
            out[name] = _map_obj(node, value, here, fn)
        elif isinstance(node, ListNode) and isinstance(value, list):
            out[name] = [_map_obj(node.item, item, join(here, i), fn) if isinstance(item, dict) else item
                         for i, item in enumerate(value)]
    return out
