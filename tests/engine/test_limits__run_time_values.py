"""Values computed at run time are held to the same limits as deploy (core/limits.py): a timer
duration or cycle read from the process data, a multi-instance cardinality from the data. The
start answers 422 with the limit, in well under a second, never a 500 or a minutes-long parse."""
from __future__ import annotations

import time

import pytest

from core.errors import ValidationFailed
from tests.api.test_process_definitions__limits import _mi, _timer_process
from tests.engine import helpers as h


@pytest.mark.parametrize("kind,value,words", [
    ("timeDuration", "P99999999Y", "longer than 10 years"),
    ("timeDuration", "P3000000D", "longer than 10 years"),
    ("timeDuration", "P999999999W", "longer than 10 years"),
    ("timeCycle", "R/PT0S", "fixed number of times"),
    ("timeCycle", "R5/PT1S", "more often than every 60 s"),
])
def test_a_timer_value_from_the_data_beyond_the_limits_fails_the_start(org, kind, value, words):
    key = h.deploy(org, _timer_process(kind, "wait_for"))
    t = time.monotonic()
    with pytest.raises(ValidationFailed) as e:
        h.start(org, "clerk", key, {"wait_for": value})
    assert words in e.value.message and "wait" in e.value.message
    assert time.monotonic() - t < 10


def test_a_timer_value_within_the_limits_starts(org):
    key = h.deploy(org, _timer_process("timeDuration", "wait_for"))
    assert h.start(org, "clerk", key, {"wait_for": "P2D"})


def test_a_cardinality_from_the_data_over_the_limit_fails_the_start_quickly(org):
    key = h.deploy(org, _mi("n"))
    t = time.monotonic()
    with pytest.raises(ValidationFailed, match="cardinality 20000 is over the limit of 1000"):
        h.start(org, "clerk", key, {"n": 20000})
    assert time.monotonic() - t < 10
    assert h.start(org, "clerk", key, {"n": 3})


def _mi_over_collection(sequential: bool) -> bytes:
    from tests.api.test_process_definitions__limits import HEAD

    chars = (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">'
             '<bpmn:loopDataInputRef>people</bpmn:loopDataInputRef>'
             '<bpmn:inputDataItem id="person" name="person"/></bpmn:multiInstanceLoopCharacteristics>')
    return (f'{HEAD}<bpmn:process id="each_of" isExecutable="true"><bpmn:startEvent id="s"/>'
            f'<bpmn:task id="each">{chars}</bpmn:task><bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="each"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="e"/></bpmn:process></bpmn:definitions>').encode()


@pytest.mark.parametrize("sequential", [False, True])
def test_an_input_collection_from_the_data_over_the_limit_fails_the_start(org, sequential):
    key = h.deploy(org, _mi_over_collection(sequential))
    with pytest.raises(ValidationFailed, match="input collection of 20000 items is over the limit of 1000") as e:
        h.start(org, "clerk", key, {"people": list(range(20000))})
    assert "each" in e.value.message  # the node is named
    assert h.start(org, "clerk", key, {"people": [1, 2, 3]})  # within the limit: runs
