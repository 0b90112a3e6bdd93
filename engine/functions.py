"""Registered functions that service tasks call by name (`lz:call`, DESIGN.md §2).

Processes never run free code against CRM records: a service task names a registered function
and gives each argument as a sandboxed expression over the process data:

    <bpmn:serviceTask id="mark_signed">
      <bpmn:extensionElements>
        <lz:call function="crm.contract.set_status">
          <lz:arg name="contract_id" expr="contract_id"/>
          <lz:arg name="status" expr="'signed'"/>
        </lz:call>
      </bpmn:extensionElements>
    </bpmn:serviceTask>

A function receives a `Call` (the session of the running use case, so its changes commit or
roll back together with the process step; the instance; the node) and the evaluated arguments,
and returns a JSON-compatible value, stored in the process data as `<node_id>.result`. Unknown
names are refused at deploy. `registry()` lists what exists (docs/functions.md).

The engine knows no function by name: the composition root registers them (app.wire(), which
registers crm/processes/ for the shipped processes). Until then the registry is empty, and a
deploy or a service task naming a function says which name is unknown.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bpmn.problem_texts import pm


@dataclass(frozen=True)
class Call:
    session: Session
    instance_id: int
    business_key: str
    initiator_id: int
    node_id: str


Function = Callable[..., Any]
_REGISTRY: dict[str, Function] = {}
_DOCS: dict[str, str] = {}


def register(name: str, fn: Function, doc: str | None = None) -> Function:
    """Make `fn(call, **args)` callable from processes as `name` (dotted, e.g. crm.contract.set_status)."""
    params = list(inspect.signature(fn).parameters)
    if not params:
        raise TypeError(f"{name}: a registered function takes the Call as its first parameter")
    _REGISTRY[name] = fn
    first_line = (inspect.getdoc(fn) or "").strip().splitlines()[:1]
    _DOCS[name] = doc or (first_line[0] if first_line else "")
    return fn


# name -> fn(call, args, result): undoes what the function did when the initiator withdraws the
# instance (撤回) before any approver acted; runs in the withdraw's transaction (engine/compensation.py).
Undo = Callable[[Call, dict[str, Any], Any], Any]
_UNDO: dict[str, Undo] = {}


def register_undo(name: str, fn: Undo) -> Undo:
    """What withdrawing an instance does to undo a call of `name` (its evaluated args and its result)."""
    _UNDO[name] = fn
    return fn


def undo_of(name: str) -> Undo | None:
    return _UNDO.get(name)


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)
    _DOCS.pop(name, None)
    _UNDO.pop(name, None)


def get(name: str) -> Function | None:
    return _REGISTRY.get(name)


def registry() -> dict[str, dict[str, Any]]:
    """name -> {args, doc} for every registered function."""
    return {name: {"args": list(inspect.signature(fn).parameters)[1:], "doc": _DOCS.get(name, "")}
            for name, fn in sorted(_REGISTRY.items())}


def undo_registry() -> dict[str, str]:
    """name -> the first line of its undo's doc, for every function a withdraw undoes."""
    return {name: ((inspect.getdoc(fn) or "").strip().splitlines() or [""])[0] for name, fn in sorted(_UNDO.items())}


def unknown_function(name: str, list_known: bool = True) -> str:
    """Why `name` cannot be called: it is not registered (with the names that are, if `list_known`),
    or nothing is (an engine nobody wired)."""
    if not _REGISTRY:
        return pm("fn_unwired", name=name)
    return pm("fn_unknown_known", name=name, known=", ".join(sorted(_REGISTRY))) if list_known \
        else pm("fn_unknown", name=name)


def check_call(name: str, arg_names: list[str]) -> str | None:
    """Why a deploy-time lz:call is wrong, or None."""
    fn = _REGISTRY.get(name)
    if fn is None:
        return unknown_function(name)
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())[1:]
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in params)
    names = {p.name for p in params}
    unknown = [a for a in arg_names if a not in names and not accepts_any]
    if unknown:
        return pm("fn_extra_args", name=name, args=", ".join(unknown))
    missing = [p.name for p in params if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
               and p.name not in arg_names]
    if missing:
        return pm("fn_missing_args", name=name, args=", ".join(missing))
    return None
