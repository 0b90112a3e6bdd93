"""A script result without a faithful JSON form (issue 11): converted by the documented rule
(engine/stored_values.py: Decimal -> its exact string, finite floats kept), the rest refused as a
step error — never a 500: at the start a 422 and nothing created; after an approval a 409, the
error recorded on the instance and in the audit trail, the instance left where it was."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import audit
from engine.models import ProcessInstance
from tests.api.conftest import API, assert_error, deploy, login, task_of
from tests.bpmn_factory import HEAD, user_task

BAD = {
    "range": "x = range(3)",
    "nan": "x = float('nan')",
    "inf_decimal": "x = Decimal('Infinity')",
    "huge_int": "x = 10 ** 4400",
    "nul": "x = 'a' + chr(0)",
    "set_in_list": "x = [1, {2}]",
}


def _process(pid: str, script: str, before: bool) -> bytes:
    first = user_task("first", "any", "users", "v01") if before else ""
    ids = (["first"] if before else []) + ["run", "last"]
    seq = ["s", *ids, "e"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(seq, seq[1:], strict=False)))
    script = script.replace("&", "&amp;").replace("<", "&lt;")
    return (f'{HEAD}<bpmn:process id="{pid}" isExecutable="true"><bpmn:extensionElements>'
            f'<lz:process prefix="SV"/></bpmn:extensionElements><bpmn:startEvent id="s"/>{first}'
            f'<bpmn:scriptTask id="run" name="run" scriptFormat="python"><bpmn:script>{script}</bpmn:script>'
            f'</bpmn:scriptTask>{user_task("last", "any", "users", "v02")}'
            f'<bpmn:endEvent id="e"/>{flows}</bpmn:process></bpmn:definitions>').encode()


def _count(org) -> int:
    with org.db.uow() as s:
        return s.scalar(select(func.count()).select_from(ProcessInstance)) or 0


def test_decimals_become_their_exact_string_and_finite_floats_stay(client, org):
    assert deploy(client, _process("conv", "a = Decimal('0.1') + Decimal('0.2')\nb = 1.5\nc = (1, 2)", False)
                  ).status_code == 201
    r = client.post(f"{API}/process-instances", json={"process": "conv", "data": {}}, headers=login(client, "clerk"))
    assert r.status_code == 201, r.get_json()
    data = client.get(f"{API}/process-instances/{r.get_json()['id']}", headers=login(client, "admin")).get_json()["data"]
    assert data["a"] == "0.3" and data["b"] == 1.5 and data["c"] == [1, 2]


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_unstorable_result_at_the_start_is_a_422_and_nothing_is_created(client, org, case):
    assert deploy(client, _process(f"start_{case}", BAD[case], False)).status_code == 201
    before = _count(org)
    r = client.post(f"{API}/process-instances", json={"process": f"start_{case}", "data": {}},
                    headers=login(client, "clerk"))
    err = assert_error(r, 422)
    assert "x" in str(err) and "cannot be stored" in str(err)
    assert _count(org) == before


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_unstorable_result_after_an_approval_is_a_recorded_step_error(client, org, case):
    assert deploy(client, _process(f"later_{case}", BAD[case], True)).status_code == 201
    r = client.post(f"{API}/process-instances", json={"process": f"later_{case}", "data": {}},
                    headers=login(client, "clerk"))
    iid = r.get_json()["id"]
    tid = task_of(client, "v01", iid)
    r = client.post(f"{API}/tasks/{tid}/approve", json={"comment": "同意"}, headers=login(client, "v01"))
    assert_error(r, 409, "engine_error")
    view = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()
    assert view["status"] == "running" and "cannot be stored" in (view["error"] or "")
    assert view["history"][-1]["action"] == "engine_error" and "cannot be stored" in view["history"][-1]["comment"]
    assert [t["node_id"] for t in view["open_tasks"]] == ["first"], "rolled back: still at the approval"
    assert task_of(client, "v01", iid) == tid
    with org.db.uow() as s:
        assert audit.verify(s, iid) == (True, None)
