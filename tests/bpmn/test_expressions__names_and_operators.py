"""bpmn/expressions.py and bpmn/expression_scope.py: what deploy refuses in an expression (unknown
names and keys, attribute access on process data, senseless operators) and what it accepts."""
from __future__ import annotations

import pytest
from lxml import etree

from bpmn.expression_scope import APPROVAL_RESULT, SERVICE_RESULT, check_names
from bpmn.expressions import NUMBER, Items, Record, check_source
from engine.sandbox import BUILTINS

LINES = Items(Record({"amount": NUMBER, "category": None}, "a line"))
SCOPE = {"amount": NUMBER, "title": None, "lines": LINES, "sup": APPROVAL_RESULT, "submit": SERVICE_RESULT}


def codes(source: str, mode: str = "eval") -> list[str]:
    return [f.code for f in check_source(source, mode, SCOPE, BUILTINS)]


@pytest.mark.parametrize("source", [
    'sup["outcome"] == "approved" and amount > 10000',
    'Decimal(submit["result"]["total"]) <= 5000',
    'sum(line["amount"] for line in lines) > 100 and len(title) < 5',
    'any(l.get("category") == "travel" for l in lines)',
    '(lambda x: x * 2)(amount) > 3 and sup.get("votes") is not None',
    'set(title) & {"a", "b"}',
    'amount >= 30000 or title in ("a", "b")',
])
def test_valid_expressions_pass(source):
    assert codes(source) == []


@pytest.mark.parametrize("source, code, param", [
    ("amout > 30000", "expr_unknown_name_hint", ("name", "amout")),
    ("nonsense_name == 1", "expr_unknown_name", ("name", "nonsense_name")),
    ('sup["outcom"] == "approved"', "expr_unknown_key", ("key", "outcom")),
    ('any(l["amout"] > 1 for l in lines)', "expr_unknown_key", ("key", "amout")),
    ('sup.outcome == "approved"', "expr_attribute", ("attr", "outcome")),
    ("amount >> 30000", "expr_operator", ("operator", ">>")),
    ("amount << 2 > 1", "expr_operator", ("operator", "<<")),
    ("~amount > 1", "expr_operator", ("operator", "~")),
    ("amount @ amount", "expr_operator", ("operator", "@")),
    ("amount > 1 & title", "expr_operator", ("operator", "&")),
    ("(amount > 1) | (amount < 0)", "expr_operator", ("operator", "|")),
    ('amount > "30000"', "expr_compare_text", ("literal", "30000")),
])
def test_refused_expressions_name_what_is_wrong(source, code, param):
    found = check_source(source, "eval", SCOPE, BUILTINS)
    assert [f.code for f in found] == [code], [str(f) for f in found]
    assert found[0].params[param[0]] == param[1]
    assert param[1] in str(found[0])


def test_unknown_name_suggests_the_closest_known_one():
    (found,) = check_source("amout > 1", "eval", SCOPE, BUILTINS)
    assert found.params["suggestion"] == "amount" and "did you mean 'amount'" in str(found)


def test_a_script_knows_what_it_assigns_but_not_typos():
    assert codes("total = amount * 2\nif total > 5:\n    flag = True\nresult = flag or total", "exec") == []
    assert codes("total = amount * 2\nresult = totl + 1", "exec") == ["expr_unknown_name_hint"]


def test_syntax_errors_are_left_to_the_sandbox_check():
    assert codes("amount >") == []


B = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _doc(body: str, start_form: bool = True) -> etree._Element:
    form = '<bpmn:extensionElements><lz:form key="f"/></bpmn:extensionElements>' if start_form else ""
    xml = (f'<bpmn:definitions xmlns:bpmn="{B}" xmlns:lz="urn:liuzhuan:bpmn:1" id="d" targetNamespace="t">'
           f'<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start">{form}</bpmn:startEvent>'
           f'{body}</bpmn:process></bpmn:definitions>')
    return etree.fromstring(xml.encode())


def _flow(fid: str, src: str, dst: str, cond: str = "") -> str:
    c = f"<bpmn:conditionExpression>{cond}</bpmn:conditionExpression>" if cond else ""
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">{c}</bpmn:sequenceFlow>'


def _task(tid: str) -> str:
    return (f'<bpmn:userTask id="{tid}"><bpmn:extensionElements><lz:approval mode="any"/>'
            f'<lz:assignees strategy="supervisor"/></bpmn:extensionElements></bpmn:userTask>')


FORMS = {"f": Record({"amount": NUMBER}, "form 'f'")}
ROUTED = ("{a}{b}<bpmn:exclusiveGateway id='gw'/><bpmn:endEvent id='end'/>"
          + _flow("f1", "start", "a") + _flow("f2", "a", "gw") + _flow("f3", "gw", "b", "{cond}")
          + _flow("f4", "gw", "end", "{other}") + _flow("f5", "b", "end"))


def _check(cond: str, other: str = "True", start_form: bool = True) -> list[tuple[str | None, str]]:
    root = _doc(ROUTED.format(a=_task("a"), b=_task("b"), cond=cond, other=other), start_form)
    return [(p.element_id, p.message.code) for p in check_names(root, [root[0]], FORMS, BUILTINS)]


def test_a_condition_may_read_the_start_form_and_nodes_before_it():
    assert _check('a["outcome"] == "approved" and amount > 5') == []


def test_a_condition_may_not_read_a_node_that_comes_after_it():
    assert _check('b["outcome"] == "approved"') == [("f3", "expr_unknown_name")]


def test_problems_name_the_flow():
    assert _check("amout > 5", "amount >> 5") == [("f3", "expr_unknown_name_hint"), ("f4", "expr_operator")]


def test_without_a_start_form_only_operators_are_checked():
    """Imported files (no lz:form on the start event) get their data from outside the file."""
    assert _check("anything_at_all > 5", start_form=False) == []
    assert _check("x >> 5", start_form=False) == [("f3", "expr_operator")]


def test_a_loop_makes_later_steps_known_to_earlier_conditions():
    body = (_task("a") + _task("b") + "<bpmn:exclusiveGateway id='gw'/><bpmn:endEvent id='end'/>"
            + _flow("f1", "start", "gw") + _flow("f2", "gw", "a", 'b.get("outcome") == "rejected"')
            + _flow("f3", "gw", "end", "True") + _flow("f4", "a", "b") + _flow("f5", "b", "gw"))
    root = _doc(body)
    assert check_names(root, [root[0]], FORMS, BUILTINS) == []


def test_names_after_a_call_activity_are_not_checked():
    body = ("<bpmn:callActivity id='call' calledElement='other'/><bpmn:endEvent id='end'/>"
            + _flow("f1", "start", "call") + _flow("f2", "call", "end", "returned_value > 1"))
    root = _doc(body)
    assert check_names(root, [root[0]], FORMS, BUILTINS) == []
