"""The resource limits of process definitions and of the code they run, in one place.

Defaults below; each can be changed through the environment (core/config.py reads it into
`Settings.limits`; the app and the command line hand it to `configure()` at start-up). Code that
enforces a limit reads `current()` when it runs, so a test or a command can configure other values.

| limit | default | variable |
|---|---|---|
| CPU time of one expression or script | 2 s | `LIUZHUAN_SCRIPT_CPU_SECONDS` |
| memory one expression or script may add | 256 MB | `LIUZHUAN_SCRIPT_MEMORY_MB` |
| flow nodes per process (sub-processes included) | 2,000 | `LIUZHUAN_MAX_NODES` |
| multi-instance cardinality or input collection (deploy and run time) | 1,000 | `LIUZHUAN_MAX_CARDINALITY` |
| standard loop `loopMaximum` | 1,000 | `LIUZHUAN_MAX_LOOP` |
| a timer duration / lz:deadline / time date from now | 10 years | `LIUZHUAN_MAX_TIMER_YEARS` |
| shortest interval of a timer cycle | 60 s | `LIUZHUAN_MIN_CYCLE_SECONDS` |
| repetitions of a timer cycle (`R<n>/...`, required) | 1,000 | `LIUZHUAN_MAX_CYCLE_REPETITIONS` |
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Limits:
    script_cpu_seconds: float = 2.0
    script_memory_mb: int = 256
    max_nodes: int = 2_000
    max_cardinality: int = 1_000
    max_loop: int = 1_000
    max_timer_years: int = 10
    min_cycle_seconds: int = 60
    max_cycle_repetitions: int = 1_000

    @property
    def script_memory_bytes(self) -> int:
        return self.script_memory_mb * 1024 * 1024


ENV_NAMES = {
    "script_cpu_seconds": "LIUZHUAN_SCRIPT_CPU_SECONDS",
    "script_memory_mb": "LIUZHUAN_SCRIPT_MEMORY_MB",
    "max_nodes": "LIUZHUAN_MAX_NODES",
    "max_cardinality": "LIUZHUAN_MAX_CARDINALITY",
    "max_loop": "LIUZHUAN_MAX_LOOP",
    "max_timer_years": "LIUZHUAN_MAX_TIMER_YEARS",
    "min_cycle_seconds": "LIUZHUAN_MIN_CYCLE_SECONDS",
    "max_cycle_repetitions": "LIUZHUAN_MAX_CYCLE_REPETITIONS",
}


def from_env(env: Mapping[str, str]) -> Limits:
    """The limits the environment sets (ValueError naming the variable for a bad value)."""
    given: dict[str, float | int] = {}
    for f in fields(Limits):
        raw = env.get(ENV_NAMES[f.name])
        if raw is None or not raw.strip():
            continue
        kind = float if f.type in ("float", float) else int
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"{ENV_NAMES[f.name]} must be a {'number' if kind is float else 'whole number'}, "
                             f"not {raw!r}") from None
        if not value > 0:
            raise ValueError(f"{ENV_NAMES[f.name]} must be greater than 0, not {raw!r}")
        given[f.name] = value
    return replace(Limits(), **given)  # type: ignore[arg-type]


_current = Limits()


def current() -> Limits:
    return _current


def configure(limits: Limits) -> None:
    global _current
    _current = limits
