"""Server-side validation of submitted form data against a form-js schema (DESIGN.md §4),
with the per-step field permissions of ``lz:fields editable/hidden`` (DESIGN.md §2).

    validate(schema, data, editable=..., hidden=..., previous=..., options=..., allow_extra=...)
        -> the cleaned data, or raises FormInvalid(fields={"lines.1.amount": "must be at least 0.01"})

Paths are dotted data paths with 0-based list indexes (``lines.1.amount`` is the amount of the
*second* expense line), as form-js's own value paths ``['lines', 1, 'amount']``.
See forms/README.md for every rule and decision. Pure functions.
"""
from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from forms.numbers import as_json_number, parse_number, too_precise
from forms.schema import (
    Computed,
    Field,
    ListNode,
    Node,
    Obj,
    SchemaError,
    check_schema,
    compile_schema,
    defaults,
    join,
)
from forms.values import MISSING, NUMBER_FORMAT, PRECISION, REQUIRED, same
from forms.values import check_value as check_value

__all__ = ["FormInvalid", "SchemaError", "validate", "redact", "check_schema", "defaults"]

class FormInvalid(Exception):
    """Submitted data does not fit the form. ``fields`` maps a dotted path to an English message."""

    def __init__(self, fields: Mapping[str, str]):
        self.fields: dict[str, str] = dict(fields)
        super().__init__("; ".join(f"{k or '(form)'}: {v}" for k, v in self.fields.items()))


@dataclass(frozen=True)
class _Ctx:
    editable: frozenset[str] | None
    hidden: frozenset[str]
    allow_extra: frozenset[str]
    options: dict[str, list[Any]] | None
    errors: dict[str, str]


def validate(
    schema: dict[str, Any],
    data: Any,
    *,
    editable: Collection[str] | None = None,
    hidden: Collection[str] = (),
    previous: dict[str, Any] | None = None,
    options: dict[str, list[Any]] | None = None,
    allow_extra: Collection[str] = (),
) -> dict[str, Any]:
    """Validate ``data`` against ``schema``; return the cleaned data or raise FormInvalid.

    ``editable``/``hidden`` are schema paths (``amount``, ``lines``, ``lines.note``; a path covers
    everything under it). ``editable=None`` means every field is editable. A non-editable field
    must be absent or equal to ``previous`` (or to its defaultValue when ``previous`` lacks it).
    ``options[valuesKey]`` supplies the allowed values of server-fed selects. ``allow_extra``
    names data keys that are not form fields but may pass through (copied unchanged).
    Raises SchemaError when the schema itself is broken.
    """
    root = compile_schema(schema)
    if not isinstance(data, dict):
        raise FormInvalid({"": "the submission must be a JSON object"})
    ctx = _Ctx(
        editable=None if editable is None else frozenset(editable),
        hidden=frozenset(hidden),
        allow_extra=frozenset(allow_extra),
        options=options,
        errors={},
    )
    out = _object(root, data, previous if isinstance(previous, dict) else {}, "", ctx)
    if ctx.errors:
        raise FormInvalid(ctx.errors)
    return out


def redact(data: dict[str, Any], hidden: Collection[str]) -> dict[str, Any]:
    """A copy of ``data`` without the ``hidden`` schema paths (``bank_account``, ``applicant.id``,
    ``lines.note`` — a path through a list applies to every item). ``data`` is not modified."""
    out = copy.deepcopy(data)
    for path in hidden:
        _remove(out, path.split("."))
    return out


def redact_schema(schema: dict[str, Any] | None, hidden: Collection[str]) -> dict[str, Any] | None:
    """A copy of a form-js schema without the components whose schema path `hidden` covers (the
    schema-side twin of `redact`: a hidden field's label does not reach the viewer either)."""
    if schema is None or not hidden:
        return schema

    def covered(path: str) -> bool:
        return any(path == h or path.startswith(h + ".") for h in hidden)

    def walk(components: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
        out = []
        for c in components:
            own = c.get("key") or c.get("path")
            path = f"{prefix}{own}" if own else prefix.rstrip(".")
            if own and covered(path):
                continue
            copy = dict(c)
            if isinstance(c.get("components"), list):
                copy["components"] = walk(c["components"], f"{path}." if c.get("path") else prefix)
            out.append(copy)
        return out

    return {**schema, "components": walk(list(schema.get("components") or []), "")}


def _remove(node: Any, segments: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _remove(item, segments)
    elif isinstance(node, dict):
        head, rest = segments[0], segments[1:]
        if not rest:
            node.pop(head, None)
        elif head in node:
            _remove(node[head], rest)


# ---------------------------------------------------------------------------------------------
# walking the data alongside the compiled schema


def _covered(schema_path: str, paths: frozenset[str]) -> bool:
    """Is ``schema_path`` one of ``paths`` or under one of them?"""
    if schema_path in paths:
        return True
    parts = schema_path.split(".")
    return any(".".join(parts[:n]) in paths for n in range(1, len(parts)))


def _object(obj: Obj, data: dict[str, Any], previous: Any, path: str, ctx: _Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in obj.children:
            continue
        here = join(path, key)
        if here in ctx.allow_extra or join(obj.schema_path, key) in ctx.allow_extra:
            out[key] = value
        else:
            ctx.errors[here] = "not a field of this form"
    prev = previous if isinstance(previous, dict) else {}
    for name, node in obj.children.items():
        result = _node(node, data.get(name, MISSING), prev.get(name, MISSING), join(path, name), ctx)
        if result is not MISSING:
            out[name] = result
    return out


def _node(node: Node, value: Any, previous: Any, path: str, ctx: _Ctx) -> Any:
    if _covered(node.schema_path, ctx.hidden):
        if value is not MISSING:
            ctx.errors[path] = "hidden at this step"
        return MISSING
    if isinstance(node, Computed):
        return MISSING  # computed by the client: never trusted, never stored
    if isinstance(node, Obj):
        if value is MISSING:
            _object(node, {}, previous, path, ctx)  # still reports required fields inside
            return MISSING
        if not isinstance(value, dict):
            ctx.errors[path] = "must be an object"
            return MISSING
        return _object(node, value, previous, path, ctx)
    editable = not node.readonly and (ctx.editable is None or _covered(node.schema_path, ctx.editable))
    if isinstance(node, ListNode):
        return _list(node, value, previous, path, editable, ctx)
    return _field(node, value, previous, path, editable, ctx)


def _field(node: Field, value: Any, previous: Any, path: str, editable: bool, ctx: _Ctx) -> Any:
    comp = node.component
    if not editable:
        baseline = previous if previous is not MISSING else comp.get("defaultValue", MISSING)
        if value is not MISSING and not same(value, baseline):
            ctx.errors[path] = "read-only at this step"
        return value
    required = bool((comp.get("validate") or {}).get("required")) and not node.conditional
    if value is MISSING:
        # absent = unchanged: fine when an earlier step already filled it in
        if required and same(previous, MISSING):
            ctx.errors[path] = REQUIRED
        return MISSING
    if comp["type"] == "number" and isinstance(value, str) and value.strip():
        # typed text such as "50,000" or "５０，０００" is the number it means; "1,2" is refused
        number = parse_number(value)
        as_text = bool(comp.get("serializeToString"))
        if number is not None and not as_text and too_precise(number):
            ctx.errors[path] = PRECISION
            return value
        typed = None if number is None else str(number) if as_text else as_json_number(number)
        if typed is None:
            ctx.errors[path] = NUMBER_FORMAT
            return value
        value = typed
    message = check_value(comp, value, ctx.options, required=required)
    if message:
        ctx.errors[path] = message
    return value


def _list(node: ListNode, value: Any, previous: Any, path: str, editable: bool, ctx: _Ctx) -> Any:
    if value is not MISSING and value is not None and not isinstance(value, list):
        ctx.errors[path] = "must be a list"
        return MISSING
    items: list[Any] = value if isinstance(value, list) else []
    if editable:
        prev_items = previous if isinstance(previous, list) else []
        _check_item_count(node, value is MISSING, items, prev_items, path, ctx)
    else:
        if value is MISSING:
            return MISSING
        baseline = previous if previous is not MISSING else node.component.get("defaultValue")
        prev_items = baseline if isinstance(baseline, list) else []
        if len(items) != len(prev_items):
            ctx.errors[path] = "read-only at this step"
            return value
    if value is MISSING or value is None:
        return value
    out: list[Any] = []
    for i, item in enumerate(items):
        here = join(path, i)
        if not isinstance(item, dict):
            ctx.errors[here] = "must be an object"
            out.append(item)
            continue
        out.append(_object(node.item, item, prev_items[i] if i < len(prev_items) else {}, here, ctx))
    return out


def _check_item_count(node: ListNode, absent: bool, items: list[Any], prev_items: list[Any], path: str,
                      ctx: _Ctx) -> None:
    """required / minItems / maxItems of an editable list (absent with earlier items: kept as they were)."""
    rules = node.component.get("validate") or {}
    unchanged = absent and bool(prev_items)  # absent = keep the earlier items
    if not (node.conditional and not items) and not unchanged:
        if rules.get("required") and not items:
            ctx.errors[path] = REQUIRED
        elif rules.get("minItems") is not None and len(items) < rules["minItems"]:
            ctx.errors[path] = f"must have at least {rules['minItems']} items"
    if rules.get("maxItems") is not None and len(items) > rules["maxItems"]:
        ctx.errors[path] = f"must have at most {rules['maxItems']} items"
