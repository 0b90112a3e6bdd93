"""What changed between two versions of a process: a pure comparison of two BPMN files.

`diff(old_xml, new_xml)` compares what bpmn/lz.py reads from both files: every flow node by id
(its BPMN type, name, the lz: settings and the conditions on the flows entering it) and the
process settings. `rename_process` gives the same file under a new key (a version used as a
template). No database, no engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from bpmn import lz
from bpmn.checks import is_executable
from bpmn.lz import BPMN_NS

_B = f"{{{BPMN_NS}}}"


def _executable(root: etree._Element) -> etree._Element | None:
    procs = [p for p in root.findall(f"{_B}process") if is_executable(p)]
    return procs[0] if procs else None


def _is_flow_node(el: etree._Element) -> bool:
    name = etree.QName(el).localname
    return name.endswith(("Task", "Event", "Gateway")) or name in ("task", "subProcess", "callActivity",
                                                                   "transaction", "adHocSubProcess")


def flow_nodes(xml: bytes) -> list[etree._Element]:
    """The flow nodes (tasks, events, gateways, sub-processes and what they contain) of the executable process."""
    root = lz.parse_xml(xml)
    proc = _executable(root)
    if proc is None:
        return []
    return [el for el in proc.iter() if isinstance(el.tag, str) and el.tag.startswith(_B) and el.get("id")
            and el is not proc and _is_flow_node(el)]


def node_count(xml: bytes) -> int:
    return len(flow_nodes(xml))


def _node_settings(node: lz.NodeConfig | None) -> dict[str, str]:
    if node is None:
        return {}
    a = node.approval
    return {
        "mode": a.mode if a else ("handle" if node.kind == "handle" else ""),
        "threshold": str(a.threshold) if a and a.threshold is not None else "",
        "skip": ", ".join(w for w, on in (("initiator", a and a.skip_initiator), ("repeated", a and a.skip_repeated))
                          if on),
        "assignees": f"{node.assignees.strategy}:{node.assignees.value}".rstrip(":") if node.assignees else "",
        "deadline": f"{node.deadline.duration} {node.deadline.action}" if node.deadline else "",
        "form": node.form_key or "",
        "editable": ",".join(node.editable),
        "hidden": ",".join(node.hidden),
        "cc": "; ".join(f"{c.strategy}:{c.value}".rstrip(":") for c in node.cc),
        "call": (f"{node.call.function}(" + ", ".join(f"{x.name}={x.expr}" for x in node.call.args) + ")")
        if node.call else "",
    }


def describe(xml: bytes) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(process settings, {node id: {field: value}}) of the executable process of a file."""
    root = lz.parse_xml(xml)
    proc = _executable(root)
    if proc is None:
        return {}, {}
    configs, _ = lz.read_definitions(root)
    cfg = configs.get(proc.get("id") or "")
    process = {"name": proc.get("name") or "", "mode": cfg.mode if cfg else "", "category": cfg.category if cfg else "",
               "prefix": cfg.prefix if cfg else "", "name_en": cfg.name_en if cfg else "",
               "start_form": (cfg.start_form_key or "") if cfg else ""}
    entering: dict[str, list[str]] = {}
    for f in proc.iter(f"{_B}sequenceFlow"):
        c = f.find(f"{_B}conditionExpression")
        if c is not None and (c.text or "").strip():
            entering.setdefault(f.get("targetRef") or "", []).append(" ".join((c.text or "").split()))
    nodes: dict[str, dict[str, str]] = {}
    for el in flow_nodes(xml):
        nid = el.get("id") or ""
        info = {"type": etree.QName(el).localname, "name": el.get("name") or ""}
        info.update(_node_settings(cfg.nodes.get(nid) if cfg else None))
        info["condition"] = " | ".join(sorted(entering.get(nid, [])))
        nodes[nid] = {k: v for k, v in info.items() if v or k in ("type", "name")}
    return process, nodes


@dataclass
class Diff:
    added: list[dict[str, str]] = field(default_factory=list)  # {id, type, name}
    removed: list[dict[str, str]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # {id, type, name, changes: [{field, old, new}]}
    process: list[dict[str, str]] = field(default_factory=list)  # [{field, old, new}]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.process)


def diff(old_xml: bytes, new_xml: bytes) -> Diff:
    """Nodes added, removed and changed (name, lz settings, entering conditions) from old to new."""
    old_p, old_n = describe(old_xml)
    new_p, new_n = describe(new_xml)
    out = Diff()
    for nid, info in new_n.items():
        if nid not in old_n:
            out.added.append({"id": nid, "type": info["type"], "name": info["name"]})
    for nid, info in old_n.items():
        if nid not in new_n:
            out.removed.append({"id": nid, "type": info["type"], "name": info["name"]})
    for nid, new in new_n.items():
        old = old_n.get(nid)
        if old is None:
            continue
        changes = [{"field": k, "old": old.get(k, ""), "new": new.get(k, "")}
                   for k in _ordered_keys(old, new) if old.get(k, "") != new.get(k, "")]
        if changes:
            out.changed.append({"id": nid, "type": new["type"], "name": new["name"], "changes": changes})
    out.process = [{"field": k, "old": old_p.get(k, ""), "new": new_p.get(k, "")}
                   for k in _ordered_keys(old_p, new_p) if old_p.get(k, "") != new_p.get(k, "")]
    return out


def _ordered_keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    keys = list(a)
    keys += [k for k in b if k not in a]
    return keys


def rename_process(xml: bytes, new_key: str, new_name: str) -> bytes:
    """The same file with its executable process id (the key) and name changed."""
    root = lz.parse_xml(xml)
    proc = _executable(root)
    if proc is None:
        raise ValueError("the file has no executable process")
    old = proc.get("id") or ""
    proc.set("id", new_key)
    if new_name:
        proc.set("name", new_name)
    for el in root.iter():
        if isinstance(el.tag, str):
            for attr in ("bpmnElement", "processRef"):
                if el.get(attr) == old:
                    el.set(attr, new_key)
    if root.get("id") == f"defs_{old}":
        root.set("id", f"defs_{new_key}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
