"""A filled form-js form as read-only rows for print (the approval record PDF): labels in the
reader's language, choices shown by their labels, picked CRM records by their names, dynamic
lists (expense lines) as tables, groups as sections. Pure: the caller passes the data as that
reader may see it (hidden fields already removed) and the labels of the picked records.

    rows(schema, data, options={valuesKey: [{value, label}]}, locale="zh") -> list[Row]

A Row is {"kind": "field", "label", "value"} | {"kind": "section", "label"} |
{"kind": "table", "label", "columns": [label], "rows": [[text]]}; fields without a value are left
out, as is display-only content (text, images, separators).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

DISPLAY_ONLY = {"text", "html", "image", "spacer", "separator", "button", "iframe"}
CHOICES = {"select", "radio", "checklist", "taglist"}


def label_of(c: dict[str, Any], locale: str) -> str:
    props = c.get("properties") or {}
    return str(props.get(f"label_{locale}") or c.get("label") or c.get("dateLabel") or c.get("key")
               or c.get("path") or "")


def _number(value: Any) -> str:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,.2f}" if -d.as_tuple().exponent <= 2 else f"{d:,}"  # type: ignore[operator]


def _choice_labels(c: dict[str, Any], options: dict[str, list[dict[str, Any]]]) -> dict[Any, str]:
    values = c.get("values") or options.get(str(c.get("valuesKey") or ""), [])
    return {o.get("value"): str(o.get("label", o.get("value"))) for o in values if isinstance(o, dict)}


def text_of(c: dict[str, Any], value: Any, options: dict[str, list[dict[str, Any]]], yes_no: tuple[str, str]) -> str:
    """One value as the reader reads it."""
    kind = c.get("type")
    if value is None or value == "" or value == []:
        return ""
    if kind in CHOICES:
        labels = _choice_labels(c, options)
        items = value if isinstance(value, list) else [value]
        return "、".join(labels.get(v, str(v)) for v in items)
    if kind == "checkbox":
        return yes_no[0] if value else yes_no[1]
    if kind == "filepicker" and isinstance(value, list):  # file references: their names (hashes: the record)
        return "、".join(str(v.get("name")) if isinstance(v, dict) else str(v) for v in value)
    if kind == "number" and not isinstance(value, bool):
        return _number(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def rows(schema: dict[str, Any] | None, data: dict[str, Any], options: dict[str, list[dict[str, Any]]] | None = None,
         locale: str = "zh") -> list[dict[str, Any]]:
    options = options or {}
    yes_no = ("是", "否") if locale == "zh" else ("yes", "no")
    out: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]], scope: dict[str, Any]) -> None:
        for c in items or []:
            kind = c.get("type")
            if kind in DISPLAY_ONLY:
                continue
            if kind == "dynamiclist":
                out.append(_table(c, scope, options, locale, yes_no))
            elif kind == "group":
                inner = scope.get(c["path"], {}) if c.get("path") and isinstance(scope.get(c["path"]), dict) else scope
                start = len(out)
                walk(c.get("components", []), inner)
                if len(out) > start:  # a section only when something in it has a value
                    out.insert(start, {"kind": "section", "label": label_of(c, locale)})
            elif c.get("key"):
                text = text_of(c, scope.get(c["key"]), options, yes_no)
                if text:
                    out.append({"kind": "field", "label": label_of(c, locale), "value": text})

    walk((schema or {}).get("components", []), data)
    return [r for r in out if r["kind"] != "table" or r["rows"]]


def _table(c: dict[str, Any], scope: dict[str, Any], options: dict[str, list[dict[str, Any]]], locale: str,
           yes_no: tuple[str, str]) -> dict[str, Any]:
    cols = [x for x in c.get("components", []) if x.get("key") and x.get("type") not in DISPLAY_ONLY]
    items = scope.get(c.get("path") or "", [])
    body = [[text_of(x, item.get(x["key"]), options, yes_no) for x in cols]
            for item in (items if isinstance(items, list) else []) if isinstance(item, dict)]
    return {"kind": "table", "label": label_of(c, locale), "columns": [label_of(x, locale) for x in cols],
            "rows": body}
