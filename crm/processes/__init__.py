"""The CRM side of the shipped processes: the functions their service tasks call by name
(`lz:call`, docs/functions.md), and what a withdraw (撤回) does to undo them. One module per
process; each wraps crm/ services and runs in the calling step's transaction (`call.session`).

crm/ does not import the engine. The composition root, `app.wire()`, registers `FUNCTIONS` and
`UNDOS` with `engine.functions`; a function gets a `Call` (crm/processes/call.py) and the
evaluated arguments, an undo gets the `Call`, the call's arguments and its result.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm.processes import (
                           accounts,
                           assets,
                           care,
                           churn,
                           contract,
                           documents,
                           expense,
                           handover,
                           leave,
                           opportunity,
                           overtime,
                           settlement,
                           ticket,
)
from crm.processes.call import Call

__all__ = ["Call", "FUNCTIONS", "UNDOS"]

_MODULES = (contract, leave, expense, accounts, ticket, settlement, opportunity, churn, care, handover,
            documents, assets, overtime)  # the last three: the library processes (bpmn/library/)

# registered name (crm.<record>.<verb>) -> fn(call, **args)
FUNCTIONS: dict[str, Callable[..., Any]] = {name: fn for m in _MODULES for name, fn in m.FUNCTIONS.items()}
# registered name -> undo(call, args, result), for the functions a withdraw undoes
UNDOS: dict[str, Callable[[Call, dict[str, Any], Any], Any]] = {
    name: fn for m in _MODULES for name, fn in m.UNDOS.items()}
