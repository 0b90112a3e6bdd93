"""The form schemas shipped with the processes: `forms/schemas/<key>.json`, keyed like `lz:form key=`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forms.schema_texts import fm
from forms.validate import check_schema

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def load(key: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(schema, problems): (None, [why]) when the form does not exist or is not a usable form-js schema."""
    if not key or not key.replace("_", "").replace("-", "").isalnum():
        return None, [fm("form_library_key", key=key)]
    path = SCHEMA_DIR / f"{key}.json"
    if not path.is_file():
        return None, [fm("form_not_found", key=key, path=path.relative_to(SCHEMA_DIR.parent.parent))]
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return None, [fm("form_not_json", key=key, error=e)]
    problems = check_schema(schema)
    return (None, problems) if problems else (schema, [])


def keys() -> list[str]:
    return sorted(p.stem for p in SCHEMA_DIR.glob("*.json"))
