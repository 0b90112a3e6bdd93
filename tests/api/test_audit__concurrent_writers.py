"""Every writer of audit events holds the instance lock (issue 11): 50 parallel urges and comments
with an approval racing them, through HTTP on PostgreSQL (row locks) and SQLite (serialized
writes). No 500, one urge accepted per 10 minutes, every comment recorded, the approval goes
through, and the audit chain verifies."""
from __future__ import annotations

import threading

from engine import audit
from tests.api.conftest import API, TWO_STEP, deploy, login, start, task_of

N = 50


def test_fifty_parallel_urges_and_comments_and_an_approval(any_org, app_for):
    app = app_for(any_org.db, SECRET_KEY="test", TESTING=True)
    client = app.test_client()
    assert deploy(client, TWO_STEP).status_code == 201
    iid = start(client, "clerk", "two_step", {})
    tid = task_of(client, "sales_lead", iid)
    clerk, lead = login(client, "clerk"), login(client, "sales_lead")
    barrier = threading.Barrier(N + 1)
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def act(kind: str, i: int) -> None:
        c = app.test_client()
        barrier.wait(timeout=60)
        if kind == "urge":
            r = c.post(f"{API}/process-instances/{iid}/urge", json={}, headers=clerk)
        elif kind == "comment":
            r = c.post(f"{API}/process-instances/{iid}/comments", json={"text": f"第{i}条"}, headers=clerk)
        else:
            r = c.post(f"{API}/tasks/{tid}/approve", json={"comment": "同意"}, headers=lead)
        with lock:
            results.append((kind, r.status_code))

    jobs: list[tuple[str, int]] = [("urge" if i % 2 else "comment", i) for i in range(N)] + [("approve", 0)]
    threads = [threading.Thread(target=act, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    codes: dict[str, list[int]] = {}
    for kind, code in results:
        codes.setdefault(kind, []).append(code)
    assert len(results) == N + 1
    assert all(c < 500 for c in codes["urge"] + codes["comment"] + codes["approve"]), codes
    assert codes["approve"] == [200], codes
    assert sorted(set(codes["comment"])) == [201] or sorted(set(codes["comment"])) == [200], codes
    assert codes["urge"].count(200) == 1 and codes["urge"].count(429) == N // 2 - 1, codes
    with any_org.db.uow() as s:
        ok, bad = audit.verify(s, iid)
    assert ok, bad
    r = client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()
    actions = [e["action"] for e in r["history"]]
    assert actions.count("urge") == 1 and actions.count("comment") == N // 2
    assert [e["seq"] for e in r["history"]] == list(range(1, len(actions) + 1))
    assert r["open_tasks"] and r["open_tasks"][0]["node_id"] == "cs"


