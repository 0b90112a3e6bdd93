"""Stand-ins for the sandbox checkers, so bpmn/ checks are tested on their own."""
from __future__ import annotations


def _compiles(src: str, mode: str) -> bool:
    try:
        compile(src, "<test>", mode)
    except (SyntaxError, ValueError):
        return False
    return True


def expr_ok(src: str) -> str | None:
    return None if _compiles(src, "eval") and "__" not in src else "refused"


def script_ok(src: str) -> str | None:
    return None if _compiles(src, "exec") and "__" not in src else "refused"
