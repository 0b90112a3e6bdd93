"""reach: the user and everyone below them in the supervisor tree, walked by the database (a recursive
CTE) on both databases, at any depth, ending on a supervisor cycle."""
from __future__ import annotations

from sqlalchemy import update

from crm.models import User
from crm.records.permissions import reach


def _reach(org, username: str) -> set[str]:
    names = {v: k for k, v in org.ids.items()}
    with org.db.uow() as s:
        found = reach(s, s.get(User, org[username]))
    assert found is not None
    return {names[i] for i in found}


def test_reach_walks_every_level_below_and_nothing_beside(any_org):
    voters = {f"v{i:02d}" for i in range(1, 31)}
    assert _reach(any_org, "clerk") == {"clerk"}
    assert _reach(any_org, "sales_lead") == {"sales_lead", "clerk", "clerk2"}
    assert _reach(any_org, "sales_head") == {"sales_head", "sales_lead", "clerk", "clerk2"}
    assert _reach(any_org, "legal_head") == {"legal_head", "outsider"} | voters
    # three levels below the general manager, every department's people
    assert _reach(any_org, "gm") == set(any_org.ids) - {"admin"}


def test_a_supervisor_cycle_ends_the_walk(any_org):
    # not something the organisation pages let an admin draw; written directly to show the walk ends
    with any_org.db.uow(write=True) as s:
        s.execute(update(User).where(User.id == any_org["sales_head"]).values(supervisor_id=any_org["clerk"]))
    assert _reach(any_org, "clerk") == {"clerk", "sales_head", "sales_lead", "clerk2"}
    assert _reach(any_org, "gm") == set(any_org.ids) - {"admin"} - {"sales_head", "sales_lead", "clerk", "clerk2"}
