"""Applying a table-view edit to the diagram it was read from, in place (lxml), so that every
element, name, label, extension and layout the table does not show stays exactly as it was.

`apply_table(xml, old, new)` takes the deployed XML, the table read from it (`designer.table.
to_table`) and the table the user submitted, and changes only:

- the process's name and `lz:process` settings and the start form, when they changed;
- a kept step's name and its `lz:` settings (approval, assignees, deadline, form, fields, cc):
  each `lz:` element is rewritten only when its values changed, other extensions stay;
- a kept step's condition: the old condition text is replaced by the new one where it occurs in
  the flows entering the step (and `not (new)` where the diagram has its opposite), their
  labels follow;
- a removed step: its task and DI go, the flows entering it lead where it led (a gateway that
  only read its outcome, with its rejection end when nothing else reaches that end, goes too);
- an added step: inserted where the previous step's approved path continued (or before the
  next step), with a gateway pair when it has a condition; a diagram gets shapes next to its
  neighbours (nothing else moves).

Reordering steps, or changes the diagram's shape does not allow in place, raise `EditRefused`
with the reason (the page then offers the diagram).
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from bpmn.lz import BPMN_NS, LZ_NS
from designer import chain
from designer.table import STEP_FIELDS, parse_cc
from designer.xml_inplace import Doc, EditRefused, indent

__all__ = ["EditRefused", "apply_table"]

_B = f"{{{BPMN_NS}}}"
_L = f"{{{LZ_NS}}}"
_LZ_TAGS = ("approval", "assignees", "deadline", "form", "fields", "cc")


def _attrs(step: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The lz: elements a step implies: {tag: [attributes, ...]} (empty attributes dropped)."""
    mode = step.get("mode")
    out: dict[str, list[dict[str, str]]] = {}
    if mode != "handle":
        out["approval"] = [{"mode": str(mode), "threshold": str(step.get("threshold") or "") if mode == "ratio" else "",
                            "skipInitiator": "true" if step.get("skip_initiator") else "",
                            "skipRepeated": "true" if step.get("skip_repeated") else ""}]
    if step.get("assignee_strategy"):
        out["assignees"] = [{"strategy": str(step["assignee_strategy"]),
                             "value": str(step.get("assignee_value") or "")}]
    if step.get("deadline_duration"):
        out["deadline"] = [{"duration": str(step["deadline_duration"]),
                            "action": str(step.get("deadline_action") or "remind")}]
    if step.get("form"):
        out["form"] = [{"key": str(step["form"])}]
    if step.get("editable") or step.get("hidden"):
        out["fields"] = [{"editable": str(step.get("editable") or ""), "hidden": str(step.get("hidden") or "")}]
    cc = parse_cc(str(step.get("cc") or ""))
    if cc:
        out["cc"] = [{"strategy": s, "value": v} for s, v in cc]
    return {tag: [{k: v for k, v in a.items() if v} for a in rows] for tag, rows in out.items()}


def _set_attrs(el: etree._Element, wanted: dict[str, str], names: tuple[str, ...]) -> None:
    for name in names:
        if wanted.get(name):
            if el.get(name) != wanted[name]:
                el.set(name, wanted[name])
        elif name in el.attrib:
            del el.attrib[name]


_LZ_ATTRS = {"approval": ("mode", "threshold", "skipInitiator", "skipRepeated"), "assignees": ("strategy", "value"),
             "deadline": ("duration", "action"), "form": ("key",), "fields": ("editable", "hidden"),
             "cc": ("strategy", "value")}


def _update_step(doc: Doc, old: dict[str, Any], new: dict[str, Any]) -> None:
    task = doc.el(str(new["id"]))
    if task is None:
        raise EditRefused("step '%(step)s' is not in the diagram", step=str(new["id"]))
    if (old.get("name") or "") != (new.get("name") or ""):
        task.set("name", str(new.get("name") or ""))
    was, want = _attrs(old), _attrs(new)
    for tag in _LZ_TAGS:
        if was.get(tag) == want.get(tag):
            continue
        ext = task.find(f"{_B}extensionElements")
        if ext is None:
            ext = etree.Element(_B + "extensionElements")
            task.insert(0, ext)
        existing = ext.findall(_L + tag)
        rows = want.get(tag, [])
        for el, attrs in zip(existing, rows, strict=False):
            _set_attrs(el, attrs, _LZ_ATTRS[tag])
        for el in existing[len(rows):]:
            ext.remove(el)
        lz_children = [c for c in ext if isinstance(c.tag, str) and c.tag.startswith(_L)]
        last = (ext.findall(_L + tag) or lz_children or [None])[-1]
        for attrs in rows[len(existing):]:
            el = etree.Element(_L + tag, attrs)
            (last.addnext(el) if last is not None else ext.append(el))
            indent(el)
            last = el
    if (old.get("condition") or "") != (new.get("condition") or ""):
        _change_condition(doc, str(new["id"]), str(old.get("condition") or ""), str(new.get("condition") or ""))


def _change_condition(doc: Doc, sid: str, old: str, new: str) -> None:
    if not old or not new:
        raise EditRefused("making step '%(step)s' conditional or unconditional changes the diagram's shape: "
                          "open it as a diagram", step=sid)
    gateways = {f.get("sourceRef") for f in doc.proc.findall(f"{_B}sequenceFlow")
                if old in (f.findtext(f"{_B}conditionExpression") or "")}
    changed = False
    for f in doc.proc.findall(f"{_B}sequenceFlow"):
        ce = f.find(f"{_B}conditionExpression")
        if ce is None or f.get("sourceRef") not in gateways:
            continue
        text = ce.text or ""
        head, sep, rest = text.rpartition(" and ")
        tail = rest if sep else text
        if " ".join(tail.split()) == " ".join(old.split()):
            ce.text, label = (head + sep + new) if sep else new, new
        elif chain.opposite(old, tail):
            ce.text, label = (head + sep + f"not ({new})") if sep else f"not ({new})", f"not ({new})"
        else:
            continue
        changed = True
        if f.get("name") is not None or len(label) <= 40:
            f.set("name", label if len(label) <= 40 else label[:39] + "…")
    if not changed:
        raise EditRefused("the condition of step '%(step)s' is not written where the table view can change it: "
                          "open it as a diagram", step=sid)


def _outcome_gateway(doc: Doc, sid: str) -> etree._Element | None:
    outs = doc.flows(source=sid)
    if len(outs) == 1:
        g = doc.el(outs[0].get("targetRef") or "")
        if g is not None and etree.QName(g).localname == "exclusiveGateway" and any(
                _strip_outcome(f.findtext(f"{_B}conditionExpression") or "", sid) is not None
                for f in doc.flows(source=g.get("id"))):
            return g
    return None


def _strip_outcome(text: str, sid: str) -> str | None:
    for q in ('"', "'"):
        prefix = f"{sid}[{q}outcome{q}] == {q}approved{q}"
        t = " ".join(text.split())
        if t == prefix:
            return ""
        if t.startswith(prefix + " and "):
            return t[len(prefix) + 5:]
    return None


def _remove_step(doc: Doc, sid: str) -> None:
    incoming = doc.flows(target=sid)
    gw = _outcome_gateway(doc, sid)
    if gw is None:
        outs = doc.flows(source=sid)
        if len(outs) != 1:
            raise EditRefused("step '%(step)s' has several outgoing flows: remove it in the diagram", step=sid)
        nxt = outs[0].get("targetRef") or ""
        doc.remove(outs[0].get("id") or "")
    else:
        gid = gw.get("id") or ""
        go_on = []
        for f in doc.flows(source=gid):
            rest = _strip_outcome(f.findtext(f"{_B}conditionExpression") or "", sid)
            if rest is None:  # the rejection branch goes, with its end when nothing else reaches it
                end = f.get("targetRef") or ""
                doc.remove(f.get("id") or "")
                end_el = doc.el(end)
                if end_el is not None and etree.QName(end_el).localname == "endEvent" and not doc.flows(target=end):
                    doc.remove(end)
            else:
                go_on.append((f, rest))
        doc.remove(doc.flows(source=sid)[0].get("id") or "")
        if len(go_on) == 1 and not go_on[0][1]:
            nxt = go_on[0][0].get("targetRef") or ""
            doc.remove(go_on[0][0].get("id") or "")
            doc.remove(gid)
        else:  # the gateway also decides a condition: it stays, reading only the rest
            for f, rest in go_on:
                ce = f.find(f"{_B}conditionExpression")
                if rest and ce is not None:
                    ce.text = rest
                elif ce is not None:
                    f.remove(ce)
            nxt = gid
    for f in incoming:
        doc.retarget(f, nxt)
    doc.remove(sid)
    for f in incoming:
        _merge_opposites(doc, f)


def _merge_opposites(doc: Doc, moved: etree._Element) -> None:
    """After a removal, `moved` may now lead where its opposite already leads (`a and x > 1` and
    `a and x <= 1` from one gateway to one target): the two become one flow with the shared part."""
    text = moved.findtext(f"{_B}conditionExpression") or ""
    head, sep, tail = text.rpartition(" and ")
    for other in doc.flows(source=moved.get("source") or moved.get("sourceRef"), target=moved.get("targetRef")):
        if other is moved:
            continue
        o_text = other.findtext(f"{_B}conditionExpression") or ""
        o_head, o_sep, o_tail = o_text.rpartition(" and ")
        if (sep and o_sep and " ".join(head.split()) == " ".join(o_head.split()) and chain.opposite(tail, o_tail)) \
                or (not sep and not o_sep and chain.opposite(text, o_text)):
            ce = other.find(f"{_B}conditionExpression")
            if ce is not None:
                if sep:
                    ce.text = o_head
                else:
                    other.remove(ce)
            if "name" in other.attrib:
                del other.attrib["name"]
            doc.remove(moved.get("id") or "")
            return


def _continuation(doc: Doc, prev: str | None, following: str | None, sid: str) -> str:
    """The element a step inserted after `prev` goes in front of."""
    target = None
    if prev is None:
        starts = doc.proc.findall(f"{_B}startEvent")
        outs = doc.flows(source=starts[0].get("id")) if len(starts) == 1 else []
        target = outs[0].get("targetRef") if len(outs) == 1 else None
    else:
        gw = _outcome_gateway(doc, prev)
        outs = ([f for f in doc.flows(source=gw.get("id"))
                 if _strip_outcome(f.findtext(f"{_B}conditionExpression") or "", prev) == ""]
                if gw is not None else doc.flows(source=prev))
        target = outs[0].get("targetRef") if len(outs) == 1 else None
    while target is not None:  # past a join (the generated shape of a conditional step)
        el = doc.el(target)
        outs = doc.flows(source=target)
        if el is None or etree.QName(el).localname != "exclusiveGateway" or len(outs) != 1 \
                or len(doc.flows(target=target)) < 2 or outs[0].find(f"{_B}conditionExpression") is not None:
            break
        target = outs[0].get("targetRef")
    if target is None and following is not None \
            and all(f.find(f"{_B}conditionExpression") is None for f in doc.flows(target=following)):
        target = following
    if not target or not doc.flows(target=target):
        raise EditRefused("there is no single place to insert step '%(step)s': add it in the diagram", step=sid)
    return target


def _insert_step(doc: Doc, step: dict[str, Any], prev: str | None, following: str | None) -> str:
    """Insert `step` after `prev` (None: after the start) or before `following`; every flow that
    led to that place now leads to the step."""
    sid = str(step["id"])
    target = _continuation(doc, prev, following, sid)
    entry = doc.flows(target=target)
    near = entry[0].get("sourceRef") or ""
    task = doc.add("userTask", {"id": sid, "name": str(step.get("name") or "")}, before=doc.el(target), near=near)
    ext = etree.SubElement(task, _B + "extensionElements")
    for tag in _LZ_TAGS:
        for attrs in _attrs(step).get(tag, []):
            etree.SubElement(ext, _L + tag, attrs)
    if len(ext) == 0:
        task.remove(ext)
    indent(task)
    cond = str(step.get("condition") or "").strip()
    first = sid
    if cond:
        first, join = doc.unique(f"{sid}__if"), doc.unique(f"{sid}__join")
        doc.add("exclusiveGateway", {"id": first, "default": f"{sid}__skip"}, before=task, near=near, size=(50, 50))
        doc.add("exclusiveGateway", {"id": join}, before=doc.el(target), near=sid, size=(50, 50))
    for f in entry:
        doc.retarget(f, first)
    if cond:
        doc.flow(f"{sid}__yes", first, sid, cond)
        doc.flow(f"{sid}__skip", first, join)
        doc.flow(f"{sid}__out", sid, join)
        doc.flow(f"{sid}__next", join, target)
    else:
        doc.flow(f"{sid}__out", sid, target)
    return sid


def _update_process(doc: Doc, old: dict[str, Any], new: dict[str, Any]) -> None:
    if (old.get("name") or "") != (new.get("name") or ""):
        doc.proc.set("name", str(new.get("name") or ""))
    names = {"mode": "mode", "category": "category", "prefix": "prefix", "name_en": "name_en"}
    if any((old.get(k) or "") != (new.get(k) or "") for k in names):
        ext = doc.proc.find(f"{_B}extensionElements")
        if ext is None:
            ext = etree.Element(_B + "extensionElements")
            doc.proc.insert(0, ext)
        p = ext.find(_L + "process")
        if p is None:
            p = etree.SubElement(ext, _L + "process")
        _set_attrs(p, {k: str(new.get(k) or "") for k in names}, tuple(names))
    if (old.get("start_form") or "") != (new.get("start_form") or ""):
        start = doc.proc.find(f"{_B}startEvent")
        if start is None:
            raise EditRefused("the process has no start event")
        ext = start.find(f"{_B}extensionElements")
        form = ext.find(_L + "form") if ext is not None else None
        if not new.get("start_form"):
            if form is not None and ext is not None:
                ext.remove(form)
            return
        if ext is None:
            ext = etree.Element(_B + "extensionElements")
            start.insert(0, ext)
        if form is None:
            form = etree.SubElement(ext, _L + "form")
        form.set("key", str(new["start_form"]))


def apply_table(xml: bytes, old: dict[str, Any], new: dict[str, Any]) -> bytes:
    """The diagram `xml` (whose table is `old`) changed to say what `new` says, in place."""
    doc = Doc(xml, str(old["process"]["key"]))
    old_steps = {s["id"]: s for s in old["steps"]}
    new_ids = [str(s["id"]) for s in new["steps"]]
    kept_old = [i for i in old_steps if i in new_ids]
    kept_new = [i for i in new_ids if i in old_steps]
    if kept_old != kept_new:
        raise EditRefused("steps were moved: the table view changes steps in place; reorder them in the diagram")
    _update_process(doc, old["process"], new["process"])
    for sid in old_steps:
        if sid not in new_ids:
            _remove_step(doc, sid)
    prev: str | None = None
    for i, s in enumerate(new["steps"]):
        sid = str(s["id"])
        if sid in old_steps:
            if any(old_steps[sid].get(f) != s.get(f) for f in STEP_FIELDS):
                _update_step(doc, old_steps[sid], s)
        else:
            following = next((x for x in new_ids[i + 1:] if x in old_steps), None)
            _insert_step(doc, s, prev, following)
        prev = sid
    return doc.tostring(xml)
