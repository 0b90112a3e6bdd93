"""A runaway script task fails its step with a clear message within the CPU budget, and other
users' starts of the same business-key prefix are answered meanwhile (the key counter is not
locked while scripts run) — on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import time

import pytest

from core import limits
from core.errors import EngineFailure, ValidationFailed
from engine import instances
from engine.models import ProcessInstance
from tests.bpmn_factory import HEAD, chain, user_task
from tests.engine import helpers as h

BUDGET = 1.0


def _script_process(pid: str, script: str, before: str = "") -> bytes:
    nodes = [before, f'<bpmn:scriptTask id="run" name="run" scriptFormat="python"><bpmn:script>{script}</bpmn:script>'
             '</bpmn:scriptTask>']
    ids = (["first"] if before else []) + ["run"]
    seq = ["s", *ids, "e"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(seq, seq[1:], strict=False)))
    return (f'{HEAD}<bpmn:process id="{pid}" isExecutable="true"><bpmn:extensionElements>'
            f'<lz:process prefix="RW"/></bpmn:extensionElements><bpmn:startEvent id="s"/>{"".join(nodes)}'
            f'<bpmn:endEvent id="e"/>{flows}</bpmn:process></bpmn:definitions>').encode()


@pytest.fixture
def budget():
    before = limits.current()
    limits.configure(limits.Limits(script_cpu_seconds=BUDGET))
    yield
    limits.configure(before)


def test_a_runaway_start_fails_clearly_and_another_start_of_the_prefix_is_not_blocked(any_org, budget):
    org = any_org
    spin = h.deploy(org, _script_process("spin", "while True: pass"))
    quick = h.deploy(org, chain("quick", [user_task("sup", "any", "supervisor")], prefix="RW"))
    h.start(org, "clerk", quick)  # the RW counter row exists
    failure: list[BaseException] = []
    done: dict[str, float] = {}

    def runaway() -> None:
        try:
            h.start(org, "clerk", spin)
        except BaseException as e:  # asserted below
            failure.append(e)
        done["runaway"] = time.monotonic()

    t0 = time.monotonic()
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)  # the runaway start is inside its script by now
    other = h.start(org, "clerk", quick)
    done["other"] = time.monotonic()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert len(failure) == 1 and isinstance(failure[0], ValidationFailed)
    assert "CPU time" in failure[0].message and "the limit of one expression or script" in failure[0].message
    assert done["runaway"] - t0 < 60, "stopped by the budget, not by a client timeout"
    if not org.db.is_sqlite:  # PostgreSQL: the other start did not wait for the script at all
        assert done["other"] < done["runaway"]
    with org.db.uow() as s:
        inst = s.get(ProcessInstance, other)
        assert inst is not None and inst.business_key.startswith("RW-") and inst.status == "running"
        assert s.query(ProcessInstance).filter_by(process_key="spin").count() == 0, "nothing stored"


def test_a_runaway_script_after_an_approval_fails_the_step_and_is_recorded_on_the_instance(any_org, budget):
    org = any_org
    key = h.deploy(org, _script_process("later", "x = 'a'.ljust(300000000)",
                                        before=user_task("first", "any", "supervisor")))
    inst_id = h.start(org, "clerk", key)
    with pytest.raises(EngineFailure) as e:
        h.approve(org, "sales_lead", inst_id)
    assert "too large" in e.value.message
    with org.db.uow() as s:
        inst = s.get(ProcessInstance, inst_id)
        assert inst.status == "running" and "too large" in (inst.error or "")
    assert h.open_assignees(org, inst_id) == {"first": {"sales_lead"}}, "the approval was rolled back"
    h.assert_inbox_matches_engine(org, inst_id)


@pytest.fixture
def memory_budget():
    """A memory limit reached within a few dozen allocations, and CPU time to spare: on a fresh VM
    the first touch of every page is slow (one CI run spent the 1 s of `budget` faulting in 256 MB),
    so the memory limit, not the clock, must be what stops the script."""
    before = limits.current()
    limits.configure(limits.Limits(script_cpu_seconds=5.0, script_memory_mb=32))
    yield
    limits.configure(before)


def test_memory_hungry_script_is_stopped_and_the_next_start_works(org, memory_budget):
    key = h.deploy(org, _script_process("hungry", "x = []\nwhile True:\n    x.append('a' * 999990 + str(len(x)))"))
    with pytest.raises(ValidationFailed, match="more than 32 MB of memory"):
        h.start(org, "clerk", key)
    quick = h.deploy(org, chain("quick", [user_task("sup", "any", "supervisor")], prefix="RW"))
    assert instances.start_process(org.db, org["clerk"], quick, {})["status"] == "running"
