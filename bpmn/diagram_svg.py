"""A BPMN diagram as a standalone SVG image, drawn on the server from its DI (laid out first when
the file has none): rounded boxes for tasks, circles for events, diamonds for gateways, flows
with arrow heads, names wrapped inside boxes or under events/gateways. Chinese names render
with "Noto Sans CJK SC" (fonts-noto-cjk), falling back to other CJK fonts.

`render_svg(xml, highlight=())` -> str. Elements in `highlight` (ids) are drawn in the accent
colour (the versions diff uses it for added/changed nodes).
"""
from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape

from bpmn.layout import Box, Edge, Shape, ensure_layout, read_di

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', sans-serif"
INK = "#22313f"
ACCENT = "#c2410c"
FILL = {"task": "#ffffff", "event": "#ffffff", "gateway": "#fffdf5"}


def _width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.58 for ch in text)


def wrap(text: str, max_width: float, size: float, max_lines: int = 3) -> list[str]:
    """Lines of at most `max_width` px (CJK characters break anywhere, latin words at spaces)."""
    lines: list[str] = []
    cur = ""
    for token in _tokens(text):
        if cur and _width(cur + token, size) > max_width:
            lines.append(cur.rstrip())
            cur = token.lstrip()
        else:
            cur += token
    if cur.strip():
        lines.append(cur.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        elif ch == " ":
            out.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def _text(lines: list[str], x: float, y: float, size: float, color: str, anchor: str = "middle",
          halo: bool = False) -> str:
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.25:.1f}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    extra = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' if halo else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{color}" text-anchor="{anchor}" '
            f'font-family="{FONT}"{extra}>{spans}</text>')


def _shape(sh: Shape, hi: bool) -> str:
    b, k = sh.box, sh.kind
    stroke = ACCENT if hi else INK
    out = []
    if k.endswith("Event"):
        r = b.w / 2
        width = 3.5 if k == "endEvent" else 1.6
        out.append(f'<circle cx="{b.cx:.1f}" cy="{b.cy:.1f}" r="{r:.1f}" fill="{FILL["event"]}" '
                   f'stroke="{stroke}" stroke-width="{width}"/>')
        if k in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
            out.append(f'<circle cx="{b.cx:.1f}" cy="{b.cy:.1f}" r="{r - 3:.1f}" fill="none" stroke="{stroke}"/>')
        if sh.name:
            out.append(_text(wrap(sh.name, 110, 11, 2), b.cx, b.bottom + 14, 11, INK))
    elif k.endswith("Gateway"):
        pts = f"{b.cx:.1f},{b.y:.1f} {b.right:.1f},{b.cy:.1f} {b.cx:.1f},{b.bottom:.1f} {b.x:.1f},{b.cy:.1f}"
        out.append(f'<polygon points="{pts}" fill="{FILL["gateway"]}" stroke="{stroke}" stroke-width="1.6"/>')
        d = 9
        if k == "parallelGateway":
            out.append(f'<path d="M{b.cx:.1f},{b.cy - d - 3:.1f}v{2 * d + 6}M{b.cx - d - 3:.1f},{b.cy:.1f}'
                       f'h{2 * d + 6}" stroke="{stroke}" stroke-width="3.5"/>')
        elif k == "inclusiveGateway":
            out.append(f'<circle cx="{b.cx:.1f}" cy="{b.cy:.1f}" r="{d + 1}" fill="none" stroke="{stroke}" '
                       'stroke-width="2.5"/>')
        elif k == "exclusiveGateway":
            out.append(f'<path d="M{b.cx - d + 2:.1f},{b.cy - d + 2:.1f}l{2 * d - 4},{2 * d - 4}'
                       f'M{b.cx + d - 2:.1f},{b.cy - d + 2:.1f}l{-(2 * d - 4)},{2 * d - 4}" stroke="{stroke}" '
                       'stroke-width="3.5"/>')
        if sh.name:  # above-left of the diamond: branches leave from its top/bottom corners, flows enter left
            lines = wrap(sh.name, 110, 11, 2)
            out.append(_text(lines, b.cx - 8, b.y - 4 - (len(lines) - 1) * 11 * 1.25, 11, INK, "end", halo=True))
    else:
        dash = ""
        out.append(f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="10" '
                   f'fill="{"#fff7ed" if hi else FILL["task"]}" stroke="{stroke}" stroke-width="{2.4 if hi else 1.6}"'
                   f'{dash}/>')
        icon = {"userTask": "\u263a", "serviceTask": "\u2699", "scriptTask": "\u2261", "manualTask": "\u270b"}.get(k)
        if icon:
            out.append(f'<text x="{b.x + 7:.1f}" y="{b.y + 16:.1f}" font-size="13" fill="{stroke}" '
                       f'font-family="{FONT}">{icon}</text>')
        lines = wrap(sh.name, b.w - 12, 12, 3)
        top = b.cy - (len(lines) - 1) * 12 * 1.25 / 2 + 4
        out.append(_text(lines, b.cx, top, 12, INK))
    return "".join(out)


def _edge(e: Edge, hi: bool) -> str:
    d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in e.points)
    color = ACCENT if hi else INK
    arrow = "arrow-hi" if hi else "arrow"
    return f'<path d="{d}" fill="none" stroke="{color}" stroke-width="1.4" marker-end="url(#{arrow})"/>'


def _edge_label(e: Edge) -> str:
    """The flow's name just above its first horizontal segment (or beside its first segment)."""
    if not e.name:
        return ""
    segments = list(zip(e.points, e.points[1:], strict=False))
    (x1, y1), (x2, y2) = next((s for s in segments if s[0][1] == s[1][1]), segments[0])
    if y1 == y2:
        return _text(wrap(e.name, 130, 10, 2), min(x1, x2) + 4, y1 - 5, 10, "#52606d", "start", halo=True)
    return _text(wrap(e.name, 130, 10, 2), x1 + 5, (y1 + y2) / 2, 10, "#52606d", "start", halo=True)


def render_svg(xml: bytes, highlight: frozenset[str] | set[str] | tuple[str, ...] = ()) -> str:
    shapes, edges = read_di(ensure_layout(xml))
    hi = set(highlight)
    boxes = [s.box for s in shapes] or [Box(0, 0, 100, 80)]
    xs = [b.x for b in boxes] + [x for e in edges for x, _ in e.points]
    ys = [b.y for b in boxes] + [y for e in edges for _, y in e.points]
    xe = [b.right for b in boxes] + [x for e in edges for x, _ in e.points]
    ye = [b.bottom + 30 for b in boxes] + [y for e in edges for _, y in e.points]
    x0, y0, x1, y1 = min(xs) - 20, min(ys) - 20, max(xe) + 20, max(ye) + 10
    w, h = x1 - x0, y1 - y0
    marker = ('<marker id="arrow{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
              'orient="auto-start-reverse"><path d="M0,1 L9,5 L0,9 z" fill="{c}"/></marker>')
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}" '
             f'width="{w:.0f}" height="{h:.0f}" role="img" font-family="{FONT}">',
             "<defs>", marker.replace("{id}", "").replace("{c}", INK),
             marker.replace("{id}", "-hi").replace("{c}", ACCENT), "</defs>",
             f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{w:.0f}" height="{h:.0f}" fill="#ffffff"/>']
    parts += [_edge(e, e.element_id in hi) for e in edges]
    parts += [_shape(s, s.element_id in hi) for s in shapes if s.kind != "boundaryEvent"]
    parts += [_shape(s, s.element_id in hi) for s in shapes if s.kind == "boundaryEvent"]
    parts += [_edge_label(e) for e in edges]
    parts.append("</svg>")
    return "\n".join(parts)
