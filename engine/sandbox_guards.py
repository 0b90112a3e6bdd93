"""Size guards of the sandbox (engine/sandbox.py): what one call into C code could allocate.

A trace-function budget (engine/sandbox_budget.py) stops loops, but not one long C call. These
guards refuse, before it starts, every operation of the sandbox's types whose result could be far
larger than its inputs: widths and precisions in f-strings and `%` formatting, `ljust`/`rjust`/
`center`/`zfill`/`expandtabs`, `replace`, `join`, `translate`, `str()`/`repr()`/`print()` of
huge containers, `sum()` of lists, three-argument `pow()` on huge ints, and `Decimal`s whose
exponent is beyond MAX_DECIMAL_EXP (so `int(Decimal(...))` stays fast).
"""
from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

MAX_DECIMAL_EXP = 4300  # like CPython's int/str digit limit: int(Decimal) stays fast
MAX_SEQUENCE = 1_000_000  # items of a str/bytes/list/tuple result
MAX_POW_MOD_BITS = 10_000
_TEXT = (str, bytes, bytearray)
_END = object()


class SandboxViolation(Exception):
    """User code tried something the sandbox refuses."""


def _too_big(what: str) -> SandboxViolation:
    return SandboxViolation(f"{what} would be too large (more than {MAX_SEQUENCE:,} items)")


def _check_len(n: float, what: str) -> None:
    if n > MAX_SEQUENCE:
        raise _too_big(what)


# ---- formatting -----------------------------------------------------------------------

_NUMBER = re.compile(r"\d+")
_DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_spec(spec: str) -> None:
    """A format spec ('>300000000', '.5f') may not ask for a width or precision over MAX_SEQUENCE."""
    if any(len(n) > 7 or int(n) > MAX_SEQUENCE for n in _NUMBER.findall(spec)):
        raise _too_big("the formatted value")


def estimate_repr(value: Any, budget: int = MAX_SEQUENCE) -> int:
    """Roughly the length of str()/repr() of `value`; stops counting once over `budget`."""
    total = 0
    stack: list[Iterator[Any]] = [iter((value,))]
    while stack and total <= budget:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, _TEXT):
            total += len(item) + 4
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 3
        elif isinstance(item, dict) and len(stack) < 50:
            total += 2
            stack.append(chain.from_iterable(item.items()))
        elif isinstance(item, list | tuple | set | frozenset) and len(stack) < 50:
            total += 2
            stack.append(iter(item))
        else:
            total += 32
    return total


def check_repr(value: Any) -> None:
    if isinstance(value, list | tuple | set | frozenset | dict) and estimate_repr(value) > MAX_SEQUENCE:
        raise _too_big("the text of this value")


def fmt(value: Any, conversion: int, spec: str) -> str:
    """One f-string replacement field {value!conversion:spec}, size-checked."""
    check_spec(spec)
    check_repr(value)
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    return format(value, spec)


def check_percent(template: Any, args: Any) -> None:
    """`template % args` for str/bytes: widths and precisions, `*` arguments and %s of containers."""
    text = template.decode("latin-1") if isinstance(template, bytes | bytearray) else template
    star = False
    for m in _DIRECTIVE.finditer(text):
        for part in m.groups():
            if part == "*":
                star = True
            elif part is not None:
                check_spec(part)
    values = args if isinstance(args, tuple) else (args,)
    for v in values:
        if star and isinstance(v, int) and abs(v) > MAX_SEQUENCE:
            raise _too_big("the formatted value")
        check_repr(v)
    if isinstance(args, dict):
        for v in args.values():
            check_repr(v)


# ---- str/bytes methods ----------------------------------------------------------------

def _width(args: tuple[Any, ...], kwargs: dict[str, Any], name: str = "width", default: int = 0) -> int:
    value = args[0] if args else kwargs.get(name, default)
    return value if isinstance(value, int) else 0


def _replace(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if len(args) < 2:
        return
    old, new = args[0], args[1]
    count = args[2] if len(args) > 2 else kwargs.get("count", -1)
    if not isinstance(old, _TEXT) or not isinstance(new, _TEXT) or len(new) <= len(old):
        return
    hits = obj.count(old) if old else len(obj) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    _check_len(len(obj) + hits * (len(new) - len(old)), "the result of replace()")


def _translate(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    table = args[0] if args else kwargs.get("table")
    if isinstance(obj, str) and isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        _check_len(len(obj) * longest, "the result of translate()")


def _expandtabs(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _check_len(len(obj) + obj.count("\t" if isinstance(obj, str) else b"\t") * _width(args, kwargs, "tabsize", 8),
               "the result of expandtabs()")


def _pad(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _check_len(_width(args, kwargs), "the padded text")


_CHECKS: dict[str, Callable[[Any, tuple[Any, ...], dict[str, Any]], None]] = {
    "ljust": _pad, "rjust": _pad, "center": _pad, "zfill": _pad,
    "expandtabs": _expandtabs, "replace": _replace, "translate": _translate,
}


def guard_method(obj: Any, name: str, method: Any) -> Any:
    """`method` (obj.name, already looked up) wrapped with its size check, if it needs one."""
    if name == "extend" and isinstance(obj, list | bytearray):
        def extend(iterable: Any) -> None:
            items = iterable if isinstance(iterable, list | tuple | bytes | bytearray | str) else list(iterable)
            _check_len(len(obj) + len(items), "the extended list")
            method(items)
        return extend
    if not isinstance(obj, _TEXT):
        return method
    if name == "join":
        def join(iterable: Any) -> Any:
            items = list(iterable)
            _check_len(sum(len(x) for x in items if isinstance(x, _TEXT)) + len(obj) * max(len(items) - 1, 0),
                       "the result of join()")
            return method(items)
        return join
    check = _CHECKS.get(name)
    if check is None:
        return method

    def guarded(*args: Any, **kwargs: Any) -> Any:
        check(obj, args, kwargs)
        return method(*args, **kwargs)
    return guarded


# ---- builtins -------------------------------------------------------------------------

def safe_str(*args: Any, **kwargs: Any) -> str:
    if args:
        check_repr(args[0])
    return str(*args, **kwargs)


def safe_repr(value: Any) -> str:
    check_repr(value)
    return repr(value)


def safe_sum(iterable: Any, start: Any = 0) -> Any:
    if not isinstance(start, list | tuple):
        return sum(iterable, start)
    total = start
    for item in iterable:
        if isinstance(item, list | tuple):
            _check_len(len(total) + len(item), "the result of sum()")
        total = total + item
    return total


def check_pow_mod(base: Any, exp: Any, mod: Any) -> None:
    if any(isinstance(x, int) and x.bit_length() > MAX_POW_MOD_BITS for x in (base, exp, mod)):
        raise SandboxViolation(f"pow() with a modulus takes numbers of at most {MAX_POW_MOD_BITS:,} bits")


class _DecimalType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, decimal.Decimal)

    def __subclasscheck__(cls, sub: Any) -> bool:
        return issubclass(sub, decimal.Decimal)


class SafeDecimal(decimal.Decimal, metaclass=_DecimalType):
    """The sandbox's `Decimal`: builds a plain decimal.Decimal, refusing exponents over MAX_DECIMAL_EXP
    (`isinstance(x, Decimal)` works for every Decimal)."""

    def __new__(cls, value: Any = "0", context: Any = None) -> decimal.Decimal:  # type: ignore[misc]
        d = decimal.Decimal(value, context)
        if d.is_finite() and d and abs(d.adjusted()) > MAX_DECIMAL_EXP:
            raise SandboxViolation(f"Decimal exponent out of range (at most {MAX_DECIMAL_EXP} digits)")
        return d
