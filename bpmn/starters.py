"""Who may start a process by hand (发起人权限; Camunda's candidateStarterUsers / candidateStarterGroups):
the `starters` attribute of the process-level `lz:process`.

    <lz:process mode="fixed" category="人事" starters="role:admin,role:hr,user:zhangsan,dept:销售部"/>

Each entry is `kind:value` (a full-width colon and the Chinese comma work too):
`role:<role key>` (every user with the role, as `lz:assignees strategy="role"`), `user:<user name>`
(as strategy "users") or `dept:<department name>` (the members of that department, as strategy
"dept_heads" names departments). Absent: everyone may start the process, as before. Present but
empty, or with an entry of another form: a deploy problem naming the process (`lz_starters`).
Only the syntax is checked here (bpmn/ reads no database): an unknown role or user matches nobody.

Starters limit starts by hand (the start page, POST /api/v1/process-instances); the routines that
start a process on a user's behalf are not limited (engine/starters.py applies the rule).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import Msg, Problem

KINDS = ("role", "user", "dept")
RULE = "lz_starters"
_VALUE = {
    "role": re.compile(r"[a-z][a-z0-9_]{1,49}"),  # as crm/org.py accepts role keys
    "user": re.compile(r"[A-Za-z][A-Za-z0-9_.-]{1,63}"),  # as crm/org.py accepts user names
    "dept": re.compile(r"[^,，:：]{1,100}"),
}


@dataclass(frozen=True)
class Starters:
    """Who may start: role keys, user names, department names (anyone in any of them)."""

    roles: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    depts: frozenset[str] = frozenset()

    def admits(self, username: str, role_keys: list[str] | tuple[str, ...] | set[str],
               department: str | None) -> bool:
        return (username in self.users or bool(self.roles & set(role_keys))
                or (department is not None and department in self.depts))

    def text(self) -> str:
        """The attribute's value again, in a fixed order (for display)."""
        return ",".join([*(f"role:{r}" for r in sorted(self.roles)), *(f"user:{u}" for u in sorted(self.users)),
                         *(f"dept:{d}" for d in sorted(self.depts))])


def _entries(raw: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,，]", raw) if p.strip()]


def starters_problem(raw: str | None) -> str | None:
    """Why a starters attribute is wrong: "empty" (no entry), or the first entry that is not
    role:<key>, user:<name> or dept:<name>; None when right (or absent)."""
    if raw is None:
        return None
    entries = _entries(raw)
    if not entries:
        return "empty"
    for entry in entries:
        kind, sep, value = entry.replace("：", ":").partition(":")
        pattern = _VALUE.get(kind.strip())
        if not sep or pattern is None or not pattern.fullmatch(value.strip()):
            return entry
    return None


def parse_starters(raw: str | None) -> Starters | None:
    """None (everyone may start) when absent or malformed (see `starters_problem`)."""
    if raw is None or starters_problem(raw) is not None:
        return None
    found: dict[str, set[str]] = {k: set() for k in KINDS}
    for entry in _entries(raw):
        kind, _, value = entry.replace("：", ":").partition(":")
        found[kind.strip()].add(value.strip())
    return Starters(frozenset(found["role"]), frozenset(found["user"]), frozenset(found["dept"]))


def read_starters(raw: str | None, process_id: str, problems: list[Problem]) -> Starters | None:
    """lz:process starters=...: the rule, or None (everyone); a malformed value is a problem."""
    why = starters_problem(raw)
    if why is None:
        return parse_starters(raw)
    if why == "empty":
        text = Msg("lz_starters_empty", f"lz:process starters of process '{process_id}' lists nobody; leave the "
                                        "attribute out to let everyone start it", process=process_id)
    else:
        text = Msg("lz_starters_entry", f"lz:process starters of process '{process_id}': '{why}' is not "
                                        "role:<role key>, user:<user name> or dept:<department name>",
                   process=process_id, entry=why)
    problems.append(Problem(process_id, text, RULE))
    return None
