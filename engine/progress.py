"""Read use cases for the worklist pages: what a user can start, and how far an instance got.

`instance_progress` answers the instance page: the BPMN XML of the instance's definition version
and which of its elements are completed, current (open) and which sequence flows were taken,
computed from the SpiffWorkflow task states of the saved workflow (engine/spiff/ `trace`), plus
what the page needs around it (display names, the start form without the fields hidden from the
viewer, whether the viewer may withdraw or urge). Each function owns its (read) transaction.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree
from sqlalchemy import select

from bpmn.lz import BPMN_NS, parse_xml
from core.errors import DomainError, NotFound
from crm import org, pickers
from crm.models import User
from db.session import Database
from engine import audit, free_flows, instances, redaction, runtime, spiff, starters
from engine.design import definitions
from engine.lifecycle import ActivationStatus, InstanceStatus, TaskStatus
from engine.models import AuditEvent, HumanTask, NodeActivation, ProcessDefinition, ProcessInstance
from forms import validate as form_validation
from forms.schema import values_keys

DONE = "COMPLETED"
OPEN = ("READY", "STARTED", "WAITING", "ERROR")
REACHED = (DONE, *OPEN)
# Nodes whose votes decided them (a handle node ends "completed" and is drawn from the trace alone).
DECIDED = (ActivationStatus.APPROVED, ActivationStatus.REJECTED)
FLOW_NODE_TAGS = {"task", "userTask", "serviceTask", "scriptTask", "manualTask", "businessRuleTask", "sendTask",
                  "receiveTask", "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent",
                  "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway",
                  "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENT_DEFINITIONS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition",
                     "conditionalEventDefinition", "escalationEventDefinition", "errorEventDefinition")


# ---------------------------------------------------------------- the diagram's elements


@dataclass(frozen=True)
class Diagram:
    """What progress needs from a BPMN file: element kinds and names, sequence flows, start events."""

    kinds: dict[str, str] = field(default_factory=dict)  # element id -> local tag (userTask, ...)
    names: dict[str, str] = field(default_factory=dict)  # element id -> name (when it has one)
    flows: tuple[tuple[str, str, str], ...] = ()  # (flow id, source, target)
    manual_start: dict[str, bool] = field(default_factory=dict)  # process id -> has a none start event


@lru_cache(maxsize=128)
def diagram_of(xml: str) -> Diagram:
    root = parse_xml(xml.encode())
    kinds: dict[str, str] = {}
    names: dict[str, str] = {}
    flows: list[tuple[str, str, str]] = []
    for el in root.iter(f"{{{BPMN_NS}}}*"):
        tag = etree.QName(el).localname
        el_id = el.get("id")
        if not el_id:
            continue
        if tag == "sequenceFlow":
            flows.append((el_id, el.get("sourceRef") or "", el.get("targetRef") or ""))
        elif tag in FLOW_NODE_TAGS:
            kinds[el_id] = tag
            if el.get("name"):
                names[el_id] = el.get("name") or ""
    manual: dict[str, bool] = {}
    for proc in root.iter(f"{{{BPMN_NS}}}process"):
        starts = proc.findall(f"{{{BPMN_NS}}}startEvent")
        manual[proc.get("id") or ""] = any(
            all(s.find(f"{{{BPMN_NS}}}{name}") is None for name in EVENT_DEFINITIONS) for s in starts)
    return Diagram(kinds, names, tuple(flows), manual)


def compute(diagram: Diagram, steps: Iterable[spiff.TraceStep], decided_nodes: Iterable[str] = ()
            ) -> dict[str, list[str]]:
    """completed / current element ids and taken sequence flow ids from the workflow's task tree.

    Predicted tasks (FUTURE, LIKELY, MAYBE) were not reached; a CANCELLED task counts as reached
    only when it is the spare arrival at a parallel join that another arrival completed.
    `decided_nodes` (decided activations) keeps human nodes marked whose tasks a long loop has
    compacted out of the tree. An element both completed earlier and open again is current.
    """
    steps = list(steps)
    completed_joins = {st.node_id for st in steps if st.state == DONE and _is_gateway(diagram, st.node_id)}
    completed: set[str] = {st.node_id for st in steps if st.state == DONE and st.node_id in diagram.kinds}
    completed |= {n for n in decided_nodes if n in diagram.kinds}
    # A waiting join is not anyone's work; a waiting timer or message event is.
    current = {st.node_id for st in steps if st.state in OPEN and st.node_id in diagram.kinds
               and not _is_gateway(diagram, st.node_id)}
    by_pair: dict[tuple[str, str], list[str]] = {}
    for flow_id, source, target in diagram.flows:
        by_pair.setdefault((source, target), []).append(flow_id)
    taken: set[str] = set()
    for st in steps:
        if st.parent_node_id is None or st.parent_state != DONE:
            continue
        reached = st.state in REACHED or (st.state == "CANCELLED" and st.node_id in completed_joins)
        if reached:
            taken.update(by_pair.get((st.parent_node_id, st.node_id), ()))
    return {"completed": sorted(completed - current), "current": sorted(current), "taken": sorted(taken)}


def _is_gateway(diagram: Diagram, element_id: str) -> bool:
    return diagram.kinds.get(element_id, "").endswith("Gateway")


# ---------------------------------------------------------------- use cases

_TRACES: OrderedDict[tuple[int, bytes], list[spiff.TraceStep]] = OrderedDict()
_TRACES_LOCK = threading.Lock()
TRACE_CACHE_SIZE = 64


def _trace(s: Any, inst: ProcessInstance) -> list[spiff.TraceStep]:
    """The workflow's trace, remembered per stored state: loading a large workflow (2,000 nodes:
    ~8,000 predicted tasks) is most of the page's cost, and a page is viewed far more often than
    its instance changes."""
    key = (inst.id, hashlib.blake2b((inst.state or "").encode(), digest_size=16).digest())
    with _TRACES_LOCK:
        hit = _TRACES.get(key)
        if hit is not None:
            _TRACES.move_to_end(key)
            return hit
    steps = spiff.trace(runtime.load(s, inst.id, lock=False).wf)
    with _TRACES_LOCK:
        _TRACES[key] = steps
        while len(_TRACES) > TRACE_CACHE_SIZE:
            _TRACES.popitem(last=False)
    return steps



def instance_progress(db: Database, actor_id: int, instance_id: int) -> dict[str, Any]:
    """The diagram and progress of an instance the viewer may see (NotFound / Forbidden otherwise)."""
    with db.uow() as s:
        return progress_of(s, *instances.viewed(s, actor_id, instance_id))


def progress_of(s: Any, viewer: User, inst: ProcessInstance) -> dict[str, Any]:
    """The diagram and progress of `inst` as `viewer` (who may see it) is shown them."""
    instance_id = inst.id
    d = s.get(ProcessDefinition, inst.definition_id)
    assert d is not None
    diagram = diagram_of(d.bpmn_xml)
    decided = s.scalars(select(NodeActivation.node_id).where(
        NodeActivation.instance_id == instance_id, NodeActivation.status.in_(DECIDED)))
    marks = compute(diagram, _trace(s, inst), decided)
    if inst.status != InstanceStatus.RUNNING:
        marks["current"] = []
    hidden = redaction.hidden_for(s, viewer, inst, d)  # one rule for every channel
    form = form_validation.redact_schema(instances.start_form(d), hidden.paths)
    shown = hidden.data(inst.data)
    open_tasks = list(s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.status == TaskStatus.OPEN)))
    mine = viewer.id == inst.initiator_id and inst.status == InstanceStatus.RUNNING
    acted = audit.count(s, instance_id, instances.APPROVER_ACTIONS, except_actor=inst.initiator_id) if mine else 0
    return {
        "id": inst.id, "process": d.key, "process_name": d.name, "name_en": d.name_en, "version": d.version,
        "bpmn_xml": d.bpmn_xml,
        **marks, "names": dict(diagram.names),
        "form": form, "options": _picked_options(s, inst.initiator_id, form, shown),
        "people": _people(s, inst),
        "can_withdraw": mine and acted == 0,
        "can_urge": mine and bool(open_tasks),
        "my_tasks": sorted(t.id for t in open_tasks if t.assignee_id == viewer.id),
    }


def _picked_options(s: Any, initiator_id: int, form: dict[str, Any] | None, data: dict[str, Any]
                    ) -> dict[str, list[dict[str, Any]]]:
    """The labels of the CRM records the shown data picked (selects with a `valuesKey`), as the
    initiator was offered them: only the picked ones, so a read-only form can show their names."""
    keys = {k for k in values_keys(form) if k in pickers.PICKERS} if form else set()
    if not keys:
        return {}
    picked = set(_scalars(data))
    return {k: pickers.picked(s, initiator_id, k, picked) for k in sorted(keys)}


def _scalars(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _scalars(v)
    elif isinstance(value, list):
        for v in value:
            yield from _scalars(v)
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        yield value


def _people(s: Any, inst: ProcessInstance) -> dict[str, str]:
    """username -> display name of everyone who appears on the instance."""
    ids = instances.participants(s, inst)
    ids |= {uid for uid in s.scalars(select(AuditEvent.actor_id).where(AuditEvent.instance_id == inst.id)) if uid}
    return {u.username: u.display_name for u in s.scalars(select(User).where(User.id.in_(ids)))}


def startable(db: Database, actor_id: int) -> list[dict[str, Any]]:
    """The processes a user can start by hand: the latest version of each deployed process whose
    top-level process has a plain (none) start event and whose `starters` admit the user
    (engine/starters.py); processes started by a timer or a message are not offered. Ordered by
    category, then key."""
    with db.uow() as s:
        user = org.get_user(s, actor_id)
        rows, _total = definitions.list_latest(s, 0, 10_000)
        return [_offer(d) for d in rows if _manual(d) and starters.may_start(user, d)]


def _manual(d: ProcessDefinition) -> bool:
    return diagram_of(d.bpmn_xml).manual_start.get(d.key, False)


def _offer(d: ProcessDefinition) -> dict[str, Any]:
    return {**definitions.definition_dict(d), "description": _description(d)}


def _resubmits(s: Any, actor_id: int, instance_id: int | None, key: str) -> bool:
    """Whether `instance_id` is the caller's rejected or withdrawn instance of `key` (再次提交)."""
    if instance_id is None:
        return False
    try:
        return instances.resubmittable(s, actor_id, instance_id).process_key == key
    except DomainError:
        return False


def _description(d: ProcessDefinition) -> str:
    """The first line of the start form's intro text (without its markdown heading), if any."""
    form = instances.start_form(d) or {}
    for c in form.get("components") or []:
        if c.get("type") == "text" and isinstance(c.get("text"), str):
            lines = [ln.strip() for ln in c["text"].splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
            return lines[0] if lines else ""
    return ""


def start_page(db: Database, actor_id: int, key: str, resubmit: int | None = None) -> dict[str, Any]:
    """What the start page of `key` shows: the latest version, its start form, and the nodes whose
    approvers the initiator chooses (predefined flows). NotFound when the process cannot be started
    by this user; `resubmit`: the caller's own rejected or withdrawn instance of `key` they submit
    again (再次提交), which the process's starters do not limit (engine/starters.py)."""
    with db.uow() as s:
        user = org.get_user(s, actor_id)
        d = definitions.latest_version(s, key)
        if d is None or d.free_of is not None or not _manual(d) or not (
                starters.may_start(user, d) or _resubmits(s, actor_id, resubmit, key)):
            raise NotFound(f"no process '{key}' to start")
        cfg = runtime.configs_of(d).get(d.key)
        chosen = [{"node_id": n.node_id, "name": n.name} for n in (cfg.nodes.values() if cfg else [])
                  if n.assignees is not None and n.assignees.strategy == "chosen"]
        # Fields a later step fills in (editable there by someone other than the initiator) are that
        # step's business: the start page leaves them out.
        later = sorted({f for n in (cfg.nodes.values() if cfg else [])
                        if n.editable and not (n.assignees and n.assignees.strategy == "initiator")
                        for f in n.editable})
        # a free flow (自定): the steps its own diagram draws, as the initiator's first proposal
        suggested = free_flows.suggested_steps(d) if d.mode == "free" else []
        # field permissions: a field the initiator's roles may not set is not on their start form
        form = form_validation.redact_schema(instances.start_form(d),
                                             redaction.readonly_for(s, org.get_user(s, actor_id), d))
        return {**_offer(d), "form": form, "chosen": chosen, "later_fields": later,
                "suggested_steps": suggested}
