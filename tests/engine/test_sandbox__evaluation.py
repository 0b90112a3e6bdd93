"""The sandbox must still run the expressions and scripts real processes use."""
from datetime import date
from decimal import Decimal

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.sandbox import (
    RestrictedEnvironment,
    SandboxViolation,
    _compile,
    check_expression,
    check_script,
    make_script_engine,
)

DATA = {
    "amount": 6000,
    "small": 10,
    "dept_countersign": {"outcome": "approved"},
    "node": {"outcome": "approved"},
    "lines": [{"amount": 50}, {"amount": 40}, {"amount": 30}],
    "tags": ["x", "y"],
    "missing": None,
    "due": "2024-01-01",
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("amount > 5000", True),
        ("small > 5000", False),
        ('dept_countersign["outcome"] == "approved"', True),
        ('node.get("outcome") == "approved"', True),
        ('node.get("nope", "dflt")', "dflt"),
        ("len(lines) > 2", True),
        ('sum(l["amount"] for l in lines) > 100', True),
        ('"x" in tags', True),
        ('"z" not in tags', True),
        ("missing is None", True),
        ("missing == None", True),
        ("amount is not None and amount > 1", True),
        ('"P2D"', "P2D"),
        ("  amount > 5000\n", True),  # conditions read from XML carry whitespace
        ("[l['amount'] for l in lines if l['amount'] > 35]", [50, 40]),
        ("{k: v for k, v in node.items()}", {"outcome": "approved"}),
        ("sorted(tags, reverse=True)[0]", "y"),
        ("max(l['amount'] for l in lines)", 50),
        ("round(amount / 7, 2)", 857.14),
        ("Decimal('1.10') + Decimal('2.20')", Decimal("3.30")),
        ("date.fromisoformat(due) + timedelta(days=2)", date(2024, 1, 3)),
        ("'ab' * 3", "ababab"),
        ("2 ** 10", 1024),
        ("list(range(3))", [0, 1, 2]),
        ("'-'.join(tags).upper()", "X-Y"),
        ("f'{amount} CNY'", "6000 CNY"),
        ("isinstance(amount, int) and abs(-amount) == amount", True),
        ("dict(enumerate(zip(tags, reversed(tags))))", {0: ("x", "y"), 1: ("y", "x")}),
        ("print('harmless') is None", True),
    ],
)
def test_expression_evaluates(expression, expected):
    assert check_expression(expression) is None
    assert RestrictedEnvironment().evaluate(expression, dict(DATA)) == expected


def run_script(script, data, **kwargs):
    assert check_script(script) is None
    RestrictedEnvironment(**kwargs).execute(script, data)
    return data


def test_script_writes_new_variables_into_task_data():
    data = run_script('total = sum(l["amount"] for l in lines)', {"lines": DATA["lines"]})
    assert data == {"lines": DATA["lines"], "total": 120}


def test_script_augmented_assignment():
    script = "x += 1\nname += '!'\nitems += [3]\ny = 10\ny -= 4\ny *= 2\ny //= 5\ny **= 3"
    data = run_script(script, {"x": 1, "name": "hi", "items": [1, 2]})
    assert data == {"x": 2, "name": "hi!", "items": [1, 2, 3], "y": 8}


def test_script_loops_unpacking_and_item_writes():
    script = (
        "out = {}\n"
        "for i, l in enumerate(lines):\n"
        "    a, b = i, l['amount']\n"
        "    out[str(a)] = b\n"
        "lines[0]['amount'] = 1\n"
        "del out['2']"
    )
    data = run_script(script, {"lines": [{"amount": 5}, {"amount": 6}, {"amount": 7}]})
    assert data["out"] == {"0": 5, "1": 6}
    assert data["lines"][0]["amount"] == 1


def test_script_leaves_no_functions_builtins_or_helpers_in_task_data():
    script = "def double(v):\n    return v * 2\nf = lambda v: v\nresult = double(amount)\nprint(result)"
    data = run_script(script, {"amount": 3})
    assert data == {"amount": 3, "result": 6}


def test_script_del_removes_variable():
    assert run_script("del scratch", {"scratch": 1, "keep": 2}) == {"keep": 2}


def test_registered_functions_are_callable_but_not_stored():
    engine_env = RestrictedEnvironment({"vat": lambda x: round(x * 0.13, 2)})
    assert engine_env.evaluate("vat(amount) > 10", {"amount": 100}) is True
    data = {"amount": 100}
    engine_env.execute("tax = vat(amount)", data)
    assert data == {"amount": 100, "tax": 13.0}


def test_task_data_may_not_shadow_registered_function():
    with pytest.raises(ValueError, match="vat"):
        RestrictedEnvironment({"vat": abs}).execute("x = 1", {"vat": 5})


@pytest.mark.parametrize("name", ["_private", "__import__", "not valid"])
def test_registered_function_names_are_checked(name):
    with pytest.raises(ValueError):
        make_script_engine({name: abs})


def test_external_context_is_visible_but_not_written_back():
    env = RestrictedEnvironment()
    assert env.evaluate("limit < amount", {"amount": 5}, {"limit": 1}) is True
    data = {"amount": 5}
    env.execute("over = amount - limit", data, {"limit": 1})
    assert data == {"amount": 5, "over": 4}


@pytest.mark.parametrize(
    ("source", "error"),
    [("1 / 0", ZeroDivisionError), ("node['nope']", KeyError), ("amount.nope", AttributeError),
     ("undefined_name", NameError), ("int('x')", ValueError)],
)
def test_errors_inside_user_code_surface_as_normal_exceptions(source, error):
    with pytest.raises(error):
        RestrictedEnvironment().evaluate(source, {"node": {}, "amount": 1})


def test_check_reports_syntax_errors_in_one_line():
    message = check_expression("amount >")
    assert message and "SyntaxError" in message and "\n" not in message
    assert check_script("x = 1\ny = (").startswith("line 2: SyntaxError")


def test_overlong_source_is_refused_at_check_time():
    source = "1 + " * 2500 + "1"
    assert len(source) > 10_000
    assert "too long" in check_expression(source)
    assert "too long" in check_script("x = " + source)
    with pytest.raises(SandboxViolation, match="too long"):
        RestrictedEnvironment().evaluate(source, {})


def test_non_string_source_is_refused():
    assert check_expression(None) and check_script(b"x = 1")


def test_compiled_code_is_cached():
    assert _compile("amount > 7", "eval")[0] is _compile("amount > 7", "eval")[0]


# ---- through SpiffWorkflow ----------------------------------------------------------

BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://liuzhuan.test/bpmn">
  <bpmn:process id="expense" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="sum_lines" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>amount = sum(l["amount"] for l in lines)
count = 0
count += len(lines)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="to_small">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_big</bpmn:outgoing><bpmn:outgoing>to_small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="mark_big">
      <bpmn:incoming>to_big</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>branch = "big"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:scriptTask id="mark_small">
      <bpmn:incoming>to_small</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>branch = "small"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sum_lines"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sum_lines" targetRef="gw"/>
    <bpmn:sequenceFlow id="to_big" sourceRef="gw" targetRef="mark_big">
      <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="gw" targetRef="mark_small"/>
    <bpmn:sequenceFlow id="f3" sourceRef="mark_big" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="mark_small" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def run_workflow(lines, condition=b"amount &gt; 5000"):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(BPMN.replace(b"CONDITION", condition))
    wf = BpmnWorkflow(parser.get_spec("expense"), parser.get_subprocess_specs("expense"),
                      script_engine=make_script_engine())
    wf.task_tree.data = {"lines": lines}
    wf.do_engine_steps()
    return wf


@pytest.mark.parametrize(("amounts", "branch"), [([4000, 2000], "big"), ([1000, 2000], "small")])
def test_bpmn_gateway_and_script_tasks_run_in_the_sandbox(amounts, branch):
    wf = run_workflow([{"amount": a} for a in amounts])
    assert wf.is_completed()
    assert wf.data["branch"] == branch
    assert wf.data["amount"] == sum(amounts)
    assert wf.data["count"] == 2


def test_bpmn_malicious_condition_fails_the_task(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkflowTaskException):
        run_workflow([{"amount": 1}], b"__import__('os').system('touch MARKER')")
    assert not (tmp_path / "MARKER").exists()
