"""Keeping SpiffWorkflow's task tree usable when a process loops.

The task iterators stop at depth 1000, after which a workflow that loops back through a gateway
looks completed while a task is still READY (SPIFFWORKFLOW-NOTES.md, "Loops"). We lift that limit
and, more importantly, keep the tree shallow: `compact()` re-roots the task tree when a loop has
made it deep, dropping history older than `KEEP_LEVELS` (Liuzhuan's own audit trail keeps the
full history).
"""
from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util import task as _bpmn_task_util
from SpiffWorkflow.task import Task
from SpiffWorkflow.util import task as _task_util
from SpiffWorkflow.util.task import TaskState

# Depth beyond which compact() re-roots the tree, and how many levels of history it keeps.
COMPACT_AT_DEPTH = 100


KEEP_LEVELS = 40


_UNLIMITED = 10**9


def _lift_iterator_depth_limit() -> None:
    """The iterators' max_depth=1000 default silently truncates deep trees; make it unlimited."""
    for cls in (_task_util.TaskIterator, _bpmn_task_util.BpmnTaskIterator):
        defaults = list(cls.__init__.__defaults__ or ())
        if len(defaults) >= 2 and defaults[1] == 1000:
            defaults[1] = _UNLIMITED
            cls.__init__.__defaults__ = tuple(defaults)


_lift_iterator_depth_limit()


def _ancestors(task: Task) -> list[Task]:
    chain = []
    cur: Task | None = task
    while cur is not None:
        chain.append(cur)
        cur = cur.parent
    chain.reverse()
    return chain


def compact(wf: BpmnWorkflow, at_depth: int = COMPACT_AT_DEPTH, keep: int = KEEP_LEVELS) -> bool:
    """Re-root the task tree of a deep workflow. Returns True when it did.

    Safe because the new root is a completed ancestor of every unfinished task: joins,
    pending branches and predicted paths all stay below it. Skipped when sub-processes
    are present (their trees hang off tasks that might be dropped).
    """
    if wf.subprocesses:
        return False
    unfinished = [t for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return False
    path = _ancestors(unfinished[0])
    if len(path) <= at_depth:
        return False
    index = {t.id: i for i, t in enumerate(path)}
    lca = len(path) - 1
    for t in unfinished[1:]:
        cur: Task | None = t
        while cur is not None and cur.id not in index:
            cur = cur.parent
        lca = min(lca, index[cur.id]) if cur is not None else 0
    cut = lca - keep
    if cut <= 0:
        return False
    new_root = path[cut]
    if new_root.state != TaskState.COMPLETED:
        return False
    kept = _subtree_ids([new_root])
    for tid in [tid for tid in wf.tasks if tid not in kept]:
        del wf.tasks[tid]
    new_root._parent = None
    wf.task_tree = new_root
    if wf.last_task is not None and wf.last_task.id not in kept:
        wf.last_task = new_root
    return True


def _subtree_ids(roots: Iterable[Task]) -> set[UUID]:
    out: set[UUID] = set()
    stack = list(roots)
    while stack:
        t = stack.pop()
        out.add(t.id)
        stack.extend(t.children)
    return out
