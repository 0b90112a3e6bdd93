"""Approval steps <-> BPMN: the generator behind the table view and free flows (自定流程).

A *table* is `{"process": {key, name, name_en, category, prefix, mode, start_form}, "steps": [...]}`
with one dict per approval step (fields STEP_FIELDS, every value a string but the two skip flags;
`mode` is an lz:approval mode or "handle"). `check_table(t)` lists what is wrong with one, applying
the `lz:` rules of bpmn/lz.py worded for the table's cells; `from_table(t)` writes the chain

    start -> step -> step -> ... -> end

as BPMN 2.0: one executable process with the `lz:` extensions exactly as bpmn/lz.py reads them, an
exclusive gateway + conditional flow + default flow + join around each conditional step, and a
diagram from bpmn/layout.py. A rejection ends the instance as rejected (the engine does this for
approval nodes whose outcome nothing reads), so the chain needs no rejection branches.

It lives in bpmn/ because two layers use it: the designer's table view (designer/table.py reads
diagrams back into tables) and the engine, which generates the one-instance BPMN of a free flow
from the steps its initiator laid out (engine/free_flows.py).
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
               "assignee_value", "weights", "deadline_duration", "deadline_action", "form", "editable", "hidden",
               "cc", "condition")
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
RESERVED_IDS = ("start", "end")


def empty_step(index: int = 1) -> dict[str, Any]:
    return {"id": f"step_{index}", "name": "", "mode": "any", "threshold": "", "skip_initiator": False,
            "skip_repeated": False, "assignee_strategy": "supervisor", "assignee_value": "1", "weights": "",
            "deadline_duration": "", "deadline_action": "", "form": "", "editable": "", "hidden": "",
            "cc": "", "condition": ""}


def new_table(key: str = "", name: str = "") -> dict[str, Any]:
    return {"process": {"key": key, "name": name, "name_en": "", "category": "", "prefix": "", "mode": "fixed",
                        "start_form": ""},
            "steps": [empty_step(1)], "editable": True, "why_not": None}



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


_Bad = Callable[..., None]  # bad(step, field, template, **params)


def check_table(table: dict[str, Any], check_expression: Callable[[str], str | None] | None = None
                ) -> list[TableProblem]:
    """Every problem of a table (empty: from_table will produce a deployable file, forms aside)."""
    problems: list[TableProblem] = []
    p = table.get("process") or {}

    def bad(step: int | None, field: str, template: str, **params: str) -> None:
        problems.append(TableProblem(step, field, template, tuple(params.items())))

    _check_process(p, bad)
    steps = table.get("steps") or []
    if not steps:
        bad(None, "steps", "add at least one step")
    key = str(p.get("key") or "")
    flow_mode = str(p.get("mode") or "fixed")
    seen: set[str] = set()
    for i, s in enumerate(steps):
        _check_step_id(i, str(s.get("id") or ""), key, seen, bad)
        if not str(s.get("name") or "").strip():
            bad(i, "name", "the step needs a name")
        _check_step_mode(i, s, bad)
        _check_step_assignees(i, s, flow_mode, bad)
        _check_step_deadline(i, s, bad)
        _check_step_cc(i, s, bad)
        cond = str(s.get("condition") or "").strip()
        if cond and check_expression is not None:
            why = check_expression(cond)
            if why:
                bad(i, "condition", "the condition is not a valid expression: %(why)s", why=why)
    return problems


def _check_process(p: dict[str, Any], bad: _Bad) -> None:
    key = str(p.get("key") or "")
    if not NCNAME.match(key):
        bad(None, "key", "the key must start with a letter or '_' and contain only letters, digits, '_', '-', '.'")
    if not str(p.get("name") or "").strip():
        bad(None, "name", "the process needs a name")
    if p.get("prefix") and not lz.PREFIX.fullmatch(str(p.get("prefix"))):
        bad(None, "prefix", "the prefix is 1-10 letters or digits")
    if (p.get("mode") or "fixed") not in lz.FLOW_MODELS:
        bad(None, "mode", "the flow model is one of %(choices)s", choices=", ".join(lz.FLOW_MODELS))


def _check_step_id(i: int, sid: str, key: str, seen: set[str], bad: _Bad) -> None:
    if not NCNAME.match(sid) or "__" in sid:
        bad(i, "id", "the step id must start with a letter and contain only letters, digits and single '_'")
    elif sid in seen or sid in RESERVED_IDS or sid == key:
        bad(i, "id", "the step id '%(id)s' is already used", id=sid)
    seen.add(sid)


def _check_step_mode(i: int, s: dict[str, Any], bad: _Bad) -> None:
    mode = s.get("mode") or ""
    if mode not in STEP_MODES:
        bad(i, "mode", "the mode is one of %(choices)s", choices=", ".join(STEP_MODES))
    threshold = str(s.get("threshold") or "").strip()
    why = lz.threshold_problem(mode, threshold or None)
    if why == "missing":
        bad(i, "threshold", "the ratio mode needs a threshold between 0 and 1, e.g. 0.6")
    elif why == "unused":
        bad(i, "threshold", "a threshold is only used with the ratio mode")
    if mode == "handle" and (s.get("skip_initiator") or s.get("skip_repeated")):
        bad(i, "mode", "auto-approval (skip) needs an approval mode")


def _check_step_assignees(i: int, s: dict[str, Any], flow_mode: str, bad: _Bad) -> None:
    strategy = s.get("assignee_strategy") or ""
    value = str(s.get("assignee_value") or "").strip()
    why = lz.assignee_problem(strategy, value)
    if why == "strategy":
        bad(i, "assignee_strategy", "choose who handles the step (%(choices)s)", choices=", ".join(lz.STRATEGIES))
    elif why == "value":
        bad(i, "assignee_value", "the strategy '%(strategy)s' needs a value", strategy=strategy)
    elif why == "level":
        bad(i, "assignee_value", "the supervisor level is a number >= 1")
    elif not lz.chosen_allowed(strategy, flow_mode):
        bad(i, "assignee_strategy", "'chosen' needs the predefined flow model")
    weights = str(s.get("weights") or "").strip()
    if weights and lz.weights_problem(weights):
        bad(i, "weights", "vote weights are user:weight pairs with whole numbers from 1 to %(max)s, e.g. zhaomin:3",
            max=str(lz.MAX_WEIGHT))
    elif weights and s.get("mode") not in lz.WEIGHTED_MODES:
        bad(i, "weights", "vote weights count only in the majority and ratio modes")


def _check_step_deadline(i: int, s: dict[str, Any], bad: _Bad) -> None:
    duration = str(s.get("deadline_duration") or "").strip()
    if duration and lz.parse_duration(duration) is None:
        bad(i, "deadline_duration", "the deadline is an ISO-8601 duration such as P2D or PT4H")
    if duration and (s.get("deadline_action") or "remind") not in lz.DEADLINE_ACTIONS:
        bad(i, "deadline_action", "the deadline action is one of %(choices)s",
            choices=", ".join(lz.DEADLINE_ACTIONS))


def _check_step_cc(i: int, s: dict[str, Any], bad: _Bad) -> None:
    for strategy_cc, value_cc in parse_cc(str(s.get("cc") or "")):
        why = lz.assignee_problem(strategy_cc, value_cc)
        if why == "strategy" or strategy_cc == "chosen":
            bad(i, "cc", "unknown copy strategy '%(strategy)s' (write e.g. role:finance)", strategy=strategy_cc)
        elif why == "value":
            bad(i, "cc", "the copy strategy '%(strategy)s' needs a value (e.g. %(strategy)s:...)",
                strategy=strategy_cc)


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
    flows: list[_Flow] = []
    pos = "start"
    gateways: list[tuple[str, str]] = []
    for s in table["steps"]:
        _write_step(proc, s)
        pos = _link_step(str(s["id"]), str(s.get("condition") or "").strip(), pos, flows, gateways)
    for gid, default in gateways:
        _sub(proc, f"{_B}exclusiveGateway", {"id": gid, "default": default})
    _sub(proc, f"{_B}endEvent", {"id": "end", "name": "结束"})
    flows.append(("end__in", pos, "end", None))
    for flow in flows:
        _write_flow(proc, flow)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return auto_layout(xml) if layout else xml


_Flow = tuple[str, str, str, "str | None"]  # id, source, target, condition


def _write_step(proc: etree._Element, s: dict[str, Any]) -> None:
    """The userTask of a step with its lz: extensions (none: no extensionElements)."""
    task = _sub(proc, f"{_B}userTask", {"id": str(s["id"]), "name": str(s.get("name") or "")})
    ext = _ext(task)
    if s.get("mode") != "handle":
        _sub(ext, f"{_L}approval", {
            "mode": s["mode"], "threshold": str(s.get("threshold") or "") if s["mode"] == "ratio" else "",
            "skipInitiator": "true" if s.get("skip_initiator") else "",
            "skipRepeated": "true" if s.get("skip_repeated") else ""})
    if s.get("assignee_strategy"):
        _sub(ext, f"{_L}assignees", {"strategy": s["assignee_strategy"],
                                     "value": str(s.get("assignee_value") or ""),
                                     "weights": str(s.get("weights") or "").strip()})
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


def _link_step(sid: str, cond: str, pos: str, flows: list[_Flow], gateways: list[tuple[str, str]]) -> str:
    """Adds the flows (and, for a conditional step, the gateways) from `pos` through step `sid`;
    returns the new position of the chain."""
    if not cond:
        flows.append((f"{sid}__in", pos, sid, None))
        return sid
    gateways.append((f"{sid}__if", f"{sid}__skip"))
    gateways.append((f"{sid}__join", ""))
    flows += [(f"{sid}__in", pos, f"{sid}__if", None), (f"{sid}__yes", f"{sid}__if", sid, cond),
              (f"{sid}__skip", f"{sid}__if", f"{sid}__join", None),
              (f"{sid}__out", sid, f"{sid}__join", None)]
    return f"{sid}__join"


def _write_flow(proc: etree._Element, flow: _Flow) -> None:
    fid, src, dst, cond = flow
    f = _sub(proc, f"{_B}sequenceFlow", {"id": fid, "sourceRef": src, "targetRef": dst,
                                         "name": cond if cond and len(cond) <= 40 else ""})
    if cond:
        ce = _sub(f, f"{_B}conditionExpression", {f"{{{XSI_NS}}}type": "bpmn:tFormalExpression"})
        ce.text = cond


def step_of_element(table: dict[str, Any], element_id: str | None) -> int | None:
    """The index of the step a generated element belongs to (a deploy problem's element id)."""
    if not element_id:
        return None
    base = element_id.split("__")[0]
    for i, s in enumerate(table.get("steps") or []):
        if s.get("id") == base:
            return i
    return None

