"""Every shipped form is bilingual: `label` (or a datetime's `dateLabel`) stays Chinese and
`properties.label_en` carries the English label the worklist shows in English (it swaps
`label` for `properties.label_<locale>`). check_schema accepts form-js's `properties`."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from forms.validate import check_schema

SCHEMAS = sorted((Path(__file__).resolve().parents[2] / "forms" / "schemas").glob("*.json"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def components(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items:
            out.append(c)
            walk(c.get("components", []))

    walk(schema["components"])
    return out


def test_the_seven_processes_and_the_example_ship_forms():
    assert {p.stem for p in SCHEMAS} >= {"leave_request", "expense_reimbursement", "service_ticket",
                                          "contract_countersign", "agent_settlement", "trial_account",
                                          "vip_customer", "general_approval"}


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_every_labelled_component_has_a_chinese_label_and_an_english_one(path):
    schema = json.loads(path.read_text("utf-8"))
    assert check_schema(schema) == []
    labelled = [c for c in components(schema) if c.get("label") or c.get("dateLabel")]
    assert labelled, "the form has labelled fields"
    for c in labelled:
        shown = c.get("label") or c.get("dateLabel")
        where = f"{path.stem}: {c.get('key') or c.get('path')}"
        assert CJK.search(shown), f"{where}: label {shown!r} is Chinese"
        assert " / " not in shown, f"{where}: the English half moved to properties.label_en"
        english = (c.get("properties") or {}).get("label_en")
        assert isinstance(english, str) and english.strip(), f"{where}: properties.label_en missing"
        assert not CJK.search(english), f"{where}: label_en {english!r} is English"


def test_check_schema_accepts_text_properties_and_refuses_other_shapes():
    ok = {"components": [{"type": "textfield", "key": "a", "label": "甲",
                          "properties": {"label_en": "A", "hint": "x"}}]}
    assert check_schema(ok) == []
    not_object = {"components": [{"type": "textfield", "key": "a", "properties": ["label_en"]}]}
    assert check_schema(not_object) == ["components[0]: properties must be an object of text values"]
    not_text = {"components": [{"type": "text", "text": "x", "properties": {"label_en": 3}}]}
    assert check_schema(not_text) == ["components[0]: properties.label_en must be text"]
