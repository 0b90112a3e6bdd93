"""The sandbox's CPU-time and memory budget and its size guards (engine/sandbox_budget.py,
engine/sandbox_guards.py): each payload of the adversarial review is stopped with a message that
names the limit, within the budget, and ordinary code still works."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from core import limits
from engine import sandbox
from engine.sandbox import SandboxViolation


@pytest.fixture
def small_budget():
    before = limits.current()
    limits.configure(limits.Limits(script_cpu_seconds=0.3, script_memory_mb=64))
    yield
    limits.configure(before)


def run(mode: str, src: str, data: dict | None = None):
    env = sandbox.RestrictedEnvironment()
    ctx = dict(data or {})
    return env.evaluate(src, ctx) if mode == "eval" else (env.execute(src, ctx), ctx)[1]


@pytest.mark.parametrize("mode,src", [
    ("exec", "while True: pass"),
    ("exec", "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass"),
    ("exec", "def f(n):\n    return 1 if n == 0 else f(n - 1) + f(n - 1)\nf(60)"),
    ("eval", "[x for x in range(100000) for y in range(100000)]"),
    ("eval", "sorted(range(100000), key=lambda v: [w for w in range(100000)])"),
])
def test_a_runaway_loop_is_stopped_at_the_cpu_budget(small_budget, mode, src):
    t = time.thread_time()
    with pytest.raises(SandboxViolation, match=r"used more than 0.3 s of CPU time"):
        run(mode, src)
    assert time.thread_time() - t < 1.5


def test_growing_memory_is_stopped_at_the_memory_budget(small_budget):
    with pytest.raises(SandboxViolation, match=r"more than 64 MB of memory"):
        run("exec", "x = []\nwhile True:\n    x.append('a' * 999990 + str(len(x)))")


@pytest.mark.parametrize("src,why", [
    ("int(Decimal('1e5000000'))", "Decimal exponent"),
    ("round(Decimal('1e5000000'))", "Decimal exponent"),
    ("int(Decimal('1e4000') ** 2)", "Overflow"),
    ("'a'.ljust(300000000)", "too large"),
    ("'a'.center(300000000)", "too large"),
    ("'1'.zfill(300000000)", "too large"),
    ("'\\t'.expandtabs(300000000)", "too large"),
    ("f'{1:300000000}'", "too large"),
    ("f'{1.5:.300000000f}'", "too large"),
    ("f'{x:>{n}}'", "too large"),
    ("'%300000000d' % 1", "too large"),
    ("'%.300000000f' % 1.5", "too large"),
    ("'%*d' % (300000000, 1)", "too large"),
    ("b'%300000000d' % 1", "too large"),
    ("str([('a' * 1000000)] * 1000000)", "too large"),
    ("repr({'k': [('a' * 1000000)] * 1000})", "too large"),
    ("f'{[(\"a\" * 1000000)] * 1000}'", "too large"),
    ("''.join([('a' * 1000000)] * 1000)", "too large"),
    ("('a' * 1000000).replace('a', 'aa')", "too large"),
    ("('a' * 1000000).translate({97: 'aa'})", "too large"),
    ("sum([[1] * 1000000] * 1000, [])", "too large"),
    ("pow(3, 10 ** 4000, 10 ** 4000 + 1)", "at most"),
])
def test_one_call_that_would_build_a_huge_value_is_refused_before_it_starts(src, why):
    t = time.thread_time()
    with pytest.raises(Exception, match=why):
        run("eval", src, {"x": 1, "n": 300000000})
    assert time.thread_time() - t < 1


def test_doubling_a_list_in_place_is_refused():
    with pytest.raises(SandboxViolation, match="too large"):
        run("exec", "l = [1]\nwhile True:\n    l.extend(l)")


def test_print_of_a_huge_container_is_refused():
    with pytest.raises(Exception, match="too large"):
        run("exec", "print([('a' * 1000000)] * 1000)")


def test_ordinary_code_still_works_with_the_guards():
    assert run("eval", "f'{x!r:>5}|{y:.2f}|{z:,}'", {"x": "hi", "y": 2.5, "z": 1234567}) == " 'hi'|2.50|1,234,567"
    assert run("eval", "'%s-%05d %%' % ('QJ', 42)") == "QJ-00042 %"
    assert run("eval", "7 % 3 + 10 % 4") == 3
    assert run("eval", "isinstance(x, str) and isinstance(d, Decimal) and not isinstance(1, str)",
               {"x": "a", "d": Decimal("1.5")}) is True
    assert run("eval", "str(12) + repr('a') + ', '.join(['a', 'b']) + 'ab'.replace('a', 'xy')") == "12'a'a, bxyb"
    assert run("eval", "int(Decimal('12.5') * 2) + sum([1, 2, 3]) + len(sum([[1], [2]], []))") == 33
    assert run("eval", "'x'.ljust(3, '.') + 'y'.center(3) + '7'.zfill(3)") == "x.. y 007"
    out = run("exec", "l = [1, 2]\nl.extend([3])\ntotal = 0\nfor v in l:\n    total += v\n"
                      "def sq(v):\n    return v * v\nsquares = [sq(v) for v in l]\nn = 0\nwhile n < 5:\n    n += 1")
    assert (out["total"], out["squares"], out["n"]) == (6, [1, 4, 9], 5)
    assert run("eval", "Decimal('1.10') + Decimal('2.205')") == Decimal("3.305")


def test_the_budget_leaves_no_trace_after_a_stop(small_budget):
    with pytest.raises(SandboxViolation):
        run("exec", "while True: pass")
    assert run("eval", "sum(v for v in range(1000))") == 499500  # the next evaluation runs normally
    assert Decimal(10) ** 5000 > 0  # the bounded decimal context was restored
