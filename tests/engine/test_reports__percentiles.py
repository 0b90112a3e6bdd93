"""The median and p90 of the reports (engine/reports_sql.py): the portable row_number window (what
SQLite runs) and percentile_cont (what PostgreSQL runs) agree with each other and with linear
interpolation computed here, for groups of 1 to 11 values."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from engine.models import ProcessDefinition, ProcessInstance
from engine.reports_sql import group_percentiles, interpolate, percentiles, seconds
from tests.org import Org

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def expected(values: list[float], p: float) -> float:
    values = sorted(values)
    pos = p * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return round(values[lo] + (pos - lo) * (values[hi] - values[lo]), 1)


def test_window_and_percentile_cont_agree(any_org: Org):
    groups = {f"g{n}": [((n * 37 + i * 53) % 97 + 1) * 60.0 for i in range(n)] for n in range(1, 12)}
    with any_org.db.uow(write=True) as s:
        d = ProcessDefinition(key="k", version=1, name="k", bpmn_xml="<x/>", spec_json="{}", config={}, checksum="x")
        s.add(d)
        s.flush()
        for key, durations in groups.items():
            for i, secs in enumerate(durations):
                s.add(ProcessInstance(definition_id=d.id, process_key=key, business_key=f"{key}-{i}",
                                      initiator_id=any_org["clerk"], data={}, state="{}", status="completed",
                                      created_at=T0, ended_at=T0 + timedelta(seconds=secs)))
    source = select(ProcessInstance.process_key.label("k"),
                    seconds(ProcessInstance.ended_at, ProcessInstance.created_at).label("d")).subquery()
    with any_org.db.uow() as s:
        window = interpolate(s.execute(percentiles(source, ["k"], "d")).all(), 1)
        used = group_percentiles(s, source, ["k"], "d")
    for key, durations in groups.items():
        want = {"median": expected(durations, .5), "p90": expected(durations, .9)}
        assert window[(key,)] == want, key
        assert used[(key,)] == want, key
