"""forms/display.py: a filled form as read-only rows for print."""
from __future__ import annotations

from forms.display import rows

SCHEMA = {"components": [
    {"type": "text", "text": "# 说明"},
    {"type": "textfield", "key": "title", "label": "标题", "properties": {"label_en": "Title"}},
    {"type": "number", "key": "amount", "label": "金额"},
    {"type": "select", "key": "kind", "label": "类型", "values": [{"value": "a", "label": "甲类"}]},
    {"type": "select", "key": "customer", "label": "客户", "valuesKey": "customers"},
    {"type": "checkbox", "key": "urgent", "label": "加急"},
    {"type": "textfield", "key": "empty", "label": "空"},
    {"type": "group", "label": "付款", "components": [{"type": "datetime", "key": "paid_at", "dateLabel": "付款日"}]},
    {"type": "group", "label": "无值的组", "components": [{"type": "textfield", "key": "nothing", "label": "x"}]},
    {"type": "dynamiclist", "path": "lines", "label": "明细", "components": [
        {"type": "number", "key": "amount", "label": "金额"}, {"type": "textfield", "key": "note", "label": "备注"}]},
]}


def test_labels_values_sections_and_tables():
    data = {"title": "采购", "amount": 50000.5, "kind": "a", "customer": 7, "urgent": False, "empty": "",
            "paid_at": "2026-11-30", "lines": [{"amount": 1200, "note": "高铁"}, {"amount": "12.5"}]}
    out = rows(SCHEMA, data, {"customers": [{"value": 7, "label": "上海某某网络科技"}]})
    assert out == [
        {"kind": "field", "label": "标题", "value": "采购"},
        {"kind": "field", "label": "金额", "value": "50,000.50"},
        {"kind": "field", "label": "类型", "value": "甲类"},
        {"kind": "field", "label": "客户", "value": "上海某某网络科技"},
        {"kind": "field", "label": "加急", "value": "否"},
        {"kind": "section", "label": "付款"},
        {"kind": "field", "label": "付款日", "value": "2026-11-30"},
        {"kind": "table", "label": "明细", "columns": ["金额", "备注"], "rows": [["1,200", "高铁"], ["12.50", ""]]},
    ]


def test_english_labels_and_what_is_left_out():
    out = rows(SCHEMA, {"title": "x", "kind": "zzz"}, locale="en")
    assert out == [{"kind": "field", "label": "Title", "value": "x"}, {"kind": "field", "label": "类型", "value": "zzz"}]
    assert rows(None, {"a": 1}) == [] and rows(SCHEMA, {}) == []
