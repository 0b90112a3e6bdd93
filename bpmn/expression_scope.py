"""What the process data can hold where each expression runs, and the deploy rule built on it.

`check_names(root, processes, forms, builtins)` checks every sequence-flow condition, `lz:arg`
expression and script of the executable processes with `bpmn.expressions.check_source`. The
names known at an element are:

- the start form's fields (with the keys of its groups and of a dynamic list's lines);
- the data objects of the process;
- for every node *before* the element (a node from which a path of sequence flows or boundary
  events leads to it; loops included, so a step of an earlier round counts): an approval or
  handling step gives `<node id>` = `{"outcome", "votes"}` and the fields of its form; a service
  task gives `<node id>` = `{"result"}`; a script gives the names it assigns; a multi-instance
  activity its item and output names; a sub-process everything inside it;
- the sandbox's builtins (engine/sandbox.py) and what the expression binds itself.

**The rule for processes without a start form.** Their data come from outside what the file
says (the API caller's `data`, data objects and scripts of imported Camunda/SpiffWorkflow
files), so only the operator check applies to their conditions and `lz:arg` expressions; names
are not checked and neither are their scripts. Likewise, names are not checked downstream of a
step whose results the file does not declare (call activity, business rule task, receive task,
message catch events): any name may exist there.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from bpmn import lz
from bpmn.expressions import Items, Record, Shape, check_source
from core.errors import Msg, Problem

_B = f"{{{lz.BPMN_NS}}}"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NAME_CODES = frozenset({"expr_unknown_name", "expr_unknown_name_hint", "expr_unknown_key", "expr_attribute",
                        "expr_compare_text"})
APPROVAL_RESULT = Record({"outcome": None, "votes": None}, "the step's decision")
SERVICE_RESULT = Record({"result": None}, "the service task's answer")
_OPAQUE = frozenset({"callActivity", "businessRuleTask", "receiveTask"})
_CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
_NOT_NODES = frozenset({"sequenceFlow", "dataObject", "dataObjectReference", "dataStoreReference",
                        "textAnnotation", "association", "laneSet", "lane", "extensionElements",
                        "conditionExpression", "incoming", "outgoing", "documentation", "ioSpecification",
                        "dataInputAssociation", "dataOutputAssociation", "property"})


@dataclass
class _Graph:
    """The flow nodes of one process and, for each, the nodes directly before it."""

    nodes: dict[str, etree._Element] = field(default_factory=dict)
    preds: dict[str, set[str]] = field(default_factory=dict)

    def before(self, node_id: str, inclusive: bool) -> set[str]:
        seen: set[str] = {node_id} if inclusive else set()
        stack = list(self._preds(node_id))
        while stack:
            cur = stack.pop()
            if cur not in seen:
                seen.add(cur)
                stack.extend(self._preds(cur))
        return seen

    def _preds(self, node_id: str) -> set[str]:
        out = set(self.preds.get(node_id, ()))
        el = self.nodes.get(node_id)
        parent = el.getparent() if el is not None else None
        if parent is not None and _local(parent) in _CONTAINERS and parent.get("id"):
            out |= self.preds.get(parent.get("id") or "", set())  # what comes before the sub-process
        return out


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _graph(proc: etree._Element) -> _Graph:
    g = _Graph()
    for el in proc.iter():
        if isinstance(el.tag, str) and el.tag.startswith(_B) and el.get("id") and el is not proc \
                and _local(el) not in _NOT_NODES and _local(el.getparent()) in ("process", *_CONTAINERS):
            g.nodes[el.get("id") or ""] = el
    for flow in proc.iter(f"{_B}sequenceFlow"):
        g.preds.setdefault(flow.get("targetRef") or "", set()).add(flow.get("sourceRef") or "")
    for ev in proc.iter(f"{_B}boundaryEvent"):
        g.preds.setdefault(ev.get("id") or "", set()).add(ev.get("attachedToRef") or "")
    return g


def _script_names(text: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _opaque(el: etree._Element) -> bool:
    if _local(el) in _OPAQUE:
        return True
    return any(_local(d) == "messageEventDefinition" for d in el) and _local(el) in (
        "intermediateCatchEvent", "startEvent", "boundaryEvent")


def _defines(el: etree._Element, cfg: lz.ProcessConfig, forms: Mapping[str, Record]) -> dict[str, Shape]:
    """The names a node puts into the process data."""
    out: dict[str, Shape] = {}
    nid = el.get("id") or ""
    node = cfg.nodes.get(nid)
    kind = _local(el)
    if node is not None and node.is_human:
        out[nid] = APPROVAL_RESULT
        if node.form_key and node.form_key in forms:
            out.update(forms[node.form_key].keys)
    elif node is not None and node.kind == "service":
        out[nid] = SERVICE_RESULT
    if kind == "scriptTask":
        out.update(dict.fromkeys(_script_names(_text(el.find(f"{_B}script")))))
    for script in el.iter(f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"):
        out.update(dict.fromkeys(_script_names(script.text or "")))
    for mi in el.findall(f"{_B}multiInstanceLoopCharacteristics"):
        for ref in ("loopDataInputRef", "loopDataOutputRef"):
            if (r := mi.find(_B + ref)) is not None and _text(r):
                out[_text(r)] = None
        for item in ("inputDataItem", "outputDataItem"):
            if (i := mi.find(_B + item)) is not None:
                out.update(dict.fromkeys(x for x in (i.get("name"), i.get("id")) if x))
    if kind in _CONTAINERS:
        for inner in el.iter():
            if inner is not el and isinstance(inner.tag, str) and inner.get("id"):
                out.update(_defines(inner, cfg, forms))
    return out


def _first_line(script: str) -> str:
    lines = [ln.strip() for ln in script.strip().splitlines() if ln.strip()]
    return lines[0][:60] + (" …" if len(lines) > 1 or len(lines[0]) > 60 else "") if lines else ""


def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


@dataclass
class _Process:
    proc: etree._Element
    cfg: lz.ProcessConfig
    forms: Mapping[str, Record]
    builtins: Collection[str]
    graph: _Graph = field(init=False)
    base: dict[str, Shape] = field(init=False)
    checked: bool = field(init=False)

    def __post_init__(self) -> None:
        self.graph = _graph(self.proc)
        start = self.forms.get(self.cfg.start_form_key or "")
        self.checked = start is not None
        self.base = dict(start.keys) if start is not None else {}
        for obj in self.proc.iter(f"{_B}dataObject", f"{_B}dataObjectReference"):
            self.base.update(dict.fromkeys(x for x in (obj.get("id"), obj.get("name")) if x))

    def scope(self, node_id: str, inclusive: bool) -> dict[str, Shape] | None:
        """The names known at `node_id`; None when something before it sets undeclared names."""
        scope = dict(self.base)
        for nid in self.graph.before(node_id, inclusive):
            el = self.graph.nodes.get(nid)
            if el is None:
                continue
            if _opaque(el):
                return None
            scope.update(_defines(el, self.cfg, self.forms))
        return scope

    def check(self, element_id: str, source: str, mode: str, what: str,
              scope: dict[str, Shape] | None) -> Iterator[Problem]:
        if mode == "exec" and not self.checked:
            return
        for finding in check_source(source, mode, scope or {}, self.builtins):
            if finding.code in NAME_CODES and (not self.checked or scope is None):
                continue
            shown = source.strip() if mode == "eval" else _first_line(source)
            text = f"{what} '{shown}': {finding}" if mode == "eval" else f"{what}: {finding}"
            yield Problem(element_id, Msg(finding.code, text, **finding.params, source=shown), "expression")


def check_names(root: etree._Element, processes: Iterable[etree._Element], forms: Mapping[str, Record],
                builtins: Collection[str], configs: Mapping[str, lz.ProcessConfig] | None = None) -> list[Problem]:
    """Every unknown name, unknown key, attribute access and senseless operator in the conditions,
    `lz:arg` expressions and scripts of `processes` (see the module text). `configs`: the document's
    `lz:` configurations when the caller has read them already (else read here)."""
    if configs is None:
        configs, _ = lz.read_definitions(root)
    problems: list[Problem] = []
    for proc in processes:
        cfg = configs.get(proc.get("id") or "") or lz.ProcessConfig(proc.get("id") or "", "")
        p = _Process(proc, cfg, forms, builtins)
        for flow in proc.iter(f"{_B}sequenceFlow"):
            cond = flow.find(f"{_B}conditionExpression")
            if cond is not None and _text(cond):
                problems += p.check(flow.get("id") or "", cond.text or "", "eval", "condition",
                                    p.scope(flow.get("sourceRef") or "", inclusive=True))
        for nid, el in p.graph.nodes.items():
            for arg in el.findall(f"{_B}extensionElements/{{{lz.LZ_NS}}}call/{{{lz.LZ_NS}}}arg"):
                if arg.get("expr"):
                    problems += p.check(nid, arg.get("expr") or "", "eval", f"lz:arg '{arg.get('name') or ''}'",
                                        p.scope(nid, inclusive=False))
            if _local(el) == "scriptTask" and _text(el.find(f"{_B}script")):
                problems += p.check(nid, el.find(f"{_B}script").text or "", "exec", "script",  # type: ignore[union-attr]
                                    p.scope(nid, inclusive=False))
    return problems


def form_record(fields: Mapping[str, Shape], what: str = "form") -> Record:
    """A form's top-level fields as the Record the checks take (built by the engine from forms/)."""
    return Record(dict(fields), what)


__all__ = ["Items", "Record", "check_names", "form_record"]
