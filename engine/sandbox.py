"""Restricted evaluation of BPMN conditions, timer expressions and script tasks.

SpiffWorkflow's default ``PythonScriptEngine()`` runs them with plain eval/exec, i.e. any
process definition could run arbitrary code. Here they are compiled with RestrictedPython
and run against a whitelist of builtins, with guarded attribute access.

Refused when checking/compiling: names and attributes starting with ``_``, frame/code/
generator introspection attributes (``gi_frame``, ``f_back``...), ``import``, ``class``,
source over 10,000 characters. Refused at run time (``SandboxViolation``): attribute names
starting with ``_``, ``format``/``format_map``/``mro``; ``range()`` over 100,000 items;
``+``/``*`` results on str/bytes/list/tuple over 1,000,000 items; ``*``/``**``/``<<`` on
ints giving more than 1,000,000 bits; and every other way one call could build a huge value
(engine/sandbox_guards.py: format widths, ``ljust``, ``replace``, ``join``, ``str()`` of huge
containers, ``Decimal`` exponents...).

Every evaluation runs under a CPU-time and memory budget (engine/sandbox_budget.py; 2 s and
256 MB by default, core/limits.py): ``while True: pass`` is stopped with a SandboxViolation
that names the limit, in the thread that ran it, and the step fails with that message.

``print()`` is allowed but harmless: its output is collected (bounded), never written anywhere.
"""
from __future__ import annotations

import ast
import functools
import math
import operator
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from types import CodeType
from typing import Any, ClassVar

from RestrictedPython import (
    PrintCollector,
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, copy_locations
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from bpmn.problem_texts import pm, recognised
from engine import sandbox_guards as guards
from engine.sandbox_budget import Budget, tick
from engine.sandbox_guards import MAX_SEQUENCE, SandboxViolation
from engine.stored_values import storable

__all__ = ["MAX_SEQUENCE", "Budget", "RestrictedEnvironment", "SandboxViolation", "check_expression",
           "check_script", "make_script_engine"]

MAX_SOURCE_CHARS = 10_000
MAX_RANGE = 100_000
MAX_INT_BITS = 1_000_000


# ---- compile time -------------------------------------------------------------------

class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no import, no class, size-checked + * ** <<."""

    _CHECKED_OPS: ClassVar[dict[type, str]] = {
        ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}

    def visit_Import(self, node):
        self.error(node, "import statements are not allowed")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.error(node, "class definitions are not allowed")
        return node

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        op = self._CHECKED_OPS.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(ast.Name("_binop_", ast.Load()), [ast.Constant(op), node.left, node.right], [])
        copy_locations(call, node)
        return call

    def visit_While(self, node):
        """`while test:` -> `while _tick_(test):`, so the budget sees every round (engine/sandbox_budget.py)."""
        node = self.node_contents_visit(node)
        test = ast.Call(ast.Name("_tick_", ast.Load()), [node.test], [])
        copy_locations(test, node.test)
        node.test = test
        return node

    def visit_FunctionDef(self, node):
        """Every call of a user function ticks the budget (recursion is a loop too)."""
        node = super().visit_FunctionDef(node)
        call = ast.Expr(ast.Call(ast.Name("_tick_", ast.Load()), [], []))
        copy_locations(call.value, node)
        copy_locations(call, node)
        node.body.insert(0, call)
        return node

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        body = ast.Call(ast.Name("_tick_", ast.Load()), [node.body], [])
        copy_locations(body, node.body)
        node.body = body
        return node

    def visit_FormattedValue(self, node):
        """{value!c:spec} -> {_fmt_(value, c, spec)}: the width and the value's size are checked first."""
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        call = ast.Call(ast.Name("_fmt_", ast.Load()), [node.value, ast.Constant(node.conversion), spec], [])
        copy_locations(call, node)
        out = ast.FormattedValue(call, -1, None)
        copy_locations(out, node)
        return out


_UNDERSCORE = re.compile(r'"(\w+)" is an invalid (variable|attribute) name because it starts with "_"')
_INSPECT = re.compile(r'"(\w+)" is a restricted name')


def _humanize(error: str, multiline: bool) -> str:
    line, _, msg = error.partition(": ")
    if m := _UNDERSCORE.search(msg):
        kind = "name" if m[2] == "variable" else "attribute"
        msg = f"{kind} '{m[1]}' is not allowed: names starting with '_' are refused"
    elif m := _INSPECT.search(msg):
        msg = f"attribute '{m[1]}' is not allowed: frame and code introspection is refused"
    elif m := re.fullmatch(r'"(\w+)" is a reserved name\.', msg):
        msg = f"name '{m[1]}' is not allowed"
    elif m := re.fullmatch(r"(\w+Error: .*?) at statement: .*", msg):
        msg = m[1]  # drop the echoed statement
    why = recognised(msg, "sandbox_")  # the common reasons by code, so a page translates them
    if not multiline:
        return why
    number = re.fullmatch(r"Line (\d+)", line)
    return pm("sandbox_line", line=number[1], why=why) if number else f"{line.lower()}: {msg}"


def _compile(source: str, mode: str) -> tuple[CodeType | None, str | None]:
    """Return (code, None) or (None, why); compiled code is cached per (source, mode)."""
    if not isinstance(source, str):
        return None, f"source must be a string, not {type(source).__name__}"
    return _compile_str(source, mode)


@functools.lru_cache(maxsize=2048)
def _compile_str(source: str, mode: str) -> tuple[CodeType | None, str | None]:
    kind = "expression" if mode == "eval" else "script"
    if len(source) > MAX_SOURCE_CHARS:
        return None, pm(f"sandbox_{kind}_too_long", count=len(source), max=MAX_SOURCE_CHARS)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source.strip() if mode == "eval" else source, "<string>", policy=_Policy)
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return None, pm(f"sandbox_{kind}_not_compiled", error=exc)
    if result.errors:
        msg = _humanize(result.errors[0], multiline="\n" in source.strip())
        more = len(result.errors) - 1
        return None, pm("sandbox_more", why=msg, more=more) if more else msg
    return result.code, None


def check_expression(source: str) -> str | None:
    """None if `source` is an allowed expression, else a one-line reason."""
    return _compile(source, "eval")[1]


def check_script(source: str) -> str | None:
    """None if `source` is an allowed script, else a one-line reason."""
    return _compile(source, "exec")[1]


# ---- run time -----------------------------------------------------------------------

_REFUSED_ATTRIBUTES = frozenset({"format", "format_map", "mro"}) | INSPECT_ATTRIBUTES


def _getattr(obj: Any, name: str, *default: Any) -> Any:
    if not isinstance(name, str) or name.startswith("_") or name in _REFUSED_ATTRIBUTES:
        raise SandboxViolation(f"attribute {name!r} is not allowed")
    return guards.guard_method(obj, name, getattr(obj, name, *default))


def _check_size(op: str, a: Any, b: Any) -> None:
    seq = (str, bytes, list, tuple)
    if op == "+" and isinstance(a, seq) and isinstance(b, seq):
        too_big = len(a) + len(b) > MAX_SEQUENCE
    elif op == "*" and isinstance(a, int) and isinstance(b, int):
        too_big = a.bit_length() + b.bit_length() > MAX_INT_BITS
    elif op == "*":
        too_big = any(isinstance(s, seq) and isinstance(n, int) and len(s) * n > MAX_SEQUENCE
                      for s, n in ((a, b), (b, a)))
    elif op == "**" and type(a) is int and type(b) is int and abs(a) > 1 and b > 0:
        too_big = b * math.log2(abs(a)) > MAX_INT_BITS
    elif op == "<<" and type(a) is int and type(b) is int:
        too_big = a.bit_length() + b > MAX_INT_BITS
    elif op == "%" and isinstance(a, str | bytes | bytearray):
        guards.check_percent(a, b)
        too_big = False
    else:
        too_big = False
    if too_big:
        raise SandboxViolation(f"result of '{op}' would be too large")


_BINOPS = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod}
_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
}


def _tick(value: Any = None) -> Any:
    tick()  # one round of a while loop, one call of a user function (engine/sandbox_budget.py)
    return value


def _ticking(iterator: Any) -> Any:
    for item in iterator:
        tick()
        yield item


def _getiter(ob: Any) -> Any:
    return _ticking(default_guarded_getiter(ob))


def _binop(op: str, a: Any, b: Any) -> Any:
    _check_size(op, a, b)
    return _BINOPS[op](a, b)


def _inplacevar(op: str, a: Any, b: Any) -> Any:
    if op not in _INPLACE:
        raise SandboxViolation(f"operator {op!r} is not allowed")
    _check_size(op[:-1], a, b)
    return _INPLACE[op](a, b)


def _range(*args: int) -> range:
    r = range(*args)
    n: float
    try:
        n = len(r)
    except OverflowError:
        n = math.inf
    if n > MAX_RANGE:
        raise SandboxViolation(f"range() of more than {MAX_RANGE} items is not allowed")
    return r


def _pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        return _binop("**", base, exp)
    guards.check_pow_mod(base, exp, mod)
    return pow(base, exp, mod)


class _StrType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, str)

    def __subclasscheck__(cls, sub: Any) -> bool:
        return issubclass(sub, str)


class _SafeStr(str, metaclass=_StrType):
    """The sandbox's `str`: str() of a huge container is refused; isinstance(x, str) still works."""

    def __new__(cls, *args: Any, **kwargs: Any) -> str:  # type: ignore[misc]
        return guards.safe_str(*args, **kwargs)


class _Printed(PrintCollector):
    """print(): arguments size-checked, at most MAX_SEQUENCE characters kept."""

    def write(self, text: str) -> None:
        if sum(map(len, self.txt)) + len(text) <= MAX_SEQUENCE:
            self.txt.append(text)

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        for obj in objects:
            guards.check_repr(obj)
        super()._call_print(*objects, **kwargs)


_DROPPED = {"__build_class__", "setattr", "delattr", "_getattr_",
            "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
BUILTINS: dict[str, Any] = {k: v for k, v in safe_builtins.items() if k not in _DROPPED}
BUILTINS.update(
    len=len, min=min, max=max, sum=guards.safe_sum, sorted=sorted, abs=abs, round=round, any=any, all=all,
    str=_SafeStr, repr=guards.safe_repr, int=int, float=float, bool=bool, list=list, dict=dict, set=set, tuple=tuple,
    enumerate=enumerate, zip=zip, isinstance=isinstance, reversed=reversed,
    range=_range, pow=_pow, Decimal=guards.SafeDecimal, date=date, datetime=datetime, timedelta=timedelta,
)

_GUARDS: dict[str, Any] = {
    "__builtins__": BUILTINS,
    "_getattr_": _getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": _getiter,
    "_tick_": _tick,
    "_write_": full_write_guard,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_binop_": _binop,
    "_apply_": lambda f, *args, **kwargs: f(*args, **kwargs),
    "_print_": _Printed,  # print() output is collected and discarded
    "_fmt_": guards.fmt,
}


def _code(source: str, mode: str) -> CodeType:
    code, why = _compile(source, mode)
    if code is None:
        raise SandboxViolation(why)
    return code


def _run(code: CodeType, scope: dict[str, Any]) -> Any:
    try:
        with Budget():
            return eval(code, scope)
    except (SystemExit, GeneratorExit) as exc:  # would escape SpiffWorkflow's `except Exception`
        raise SandboxViolation(f"{type(exc).__name__} is not allowed") from None


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Drop-in for SpiffWorkflow's TaskDataEnvironment that runs restricted code."""

    def __init__(self, functions: dict[str, Callable[..., Any]] | None = None):
        functions = dict(functions or {})
        for name in functions:
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"invalid function name {name!r}")
        super().__init__(functions)

    def _scope(self, context: dict, external_context: dict | None) -> dict[str, Any]:
        # `_print` serves print() in expressions; scripts rebind it via `_print_`.
        return {**self.globals, **(external_context or {}), **context, **_GUARDS,
                "_print": _Printed(_getattr)}

    def evaluate(self, expression, context, external_context=None):
        return _run(_code(expression, "eval"), self._scope(context, external_context))

    def execute(self, script, context, external_context=None):
        external_context = external_context or {}
        reserved = set(self.globals) | set(external_context)
        if clash := reserved & set(context):
            raise ValueError(f"task data overwrites predefined function(s) or data object(s); "
                             f"rename: {sorted(clash)}")
        scope = self._scope(context, external_context)
        _run(_code(script, "exec"), scope)
        for key in [k for k in context if k not in scope]:  # `del x` in the script
            del context[key]
        for key, value in scope.items():
            if key.startswith("_") or key in reserved:
                continue
            if callable(value):  # functions, lambdas, classes never go into task data
                context.pop(key, None)
            else:  # only what has a faithful JSON form (engine/stored_values.py), else the step fails
                context[key] = storable(value, key)
        return True


def make_script_engine(functions: dict[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow script engine that runs everything through the sandbox."""
    return PythonScriptEngine(environment=RestrictedEnvironment(functions))
