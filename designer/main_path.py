"""The main path of a process that is not a plain chain of approval steps, as read-only table rows.

`main_path(proc, cfg)` follows the process from its start event along the path a request takes when
every approval is approved: user tasks (approval / handling steps, with their lz: settings),
service and script tasks (what the system does), and parallel gateways (a "parallel" group: each
branch a list of rows, up to the joining gateway). At an exclusive gateway the main path goes on
where it meets a user task; the other branches are explained in words (notes): a rejection that
ends (through the system's steps on the way), a shortcut that ends without anyone approving, a
skip to a later point of the path ("otherwise continues at"), a loop back to an earlier element.
What the walk cannot lay out as rows (sub-processes, events, inclusive gateways, several branches
with approvals) stops it; `stopped` then names that element and the rows before it are still shown.

Messages are (English template, params) pairs: the page translates the template (gettext).
Only lxml and bpmn.lz, like designer/chain.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lxml import etree

from bpmn import lz
from bpmn.lz import BPMN_NS
from designer.chain import _OUTCOME

_B = f"{{{BPMN_NS}}}"
Message = tuple[str, dict[str, str]]

ROW_KINDS = {"userTask": "approval", "serviceTask": "service", "scriptTask": "script"}
_SKIPPED = {"extensionElements", "documentation", "sequenceFlow", "laneSet", "dataObject",
            "dataObjectReference", "dataStoreReference", "textAnnotation", "association", "ioSpecification"}


@dataclass
class Overview:
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    stopped: Message | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "notes": self.notes, "stopped": self.stopped}


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _name(el: etree._Element | None, fallback: str = "") -> str:
    if el is None:
        return fallback
    return el.get("name") or el.get("id") or fallback


class _Branch(NamedTuple):
    target: str  # the first node past any pass-through
    cond: str | None
    is_default: bool
    rest: str | None  # the condition after "<previous step> approved and" (None: not such a branch)


class _Stop(Exception):
    def __init__(self, template: str, **params: str):
        super().__init__(template % params)
        self.message: Message = (template, params)


class _Walk:
    def __init__(self, proc: etree._Element, cfg: lz.ProcessConfig):
        self.cfg = cfg
        self.nodes: dict[str, etree._Element] = {}
        self.out: dict[str, list[etree._Element]] = {}
        self.incoming: dict[str, int] = {}
        self.boundary: dict[str, list[etree._Element]] = {}
        for el in proc:
            if not isinstance(el.tag, str) or not el.tag.startswith(_B):
                continue
            kind = _local(el)
            if kind == "sequenceFlow":
                self.out.setdefault(el.get("sourceRef") or "", []).append(el)
                self.incoming[el.get("targetRef") or ""] = self.incoming.get(el.get("targetRef") or "", 0) + 1
            elif kind == "boundaryEvent":
                self.boundary.setdefault(el.get("attachedToRef") or "", []).append(el)
            elif kind not in _SKIPPED:
                self.nodes[el.get("id") or ""] = el
        self.seen: set[str] = set()
        self.view = Overview()

    # ------------------------------------------------------------------ helpers
    def note(self, template: str, **params: str) -> None:
        if (template, params) not in self.view.notes:
            self.view.notes.append((template, params))

    def el(self, node_id: str) -> etree._Element:
        found = self.nodes.get(node_id)
        if found is None:
            raise _Stop("a sequence flow points to '%(id)s', which is not in the process", id=node_id)
        return found

    def targets(self, node_id: str) -> list[tuple[etree._Element, str | None, bool]]:
        """(flow target, condition, is the default flow) of each outgoing flow."""
        src = self.nodes[node_id]
        result = []
        for f in self.out.get(node_id, []):
            c = f.find(f"{_B}conditionExpression")
            cond = (c.text or "").strip() if c is not None and (c.text or "").strip() else None
            result.append((self.el(f.get("targetRef") or ""), cond, f.get("id") == src.get("default")))
        return result

    def passes(self, node_id: str) -> str:
        """Through joining gateways (one way out, no condition) to the next element that does something."""
        for _ in range(len(self.nodes) + 1):
            el = self.nodes.get(node_id)
            if el is None or _local(el) not in ("exclusiveGateway", "parallelGateway") or len(
                    self.out.get(node_id, [])) != 1 or (_local(el) == "parallelGateway"
                                                        and self.incoming.get(node_id, 0) > 1):
                return node_id
            node_id = self.out[node_id][0].get("targetRef") or ""
        return node_id

    def side_path(self, start: str) -> tuple[list[str], str, bool]:
        """Names along a branch without user tasks: (names, where it ends, whether it loops back)."""
        names: list[str] = []
        node = self.passes(start)
        for _ in range(len(self.nodes) + 1):
            el = self.nodes.get(node)
            if el is None:
                return names, node, False
            kind = _local(el)
            if node in self.seen:
                return names, _name(el), True
            if kind == "endEvent":
                return names, _name(el), False
            if kind not in ("serviceTask", "scriptTask") or len(self.out.get(node, [])) != 1:
                return names, _name(el), False
            names.append(_name(el))
            node = self.passes(self.out[node][0].get("targetRef") or "")
        return names, node, False

    def reaches_user_task(self, start: str) -> bool:
        todo, seen = [start], set()
        while todo:
            n = todo.pop()
            if n in seen or n in self.seen:
                continue
            seen.add(n)
            el = self.nodes.get(n)
            if el is None:
                continue
            if _local(el) == "userTask":
                return True
            todo += [f.get("targetRef") or "" for f in self.out.get(n, [])]
        return False

    def reachable(self, start: str, goal: str) -> bool:
        todo, seen = [start], set()
        while todo:
            n = todo.pop()
            if n == goal:
                return True
            if n in seen:
                continue
            seen.add(n)
            todo += [f.get("targetRef") or "" for f in self.out.get(n, [])]
        return False

    # ------------------------------------------------------------------ rows
    def row(self, el: etree._Element, condition: str = "", group: str = "", branch: int = 0) -> dict[str, Any]:
        node_id = el.get("id") or ""
        kind = ROW_KINDS[_local(el)]
        n = self.cfg.nodes.get(node_id)
        row: dict[str, Any] = {"id": node_id, "name": el.get("name") or "", "kind": kind,
                               "readonly": kind != "approval", "condition": condition, "group": group,
                               "branch": branch, "mode": "", "strategy": "", "value": "", "deadline": "",
                               "deadline_action": "", "form": ""}
        if kind == "approval":
            if any(isinstance(c.tag, str) and _local(c).endswith("LoopCharacteristics") for c in el):
                row["kind"], row["readonly"] = "multi", True
            if n is not None:
                row["mode"] = n.approval.mode if n.approval else "handle"
                if n.assignees:
                    row["strategy"], row["value"] = n.assignees.strategy, n.assignees.value
                if n.deadline:
                    row["deadline"], row["deadline_action"] = n.deadline.duration, n.deadline.action
                row["form"] = n.form_key or ""
        for b in self.boundary.get(node_id, []):
            self.note("The event '%(event)s' on '%(step)s' is shown in the diagram only.",
                      event=_name(b), step=row["name"] or node_id)
        self.seen.add(node_id)
        return row

    # ------------------------------------------------------------------ the walk
    def run(self) -> Overview:
        starts = [n for n, el in self.nodes.items() if _local(el) == "startEvent"]
        try:
            if len(starts) != 1:
                raise _Stop("the process has %(n)s start events; the table shows a path from one", n=str(len(starts)))
            self.seen.add(starts[0])
            self.follow(self.next_of(starts[0]), "")
        except _Stop as e:
            self.view.stopped = e.message
        return self.view

    def next_of(self, node_id: str) -> str:
        outs = self.out.get(node_id, [])
        if len(outs) != 1:
            raise _Stop("'%(name)s' has %(n)s outgoing flows without a gateway", name=_name(self.nodes[node_id]),
                        n=str(len(outs)))
        return self.passes(outs[0].get("targetRef") or "")

    def follow(self, node: str, condition: str) -> None:
        for _ in range(len(self.nodes) + 1):
            el = self.el(node)
            kind = _local(el)
            if node in self.seen:
                self.note("The path returns to '%(name)s' (a loop).", name=_name(el))
                return
            if kind == "endEvent":
                self.seen.add(node)
                return
            if kind in ROW_KINDS:
                self.view.rows.append(self.row(el, condition))
                condition = ""
                node = self.next_of(node)
                continue
            if kind == "exclusiveGateway":
                node, condition = self.choose(node)
                continue
            if kind == "parallelGateway":
                node = self.parallel(node)
                continue
            raise _Stop("'%(name)s' (%(kind)s) cannot be a table row; the rows end before it",
                        name=_name(el), kind=kind)
        raise _Stop("the path does not end")

    def choose(self, gw: str) -> tuple[str, str]:
        """The main way on from an exclusive gateway, and the 'enter when' condition of the next row.
        After an approval step the main way is its approved branches (the rest is what a rejection
        does); otherwise the branches that lead to a user task, else the one branch left."""
        self.seen.add(gw)
        prev = self.view.rows[-1]["id"] if self.view.rows else None
        branches = self.branches(gw, prev)
        open_ = [b for b in branches if b.target not in self.seen]
        for b in branches:
            if b.target in self.seen:
                self.note("When %(when)s: back to '%(name)s'." if b.cond else "Otherwise: back to '%(name)s'.",
                          when=b.cond or "", name=_name(self.nodes.get(b.target), b.target))
        main = self.main_branches(branches, open_)
        if len(main) != 1:
            raise _Stop("gateway '%(name)s' splits into %(n)s branches with steps; the table shows one path",
                        name=_name(self.nodes[gw]), n=str(len(main)))
        self.note_side_paths(branches, open_, main[0], prev)
        chosen = main[0]
        return chosen.target, chosen.rest if chosen.rest is not None else (chosen.cond or "")

    def branches(self, gw: str, prev: str | None) -> list[_Branch]:
        """The gateway's ways on; `rest` is the condition after "<previous step> approved and", when
        the branch is one of the previous approval step's approved outcomes."""
        out = []
        for target, cond, is_default in self.targets(gw):
            m = _OUTCOME.match(cond or "")
            rest = _strip_parens((m["rest"] or "").strip()) if m and m["node"] == prev else None
            out.append(_Branch(self.passes(target.get("id") or ""), cond, is_default, rest))
        return out

    def main_branches(self, branches: list[_Branch], open_: list[_Branch]) -> list[_Branch]:
        """The candidates for the main way; a skip (a branch to a point another reaches later) is
        noted and dropped when it leaves exactly one."""
        if any(b.rest is not None for b in branches):
            main = [b for b in open_ if b.rest is not None]
        else:
            main = [b for b in open_ if self.reaches_user_task(b.target)] or (open_ if len(open_) == 1 else [])
        if len(main) > 1:
            skips = [b for b in main if any(self.reachable(o.target, b.target) for o in main if o is not b)]
            if len(skips) == len(main) - 1:
                for b in skips:
                    self.note("When %(when)s: the steps up to '%(name)s' are skipped.",
                              when=b.rest or b.cond or "", name=_name(self.nodes.get(b.target), b.target))
                main = [b for b in main if b not in skips]
        return main

    def note_side_paths(self, branches: list[_Branch], open_: list[_Branch], main: _Branch,
                        prev: str | None) -> None:
        """A note for every open branch off the main way: what a rejection or another condition does."""
        approved = {b.target for b in branches if b.rest is not None}
        after_approval = bool(approved)
        for b in open_:
            if b is main or b.target in approved - {main.target}:
                continue  # the main way, or a skip noted already
            names, end, loops = self.side_path(b.target)
            rejected = prev is not None and b.rest is None and (b.is_default or b.cond is None) and after_approval
            template = ("When rejected: %(steps)s%(end)s." if rejected else
                        "When %(when)s: %(steps)s%(end)s." if b.cond else "Otherwise: %(steps)s%(end)s.")
            self.note(template, when=b.cond or "", steps="".join(f"{n} → " for n in names),
                      end=end + (" ↺" if loops else ""))

    def parallel(self, split: str) -> str:
        """A parallel group: each branch's rows up to the joining gateway; returns what follows the join."""
        self.seen.add(split)
        join: str | None = None
        branches = [f.get("targetRef") or "" for f in self.out.get(split, [])]
        for i, start in enumerate(branches, 1):
            node = self.passes(start)
            for _ in range(len(self.nodes) + 1):
                el = self.el(node)
                kind = _local(el)
                if kind == "parallelGateway" and self.incoming.get(node, 0) > 1:
                    if join not in (None, node):
                        raise _Stop("the branches of '%(name)s' join at different gateways",
                                    name=_name(self.nodes[split]))
                    join = node
                    break
                if kind not in ROW_KINDS or len(self.out.get(node, [])) != 1:
                    raise _Stop("'%(name)s' in a parallel branch cannot be a table row", name=_name(el))
                self.view.rows.append(self.row(el, group=split, branch=i))
                node = self.passes(self.out[node][0].get("targetRef") or "")
        if join is None:
            raise _Stop("the parallel gateway '%(name)s' has no joining gateway", name=_name(self.nodes[split]))
        self.seen.add(join)
        return self.next_of(join)


def _strip_parens(text: str) -> str:
    t = text.strip()
    return t[1:-1].strip() if t.startswith("(") and t.endswith(")") and t.count("(") == 1 else t


def main_path(proc: etree._Element, cfg: lz.ProcessConfig) -> dict[str, Any]:
    """{"rows": [...], "notes": [(template, params)], "stopped": (template, params) | None}."""
    return _Walk(proc, cfg).run().as_dict()
