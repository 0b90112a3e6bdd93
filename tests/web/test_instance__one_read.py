"""The instance page reads the instance in one transaction (engine/instance_page.py): the view, the
diagram and progress, the approver chain, the admin operations and whether 拿回 is offered, with the
viewer's permission checked once. Besides it, a page request reads the signed-in user (as every page),
marks the viewer's copies read and lists the people one may @mention (crm). Measured on the running
countersign below: before the one read 8 transactions and 46 statements for its initiator (38 for an
admin); with it 4 and 32 (30), the page's own read 28 (26) statements; 4 and 30 (28), the read 26
(24), once the unit of work held its objects (db/session.LzSession)."""
from __future__ import annotations

import pytest

from core.errors import Forbidden, NotFound
from engine import collab, instances, tasks
from engine.design import definitions
from engine.instance_page import instance_page
from tests.api.conftest import TWO_STEP
from tests.web.test_task__one_read import counted_get, countersign, counting, open_task

PAGE_STATEMENTS = 28  # measured 26 (the initiator, an approver) and 24 (an admin); the rest is margin


@pytest.mark.parametrize("user", ["clerk", "admin", "sales_head"])
def test_the_page_reads_the_instance_in_one_transaction(app, org, user):
    iid = countersign(org)
    counts = counted_get(app, org, user, f"/instances/{iid}")
    signed_in_user, page, *rest = counts.transactions
    assert len(signed_in_user) == 1, "the first read is web/users.py's, as on every page"
    assert len(page) <= PAGE_STATEMENTS, f"{len(page)} statements:\n{counts}"
    assert len(rest) <= 2, f"besides: the copies read and the people to mention, not {len(rest)}:\n{counts}"


def test_the_read_checks_the_viewer_once_and_gives_what_the_page_shows(org):
    iid = countersign(org)
    tasks.approve(org.db, org["sales_head"], open_task(org, "sales_head", iid), "同意")
    with counting(org.db) as counts:
        mine = instance_page(org.db, org["clerk"], iid)
    assert len(counts.transactions) == 1 and counts.statements <= PAGE_STATEMENTS, str(counts)
    assert mine["view"]["id"] == iid and mine["progress"]["id"] == iid
    assert [step["kind"] for step in mine["chain"]][0] == "start"
    assert mine["admin"] is None and mine["can_take_back"] is False
    assert instance_page(org.db, org["admin"], iid)["admin"]["terminate"] is True
    with pytest.raises(Forbidden):
        instance_page(org.db, org["fin1"], iid)
    with pytest.raises(NotFound):
        instance_page(org.db, org["clerk"], iid + 1000)


def test_take_back_is_offered_as_collab_decides_it(org):
    definitions.deploy(org.db, TWO_STEP, org["admin"])
    iid = instances.start_process(org.db, org["clerk"], "two_step", {})["id"]
    tasks.approve(org.db, org["sales_lead"], open_task(org, "sales_lead", iid), "同意")
    assert instance_page(org.db, org["sales_lead"], iid)["can_take_back"] is True  # the next step is untouched
    assert collab.can_take_back(org.db, org["sales_lead"], iid) is True
    assert instance_page(org.db, org["clerk"], iid)["can_take_back"] is False  # completed no step
