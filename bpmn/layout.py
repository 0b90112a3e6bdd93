"""Automatic layout of a BPMN process, written as BPMN DI (so bpmn-js and the SVG renderer can draw it).

`auto_layout(xml)` places every flow node of each process with graphviz `dot` (left to right) and
replaces any existing `bpmndi:BPMNDiagram` with a new one: shapes at the standard bpmn-js sizes
(tasks 100x80, events 36x36, gateways 50x50) and orthogonal sequence-flow waypoints that start on
the source's bounds and end on the target's. `ensure_layout(xml)` only lays out a file without DI.
`read_di(xml)` reads the shapes and edges back (for the SVG renderer and the tests).

Node positions come from graphviz; edges are routed here (graphviz only says which "lane" a long
edge runs in), so a diagram reads like one drawn in bpmn-js: straight flows along the chain,
gateway branches leaving from the diamond's top or bottom, loops going back underneath.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

import graphviz
from lxml import etree

from bpmn.lz import BPMN_NS, parse_xml
from bpmn.routing import Box as Box
from bpmn.routing import clear_route, tidy
from bpmn.routing import crosses as crosses

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
_B = f"{{{BPMN_NS}}}"
_BDI = f"{{{BPMNDI_NS}}}"
_DC = f"{{{DC_NS}}}"
_DI = f"{{{DI_NS}}}"

TASK = (100.0, 80.0)
EVENT = (36.0, 36.0)
GATEWAY = (50.0, 50.0)
MARGIN = 40.0


@dataclass(frozen=True)
class Shape:
    element_id: str
    kind: str  # the BPMN local name: userTask, exclusiveGateway, startEvent, ...
    name: str
    box: Box


@dataclass(frozen=True)
class Edge:
    element_id: str
    source: str
    target: str
    name: str
    points: tuple[tuple[float, float], ...]


def kind_size(kind: str) -> tuple[float, float]:
    if kind.endswith("Gateway"):
        return GATEWAY
    if kind.endswith("Event"):
        return EVENT
    return TASK


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


_NOT_NODES = {"sequenceFlow", "extensionElements", "documentation", "laneSet", "dataObject", "textAnnotation",
              "association", "dataStoreReference", "dataObjectReference", "ioSpecification", "property",
              "dataInputAssociation", "dataOutputAssociation", "incoming", "outgoing",
              "multiInstanceLoopCharacteristics",
              "standardLoopCharacteristics", "conditionExpression", "boundaryEvent", "group", "category"}


def _flow_nodes(proc: etree._Element) -> list[etree._Element]:
    return [c for c in proc if isinstance(c.tag, str) and c.tag.startswith(_B) and _local(c) not in _NOT_NODES]


def _gv_points(pos: str) -> list[tuple[float, float]]:
    """On-curve points of a graphviz edge `pos` ('e,x,y x,y x,y ...'), arrow end excluded."""
    pts = []
    for part in pos.split():
        if part.startswith(("e,", "s,")):
            continue
        x, y = part.split(",")[:2]
        pts.append((float(x), float(y)))
    return pts[::3]


def _dot_positions(nodes: list[tuple[str, str]], edges: list[tuple[str, str]]
                   ) -> tuple[dict[str, tuple[float, float]], dict[int, list[tuple[float, float]]], float]:
    """Graphviz centres (y down) of each node, the interior points of each edge, and the drawing height."""
    g = graphviz.Digraph(graph_attr={"rankdir": "LR", "splines": "polyline", "nodesep": "0.55",
                                     "ranksep": "0.65", "ordering": "out"})
    names = {nid: f"n{i}" for i, (nid, _) in enumerate(nodes)}
    for nid, kind in nodes:
        w, h = kind_size(kind)
        shape = "diamond" if kind.endswith("Gateway") else "circle" if kind.endswith("Event") else "box"
        g.node(names[nid], label="", shape=shape, width=str(w / 72), height=str(h / 72), fixedsize="true")
    for i, (s, t) in enumerate(edges):
        g.edge(names[s], names[t], id=f"e{i}")
    data = json.loads(g.pipe(format="json", engine="dot"))
    height = float(data["bb"].split(",")[3])
    by_name = {o["name"]: o for o in data.get("objects", [])}
    pos = {}
    for nid in names:
        x, y = by_name[names[nid]]["pos"].split(",")
        pos[nid] = (float(x), height - float(y))
    lanes: dict[int, list[tuple[float, float]]] = {}
    for e in data.get("edges", []):
        idx = int(e.get("id", "e-1")[1:]) if str(e.get("id", "")).startswith("e") else -1
        pts = [(x, height - y) for x, y in _gv_points(e.get("pos", ""))]
        lanes[idx] = pts[1:-1]
    return pos, lanes, height


def compute_layout(root: etree._Element) -> tuple[list[Shape], list[Edge]]:
    """Shapes and edges for every process of a parsed BPMN document."""
    shapes: list[Shape] = []
    edges: list[Edge] = []
    y_offset = MARGIN
    for proc in root.iter(f"{_B}process"):
        nodes = [(n.get("id") or "", _local(n)) for n in _flow_nodes(proc) if n.get("id")]
        if not nodes:
            continue
        node_ids = {nid for nid, _ in nodes}
        kinds = dict(nodes)
        flows = [f for f in proc.findall(f"{_B}sequenceFlow")
                 if f.get("sourceRef") in node_ids | _boundary_ids(proc) and f.get("targetRef") in node_ids]
        graph_edges = [(f.get("sourceRef") or "", f.get("targetRef") or "") for f in flows
                       if f.get("sourceRef") in node_ids]
        pos, lanes, _height = _dot_positions(nodes, graph_edges)
        names = {n.get("id"): n.get("name") or "" for n in proc.iter() if isinstance(n.tag, str) and n.get("id")}
        boxes = _place_nodes(nodes, pos, y_offset, names, shapes)
        _place_boundary_events(proc, boxes, kinds, names, shapes)
        below = max(b.bottom for b in boxes.values()) + 30
        below = _route_flows(flows, node_ids, lanes, y_offset, boxes, kinds, below, edges)
        y_offset = below + 2 * MARGIN
    return shapes, edges


def _route_flows(flows: list[etree._Element], node_ids: set[str], lanes: dict[int, list[tuple[float, float]]],
                 y_offset: float, boxes: dict[str, Box], kinds: dict[str, str], below: float,
                 edges: list[Edge]) -> float:
    """Appends the edge of every flow of a process; returns the bottom line below its loops back.
    Graphviz's lanes are numbered over the flows that leave a flow node (not a boundary event)."""
    gi = 0
    index = _BoxIndex(boxes, kinds)
    for f in flows:
        s_id, t_id = f.get("sourceRef") or "", f.get("targetRef") or ""
        lane: list[tuple[float, float]] = []
        if s_id in node_ids:
            lane = [(x + MARGIN, y + y_offset) for x, y in lanes.get(gi, [])]
            gi += 1
        pts, below = _edge_points(s_id, t_id, boxes, kinds, lane, below, index)
        edges.append(Edge(f.get("id") or "", s_id, t_id, f.get("name") or "", tuple(tidy(pts))))
    return below


def _place_nodes(nodes: list[tuple[str, str]], pos: dict[str, tuple[float, float]], y_offset: float,
                 names: dict[str | None, str], shapes: list[Shape]) -> dict[str, Box]:
    """The boxes of the flow nodes around graphviz's centres (each also appended to `shapes`)."""
    boxes: dict[str, Box] = {}
    for nid, kind in nodes:
        w, h = kind_size(kind)
        cx, cy = pos[nid]
        boxes[nid] = Box(round(cx - w / 2 + MARGIN), round(cy - h / 2 + y_offset), w, h)
        shapes.append(Shape(nid, kind, names.get(nid, ""), boxes[nid]))
    return boxes


def _place_boundary_events(proc: etree._Element, boxes: dict[str, Box], kinds: dict[str, str],
                           names: dict[str | None, str], shapes: list[Shape]) -> None:
    """Boundary events sit on their host's lower edge, side by side."""
    hosted: dict[str, int] = {}
    for ev in proc.findall(f"{_B}boundaryEvent"):
        host = boxes.get(ev.get("attachedToRef") or "")
        if host is None or not ev.get("id"):
            continue
        k = hosted.get(ev.get("attachedToRef") or "", 0)
        hosted[ev.get("attachedToRef") or ""] = k + 1
        b = Box(host.x + 14 + 40 * k, host.bottom - 18, EVENT[0], EVENT[1])
        boxes[ev.get("id") or ""] = b
        kinds[ev.get("id") or ""] = "boundaryEvent"
        shapes.append(Shape(ev.get("id") or "", "boundaryEvent", names.get(ev.get("id"), ""), b))


class _BoxIndex:
    """The flow nodes' boxes sorted by x: the shapes a route between two boxes could run through
    are found by bisection, not by testing every shape for every flow (O(n²) for 2,000 nodes)."""

    def __init__(self, boxes: dict[str, Box], kinds: dict[str, str]):
        self.items = sorted(((b.x, n, b) for n, b in boxes.items() if kinds[n] != "boundaryEvent"),
                            key=lambda item: item[0])
        self.xs = [x for x, _n, _b in self.items]
        self.widest = max((b.w for _x, _n, b in self.items), default=0.0)

    def near(self, x0: float, x1: float, y0: float, y1: float, skip: tuple[str, str]) -> list[Box]:
        lo = bisect.bisect_left(self.xs, x0 - self.widest)
        hi = bisect.bisect_right(self.xs, x1)
        return [b for _x, n, b in self.items[lo:hi]
                if n not in skip and b.right >= x0 and b.y <= y1 and b.bottom >= y0]


def _edge_points(s_id: str, t_id: str, boxes: dict[str, Box], kinds: dict[str, str],
                 lane: list[tuple[float, float]], below: float,
                 index: _BoxIndex | None = None) -> tuple[list[tuple[float, float]], float]:
    """The route of one flow and the new bottom line for loops back (each loop goes lower)."""
    s, t = boxes[s_id], boxes[t_id]
    if kinds[s_id] == "boundaryEvent":
        pts = [(s.cx, s.bottom), (s.cx, t.cy), (t.x, t.cy)] if t.x > s.cx else \
            [(s.cx, s.bottom), (s.cx, below), (t.cx, below), (t.cx, t.bottom)]
        return pts, below
    index = index or _BoxIndex(boxes, kinds)
    # every route clear_route tries stays within the two boxes, the lane and 20 px around them
    xs = [s.x, s.right, t.x, t.right, *(x for x, _y in lane)]
    ys = [s.y, s.bottom, t.y, t.bottom, *(y for _x, y in lane)]
    others = index.near(min(xs) - 25, max(xs) + 25, min(ys) - 25, max(ys) + 25, (s_id, t_id))
    pts = clear_route(s, t, kinds[s_id].endswith("Gateway"), kinds[t_id].endswith("Gateway"), lane,
                      below, others)
    if t.cx <= s.cx:
        below += 12
    return pts, below


def _boundary_ids(proc: etree._Element) -> set[str]:
    return {e.get("id") or "" for e in proc.findall(f"{_B}boundaryEvent")}


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def write_di(root: etree._Element, shapes: list[Shape], edges: list[Edge]) -> None:
    """Replace the document's diagrams with one BPMNDiagram holding these shapes and edges."""
    for old in root.findall(f"{_BDI}BPMNDiagram"):
        root.remove(old)
    procs = root.findall(f"{_B}collaboration") or root.findall(f"{_B}process")
    diagram = etree.SubElement(root, f"{_BDI}BPMNDiagram", id="BPMNDiagram_1")
    plane = etree.SubElement(diagram, f"{_BDI}BPMNPlane", id="BPMNPlane_1",
                             bpmnElement=procs[0].get("id") or "" if procs else "")
    for sh in shapes:
        attrs = {"id": f"{sh.element_id}_di", "bpmnElement": sh.element_id}
        if sh.kind == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        el = etree.SubElement(plane, f"{_BDI}BPMNShape", attrs)
        etree.SubElement(el, f"{_DC}Bounds", x=_num(sh.box.x), y=_num(sh.box.y), width=_num(sh.box.w),
                         height=_num(sh.box.h))
        if sh.name and sh.kind.endswith("Gateway"):  # above-left: flows enter left, branches leave top/bottom
            w, h = label_size(sh.name)
            _label(el, sh.box.cx - 8 - w, sh.box.y - 4 - h, w, h)
    for e in edges:
        el = etree.SubElement(plane, f"{_BDI}BPMNEdge", id=f"{e.element_id}_di", bpmnElement=e.element_id)
        for x, y in e.points:
            etree.SubElement(el, f"{_DI}waypoint", x=_num(x), y=_num(y))
        if e.name:  # just above the first horizontal run
            segments = list(zip(e.points, e.points[1:], strict=False))
            (x1, y1), (x2, _y2) = next((sg for sg in segments if sg[0][1] == sg[1][1]), segments[0])
            w, h = label_size(e.name)
            _label(el, min(x1, x2) + 4, y1 - 4 - h, w, h)


def label_size(text: str, size: float = 11, max_width: float = 110) -> tuple[float, float]:
    """Roughly the box a name needs at this font size (CJK characters are square, latin ~0.6)."""
    width = sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.6 for ch in text)
    lines = max(1, math.ceil(width / max_width))
    return round(min(width, max_width) + 4), round(lines * size * 1.3)


def _label(el: etree._Element, x: float, y: float, w: float, h: float) -> None:
    label = etree.SubElement(el, f"{_BDI}BPMNLabel")
    etree.SubElement(label, f"{_DC}Bounds", x=_num(round(x)), y=_num(round(y)), width=_num(w), height=_num(h))


_NSMAP_DI = {"bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}


def _with_di_namespaces(root: etree._Element) -> etree._Element:
    """A copy of `root` that declares the bpmndi/dc/di prefixes on the root element."""
    nsmap = dict(root.nsmap)
    missing = {p: u for p, u in _NSMAP_DI.items() if u not in nsmap.values() and p not in nsmap}
    if not missing:
        return root
    nsmap.update(missing)
    new = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    new.text = root.text
    for child in root:
        new.append(child)
    return new


def auto_layout(xml: bytes) -> bytes:
    """The same BPMN document with a freshly computed diagram (any old one replaced)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    root = _with_di_namespaces(etree.fromstring(xml, parser))
    shapes, edges = compute_layout(root)
    write_di(root, shapes, edges)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def has_di(xml: bytes) -> bool:
    root = parse_xml(xml)
    return root.find(f"{_BDI}BPMNDiagram/{_BDI}BPMNPlane/{_BDI}BPMNShape") is not None


_LAID_OUT: OrderedDict[bytes, bytes] = OrderedDict()
_LAID_OUT_MAX = 64
_laid_out_lock = threading.Lock()


def ensure_layout(xml: bytes) -> bytes:
    """`xml` unchanged when it already has a diagram, else laid out. The layout (graphviz, tens of
    ms) is kept by the document's digest: a deployed version never changes, so its pages lay it out
    once per process; an edited draft is a new document."""
    key = hashlib.sha256(xml).digest()
    with _laid_out_lock:
        hit = _LAID_OUT.get(key)
        if hit is not None:
            _LAID_OUT.move_to_end(key)
            return hit
    out = xml if has_di(xml) else auto_layout(xml)
    with _laid_out_lock:
        _LAID_OUT[key] = out
        while len(_LAID_OUT) > _LAID_OUT_MAX:
            _LAID_OUT.popitem(last=False)
    return out


def read_di(xml: bytes) -> tuple[list[Shape], list[Edge]]:
    """The first diagram's shapes and edges, with the kinds and names of their BPMN elements."""
    root = parse_xml(xml)
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str)
                and el.tag.startswith(_B) and el.get("id")}
    plane = root.find(f"{_BDI}BPMNDiagram/{_BDI}BPMNPlane")
    shapes: list[Shape] = []
    edges: list[Edge] = []
    if plane is None:
        return shapes, edges
    for sh in plane.iter(f"{_BDI}BPMNShape"):
        b = sh.find(f"{_DC}Bounds")
        el = elements.get(sh.get("bpmnElement"))
        if b is None or el is None:
            continue
        box = Box(*(float(b.get(a) or 0) for a in ("x", "y", "width", "height")))
        shapes.append(Shape(el.get("id") or "", _local(el), el.get("name") or "", box))
    for ed in plane.iter(f"{_BDI}BPMNEdge"):
        el = elements.get(ed.get("bpmnElement"))
        pts = tuple((float(w.get("x") or 0), float(w.get("y") or 0)) for w in ed.findall(f"{_DI}waypoint"))
        if el is None or len(pts) < 2:
            continue
        edges.append(Edge(el.get("id") or "", el.get("sourceRef") or "", el.get("targetRef") or "",
                          el.get("name") or "", pts))
    return shapes, edges
