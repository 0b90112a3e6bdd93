"""The CPU-time and memory budget of one sandboxed evaluation (engine/sandbox.py).

User code can only repeat work through a loop (`while`, `for`, a comprehension) or a call of
its own function or lambda. The sandbox's policy makes each of them tick: every `while` test
passes through `_tick_`, every `for`/comprehension item through `_getiter_`'s iterator, every
user function and lambda starts with a tick. Every CHECK_EVERY ticks the budget compares the CPU
time of this thread (`time.thread_time`) and the growth of the process's resident memory since
the evaluation began (/proc/self/statm) with the limits of core/limits.py (2 s, 256 MB by
default). Past either it raises `BudgetExceeded` into the user code, and again at every later
tick, so a `try/except` in the script cannot swallow it; `Budget.__exit__` turns it into a
`SandboxViolation` naming the limit, which fails the step.

A single call into C code (`'a'.ljust(10**9)`, `int(Decimal('1e5000000'))`) cannot be
interrupted this way: engine/sandbox_guards.py refuses those amplifiers before they start, and
the decimal context is bounded while user code runs (exponents within +-MAX_DECIMAL_EXP).

No trace function is installed and the baselines are taken at the first check, so a gateway
condition pays well under a microsecond for the budget (bench/sandbox_cost.py).
"""
from __future__ import annotations

import decimal
import os
import threading
import time
from types import TracebackType

from core import limits
from engine.sandbox_guards import MAX_DECIMAL_EXP, SandboxViolation

CHECK_EVERY = 8  # ticks between two clock/memory checks

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_local = threading.local()


class BudgetExceeded(BaseException):  # noqa: N818 - a BaseException: `except Exception:` in a script can't catch it
    """Raised into user code when it has used up its budget."""


def _rss() -> int:
    try:
        fd = getattr(_local, "statm", None)
        if fd is None:
            fd = _local.statm = os.open("/proc/self/statm", os.O_RDONLY)
        return int(os.pread(fd, 64, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0  # no /proc: only the CPU budget and the guards apply


def _bounded_decimal_context() -> decimal.Context:
    ctx = getattr(_local, "decimal", None)
    if ctx is None:
        ctx = _local.decimal = decimal.Context(Emax=MAX_DECIMAL_EXP, Emin=-MAX_DECIMAL_EXP)
    return ctx


def tick() -> None:
    """One round of a loop or one call in user code (a no-op outside a Budget)."""
    budget = getattr(_local, "budget", None)
    if budget is not None:
        budget._events += 1
        if budget.tripped or budget._events % CHECK_EVERY == 0:
            budget.check()


class Budget:
    """`with Budget(): eval(...)` — stop the user code past its CPU time or memory budget."""

    def __init__(self, cpu_seconds: float | None = None, memory_bytes: int | None = None):
        lim = limits.current()
        self.cpu_seconds = cpu_seconds if cpu_seconds is not None else lim.script_cpu_seconds
        self.memory_bytes = memory_bytes if memory_bytes is not None else lim.script_memory_bytes
        self.tripped: str | None = None
        self._events = 0
        self._deadline: float | None = None
        self._rss0 = 0

    def check(self) -> None:
        if self._deadline is None:  # baselines taken lazily: short expressions never pay for them
            self._deadline = time.thread_time() + self.cpu_seconds
            self._rss0 = _rss()
        elif self.tripped is None:
            if time.thread_time() > self._deadline:
                self.tripped = f"used more than {self.cpu_seconds:g} s of CPU time"
            elif self._rss0 and _rss() - self._rss0 > self.memory_bytes:
                self.tripped = f"used more than {self.memory_bytes // (1024 * 1024)} MB of memory"
        if self.tripped is not None:
            raise BudgetExceeded(self.tripped)

    def __enter__(self) -> Budget:
        self._outer = getattr(_local, "budget", None)
        self._decimal = decimal.getcontext()
        decimal.setcontext(_bounded_decimal_context())
        _local.budget = self
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        _local.budget = self._outer
        decimal.setcontext(self._decimal)
        if self.tripped is not None or isinstance(exc, BudgetExceeded | MemoryError):
            why = self.tripped or "ran out of memory"
            raise SandboxViolation(f"stopped: the code {why} (the limit of one expression or script)") from None
