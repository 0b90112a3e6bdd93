"""The deploy check of names and operators in expressions (bpmn/expression_scope.py), fed with
the forms the version will carry (as shapes: fields, groups, dynamic lists and number fields)
and the sandbox's builtins."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from bpmn.expression_scope import check_names
from bpmn.expressions import NUMBER, Items, Record, Shape
from core.errors import Problem
from engine import sandbox
from forms.schema import Computed, Field, ListNode, Node, Obj, SchemaError, compile_schema


def _shape(node: Node) -> Shape:
    if isinstance(node, Obj):
        return Record({k: _shape(v) for k, v in node.children.items()}, "a form group")
    if isinstance(node, ListNode):
        return Items(Record({k: _shape(v) for k, v in node.item.children.items()}, "a line of the list"))
    if isinstance(node, Field) and node.component.get("type") == "number":
        return NUMBER
    assert isinstance(node, (Field, Computed))
    return None


def form_shapes(forms: Mapping[str, Any]) -> dict[str, Record]:
    """{form key: Record of its top-level fields} for every usable form-js schema."""
    out: dict[str, Record] = {}
    for key, schema in forms.items():
        try:
            root = compile_schema(schema)
        except SchemaError:
            continue  # reported by the form checks
        out[key] = Record({k: _shape(v) for k, v in root.children.items()}, f"form '{key}'")
    return out


def check(root: etree._Element, processes: Iterable[etree._Element], forms: Mapping[str, Any],
          configs: Mapping[str, Any] | None = None) -> list[Problem]:
    """Problems of the names and operators in the processes' expressions and scripts (`configs`: the
    document's `lz:` configurations, when read already)."""
    return check_names(root, processes, form_shapes(forms), frozenset(sandbox.BUILTINS), configs)
