"""Pre-deploy checks of a BPMN definition: pure functions over XML bytes.

`check_bpmn(xml, check_expression, check_script)` returns every problem found, never raises:

1. the bytes are well-formed XML without a DTD, rooted at `bpmn:definitions` (rule `xml`);
2. the document validates against the OMG BPMN 2.0 XSDs in `bpmn/schema/` (rule `xsd`);
3. at least one process is executable (rule `executable`);
4. Liuzhuan's lint rules over the executable processes: the `lz:` problems from `bpmn.lz`
   and the rules registered in `RULES` below (conditions, scripts, timers, gateways, ...).

The expression and script checkers are passed in (engine/sandbox.py owns the real ones), so
this module needs neither SpiffWorkflow nor a database. Add a rule by writing a function
`(Context) -> Iterable[Problem]` decorated with `@rule`.
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from bpmn import limits, lz
from bpmn.problem_texts import pm
from bpmn.xml_checks import (  # noqa: F401  (steps 1 and 2, re-exported for callers of bpmn.checks)
    _B,
    BPMN_NS,
    BPMNDI_NS,
    DC_NS,
    DI_NS,
    SCHEMA_DIR,
    _duplicate_ids,
    _id_elements,
    _nearest_id,
    _plain_names,
    bpmn_schema,
    parse_definitions,
    validate_xsd,
)
from core.errors import Problem

Checker = Callable[[str], "str | None"]

# ----------------------------------------------------------------------------- entry point


def check_bpmn(xml: bytes, check_expression: Checker, check_script: Checker) -> list[Problem]:
    """Every problem found in a BPMN document, in document order per rule; [] means deployable."""
    root, problems = parse_definitions(xml)
    if root is None:
        return problems
    if too_big := oversized(root):  # refused before the XSD and the rules read every node (a DoS defence)
        return problems + too_big
    problems += validate_xsd(root)
    processes = root.findall(f"{_B}process")
    executable = [p for p in processes if is_executable(p)]
    if not processes:
        problems.append(Problem(None, pm("no_process"), "executable"))
    elif not executable:
        problems.append(Problem(None, pm("not_executable"), "executable"))
    ctx = Context(root, executable, _guarded(check_expression), _guarded(check_script))
    for r in (Context.lz_problems, *RULES):
        try:
            problems += r(ctx)
        except Exception as exc:  # a bug in one rule must not turn a deploy into a 500
            name = getattr(r, "__name__", "rule")
            problems.append(Problem(None, pm("check_crashed", name=name, error=f"{type(exc).__name__}: {exc}"),
                                    "internal"))
    return _unique(problems)


def _guarded(checker: Checker) -> Checker:
    """A checker that reports its own exception as the reason instead of raising it."""
    def check(source: str) -> str | None:
        try:
            return checker(source)
        except Exception as exc:
            return pm("not_checked", error=f"{type(exc).__name__}: {exc}")
    return check


def is_executable(process: etree._Element) -> bool:
    """isExecutable="true" or absent (as SpiffWorkflow and Camunda read it)."""
    return (process.get("isExecutable") or "true").strip().lower() not in ("false", "0")


# ----------------------------------------------------------------------------- 3./4. lint rules


@dataclass
class Context:
    """What a lint rule sees: the document, its executable processes and the two checkers."""

    root: etree._Element
    processes: list[etree._Element]
    check_expression: Checker
    check_script: Checker

    @cached_property
    def ids(self) -> dict[str, list[etree._Element]]:
        """Every id in the document (model and diagram) -> the elements carrying it."""
        ids: dict[str, list[etree._Element]] = {}
        for el in _id_elements(self.root):
            ids.setdefault(el.get("id") or "", []).append(el)
        return ids

    def elements(self, *local_names: str) -> Iterator[etree._Element]:
        """BPMN elements with these local names inside the executable processes, in document order."""
        tags = [_B + n for n in local_names]
        for proc in self.processes:
            yield from proc.iter(*tags)

    def lz_problems(self) -> list[Problem]:
        """bpmn.lz's problems, minus those about elements that only occur in non-executable processes."""
        _configs, problems = lz.read_definitions(self.root)
        exec_ids = {e.get("id") for p in self.processes for e in p.iter() if isinstance(e.tag, str)}
        other_ids = {e.get("id") for p in self.root.findall(f"{_B}process") if not is_executable(p)
                     for e in p.iter() if isinstance(e.tag, str)}
        return [p for p in problems if p.element_id in exec_ids or p.element_id not in other_ids]


Rule = Callable[[Context], Iterable[Problem]]
RULES: list[Rule] = []


def rule(fn: Callable[[Context], Iterable[Problem]]) -> Rule:
    """Register a lint rule; it runs on every check_bpmn call, in registration order."""
    RULES.append(fn)
    return fn


def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _juel(text: str) -> bool:
    return bool(re.search(r"[$#]\{", text))


def expression_problem(text: str, check_expression: Checker, what: str) -> str | None:
    """Why `text` is not a usable Liuzhuan (Python) expression, or None."""
    if not text.strip():
        return pm("expr_empty", what=what)
    if _juel(text):
        return pm("expr_juel", what=what, text=text.strip())
    why = check_expression(text)
    return pm("expr_invalid", what=what, text=text.strip(), why=why) if why else None


@rule
def conditions(ctx: Context) -> Iterator[Problem]:
    """conditionExpression on sequence flows and conditional events must be valid expressions."""
    for flow in ctx.elements("sequenceFlow"):
        cond = flow.find(f"{_B}conditionExpression")
        if cond is None:
            continue
        why = expression_problem(cond.text or "", ctx.check_expression, pm("what_condition"))
        if why:
            lang = (cond.get("language") or "").strip()
            if lang and "python" not in lang.lower():
                why = pm("cond_language", why=why, lang=lang)
            yield Problem(flow.get("id"), why, "condition")
    for ev in ctx.elements("conditionalEventDefinition"):
        why = expression_problem(_text(ev.find(f"{_B}condition")), ctx.check_expression, pm("what_event_condition"))
        if why:
            yield Problem(_nearest_id(ev.getparent()), why, "condition")


_PYTHON_FORMATS = ("", "python", "text/x-python", "text/python", "application/x-python")


@rule
def scripts(ctx: Context) -> Iterator[Problem]:
    """scriptTask script text must pass the sandbox's script check; only Python is run."""
    for task in ctx.elements("scriptTask"):
        tid = task.get("id")
        fmt = (task.get("scriptFormat") or "").strip()
        if fmt.lower() not in _PYTHON_FORMATS:
            yield Problem(tid, pm("script_format", format=fmt), "script")
            continue
        script = task.find(f"{_B}script")
        if script is None or not (script.text or "").strip():
            yield Problem(tid, pm("script_missing"), "script")
            continue
        why = ctx.check_script(script.text or "")
        if why:
            yield Problem(tid, pm("script_refused", why=why), "script")


@rule
def call_args(ctx: Context) -> Iterator[Problem]:
    """Every lz:arg expr of an lz:call must be a valid expression."""
    for proc in ctx.processes:
        for arg in proc.iter(f"{{{lz.LZ_NS}}}arg"):
            expr = arg.get("expr")
            if expr is None:
                continue  # bpmn.lz reports a missing expr
            why = expression_problem(expr, ctx.check_expression, f"lz:arg '{arg.get('name') or ''}'")
            if why:
                yield Problem(_nearest_id(arg), why, "expression")


@rule
def multi_instance(ctx: Context) -> Iterator[Problem]:
    """Multi-instance loopCardinality / completionCondition are evaluated as expressions too."""
    for mi in ctx.elements("multiInstanceLoopCharacteristics"):
        for name in ("loopCardinality", "completionCondition"):
            el = mi.find(_B + name)
            if el is None or not _text(el):
                continue
            why = expression_problem(el.text or "", ctx.check_expression, name)
            if why:
                yield Problem(_nearest_id(mi), why, "expression")


_ISO_DURATION = re.compile(r"^[+-]?P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
                           r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$", re.IGNORECASE)
_ISO_CYCLE = re.compile(r"^R\d*/\S+$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\S*)?$")


@rule
def timers(ctx: Context) -> Iterator[Problem]:
    """timeDuration/timeDate/timeCycle are Python expressions: a bare P2D must be quoted as "P2D"."""
    for ted in ctx.elements("timerEventDefinition"):
        owner = _nearest_id(ted.getparent())  # the event, which is what a modeller sees
        values = [el for el in ted if isinstance(el.tag, str)
                  and el.tag in (_B + "timeDuration", _B + "timeDate", _B + "timeCycle")]
        if not values:
            yield Problem(owner, pm("timer_missing"), "timer")
            continue
        for el in values:
            kind = etree.QName(el).localname
            text = _text(el)
            if text and (_ISO_DURATION.match(text) or _ISO_CYCLE.match(text) or _ISO_DATE.match(text)):
                yield Problem(owner, pm("timer_quote", kind=kind, text=text), "timer")
                continue
            why = expression_problem(text, ctx.check_expression, kind) or _literal_timer_problem(kind, text)
            if why:
                yield Problem(owner, why, "timer")


def _literal_timer_problem(kind: str, text: str) -> str | None:
    """A timer written as a quoted value ("P2D") is checked against the limits now; a variable at run time."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return limits.timer_problem(kind, value)


def refused_outright(problems: list[Problem]) -> bool:
    """Problems after which a deploy checks nothing more: not XML at all, or a process over the node limit."""
    return any(p.rule == "xml" or getattr(p.message, "code", None) == "limit_nodes" for p in problems)


def oversized(root: etree._Element) -> list[Problem]:
    """A problem for each executable process with more flow nodes than the limit. One walk over the
    elements: check_bpmn and the deploy stop here, before the costlier checks and SpiffWorkflow's
    parser see a definition of any size."""
    most = limits.limits.current().max_nodes
    return [Problem(proc.get("id"), pm("limit_nodes", count=n, max=most), "limit")
            for proc in root.findall(f"{_B}process") if is_executable(proc)
            for n in [limits.node_count(proc)] if n > most]


@rule
def sizes(ctx: Context) -> Iterator[Problem]:
    """Multi-instance cardinality and loop maximum within core/limits.py (nodes per process: `oversized`)."""
    lim = limits.limits.current()
    for mi in ctx.elements("multiInstanceLoopCharacteristics"):
        try:
            value = ast.literal_eval(_text(mi.find(_B + "loopCardinality")))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if why := limits.cardinality_problem(value):
            yield Problem(_nearest_id(mi), why, "limit")
    for loop in ctx.elements("standardLoopCharacteristics"):
        raw = (loop.get("loopMaximum") or "").strip()
        if raw and (not raw.lstrip("-").isdigit() or int(raw) > lim.max_loop):
            yield Problem(_nearest_id(loop), pm("limit_loop", raw=raw, max=lim.max_loop), "limit")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _outgoing(node: etree._Element) -> list[etree._Element]:
    """Sequence flows leaving `node`, found by sourceRef in the node's own container."""
    parent = node.getparent()
    nid = node.get("id")
    if parent is None or not nid:
        return []
    return [f for f in parent.findall(f"{_B}sequenceFlow") if f.get("sourceRef") == nid]


@rule
def gateway_flows(ctx: Context) -> Iterator[Problem]:
    """A diverging exclusive/inclusive gateway needs a condition on every flow but the default."""
    for gw in ctx.elements("exclusiveGateway", "inclusiveGateway"):
        out = _outgoing(gw)
        if len(out) < 2:
            continue
        default = gw.get("default")
        bare = [f.get("id") or "?" for f in out
                if f.find(f"{_B}conditionExpression") is None and f.get("id") != default]
        if bare:
            kind = "exclusive" if _local(gw) == "exclusiveGateway" else "inclusive"
            yield Problem(gw.get("id"), pm(f"gateway_bare_{kind}", gateway=gw.get("id"), count=len(out),
                                           flows=", ".join(bare)), "gateway_condition")


@rule
def gateway_default(ctx: Context) -> Iterator[Problem]:
    """A gateway's default must be one of its outgoing sequence flows."""
    for gw in ctx.elements("exclusiveGateway", "inclusiveGateway", "complexGateway"):
        default = gw.get("default")
        if default is None:
            continue
        out = [f.get("id") for f in _outgoing(gw)]
        if default not in out:
            flows = ", ".join(i or "?" for i in out)
            yield Problem(gw.get("id"), pm("gateway_default" if flows else "gateway_default_none", default=default,
                                           gateway=gw.get("id"), flows=flows), "gateway_default")


@rule
def references(ctx: Context) -> Iterator[Problem]:
    """sourceRef/targetRef of sequence flows and attachedToRef of boundary events must resolve."""
    ids = ctx.ids
    by_parent: dict[etree._Element, set[str | None]] = {}  # built once per container, not once per flow
    for flow in ctx.elements("sequenceFlow"):
        parent = flow.getparent()
        if parent is None:
            siblings: set[str | None] = set()
        elif (siblings := by_parent.get(parent)) is None:  # type: ignore[assignment]
            siblings = by_parent[parent] = {c.get("id") for c in parent if isinstance(c.tag, str)}
        for attr in ("sourceRef", "targetRef"):
            ref = flow.get(attr)
            if ref is None:
                continue  # required attribute: the XSD reports it
            if ref not in ids:
                yield Problem(flow.get("id"), pm("ref_missing", attr=attr, ref=ref), "reference")
            elif ref not in siblings:
                yield Problem(flow.get("id"), pm("ref_other_process", attr=attr, ref=ref), "reference")
    for ev in ctx.elements("boundaryEvent"):
        ref = ev.get("attachedToRef")
        if ref is not None and ref not in ids:
            yield Problem(ev.get("id"), pm("ref_boundary", ref=ref), "reference")


@rule
def duplicate_ids(ctx: Context) -> Iterator[Problem]:
    """Ids are unique across the whole document (diagram elements included)."""
    for ident, kinds in _duplicate_ids(ctx.root).items():
        counts = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in Counter(kinds).items())
        yield Problem(ident, pm("duplicate_id", id=ident, count=len(kinds), kinds=counts), "duplicate_id")


@rule
def start_events(ctx: Context) -> Iterator[Problem]:
    """An executable process needs a start event at its top level."""
    for proc in ctx.processes:
        if proc.find(f"{_B}startEvent") is None:
            yield Problem(proc.get("id"), pm("no_start", process=proc.get("id")), "start_event")


@rule
def call_cycles(ctx: Context) -> Iterator[Problem]:
    """A call activity that (directly or through others) calls its own process would recurse forever."""
    calls: dict[str, list[tuple[str, str | None]]] = {}
    for proc in ctx.root.iter(f"{_B}process"):
        calls[proc.get("id") or ""] = [(c.get("calledElement") or "", c.get("id"))
                                       for c in proc.iter(f"{_B}callActivity")]
    for proc in ctx.processes:
        start = proc.get("id") or ""
        for called, call_id in calls.get(start, []):
            seen, stack = set(), [called]
            while stack:
                cur = stack.pop()
                if cur == start:
                    yield Problem(call_id, pm("call_cycle", called=called, start=start), "call_cycle")
                    break
                if cur not in seen:
                    seen.add(cur)
                    stack.extend(c for c, _ in calls.get(cur, []))


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


RULE_CODES = ("xml", "xsd", "executable", "condition", "script", "expression", "timer", "gateway_condition",
              "gateway_default", "reference", "duplicate_id", "start_event", "call_cycle", "limit", "internal")
"""Rule codes of check_bpmn's own problems; bpmn.lz adds lz_mode, lz_threshold, lz_strategy, ..."""
