"""Reports (报表, issue 14): aggregates computed by the database over process_instance,
node_activation and human_task (and audit_event for urges) — never by loading instances.

Each report is `report(db, actor_id, name, filters)` → `{"name", "rows", ...}`; who may see what and
the filters are in engine/reports_scope.py; the portable SQL (durations, weeks, median / p90 by a
window) in engine/reports_sql.py. Durations are in seconds: a request from start to end, a step
from entering to its decision, a person's task from arrival to their decision.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from crm.models import User
from db.base import utcnow
from db.session import Database
from engine.lifecycle import ACTED, TaskStatus
from engine.models import AuditEvent, HumanTask, NodeActivation, ProcessDefinition, ProcessInstance
from engine.reports_scope import Filters, departments_for, parse_filters, require_scope, scope_of
from engine.reports_sql import group_percentiles, overdue, seconds, week_of

PI, NA, HT = ProcessInstance, NodeActivation, HumanTask
Rows = list[dict[str, Any]]


def _where(f: Filters, created: Any = PI.created_at) -> list[Any]:
    """The conditions on a request (joined as PI): started by the people in scope, in the range."""
    conds: list[Any] = []
    if f.users is not None:
        conds.append(PI.initiator_id.in_(f.users))
    if f.process:
        conds.append(PI.process_key == f.process)
    if f.start:
        conds.append(created >= f.start)
    if f.end:
        conds.append(created < f.end)
    return conds


def _count(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _rate(approved: int, rejected: int) -> float | None:
    return round(approved / (approved + rejected), 4) if approved + rejected else None


def _names(s: Session) -> dict[str, str]:
    """Each process key's name (its newest version's)."""
    rows = s.execute(select(ProcessDefinition.key, ProcessDefinition.name).order_by(ProcessDefinition.version))
    return dict(rows.all())


def processes(s: Session, f: Filters) -> Rows:
    """Per process: requests, approved / rejected / running, approval rate, median and p90 time
    from start to end (finished requests), requests with an overdue task."""
    conds = _where(f)
    rows = s.execute(select(PI.process_key, func.count(), _count(PI.outcome == "approved"),
                            _count(PI.outcome == "rejected"), _count(PI.status == "running"))
                     .where(*conds).group_by(PI.process_key)).all()
    durations = select(PI.process_key.label("k"), seconds(PI.ended_at, PI.created_at).label("d")) \
        .where(*conds, PI.ended_at.is_not(None)).subquery()
    pct = group_percentiles(s, durations, ["k"], "d")
    late = dict(s.execute(select(PI.process_key, func.count(distinct(HT.instance_id))).join(PI, PI.id == HT.instance_id)
                          .where(*conds, overdue(HT.due_at, HT.acted_at, utcnow())).group_by(PI.process_key))
                .all())
    names = _names(s)
    return [{"process": k, "name": names.get(k, k), "count": n, "approved": a or 0, "rejected": r or 0,
             "running": run or 0, "approval_rate": _rate(a or 0, r or 0),
             "median_seconds": pct.get((k,), {}).get("median"), "p90_seconds": pct.get((k,), {}).get("p90"),
             "overdue": late.get(k, 0)} for k, n, a, r, run in sorted(rows)]


def nodes(s: Session, f: Filters) -> Rows:
    """Per process and step: times entered, approved / rejected / open, approval rate, median and
    p90 time from entering to the decision, overdue tasks."""
    conds = _where(f)
    rows = s.execute(select(PI.process_key, NA.node_id, func.max(NA.node_name), func.count(),
                            _count(NA.status == "approved"), _count(NA.status == "rejected"),
                            _count(NA.status == "open"))
                     .join(PI, PI.id == NA.instance_id).where(*conds).group_by(PI.process_key, NA.node_id)).all()
    durations = select(PI.process_key.label("k"), NA.node_id.label("n"),
                       seconds(NA.decided_at, NA.created_at).label("d")) \
        .join(PI, PI.id == NA.instance_id).where(*conds, NA.decided_at.is_not(None)).subquery()
    pct = group_percentiles(s, durations, ["k", "n"], "d")
    late = {(k, n): c for k, n, c in s.execute(
        select(PI.process_key, HT.node_id, func.count()).join(PI, PI.id == HT.instance_id)
        .where(*conds, overdue(HT.due_at, HT.acted_at, utcnow())).group_by(PI.process_key, HT.node_id)).all()}
    names = _names(s)
    return [{"process": k, "process_name": names.get(k, k), "node_id": n, "node_name": name, "count": c,
             "approved": a or 0, "rejected": r or 0, "open": o or 0, "approval_rate": _rate(a or 0, r or 0),
             "median_seconds": pct.get((k, n), {}).get("median"), "p90_seconds": pct.get((k, n), {}).get("p90"),
             "overdue": late.get((k, n), 0)} for k, n, name, c, a, r, o in sorted(rows, key=lambda r: r[:2])]


def people(s: Session, f: Filters) -> Rows:
    """Per person (the assignees in scope): open tasks, overdue open tasks, tasks decided and the
    average time from arrival to their decision."""
    now = utcnow()
    conds: list[Any] = []
    if f.users is not None:
        conds.append(HT.assignee_id.in_(f.users))
    if f.process:
        conds.append(PI.process_key == f.process)
    if f.start:
        conds.append(HT.created_at >= f.start)
    if f.end:
        conds.append(HT.created_at < f.end)
    acted = HT.status.in_([str(a) for a in ACTED])
    rows = s.execute(select(HT.assignee_id, func.max(User.username), func.max(User.display_name),
                            _count(HT.status == TaskStatus.OPEN),
                            _count((HT.status == TaskStatus.OPEN) & HT.due_at.is_not(None) & (HT.due_at < now)),
                            _count(acted), func.avg(case((acted, seconds(HT.acted_at, HT.created_at)), else_=None)))
                     .join(PI, PI.id == HT.instance_id).join(User, User.id == HT.assignee_id)
                     .where(*conds).group_by(HT.assignee_id)).all()
    out = [{"username": u, "display_name": d, "pending": p or 0, "overdue": o or 0, "decided": n or 0,
            "avg_decide_seconds": round(float(avg), 1) if avg is not None else None}
           for _, u, d, p, o, n, avg in rows]
    return sorted(out, key=lambda r: (-r["pending"], -r["overdue"], r["username"]))


def bottlenecks(s: Session, f: Filters, limit: int = 5) -> Rows:
    """The steps where requests wait longest: by median time to decide, then by open tasks."""
    rows = [r for r in nodes(s, f) if r["median_seconds"] is not None or r["open"]]
    rows.sort(key=lambda r: (-(r["median_seconds"] or 0), -r["open"], r["process"], r["node_id"]))
    return rows[:limit]


def trends(s: Session, f: Filters) -> Rows:
    """Per week (its Monday): requests started, and requests finished, approved and rejected."""
    started = dict(s.execute(select(week_of(PI.created_at), func.count()).where(*_where(f))
                             .group_by(week_of(PI.created_at))).all())
    ended = {w: (n, a, r) for w, n, a, r in s.execute(
        select(week_of(PI.ended_at), func.count(), _count(PI.outcome == "approved"), _count(PI.outcome == "rejected"))
        .where(*_where(f, PI.ended_at), PI.ended_at.is_not(None)).group_by(week_of(PI.ended_at))).all()}
    return [{"week": w, "started": started.get(w, 0), "finished": ended.get(w, (0, 0, 0))[0],
             "approved": ended.get(w, (0, 0, 0))[1] or 0, "rejected": ended.get(w, (0, 0, 0))[2] or 0}
            for w in sorted(set(started) | set(ended))]


def sla(s: Session, f: Filters) -> Rows:
    """Per process and step (admins): tasks with a due time, overdue tasks, urges received while
    the step was open (催办)."""
    conds = _where(f)
    rows = s.execute(select(PI.process_key, HT.node_id, func.max(HT.node_name), func.count(),
                            _count(HT.due_at.is_not(None)), _count(overdue(HT.due_at, HT.acted_at, utcnow())))
                     .join(PI, PI.id == HT.instance_id).where(*conds).group_by(PI.process_key, HT.node_id)).all()
    urged = {(k, n): c for k, n, c in s.execute(
        select(PI.process_key, HT.node_id, func.count(distinct(AuditEvent.id)))
        .join(HT, (HT.instance_id == AuditEvent.instance_id) & (HT.created_at <= AuditEvent.at)
              & (HT.acted_at.is_(None) | (HT.acted_at >= AuditEvent.at)))
        .join(PI, PI.id == AuditEvent.instance_id)
        .where(*conds, AuditEvent.action == "urge").group_by(PI.process_key, HT.node_id)).all()}
    names = _names(s)
    return [{"process": k, "process_name": names.get(k, k), "node_id": n, "node_name": name, "tasks": c,
             "due": d or 0, "overdue": o or 0, "urged": urged.get((k, n), 0)}
            for k, n, name, c, d, o in sorted(rows, key=lambda r: r[:2])]


REPORTS: dict[str, Callable[[Session, Filters], Rows]] = {
    "processes": processes, "nodes": nodes, "people": people, "bottlenecks": bottlenecks, "trends": trends,
    "sla": sla}
ADMIN_ONLY = {"sla"}


def report(db: Database, actor_id: int, name: str, raw: dict[str, Any]) -> dict[str, Any]:
    """One report for the viewer: 404 for an unknown name, 403 for who may not, 422 for a bad filter."""
    if name not in REPORTS:
        raise NotFound(f"no report {name!r}")
    with db.uow() as s:
        scope = require_scope(s, actor_id, admin_only=name in ADMIN_ONLY)
        f = parse_filters(s, scope, raw)
        return {"name": name, "rows": REPORTS[name](s, f)}


def menu(db: Database, actor_id: int) -> dict[str, Any] | None:
    """What the reports page offers the viewer (None: no reports for them): the reports, the
    departments and processes to filter by."""
    with db.uow() as s:
        scope = scope_of(s, actor_id)
        if scope is None:
            return None
        return {"admin": scope.admin, "reports": [n for n in REPORTS if scope.admin or n not in ADMIN_ONLY],
                "departments": departments_for(s, scope),
                "processes": [{"key": k, "name": n} for k, n in sorted(_names(s).items())]}
