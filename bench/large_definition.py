"""What the largest definition the limits allow costs (core/limits.py: 2,000 flow nodes): deploy,
start, and the instance page (diagram with progress, timeline, data) and instance API for an
instance waiting at its first approval, on SQLite. The process: start, one approval node, a
parallel split into 199 branches of 10 plain tasks, the join and the end (all predicted in
SpiffWorkflow's tree, laid out by bpmn/layout.py as the file has no diagram). A single chain that
long cannot be deployed: SpiffWorkflow's parser recurses per node and stops near 490 in a row
(refused with a 422 naming the node).

Run: .venv/bin/python bench/large_definition.py [--nodes 2000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import crm.models  # noqa: E402,F401
import crm.org  # noqa: E402
import engine.models  # noqa: E402,F401
import files.models  # noqa: E402,F401
import notify.models  # noqa: E402,F401
import search.models  # noqa: E402,F401
from app import create_app, wire  # noqa: E402
from db.base import Base  # noqa: E402
from db.session import Database  # noqa: E402
from demo.org import DEFAULT_PASSWORD, load_demo  # noqa: E402
from engine import instances  # noqa: E402
from engine.design import definitions  # noqa: E402

crm.org.PASSWORD_METHOD = "pbkdf2:sha256:1000"
APPROVER, CLERK = "zhouqiang", "zhangsan"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/'
        'MODEL" xmlns:lz="urn:liuzhuan:bpmn:1" id="defs" targetNamespace="urn:bench">')


def big(nodes: int, depth: int = 10) -> bytes:
    """start -> approval -> parallel split -> B branches of `depth` tasks -> join -> end (B fills `nodes`)."""
    branches = (nodes - 5) // depth
    body = ['<bpmn:startEvent id="s"/>',
            '<bpmn:userTask id="a" name="审批"><bpmn:extensionElements><lz:approval mode="any"/>'
            '<lz:assignees strategy="supervisor" value=""/></bpmn:extensionElements></bpmn:userTask>',
            '<bpmn:parallelGateway id="split"/>', '<bpmn:parallelGateway id="join"/>', '<bpmn:endEvent id="e"/>']
    edges = [("s", "a"), ("a", "split"), ("join", "e")]
    for b in range(branches):
        ids = [f"t{b}_{i}" for i in range(depth)]
        body += [f'<bpmn:task id="{t}" name="步骤{t}"/>' for t in ids]
        edges += [("split", ids[0]), *zip(ids, ids[1:], strict=False), (ids[-1], "join")]
    body += [f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>' for i, (a, b) in enumerate(edges)]
    return (HEAD + '<bpmn:process id="big" name="big" isExecutable="true">' + "".join(body)
            + "</bpmn:process></bpmn:definitions>").encode()


def timed(fn, rounds: int = 1) -> tuple[float, object]:
    samples, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(db.engine)
        load_demo(db)
        wire()
        from crm import directory

        clerk = directory.login(db, CLERK, DEFAULT_PASSWORD)
        xml = big(args.nodes)
        t_deploy, _ = timed(lambda: definitions.deploy(db, xml, None))
        t_start, started = timed(lambda: instances.start_process(db, clerk, "big", {}))
        iid = started["id"]  # type: ignore[index]
        app = create_app({"DATABASE": db, "SECRET_KEY": "bench", "TESTING": True})
        c = app.test_client()
        with c.session_transaction() as sess:
            sess["uid"] = directory.login(db, APPROVER, DEFAULT_PASSWORD)

        def get(url: str):
            def once() -> None:
                r = c.get(url)
                assert r.status_code == 200, (url, r.status_code)
            return once

        t_first, _ = timed(get(f"/instances/{iid}"))  # first view after a change: loads the workflow
        t_page, _ = timed(get(f"/instances/{iid}"), args.rounds)
        t_api, _ = timed(get(f"/api/v1/process-instances/{iid}"), args.rounds)
        print(f"{args.nodes} flow nodes, SQLite: deploy {t_deploy:.2f} s, start {t_start:.2f} s, "
              f"instance page first view {t_first * 1e3:.0f} ms, then {t_page * 1e3:.0f} ms, "
              f"instance API {t_api * 1e3:.0f} ms (median of {args.rounds})")
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
