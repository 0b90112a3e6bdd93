"""Processes drawn elsewhere (Camunda Modeler, Flowable / Activiti): what they say, in Liuzhuan's terms.

`translate(xml)` runs before the deploy checks and rewrites, in the executable processes only,
what has a faithful meaning here:

- on a user task, `camunda:`/`flowable:`/`activiti:` `assignee="name"` -> `lz:assignees strategy="users"`,
  `assignee="${var}"` -> `strategy="field" value="var"` (`${initiator}` with `camunda:initiator=
  "initiator"` on the start event -> `strategy="initiator"`), `candidateUsers="a,b"` -> `users`,
  `candidateGroups="g1,g2"` -> `role` (a plain user task is a handle task: the first of them to
  complete it finishes it, as with candidates);
- a multi-instance user task over a collection (`camunda:collection` / `loopDataInputRef`, each
  instance assigned `${element}`) -> one approval node (`lz:approval`) whose approvers are the
  collection (`strategy="field"`), with the rule of its completion condition (bpmn/juel.py):
  parallel without one -> all, sequential -> sequential;
- a multi-instance user task with a literal `loopCardinality` M (`5` or `${5}`) and its M approvers
  named in the file (`candidateUsers="a,b,c"`, `assignee="kermit_${loopCounter}"` = kermit_0 ..
  kermit_{M-1}, or an `lz:assignees strategy="users"` list) -> one
  approval node over them (each named user one of the M instances); since M is known,
  `nrOfCompletedInstances >= n` (also `== n`, `> n-1`) becomes exactly n of M
  (`mode="ratio" threshold="n/M"`, any for n = 1, all for n = M). A cardinality or approvers known
  only at run time, n > M, or a number of names other than M is refused with the reason;
- `${...}` conditions on sequence flows that are plain comparisons of process variables -> the
  same Python comparison (then checked like every expression, bpmn/checks.py);
- engine-administration attributes with no effect on the flow (`historyTimeToLive`, `versionTag`,
  `isStartableInTasklist`, `async*`, job/task priorities, `camunda:properties`) are dropped.

Every change is listed in `Translation.translations` (the deploy response shows them); everything
else in those namespaces (listeners, delegates, form keys, due dates, input/output mappings, ...)
and every `${...}` that cannot be translated is a `Problem` naming the element, rule "foreign":
never silently ignored. A file with nothing to translate comes back byte for byte.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from bpmn import juel
from bpmn.lz import BPMN_NS, LZ_NS, USERNAME, split_list
from bpmn.problem_texts import pm
from core.errors import Problem

RULE = "foreign"
NAMESPACES = {"http://camunda.org/schema/1.0/bpmn": "camunda", "http://flowable.org/bpmn": "flowable",
              "http://activiti.org/bpmn": "activiti"}
_B = f"{{{BPMN_NS}}}"
_L = f"{{{LZ_NS}}}"
# attributes about the Camunda/Flowable engine's own housekeeping: no effect on the flow
DROPPED_ATTRS = frozenset({"historyTimeToLive", "versionTag", "isStartableInTasklist", "asyncBefore", "asyncAfter",
                           "async", "exclusive", "jobPriority", "taskPriority", "priority", "failedJobRetryTimeCycle"})
DROPPED_ELEMENTS = frozenset({"properties", "failedJobRetryTimeCycle"})
PEOPLE_ATTRS = ("assignee", "candidateUsers", "candidateGroups")


@dataclass
class Translation:
    xml: bytes
    translations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _foreign(tag_or_attr: str) -> tuple[str, str] | None:
    """(prefix, local name) of a Camunda/Flowable/Activiti qualified name, else None."""
    if not tag_or_attr.startswith("{"):
        return None
    ns, _, local = tag_or_attr[1:].partition("}")
    return (NAMESPACES[ns], local) if ns in NAMESPACES else None


def _is_executable(proc: etree._Element) -> bool:
    return (proc.get("isExecutable") or "true").strip().lower() not in ("false", "0")


class _Run:
    def __init__(self, root: etree._Element):
        self.root = root
        self.translations: list[dict[str, Any]] = []
        self.problems: list[Problem] = []
        self.changed = False

    def note(self, el: etree._Element, source: str, result: str, action: str = "translated") -> None:
        self.translations.append({"element_id": el.get("id"), "from": source, "to": result, "action": action})
        self.changed = True

    def refuse(self, el: etree._Element, message: str) -> None:
        self.problems.append(Problem(_id_of(el), message, RULE))

    # ------------------------------------------------------------------ the walk

    def process(self, proc: etree._Element) -> None:
        initiator_var = self._initiator_var(proc)
        for task in list(proc.iter(f"{_B}userTask")):
            self.user_task(task, initiator_var)
        for flow in proc.iter(f"{_B}sequenceFlow"):
            self.condition(flow)
        self.rest(proc)

    def _initiator_var(self, proc: etree._Element) -> str | None:
        for start in proc.findall(f"{_B}startEvent"):
            for attr, value in list(start.attrib.items()):
                q = _foreign(attr)
                if q and q[1] == "initiator":
                    del start.attrib[attr]
                    self.note(start, f'{q[0]}:initiator="{value}"', pm("foreign_initiator"), "dropped")
                    return value.strip()
        return None

    def user_task(self, task: etree._Element, initiator_var: str | None) -> None:
        people = {}
        for attr, value in list(task.attrib.items()):
            q = _foreign(attr)
            if q and q[1] in PEOPLE_ATTRS:
                people[q[1]] = (q[0], attr, value.strip())
        mi = task.find(f"{_B}multiInstanceLoopCharacteristics")
        if mi is not None and not people and not _speaks_el(mi):
            mi = None  # a SpiffWorkflow-style multi-instance: the usual checks and the engine judge it
        if not people and mi is None:
            return
        if len(people) > 1:
            self.refuse(task, pm("foreign_people_several"))
            return
        if mi is not None:
            self.multi_instance(task, mi, people)
            return
        ((what, (prefix, attr, value)),) = people.items()
        assignees = self.assignees(task, what, value, initiator_var)
        if assignees is None:
            return
        del task.attrib[attr]
        self.add_ext(task, [("assignees", assignees)])
        self.note(task, f'{prefix}:{what}="{value}"', _lz("assignees", assignees))

    def assignees(self, task: etree._Element, what: str, value: str,
                  initiator_var: str | None) -> dict[str, str] | None:
        var = juel.variable(value)
        if var is not None:
            if what == "assignee" and var == initiator_var:
                return {"strategy": "initiator"}
            if what == "candidateGroups":
                self.refuse(task, pm("foreign_groups_variable", value=value))
                return None
            return {"strategy": "field", "value": var}
        if juel.is_el(value):
            self.refuse(task, pm("foreign_people_el", what=what, value=value))
            return None
        names = list(split_list(value))
        if not names:
            self.refuse(task, pm("foreign_people_empty", what=what))
            return None
        if what == "candidateGroups":
            return {"strategy": "role", "value": ",".join(names)}
        bad = [n for n in names if not USERNAME.fullmatch(n)]
        if bad:
            self.refuse(task, pm("foreign_user_name", what=what, name=bad[0]))
            return None
        return {"strategy": "users", "value": ",".join(names)}

    def multi_instance(self, task: etree._Element, mi: etree._Element, people: dict[str, tuple[str, str, str]]
                       ) -> None:
        collection, element = self._collection(mi)
        card = mi.find(f"{_B}loopCardinality")
        if _ext(task, "approval") is not None:
            self.refuse(task, pm("foreign_mi_approval"))
            return
        if card is not None and collection is None:
            self.counted(task, mi, card, people)
            return
        if card is not None or collection is None:
            self.refuse(task, pm("foreign_mi_shape"))
            return
        person = next(iter(people.values()), None)
        if person is None or person[1].rpartition("}")[2] not in ("assignee", "candidateUsers") \
                or juel.variable(person[2]) != element:
            self.refuse(task, pm("foreign_mi_element", element=element))
            return
        found = self.rule(task, mi, None)
        if found is None:
            return
        rule, how = found
        del task.attrib[person[1]]
        task.remove(mi)
        assignees = {"strategy": "field", "value": collection}
        self.add_ext(task, [("approval", rule), ("assignees", assignees)])
        who = f'{person[0]}:{person[1].rpartition("}")[2]}="{person[2]}"'
        self.note(task, pm("foreign_mi_collection", collection=collection, how=how, who=who),
                  _lz("approval", rule) + _lz("assignees", assignees))

    def counted(self, task: etree._Element, mi: etree._Element, card: etree._Element,
                people: dict[str, tuple[str, str, str]]) -> None:
        """A literal loopCardinality M with M approvers named in the file: one approval node over them,
        each named user one of the M instances; M is known, so `nrOfCompletedInstances >= n` is n of M."""
        raw = (card.text or "").strip()
        m = _cardinality(raw)
        if m is None:
            self.refuse(task, pm("foreign_card_literal", raw=raw))
            return
        named = self.named(task, people, m)
        if named is None:
            return
        names, who = named
        if len(names) != m or len(set(names)) != m:
            self.refuse(task, pm("foreign_card_names", m=m, count=len(set(names)), names=", ".join(names)))
            return
        found = self.rule(task, mi, m)
        if found is None:
            return
        rule, how = found
        if who is not None:
            del task.attrib[who[1]]
        task.remove(mi)
        assignees = {"strategy": "users", "value": ",".join(names)}
        self.add_ext(task, [("approval", rule)] + ([("assignees", assignees)] if who is not None else []))
        source = pm("foreign_mi_counted", m=m, how=how, who=f'{who[0]}:{who[1].rpartition("}")[2]}="{who[2]}"'
                    if who is not None else "lz:assignees")
        self.note(task, source, _lz("approval", rule) + (_lz("assignees", assignees) if who is not None else ""))

    def named(self, task: etree._Element, people: dict[str, tuple[str, str, str]], m: int
              ) -> tuple[list[str], tuple[str, str, str] | None] | None:
        """The approvers written literally on the task: candidateUsers / assignee, or an lz:assignees users list."""
        if people:
            ((what, person),) = people.items()
            value = person[2]
            if what == "assignee" and value.count("${loopCounter}") == 1:  # kermit_${loopCounter}: kermit_0, ...
                value = ",".join(value.replace("${loopCounter}", str(i)) for i in range(m))
            if what == "candidateGroups" or juel.is_el(value):
                self.refuse(task, pm("foreign_card_runtime", m=m, what=what, value=value))
                return None
            names = list(split_list(value))
            bad = [n for n in names if not USERNAME.fullmatch(n)]
            if bad:
                self.refuse(task, pm("foreign_user_name", what=what, name=bad[0]))
                return None
            return names, person
        lz_people = _ext(task, "assignees")
        if lz_people is not None and lz_people.get("strategy") == "users":
            return list(split_list(lz_people.get("value"))), None
        self.refuse(task, pm("foreign_card_unnamed", m=m))
        return None

    def rule(self, task: etree._Element, mi: etree._Element, instances: int | None
             ) -> tuple[dict[str, str], str] | None:
        """The lz:approval rule of the completion condition (and how it reads), or None when refused."""
        sequential = (mi.get("isSequential") or "").strip().lower() in ("true", "1")
        cond_el = mi.find(f"{_B}completionCondition")
        cond = (cond_el.text or "").strip() if cond_el is not None else ""
        rule: dict[str, str] = {"mode": "sequential" if sequential else "all"}
        if cond:
            found, why = juel.completion(cond, instances)
            if found is None:
                self.refuse(task, pm("foreign_completion", why=why))
                return None
            mode, threshold = found
            if sequential and mode != "all":
                self.refuse(task, pm("foreign_completion_sequential", cond=cond))
                return None
            if not sequential and threshold is not None:
                # n of M (from a count) stays an exact fraction; a written share keeps its decimal form
                exact = juel.completions_needed(cond) is not None
                rule = {"mode": mode, "threshold": str(threshold) if exact else str(float(threshold))}
            elif not sequential:
                rule = {"mode": mode}
        how = pm(f"foreign_how_{'sequential' if sequential else 'parallel'}{'_completion' if cond else ''}", cond=cond)
        return rule, how

    def _collection(self, mi: etree._Element) -> tuple[str | None, str | None]:
        collection = element = None
        for attr, value in list(mi.attrib.items()):
            q = _foreign(attr)
            if q and q[1] == "collection":
                collection = juel.variable(value) or (value.strip() if value.strip().isidentifier() else None)
                del mi.attrib[attr]
            elif q and q[1] == "elementVariable":
                element = value.strip()
                del mi.attrib[attr]
        ref = mi.find(f"{_B}loopDataInputRef")
        if collection is None and ref is not None and (ref.text or "").strip().isidentifier():
            collection = (ref.text or "").strip()
        item = mi.find(f"{_B}inputDataItem")
        if element is None and item is not None:
            element = (item.get("name") or item.get("id") or "").strip() or None
        return collection, element

    def condition(self, flow: etree._Element) -> None:
        ce = flow.find(f"{_B}conditionExpression")
        if ce is None or not juel.is_el(ce.text):
            return
        python, why = juel.condition(ce.text or "")
        if python is None:
            self.refuse(flow, pm("foreign_condition", text=(ce.text or "").strip(), why=why))
            return
        source = (ce.text or "").strip()
        ce.text = python
        if ce.get("language"):
            del ce.attrib["language"]
        self.note(flow, source, python)

    def rest(self, proc: etree._Element) -> None:
        """Every other Camunda/Flowable attribute or element: dropped when it is housekeeping, else refused."""
        for el in list(proc.iter()):
            if not isinstance(el.tag, str):
                continue
            q = _foreign(el.tag)
            if q:
                parent = el.getparent()
                if q[1] in DROPPED_ELEMENTS and parent is not None:
                    parent.remove(el)
                    self.note(parent, f"{q[0]}:{q[1]}", pm("foreign_housekeeping"), "dropped")
                elif parent is not None and _foreign(parent.tag) is None:
                    self.refuse(el, pm("foreign_element", name=f"{q[0]}:{q[1]}"))
                continue
            for attr, value in list(el.attrib.items()):
                qa = _foreign(attr)
                if qa is None or _handled(el, qa[1]):
                    continue
                if qa[1] in DROPPED_ATTRS:
                    del el.attrib[attr]
                    self.note(el, f'{qa[0]}:{qa[1]}="{value}"', pm("foreign_housekeeping"), "dropped")
                else:
                    self.refuse(el, pm("foreign_attribute", name=f"{qa[0]}:{qa[1]}", value=value))

    def add_ext(self, task: etree._Element, items: list[tuple[str, dict[str, str]]]) -> None:
        ext = task.find(f"{_B}extensionElements")
        if ext is None:
            ext = etree.Element(f"{_B}extensionElements")
            docs = task.findall(f"{_B}documentation")
            task.insert(len(docs), ext)
        for name, attrs in items:
            etree.SubElement(ext, f"{_L}{name}", attrs)


def _speaks_el(mi: etree._Element) -> bool:
    """A multi-instance marker written for Camunda/Flowable (their attributes or ${...} text)."""
    return any(_foreign(a) for a in mi.attrib) or any(juel.is_el(c.text) for c in mi if isinstance(c.tag, str))


def _handled(el: etree._Element, local: str) -> bool:
    """Attributes user_task already translated or refused (refusing them again would say it twice)."""
    if el.tag == f"{_B}userTask":
        return local in PEOPLE_ATTRS
    return el.tag == f"{_B}multiInstanceLoopCharacteristics" and local in ("collection", "elementVariable")


def _ext(task: etree._Element, name: str) -> etree._Element | None:
    """The task's own lz:<name> extension element, if the file already has one."""
    ext = task.find(f"{_B}extensionElements")
    return ext.find(f"{_L}{name}") if ext is not None else None


def _cardinality(text: str) -> int | None:
    """M of a literal loopCardinality (`5` or `${5}`), else None."""
    body = juel.unwrap(text) if juel.is_el(text) else text.strip()
    return int(body) if body is not None and re.fullmatch(r"[0-9]{1,4}", body) and 0 < int(body) <= 1000 else None


def _lz(name: str, attrs: dict[str, str]) -> str:
    return f"<lz:{name} " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + "/>"


def _id_of(el: etree._Element) -> str | None:
    cur: etree._Element | None = el
    while cur is not None:
        if isinstance(cur.tag, str) and cur.get("id") and _foreign(cur.tag) is None:
            return cur.get("id")
        cur = cur.getparent()
    return None


def translate(xml: bytes) -> Translation:
    """`xml` with what has a Liuzhuan meaning translated (see the module text); unparsable or untouched
    files come back unchanged (the XML check reports the former)."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return Translation(xml)
    if not any(ns in NAMESPACES for el in root.iter() if isinstance(el.tag, str)
               for ns in (el.nsmap or {}).values()) and b"{" not in xml:
        return Translation(xml)
    run = _Run(root)
    for proc in root.findall(f"{_B}process"):
        if _is_executable(proc):
            run.process(proc)
    if not run.changed:
        return Translation(xml, [], run.problems)
    etree.cleanup_namespaces(root, top_nsmap={"lz": LZ_NS})
    out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Translation(out, run.translations, run.problems)
