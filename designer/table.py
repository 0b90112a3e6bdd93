"""The table view of a process (数据表视图): BPMN <-> a list of approval steps.

`to_table(xml)` reads a diagram that is a chain of approval steps

    start -> step -> step -> ... -> end

where a step may be *conditional* (entered only when a condition holds, skipped otherwise:
`gateway --condition--> step -> join`, default flow `gateway -> join`), into

    {"process": {key, name, name_en, category, prefix, mode, start_form},
     "steps": [{id, name, mode, threshold, skip_initiator, skip_repeated, assignee_strategy, weights,
                assignee_value, deadline_duration, deadline_action, form, editable, hidden, cc,
                condition}, ...],
     "editable": True, "why_not": None}

Every value is a string (booleans for the two skip flags) so the table maps 1:1 onto form
inputs. `mode` is an lz:approval mode or "handle" (a userTask without lz:approval: 办理).
`cc` is "strategy:value; strategy:value". It also understands the hand-drawn shape of the
shipped files, where each approval is followed by a gateway on its outcome
(`step["outcome"] == "approved" [and condition]` to go on, the default flow to a rejection end).
A diagram that is not such a chain (parallel gateways, sub-processes, service tasks, timers,
loops, ...) gives `editable: False` and `why_not` naming the element, plus `overview`: its main
path as read-only rows (user, service and script tasks, parallel groups) with the other branches
explained in words (designer/main_path.py). The chain walk itself is designer/chain.py.

`from_table(table)` (the way back, BPMN 2.0 with a diagram) and `check_table(table)` live in
bpmn/steps.py, where the engine uses the same generator for free flows (自定流程: the initiator's
step list has exactly the shape of `table["steps"]`); they are re-exported here.
`to_table(from_table(t)) == t` for every valid table.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from bpmn import lz
from bpmn.checks import is_executable
from bpmn.steps import (  # noqa: F401  (the generator moved to bpmn/steps.py; re-exported for the designer)
    NCNAME,
    PROCESS_FIELDS,
    RESERVED_IDS,
    STEP_FIELDS,
    STEP_MODES,
    XSI_NS,
    TableProblem,
    check_table,
    empty_step,
    from_table,
    new_table,
    parse_cc,
    step_of_element,
)
from designer import chain
from designer.main_path import main_path

_B = f"{{{lz.BPMN_NS}}}"


# ----------------------------------------------------------------------------- BPMN -> table


def to_table(xml: bytes) -> dict[str, Any]:
    """The table of a BPMN file; `editable` False (and `why_not`) when it is not a chain of steps."""
    try:
        root = lz.parse_xml(xml)
    except etree.XMLSyntaxError as e:
        return {"process": {f: "" for f in PROCESS_FIELDS}, "steps": [], "editable": False,
                "why_not": f"the file is not well-formed XML: {e}"}
    procs = [p for p in root.findall(f"{_B}process") if is_executable(p)]
    configs, _problems = lz.read_definitions(root)
    if len(procs) != 1:
        return {"process": {f: "" for f in PROCESS_FIELDS}, "steps": [], "editable": False,
                "why_not": f"the file has {len(procs)} executable processes; the table view shows one"}
    proc = procs[0]
    cfg = configs[proc.get("id") or ""]
    process = {"key": cfg.process_id, "name": proc.get("name") or "", "name_en": cfg.name_en,
               "category": cfg.category, "prefix": cfg.prefix, "mode": cfg.mode,
               "start_form": cfg.start_form_key or ""}
    try:
        steps = chain.steps_of(root, proc, cfg)
    except chain.NotAChain as e:
        # not editable as a chain: its main path as read-only rows, the rest explained (main_path.py)
        return {"process": process, "steps": [], "editable": False, "why_not": str(e),
                "overview": main_path(proc, cfg)}
    return {"process": process, "steps": steps, "editable": True, "why_not": None}
