"""Small drivers for engine tests: deploy, start, act as a user, look at the inbox."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import inbox, instances, tasks
from engine.design import definitions
from engine.models import HumanTask, NodeActivation
from tests.org import Org


def deploy(org: Org, xml: bytes) -> str:
    d, _ = definitions.deploy(org.db, xml, org["admin"])
    return d.key


def start(org: Org, user: str, process: str, data: dict[str, Any] | None = None, **kw: Any) -> int:
    return instances.start_process(org.db, org[user], process, data or {}, **kw)["id"]


def todo(org: Org, user: str, instance_id: int | None = None) -> list[dict[str, Any]]:
    rows, _ = inbox.list_box(org.db, org[user], "todo", 0, 100)
    return [r for r in rows if instance_id is None or r["instance_id"] == instance_id]


def task_of(org: Org, user: str, instance_id: int) -> int:
    rows = todo(org, user, instance_id)
    assert len(rows) == 1, f"{user} has {len(rows)} open tasks in instance {instance_id}"
    return rows[0]["id"]


def approve(org: Org, user: str, instance_id: int, comment: str = "同意", **kw: Any) -> dict[str, Any]:
    return tasks.approve(org.db, org[user], task_of(org, user, instance_id), comment, **kw)


def reject(org: Org, user: str, instance_id: int, comment: str = "不同意") -> dict[str, Any]:
    return tasks.reject(org.db, org[user], task_of(org, user, instance_id), comment)


def instance(org: Org, instance_id: int) -> dict[str, Any]:
    return instances.get_instance(org.db, org["admin"], instance_id)


def open_assignees(org: Org, instance_id: int) -> dict[str, set[str]]:
    """node_id -> usernames with an open inbox row."""
    out: dict[str, set[str]] = {}
    with org.db.uow() as s:
        for t in s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")):
            out.setdefault(t.node_id, set()).add(org.name_of(t.assignee_id))
    return out


def activation_states(org: Org, instance_id: int) -> list[tuple[str, str]]:
    with org.db.uow() as s:
        return [(a.node_id, a.status) for a in s.scalars(select(NodeActivation).where(
            NodeActivation.instance_id == instance_id).order_by(NodeActivation.id))]


def assert_inbox_matches_engine(org: Org, instance_id: int) -> None:
    engine_side = instances.engine_open_nodes(org.db, instance_id)
    inbox_side = instances.inbox_open_nodes(org.db, instance_id)
    assert inbox_side == engine_side, f"inbox {inbox_side} != engine {engine_side}"


COUNTERSIGN_RETURN = Path(__file__).parent / "data" / "countersign_return.bpmn"


def deploy_countersign_return(org: Org) -> str:
    """The test process with a draft step, a supervisor and a parallel legal / finance countersign."""
    return deploy(org, COUNTERSIGN_RETURN.read_bytes())


def to_parallel(org: Org, key: str) -> int:
    """An instance of `key` (countersign_return) waiting at both countersigns of its parallel split."""
    iid = start(org, "clerk", key, {"amount": 100})
    approve(org, "clerk", iid, "提交")
    approve(org, "sales_lead", iid)
    assert open_assignees(org, iid) == {"legal": {"v01", "v02"}, "finance": {"v03", "v04", "v05"}}
    assert_inbox_matches_engine(org, iid)
    return iid
