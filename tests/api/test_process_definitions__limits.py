"""Deploy refuses definitions beyond the limits of core/limits.py with a 422 naming the element and
the limit: timer durations, dates and cycles, lz:deadline, nodes per process, multi-instance
cardinality and loop maximum. Nothing is stored on refusal; values at the limit deploy."""
from __future__ import annotations

import pytest

from tests.api.conftest import API, assert_error, deploy, login
from tests.bpmn_factory import HEAD, chain, user_task, wide


def _timer_process(kind: str, value: str, pid: str = "timed") -> bytes:
    return (f'{HEAD}<bpmn:process id="{pid}" isExecutable="true"><bpmn:startEvent id="s"/>'
            f'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
            f'<bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            f'<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>'
            f'<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/></bpmn:process></bpmn:definitions>').encode()


def _refused(client, xml: bytes, element: str, *words: str) -> None:
    err = assert_error(deploy(client, xml), 422, "definition_invalid")
    msgs = [p["message"] for p in err["problems"] if p["element_id"] == element]
    assert msgs, err["problems"]
    assert all(w in " ".join(msgs) for w in words), msgs
    assert client.get(f"{API}/process-definitions", headers=login(client, "admin")).get_json()["total"] == 0


@pytest.mark.parametrize("kind,value,words", [
    ("timeDuration", '"P99999999Y"', ("longer than 10 years", "LIUZHUAN_MAX_TIMER_YEARS")),
    ("timeDuration", '"P3000000D"', ("longer than 10 years",)),
    ("timeDuration", '"P999999999W"', ("longer than 10 years",)),
    ("timeDuration", '"PXD"', ("not an ISO-8601 duration",)),
    ("timeDate", '"9999-01-01T00:00:00"', ("more than 10 years away",)),
    ("timeCycle", '"R/PT0S"', ("fixed number of times", "R1 to R1000")),
    ("timeCycle", '"R5/PT0S"', ("more often than every 60 s", "LIUZHUAN_MIN_CYCLE_SECONDS")),
    ("timeCycle", '"R1001/PT1H"', ("R1 to R1000",)),
    ("timeCycle", '"R0/PT1H"', ("R1 to R1000",)),
    ("timeCycle", '"R3/P20Y"', ("longer than 10 years",)),
])
def test_timers_beyond_the_limits_are_422_naming_the_event(client, kind, value, words):
    _refused(client, _timer_process(kind, value), "wait", *words)


@pytest.mark.parametrize("kind,value", [("timeDuration", '"P10Y"'), ("timeDuration", '"PT1H"'),
                                        ("timeCycle", '"R1000/PT1M"'), ("timeDate", '"2030-01-01T00:00:00"'),
                                        ("timeDuration", "wait_for")])
def test_timers_within_the_limits_deploy(client, kind, value):
    r = deploy(client, _timer_process(kind, value))
    assert r.status_code == 201, r.get_json()


def test_an_lz_deadline_beyond_ten_years_is_422_naming_the_node(client):
    for duration in ("P999999999W", "P3000000D"):
        xml = chain("late", [user_task("a", "any", "supervisor", extra=f'<lz:deadline duration="{duration}"/>')])
        _refused(client, xml, "a", "longer than 10 years")


def test_a_process_over_the_node_limit_is_422_naming_the_process_and_the_limit(client):
    _refused(client, wide(1999), "wide", "2001 flow nodes", "2000", "LIUZHUAN_MAX_NODES")


def _mi(cardinality: str, loop: str = "") -> bytes:
    chars = (f'<bpmn:multiInstanceLoopCharacteristics isSequential="false"><bpmn:loopCardinality>{cardinality}'
             '</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>') if cardinality else loop
    return (f'{HEAD}<bpmn:process id="many" isExecutable="true"><bpmn:startEvent id="s"/>'
            f'<bpmn:task id="each">{chars}</bpmn:task><bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="each"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="e"/></bpmn:process></bpmn:definitions>').encode()


def test_multi_instance_cardinality_and_loop_maximum_over_the_limit_are_422_naming_the_task(client):
    _refused(client, _mi("20000"), "each", "cardinality 20000", "1000", "LIUZHUAN_MAX_CARDINALITY")
    _refused(client, _mi("", '<bpmn:standardLoopCharacteristics loopMaximum="5000"/>'), "each",
             "loopMaximum 5000", "LIUZHUAN_MAX_LOOP")
    assert deploy(client, _mi("1000")).status_code == 201
