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
component at all), the printed record (PDF), the inbox summary line (a field hidden at any node,
or from the reader's roles), the search index and the instance title (`shared`: a field hidden at
any node or from any role, for what readers share). Notifications carry no data values.

Field permissions (字段权限, issue 15) are part of the same rule: a path that carries a CRM
record's field (`carried`: the CRM side says which, wired by app.wire() through
`use_record_fields`, since the engine does not know the CRM) is hidden from every reader whose
roles may not 查看 that field: initiator included, administrators never. And a form may not send
a value such a path carries unless the sender's roles may 修改 the field (`check_writes`, at the
start and at every task that takes data): the write-back would change the record for them.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Msg, ValidationFailed
from crm.models import User
from engine import assignees, runtime
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from forms import validate as form_validation
from forms.components import field_paths


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
    if viewer.is_admin:
        return NOTHING
    d = d or s.get(ProcessDefinition, inst.definition_id)
    assert d is not None
    ruled = by_rules(s, viewer, d)
    if viewer.id == inst.initiator_id or not hidden_anywhere(d):
        return _with_rules(d, set(), ruled)
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
    return _with_rules(d, paths, ruled)


def for_task(s: Session, viewer: User, inst: ProcessInstance, d: ProcessDefinition,
             node_hidden: Iterable[str]) -> Hidden:
    """What a task page shows its viewer: without the node's hidden fields, nor the viewer's."""
    return _with_rules(d, set(node_hidden) | set(hidden_for(s, viewer, inst, d).paths), by_rules(s, viewer, d))


def _would_be_assignee(s: Session, viewer: User, inst: ProcessInstance, node: Any, initiator: User | None) -> bool:
    if node.assignees is None or initiator is None:
        return True
    try:
        res = assignees.resolve(s, node.assignees, initiator, inst.data or {}, inst.chosen or {}, node.node_id)
    except Exception:  # a rule that cannot be resolved now: assume the viewer may be on it
        return True
    return any(u.id == viewer.id for u in res.users)


# ---------------------------------------------------------------- field permissions (字段权限)


class RecordFields(Protocol):
    """What the CRM side tells the engine (crm/admin/process_fields.py, wired by app.wire())."""

    def carried(self, process_key: str, form_paths: Iterable[str],
                calls: Iterable[tuple[str, str, str, str]]) -> dict[str, tuple[str, str]]: ...

    def hidden(self, s: Session, user: User | None) -> set[tuple[str, str]]: ...

    def may_edit(self, s: Session, user: User, kind: str, name: str) -> bool: ...


_RECORD_FIELDS: list[RecordFields] = []
_CARRIED: dict[tuple[int, str], dict[str, tuple[str, str]]] = {}


def use_record_fields(fields: RecordFields) -> None:
    """Install the CRM's field permissions (app.wire(); idempotent)."""
    _RECORD_FIELDS[:] = [fields]
    _CARRIED.clear()


def carried(d: ProcessDefinition) -> dict[str, tuple[str, str]]:
    """{data path: (record kind, field)} of the paths of `d` that carry a CRM record's field."""
    if not _RECORD_FIELDS:
        return {}
    key = (d.id, d.checksum)
    found = _CARRIED.get(key)
    if found is None:
        paths = list(dict.fromkeys(p for schema in (d.forms or {}).values() for p in field_paths(schema)))
        calls = [(node.node_id, node.call.function, a.name, a.expr) for cfg in runtime.configs_of(d).values()
                 for node in cfg.nodes.values() if node.call is not None for a in node.call.args]
        found = _CARRIED[key] = _RECORD_FIELDS[0].carried(d.free_of or d.key, paths, calls)
        if len(_CARRIED) > 1024:
            _CARRIED.clear()
    return found


def by_rules(s: Session, user: User | None, d: ProcessDefinition) -> set[str]:
    """The paths of `d` whose record field `user`'s roles may not see (None: some role's)."""
    paths = carried(d)
    if not paths or (user is not None and user.is_admin):
        return set()
    hidden = _RECORD_FIELDS[0].hidden(s, user)
    return {p for p, field in paths.items() if field in hidden} if hidden else set()


def _with_rules(d: ProcessDefinition, paths: set[str], ruled: set[str]) -> Hidden:
    """`paths` (and what service tasks derive from them and from the ruled form fields), plus the
    ruled paths of service results (`<node>.result.<field>`: hidden as such, nothing derives from them)."""
    if not paths and not ruled:
        return NOTHING
    calls = {node.node_id for cfg in runtime.configs_of(d).values() for node in cfg.nodes.values() if node.call}
    results = {p for p in ruled if p.split(".", 1)[0] in calls}
    base = paths | (ruled - results)
    derived = _derived(d, base) if base else NOTHING
    return Hidden(derived.paths | frozenset(results), derived.args)


def shared(s: Session, d: ProcessDefinition) -> Hidden:
    """For channels several readers share (the search index, the inbox summary line, the title):
    the fields hidden at any node and those some role may not see."""
    anywhere, ruled = hidden_anywhere(d), by_rules(s, None, d)
    if not ruled:
        return anywhere
    merged = _with_rules(d, set(anywhere.paths), ruled)
    return Hidden(merged.paths, merged.args | anywhere.args)


_ABSENT = object()


def _value(data: Any, path: str, absent: Any = None) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return absent
        data = data[part]
    return data


def readonly_for(s: Session, user: User, d: ProcessDefinition) -> set[str]:
    """The paths of `d` whose record field `user`'s roles may not 修改 (hidden ones included): the
    start page leaves them out, a task page shows them read-only."""
    paths = carried(d)
    if not paths or user.is_admin:
        return set()
    rf = _RECORD_FIELDS[0]
    return {p for p, (kind, name) in paths.items() if not rf.may_edit(s, user, kind, name)}


def editable_for(s: Session, user: User, d: ProcessDefinition, keys: Iterable[str]) -> list[str]:
    """The form keys of `keys` that `user` may change: those a read-only path does not end with."""
    ro = readonly_for(s, user, d)
    ends = {p.rsplit(".", 1)[-1] for p in ro}
    return [k for k in keys if k not in ro and k not in ends] if ro else list(keys)


def check_writes(s: Session, user: User, d: ProcessDefinition, data: dict[str, Any],
                 before: dict[str, Any] | None = None) -> None:
    """422 naming each `data.<path>` that sends a value for a record field `user`'s roles may not
    修改 (a hidden one included): a new value at the start (`before` None), a changed one at a task.
    Values the process sets itself (constants, earlier results) are the process's, not checked."""
    refused: dict[str, Any] = {}
    for path in sorted(readonly_for(s, user, d)):
        value = _value(data, path, _ABSENT)
        if value is _ABSENT:  # not sent: the value stays as it is
            continue
        if before is None and value in (None, "", []):  # an empty field at the start sets nothing
            continue
        if before is not None:
            earlier = _value(before, path)
            if value == earlier or (value in (None, "", []) and earlier in (None, "", [])):
                continue  # sent back unchanged (or empty as it was); clearing a value is a change
        refused[f"data.{path}"] = Msg("field_not_editable", "your role may not change this field")
    if refused:
        raise ValidationFailed("your role may not change: " + ", ".join(sorted(refused)), refused)
