"""A BPMN document edited in place with lxml (designer/table_edit.py): lookups by id, removing
an element with its diagram shape, retargeting a flow (its edge follows), adding elements with
the indentation of their siblings and, when the file has a diagram, a shape next to a neighbour;
serialised with the original XML declaration and root start tag, so an edit shows as a diff of
only what changed."""
from __future__ import annotations

from lxml import etree

from bpmn.lz import BPMN_NS, parse_xml
from designer.table import XSI_NS

_B = f"{{{BPMN_NS}}}"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"


class EditRefused(Exception):
    """The edit cannot be made in place. `template % params` is the English reason; the page
    translates `template` (a msgid) and fills it in."""

    def __init__(self, template: str, **params: str):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def _start_tag_end(xml: bytes) -> int | None:
    """The offset just after the root element's start tag (declarations and comments skipped)."""
    i = 0
    while True:
        i = xml.find(b"<", i)
        if i < 0:
            return None
        for opener, closer in ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!", b">")):
            if xml.startswith(opener, i):
                end = xml.find(closer, i)
                if end < 0:
                    return None
                i = end + len(closer)
                break
        else:
            break
    quote: int | None = None
    for j in range(i, len(xml)):
        ch = xml[j]
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in (34, 39):
            quote = ch
        elif ch == 62:  # '>'
            return j + 1
    return None


def indent(el: etree._Element) -> None:
    """Give a newly inserted element the indentation of its siblings."""
    parent = el.getparent()
    if parent is None:
        return
    sib = parent.text if parent.text and "\n" in parent.text and not parent.text.strip() else None
    prev = el.getprevious()
    if sib is None:
        return
    level = len(sib.rsplit("\n", 1)[1]) // 2
    etree.indent(el, space="  ", level=level)
    if el.getnext() is None and prev is not None:  # the last child: it takes the closing indentation
        el.tail, prev.tail = prev.tail, sib
    else:
        el.tail = sib


class Doc:
    def __init__(self, xml: bytes, key: str):
        self.root = parse_xml(xml)
        proc = next((p for p in self.root.iter(f"{_B}process") if p.get("id") == key), None)
        if proc is None:
            raise EditRefused("the diagram has no process '%(key)s'", key=key)
        self.proc = proc
        self.plane = self.root.find(f".//{{{BPMNDI_NS}}}BPMNPlane")

    # ---- lookups
    def el(self, eid: str) -> etree._Element | None:
        return next((e for e in self.proc if isinstance(e.tag, str) and e.get("id") == eid), None)

    def flows(self, source: str | None = None, target: str | None = None) -> list[etree._Element]:
        return [f for f in self.proc.findall(f"{_B}sequenceFlow")
                if (source is None or f.get("sourceRef") == source)
                and (target is None or f.get("targetRef") == target)]

    def di(self, eid: str) -> etree._Element | None:
        if self.plane is None:
            return None
        return next((d for d in self.plane if d.get("bpmnElement") == eid), None)

    # ---- changes
    def remove(self, eid: str) -> None:
        for parent, el in ((self.proc, self.el(eid)), (self.plane, self.di(eid))):
            if el is None or parent is None:
                continue
            prev = el.getprevious()
            if el.getnext() is None:  # the closing tag keeps its indentation
                if prev is not None:
                    prev.tail = el.tail
                else:
                    parent.text = el.tail
            parent.remove(el)
        for g in self.proc.findall(f"{_B}exclusiveGateway"):
            if g.get("default") == eid:
                del g.attrib["default"]

    def retarget(self, flow: etree._Element, target: str) -> None:
        flow.set("targetRef", target)
        self._move_end(flow.get("id") or "", target, last=True)

    def _center(self, eid: str) -> tuple[float, float] | None:
        d = self.di(eid)
        b = d.find(f"{{{DC_NS}}}Bounds") if d is not None else None
        if b is None:
            return None
        x, y, w, h = (float(b.get(k, 0)) for k in ("x", "y", "width", "height"))
        return x + w / 2, y + h / 2

    def _move_end(self, fid: str, eid: str, last: bool) -> None:
        edge, c = self.di(fid), self._center(eid)
        if edge is None or c is None:
            return
        points = edge.findall(f"{{{DI_NS}}}waypoint")
        if points:
            p = points[-1] if last else points[0]
            p.set("x", f"{c[0]:g}")
            p.set("y", f"{c[1]:g}")

    def add(self, tag: str, attrs: dict[str, str], before: etree._Element | None = None,
            near: str | None = None, size: tuple[int, int] = (100, 80)) -> etree._Element:
        el = etree.Element(_B + tag, {k: v for k, v in attrs.items() if v})
        anchor = before if before is not None and before.getparent() is self.proc else None
        if anchor is not None:
            anchor.addprevious(el)
        else:
            flows = self.proc.findall(f"{_B}sequenceFlow")
            (flows[0].addprevious(el) if flows and tag != "sequenceFlow" else self.proc.append(el))
        indent(el)
        if self.plane is not None and tag != "sequenceFlow":
            c = self._center(near) if near else None
            x, y = (c[0] - size[0] / 2, c[1] + 100) if c else (0.0, 0.0)
            shape = etree.SubElement(self.plane, f"{{{BPMNDI_NS}}}BPMNShape",
                                     {"id": f"{attrs['id']}_di", "bpmnElement": attrs["id"]})
            etree.SubElement(shape, f"{{{DC_NS}}}Bounds",
                             {"x": f"{x:g}", "y": f"{y:g}", "width": str(size[0]), "height": str(size[1])})
        return el

    def flow(self, fid: str, source: str, target: str, condition: str | None = None) -> etree._Element:
        fid = self.unique(fid)
        f = self.add("sequenceFlow", {"id": fid, "sourceRef": source, "targetRef": target})
        if condition:
            ce = etree.SubElement(f, _B + "conditionExpression", {f"{{{XSI_NS}}}type": "bpmn:tFormalExpression"})
            ce.text = condition
            if len(condition) <= 40:
                f.set("name", condition)
            indent(f)
        if self.plane is not None:
            a, b = self._center(source), self._center(target)
            if a and b:
                edge = etree.SubElement(self.plane, f"{{{BPMNDI_NS}}}BPMNEdge", {"id": f"{fid}_di", "bpmnElement": fid})
                for x, y in (a, b):
                    etree.SubElement(edge, f"{{{DI_NS}}}waypoint", {"x": f"{x:g}", "y": f"{y:g}"})
        return f

    def unique(self, eid: str) -> str:
        ids = {e.get("id") for e in self.root.iter() if isinstance(e.tag, str)}
        n, out = 1, eid
        while out in ids:
            n += 1
            out = f"{eid}_{n}"
        return out

    def tostring(self, original: bytes) -> bytes:
        """The edited document; the text before the root's first child and after its end are the
        original bytes (lxml would rewrite the XML declaration and the root's start tag)."""
        body = etree.tostring(self.root, encoding="UTF-8")
        head = _start_tag_end(original)
        new_head = _start_tag_end(body)
        tail_at = original.rfind(b"</")
        if head is None or new_head is None or tail_at < head:
            return etree.tostring(self.root.getroottree(), xml_declaration=True, encoding="UTF-8")
        new_tail = body.rfind(b"</")
        return original[:head] + body[new_head:new_tail] + original[tail_at:]
