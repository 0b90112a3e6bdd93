"""Builds small BPMN files for tests: a chain of nodes, optional routing on the last outcome."""
from __future__ import annotations

from xml.sax.saxutils import quoteattr

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:lz="urn:liuzhuan:bpmn:1" '
        'id="defs" targetNamespace="urn:test">\n')


def user_task(node_id: str, mode: str | None, strategy: str, value: str = "", extra: str = "",
              approval_attrs: str = "") -> str:
    approval = f'<lz:approval mode="{mode}" {approval_attrs}/>' if mode else ""
    return (f'<bpmn:userTask id="{node_id}" name="{node_id}"><bpmn:extensionElements>{approval}'
            f'<lz:assignees strategy="{strategy}" value={quoteattr(value)}/>{extra}'
            f'</bpmn:extensionElements></bpmn:userTask>')


def chain(process_id: str, nodes: list[str], prefix: str = "T", mode: str = "fixed", route_last: bool = False) -> bytes:
    """start -> nodes... -> end. With route_last, an exclusive gateway after the last node sends
    `approved` to `end` and anything else to `end_rejected`."""
    ids = [n.split('id="', 1)[1].split('"', 1)[0] for n in nodes]
    flows = []
    seq = ["start", *ids]
    for a, b in zip(seq, seq[1:], strict=False):
        flows.append((a, b, None))
    body = [f'<bpmn:process id="{process_id}" name="{process_id}" isExecutable="true">',
            f'<bpmn:extensionElements><lz:process mode="{mode}" prefix="{prefix}"/></bpmn:extensionElements>',
            '<bpmn:startEvent id="start"/>', *nodes, '<bpmn:endEvent id="end"/>']
    if route_last:
        body += ['<bpmn:exclusiveGateway id="gw" default="f_rej"/>', '<bpmn:endEvent id="end_rejected"/>']
        flows.append((ids[-1], "gw", None))
        flows.append(("gw", "end", f'{ids[-1]}["outcome"] == "approved"'))
    else:
        flows.append((ids[-1], "end", None))
    for i, (a, b, cond) in enumerate(flows):
        fid = f"f{i}"
        c = f"<bpmn:conditionExpression>{cond.replace('&', '&amp;').replace('<', '&lt;')}</bpmn:conditionExpression>" if cond else ""
        body.append(f'<bpmn:sequenceFlow id="{fid}" sourceRef="{a}" targetRef="{b}">{c}</bpmn:sequenceFlow>')
    if route_last:
        body.append('<bpmn:sequenceFlow id="f_rej" sourceRef="gw" targetRef="end_rejected"/>')
    body.append("</bpmn:process>")
    return (HEAD + "\n".join(body) + "\n</bpmn:definitions>\n").encode()


def wide(n: int, extra: str = "") -> bytes:
    """Process `wide`: start, n plain tasks in a row, end (n + 2 flow nodes); `extra` goes inside the process."""
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(n))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{"s" if i == 0 else f"t{i - 1}"}" targetRef="t{i}"/>'
                    for i in range(n))
    return (f'{HEAD}<bpmn:process id="wide" isExecutable="true"><bpmn:startEvent id="s"/>{tasks}'
            f'<bpmn:endEvent id="e"/>{flows}<bpmn:sequenceFlow id="fe" sourceRef="t{n - 1}" targetRef="e"/>{extra}'
            '</bpmn:process></bpmn:definitions>').encode()
