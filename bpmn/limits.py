"""The size and time limits of a definition (core/limits.py holds the numbers): timer values,
multi-instance cardinality and loop counts, nodes per process. Pure functions over values and
XML; bpmn/checks.py applies them at deploy, engine/spiff/scripting.py to values computed at run
time (a timer or a cardinality read from the process data).

A timer value is checked before SpiffWorkflow parses it: it turns `P99999999Y` into a loop over
1.2 billion months, and `P3000000D` or `P999999999W` into an OverflowError.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from bpmn.problem_texts import pm
from core import limits

_B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
YEAR_SECONDS = 365.25 * 86400
_UNITS = {"Y": YEAR_SECONDS, "M": YEAR_SECONDS / 12, "W": 7 * 86400, "D": 86400}
_TIME_UNITS = {"H": 3600, "M": 60, "S": 1}
_DURATION = re.compile(r"^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?"
                       r"(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$", re.IGNORECASE)


def duration_seconds(text: str) -> float | None:
    """The length of an ISO-8601 duration in seconds (a year counted as 365.25 days), None if not one."""
    text = text.strip()
    m = _DURATION.match(text)
    if not m or not any(m.groups()) or text.upper().endswith("T"):
        return None
    values = [float(v.replace(",", ".")) if v else 0.0 for v in m.groups()]
    units = [*_UNITS.values(), *_TIME_UNITS.values()]
    return sum(v * u for v, u in zip(values, units, strict=True))


def duration_problem(text: str, what: str = "duration") -> str | None:
    """Why a duration is refused: not ISO-8601, zero, or longer than the configured years."""
    seconds = duration_seconds(text)
    if seconds is None:
        return pm("limit_duration_format", what=what, text=repr(text))
    years = limits.current().max_timer_years
    if seconds > years * YEAR_SECONDS:
        return pm("limit_duration_years", what=what, text=repr(text), years=years)
    return None


def _date_problem(text: str, what: str) -> str | None:
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        return None  # other ISO forms (week dates) are SpiffWorkflow's to read; they cannot be far off
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    years = limits.current().max_timer_years
    if (at - datetime.now(UTC)).total_seconds() > years * YEAR_SECONDS:
        return pm("limit_date_years", what=what, text=repr(text), years=years)
    return None


def cycle_problem(text: str) -> str | None:
    """A cycle R<n>/[start/]<interval>: n required, 1..max repetitions, an interval of at least the minimum."""
    lim = limits.current()
    parts = text.strip().upper().replace("--", "/").split("/")
    count = parts[0][1:] if parts[0].startswith("R") else None
    if count is None or len(parts) not in (2, 3):
        return pm("limit_cycle_format", text=repr(text))
    if not count.isdigit() or not 1 <= int(count) <= lim.max_cycle_repetitions:
        return pm("limit_cycle_count", text=repr(text), max=lim.max_cycle_repetitions)
    durations = [p for p in parts[1:] if p.startswith("P")]
    if len(durations) != 1:
        return pm("limit_cycle_interval", text=repr(text))
    for p in parts[1:]:
        why = duration_problem(p, "timeCycle interval") if p.startswith("P") else _date_problem(p, "timeCycle start")
        if why:
            return why
    seconds = duration_seconds(durations[0]) or 0
    if seconds < lim.min_cycle_seconds:
        return pm("limit_cycle_often", text=repr(text), min=lim.min_cycle_seconds)
    return None


def timer_problem(kind: str, value: object) -> str | None:
    """Why a timer's value (timeDuration, timeDate or timeCycle, already evaluated) is refused."""
    if not isinstance(value, str):
        return None if kind == "timeDate" and isinstance(value, datetime) else pm("limit_timer_text", kind=kind)
    if kind == "timeDuration":
        return duration_problem(value, "timeDuration")
    if kind == "timeCycle":
        return cycle_problem(value)
    return _date_problem(value, "timeDate")


def cardinality_problem(value: object) -> str | None:
    most = limits.current().max_cardinality
    if isinstance(value, bool) or not isinstance(value, int):
        return None  # not a count: SpiffWorkflow reports it
    if value > most:
        return pm("limit_cardinality", value=value, max=most)
    return None


def collection_problem(value: object) -> str | None:
    """A multi-instance input collection (one instance per item) larger than the cardinality limit."""
    most = limits.current().max_cardinality
    try:
        size = len(value)  # type: ignore[arg-type]
    except TypeError:
        return None  # not a collection: SpiffWorkflow reports it
    if size > most:
        return pm("limit_collection", size=size, max=most)
    return None


FLOW_NODES = frozenset({
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "adHocSubProcess", "startEvent", "endEvent", "boundaryEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
    "eventBasedGateway", "complexGateway"})


def node_count(process: etree._Element) -> int:
    """Flow nodes of a process, those inside its sub-processes included."""
    return sum(1 for el in process.iter() if isinstance(el.tag, str) and el.tag.startswith(_B)
               and el.tag[len(_B):] in FLOW_NODES)
