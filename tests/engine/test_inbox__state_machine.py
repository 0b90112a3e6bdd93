"""Random sequences of approve / reject / return / transfer / add-signer on a process with a
countersign inside parallel branches and revise loops. After every step the inbox rows must
equal the engine's open nodes, with no orphaned or duplicated tasks anywhere."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from core.errors import Conflict, ValidationFailed
from engine import instances, tasks
from engine.models import HumanTask, NodeActivation, ProcessInstance
from tests.conftest import _database
from tests.engine import helpers as h
from tests.org import build_org

DATA = Path(__file__).parent / "data"
POOL = [f"v{i:02d}" for i in range(1, 13)]
_WORLD = {}


def world():
    if not _WORLD:
        tmp = tempfile.mkdtemp(prefix="lz-sm-")
        org = build_org(_database(f"sqlite:///{tmp}/lz.db"))
        _WORLD["org"] = org
        _WORLD["key"] = h.deploy(org, (DATA / "countersign_return.bpmn").read_bytes())
    return _WORLD["org"], _WORLD["key"]


class InboxMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.org, self.key = world()
        self.iid = h.start(self.org, "clerk", self.key, {"amount": 1})
        self.steps = 0

    # ------------------------------------------------------------ helpers
    def open_rows(self) -> list[tuple[int, str, int, str]]:
        with self.org.db.uow() as s:
            rows = s.execute(select(HumanTask.id, HumanTask.node_id, HumanTask.assignee_id, NodeActivation.kind)
                             .join(NodeActivation, NodeActivation.id == HumanTask.activation_id)
                             .where(HumanTask.instance_id == self.iid, HumanTask.status == "open")
                             .order_by(HumanTask.id)).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def running(self) -> bool:
        with self.org.db.uow() as s:
            return s.get(ProcessInstance, self.iid).status == "running"

    def _pick(self, data, kinds=("approval", "handle")):
        rows = [r for r in self.open_rows() if r[3] in kinds]
        if not rows:
            return None
        return data.draw(st.sampled_from(rows))

    # ------------------------------------------------------------ actions
    @rule(data=st.data())
    def approve(self, data):
        row = self._pick(data)
        if row:
            tasks.approve(self.org.db, row[2], row[0], "ok")

    @rule(data=st.data())
    def reject(self, data):
        row = self._pick(data, ("approval",))
        if row:
            tasks.reject(self.org.db, row[2], row[0], "no")

    @rule(data=st.data())
    def return_somewhere(self, data):
        row = self._pick(data)
        if not row:
            return
        info = tasks.get_task(self.org.db, row[2], row[0])
        if not info["returnable_nodes"]:
            return
        target = data.draw(st.sampled_from(info["returnable_nodes"]))
        tasks.return_task(self.org.db, row[2], row[0], target, "back")

    @rule(data=st.data())
    def transfer(self, data):
        row = self._pick(data)
        if not row:
            return
        to = data.draw(st.sampled_from(POOL))
        try:
            tasks.transfer(self.org.db, row[2], row[0], to)
        except ValidationFailed:
            pass  # already an assignee of that node, or the actor themself: refused, nothing changes

    @rule(data=st.data())
    def add_signer(self, data):
        row = self._pick(data, ("approval",))
        if not row:
            return
        who = data.draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True))
        try:
            tasks.add_signer(self.org.db, row[2], row[0], who)
        except ValidationFailed:
            pass

    @rule()
    def act_on_a_closed_task_is_refused(self):
        with self.org.db.uow() as s:
            closed = s.execute(select(HumanTask.id, HumanTask.assignee_id).where(
                HumanTask.instance_id == self.iid, HumanTask.status != "open").limit(1)).first()
        if closed:
            try:
                tasks.approve(self.org.db, closed[1], closed[0])
            except Conflict:
                pass
            else:
                raise AssertionError("a closed task accepted an approval")

    @precondition(lambda self: not self.running())
    @rule()
    def start_again(self):
        self.iid = h.start(self.org, "clerk", self.key, {"amount": 1})

    # ------------------------------------------------------------ invariants
    @invariant()
    def inbox_equals_engine(self):
        h.assert_inbox_matches_engine(self.org, self.iid)

    @invariant()
    def no_orphans_or_duplicates(self):
        with self.org.db.uow() as s:
            acts = {a.id: a for a in s.scalars(select(NodeActivation).where(NodeActivation.instance_id == self.iid))}
            rows = list(s.scalars(select(HumanTask).where(HumanTask.instance_id == self.iid,
                                                          HumanTask.status == "open")))
            voted = {}
            for t in s.scalars(select(HumanTask).where(HumanTask.instance_id == self.iid,
                                                       HumanTask.status.in_(("approved", "rejected")))):
                voted.setdefault(t.activation_id, set()).add(t.assignee_id)
            inst = s.get(ProcessInstance, self.iid)
        if inst.status != "running":
            assert rows == [], "a finished instance has no open tasks"
            assert all(a.status != "open" for a in acts.values())
            return
        per_act = {}
        for t in rows:
            assert acts[t.activation_id].status == "open", "open task of a closed node"
            per_act.setdefault(t.activation_id, []).append(t.assignee_id)
        open_acts = [a for a in acts.values() if a.status == "open"]
        assert len({a.spiff_task_id for a in open_acts}) == len(open_acts), "one activation per engine task"
        for a in open_acts:
            people = per_act.get(a.id, [])
            assert len(people) == len(set(people)), "duplicate task for one person"
            if a.mode == "sequential":
                assert len(people) == 1
            else:
                assert set(people) == set(a.assignee_ids) - voted.get(a.id, set())

    @invariant()
    def audit_chain_holds(self):
        assert instances.verify_audit(self.org.db, self.iid)


TestInboxStateMachine = InboxMachine.TestCase
TestInboxStateMachine.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
