"""Edges of an automatic layout: the box of a shape and the orthogonal route of a flow between
two boxes (following graphviz's lane for long edges, under the drawing for loops back, around
other shapes when the preferred route would run through one). bpmn/layout.py places the shapes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        return not (self.right <= other.x or other.right <= self.x or self.bottom <= other.y
                    or other.bottom <= self.y)

    def on_border(self, px: float, py: float, tol: float = 0.51) -> bool:
        inside = self.x - tol <= px <= self.right + tol and self.y - tol <= py <= self.bottom + tol
        near = min(abs(px - self.x), abs(px - self.right), abs(py - self.y), abs(py - self.bottom)) <= tol
        return inside and near


def route(s: Box, t: Box, s_gw: bool, t_gw: bool, lane: list[tuple[float, float]],
           below: float) -> list[tuple[float, float]]:
    if t.cx <= s.cx:  # a loop back: under the whole drawing
        return [(s.cx, s.bottom), (s.cx, below), (t.cx, below), (t.cx, t.bottom)]
    if not lane:
        if abs(s.cy - t.cy) < 1:
            return [(s.right, s.cy), (t.x, t.cy)]
        if s_gw:
            return [(s.cx, s.y if t.cy < s.cy else s.bottom), (s.cx, t.cy), (t.x, t.cy)]
        if t_gw:
            return [(s.right, s.cy), (t.cx, s.cy), (t.cx, t.y if s.cy < t.cy else t.bottom)]
        mx = (s.right + t.x) / 2
        return [(s.right, s.cy), (mx, s.cy), (mx, t.cy), (t.x, t.cy)]
    # A long edge follows graphviz's chain of virtual nodes (which keeps clear of the shapes),
    # as horizontal runs joined by vertical steps half-way between ranks.
    lane = sorted(lane)
    if abs(lane[0][1] - s.cy) < s.h / 2:
        lane[0] = (lane[0][0], s.cy)
    if abs(lane[-1][1] - t.cy) < t.h / 2:
        lane[-1] = (lane[-1][0], t.cy)
    first, last = lane[0][1], lane[-1][1]
    pts: list[tuple[float, float]]
    if abs(first - s.cy) < 1:
        pts = [(s.right, s.cy)]
    elif s_gw:
        pts = [(s.cx, s.y if first < s.cy else s.bottom), (s.cx, first)]
    else:
        pts = [(s.right, s.cy), (s.right + 20, s.cy), (s.right + 20, first)]
    for (x0, y0), (x1, y1) in zip(lane, lane[1:], strict=False):
        if abs(y1 - y0) >= 1:
            mx = (x0 + x1) / 2
            pts += [(mx, y0), (mx, y1)]
    if abs(last - t.cy) < 1:
        pts.append((t.x, t.cy))
    elif t_gw:
        pts += [(t.cx, last), (t.cx, t.y if last < t.cy else t.bottom)]
    else:
        pts += [(t.x - 20, last), (t.x - 20, t.cy), (t.x, t.cy)]
    return pts


def crosses(pts: list[tuple[float, float]], boxes: list[Box]) -> bool:
    """Whether an orthogonal polyline runs through the inside of any of the boxes."""
    for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
        for b in boxes:
            bx0, by0, bx1, by1 = b.x + 2, b.y + 2, b.right - 2, b.bottom - 2
            if y1 == y2 and by0 < y1 < by1 and max(min(x1, x2), bx0) < min(max(x1, x2), bx1):
                return True
            if x1 == x2 and bx0 < x1 < bx1 and max(min(y1, y2), by0) < min(max(y1, y2), by1):
                return True
            if x1 != x2 and y1 != y2 and max(min(x1, x2), bx0) < min(max(x1, x2), bx1) \
                    and max(min(y1, y2), by0) < min(max(y1, y2), by1):
                return True
    return False


def clear_route(s: Box, t: Box, s_gw: bool, t_gw: bool, lane: list[tuple[float, float]], below: float,
                 others: list[Box]) -> list[tuple[float, float]]:
    """The preferred route, or the first alternative that runs through no other shape."""
    first = route(s, t, s_gw, t_gw, lane, below)
    if t.cx <= s.cx or not crosses(first, others):
        return first
    candidates = [route(s, t, s_gw, t_gw, [], below)]
    if t_gw:
        candidates.append([(s.right, s.cy), (t.cx, s.cy), (t.cx, t.y if s.cy < t.cy else t.bottom)])
    for mx in (s.right + 20, t.x - 20, (s.right + t.x) / 2):
        candidates.append([(s.right, s.cy), (mx, s.cy), (mx, t.cy), (t.x, t.cy)])
    for c in candidates:
        if not crosses(c, others):
            return c
    return first


def tidy(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Rounded points without repeats or middle points of straight runs."""
    out: list[tuple[float, float]] = []
    for x, y in pts:
        p = (round(x, 1), round(y, 1))
        if out and out[-1] == p:
            continue
        if len(out) >= 2 and ((out[-2][0] == out[-1][0] == p[0]) or (out[-2][1] == out[-1][1] == p[1])):
            out[-1] = p
            continue
        out.append(p)
    if len(out) == 1:
        out.append(out[0])
    return out
