"""Known sandbox-escape payloads: each must be refused and must leave no side effect.

Payloads that could do harm try to create ./MARKER; every test runs in an empty tmp dir and
asserts the directory is still empty afterwards.
"""
import os
from types import SimpleNamespace

import pytest
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

from engine.sandbox import (
    RestrictedEnvironment,
    SandboxViolation,
    check_expression,
    check_script,
)

TOUCH = "('touch MARKER')"
SUBCLASSES = "().__class__.__base__.__subclasses__()"

E, S = "expression", "script"
PAYLOADS = [
    # imports and dangerous builtins
    (E, f"__import__('os').system{TOUCH}"),
    (E, "__𝐢𝐦𝐩𝐨𝐫𝐭__('os').system('touch MARKER')"),  # NFKC-normalised to __import__
    (S, "import os\nos.system('touch MARKER')"),
    (S, "from os import system\nsystem('touch MARKER')"),
    (S, "import subprocess as sp"),
    (E, "open('MARKER', 'w').write('x')"),
    (E, "print(open('MARKER', 'w'))"),
    (E, "eval(\"open('MARKER', 'w')\")"),
    (S, "exec(\"open('MARKER', 'w')\")"),
    (E, "compile('1', '', 'eval')"),
    (E, "__builtins__['eval'](\"open('MARKER', 'w')\")"),
    (E, "__builtins__.__dict__['__import__']('os')"),
    (E, "globals()"),
    (E, "locals()"),
    (E, "vars()"),
    (E, "dir()"),
    (E, "help()"),
    (E, "breakpoint()"),
    (E, "input()"),
    (E, "memoryview(b'x')"),
    (E, "type(())"),
    (E, "type('X', (), {})"),
    (E, "getattr((), '__class__')"),
    (S, "setattr(node, 'outcome', 'rejected')"),
    (S, "delattr(node, 'outcome')"),
    (E, "__loader__.load_module('os').system('touch MARKER')"),
    (E, "__spec__.loader"),
    (E, "sys.modules['os'].system('touch MARKER')"),
    (E, "os.system('touch MARKER')"),
    (S, "raise SystemExit(1)"),
    (E, "object()"),
    # class / subclass walking
    (E, SUBCLASSES),
    (E, ("[c for c in ().__class__.__bases__[0].__subclasses__() if c.__name__ == 'Popen'][0]"
        "(['touch', 'MARKER'])")),
    (E, "[].__class__.__mro__[-1].__subclasses__()"),
    (E, "{}.__class__"),
    (E, "[].__class__"),
    (E, "amount.__class__.__mro__"),
    (E, "object.__subclasses__()"),
    (E, "str.mro()"),
    (E, "int.mro()[-1]"),
    (E, "datetime.__class__"),
    (E, "Decimal.__init__.__globals__"),
    (E, "date.today.__self__"),
    (S, "class A:\n    pass"),
    (S, "class A(Exception):\n    def __init__(self):\n        pass"),
    # function internals
    (E, "(lambda: 0).__globals__['__builtins__']"),
    (E, "(lambda: 0).__code__"),
    (S, "def f():\n    return 1\ng = f.__globals__"),
    (S, "def f():\n    return 1\nc = f.__code__.co_consts"),
    # frames: generators, tracebacks
    (E, "(x for x in [1]).gi_frame.f_back.f_globals"),
    (E, "(x for x in [1]).gi_code"),
    (S, "g = (x for x in [1])\nfr = g.gi_frame\nb = fr.f_back\nglb = b.f_globals"),
    (S, "try:\n    1 / 0\nexcept Exception as e:\n    f = e.__traceback__.tb_frame"),
    (S, ("try:\n    1 / 0\nexcept Exception as e:\n    tb = e.with_traceback(None)\n"
        "    fr = tb.tb_frame")),
    # str.format family
    (E, "'{0.__class__}'.format(1)"),
    (E, "'{.__class__.__mro__}'.format(amount)"),
    (E, "'{x.__class__}'.format_map({'x': 1})"),
    (E, "str.format('{0.__class__}', 1)"),
    (E, "str.format_map('{0.__class__}', [1])"),
    (E, "f'{amount.__class__}'"),
    (E, "f'{amount:{amount.__class__}}'"),
    (E, "string.Formatter().get_field('0.__class__', [1], {})"),
    # names with underscores, name mangling, pattern matching
    (E, "_x"),
    (S, "_x = 1"),
    (S, "__x = 1"),
    (S, "def f(_a):\n    return _a"),
    (S, "for _ in []:\n    _getattr_ = 1"),
    (S, "match 1:\n    case int(__class__=c):\n        pass"),
    (E, "(_getattr_ := len)"),
    # writes to objects handed in with the data
    (S, "node.attr = 1"),
    (S, "obj.attr = 1"),
    (S, "del obj.name"),
    # resource exhaustion that can be capped
    (E, "list(range(10**12))"),
    (E, "range(10**6)"),
    (E, "'a' * 10**10"),
    (E, "[0] * 10**9"),
    (E, "10 ** 10 ** 10"),
    (E, "pow(10, 10**10)"),
    (E, "1 << 10**10"),
    (S, "s = 'a'\nfor i in range(40):\n    s = s + s"),
    (S, "s = ['a']\nfor i in range(40):\n    s += s"),
    (S, "x = [1]\nx *= 10**7"),
    (E, "1 + " * 2600 + "1"),  # longer than 10,000 characters
    (E, "-" * 5000 + "1"),  # nesting deep enough to break the compiler
]

REFUSALS = (SandboxViolation, NameError, SyntaxError, TypeError, AttributeError, ValueError)


def make_data():
    return {
        "amount": 5,
        "node": {"outcome": "approved"},
        "obj": SimpleNamespace(name="n"),
        "lines": [{"amount": 1}],
    }


@pytest.mark.parametrize(("kind", "source"), PAYLOADS, ids=[s[:60] for _, s in PAYLOADS])
def test_payload_is_refused_without_side_effect(kind, source, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    data = make_data()
    message = (check_expression if kind == E else check_script)(source)
    if message is not None:
        assert isinstance(message, str) and message.strip() and "\n" not in message
    env = RestrictedEnvironment()
    run = env.evaluate if kind == E else env.execute
    with pytest.raises(REFUSALS):  # refused at run time too, never silently run
        run(source, data)
    assert os.listdir(tmp_path) == []
    assert data["node"] == {"outcome": "approved"}
    assert vars(data["obj"]) == {"name": "n"}
    assert capsys.readouterr() == ("", "")


def test_there_are_at_least_thirty_payloads():
    assert len(PAYLOADS) >= 30


def test_import_refusal_says_why():
    message = check_expression("__import__('os').system('id')")
    assert "__import__" in message
    assert "names starting with '_' are refused" in message


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("().__class__", "attribute '__class__' is not allowed"),
        ("(x for x in []).gi_frame", "attribute 'gi_frame' is not allowed"),
        ("breakpoint()", "'breakpoint' is not allowed"),
    ],
)
def test_check_messages_name_the_offending_part(source, fragment):
    assert fragment in check_expression(source)


def test_script_refusals_carry_the_line_number():
    assert check_script("x = 1\nimport os") == "line 2: import statements are not allowed"


@pytest.mark.parametrize(
    "source",
    ["'{0.__class__}'.format(1)", "str.format_map('{x}', {})", "int.mro()", "range(10**12)",
     "'a' * 10**10", "10 ** 10 ** 10"],
)
def test_runtime_refusals_raise_sandbox_violation(source):
    assert check_expression(source) is None  # compiles: only run time can tell
    with pytest.raises(SandboxViolation):
        RestrictedEnvironment().evaluate(source, {})


def test_print_is_harmless(capsys):
    data = {}
    RestrictedEnvironment().execute("print('leak')\nout = printed", data)
    assert RestrictedEnvironment().evaluate("print('leak')", {}) is None
    assert capsys.readouterr() == ("", "")
    assert data == {"out": "leak\n"}


def test_control_the_default_environment_really_is_unsafe(tmp_path, monkeypatch):
    """Proves the MARKER check can see a side effect: plain SpiffWorkflow runs the payload."""
    monkeypatch.chdir(tmp_path)
    TaskDataEnvironment().evaluate("open('MARKER', 'w').close()", {})
    assert (tmp_path / "MARKER").exists()
