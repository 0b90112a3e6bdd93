"""Free flows (自定流程, DESIGN.md §2 `lz:process mode="free"`) and the initiator's saved lists.

Starting a free process, the initiator lays out the approval steps:

    [{"name": "部门审核", "mode": "any", "users": ["sales_lead"]},
     {"name": "财务会签", "mode": "all", "role": "finance"},
     {"name": "比例表决", "mode": "ratio", "threshold": "0.6", "users": ["v01", "v02", "v03"]}]

(`mode`: any | all | majority | ratio (with `threshold`) | sequential | handle; approvers are
`users` or one `role`). `instance_definition` turns them into the table-view step list, generates
the BPMN with bpmn/steps.py (the designer's generator), checks it like any deploy, and stores it
as a one-instance definition (`free_of` = the free process's key; never in the catalogue); the
instance runs on it and its page shows that diagram. The free process's own start form, category,
prefix and names carry over.

Saved lists (`saved_flow_list`), a user's own, per process: kind "steps" (a free flow's steps,
个人模板) and kind "approvers" (a predefined flow's chosen approvers, 常用审批人).
"""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.lz import parse_threshold
from bpmn.steps import check_table, empty_step, from_table
from core.errors import Msg, NotFound, ValidationFailed
from crm import org
from crm.models import Role
from db.base import iso
from db.session import Database
from engine import runtime
from engine.design import definitions
from engine.models import ProcessDefinition, SavedFlowList

STEP_MODES = ("any", "all", "majority", "ratio", "sequential", "handle")
MAX_STEPS = 20
MAX_PEOPLE = 50
MAX_NAME = 100
MAX_LISTS = 50  # per user and process and kind
KINDS = ("steps", "approvers")


# ---------------------------------------------------------------- the steps


def check_steps(s: Session, raw: Any) -> list[dict[str, Any]]:
    """The initiator's steps as table-view steps (bpmn/steps.py); ValidationFailed naming each bad
    field as `steps.<i>.<field>`."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("lay out at least one approval step",
                               {"steps": Msg("free_steps_required", "add at least one approval step")})
    if len(raw) > MAX_STEPS:
        raise ValidationFailed("too many steps", {"steps": Msg("free_steps_max", f"at most {MAX_STEPS} steps",
                                                                max=MAX_STEPS)})
    fields: dict[str, str] = {}
    out = []
    for i, step in enumerate(raw):
        if not isinstance(step, dict):
            fields[f"steps.{i}"] = Msg("free_step_approvers", "must be an object {name, mode, users | role}")
            continue
        out.append(_step(s, i, step, fields))
    if fields:
        raise ValidationFailed("correct the marked steps", fields)
    return out


def _step(s: Session, i: int, step: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    at = f"steps.{i}"
    name = step.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        fields[f"{at}.name"] = Msg("free_step_name", f"name the step (1 to {MAX_NAME} characters)", max=MAX_NAME)
    mode = step.get("mode") or "any"
    if mode not in STEP_MODES:
        fields[f"{at}.mode"] = Msg("free_step_mode", f"one of {', '.join(STEP_MODES)}")
    threshold = str(step.get("threshold") or "").strip()
    if mode == "ratio" and parse_threshold(threshold or None) is None:
        fields[f"{at}.threshold"] = Msg("free_step_threshold",
                                        "the ratio mode needs a threshold between 0 and 1, e.g. 0.6")
    users, role = step.get("users"), step.get("role")
    strategy, value = "", ""
    if bool(users) == bool(role):
        fields[f"{at}.users"] = Msg("free_step_approvers", "choose the approvers: users, or one role")
    elif users:
        strategy, value = "users", _users(s, users, f"{at}.users", fields)
    else:
        strategy, value = "role", _role(s, role, f"{at}.role", fields)
    extra = set(step) - {"name", "mode", "threshold", "users", "role"}
    if extra:
        fields[f"{at}.{sorted(extra)[0]}"] = Msg("unknown_field", "unknown field")
    return {**empty_step(i + 1), "name": name.strip() if isinstance(name, str) else "", "mode": mode,
            "threshold": threshold if mode == "ratio" else "", "assignee_strategy": strategy, "assignee_value": value}


def _users(s: Session, users: Any, at: str, fields: dict[str, str]) -> str:
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users) or len(users) > MAX_PEOPLE:
        fields[at] = Msg("free_step_people", f"a list of up to {MAX_PEOPLE} user names", max=MAX_PEOPLE)
        return ""
    names = list(dict.fromkeys(u.strip() for u in users if u.strip()))
    found = org.users_by_usernames(s, names)
    missing = [n for n in names if n not in found or not found[n].active]
    if missing or not names:
        fields[at] = (Msg("free_step_users", f"unknown or inactive user(s): {', '.join(missing)}",
                          user=", ".join(missing)) if missing
                      else Msg("free_step_approvers", "choose the approvers: users, or one role"))
    return ",".join(names)


def _role(s: Session, role: Any, at: str, fields: dict[str, str]) -> str:
    if not isinstance(role, str) or s.scalar(select(Role.id).where(Role.key == role)) is None:
        fields[at] = Msg("free_no_role", f"no role '{role}'", key=str(role))
        return ""
    return role


def plain(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table steps back in the shape the initiator writes (what a saved list keeps)."""
    out = []
    for st in steps:
        item: dict[str, Any] = {"name": st["name"], "mode": st["mode"]}
        if st["mode"] == "ratio":
            item["threshold"] = st["threshold"]
        if st["assignee_strategy"] == "role":
            item["role"] = st["assignee_value"]
        else:
            item["users"] = [u for u in st["assignee_value"].split(",") if u]
        out.append(item)
    return out


def instance_definition(s: Session, template: ProcessDefinition, raw_steps: Any) -> ProcessDefinition:
    """The one-instance definition of a free flow started from `template` with the initiator's steps."""
    steps = check_steps(s, raw_steps)
    cfg = runtime.configs_of(template).get(template.key)
    key = f"{template.key[:170]}__free_{secrets.token_hex(6)}"  # process_definition.key holds 200
    table = {"process": {"key": key, "name": template.name, "name_en": template.name_en,
                         "category": template.category, "prefix": template.prefix, "mode": "free",
                         "start_form": (cfg.start_form_key if cfg else None) or ""},
             "steps": steps}
    problems = check_table(table)
    if problems:
        raise ValidationFailed("the steps cannot make a process",
                               {f"steps.{p.step}.{p.field}" if p.step is not None else "steps": p.message
                                for p in problems})
    compiled = definitions.compile_definition(from_table(table), dict(template.forms or {}))
    d = definitions.definition_row(compiled, 1, None, free_of=template.key)
    s.add(d)
    s.flush()
    return d


def suggested_steps(template: ProcessDefinition) -> list[dict[str, Any]]:
    """The steps a free process's own diagram draws with fixed people or roles: the start page's first
    proposal (the initiator changes them freely)."""
    cfg = runtime.configs_of(template).get(template.key)
    out = []
    for n in (cfg.nodes.values() if cfg else []):
        if not n.is_human or n.assignees is None or n.assignees.strategy not in ("users", "role"):
            continue
        mode = n.approval.mode if n.approval else "handle"
        if mode not in STEP_MODES:
            continue
        item: dict[str, Any] = {"name": n.name, "mode": mode}
        if mode == "ratio" and n.approval and n.approval.threshold is not None:
            item["threshold"] = str(float(n.approval.threshold))
        if n.assignees.strategy == "role":
            item["role"] = n.assignees.value
        else:
            item["users"] = [u.strip() for u in n.assignees.value.split(",") if u.strip()]
        out.append(item)
    return out


# ---------------------------------------------------------------- predefined flows: chosen approvers


def check_chosen(s: Session, d: ProcessDefinition, chosen: Any) -> dict[str, list[str]]:
    """The approvers picked at start for the `chosen` nodes of a predefined flow, checked."""
    cfg = runtime.configs_of(d).get(d.key)
    nodes = [n for n in cfg.nodes.values() if n.assignees and n.assignees.strategy == "chosen"] if cfg else []
    if not nodes:
        if chosen:
            raise ValidationFailed("this process has no nodes whose approvers are chosen at start",
                                   {"chosen": "not used by this process"})
        return {}
    if not isinstance(chosen, dict):
        raise ValidationFailed("choose the approvers of every 'chosen' node", {"chosen": "must be an object"})
    fields: dict[str, str] = {}
    out: dict[str, list[str]] = {}
    for n in nodes:
        names = chosen.get(n.node_id)
        if not isinstance(names, list) or not names or not all(isinstance(x, str) for x in names):
            fields[f"chosen.{n.node_id}"] = f"choose at least one approver for '{n.name}'"
            continue
        found = org.users_by_usernames(s, names)
        missing = [x for x in names if x not in found or not found[x].active]
        if missing:
            fields[f"chosen.{n.node_id}"] = f"unknown or inactive user(s): {', '.join(missing)}"
        out[n.node_id] = names
    for k in set(chosen) - {n.node_id for n in nodes}:
        fields[f"chosen.{k}"] = "not a node whose approvers are chosen at start"
    if fields:
        raise ValidationFailed("invalid approver choice", fields)
    return out


# ---------------------------------------------------------------- saved lists


def _list_dict(row: SavedFlowList) -> dict[str, Any]:
    return {"id": row.id, "process": row.process_key, "kind": row.kind, "name": row.name,
            "items": row.payload, "created_at": iso(row.created_at)}


def list_saved(db: Database, actor_id: int, process: Any, kind: Any = None) -> list[dict[str, Any]]:
    """The caller's own saved lists for `process` (of `kind`, or both), by name."""
    if kind is not None and kind not in KINDS:
        raise ValidationFailed("unknown kind", {"kind": f"one of {', '.join(KINDS)}"})
    with db.uow() as s:
        stmt = select(SavedFlowList).where(SavedFlowList.user_id == actor_id,
                                           SavedFlowList.process_key == str(process or ""))
        if kind is not None:
            stmt = stmt.where(SavedFlowList.kind == kind)
        return [_list_dict(r) for r in s.scalars(stmt.order_by(SavedFlowList.kind, SavedFlowList.name))]


def save_list(db: Database, actor_id: int, process: Any, kind: Any, name: Any, items: Any) -> dict[str, Any]:
    """Save (or replace, by name) the caller's list: kind "steps" for a free process (items: the steps),
    kind "approvers" for a process with chosen nodes (items: {node id: [user names]})."""
    if kind not in KINDS:
        raise ValidationFailed("unknown kind", {"kind": f"one of {', '.join(KINDS)}"})
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise ValidationFailed("name the list", {"name": Msg("free_list_name", f"1 to {MAX_NAME} characters",
                                                             max=MAX_NAME)})
    name = name.strip()
    with db.uow(write=True) as s:
        d = definitions.require_latest(s, process)
        payload = _checked_items(s, d, kind, items)
        row = s.scalars(select(SavedFlowList).where(
            SavedFlowList.user_id == actor_id, SavedFlowList.process_key == d.key,
            SavedFlowList.kind == kind, SavedFlowList.name == name)).first()
        if row is None:
            count = len(list(s.scalars(select(SavedFlowList.id).where(
                SavedFlowList.user_id == actor_id, SavedFlowList.process_key == d.key, SavedFlowList.kind == kind))))
            if count >= MAX_LISTS:
                raise ValidationFailed("too many saved lists", {"name": Msg(
                    "free_lists_max", f"at most {MAX_LISTS}; delete one first", max=MAX_LISTS)})
            row = SavedFlowList(user_id=actor_id, process_key=d.key, kind=kind, name=name, payload=payload)
            s.add(row)
        else:
            row.payload = payload
        s.flush()
        return _list_dict(row)


def _checked_items(s: Session, d: ProcessDefinition, kind: str, items: Any) -> Any:
    if kind == "steps":
        if d.mode != "free":
            raise ValidationFailed("only a free flow has steps to save", {"kind": "this process is not a free flow"})
        try:
            return plain(check_steps(s, items))
        except ValidationFailed as e:
            raise ValidationFailed("correct the marked steps",
                                   {k.replace("steps", "items", 1): v for k, v in e.fields.items()}) from None
    try:
        picked = check_chosen(s, d, items)
    except ValidationFailed as e:
        raise ValidationFailed("correct the chosen approvers",
                               {k.replace("chosen", "items", 1): v for k, v in e.fields.items()}) from None
    if not picked:
        raise ValidationFailed("this process has no approvers chosen at start", {"items": "nothing to save"})
    return picked


def delete_list(db: Database, actor_id: int, list_id: int) -> None:
    """Delete one of the caller's own lists (someone else's is not found)."""
    with db.uow(write=True) as s:
        row = s.get(SavedFlowList, list_id)
        if row is None or row.user_id != actor_id:
            raise NotFound(f"no saved list {list_id}")
        s.delete(row)


def role_options(db: Database) -> list[dict[str, str]]:
    """The roles a free-flow step can name, as select options."""
    with db.uow() as s:
        return [{"value": r.key, "label": r.name} for r in org.list_roles(s)]
