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

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from lxml import etree

from bpmn import lz
from core.errors import Problem

BPMN_NS = lz.BPMN_NS
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
DMN_NAMESPACES_HINT = "omg.org/spec/DMN/"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

_B = f"{{{BPMN_NS}}}"
_PREFIXES = {BPMN_NS: "bpmn", BPMNDI_NS: "bpmndi", DC_NS: "dc", DI_NS: "di", lz.LZ_NS: "lz"}
_ID_NAMESPACES = (BPMN_NS, BPMNDI_NS, DC_NS, DI_NS)

Checker = Callable[[str], "str | None"]

# ----------------------------------------------------------------------------- entry point


def check_bpmn(xml: bytes, check_expression: Checker, check_script: Checker) -> list[Problem]:
    """Every problem found in a BPMN document, in document order per rule; [] means deployable."""
    root, problems = parse_definitions(xml)
    if root is None:
        return problems
    problems += validate_xsd(root)
    processes = root.findall(f"{_B}process")
    executable = [p for p in processes if is_executable(p)]
    if not processes:
        problems.append(Problem(None, "the file contains no bpmn:process", "executable"))
    elif not executable:
        problems.append(Problem(None, 'no executable process (isExecutable="false" on every process)',
                                "executable"))
    ctx = Context(root, executable, _guarded(check_expression), _guarded(check_script))
    for r in (Context.lz_problems, *RULES):
        try:
            problems += r(ctx)
        except Exception as exc:  # a bug in one rule must not turn a deploy into a 500
            name = getattr(r, "__name__", "rule")
            problems.append(Problem(None, f"check '{name}' could not run: {type(exc).__name__}: {exc}",
                                    "internal"))
    return _unique(problems)


def _guarded(checker: Checker) -> Checker:
    """A checker that reports its own exception as the reason instead of raising it."""
    def check(source: str) -> str | None:
        try:
            return checker(source)
        except Exception as exc:
            return f"could not be checked ({type(exc).__name__}: {exc})"
    return check


def is_executable(process: etree._Element) -> bool:
    """isExecutable="true" or absent (as SpiffWorkflow and Camunda read it)."""
    return (process.get("isExecutable") or "true").strip().lower() not in ("false", "0")


# ----------------------------------------------------------------------------- 1. XML


def parse_definitions(xml: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """Parse safely; (root, []) for a BPMN document, (None, [problem]) for anything else."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if not isinstance(xml, (bytes, bytearray, memoryview)):
        return None, [Problem(None, f"expected the BPMN file as bytes, got {type(xml).__name__}", "xml")]
    xml = bytes(xml)
    if not xml.strip():
        return None, [Problem(None, "the file is empty", "xml")]
    try:
        root = lz.parse_xml(xml)
    except etree.XMLSyntaxError as exc:
        if _has_doctype(xml):  # e.g. entity expansion refused by libxml2 ("billion laughs")
            return None, [Problem(None, f"{_DOCTYPE_MESSAGE} (parsing stopped: {_syntax_message(exc)})", "xml")]
        return None, [Problem(None, f"not well-formed XML: {_syntax_message(exc)}", "xml")]
    except (ValueError, TypeError) as exc:  # e.g. an unsupported encoding declaration
        return None, [Problem(None, f"not readable as XML: {exc}", "xml")]
    if root is None:
        return None, [Problem(None, "not well-formed XML: no root element", "xml")]
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        return None, [Problem(None, _DOCTYPE_MESSAGE, "xml")]
    qname = etree.QName(root)
    if qname.namespace == BPMN_NS and qname.localname == "definitions":
        return root, []
    if qname.namespace and DMN_NAMESPACES_HINT in qname.namespace:
        msg = "this is a DMN decision table file, not a BPMN process (deploy the BPMN file that uses it)"
    elif qname.localname == "definitions" and qname.namespace:
        msg = (f"the root element is definitions in namespace {qname.namespace}; a BPMN 2.0 file "
               f"uses namespace {BPMN_NS}")
    else:
        shown = f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname
        msg = (f"the root element is <{shown}>, not a BPMN file: expected bpmn:definitions "
               f"in namespace {BPMN_NS}")
    return None, [Problem(None, msg, "xml")]


_DOCTYPE_MESSAGE = ("the file has a DOCTYPE declaration; DTDs and entities are not allowed in a BPMN file "
                    "(remove the <!DOCTYPE ...> part)")


def _has_doctype(xml: bytes) -> bool:
    head = xml[:8192]
    return any(mark.encode(enc) in head for mark in ("<!DOCTYPE", "<!doctype")
               for enc in ("ascii", "utf-16-le", "utf-16-be"))


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    msg = (exc.msg or str(exc)).strip()
    line = getattr(exc, "lineno", None)
    if line and f"line {line}" not in msg:
        msg += f" (line {line})"
    return msg


# ----------------------------------------------------------------------------- 2. XSD

_schema_lock = threading.Lock()


@lru_cache(maxsize=1)
def bpmn_schema() -> etree.XMLSchema:
    """The OMG BPMN 2.0 schema, built once (BPMN20.xsd includes/imports the other four files)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "BPMN20.xsd"), parser))


_NS_NAME = re.compile(r"\{([^{}]*)\}([\w.\-]+)")
_XS_ID_ERROR = re.compile(r"attribute '(\w+)': '([^']*)' is not a valid value of the atomic type 'xs:ID'")


def _plain_names(message: str) -> str:
    """'{http://...MODEL}task' -> 'bpmn:task'; unknown namespaces are dropped."""
    def repl(m: re.Match[str]) -> str:
        prefix = _PREFIXES.get(m.group(1))
        return f"{prefix}:{m.group(2)}" if prefix else m.group(2)
    return _NS_NAME.sub(repl, message)


def _human_xsd_message(message: str) -> str:
    msg = _plain_names(message.strip())
    m = _XS_ID_ERROR.search(msg)
    if m:
        return (f"{m.group(1)} '{m.group(2)}' is not a valid XML id (it must start with a letter or '_' "
                "and contain no spaces or ':')")
    msg = re.sub(r"^Element '([^']+)', attribute '([^']+)': ", r"\1 attribute \2: ", msg)
    msg = re.sub(r"^Element '([^']+)': ", r"\1: ", msg)
    msg = msg.replace("This element is not expected. Expected is one of ( ", "this element is not allowed "
                      "here; expected one of: ").replace("This element is not expected. Expected is ( ",
                                                        "this element is not allowed here; expected: ")
    msg = msg.replace("This element is not expected.", "this element is not allowed here.")
    msg = re.sub(r" \)\.?$", ".", msg)
    return msg


def _nearest_id(el: etree._Element | None) -> str | None:
    while el is not None:
        if isinstance(el.tag, str) and el.get("id"):
            return el.get("id")
        el = el.getparent()
    return None


def validate_xsd(root: etree._Element) -> list[Problem]:
    """Each schema error as a Problem naming the offending element's id (or its nearest ancestor's)."""
    schema = bpmn_schema()
    with _schema_lock:
        ok = schema.validate(root)
        errors = [] if ok else list(schema.error_log)
    if not errors:
        return []
    tree = root.getroottree()
    by_path: dict[str, etree._Element] = {}
    by_line: dict[int, etree._Element] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        by_path[tree.getpath(el)] = el
        if el.sourceline is not None:
            by_line.setdefault(el.sourceline, el)
    duplicated = _duplicate_ids(root)
    problems = []
    for err in errors:
        m = _XS_ID_ERROR.search(err.message)
        if m and m.group(2) in duplicated:
            continue  # reported once, better, by the duplicate_id rule
        el = by_path.get(err.path or "")
        if el is None:
            el = by_line.get(err.line)
        problems.append(Problem(_nearest_id(el), _human_xsd_message(err.message), "xsd"))
    return problems


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
        return f"{what} is empty"
    if _juel(text):
        return (f"{what} '{text.strip()}' looks like a JUEL/EL expression (${{...}}); Liuzhuan expressions "
                "are Python expressions over the process data, e.g. amount > 5000")
    why = check_expression(text)
    return f"{what} '{text.strip()}' is not a valid expression: {why}" if why else None


@rule
def conditions(ctx: Context) -> Iterator[Problem]:
    """conditionExpression on sequence flows and conditional events must be valid expressions."""
    for flow in ctx.elements("sequenceFlow"):
        cond = flow.find(f"{_B}conditionExpression")
        if cond is None:
            continue
        why = expression_problem(cond.text or "", ctx.check_expression, "condition")
        if why:
            lang = (cond.get("language") or "").strip()
            if lang and "python" not in lang.lower():
                why += f" (language '{lang}' is not supported; conditions are Python)"
            yield Problem(flow.get("id"), why, "condition")
    for ev in ctx.elements("conditionalEventDefinition"):
        why = expression_problem(_text(ev.find(f"{_B}condition")), ctx.check_expression, "event condition")
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
            yield Problem(tid, f"script format '{fmt}' is not supported; Liuzhuan scripts are Python", "script")
            continue
        script = task.find(f"{_B}script")
        if script is None or not (script.text or "").strip():
            yield Problem(tid, "script task has no script", "script")
            continue
        why = ctx.check_script(script.text or "")
        if why:
            yield Problem(tid, f"script is not allowed: {why}", "script")


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
            yield Problem(owner, "timer has no timeDuration, timeDate or timeCycle", "timer")
            continue
        for el in values:
            kind = etree.QName(el).localname
            text = _text(el)
            if text and (_ISO_DURATION.match(text) or _ISO_CYCLE.match(text) or _ISO_DATE.match(text)):
                yield Problem(owner, f'{kind} {text} must be a Python expression: write the value in quotes, '
                                     f'"{text}"', "timer")
                continue
            why = expression_problem(text, ctx.check_expression, kind)
            if why:
                yield Problem(owner, why, "timer")


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
            yield Problem(gw.get("id"), f"{kind} gateway '{gw.get('id')}' has {len(out)} outgoing flows; "
                                        f"flow(s) {', '.join(bare)} have no condition and are not the "
                                        "gateway's default flow", "gateway_condition")


@rule
def gateway_default(ctx: Context) -> Iterator[Problem]:
    """A gateway's default must be one of its outgoing sequence flows."""
    for gw in ctx.elements("exclusiveGateway", "inclusiveGateway", "complexGateway"):
        default = gw.get("default")
        if default is None:
            continue
        out = [f.get("id") for f in _outgoing(gw)]
        if default not in out:
            yield Problem(gw.get("id"), f"default flow '{default}' of gateway '{gw.get('id')}' is not one of "
                                        f"its outgoing flows ({', '.join(i or '?' for i in out) or 'none'})",
                          "gateway_default")


@rule
def references(ctx: Context) -> Iterator[Problem]:
    """sourceRef/targetRef of sequence flows and attachedToRef of boundary events must resolve."""
    ids = ctx.ids
    for flow in ctx.elements("sequenceFlow"):
        parent = flow.getparent()
        siblings = {c.get("id") for c in parent if isinstance(c.tag, str)} if parent is not None else set()
        for attr in ("sourceRef", "targetRef"):
            ref = flow.get(attr)
            if ref is None:
                continue  # required attribute: the XSD reports it
            if ref not in ids:
                yield Problem(flow.get("id"), f"sequence flow {attr} '{ref}' points to no element", "reference")
            elif ref not in siblings:
                yield Problem(flow.get("id"), f"sequence flow {attr} '{ref}' is in another process or "
                                              "sub-process than the flow", "reference")
    for ev in ctx.elements("boundaryEvent"):
        ref = ev.get("attachedToRef")
        if ref is not None and ref not in ids:
            yield Problem(ev.get("id"), f"boundary event attachedToRef '{ref}' points to no element", "reference")


def _id_elements(root: etree._Element) -> Iterator[etree._Element]:
    """Elements whose `id` is an XML ID: those of the BPMN model and diagram namespaces.

    Extension elements (camunda:property, spiffworkflow:parameter, ...) use `id` for other things.
    """
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("id") and etree.QName(el).namespace in _ID_NAMESPACES:
            yield el


def _duplicate_ids(root: etree._Element) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for el in _id_elements(root):
        seen.setdefault(el.get("id") or "", []).append(_plain_names(el.tag))
    return {k: v for k, v in seen.items() if len(v) > 1}


@rule
def duplicate_ids(ctx: Context) -> Iterator[Problem]:
    """Ids are unique across the whole document (diagram elements included)."""
    for ident, kinds in _duplicate_ids(ctx.root).items():
        counts = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in Counter(kinds).items())
        yield Problem(ident, f"id '{ident}' is used by {len(kinds)} elements ({counts})", "duplicate_id")


@rule
def start_events(ctx: Context) -> Iterator[Problem]:
    """An executable process needs a start event at its top level."""
    for proc in ctx.processes:
        if proc.find(f"{_B}startEvent") is None:
            yield Problem(proc.get("id"), f"process '{proc.get('id')}' has no start event", "start_event")


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
                    yield Problem(call_id, f"call activity calls process '{called}', which leads back to '{start}': "
                                           "this would recurse forever", "call_cycle")
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
              "gateway_default", "reference", "duplicate_id", "start_event", "call_cycle", "internal")
"""Rule codes of check_bpmn's own problems; bpmn.lz adds lz_mode, lz_threshold, lz_strategy, ..."""
