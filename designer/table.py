"""The table view of a process (数据表视图): BPMN <-> a list of approval steps.

`to_table(xml)` reads a diagram that is a chain of approval steps

    start -> step -> step -> ... -> end

where a step may be *conditional* (entered only when a condition holds, skipped otherwise:
`gateway --condition--> step -> join`, default flow `gateway -> join`), into

    {"process": {key, name, name_en, category, prefix, mode, start_form},
     "steps": [{id, name, mode, threshold, skip_initiator, skip_repeated, assignee_strategy,
                assignee_value, deadline_duration, deadline_action, form, editable, hidden, cc,
                condition}, ...],
     "editable": True, "why_not": None}

Every value is a string (booleans for the two skip flags) so the table maps 1:1 onto form
inputs. `mode` is an lz:approval mode or "handle" (a userTask without lz:approval: 办理).
`cc` is "strategy:value; strategy:value". It also understands the hand-drawn shape of the
shipped files, where each approval is followed by a gateway on its outcome
(`step["outcome"] == "approved" [and condition]` to go on, the default flow to a rejection end).
A diagram that is not such a chain (parallel gateways, sub-processes, service tasks, timers,
loops, ...) gives `editable: False` and `why_not` naming the element.

`from_table(table)` writes the chain back as BPMN 2.0: one executable process with the `lz:`
extensions exactly as bpmn/lz.py reads them, an exclusive gateway + conditional flow + default
flow + join around each conditional step, and a diagram from bpmn/layout.py. A rejection
ends the instance as rejected (the engine does this for approval nodes whose outcome nothing
reads), so the generated chain needs no rejection branches. `to_table(from_table(t)) == t` for
every valid table; `check_table(t)` lists what is wrong with one (nothing is generated then).

Flow models: the generator is the same for `lz:process mode="fixed" | "predefined" | "free"`.
For `free` (自定流程) the table is the *template* an initiator starts from: the initiator's own
step list has exactly the shape of `table["steps"]`, and `from_table({"process": ..., "steps":
initiator_steps})` gives the one-instance BPMN the engine runs (the engine cannot import
designer/, so this module only depends on lxml, bpmn.lz and bpmn.layout and can move to
bpmn/ when the engine starts instances of free processes).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from bpmn import lz
from bpmn.layout import auto_layout
from bpmn.lz import BPMN_NS, LZ_NS

_B = f"{{{BPMN_NS}}}"
_L = f"{{{LZ_NS}}}"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

STEP_MODES = (*lz.APPROVAL_MODES, "handle")
PROCESS_FIELDS = ("key", "name", "name_en", "category", "prefix", "mode", "start_form")
STEP_FIELDS = ("id", "name", "mode", "threshold", "skip_initiator", "skip_repeated", "assignee_strategy",
               "assignee_value", "deadline_duration", "deadline_action", "form", "editable", "hidden", "cc",
               "condition")
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
RESERVED_IDS = ("start", "end")
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


def empty_step(index: int = 1) -> dict[str, Any]:
    return {"id": f"step_{index}", "name": "", "mode": "any", "threshold": "", "skip_initiator": False,
            "skip_repeated": False, "assignee_strategy": "supervisor", "assignee_value": "1",
            "deadline_duration": "", "deadline_action": "", "form": "", "editable": "", "hidden": "",
            "cc": "", "condition": ""}


def new_table(key: str = "", name: str = "") -> dict[str, Any]:
    return {"process": {"key": key, "name": name, "name_en": "", "category": "", "prefix": "", "mode": "fixed",
                        "start_form": ""},
            "steps": [empty_step(1)], "editable": True, "why_not": None}


# ----------------------------------------------------------------------------- BPMN -> table


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _label(el: etree._Element) -> str:
    kind = _local(el)
    what = KIND_NAMES.get(kind, kind)
    name = el.get("name")
    return f"{what} '{el.get('id')}'" + (f" ({name})" if name else "")


def to_table(xml: bytes) -> dict[str, Any]:
    """The table of a BPMN file; `editable` False (and `why_not`) when it is not a chain of steps."""
    try:
        root = lz.parse_xml(xml)
    except etree.XMLSyntaxError as e:
        return {"process": {f: "" for f in PROCESS_FIELDS}, "steps": [], "editable": False,
                "why_not": f"the file is not well-formed XML: {e}"}
    procs = [p for p in root.findall(f"{_B}process")
             if (p.get("isExecutable") or "true").strip().lower() not in ("false", "0")]
    configs, _problems = lz.read_definitions(root)
    if len(procs) != 1:
        return {"process": {f: "" for f in PROCESS_FIELDS}, "steps": [], "editable": False,
                "why_not": f"the file has {len(procs)} executable processes; the table view shows one"}
    proc = procs[0]
    cfg = configs[proc.get("id") or ""]
    process = {"key": cfg.process_id, "name": proc.get("name") or "", "name_en": cfg.name_en,
               "category": cfg.category, "prefix": cfg.prefix, "mode": cfg.mode,
               "start_form": cfg.start_form_key or ""}
    try:
        if root.find(f"{_B}collaboration") is not None:
            raise NotAChain("the diagram has pools (a collaboration); the table view shows a single process")
        steps = _Walker(proc, cfg).steps()
    except NotAChain as e:
        return {"process": process, "steps": [], "editable": False, "why_not": str(e)}
    return {"process": process, "steps": steps, "editable": True, "why_not": None}


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


# ----------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class TableProblem:
    """`template % params` is the English message; the page translates `template` and fills it in."""

    step: int | None  # index into steps, None for the process
    field: str
    template: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        return self.template % dict(self.params) if self.params else self.template

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "field": self.field, "message": self.message}


def parse_cc(text: str) -> list[tuple[str, str]]:
    out = []
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        strategy, _, value = part.partition(":")
        out.append((strategy.strip(), value.strip()))
    return out


def check_table(table: dict[str, Any], check_expression: Callable[[str], str | None] | None = None
                ) -> list[TableProblem]:
    """Every problem of a table (empty: from_table will produce a deployable file, forms aside)."""
    problems: list[TableProblem] = []
    p = table.get("process") or {}

    def bad(step: int | None, field: str, template: str, **params: str) -> None:
        problems.append(TableProblem(step, field, template, tuple(params.items())))

    key = str(p.get("key") or "")
    if not NCNAME.match(key):
        bad(None, "key", "the key must start with a letter or '_' and contain only letters, digits, '_', '-', '.'")
    if not str(p.get("name") or "").strip():
        bad(None, "name", "the process needs a name")
    if p.get("prefix") and not re.fullmatch(r"[A-Za-z0-9]{1,10}", str(p.get("prefix"))):
        bad(None, "prefix", "the prefix is 1-10 letters or digits")
    if (p.get("mode") or "fixed") not in lz.FLOW_MODELS:
        bad(None, "mode", "the flow model is one of %(choices)s", choices=", ".join(lz.FLOW_MODELS))
    steps = table.get("steps") or []
    if not steps:
        bad(None, "steps", "add at least one step")
    seen: set[str] = set()
    for i, s in enumerate(steps):
        sid = str(s.get("id") or "")
        if not NCNAME.match(sid) or "__" in sid:
            bad(i, "id", "the step id must start with a letter and contain only letters, digits and single '_'")
        elif sid in seen or sid in RESERVED_IDS or sid == key:
            bad(i, "id", "the step id '%(id)s' is already used", id=sid)
        seen.add(sid)
        if not str(s.get("name") or "").strip():
            bad(i, "name", "the step needs a name")
        mode = s.get("mode") or ""
        if mode not in STEP_MODES:
            bad(i, "mode", "the mode is one of %(choices)s", choices=", ".join(STEP_MODES))
        threshold = str(s.get("threshold") or "").strip()
        if mode == "ratio":
            try:
                from fractions import Fraction
                ok = 0 < Fraction(threshold) <= 1
            except (ValueError, ZeroDivisionError):
                ok = False
            if not ok:
                bad(i, "threshold", "the ratio mode needs a threshold between 0 and 1, e.g. 0.6")
        elif threshold:
            bad(i, "threshold", "a threshold is only used with the ratio mode")
        if mode == "handle" and (s.get("skip_initiator") or s.get("skip_repeated")):
            bad(i, "mode", "auto-approval (skip) needs an approval mode")
        strategy = s.get("assignee_strategy") or ""
        value = str(s.get("assignee_value") or "").strip()
        if strategy not in lz.STRATEGIES:
            bad(i, "assignee_strategy", "choose who handles the step (%(choices)s)", choices=", ".join(lz.STRATEGIES))
        elif strategy in ("users", "role", "dept_heads", "field") and not value:
            bad(i, "assignee_value", "the strategy '%(strategy)s' needs a value", strategy=strategy)
        elif strategy == "supervisor" and value and not (value.isdigit() and int(value) >= 1):
            bad(i, "assignee_value", "the supervisor level is a number >= 1")
        elif strategy == "chosen" and p.get("mode") != "predefined":
            bad(i, "assignee_strategy", "'chosen' needs the predefined flow model")
        duration = str(s.get("deadline_duration") or "").strip()
        if duration and lz.parse_duration(duration) is None:
            bad(i, "deadline_duration", "the deadline is an ISO-8601 duration such as P2D or PT4H")
        if duration and (s.get("deadline_action") or "remind") not in lz.DEADLINE_ACTIONS:
            bad(i, "deadline_action", "the deadline action is one of %(choices)s",
                choices=", ".join(lz.DEADLINE_ACTIONS))
        for strategy_cc, value_cc in parse_cc(str(s.get("cc") or "")):
            if strategy_cc not in lz.STRATEGIES or strategy_cc == "chosen":
                bad(i, "cc", "unknown copy strategy '%(strategy)s' (write e.g. role:finance)", strategy=strategy_cc)
            elif strategy_cc in ("users", "role", "dept_heads", "field") and not value_cc:
                bad(i, "cc", "the copy strategy '%(strategy)s' needs a value (e.g. %(strategy)s:...)",
                    strategy=strategy_cc)
        cond = str(s.get("condition") or "").strip()
        if cond and check_expression is not None:
            why = check_expression(cond)
            if why:
                bad(i, "condition", "the condition is not a valid expression: %(why)s", why=why)
    return problems


# ----------------------------------------------------------------------------- table -> BPMN


def _sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, {k: v for k, v in (attrs or {}).items() if v not in (None, "")})


def _ext(parent: etree._Element) -> etree._Element:
    return _sub(parent, f"{_B}extensionElements")


def from_table(table: dict[str, Any], layout: bool = True) -> bytes:
    """BPMN 2.0 for a table (call check_table first: an invalid table gives an invalid file)."""
    p = table["process"]
    key = str(p["key"])
    nsmap = {"bpmn": BPMN_NS, "lz": LZ_NS, "xsi": XSI_NS}
    root = etree.Element(f"{_B}definitions", nsmap=nsmap, id=f"defs_{key}", targetNamespace="urn:liuzhuan:processes")
    proc = _sub(root, f"{_B}process", {"id": key, "name": str(p.get("name") or ""), "isExecutable": "true"})
    _sub(_ext(proc), f"{_L}process", {"mode": p.get("mode") or "fixed", "category": p.get("category") or "",
                                      "prefix": p.get("prefix") or "", "name_en": p.get("name_en") or ""})
    start = _sub(proc, f"{_B}startEvent", {"id": "start", "name": "发起"})
    if p.get("start_form"):
        _sub(_ext(start), f"{_L}form", {"key": p["start_form"]})
    flows: list[tuple[str, str, str, str | None]] = []  # id, source, target, condition
    pos = "start"
    gateways: list[tuple[str, str]] = []
    for s in table["steps"]:
        sid = str(s["id"])
        task = _sub(proc, f"{_B}userTask", {"id": sid, "name": str(s.get("name") or "")})
        ext = _ext(task)
        if s.get("mode") != "handle":
            _sub(ext, f"{_L}approval", {
                "mode": s["mode"], "threshold": str(s.get("threshold") or "") if s["mode"] == "ratio" else "",
                "skipInitiator": "true" if s.get("skip_initiator") else "",
                "skipRepeated": "true" if s.get("skip_repeated") else ""})
        if s.get("assignee_strategy"):
            _sub(ext, f"{_L}assignees", {"strategy": s["assignee_strategy"],
                                         "value": str(s.get("assignee_value") or "")})
        if s.get("deadline_duration"):
            _sub(ext, f"{_L}deadline", {"duration": s["deadline_duration"],
                                        "action": s.get("deadline_action") or "remind"})
        if s.get("form"):
            _sub(ext, f"{_L}form", {"key": s["form"]})
        if s.get("editable") or s.get("hidden"):
            _sub(ext, f"{_L}fields", {"editable": s.get("editable") or "", "hidden": s.get("hidden") or ""})
        for strategy, value in parse_cc(str(s.get("cc") or "")):
            _sub(ext, f"{_L}cc", {"strategy": strategy, "value": value})
        if len(ext) == 0:
            task.remove(ext)
        cond = str(s.get("condition") or "").strip()
        if cond:
            gateways.append((f"{sid}__if", f"{sid}__skip"))
            gateways.append((f"{sid}__join", ""))
            flows += [(f"{sid}__in", pos, f"{sid}__if", None), (f"{sid}__yes", f"{sid}__if", sid, cond),
                      (f"{sid}__skip", f"{sid}__if", f"{sid}__join", None),
                      (f"{sid}__out", sid, f"{sid}__join", None)]
            pos = f"{sid}__join"
        else:
            flows.append((f"{sid}__in", pos, sid, None))
            pos = sid
    for gid, default in gateways:
        _sub(proc, f"{_B}exclusiveGateway", {"id": gid, "default": default})
    _sub(proc, f"{_B}endEvent", {"id": "end", "name": "结束"})
    flows.append(("end__in", pos, "end", None))
    for fid, src, dst, cond in flows:
        f = _sub(proc, f"{_B}sequenceFlow", {"id": fid, "sourceRef": src, "targetRef": dst,
                                             "name": cond if cond and len(cond) <= 40 else ""})
        if cond:
            ce = _sub(f, f"{_B}conditionExpression", {f"{{{XSI_NS}}}type": "bpmn:tFormalExpression"})
            ce.text = cond
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return auto_layout(xml) if layout else xml


def step_of_element(table: dict[str, Any], element_id: str | None) -> int | None:
    """The index of the step a generated element belongs to (a deploy problem's element id)."""
    if not element_id:
        return None
    base = element_id.split("__")[0]
    for i, s in enumerate(table.get("steps") or []):
        if s.get("id") == base:
            return i
    return None

