"""The `lz:` BPMN extension (DESIGN.md §2): one schema, read here and nowhere else.

`read_definitions(xml)` returns a `ProcessConfig` per executable process plus every problem
found in the `lz:` elements (unknown mode, bad threshold, unknown strategy, ...). It only uses
lxml; engine/ turns the configs into runtime behaviour, the designer writes the same elements.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

from lxml import etree

from bpmn.countersign import RULE as SHARED_FIELD
from bpmn.countersign import shared_field_problem
from bpmn.problem_texts import pm
from bpmn.starters import Starters, read_starters
from core import limits
from core.errors import Problem

LZ_NS = "urn:liuzhuan:bpmn:1"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_B = f"{{{BPMN_NS}}}"
_L = f"{{{LZ_NS}}}"

# the vote modes of §2, then 认领 (claim: a candidate takes the task) and 阅办 (read: each confirms)
APPROVAL_MODES = ("any", "all", "majority", "ratio", "sequential", "claim", "read")
STRATEGIES = ("users", "role", "dept_head", "dept_heads", "supervisor", "initiator", "field", "chosen")
DEADLINE_ACTIONS = ("remind", "approve", "reject", "escalate")
FLOW_MODELS = ("fixed", "predefined", "free")
END_OUTCOMES = ("approved", "rejected")  # <lz:end outcome=.../> on an end event (DESIGN.md §8)
TRUE_WORDS = ("true", "1", "yes")
VALUE_STRATEGIES = ("users", "role", "dept_heads", "field")  # strategies that need a value
PREFIX = re.compile(r"[A-Za-z0-9]{1,10}")  # business-key prefix
WEIGHTED_MODES = ("majority", "ratio")  # the modes whose votes count weights (票签)
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{1,63}")  # as crm/org.py accepts them
MAX_WEIGHT = 1000

_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta | None:
    """ISO-8601 duration limited to weeks, days, hours, minutes, seconds (P2D, PT4H, P1DT12H)."""
    m = _DURATION.match(text or "")
    if not m or text in ("P", "PT") or text.endswith("T"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    try:
        return timedelta(weeks=parts["w"], days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    except OverflowError:  # P999999999W: longer than any limit (deadline_problem says "range")
        return timedelta.max


def split_list(text: str | None) -> tuple[str, ...]:
    """'a, b,,c' -> ('a', 'b', 'c'); also accepts the Chinese comma."""
    if not text:
        return ()
    return tuple(p.strip() for p in re.split(r"[,，]", text) if p.strip())


# ----------------------------------------------------------------------------- the rules
# Each returns why a value breaks an lz: rule (a short reason code) or None; the reader below and
# the designer's table view (designer/table.py) word the reasons in their own way.


def assignee_problem(strategy: str, value: str) -> str | None:
    """"strategy" (unknown), "value" (this strategy needs a value) or "level" (supervisor level < 1)."""
    if strategy not in STRATEGIES:
        return "strategy"
    if strategy in VALUE_STRATEGIES and not value:
        return "value"
    if strategy == "supervisor" and value and not (value.isdigit() and int(value) >= 1):
        return "level"
    return None


def parse_weights(raw: str | None) -> dict[str, int] | None:
    """票签 weights "zhaomin:3,qianli:1" -> {"zhaomin": 3, "qianli": 1}; {} for none; None when malformed
    (see `weights_problem`)."""
    return None if weights_problem(raw) else {n.strip(): int(w) for n, w in
                                             (p.replace("：", ":").split(":", 1) for p in split_list(raw))}


def weights_problem(raw: str | None) -> str | None:
    """Why a weights attribute is wrong: "format" (not user:weight pairs), "user" (not a user name),
    "weight" (not a whole number 1..MAX_WEIGHT) or "duplicate" (a user twice); None when right."""
    seen: set[str] = set()
    for part in split_list(raw):
        name, sep, weight = part.replace("：", ":").partition(":")
        name, weight = name.strip(), weight.strip()
        if not sep:
            return "format"
        if not USERNAME.fullmatch(name):
            return "user"
        if not (weight.isdigit() and 1 <= int(weight) <= MAX_WEIGHT):
            return "weight"
        if name in seen:
            return "duplicate"
        seen.add(name)
    return None


def parse_threshold(raw: str | None) -> Fraction | None:
    """A ratio threshold in (0, 1] ("0.6", "2/3"), None when it is not one."""
    try:
        threshold = Fraction(raw) if raw is not None else None
    except (ValueError, ZeroDivisionError):
        return None
    return threshold if threshold is not None and 0 < threshold <= 1 else None


def threshold_problem(mode: str, raw: str | None) -> str | None:
    """"missing" (ratio needs a threshold in (0, 1]) or "unused" (a threshold without mode ratio)."""
    if mode == "ratio":
        return "missing" if parse_threshold(raw) is None else None
    return "unused" if raw is not None else None


def deadline_problem(duration: str, action: str) -> str | None:
    """"duration" (not an ISO-8601 duration we read) or "action" (not a deadline action)."""
    delta = parse_duration(duration)
    if delta is None:
        return "duration"
    if delta.total_seconds() > limits.current().max_timer_years * 365.25 * 86400:
        return "range"
    return "action" if action not in DEADLINE_ACTIONS else None


def chosen_allowed(strategy: str, flow_model: str) -> bool:
    """'chosen' assignees are picked by the initiator at start: only in the predefined flow model."""
    return strategy != "chosen" or flow_model == "predefined"


@dataclass(frozen=True)
class Assignees:
    strategy: str
    value: str = ""
    # 票签: (user name, weight) pairs of lz:assignees weights=; anyone not listed weighs 1
    weights: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ApprovalRule:
    mode: str
    threshold: Fraction | None = None
    skip_initiator: bool = False
    skip_repeated: bool = False
    signature: bool = False  # signature="required": approve / reject needs a drawn signature


@dataclass(frozen=True)
class Deadline:
    duration: str
    action: str = "remind"

    @property
    def delta(self) -> timedelta:
        d = parse_duration(self.duration)
        assert d is not None, "validated at deploy"
        # a definition stored before the limit existed must not overflow the clock (utcnow() + delta)
        return min(d, timedelta(days=365.25 * limits.current().max_timer_years))


@dataclass(frozen=True)
class CallArg:
    name: str
    expr: str


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[CallArg, ...] = ()


@dataclass(frozen=True)
class NodeConfig:
    """What Liuzhuan knows about one flow node beyond plain BPMN."""

    node_id: str
    name: str
    kind: str  # "approval" | "handle" | "service" | "other"
    approval: ApprovalRule | None = None
    assignees: Assignees | None = None
    deadline: Deadline | None = None
    form_key: str | None = None
    editable: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    cc: tuple[Assignees, ...] = ()
    call: Call | None = None

    @property
    def is_human(self) -> bool:
        return self.kind in ("approval", "handle")


@dataclass
class ProcessConfig:
    process_id: str
    name: str
    mode: str = "fixed"
    category: str = ""
    prefix: str = ""
    name_en: str = ""
    start_form_key: str | None = None
    nodes: dict[str, NodeConfig] = field(default_factory=dict)
    # Approval nodes whose outcome some condition or script of the process reads. A rejection
    # nobody reads ends the instance as rejected instead of flowing on as if approved.
    outcome_readers: frozenset[str] = frozenset()
    # end event id -> the outcome it declares (<lz:end outcome="approved|rejected"/>)
    end_outcomes: dict[str, str] = field(default_factory=dict)
    starters: Starters | None = None  # lz:process starters= (bpmn/starters.py); None: everyone may start

    def node(self, node_id: str) -> NodeConfig | None:
        return self.nodes.get(node_id)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _ext(el: etree._Element, name: str) -> list[etree._Element]:
    return el.findall(f"{_B}extensionElements/{_L}{name}")


def _assignees(el: etree._Element, node_id: str, problems: list[Problem], what: str) -> Assignees | None:
    strategy = (el.get("strategy") or "").strip()
    value = (el.get("value") or "").strip()
    why = assignee_problem(strategy, value)
    if why is None:
        return Assignees(strategy, value, _weights(el, node_id, problems, what))
    code = "lz_strategy_unknown" if why == "strategy" else f"lz_strategy_{why}"
    message = pm(code, what=what, strategy=strategy, value=value, expected=", ".join(STRATEGIES))
    problems.append(Problem(node_id, message, "lz_strategy"))
    return None


def _weights(el: etree._Element, node_id: str, problems: list[Problem], what: str) -> tuple[tuple[str, int], ...]:
    raw = el.get("weights")
    if raw is None:
        return ()
    why = weights_problem(raw)
    if why is not None:
        detail = pm(f"lz_weights_{why}", max=MAX_WEIGHT)
        problems.append(Problem(node_id, pm("lz_weights", what=what, raw=raw, node=node_id, detail=detail),
                                "lz_weights"))
        return ()
    return tuple((parse_weights(raw) or {}).items())


def _approval(el: etree._Element, node_id: str, problems: list[Problem]) -> ApprovalRule | None:
    mode = (el.get("mode") or "").strip()
    if mode not in APPROVAL_MODES:
        problems.append(Problem(node_id, pm("lz_mode_unknown", mode=mode, expected=", ".join(APPROVAL_MODES)),
                                "lz_mode"))
        return None
    raw = el.get("threshold")
    why = threshold_problem(mode, raw)
    if why == "missing":
        problems.append(Problem(node_id, pm("lz_threshold_missing", raw=raw), "lz_threshold"))
        return None
    if why == "unused":
        problems.append(Problem(node_id, pm("lz_threshold_unused", mode=mode), "lz_threshold"))
    threshold = parse_threshold(raw) if mode == "ratio" else None
    return ApprovalRule(
        mode=mode,
        threshold=threshold,
        skip_initiator=(el.get("skipInitiator") or "").lower() in TRUE_WORDS,
        skip_repeated=(el.get("skipRepeated") or "").lower() in TRUE_WORDS,
        signature=(el.get("signature") or "").strip().lower() == "required",
    )


def _node(el: etree._Element, problems: list[Problem]) -> NodeConfig:
    node_id = el.get("id") or ""
    tag = _local(el)
    approval_els = _ext(el, "approval")
    approval = _approval(approval_els[0], node_id, problems) if approval_els else None
    if approval_els and tag != "userTask":
        problems.append(Problem(node_id, pm("lz_approval_placement"), "lz_placement"))
    assignee_els = _ext(el, "assignees")
    assignees = _assignees(assignee_els[0], node_id, problems, "lz:assignees") if assignee_els else None
    if approval_els and not assignee_els:
        problems.append(Problem(node_id, pm("lz_assignees_missing"), "lz_strategy"))
    for extra in (approval_els[1:], assignee_els[1:]):
        if extra:
            problems.append(Problem(node_id, pm("lz_duplicate", name=_local(extra[0])), "lz_duplicate"))
    deadline = None
    for d in _ext(el, "deadline")[:1]:
        deadline = _deadline(d, node_id, problems)
    form = _ext(el, "form")
    fields_el = _ext(el, "fields")
    cc = tuple(a for a in (_assignees(c, node_id, problems, "lz:cc") for c in _ext(el, "cc")) if a)
    call_els = _ext(el, "call")
    call = _call(call_els[0], tag, node_id, problems) if call_els else None
    editable = split_list(fields_el[0].get("editable")) if fields_el else ()
    shared = shared_field_problem(approval.mode if approval else None, assignees.strategy if assignees else None,
                                  assignees.value if assignees else "", editable)
    if shared:
        problems.append(Problem(node_id, shared, SHARED_FIELD))
    return NodeConfig(
        node_id=node_id,
        name=el.get("name") or node_id,
        kind=_kind(tag, approval, call),
        approval=approval,
        assignees=assignees,
        deadline=deadline,
        form_key=(form[0].get("key") if form else None),
        editable=editable,
        hidden=split_list(fields_el[0].get("hidden")) if fields_el else (),
        cc=cc,
        call=call,
    )


def _deadline(d: etree._Element, node_id: str, problems: list[Problem]) -> Deadline | None:
    duration = (d.get("duration") or "").strip()
    action = (d.get("action") or "remind").strip()
    why = deadline_problem(duration, action)
    if why == "duration":
        problems.append(Problem(node_id, pm("lz_deadline_duration", duration=duration), "lz_deadline"))
        return None
    if why == "range":
        problems.append(Problem(node_id, pm("lz_deadline_range", duration=duration,
                                            years=limits.current().max_timer_years), "lz_deadline"))
        return None
    if why == "action":
        problems.append(Problem(node_id, pm("lz_deadline_action", action=action, expected=", ".join(DEADLINE_ACTIONS)),
                                "lz_deadline"))
        return None
    return Deadline(duration, action)


def _call(c: etree._Element, tag: str, node_id: str, problems: list[Problem]) -> Call:
    fn = (c.get("function") or "").strip()
    if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*", fn):
        problems.append(Problem(node_id, pm("lz_call_function", function=fn), "lz_call"))
    args = []
    for a in c.findall(f"{_L}arg"):
        name, expr = (a.get("name") or "").strip(), a.get("expr")
        if not name.isidentifier() or expr is None:
            problems.append(Problem(node_id, pm("lz_arg"), "lz_call"))
            continue
        args.append(CallArg(name, expr))
    if tag not in ("serviceTask", "sendTask", "task", "scriptTask"):
        problems.append(Problem(node_id, pm("lz_call_placement"), "lz_placement"))
    return Call(fn, tuple(args))


def _kind(tag: str, approval: ApprovalRule | None, call: Call | None) -> str:
    if tag == "userTask":
        return "approval" if approval else "handle"
    if tag == "manualTask":
        return "handle"
    if call is not None or tag == "serviceTask":
        return "service"
    return "other"


_NODE_TAGS = ("userTask", "manualTask", "serviceTask", "task", "sendTask", "scriptTask")


def read_process(proc: etree._Element, problems: list[Problem]) -> ProcessConfig:
    pid = proc.get("id") or ""
    cfg = ProcessConfig(process_id=pid, name=proc.get("name") or pid)
    for p in _ext(proc, "process")[:1]:
        _read_process_settings(p, cfg, problems)
    for el in proc.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(_B):
            continue
        _read_element(el, proc, cfg, problems)
    code = " ".join((el.text or "") for el in proc.iter(f"{_B}conditionExpression", f"{_B}script"))
    words = set(re.findall(r"[A-Za-z_][\w]*", code))
    cfg.outcome_readers = frozenset(n for n, c in cfg.nodes.items() if c.kind == "approval" and n in words)
    for node in cfg.nodes.values():
        if node.assignees and not chosen_allowed(node.assignees.strategy, cfg.mode):
            problems.append(Problem(node.node_id, pm("lz_chosen"), "lz_strategy"))
    return cfg


def _read_process_settings(p: etree._Element, cfg: ProcessConfig, problems: list[Problem]) -> None:
    """The attributes of lz:process (flow model, category, prefix, English name, starters)."""
    pid = cfg.process_id
    mode = (p.get("mode") or "fixed").strip()
    if mode not in FLOW_MODELS:
        problems.append(Problem(pid, pm("lz_process_mode", mode=mode, expected=", ".join(FLOW_MODELS)), "lz_process"))
    else:
        cfg.mode = mode
    cfg.category = (p.get("category") or "").strip()
    cfg.prefix = (p.get("prefix") or "").strip()
    cfg.name_en = (p.get("name_en") or "").strip()
    cfg.starters = read_starters(p.get("starters"), pid, problems)
    if cfg.prefix and not PREFIX.fullmatch(cfg.prefix):
        problems.append(Problem(pid, pm("lz_process_prefix", prefix=cfg.prefix), "lz_process"))


def _lz_names(el: etree._Element) -> set[str]:
    """The local names of the element's `lz:` extensions (most elements have none: one child scan,
    instead of a path search per extension asked for)."""
    return {etree.QName(c).localname for ee in el.iterchildren(f"{_B}extensionElements")
            for c in ee.iterchildren(f"{_L}*")}


def _read_element(el: etree._Element, proc: etree._Element, cfg: ProcessConfig, problems: list[Problem]) -> None:
    """The start form of the process's own start event, or the configuration of a node."""
    tag = _local(el)
    exts = _lz_names(el)
    if tag not in _NODE_TAGS and not exts:
        return
    if tag == "startEvent" and el.getparent() is proc and "form" in exts:
        form = _ext(el, "form")
        if form and cfg.start_form_key is None:
            cfg.start_form_key = form[0].get("key")
    for end in _ext(el, "end")[:1] if "end" in exts else ():
        outcome = (end.get("outcome") or "").strip()
        if tag != "endEvent" or outcome not in END_OUTCOMES:
            expected = pm("either", first=END_OUTCOMES[0], second=END_OUTCOMES[1])
            problems.append(Problem(el.get("id"), pm("lz_end", expected=expected, outcome=outcome), "lz_end"))
        else:
            cfg.end_outcomes[el.get("id") or ""] = outcome
    if tag in _NODE_TAGS or "approval" in exts:
        node = _node(el, problems)
        cfg.nodes[node.node_id] = node
    elif "cc" in exts:
        cfg.nodes[el.get("id") or ""] = _node(el, problems)


def parse_xml(xml: bytes) -> etree._Element:
    """Parse BPMN XML safely (no entities, no network). Raises etree.XMLSyntaxError."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
    return etree.fromstring(xml, parser)


def read_definitions(root: etree._Element) -> tuple[dict[str, ProcessConfig], list[Problem]]:
    """Every bpmn:process of a parsed document with its `lz:` configuration, and the problems found."""
    problems: list[Problem] = []
    configs = {}
    for proc in root.iter(f"{_B}process"):
        cfg = read_process(proc, problems)
        configs[cfg.process_id] = cfg
    return configs, problems
