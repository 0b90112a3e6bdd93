"""客户关怀 / 首访 / 生日 reminders as tasks, where configured (issue 15; requirements 000 §四, 004 §4).

Every reminder is a notification (crm/reminders.py, routines/reminders.py). For the reminder kinds
an administrator switched on in the data dictionary's list 提醒生成关怀任务 (`care_task`,
crm/admin/options.py: an offered entry = on; shipped: all off), a due reminder also opens a
customer_care process (bpmn/customer_care.bpmn) for its owner: a task "record the care action",
approve = done (optionally written back as a contact record on the customer), reject = not needed
(the comment says why). The routine (routines/care.py) asks `to_open` which reminders need a task;
the process's steps call `open_task`, `finish` and `dismiss` (crm/processes/care.py).

Once per reminder: a task's `ref` is the reminder's key (kind, record and due date — for a first
visit the contract alone, since an overdue first visit stays due day after day) and `care_task.ref`
is unique, so two routines racing, or the routine running every tick, never open two tasks for the
same customer, kind and date.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from core.ids import as_id
from crm.admin import options
from crm.models import User
from crm.records import CONTACT_WAYS, Contact, Contract, Customer
from crm.records.models import CareTask, ContactRecord
from crm.reminders import Reminder

CATEGORY = "care_task"
KINDS = ("birthday", "first_visit", "next_contact")  # the reminder kinds that may open a task
MANUAL = "care"  # a care task a salesperson starts by hand
MAX_TEXT = 4000


def configured(s: Session) -> set[str]:
    """The reminder kinds that open a task (the offered entries of the dictionary list)."""
    return set(options.active_codes(s, CATEGORY)) & set(KINDS)


def key_of(r: Reminder) -> str:
    """The task key of a reminder: its ref, except a first visit's (one task per contract)."""
    if r.kind == "first_visit":
        return ":".join(r.ref.split(":")[:2])
    return r.ref


def to_open(s: Session, due: Iterable[Reminder]) -> list[Reminder]:
    """Of the due reminders, those of a configured kind, about a customer, whose task was never opened."""
    kinds = configured(s)
    wanted = [r for r in due if r.kind in kinds and r.customer_id is not None]
    if not wanted:
        return []
    keys = {key_of(r) for r in wanted}
    opened = set(s.scalars(select(CareTask.ref).where(CareTask.ref.in_(sorted(keys)))))
    out, seen = [], set()
    for r in wanted:
        k = key_of(r)
        if k not in opened and k not in seen:
            seen.add(k)
            out.append(r)
    return out


def start_data(r: Reminder) -> dict[str, Any]:
    """The customer_care instance's data for a reminder (its start form's fields)."""
    return {"customer_id": r.customer_id, "care_kind": r.kind, "care_title": r.title,
            "due_on": r.due_on.isoformat(), "reminder": key_of(r)}


def _text(value: Any, field: str, required: bool = True) -> str | None:
    if not isinstance(value, str) or not value.strip():
        if required:
            raise ValidationFailed(f"{field} is required", {field: "required"})
        return None
    return value.strip()[:MAX_TEXT]


def open_task(s: Session, initiator_id: int, instance_id: int, customer_id: Any, kind: Any, reminder: Any,
              due_on: Any) -> dict[str, Any]:
    """The task opens for the initiator (the reminder's owner, or a salesperson by hand): one per
    reminder — a second one is refused naming `reminder`."""
    customer = s.get(Customer, customer_id) if isinstance(customer_id, int) and not isinstance(customer_id, bool) \
        else None
    if customer is None:
        raise ValidationFailed(f"no customer {customer_id!r}", {"customer_id": "no such customer"})
    if kind not in (*KINDS, MANUAL):
        raise ValidationFailed(f"unknown care kind {kind!r}", {"care_kind": "one of " + ", ".join((*KINDS, MANUAL))})
    ref = reminder.strip() if isinstance(reminder, str) and reminder.strip() else f"manual:i{instance_id}"
    if not ref.startswith(("manual:", f"{kind}:")):
        raise ValidationFailed("the reminder is of another kind", {"reminder": f"a {kind} reminder"})
    if not ref.startswith("manual:") and not _owns(s, ref, customer.id, initiator_id):
        # a reminder is its owner's: a hand start naming someone else's would block their task
        raise ValidationFailed("not a reminder of yours about this customer", {"reminder": "not your reminder"})
    existing = s.scalar(select(CareTask).where(CareTask.ref == ref))
    if existing is not None and existing.instance_id != instance_id:
        raise ValidationFailed("a task for this reminder was opened already", {"reminder": "already opened"})
    day = None
    if isinstance(due_on, str) and due_on:
        try:
            day = date.fromisoformat(due_on[:10])
        except ValueError:
            raise ValidationFailed("not a date", {"due_on": "a date like 2026-12-31"}) from None
    if existing is None:
        s.add(CareTask(ref=ref[:120], kind=kind, user_id=initiator_id, customer_id=customer.id, due_on=day,
                       instance_id=instance_id))
    s.flush()
    return {"customer_id": customer.id, "name": customer.name, "code": customer.code, "ref": ref}


_REFERS = {("birthday", "c"): (Contact.customer_id, Customer.owner_id, Contact.id),
           ("next_contact", "r"): (ContactRecord.customer_id, ContactRecord.created_by_id, ContactRecord.id),
           ("first_visit", "k"): (Contract.customer_id, Contract.owner_id, Contract.id)}


def _owns(s: Session, ref: str, customer_id: int, user_id: int) -> bool:
    """Whether `ref` (a reminder's key: `birthday:c<contact>:<day>`, `next_contact:r<record>:<day>`,
    `first_visit:k<contract>`) names a record of this customer whose reminders go to `user_id`."""
    kind, _, rest = ref.partition(":")
    tag = rest.partition(":")[0]
    columns = _REFERS.get((kind, tag[:1]))
    record_id = as_id(tag[1:])
    if columns is None or record_id is None:
        return False
    of_customer, owner, key = columns
    stmt = select(of_customer, owner).where(key == record_id)
    if kind == "birthday":
        stmt = stmt.join(Customer, Customer.id == Contact.customer_id)
    row = s.execute(stmt).first()
    if row is None or row[0] != customer_id:
        return False
    if row[1] == user_id:
        return True
    # a next contact whose writer left goes to the customer's owner (crm/reminders.py)
    writer = s.get(User, row[1]) if kind == "next_contact" and row[1] is not None else None
    customer = s.get(Customer, customer_id)
    return writer is not None and not writer.active and customer is not None and customer.owner_id == user_id


def _task(s: Session, instance_id: int) -> CareTask:
    task = s.scalar(select(CareTask).where(CareTask.instance_id == instance_id))
    if task is None:
        raise ValidationFailed("this instance has no care task", {"instance": "no care task"})
    return task


def finish(s: Session, instance_id: int, way: Any, content: Any, write_record: Any, now: datetime
           ) -> dict[str, Any]:
    """Done: what was done is kept; with `write_record`, also as a contact record (联系记录) of the
    customer, entered by the task's owner, dated today."""
    task = _task(s, instance_id)
    text = _text(content, "care_content")
    if way not in CONTACT_WAYS:
        raise ValidationFailed(f"unknown way {way!r}", {"care_way": "one of " + ", ".join(CONTACT_WAYS)})
    task.outcome, task.note, task.done_at = "done", text, now
    record_id = None
    if write_record is True and task.customer_id is not None:
        rec = ContactRecord(customer_id=task.customer_id, date=now.date(), way=way, content=text or "",
                            created_by_id=task.user_id, created_at=now)
        s.add(rec)
        s.flush()
        task.contact_record_id = record_id = rec.id
    s.flush()
    return {"outcome": "done", "contact_record_id": record_id}


def dismiss(s: Session, instance_id: int, reason: Any, now: datetime) -> dict[str, Any]:
    """Not needed (the rejection's comment is the reason)."""
    task = _task(s, instance_id)
    task.outcome, task.note, task.done_at = "dismissed", _text(reason, "reason"), now
    s.flush()
    return {"outcome": "dismissed", "reason": task.note}


def release(s: Session, instance_id: int) -> None:
    """The task's instance was withdrawn before anything was done: the reminder may open a task again."""
    task = s.scalar(select(CareTask).where(CareTask.instance_id == instance_id))
    if task is not None and task.outcome is None:
        s.delete(task)
        s.flush()
