"""Property: for a random valid form-js schema and random valid data, validate() returns the data
unchanged; putting one invalid value into one field yields an error naming exactly that path."""
from __future__ import annotations

import itertools
import string
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.validate import FormInvalid, check_schema, validate

ABSENT: Any = object()
LETTERS = string.ascii_lowercase
WORDS = st.text(alphabet=LETTERS + "流转审批报销", min_size=1, max_size=12)


class Leaf:
    """One generated input component, a valid value for it (or ABSENT) and ways to break it."""

    def __init__(self, component: dict[str, Any], value: Any, invalid: st.SearchStrategy[Any]):
        self.component, self.value, self.invalid = component, value, invalid


@st.composite
def text_leaf(draw, key: str) -> Leaf:
    ctype = draw(st.sampled_from(["textfield", "textarea"]))
    required = draw(st.booleans())
    lo = draw(st.none() | st.integers(0, 3))
    hi = draw(st.none() | st.integers(max(lo or 0, 1), 12))
    pattern = draw(st.sampled_from([None, "[a-z]+", r"[a-z]{1,12}"]))
    rules: dict[str, Any] = {"required": required}
    if lo is not None:
        rules["minLength"] = lo
    if hi is not None:
        rules["maxLength"] = hi
    if pattern:
        rules["pattern"] = pattern
    alphabet = LETTERS if pattern else LETTERS + "流转审批报销"
    low = max(lo or 0, 1 if (required or pattern) else 0)
    value = draw(st.text(alphabet=alphabet, min_size=low, max_size=hi if hi is not None else 12))
    bad = [st.integers(), st.booleans(), st.lists(st.just("a"), min_size=1, max_size=2)]
    if hi is not None:
        bad.append(st.just("a" * (hi + 1)))
    if lo is not None and lo >= 2:
        bad.append(st.just("a" * (lo - 1)))
    if pattern:
        bad.append(st.just("ABC"))
    if required:
        bad.append(st.sampled_from([None, ""]))
    return Leaf({"type": ctype, "key": key, "label": key, "validate": rules}, value, st.one_of(bad))


@st.composite
def number_leaf(draw, key: str) -> Leaf:
    lo = draw(st.integers(-100, 100))
    hi = draw(st.integers(lo, lo + 500))
    digits = draw(st.sampled_from([None, 0, 2]))
    as_string = draw(st.booleans())
    places = 0 if digits == 0 else 2
    d = draw(st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False, allow_infinity=False))
    value: Any = str(d) if as_string else (int(d) if places == 0 else float(d))
    comp: dict[str, Any] = {"type": "number", "key": key, "validate": {"required": draw(st.booleans()), "min": lo, "max": hi}}
    if digits is not None:
        comp["decimalDigits"] = digits
    if as_string:
        comp["serializeToString"] = True
    bad = [st.just("abc"), st.just([1]), st.just(lo - 1), st.just(hi + 1), st.just(True)]
    if not as_string:
        bad.append(st.just(f"{lo},5"))  # typed text with a comma that is not a thousands separator
    if digits == 0:
        bad.append(st.just(float(Decimal(lo) + Decimal("0.5"))))
    return Leaf(comp, value, st.one_of(bad))


@st.composite
def choice_leaf(draw, key: str, options: dict[str, list[Any]]) -> Leaf:
    ctype = draw(st.sampled_from(["select", "radio", "checklist", "taglist"]))
    values = draw(st.lists(WORDS, min_size=1, max_size=4, unique=True))
    required = draw(st.booleans())
    comp: dict[str, Any] = {"type": ctype, "key": key, "validate": {"required": required}}
    listed = [{"label": v.upper(), "value": v} for v in values]
    if draw(st.booleans()):
        comp["values"] = listed
    else:
        comp["valuesKey"] = f"opts_{key}"
        options[f"opts_{key}"] = listed
    if ctype in ("checklist", "taglist"):
        value: Any = draw(st.lists(st.sampled_from(values), min_size=1 if required else 0, unique=True))
        bad = st.sampled_from([["not-an-option"], "not-a-list", [values[0], values[0]], [{"x": 1}]])
    else:
        value = draw(st.sampled_from(values))
        bad = st.sampled_from(["not-an-option", 42, ["x"]])
    return Leaf(comp, value, bad)


@st.composite
def small_leaf(draw, key: str) -> Leaf:
    kind = draw(st.sampled_from(["checkbox", "date", "time", "datetime"]))
    required = draw(st.booleans())
    if kind == "checkbox":
        value = True if required else draw(st.booleans())
        return Leaf({"type": "checkbox", "key": key, "validate": {"required": required}}, value,
                    st.sampled_from(["yes", 1, [True]]))
    day = draw(st.dates()).isoformat() if kind != "time" else ""
    if len(day) != 10:  # years before 1000 / after 9999 are not YYYY
        day = "2026-03-01"
    clock = draw(st.times()).strftime("%H:%M")
    value = {"date": day, "time": clock, "datetime": f"{day}T{clock}"}[kind]
    return Leaf({"type": "datetime", "key": key, "subtype": kind, "validate": {"required": required}}, value,
                st.sampled_from(["not-a-date", "2026-02-30T25:61", 20260301]))


def leaf(key: str, options: dict[str, list[Any]]) -> st.SearchStrategy[Leaf]:
    return st.one_of(text_leaf(key), number_leaf(key), choice_leaf(key, options), small_leaf(key))


@st.composite
def schema_and_data(draw):
    """(schema, data, options, slots) where each slot is (data path, invalid-value strategy)."""
    counter = itertools.count()
    options: dict[str, list[Any]] = {}
    slots: list[tuple[tuple[Any, ...], st.SearchStrategy[Any]]] = []

    def fill(container: dict[str, Any], prefix: tuple[Any, ...], depth: int) -> list[dict[str, Any]]:
        components: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(1 if depth else 0, 4))):
            kind = draw(st.sampled_from(["leaf", "leaf", "leaf", "group", "list"] if depth < 2 else ["leaf"]))
            if kind == "leaf":
                key = f"f{next(counter)}"
                item = draw(leaf(key, options))
                components.append(item.component)
                if item.value is not ABSENT and (item.component["validate"]["required"] or draw(st.booleans())):
                    container[key] = item.value
                slots.append((prefix + (key,), item.invalid))
            elif kind == "group":
                group: dict[str, Any] = {"type": "group", "label": "组", "components": []}
                if draw(st.booleans()):
                    path = f"g{next(counter)}"
                    group["path"] = path
                    container[path] = {}
                    group["components"] = fill(container[path], prefix + (path,), depth + 1)
                else:
                    group["components"] = fill(container, prefix, depth + 1)
                components.append(group)
            else:
                path = f"l{next(counter)}"
                n_items = draw(st.integers(0, 3))
                items: list[dict[str, Any]] = [{} for _ in range(max(n_items, 1))]
                # the item components are generated together with item 0; later items get simple
                # valid values built from the same components (see _valid_item)
                before = len(slots)
                comps = fill(items[0], prefix + (path, 0), 2)
                for i in range(1, n_items):
                    items[i] = _valid_item(comps, options)
                    slots.extend((prefix + (path, i, k), _invalid_for(comps, k)) for k in items[i])
                if n_items == 0:
                    del slots[before:]
                    items = []
                container[path] = items
                components.append({"type": "dynamiclist", "path": path, "isRepeating": True, "components": comps,
                                   "validate": {"minItems": 0, "maxItems": 3}})
        return components

    data: dict[str, Any] = {}
    components = fill(data, (), 0)
    schema = {"type": "default", "id": "generated", "schemaVersion": 16, "components": components}
    return schema, data, options, slots


def _invalid_for(components: list[dict[str, Any]], key: str) -> st.SearchStrategy[Any]:
    comp = next(c for c in components if c.get("key") == key)
    if comp["type"] == "checkbox":
        return st.just("yes")
    if comp["type"] in ("textfield", "textarea"):
        return st.just(12)
    return st.just({"not": "valid"})


def _valid_item(components: list[dict[str, Any]], options: dict[str, list[Any]]) -> dict[str, Any]:
    """A further valid item for a dynamiclist: the required fields only, each with the simplest
    value its constraints allow (item components are leaves: lists nest no deeper)."""
    item: dict[str, Any] = {}
    for comp in components:
        if "key" not in comp or not comp["validate"].get("required"):
            continue
        t = comp["type"]
        if t in ("textfield", "textarea"):
            n = max(comp["validate"].get("minLength", 1), 1)
            item[comp["key"]] = "a" * n
        elif t == "number":
            lo = comp["validate"]["min"]
            item[comp["key"]] = str(lo) if comp.get("serializeToString") else lo
        elif t == "checkbox":
            item[comp["key"]] = True
        elif t == "datetime":
            item[comp["key"]] = {"date": "2026-03-01", "time": "09:30", "datetime": "2026-03-01T09:30"}[comp["subtype"]]
        else:
            listed = comp.get("values") or options[comp["valuesKey"]]
            first = listed[0]["value"]
            item[comp["key"]] = [first] if t in ("checklist", "taglist") else first
    return item


def _put(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(schema_and_data())
def test_valid_data_comes_back_unchanged(case):
    schema, data, options, _ = case
    assert check_schema(schema) == []
    assert validate(schema, data, options=options) == data


@SETTINGS
@given(schema_and_data(), st.data())
def test_one_invalid_value_is_reported_at_exactly_its_path(case, pick):
    schema, data, options, slots = case
    if not slots:
        return
    path, invalid = pick.draw(st.sampled_from(slots))
    _put(data, path, pick.draw(invalid))
    try:
        validate(schema, data, options=options)
    except FormInvalid as exc:
        assert list(exc.fields) == [".".join(str(p) for p in path)]
    else:
        raise AssertionError(f"{path} accepted an invalid value")
