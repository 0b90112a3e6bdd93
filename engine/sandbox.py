"""Restricted evaluation of BPMN conditions, timer expressions and script tasks.

SpiffWorkflow's default ``PythonScriptEngine()`` runs them with plain eval/exec, i.e. any
process definition could run arbitrary code. Here they are compiled with RestrictedPython
and run against a whitelist of builtins, with guarded attribute access.

Refused when checking/compiling: names and attributes starting with ``_``, frame/code/
generator introspection attributes (``gi_frame``, ``f_back``...), ``import``, ``class``,
source over 10,000 characters. Refused at run time (``SandboxViolation``): attribute names
starting with ``_``, ``format``/``format_map``/``mro``; ``range()`` over 100,000 items;
``+``/``*`` results on str/bytes/list/tuple over 1,000,000 items; ``*``/``**``/``<<`` on
ints giving more than 1,000,000 bits.

``print()`` is allowed but harmless: its output is collected, never written anywhere.

NOT limited: there is NO CPU time limit and no memory limit (``while True: pass`` hangs the
worker; run untrusted definitions out of process with a timeout if that matters). Not capped
either: growth through ``str.join``, ``ljust``/``center``/``zfill``/``expandtabs``,
``%``/f-string widths, ``append`` or nested comprehensions in loops, and ``int()`` of a huge
``Decimal`` (``int(Decimal('1e9999999'))``).
"""
from __future__ import annotations

import ast
import functools
import math
import operator
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
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

MAX_SOURCE_CHARS = 10_000
MAX_RANGE = 100_000
MAX_SEQUENCE = 1_000_000
MAX_INT_BITS = 1_000_000


class SandboxViolation(Exception):
    """User code tried something the sandbox refuses."""


# ---- compile time -------------------------------------------------------------------

class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no import, no class, size-checked + * ** <<."""

    _CHECKED_OPS: ClassVar[dict[type, str]] = {
        ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}

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
    return f"{line.lower()}: {msg}" if multiline else msg


def _compile(source: str, mode: str) -> tuple[CodeType | None, str | None]:
    """Return (code, None) or (None, why); compiled code is cached per (source, mode)."""
    if not isinstance(source, str):
        return None, f"source must be a string, not {type(source).__name__}"
    return _compile_str(source, mode)


@functools.lru_cache(maxsize=2048)
def _compile_str(source: str, mode: str) -> tuple[CodeType | None, str | None]:
    kind = "expression" if mode == "eval" else "script"
    if len(source) > MAX_SOURCE_CHARS:
        return None, f"{kind} is too long ({len(source)} characters; the limit is {MAX_SOURCE_CHARS})"
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source.strip() if mode == "eval" else source, "<string>", policy=_Policy)
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return None, f"{kind} could not be compiled: {exc}"
    if result.errors:
        msg = _humanize(result.errors[0], multiline="\n" in source.strip())
        more = len(result.errors) - 1
        return None, msg + (f" (and {more} more problem(s))" if more else "")
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
    return getattr(obj, name, *default)


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
    else:
        too_big = False
    if too_big:
        raise SandboxViolation(f"result of '{op}' would be too large")


_BINOPS = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift}
_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
}


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
    return pow(base, exp, mod)


_DROPPED = {"__build_class__", "setattr", "delattr", "_getattr_",
            "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
BUILTINS: dict[str, Any] = {k: v for k, v in safe_builtins.items() if k not in _DROPPED}
BUILTINS.update(
    len=len, min=min, max=max, sum=sum, sorted=sorted, abs=abs, round=round, any=any, all=all,
    str=str, int=int, float=float, bool=bool, list=list, dict=dict, set=set, tuple=tuple,
    enumerate=enumerate, zip=zip, isinstance=isinstance, reversed=reversed,
    range=_range, pow=_pow, Decimal=Decimal, date=date, datetime=datetime, timedelta=timedelta,
)

_GUARDS: dict[str, Any] = {
    "__builtins__": BUILTINS,
    "_getattr_": _getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": full_write_guard,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_binop_": _binop,
    "_apply_": lambda f, *args, **kwargs: f(*args, **kwargs),
    "_print_": PrintCollector,  # print() output is collected and discarded
}


def _code(source: str, mode: str) -> CodeType:
    code, why = _compile(source, mode)
    if code is None:
        raise SandboxViolation(why)
    return code


def _run(code: CodeType, scope: dict[str, Any]) -> Any:
    try:
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
                "_print": PrintCollector(_getattr)}

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
            else:
                context[key] = value
        return True


def make_script_engine(functions: dict[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow script engine that runs everything through the sandbox."""
    return PythonScriptEngine(environment=RestrictedEnvironment(functions))
