"""lz:process starters= (bpmn/starters.py): role:/user:/dept: entries, separated by commas (also the
Chinese comma, and a full-width colon); absent means everyone; empty or another form is a problem
naming the process, with a code the designer translates."""
from __future__ import annotations

import pytest

from bpmn.lz import parse_xml, read_definitions
from bpmn.starters import Starters, parse_starters, starters_problem
from core.errors import code_of
from tests import bpmn_factory as bf


def configs(starters: str | None):
    xml = bf.chain("p", [bf.user_task("a", "any", "users", "gm")])
    if starters is not None:
        xml = xml.replace(b'prefix="T"/>', f'prefix="T" starters="{starters}"/>'.encode())
    return read_definitions(parse_xml(xml))


def test_absent_means_everyone():
    cfgs, problems = configs(None)
    assert problems == [] and cfgs["p"].starters is None


def test_roles_users_and_departments_are_read():
    cfgs, problems = configs("role:hr, user:zhangsan，dept：销售部,role:admin")
    assert problems == []
    rule = cfgs["p"].starters
    assert rule == Starters(frozenset({"hr", "admin"}), frozenset({"zhangsan"}), frozenset({"销售部"}))
    assert rule.text() == "role:admin,role:hr,user:zhangsan,dept:销售部"
    assert rule.admits("zhangsan", [], None)
    assert rule.admits("lisi", ["finance", "hr"], None)
    assert rule.admits("lisi", [], "销售部")
    assert not rule.admits("lisi", ["finance"], "法务部")


@pytest.mark.parametrize("raw, why", [
    ("", "empty"), (" , ", "empty"), ("hr", "hr"), ("group:hr", "group:hr"), ("role:HR", "role:HR"),
    ("user:1abc", "user:1abc"), ("role:hr,user:", "user:"), ("dept:", "dept:"),
])
def test_malformed_values_are_problems_naming_the_process(raw, why):
    assert starters_problem(raw) == why
    assert parse_starters(raw) is None
    cfgs, problems = configs(raw)
    (p,) = problems
    assert (p.element_id, p.rule) == ("p", "lz_starters")
    assert code_of(p.message) == ("lz_starters_empty" if why == "empty" else "lz_starters_entry")
    assert "'p'" in p.message
    assert cfgs["p"].starters is None


def test_the_shipped_handover_is_for_admins_only():
    from pathlib import Path

    xml = (Path(__file__).resolve().parents[2] / "bpmn" / "staff_handover.bpmn").read_bytes()
    cfgs, problems = read_definitions(parse_xml(xml))
    assert problems == []
    assert cfgs["staff_handover"].starters == Starters(roles=frozenset({"admin"}))
