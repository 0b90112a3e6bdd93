"""Helpers for the library processes' HTTP tests (bpmn/library/): deploy a library file, start it,
see who holds a task, act, read the instance and the records it changed.

The test organisation (tests/org.py) gives no one the legal role; `legal_head` (head of 法务部)
gets it here, as a company would give it to its legal department.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from crm import org as org_svc
from engine.design import definitions
from tests.api.conftest import API, inbox, login
from tests.org import Org

LIBRARY = Path(__file__).resolve().parents[3] / "bpmn" / "library"
EVERYONE = ("clerk", "clerk2", "sales_lead", "sales_head", "legal_head", "fin_head", "hr_head", "gm", "fin1",
            "fin2", "hr1", "admin")


def deploy_library(org: Org, *keys: str) -> Org:
    with org.db.uow(write=True) as s:
        org_svc.update_user(s, org["legal_head"], {"roles": ["legal"]})
    for key in keys:
        definitions.deploy(org.db, (LIBRARY / f"{key}.bpmn").read_bytes(), org["admin"])
    return org


def start(client: Any, process: str, data: dict[str, Any], user: str = "clerk") -> Any:
    return client.post(f"{API}/process-instances", headers=login(client, user),
                       json={"process": process, "data": data})


def started(client: Any, process: str, data: dict[str, Any], user: str = "clerk", prefix: str | None = None) -> int:
    r = start(client, process, data, user)
    assert r.status_code == 201, r.get_json()
    if prefix:
        assert r.get_json()["business_key"].startswith(prefix + "-"), r.get_json()
    return int(r.get_json()["id"])


def instance(client: Any, iid: int, user: str = "clerk") -> dict[str, Any]:
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def todo(client: Any, user: str, iid: int) -> list[dict[str, Any]]:
    return [t for t in inbox(client, user)["items"] if t["instance_id"] == iid]


def holders(client: Any, iid: int) -> list[str]:
    """Who has an open task of this instance (from the API's open_tasks, checked against the inboxes)."""
    users = sorted(u for u in EVERYONE if todo(client, u, iid))
    return users


def ended(client: Any, iid: int, user: str = "clerk") -> tuple[str, str | None, str | None]:
    inst = instance(client, iid, user)
    return inst["status"], inst["end_event"], inst["outcome"]


def decide(client: Any, user: str, iid: int, action: str = "approve", **body: Any) -> Any:
    """`user` takes `action` on their one open task of the instance; returns the response."""
    rows = todo(client, user, iid)
    assert len(rows) == 1, (user, rows)
    return client.post(f"{API}/tasks/{rows[0]['id']}/{action}", json={"comment": "意见", **body},
                       headers=login(client, user))


def ok(client: Any, user: str, iid: int, action: str = "approve", **body: Any) -> dict[str, Any]:
    r = decide(client, user, iid, action, **body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def reject(client: Any, user: str, iid: int) -> dict[str, Any]:
    return ok(client, user, iid, "reject", comment="不同意")


def withdraw(client: Any, iid: int, user: str = "clerk") -> Any:
    return client.post(f"{API}/process-instances/{iid}/withdraw", json={"comment": "填错了"},
                       headers=login(client, user))
