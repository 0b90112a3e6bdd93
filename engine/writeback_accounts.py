"""Registered functions of the accounts process(es) (see engine/writeback.py)."""
from __future__ import annotations


def register_all() -> None:
    """Nothing registered yet."""
