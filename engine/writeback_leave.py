"""Registered functions of the leave process (see engine/writeback.py)."""
from __future__ import annotations


def register_all() -> None:
    """Nothing registered yet."""
