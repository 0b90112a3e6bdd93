"""An approval node's ballot, read: the tasks that voted, finished or still wait, with their
assignees' usernames and signatures (one statement: `node_rows`), who voted (`voters`), and the
node's rule with every ballot so far for the task page (`vote_status`). The node's behaviour —
activate, vote, evaluate, decide, deadline actions — is engine/nodes/approval.py."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import Session

from crm.models import User
from db.base import iso
from engine import signatures
from engine.lifecycle import VOTED, TaskStatus
from engine.models import HumanTask, NodeActivation, Timer
from engine.nodes.rules import describe, weight_of
from files.models import StoredFile

_VOTED_ROWS = (select(HumanTask).where(HumanTask.activation_id == bindparam("aid"),
                                       HumanTask.status.in_([str(v.value) for v in VOTED]))
               .order_by(HumanTask.acted_at, HumanTask.id))
_VOTED_STATUSES = tuple(str(v.value) for v in VOTED)
# with each task's signature, if any (several rows for a task re-signed: the last one counts)
_NODE_ROWS = (select(HumanTask, User.username, StoredFile.id, StoredFile.name, StoredFile.size, StoredFile.sha256,
                     StoredFile.content_type)
              .join(User, User.id == HumanTask.assignee_id)
              .add_columns(exists().where(Timer.activation_id == bindparam("aid"), Timer.fired_at.is_(None)))
              .outerjoin(StoredFile, and_(StoredFile.task_id == HumanTask.id, StoredFile.field == signatures.FIELD))
              .where(HumanTask.activation_id == bindparam("aid"),
                     HumanTask.status.in_([*_VOTED_STATUSES, TaskStatus.DONE.value, TaskStatus.OPEN.value,
                                           TaskStatus.DELEGATED.value]))
              .order_by(HumanTask.acted_at, HumanTask.id, StoredFile.id))


def voted_rows(s: Session, act: NodeActivation) -> list[HumanTask]:
    return list(s.scalars(_VOTED_ROWS, {"aid": act.id}))


def voters(s: Session, act: NodeActivation) -> set[int]:
    return {t.assignee_id for t in voted_rows(s, act)}


@dataclass
class NodeRows:
    """The tasks of an activation that count or still wait, read in one statement with their
    assignees' usernames (what deciding the node needs: the ballot, the tasks to cancel)."""
    voted: list[HumanTask]
    done: list[HumanTask]
    waiting: list[HumanTask]  # open, or delegated (委派)
    usernames: dict[int, str]
    signed: dict[int, dict[str, Any]]  # task id -> its signature's file reference
    timers: bool | None = None  # whether the activation has a pending timer (None: no row told)




def node_rows(s: Session, act: NodeActivation) -> NodeRows:
    node = NodeRows([], [], [], {}, {})
    seen: set[int] = set()
    for t, username, file_id, name, size, sha256, content_type, timers in s.execute(_NODE_ROWS, {"aid": act.id}):
        node.timers = bool(timers)
        if file_id is not None:  # the same reference as signatures.of_tasks
            node.signed[t.id] = {"id": file_id, "name": name, "size": size, "sha256": sha256,
                                 "content_type": content_type}
        if t.id in seen:
            continue
        seen.add(t.id)
        node.usernames[t.assignee_id] = username
        if t.status in _VOTED_STATUSES:
            node.voted.append(t)
        elif t.status == TaskStatus.DONE:
            node.done.append(t)
        else:
            node.waiting.append(t)
    return node


def decision(t: HumanTask) -> str:
    return "approve" if t.status == TaskStatus.APPROVED else "reject"


def vote_status(s: Session, act: NodeActivation, rows: list[HumanTask] | None = None,
                names: dict[int, User] | None = None) -> dict[str, Any]:
    """The node's rule and every ballot so far, for the task page. `rows` (the activation's tasks by
    id) and `names` (users by id, covering them and the assignees) when the caller has read them."""
    if rows is None:
        rows = list(s.scalars(select(HumanTask).where(HumanTask.activation_id == act.id).order_by(HumanTask.id)))
    if names is None:
        names = {u.id: u for u in s.scalars(select(User).where(User.id.in_({r.assignee_id for r in rows}
                                                                         | set(act.assignee_ids))))}
    return {
        "mode": act.mode, "threshold": act.threshold, "status": act.status,
        "rule": describe(act.mode, len(act.assignee_ids), Fraction(act.threshold) if act.threshold else None,
                         sum(weight_of(act.weights, uid) for uid in act.assignee_ids) if act.weights else None),
        "assignees": [names[uid].username for uid in act.assignee_ids if uid in names],
        "weights": {names[uid].username: weight_of(act.weights, uid) for uid in act.assignee_ids if uid in names}
        if act.weights else None,
        "ballots": [{"user": names[r.assignee_id].username, "display_name": names[r.assignee_id].display_name,
                     "status": r.status, "comment": r.comment, "auto": r.auto,
                     "at": iso(r.acted_at)} for r in rows],
    }
