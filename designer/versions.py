"""Versions of a process: the list (who deployed, when, how many nodes), one version's file,
"what changed" between two versions, and a copy of a version deployed under a new key (a
process used as a template, 基于模板的流程定义).

`diff(old_xml, new_xml)` compares what bpmn/lz.py reads from both files: every flow node by id
(its BPMN type, name, the lz: settings and the conditions on the flows entering it) and the
process settings. The use cases take the database object (no Flask).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from bpmn import lz
from bpmn.lz import BPMN_NS
from core.errors import Msg, NotFound, Problem, ValidationFailed
from crm.models import User
from engine import catalog, definitions

_B = f"{{{BPMN_NS}}}"
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


# ----------------------------------------------------------------------------- reading one file


def _executable(root: etree._Element) -> etree._Element | None:
    procs = [p for p in root.findall(f"{_B}process")
             if (p.get("isExecutable") or "true").strip().lower() not in ("false", "0")]
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


# ----------------------------------------------------------------------------- use cases


def list_versions(db: Any, key: str) -> list[dict[str, Any]]:
    """Every version of `key`, newest first: {version, name, deployed_at, deployed_by, nodes}."""
    with db.uow() as s:
        rows = definitions.versions(s, key)
        out = []
        for d in rows:
            who = s.get(User, d.deployed_by_id) if d.deployed_by_id else None
            out.append({**definitions.definition_dict(d),
                        "deployed_by": who.display_name if who else "",
                        "deployed_by_username": who.username if who else "",
                        "nodes": node_count(d.bpmn_xml.encode("utf-8"))})
        return out


def get_version(db: Any, key: str, version: int | None = None) -> dict[str, Any]:
    """One version (the latest when `version` is None) with its BPMN XML."""
    with db.uow() as s:
        rows = definitions.versions(s, key)
        for d in rows:
            if version is None or d.version == version:
                who = s.get(User, d.deployed_by_id) if d.deployed_by_id else None
                return {**definitions.definition_dict(d, with_xml=True),
                        "deployed_by": who.display_name if who else ""}
    raise NotFound(f"process '{key}' has no version {version}")


def key_in_use(db: Any, key: str) -> bool:
    try:
        with db.uow() as s:
            definitions.versions(s, key)
        return True
    except NotFound:
        return False


def copy_as_new_process(db: Any, actor_id: int, key: str, version: int, new_key: str,
                        new_name: str) -> dict[str, Any]:
    """Deploy version `version` of `key` as version 1 of a new process `new_key`.

    Raises ValidationFailed (fields new_key / new_name) for a bad or taken key, DefinitionInvalid
    when the copy does not deploy."""
    new_key, new_name = (new_key or "").strip(), (new_name or "").strip()
    fields: dict[str, str] = {}
    if not NCNAME.match(new_key):
        fields["new_key"] = Msg("key_format", "must start with a letter or '_' and contain only letters, digits, "
                                "'_', '-', '.'")
    elif key_in_use(db, new_key):
        fields["new_key"] = Msg("key_taken", f"'{new_key}' is already used by another process", key=new_key)
    if not new_name:
        fields["new_name"] = Msg("name_missing", "the new process needs a name")
    if fields:
        raise ValidationFailed("the copy cannot be made", fields)
    source = get_version(db, key, version)
    xml = rename_process(source["bpmn_xml"].encode("utf-8"), new_key, new_name)
    d, _created = catalog.deploy_definition(db, actor_id, xml)
    return d


__all__ = ["Diff", "Problem", "copy_as_new_process", "describe", "diff", "get_version", "key_in_use",
           "list_versions", "node_count", "rename_process"]
