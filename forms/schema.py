"""form-js (bpmn.io) schemas: component kinds, where each component's value lives, and the
checks run on a schema itself (``check_schema``) before any data is validated against it.

A schema is compiled into a tree that mirrors the *data* it describes:

- ``Obj``      a JSON object (the form itself, a ``group`` with a ``path``, the parents of a
               dotted key such as ``applicant.name``, or one item of a ``dynamiclist``);
- ``Field``    an input component (textfield, number, select, ...) bound to one key;
- ``ListNode`` a ``dynamiclist``: a list of objects, each described by ``item``;
- ``Computed`` an ``expression`` component: its value is computed by the client, never trusted.

Every node carries its *schema path*: the dotted data path without list indexes
(``lines.amount``), which is what ``lz:fields editable/hidden`` name.
Pure functions; no database, Flask or SpiffWorkflow.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import regex

from forms.schema_texts import fm

INPUT_TYPES = frozenset(
    {"textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "taglist", "datetime", "filepicker"}
)
CONTAINER_TYPES = frozenset({"group", "dynamiclist"})
COMPUTED_TYPES = frozenset({"expression"})
DISPLAY_TYPES = frozenset(
    {"text", "html", "image", "spacer", "separator", "button", "iframe", "table", "documentPreview"}
)
KNOWN_TYPES = INPUT_TYPES | CONTAINER_TYPES | COMPUTED_TYPES | DISPLAY_TYPES

OPTION_TYPES = frozenset({"checklist", "radio", "select", "taglist"})
MULTI_VALUE_TYPES = frozenset({"checklist", "taglist"})
DATETIME_SUBTYPES = frozenset({"date", "time", "datetime"})
VALIDATION_TYPES = frozenset({"email", "phone", "custom", ""})


class SchemaError(ValueError):
    """The schema itself is broken (not the submitted data). ``problems`` lists every issue."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid form schema: " + "; ".join(problems))
        self.problems = list(problems)


@dataclass
class Field:
    component: dict[str, Any]
    schema_path: str
    readonly: bool = False  # static readonly/disabled on the component or an enclosing container
    conditional: bool = False  # the component or a container has `conditional.hide`


@dataclass
class Computed:
    component: dict[str, Any]
    schema_path: str


@dataclass
class Obj:
    schema_path: str
    children: dict[str, Node] = field(default_factory=dict)


@dataclass
class ListNode:
    component: dict[str, Any]
    schema_path: str
    item: Obj
    readonly: bool = False
    conditional: bool = False


Node = Field | Computed | Obj | ListNode


# ---------------------------------------------------------------------------------------------
# small shared helpers


def join(prefix: str, *segments: str | int) -> str:
    parts = [prefix] if prefix else []
    parts.extend(str(s) for s in segments)
    return ".".join(parts)


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number or numeric string as a Decimal; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str) and NUMERIC_STRING.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the regex already excludes these
            return None
    return None


NUMERIC_STRING = re.compile(r"-?\d+(\.\d+)?")  # what form-js's serializeToString produces; no exponents
# A field's pattern is matched with the `regex` module: re backtracks exponentially on patterns an
# administrator may well write (`^(\w+\s?)*$`, `(a+)+$`: 3 s for 27 typed characters, hours for 40,
# one server thread pinned meanwhile); regex answers those at once and takes a timeout for the rest.
PATTERN_SECONDS = 0.25


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """Compile a form-js (JavaScript) ``validate.pattern`` (a ``regex.Pattern``; match it with
    ``timeout=PATTERN_SECONDS``). JavaScript named groups ``(?<name>...)`` are regex's own syntax;
    ``ASCII`` keeps ``\\d``/``\\w``/``\\s`` ASCII-only, as in JavaScript without the ``u`` flag.
    Raises regex.error."""
    return regex.compile(pattern, regex.ASCII | regex.VERSION0)


def allowed_values(component: dict[str, Any], options: dict[str, list[Any]] | None) -> list[Any] | None:
    """The values a select/radio/checklist/taglist accepts, or None when any scalar is accepted.

    ``valuesKey`` (options supplied by the server, e.g. CRM pickers) wins over static ``values``;
    a ``valuesKey`` the caller did not supply, or a ``valuesExpression`` (FEEL), accepts any scalar.
    Options may be ``{"label", "value"}`` objects or bare values.
    """
    key = component.get("valuesKey")
    if isinstance(key, str) and key:
        if options is not None and key in options:
            return [_option_value(o) for o in options[key]]
        return None
    if component.get("valuesExpression"):
        return None
    values = component.get("values")
    if isinstance(values, list):
        return [_option_value(o) for o in values]
    return None


def _option_value(option: Any) -> Any:
    return option.get("value") if isinstance(option, dict) else option


def _segments(path: Any) -> list[str] | None:
    if not isinstance(path, str):
        return None
    segments = path.split(".")
    if any(not s or s != s.strip() or any(c.isspace() for c in s) for s in segments):
        return None
    return segments


# ---------------------------------------------------------------------------------------------
# compiling a schema


def compile_schema(schema: Any) -> Obj:
    """The data tree of a schema; raises SchemaError listing every problem."""
    root, problems = _compile(schema)
    if problems:
        raise SchemaError(problems)
    return root


def check_schema(schema: Any) -> list[str]:
    """Problems in a schema itself (empty list = usable). Never raises."""
    return _compile(schema)[1]


def _compile(schema: Any) -> tuple[Obj, list[str]]:
    root = Obj("")
    problems: list[str] = []
    if not isinstance(schema, dict):
        return root, [fm("form_not_object")]
    components = schema.get("components")
    if not isinstance(components, list):
        return root, [fm("form_components_root")]
    _build(components, root, "components", problems, readonly=False, conditional=False)
    return root, problems


def _check_properties(comp: dict[str, Any], loc: str, problems: list[str]) -> None:
    """form-js custom ``properties``: an object of string keys to string values (the editor's
    "Custom properties"). Liuzhuan reads ``label_<locale>`` (e.g. ``label_en``) from it: the
    worklist shows that label instead of ``label`` in that language."""
    props = comp.get("properties")
    if props is None:
        return
    if not isinstance(props, dict):
        problems.append(fm("form_properties", loc=loc))
        return
    for name, value in props.items():
        if not isinstance(value, str):
            problems.append(fm("form_property_text", loc=loc, name=name))


def _build(components: Any, obj: Obj, where: str, problems: list[str], *, readonly: bool, conditional: bool) -> None:
    if not isinstance(components, list):
        problems.append(fm("form_components", loc=where))
        return
    for i, comp in enumerate(components):
        loc = f"{where}[{i}]"
        if not isinstance(comp, dict):
            problems.append(fm("form_component", loc=loc))
            continue
        ctype = comp.get("type")
        if ctype not in KNOWN_TYPES:
            problems.append(fm("form_type", loc=loc, type=repr(ctype)))
            continue
        _check_properties(comp, loc, problems)
        if ctype in DISPLAY_TYPES:
            continue
        ro = readonly or comp.get("readonly") is True or comp.get("disabled") is True
        hide = comp.get("conditional")
        cond = conditional or (isinstance(hide, dict) and bool(hide.get("hide")))
        if ctype == "group":
            target: Obj | None = obj
            if comp.get("path") not in (None, ""):
                segments = _segments(comp.get("path"))
                if segments is None:
                    problems.append(fm("form_group_path", loc=loc, path=repr(comp.get("path"))))
                    continue
                target = _descend(obj, segments, loc, problems)
            if target is not None:
                _build(comp.get("components", []), target, f"{loc}.components", problems, readonly=ro, conditional=cond)
            continue
        if ctype == "dynamiclist":
            segments = _segments(comp.get("path"))
            if segments is None:
                problems.append(fm("form_list_path", loc=loc, path=repr(comp.get("path"))))
                continue
            _check_list(comp, f"{loc} ({join(obj.schema_path, *segments)})", problems)
            parent = _descend(obj, segments[:-1], loc, problems)
            if parent is None:
                continue
            sp = join(parent.schema_path, segments[-1])
            node = ListNode(comp, sp, Obj(sp), readonly=ro, conditional=cond)
            if _place(parent, segments[-1], node, loc, problems):
                children = comp.get("components", [])
                _build(children, node.item, f"{loc}.components", problems, readonly=ro, conditional=cond)
            continue
        # input or expression component: bound to `key`
        segments = _segments(comp.get("key"))
        if segments is None:
            problems.append(fm("form_key_missing", loc=loc, type=ctype, key=repr(comp.get("key"))))
            continue
        if ctype in INPUT_TYPES:
            _check_input(comp, f"{loc} ({join(obj.schema_path, *segments)})", problems)
        parent = _descend(obj, segments[:-1], loc, problems)
        if parent is None:
            continue
        sp = join(parent.schema_path, segments[-1])
        leaf: Node = Computed(comp, sp) if ctype in COMPUTED_TYPES else Field(comp, sp, ro, cond)
        _place(parent, segments[-1], leaf, loc, problems)


def _descend(obj: Obj, segments: list[str], loc: str, problems: list[str]) -> Obj | None:
    for seg in segments:
        child = obj.children.get(seg)
        if child is None:
            child = Obj(join(obj.schema_path, seg))
            obj.children[seg] = child
        elif not isinstance(child, Obj):
            problems.append(fm("form_path_bound", loc=loc, path=repr(join(obj.schema_path, seg))))
            return None
        obj = child
    return obj


def _place(parent: Obj, name: str, node: Node, loc: str, problems: list[str]) -> bool:
    if name in parent.children:
        problems.append(fm("form_duplicate_key", loc=loc, key=repr(join(parent.schema_path, name))))
        return False
    parent.children[name] = node
    return True


def _check_validate(comp: dict[str, Any], loc: str, problems: list[str]) -> dict[str, Any]:
    rules = comp.get("validate", {})
    if rules is None:
        return {}
    if not isinstance(rules, dict):
        problems.append(fm("form_validate", loc=loc))
        return {}
    return rules


def _check_bounds(rules: dict[str, Any], low: str, high: str, loc: str, problems: list[str], *, counts: bool) -> None:
    values: dict[str, Decimal] = {}
    for name in (low, high):
        if name not in rules or rules[name] is None:
            continue
        raw = rules[name]
        number = to_decimal(raw) if not isinstance(raw, str) else None
        if counts and (number is None or number != number.to_integral_value() or number < 0):
            problems.append(fm("form_count", loc=loc, name=name, raw=repr(raw)))
        elif number is None:
            problems.append(fm("form_number", loc=loc, name=name, raw=repr(raw)))
        else:
            values[name] = number
    if low in values and high in values and values[low] > values[high]:
        problems.append(fm("form_bounds", loc=loc, low=low, low_value=rules[low], high=high, high_value=rules[high]))


def _check_input(comp: dict[str, Any], loc: str, problems: list[str]) -> None:
    ctype = comp["type"]
    rules = _check_validate(comp, loc, problems)
    _check_bounds(rules, "min", "max", loc, problems, counts=False)
    _check_bounds(rules, "minLength", "maxLength", loc, problems, counts=True)
    _check_pattern(rules.get("pattern"), loc, problems)
    vtype = rules.get("validationType")
    if vtype is not None and vtype not in VALIDATION_TYPES:
        problems.append(fm("form_validation_type", loc=loc, type=repr(vtype)))
    if ctype == "number":
        _check_number(comp, loc, problems)
    if ctype == "datetime":
        subtype = comp.get("subtype", "date")
        if subtype not in DATETIME_SUBTYPES:
            problems.append(fm("form_datetime_subtype", loc=loc, subtype=repr(subtype)))
    if ctype in OPTION_TYPES and "values" in comp and not comp.get("valuesKey") and not comp.get("valuesExpression"):
        _check_options(comp["values"], loc, problems)


def _check_pattern(pattern: Any, loc: str, problems: list[str]) -> None:
    if pattern in (None, ""):
        return
    if not isinstance(pattern, str):
        problems.append(fm("form_pattern_text", loc=loc))
        return
    try:
        compile_pattern(pattern)
    except regex.error as exc:
        problems.append(fm("form_pattern", loc=loc, pattern=repr(pattern), error=exc))


def _check_number(comp: dict[str, Any], loc: str, problems: list[str]) -> None:
    digits = comp.get("decimalDigits")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int) or digits < 0):
        problems.append(fm("form_decimal_digits", loc=loc, raw=repr(digits)))
    increment = comp.get("increment")
    if increment not in (None, ""):
        inc = to_decimal(increment)
        if inc is None or inc <= 0:
            problems.append(fm("form_increment", loc=loc, raw=repr(increment)))


def _check_options(values: Any, loc: str, problems: list[str]) -> None:
    """The static options of a select, radio, checklist or taglist."""
    if not isinstance(values, list):
        problems.append(fm("form_values", loc=loc))
        return
    seen: list[Any] = []
    for j, option in enumerate(values):
        value = _option_value(option)
        if not isinstance(option, dict) or "value" not in option:
            problems.append(fm("form_value_object", loc=loc, index=j))
        elif value is None or isinstance(value, dict | list):
            problems.append(fm("form_value_type", loc=loc, index=j))
        elif any(type(value) is type(s) and value == s for s in seen):
            problems.append(fm("form_value_duplicate", loc=loc, value=repr(value)))
        else:
            seen.append(value)


def _check_list(comp: dict[str, Any], loc: str, problems: list[str]) -> None:
    rules = _check_validate(comp, loc, problems)
    _check_bounds(rules, "minItems", "maxItems", loc, problems, counts=True)


# ---------------------------------------------------------------------------------------------
# defaults


def defaults(schema: Any) -> dict[str, Any]:
    """The ``defaultValue`` of each component, placed where its data lives.

    Groups with a ``path`` and dotted keys nest; a ``dynamiclist`` contributes its own
    ``defaultValue`` (a list) if it has one — the defaults of its item components are not
    expanded into items. Raises SchemaError for a broken schema.
    """
    return _defaults(compile_schema(schema))


def _defaults(obj: Obj) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, node in obj.children.items():
        if isinstance(node, Obj):
            sub = _defaults(node)
            if sub:
                out[name] = sub
        elif isinstance(node, Field | ListNode) and "defaultValue" in node.component:
            out[name] = node.component["defaultValue"]
    return out


def values_keys(schema: Any) -> set[str]:
    """The `valuesKey`s of a schema's selects (options the server supplies, e.g. CRM pickers)."""
    keys: set[str] = set()
    stack = list(schema.get("components") or []) if isinstance(schema, dict) else []
    while stack:
        comp = stack.pop()
        if not isinstance(comp, dict):
            continue
        if isinstance(comp.get("valuesKey"), str) and comp["valuesKey"]:
            keys.add(comp["valuesKey"])
        stack.extend(c for c in comp.get("components") or [] if isinstance(c, dict))
    return keys
