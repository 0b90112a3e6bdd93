"""Hidden fields (`lz:fields hidden=`): what one reader may see of an instance, for every channel.

The rule (issue 11). The initiator and administrators (`is_admin`) see every field. Anyone else
does not see a field that is hidden at a node where they are, were, or would be an assignee:
nodes they have (had) a task on, and nodes whose assignee rule resolves to them with the current
data (a future approver, e.g. a supervisor two steps ahead, before their node opens; a rule that
cannot be resolved counts as theirs). What a service task computed from a hidden field is hidden
with it: the result `data[<node id>]` of a service task one of whose `lz:arg` expressions names
the field, and the values of those arguments in the `call` audit event.

One function decides (`hidden_for`), one applies it (`Hidden.data`, `Hidden.history`); every
channel uses them: the instance API and page, the task API and page (which lists no hidden
component at all), the printed record (PDF), the search index and the inbox summary line
(`hidden_anywhere`: a field hidden at any node, for channels shared between readers), and the
instance title (never taken from a field hidden anywhere). Notifications carry no data values.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import User
from engine import assignees, runtime
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from forms import validate as form_validation


@dataclass(frozen=True)
class Hidden:
    """The fields hidden from one reader: schema paths (`bank_account`, `lines.note`) and the
    service nodes whose results derive from them; `args` the (node id, argument) pairs to blank."""
    paths: frozenset[str] = frozenset()
    args: frozenset[tuple[str, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.paths)

    def data(self, data: dict[str, Any] | None) -> dict[str, Any]:
        return form_validation.redact(data or {}, self.paths) if self.paths else dict(data or {})

    def detail(self, node_id: str | None, detail: dict[str, Any] | None) -> dict[str, Any]:
        """An audit event's detail: the values of arguments read from hidden fields left out."""
        detail = dict(detail or {})
        args = detail.get("args")
        if self.args and isinstance(args, dict):
            detail["args"] = {k: v for k, v in args.items() if (node_id, k) not in self.args}
        return detail

    def history(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "detail": self.detail(r.get("node_id"), r.get("detail"))} if "detail" in r else r
                for r in rows]


NOTHING = Hidden()


def _names(expr: str) -> set[str]:
    try:
        return {n.id for n in ast.walk(ast.parse(expr.strip(), mode="eval")) if isinstance(n, ast.Name)}
    except (SyntaxError, ValueError):
        return {"*"}  # an expression we cannot read: treated as naming every field


def _derived(d: ProcessDefinition, paths: set[str]) -> Hidden:
    """`paths` plus the results of the service tasks whose arguments name one of them."""
    roots = {p.split(".", 1)[0] for p in paths}
    out: set[str] = set(paths)
    args: set[tuple[str, str]] = set()
    for cfg in runtime.configs_of(d).values():
        for node in cfg.nodes.values():
            if node.call is None:
                continue
            tainted = [a.name for a in node.call.args if _names(a.expr) & (roots | {"*"})]
            if tainted:
                out.add(node.node_id)
                args.update((node.node_id, name) for name in tainted)
    return Hidden(frozenset(out), frozenset(args))


_ANYWHERE: dict[tuple[int, str], Hidden] = {}


def hidden_anywhere(d: ProcessDefinition) -> Hidden:
    """Every field hidden at some node (and what service tasks derive from them): for channels
    that are not one reader's (the search index, the inbox summary line, the instance title)."""
    key = (d.id, d.checksum)
    found = _ANYWHERE.get(key)
    if found is None:
        paths = {h for cfg in runtime.configs_of(d).values() for node in cfg.nodes.values() for h in node.hidden}
        found = _ANYWHERE[key] = _derived(d, paths) if paths else NOTHING
        if len(_ANYWHERE) > 1024:
            _ANYWHERE.clear()
    return found


def hidden_for(s: Session, viewer: User, inst: ProcessInstance, d: ProcessDefinition | None = None) -> Hidden:
    """What `viewer` may not see of `inst` (the module's rule)."""
    if viewer.is_admin or viewer.id == inst.initiator_id:
        return NOTHING
    d = d or s.get(ProcessDefinition, inst.definition_id)
    assert d is not None
    if not hidden_anywhere(d):
        return NOTHING
    mine = set(s.scalars(select(HumanTask.node_id).where(HumanTask.instance_id == inst.id,
                                                         HumanTask.assignee_id == viewer.id)))
    paths: set[str] = set()
    initiator: User | None = None
    for cfg in runtime.configs_of(d).values():
        for node in cfg.nodes.values():
            if not node.hidden:
                continue
            if node.node_id not in mine:
                initiator = initiator or s.get(User, inst.initiator_id)
                if not _would_be_assignee(s, viewer, inst, node, initiator):
                    continue
            paths.update(node.hidden)
    return _derived(d, paths) if paths else NOTHING


def for_task(s: Session, viewer: User, inst: ProcessInstance, d: ProcessDefinition,
             node_hidden: Iterable[str]) -> Hidden:
    """What a task page shows its viewer: without the node's hidden fields, nor the viewer's."""
    paths = set(node_hidden) | set(hidden_for(s, viewer, inst, d).paths)
    return _derived(d, paths) if paths else NOTHING


def _would_be_assignee(s: Session, viewer: User, inst: ProcessInstance, node: Any, initiator: User | None) -> bool:
    if node.assignees is None or initiator is None:
        return True
    try:
        res = assignees.resolve(s, node.assignees, initiator, inst.data or {}, inst.chosen or {}, node.node_id)
    except Exception:  # a rule that cannot be resolved now: assume the viewer may be on it
        return True
    return any(u.id == viewer.id for u in res.users)
