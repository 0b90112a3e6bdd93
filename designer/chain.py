"""Reading a diagram as a chain of approval steps (the table view's BPMN -> table direction).

`steps_of(root, proc, cfg)` walks an executable process that is a chain of steps

    start -> step -> step -> ... -> end

where a step may be *conditional* (`gateway --condition--> step -> join`, default flow
`gateway -> join`), also in the hand-drawn shape of the shipped files, where each approval is
followed by a gateway on its outcome (`step["outcome"] == "approved" [and condition]` to go on,
the default flow to a rejection end). Anything else raises NotAChain naming the element.
Only lxml and bpmn.lz: the lz: settings of a step are what bpmn/lz.py read.
"""
from __future__ import annotations

import re
from typing import Any

from lxml import etree

from bpmn import lz
from bpmn.lz import BPMN_NS, LZ_NS

_B = f"{{{BPMN_NS}}}"
_L = f"{{{LZ_NS}}}"

KIND_NAMES = {
    "parallelGateway": "parallel gateway", "inclusiveGateway": "inclusive gateway",
    "eventBasedGateway": "event-based gateway", "complexGateway": "complex gateway",
    "subProcess": "sub-process", "callActivity": "call activity", "serviceTask": "service task",
    "scriptTask": "script task", "sendTask": "send task", "receiveTask": "receive task",
    "businessRuleTask": "business rule task", "manualTask": "manual task", "task": "task",
    "boundaryEvent": "boundary event", "intermediateCatchEvent": "intermediate event",
    "intermediateThrowEvent": "intermediate event", "transaction": "transaction",
}


class NotAChain(Exception):
    """The diagram cannot be shown as a table; the message says which element and why."""


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _label(el: etree._Element) -> str:
    kind = _local(el)
    what = KIND_NAMES.get(kind, kind)
    name = el.get("name")
    return f"{what} '{el.get('id')}'" + (f" ({name})" if name else "")


def steps_of(root: etree._Element, proc: etree._Element, cfg: lz.ProcessConfig) -> list[dict[str, Any]]:
    """The steps of `proc`, in order; NotAChain when the diagram is not a chain of steps."""
    if root.find(f"{_B}collaboration") is not None:
        raise NotAChain("the diagram has pools (a collaboration); the table view shows a single process")
    return _Walker(proc, cfg).steps()


_ALLOWED = {"extensionElements", "documentation", "startEvent", "endEvent", "userTask", "exclusiveGateway",
            "sequenceFlow"}
_OUTCOME = re.compile(r"""^\s*(?P<node>[A-Za-z_]\w*)\[(?P<q>["'])outcome(?P=q)\]\s*==\s*(?P<q2>["'])approved(?P=q2)"""
                      r"""\s*(?:and\s+(?P<rest>.+?))?\s*$""", re.S)
_COMPARE = re.compile(r"^(?P<a>[^<>=!]+?)\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<b>[^<>=!]+)$")
_OPPOSITE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}


def _norm(text: str) -> str:
    return " ".join(text.split())


def _unparen(text: str) -> str:
    t = text.strip()
    while t.startswith("(") and t.endswith(")"):
        depth = 0
        for i, ch in enumerate(t):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(t) - 1:
                return t
        t = t[1:-1].strip()
    return t


def opposite(a: str, b: str) -> bool:
    """Whether condition `b` is the negation of `a` (not (a), or the flipped comparison)."""
    a, b = _norm(_unparen(a)), _norm(_unparen(b))
    if b in (f"not ({a})", f"not {a}") or a in (f"not ({b})", f"not {b}"):
        return True
    ma, mb = _COMPARE.match(a), _COMPARE.match(b)
    return bool(ma and mb and ma["a"].strip() == mb["a"].strip() and ma["b"].strip() == mb["b"].strip()
                and _OPPOSITE[ma["op"]] == mb["op"])


Branch = tuple[str | None, str]  # (condition or None, target node id)


class _Walker:
    def __init__(self, proc: etree._Element, cfg: lz.ProcessConfig):
        self.proc = proc
        self.cfg = cfg
        self.nodes: dict[str, etree._Element] = {}
        self.out: dict[str, list[etree._Element]] = {}
        for el in proc:
            if not isinstance(el.tag, str):
                continue
            kind = _local(el)
            if not el.tag.startswith(_B) or kind not in _ALLOWED:
                raise NotAChain(f"{_label(el)} cannot be shown as a table step; open it as a diagram")
            if kind in ("startEvent", "endEvent"):
                for d in el:
                    if isinstance(d.tag, str) and _local(d).endswith("EventDefinition"):
                        what = _local(d).replace("EventDefinition", "")
                        raise NotAChain(f"{_label(el)} is a {what} event; the table view only has plain "
                                        "start and end events")
            if kind == "userTask" and any(isinstance(c.tag, str) and _local(c).endswith("LoopCharacteristics")
                                          for c in el):
                raise NotAChain(f"{_label(el)} is a multi-instance/loop task; the table view cannot show it")
            if kind == "sequenceFlow":
                self.out.setdefault(el.get("sourceRef") or "", []).append(el)
            elif kind not in ("extensionElements", "documentation"):
                self.nodes[el.get("id") or ""] = el
        starts = [n for n, el in self.nodes.items() if _local(el) == "startEvent"]
        if len(starts) != 1:
            raise NotAChain(f"the process has {len(starts)} start events; a table has exactly one")
        self.start = starts[0]
        self._no_cycles()

    def _no_cycles(self) -> None:
        state: dict[str, int] = {}

        def visit(n: str) -> None:
            state[n] = 1
            for f in self.out.get(n, []):
                t = f.get("targetRef") or ""
                if state.get(t) == 1:
                    el = self.nodes.get(t)
                    raise NotAChain(f"the flow loops back to {_label(el) if el is not None else repr(t)} "
                                    f"(flow '{f.get('id')}'); a table of steps cannot loop")
                if t not in state:
                    visit(t)
            state[n] = 2

        visit(self.start)

    def kind(self, node_id: str) -> str:
        el = self.nodes.get(node_id)
        if el is None:
            raise NotAChain(f"a sequence flow points to '{node_id}', which is not in the process")
        return _local(el)

    def _cond(self, f: etree._Element) -> str | None:
        c = f.find(f"{_B}conditionExpression")
        return (c.text or "").strip() if c is not None and (c.text or "").strip() else None

    def raw(self, node_id: str, prev: str | None) -> list[Branch]:
        el = self.nodes[node_id]
        outs = self.out.get(node_id, [])
        if not outs:
            raise NotAChain(f"{_label(el)} has no outgoing flow")
        if self.kind(node_id) != "exclusiveGateway":
            if len(outs) > 1:
                raise NotAChain(f"{_label(el)} has {len(outs)} outgoing flows; put a gateway after it")
            if self._cond(outs[0]) is not None:
                raise NotAChain(f"flow '{outs[0].get('id')}' leaving {_label(el)} has a condition; only "
                                "gateway flows may have one")
            return [(None, outs[0].get("targetRef") or "")]
        default = el.get("default")
        stripped = {f.get("id"): self._strip(self._cond(f), prev) for f in outs}
        reads_outcome = any(v is not None for v in stripped.values())
        result: list[Branch] = []
        for f in outs:
            c, target = self._cond(f), f.get("targetRef") or ""
            if reads_outcome:
                s = stripped[f.get("id")]
                if s is None:
                    if f.get("id") != default and c is not None:
                        raise NotAChain(f"flow '{f.get('id')}' of {_label(el)} has a condition that the table "
                                        f"view cannot read: {c}")
                    end = self.expand([(None, target)], prev)
                    if len(end) != 1 or self.kind(end[0][1]) != "endEvent":
                        raise NotAChain(f"when '{prev}' is rejected, {_label(el)} does not lead to an end event "
                                        f"(flow '{f.get('id')}'); a table ends on rejection")
                    continue
                result.append((s or None, target))
            else:
                if c is None and f.get("id") != default and len(outs) > 1:
                    raise NotAChain(f"flow '{f.get('id')}' of {_label(el)} has no condition and is not the default")
                result.append((None if f.get("id") == default else c, target))
        return result

    @staticmethod
    def _strip(cond: str | None, prev: str | None) -> str | None:
        """The rest of `prev["outcome"] == "approved" [and rest]` ('' if no rest), None when not of that form."""
        if cond is None or prev is None:
            return None
        m = _OUTCOME.match(cond)
        if not m or m["node"] != prev:
            return None
        return _unparen(m["rest"]) if m["rest"] else ""

    def expand(self, branches: list[Branch], prev: str | None, depth: int = 0) -> list[Branch]:
        """Follow gateways until each branch points at a step or an end event."""
        if depth > len(self.nodes):
            raise NotAChain("the gateways form a loop")
        out: list[Branch] = []
        for c, t in branches:
            if self.kind(t) != "exclusiveGateway":
                out.append((c, t))
                continue
            sub = self.expand(self.raw(t, prev), prev, depth + 1)
            if c is None and len(branches) > 1 and len(sub) > 1:
                out.append((c, t))  # the skip branch ends at a join that splits again: expanded later
            elif c is None:
                out += sub
            elif len(sub) == 1 and sub[0][0] is None:
                out.append((c, sub[0][1]))
            else:
                raise NotAChain(f"the branch under condition '{c}' splits again at gateway '{t}'; the table view "
                                "has one condition per step")
        return out

    def step(self, node_id: str, condition: str | None) -> dict[str, Any]:
        el = self.nodes[node_id]
        n = self.cfg.nodes.get(node_id)
        if n is None:
            raise NotAChain(f"{_label(el)} could not be read")
        ap = el.find(f"{_B}extensionElements/{_L}approval")
        return {
            "id": node_id, "name": el.get("name") or "",
            "mode": n.approval.mode if n.approval else "handle",
            "threshold": (ap.get("threshold") or "").strip() if ap is not None and n.approval
            and n.approval.mode == "ratio" else "",
            "skip_initiator": bool(n.approval and n.approval.skip_initiator),
            "skip_repeated": bool(n.approval and n.approval.skip_repeated),
            "assignee_strategy": n.assignees.strategy if n.assignees else "",
            "assignee_value": n.assignees.value if n.assignees else "",
            "weights": ",".join(f"{u}:{w}" for u, w in n.assignees.weights) if n.assignees else "",
            "deadline_duration": n.deadline.duration if n.deadline else "",
            "deadline_action": n.deadline.action if n.deadline else "",
            "form": n.form_key or "", "editable": ",".join(n.editable), "hidden": ",".join(n.hidden),
            "cc": "; ".join(f"{a.strategy}:{a.value}" if a.value else a.strategy for a in n.cc),
            "condition": condition or "",
        }

    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = []
        seen: set[str] = set()
        branches = self.expand(self.raw(self.start, None), None)
        while True:
            if len(branches) == 1 and branches[0][0] is None:
                target = branches[0][1]
                kind = self.kind(target)
                if kind == "endEvent":
                    break
                if kind != "userTask":
                    raise NotAChain(f"{_label(self.nodes[target])} cannot be a table step")
                steps.append(self.step(target, None))
                seen.add(target)
                branches = self.expand(self.raw(target, target), target)
                continue
            if len(branches) != 2:
                raise NotAChain(f"the flow splits into {len(branches)} branches before "
                                f"{', '.join(repr(t) for _, t in branches)}; a table step has one condition")
            (c1, t1), (c2, t2) = branches
            if c1 is None or (c2 is not None and self.kind(t2) == "userTask" and self.kind(t1) != "userTask"):
                (c1, t1), (c2, t2) = (c2, t2), (c1, t1)
            if c1 is None or self.kind(t1) != "userTask":
                raise NotAChain(f"a conditional branch must lead to one approval step (it leads to '{t1}')")
            if c2 is not None and not opposite(c1, c2):
                raise NotAChain(f"the branches '{c1}' and '{c2}' are not a condition and its opposite; the table "
                                "view has one 'enter when' condition per step")
            steps.append(self.step(t1, c1))
            seen.add(t1)
            after = self.expand(self.raw(t1, t1), t1)
            skip = self.expand([(None, t2)], t1)
            if after != skip:
                raise NotAChain(f"the conditional step {_label(self.nodes[t1])} does not rejoin the flow where it "
                                "would have been skipped")
            branches = after
        stray = [el for n, el in self.nodes.items() if _local(el) == "userTask" and n not in seen]
        if stray:
            raise NotAChain(f"{_label(stray[0])} is not on the chain of steps")
        return steps
