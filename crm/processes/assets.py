"""Registered functions of the asset processes (资产领用/借用 and 资产归还, bpmn/library/asset_*.bpmn;
see crm/processes/__init__.py). They move the asset (crm/assets.py) with the request."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm import assets
from crm.processes.call import Call


def reserve(call: Call, asset_id: Any) -> dict[str, Any]:
    """At start: hold the in-stock asset for this request (422 on `asset_id` otherwise)."""
    return assets.reserve(call.session, asset_id, call.instance_id)


def undo_reserve(call: Call, args: dict[str, Any], result: Any) -> dict[str, Any]:
    """A withdrawn request gives the asset back to stock."""
    return assets.release(call.session, args.get("asset_id"), call.instance_id)


def release(call: Call, asset_id: Any) -> dict[str, Any]:
    return assets.release(call.session, asset_id, call.instance_id)


def hand_out(call: Call, asset_id: Any, kind: Any, due_back: Any) -> dict[str, Any]:
    return assets.hand_out(call.session, asset_id, call.initiator_id, kind, due_back, call.instance_id)


def check_return(call: Call, asset_id: Any) -> dict[str, Any]:
    return assets.check_return(call.session, asset_id, call.initiator_id)


def take_back(call: Call, asset_id: Any) -> dict[str, Any]:
    return assets.take_back(call.session, asset_id, call.initiator_id)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "crm.asset.reserve": reserve,
    "crm.asset.release": release,
    "crm.asset.hand_out": hand_out,
    "crm.asset.check_return": check_return,
    "crm.asset.take_back": take_back,
}
UNDOS: dict[str, Callable[..., Any]] = {"crm.asset.reserve": undo_reserve}
