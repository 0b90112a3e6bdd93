"""Portable SQL pieces of the reports (engine/reports.py), the same on SQLite and PostgreSQL:

* `seconds(later, earlier)`: the seconds between two timestamps (julianday on SQLite, epoch on PG);
* `week_of(ts)`: the Monday of a timestamp's week as 'YYYY-MM-DD';
* `group_percentiles`: the median and p90 of each group's durations, computed by the database:
  percentile_cont on PostgreSQL; on SQLite a window (row_number / count over the group) of which
  only the at most four rows around the two ranks come back, never the group's values, with linear
  interpolation between them as percentile_cont does: position 1 + p·(n-1).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import Float, String, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class seconds(FunctionElement[float]):  # noqa: N801 (an SQL function)
    type = Float()
    inherit_cache = True


@compiles(seconds)
def _seconds_default(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"


@compiles(seconds, "sqlite")
def _seconds_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"((julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}))"
            " * 86400.0)")


class week_of(FunctionElement[str]):  # noqa: N801 (an SQL function)
    type = String()
    inherit_cache = True


@compiles(week_of)
def _week_default(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    return f"to_char(date_trunc('week', {compiler.process(ts, **kw)}), 'YYYY-MM-DD')"


@compiles(week_of, "sqlite")
def _week_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    return f"date({compiler.process(ts, **kw)}, 'weekday 0', '-6 days')"


def overdue(due: Any, acted: Any, now: Any) -> ColumnElement[bool]:
    """A task past its due time: decided after it, or still undecided when it has passed."""
    return and_(due.is_not(None), or_(acted > due, and_(acted.is_(None), due < now)))


# (lower, upper) rank of 1 + p·(n-1) in integer arithmetic (both databases divide integers exactly so)
def _ranks(n: Any) -> list[tuple[str, Any, Any]]:
    return [("median", (n + 1) // 2, (n + 2) // 2), ("p90", (9 * n + 1) // 10, (9 * n + 10) // 10)]


def percentiles(source: Any, keys: list[str], value: str) -> Any:
    """A select of (keys..., rank, n, value) for the ranks around the median and p90 of `value`
    per group of `keys`, from the subquery `source` (rows with a non-null `value`)."""
    part = [source.c[k] for k in keys]
    ranked = select(*part, source.c[value].label("pct_v"),
                    func.row_number().over(partition_by=part, order_by=source.c[value]).label("pct_rn"),
                    func.count().over(partition_by=part).label("pct_n")).subquery()
    wanted = or_(*[ranked.c.pct_rn.in_([lo, hi]) for _, lo, hi in _ranks(ranked.c.pct_n)])
    return select(*[ranked.c[k] for k in keys], ranked.c.pct_rn, ranked.c.pct_n, ranked.c.pct_v).where(wanted)


def group_percentiles(s: Any, source: Any, keys: list[str], value: str) -> dict[tuple[Any, ...], dict[str, float]]:
    """{group key: {"median", "p90"}} of `value` per group of `keys` in the subquery `source`:
    percentile_cont on PostgreSQL (measured about 5x faster than the window there, bench/reports.py),
    the window of `percentiles` elsewhere (SQLite has no ordered-set aggregates). Same values."""
    if s.get_bind().dialect.name == "postgresql":
        col, part = source.c[value], [source.c[k] for k in keys]
        rows = s.execute(select(*part, func.percentile_cont(0.5).within_group(col),
                                func.percentile_cont(0.9).within_group(col)).group_by(*part)).all()
        return {tuple(r[:len(keys)]): {"median": round(float(r[-2]), 1), "p90": round(float(r[-1]), 1)} for r in rows}
    return interpolate(s.execute(percentiles(source, keys, value)).all(), len(keys))


def interpolate(rows: Any, nkeys: int) -> dict[tuple[Any, ...], dict[str, float]]:
    """{group key: {"median": s, "p90": s}} from the rows of `percentiles`."""
    by_group: dict[tuple[Any, ...], tuple[int, dict[int, float]]] = {}
    for row in rows:
        key = tuple(row[:nkeys])
        rn, n, v = row[nkeys], row[nkeys + 1], row[nkeys + 2]
        by_group.setdefault(key, (int(n), {}))[1][int(rn)] = float(v)
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for key, (n, values) in by_group.items():
        res = {}
        for name, p in (("median", Fraction(1, 2)), ("p90", Fraction(9, 10))):
            pos = 1 + p * (n - 1)
            lo = int(pos)
            hi = lo + 1 if pos > lo else lo
            a, b = values.get(lo, 0.0), values.get(hi, values.get(lo, 0.0))
            res[name] = round(a + float(pos - lo) * (b - a), 1)
        out[key] = res
    return out
