"""What the CRM asks its people to remember (requirements 000 §四, 004 §4 日历提醒): each a dated
`Reminder` for one user, found from the records on `today` for the next `days` days. The reminders
routine (routines/reminders.py) turns them into notifications (notify/reminders.py), which the
user's calendar feed also shows.

- 生日 (birthday): a contact's birthday -> the customer's salesperson;
- 联系 / 关怀 (next contact): a contact record's next date (下次联系) -> whoever recorded it;
- 首访 (first visit): a signed contract's customer not visited (no contact record) since the sale
  (the contract's start date, else its entry date), due FIRST_VISIT_DAYS after it -> the contract's
  salesperson; once a visit is recorded the reminder is gone;
- 销售机会 (opportunity closing date): an assigned opportunity's 机会截止日期 -> its salesperson.

A reminder's `ref` is stable (kind, record, date), so producing it again adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from crm.models import User
from crm.records import Contact, ContactRecord, Contract, Customer, Opportunity

FIRST_VISIT_DAYS = 7
LIMIT = 2000


@dataclass(frozen=True)
class Reminder:
    kind: str  # birthday | next_contact | first_visit | opportunity
    user_id: int
    ref: str
    due_on: date
    title: str  # zh
    title_en: str
    link: str  # the page of the record (the CRM workspace)
    customer_id: int | None = None  # the customer it is about (a care task writes its contact record there)


def _birthday_in(birthday: date, today: date, days: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:  # 29 February in a common year
            day = date(year, 3, 1)
        if today <= day <= today + timedelta(days=days):
            return day
    return None


def due(s: Session, today: date, days: int) -> list[Reminder]:
    end = today + timedelta(days=days)
    out: list[Reminder] = []
    for contact, customer in s.execute(select(Contact, Customer).join(Customer, Customer.id == Contact.customer_id)
                                       .where(Contact.birthday.is_not(None)).limit(LIMIT * 10)):
        day = _birthday_in(contact.birthday, today, days)
        if day is not None:
            out.append(Reminder("birthday", customer.owner_id, f"birthday:c{contact.id}:{day.isoformat()}", day,
                                f"{contact.name}（{customer.name}）{day.month}月{day.day}日生日",
                                f"{contact.name} ({customer.name}): birthday on {day.isoformat()}",
                                f"/crm/customers/{customer.id}", customer.id))
    records = (select(ContactRecord, Customer, User.active).join(Customer, Customer.id == ContactRecord.customer_id)
               .join(User, User.id == ContactRecord.created_by_id)
               .where(ContactRecord.next_date >= today, ContactRecord.next_date <= end).limit(LIMIT))
    for rec, customer, writer_active in s.execute(records):
        step = (rec.next_step or "").strip()
        # the writer's own next step; once they left (deactivated, e.g. after a handover), the
        # customer's owner now: nobody reads a deactivated user's reminders
        to = rec.created_by_id if writer_active or customer.owner_id is None else customer.owner_id
        out.append(Reminder("next_contact", to, f"next_contact:r{rec.id}:{rec.next_date.isoformat()}",
                            rec.next_date, f"联系{customer.name}" + (f"：{step}" if step else ""),
                            f"Contact {customer.name}" + (f": {step}" if step else ""),
                            f"/crm/customers/{customer.id}#contact-records", customer.id))
    sale = func.coalesce(Contract.start_date, func.date(Contract.created_at))
    visited = exists().where(and_(ContactRecord.customer_id == Contract.customer_id, ContactRecord.date >= sale))
    for contract, customer in s.execute(select(Contract, Customer).join(Customer, Customer.id == Contract.customer_id)
                                        .where(Contract.status == "signed", ~visited).limit(LIMIT)):
        sold = contract.start_date or contract.created_at.date()
        day = sold + timedelta(days=FIRST_VISIT_DAYS)
        if day <= end:  # overdue first visits stay on the list until done
            out.append(Reminder("first_visit", contract.owner_id, f"first_visit:k{contract.id}:{max(day, today)}",
                                max(day, today), f"首访{customer.name}（合同 {contract.number}）",
                                f"First visit to {customer.name} (contract {contract.number})",
                                f"/crm/customers/{customer.id}", customer.id))
    closing = select(Opportunity).where(Opportunity.status == "developing", Opportunity.owner_id.is_not(None),
                                        Opportunity.due_date >= today, Opportunity.due_date <= end).limit(LIMIT)
    for opp in s.scalars(closing):
        assert opp.owner_id is not None and opp.due_date is not None
        out.append(Reminder("opportunity", opp.owner_id, f"opportunity:o{opp.id}:{opp.due_date.isoformat()}",
                            opp.due_date, f"销售机会截止：{opp.summary}（{opp.number}）",
                            f"Opportunity closing: {opp.summary} ({opp.number})", f"/crm/opportunities/{opp.id}",
                            opp.customer_id))
    return out
