"""Small builders for form-js schemas in tests."""
from __future__ import annotations

from typing import Any

import pytest

from forms.validate import FormInvalid, validate


def form(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": "default", "id": "test_form", "schemaVersion": 16, "components": list(components)}


def comp(type_: str, key: str | None = None, **props: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type_, "id": f"Field_{key or type_}"}
    if key is not None:
        out["key"] = key
    out.update(props)
    return out


def errors(schema: dict[str, Any], data: Any, **kwargs: Any) -> dict[str, str]:
    """The per-field errors validate() raises (fails the test if it does not raise)."""
    with pytest.raises(FormInvalid) as info:
        validate(schema, data, **kwargs)
    return info.value.fields


def ok(schema: dict[str, Any], data: Any, **kwargs: Any) -> dict[str, Any]:
    return validate(schema, data, **kwargs)
