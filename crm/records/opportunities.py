"""The record kinds of 销售机会 (requirements 002 §3.1, 004 1.3): the opportunity and the dated steps
of its development plan (客户开发计划).

Data permissions, as for every record (crm/records/permissions.py): an opportunity is seen within
reach of its salesperson (`owner`, set when it is assigned) or of the user who entered it — so the
salesperson sees their own, a supervisor their team's, admins all, a colleague nothing (404).

- Its assignment and its end (won / lost) are the sales-opportunity process's (bpmn/
  sales_opportunity.bpmn; crm/processes/opportunity.py): `status`, `owner` are process fields.
- While 未分配 (unassigned) its details can be edited and it can be deleted; afterwards not (409).
- Plan steps are made for an assigned opportunity, by whoever may see it; a step keeps its date
  (requirements: 编辑计划项时，日期不可以编辑), its content and result (执行效果) change.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.errors import Conflict, Msg
from core.ids import MAX_ID
from crm.models import User
from crm.records.fields import F
from crm.records.kinds import Kind, Save
from crm.records.models import Contract, Customer, Opportunity, OpportunityStep

UNASSIGNED = "unassigned"
ASSIGNED = "developing"  # 已指派 (开发中)


def opportunity_scope(ids: set[int] | None) -> Any:
    """Within reach of the opportunity's salesperson or of whoever entered it (None: everyone)."""
    if ids is None:
        return None
    return or_(Opportunity.owner_id.in_(sorted(ids)), Opportunity.created_by_id.in_(sorted(ids)))


class OpportunityKind(Kind):
    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        return opportunity_scope(ids)

    def before_save(self, c: Save) -> None:
        if not c.creating and c.row.status != UNASSIGNED and not c.actor.is_admin:
            raise Conflict(f"opportunity {c.row.number} is {c.row.status}; only an unassigned one is edited",
                           {"status": f"is {c.row.status}"}, reason="not_unassigned")
        if c.creating and not c.values.get("customer_name") and "customer_name" not in c.fields:
            customer = c.s.get(Customer, c.values["customer_id"]) if c.values.get("customer_id") else None
            if customer is not None:
                c.values["customer_name"] = customer.name
            elif "customer" not in c.fields:
                c.fields["customer_name"] = Msg("required", "required (or name a customer)")

    def before_delete(self, s: Session, row: Opportunity) -> None:
        if row.status != UNASSIGNED:
            raise Conflict(f"opportunity {row.number} is {row.status}; only an unassigned one is deleted",
                           {"status": f"is {row.status}"}, reason="not_unassigned")

    def extra(self, s: Session, row: Opportunity) -> dict[str, Any]:
        steps = s.scalars(select(OpportunityStep).where(OpportunityStep.opportunity_id == row.id)
                          .order_by(OpportunityStep.date, OpportunityStep.id))
        contract = s.get(Contract, row.contract_id) if row.contract_id else None
        return {"plan": [{"id": p.id, "date": p.date.isoformat(), "content": p.content, "result": p.result}
                         for p in steps],
                "contract_number": contract.number if contract else None}


class OpportunityStepKind(Kind):
    """Seen like its opportunity; made for an assigned one; keeps its date."""

    def scope(self, s: Session, actor: User, ids: set[int] | None) -> Any:
        return opportunity_scope(ids)

    def before_save(self, c: Save) -> None:
        if not c.creating:
            if "date" in c.values and c.values["date"] != c.row.date:
                c.fields["date"] = Msg("date_fixed", "a plan step keeps its date")
            if "opportunity_id" in c.values and c.values["opportunity_id"] != c.row.opportunity_id:
                c.fields["opportunity"] = "a plan step stays with its opportunity"
            return
        oid = c.values.get("opportunity_id")
        if oid is None or "opportunity" in c.fields:
            return
        opp = c.s.scalar(select(Opportunity).where(Opportunity.id == oid, *(
            [cond] if (cond := opportunity_scope(c.ids)) is not None else [])))
        if opp is None:
            c.fields["opportunity"] = f"no opportunity with id {oid}"
        elif opp.status != ASSIGNED:
            c.fields["opportunity"] = Msg("not_assigned", f"opportunity is {opp.status}; plans are made once assigned")


STEP_FIELDS = (
    F("opportunity", "int", low=1, high=MAX_ID, required=True, attr_name="opportunity_id"),
    F("date", "date", required=True), F("content", "text", 4000, required=True), F("result", "text", 4000),
)
