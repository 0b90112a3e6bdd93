"""What a process function learns about the service task that calls it.

The engine builds one per call (its own frozen dataclass, `engine.functions.Call`, has exactly
these attributes); crm/ only needs its shape, so this Protocol keeps crm/ free of the engine.
"""
from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session


class Call(Protocol):
    @property
    def session(self) -> Session:
        """The running use case's session: changes commit or roll back with the process step."""
        ...

    @property
    def instance_id(self) -> int: ...

    @property
    def business_key(self) -> str: ...

    @property
    def initiator_id(self) -> int: ...

    @property
    def node_id(self) -> str: ...
