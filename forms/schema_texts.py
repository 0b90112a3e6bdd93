"""The problems of a form-js schema (forms/schema.py, forms/library.py), by code: code -> English msgid.

As bpmn/problem_texts.py does for BPMN files: each problem is a core.errors.Msg built by
`fm(code, **params)`, whose text is the msgid filled in (the English the API answers); web/messages.py
shows it in the user's language (Chinese in i18n/zh/deploy_problems.po). `loc` is where in the schema
(e.g. components[2]), `key` a form or field key: params, never translated.
"""
from __future__ import annotations

from typing import Any

from core.errors import Msg

TEXTS: dict[str, str] = {
    "form_not_object": "schema must be a JSON object",
    "form_components_root": "schema.components must be a list",
    "form_properties": "%(loc)s: properties must be an object of text values",
    "form_property_text": "%(loc)s: properties.%(name)s must be text",
    "form_components": "%(loc)s: components must be a list",
    "form_component": "%(loc)s: a component must be a JSON object",
    "form_type": "%(loc)s: unknown component type %(type)s",
    "form_group_path": "%(loc)s: invalid group path %(path)s",
    "form_list_path": "%(loc)s: dynamiclist needs a path (the list's data key), got %(path)s",
    "form_key_missing": "%(loc)s: %(type)s needs a key (a non-empty data field name), got %(key)s",
    "form_path_bound": "%(loc)s: path %(path)s is already bound to a field",
    "form_duplicate_key": "%(loc)s: duplicate key %(key)s",
    "form_validate": "%(loc)s: validate must be an object",
    "form_count": "%(loc)s: validate.%(name)s must be a non-negative integer, got %(raw)s",
    "form_number": "%(loc)s: validate.%(name)s must be a number, got %(raw)s",
    "form_bounds": "%(loc)s: validate.%(low)s %(low_value)s is greater than validate.%(high)s %(high_value)s",
    "form_validation_type": "%(loc)s: unknown validationType %(type)s (email, phone or custom)",
    "form_datetime_subtype": "%(loc)s: unknown datetime subtype %(subtype)s (date, time or datetime)",
    "form_pattern_text": "%(loc)s: validate.pattern must be a string",
    "form_pattern": "%(loc)s: invalid pattern %(pattern)s: %(error)s",
    "form_decimal_digits": "%(loc)s: decimalDigits must be a non-negative integer, got %(raw)s",
    "form_increment": "%(loc)s: increment must be a positive number, got %(raw)s",
    "form_values": "%(loc)s: values must be a list of {label, value}",
    "form_value_object": "%(loc)s: values[%(index)s] must be an object with a value",
    "form_value_type": "%(loc)s: values[%(index)s].value must be a string, number or boolean",
    "form_value_duplicate": "%(loc)s: duplicate option value %(value)s",
    "form_and_more": "%(first)s; %(rest)s",  # several problems of one form, each translated
    "form_key_format": "form key must be 1-100 letters, digits, '_' or '-'",
    # the shipped forms (forms/library.py)
    "form_library_key": "form key '%(key)s' must be letters, digits, '_' or '-'",
    "form_not_found": "form '%(key)s' not found (expected %(path)s)",
    "form_not_json": "form '%(key)s' is not valid JSON: %(error)s",
}


def joined(problems: list[str]) -> str:
    """Several problems as one message ("a; b; c"), each part still translated by its code."""
    out = problems[-1]
    for p in reversed(problems[:-1]):
        out = fm("form_and_more", first=p, rest=out)
    return out


def fm(code: str, **params: Any) -> Msg:
    """The schema problem `code` as a Msg: its English text with its code and params."""
    message = Msg(code, TEXTS[code] % {k: str(v) for k, v in params.items()} if params else TEXTS[code])
    message.params = params
    return message
