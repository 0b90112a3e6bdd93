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
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from core.errors import Msg
from forms.schema import (
    MULTI_VALUE_TYPES,
    OPTION_TYPES,
    Computed,
    Field,
    ListNode,
    Node,
    Obj,
    SchemaError,
    allowed_values,
    check_schema,
    compile_pattern,
    compile_schema,
    defaults,
    join,
    to_decimal,
)

__all__ = ["FormInvalid", "SchemaError", "validate", "redact", "check_schema", "defaults"]

# The WHATWG <input type=email> pattern, which form-js also uses.
EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
# International (+ or 00, country code, 7-15 digits in all) or a mainland China mobile number.
PHONE = re.compile(r"(?:\+|00)[1-9]\d{6,14}|1[3-9]\d{9}")
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?"
# Field messages are English (what the API answers) and carry a code and parameters, so a page
# shows them in the user's language (web/messages.py).
REQUIRED = Msg("required", "is required")
DATETIME_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "date": (re.compile(_DATE), Msg("date", "must be a date (YYYY-MM-DD)")),
    "time": (re.compile(_TIME), Msg("time", "must be a time (HH:MM)")),
    "datetime": (re.compile(_DATE + "T" + _TIME), Msg("date", "must be a date and time (YYYY-MM-DDTHH:MM)")),
}

_MISSING: Any = object()


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
        result = _node(node, data.get(name, _MISSING), prev.get(name, _MISSING), join(path, name), ctx)
        if result is not _MISSING:
            out[name] = result
    return out


def _node(node: Node, value: Any, previous: Any, path: str, ctx: _Ctx) -> Any:
    if _covered(node.schema_path, ctx.hidden):
        if value is not _MISSING:
            ctx.errors[path] = "hidden at this step"
        return _MISSING
    if isinstance(node, Computed):
        return _MISSING  # computed by the client: never trusted, never stored
    if isinstance(node, Obj):
        if value is _MISSING:
            _object(node, {}, previous, path, ctx)  # still reports required fields inside
            return _MISSING
        if not isinstance(value, dict):
            ctx.errors[path] = "must be an object"
            return _MISSING
        return _object(node, value, previous, path, ctx)
    editable = not node.readonly and (ctx.editable is None or _covered(node.schema_path, ctx.editable))
    if isinstance(node, ListNode):
        return _list(node, value, previous, path, editable, ctx)
    return _field(node, value, previous, path, editable, ctx)


def _field(node: Field, value: Any, previous: Any, path: str, editable: bool, ctx: _Ctx) -> Any:
    comp = node.component
    if not editable:
        baseline = previous if previous is not _MISSING else comp.get("defaultValue", _MISSING)
        if value is not _MISSING and not _same(value, baseline):
            ctx.errors[path] = "read-only at this step"
        return value
    required = bool((comp.get("validate") or {}).get("required")) and not node.conditional
    if value is _MISSING:
        # absent = unchanged: fine when an earlier step already filled it in
        if required and _same(previous, _MISSING):
            ctx.errors[path] = REQUIRED
        return _MISSING
    message = check_value(comp, value, ctx.options, required=required)
    if message:
        ctx.errors[path] = message
    return value


def _list(node: ListNode, value: Any, previous: Any, path: str, editable: bool, ctx: _Ctx) -> Any:
    if value is not _MISSING and value is not None and not isinstance(value, list):
        ctx.errors[path] = "must be a list"
        return _MISSING
    items: list[Any] = value if isinstance(value, list) else []
    if editable:
        prev_items = previous if isinstance(previous, list) else []
        _check_item_count(node, value is _MISSING, items, prev_items, path, ctx)
    else:
        if value is _MISSING:
            return _MISSING
        baseline = previous if previous is not _MISSING else node.component.get("defaultValue")
        prev_items = baseline if isinstance(baseline, list) else []
        if len(items) != len(prev_items):
            ctx.errors[path] = "read-only at this step"
            return value
    if value is _MISSING or value is None:
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


# ---------------------------------------------------------------------------------------------
# one value against one component


def _is_empty(ctype: str, comp: dict[str, Any], value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and not value.strip():
        return ctype != "number" or bool(comp.get("serializeToString"))
    if isinstance(value, list) and not value:
        return ctype in MULTI_VALUE_TYPES or ctype == "filepicker"
    return ctype == "checkbox" and value is False


def check_value(
    comp: dict[str, Any], value: Any, options: dict[str, list[Any]] | None = None, *, required: bool = False
) -> str | None:
    """The error message for one submitted value of one input component, or None."""
    ctype = comp["type"]
    if _is_empty(ctype, comp, value):
        return REQUIRED if required else None
    rules = comp.get("validate") or {}
    if ctype in ("textfield", "textarea"):
        return _check_text(rules, value)
    if ctype == "number":
        return _check_number(comp, rules, value)
    if ctype == "checkbox":
        return None if isinstance(value, bool) else "must be true or false"
    if ctype == "datetime":
        return _check_datetime(comp, value)
    if ctype in OPTION_TYPES:
        return _check_choice(comp, value, options)
    if ctype == "filepicker":
        ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        return None if ok else "must be a file reference"
    return None  # pragma: no cover - compile_schema admits only the types above


def _check_text(rules: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        return Msg("text", "must be text")
    length = len(value.strip())  # form-js measures the trimmed value
    if rules.get("minLength") is not None and length < rules["minLength"]:
        return Msg("min_length", f"must be at least {rules['minLength']} characters", min=rules["minLength"])
    if rules.get("maxLength") is not None and length > rules["maxLength"]:
        return Msg("max_length", f"must be at most {rules['maxLength']} characters", max=rules["maxLength"])
    pattern = rules.get("pattern")
    if pattern and not compile_pattern(pattern).fullmatch(value):
        return f"must match the pattern {pattern}"
    vtype = rules.get("validationType")
    if vtype == "email" and not EMAIL.fullmatch(value.strip()):
        return Msg("email", "must be a valid email address")
    if vtype == "phone" and not PHONE.fullmatch(re.sub(r"[\s-]", "", value)):
        return Msg("phone", "must be a valid phone number")
    return None


def _check_number(comp: dict[str, Any], rules: dict[str, Any], value: Any) -> str | None:
    if isinstance(value, str) and not comp.get("serializeToString"):
        return Msg("number", "must be a number")
    number = to_decimal(value)
    if number is None:
        return Msg("number", "must be a number")
    if rules.get("min") is not None and number < _dec(rules["min"]):
        return Msg("min_value", f"must be at least {rules['min']}", min=rules["min"])
    if rules.get("max") is not None and number > _dec(rules["max"]):
        return Msg("max_value", f"must be at most {rules['max']}", max=rules["max"])
    digits = comp.get("decimalDigits")
    if isinstance(digits, int) and digits >= 0:
        exponent = number.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > digits:
            return (Msg("whole_number", "must be a whole number") if digits == 0
                    else Msg("decimal_places", f"must have at most {digits} decimal places", max=digits))
    increment = comp.get("increment")
    if increment not in (None, "") and not _multiple_of(number, _dec(increment)):
        return f"must be a multiple of {increment}"
    return None


def _multiple_of(number: Decimal, step: Decimal) -> bool:
    with localcontext() as exact:
        exact.prec = 1000
        try:
            return number % step == 0
        except InvalidOperation:  # more digits than even that precision: not a sensible value
            return False


def _dec(raw: Any) -> Decimal:
    number = to_decimal(raw)
    assert number is not None  # guaranteed by check_schema
    return number


def _check_datetime(comp: dict[str, Any], value: Any) -> str | None:
    regex, message = DATETIME_FORMATS[comp.get("subtype", "date")]
    if not isinstance(value, str) or not regex.fullmatch(value):
        return message
    if comp.get("subtype", "date") != "time":
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            return message
    return None


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _check_choice(comp: dict[str, Any], value: Any, options: dict[str, list[Any]] | None) -> str | None:
    allowed = allowed_values(comp, options)
    if comp["type"] in MULTI_VALUE_TYPES:
        if not isinstance(value, list):
            return "must be a list"
        if not all(_scalar(v) for v in value):
            return "must be a list of values"
        if allowed is not None and not all(any(_same(v, a) for a in allowed) for v in value):
            return "contains a value that is not one of the allowed values"
        if any(_same(v, w) for i, v in enumerate(value) for w in value[i + 1 :]):
            return "contains a value twice"
        return None
    if not _scalar(value):
        return "must be a single value"
    if allowed is not None and not any(_same(value, a) for a in allowed):
        return Msg("not_allowed", "is not one of the allowed values")
    return None


def _same(a: Any, b: Any) -> bool:
    """JSON equality (no True == 1); missing, None, "" and [] are all 'no value'."""
    empty: tuple[Any, ...] = (None, "", [])
    if (a is _MISSING or any(a == e and type(a) is type(e) for e in empty)) and (
        b is _MISSING or any(b == e and type(b) is type(e) for e in empty)
    ):
        return True
    if a is _MISSING or b is _MISSING:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
