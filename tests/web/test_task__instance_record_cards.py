"""The task page shows the CRM records that point back at its instance (an expense claim the
process created) as cards, found in one statement over the three record tables; an instance no
record points at shows none of those cards."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine import instances
from engine.design import definitions
from engine.models import HumanTask
from engine.task_page import task_page

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def _open_task(org, iid: int) -> HumanTask:
    with org.db.uow() as s:
        t = s.scalars(select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.status == "open")).first()
        assert t is not None
        s.expunge(t)
        return t


def test_the_claim_the_process_created_is_a_card_on_the_approvers_task(any_org):
    org = any_org
    definitions.deploy(org.db, (BPMN / "expense_reimbursement.bpmn").read_bytes(), org["admin"])
    lines = [{"date": "2026-11-02", "category": "travel", "amount": "320.00", "note": "高铁"}]
    iid = instances.start_process(org.db, org["clerk"], "expense_reimbursement",
                                  {"reason": "十一月出差", "lines": lines})["id"]
    t = _open_task(org, iid)
    page = task_page(org.db, t.assignee_id, t.id)
    claims = [c for c in page["records"] if c["kind"] == "expense_claim"]
    assert len(claims) == 1, page["records"]
    assert "320" in str(claims[0])


def test_an_instance_no_record_points_at_has_no_such_cards(any_org):
    org = any_org
    definitions.deploy(org.db, (BPMN / "general_approval.bpmn").read_bytes(), org["admin"])
    iid = instances.start_process(org.db, org["clerk"], "general_approval",
                                  {"title": "显示器", "amount": 3600, "reason": "入职"})["id"]
    t = _open_task(org, iid)
    page = task_page(org.db, t.assignee_id, t.id)
    assert not [c for c in page["records"] if c["kind"] in ("ticket", "expense_claim", "settlement")]
