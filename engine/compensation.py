"""Compensation on withdraw (撤回): the engine's generic walk over what a process's registered
functions did, calling the undo registered for each (engine/functions.py `register_undo`).

The engine knows no function by name: which undos exist is decided where the functions are
registered (the composition root, app.wire(); crm/processes/ for the shipped processes).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.functions import Call, undo_of
from engine.models import AuditEvent


def undo_withdrawn(s: Session, instance_id: int, business_key: str, initiator_id: int, data: dict[str, Any],
                   actor_id: int, since_seq: int = 0) -> list[dict[str, Any]]:
    """Undo, newest first, what the instance's registered functions did to CRM records, for a
    withdraw (撤回) in its transaction: each `call` in the audit trail whose function has an undo
    (`register_undo`) gets it, with the call's arguments and its result from the process data
    (`<node_id>.result`). A function without an undo changed nothing that needs undoing (a leave
    check) or leaves its record as it is (a pending VIP customer stays non-VIP, a trial user
    stays inactive). An undo refusing (a record no longer in the state the process left it)
    raises, and the whole withdraw rolls back. Each undo is recorded as an `undo` audit event.
    `since_seq`: only the calls after that audit event (a return to the initiator undoes the
    current pass, engine/returns.py)."""
    calls = list(s.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                    AuditEvent.action == "call", AuditEvent.seq > since_seq)
                           .order_by(AuditEvent.seq.desc())))
    done: list[dict[str, Any]] = []
    for ev in calls:
        detail = ev.detail or {}
        name = detail.get("function")
        undo = undo_of(name) if isinstance(name, str) else None
        if undo is None:
            continue
        node_id = ev.node_id or ""
        node_data = data.get(node_id)
        result = node_data.get("result") if isinstance(node_data, dict) else None
        raw_args = detail.get("args")
        args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
        out = undo(Call(s, instance_id, business_key, initiator_id, node_id), args, result)
        audit.record(s, instance_id, "undo", actor_id, node_id=node_id,
                     detail={"function": name, "result": out})
        done.append({"function": name, "node_id": node_id, "result": out})
    return done
