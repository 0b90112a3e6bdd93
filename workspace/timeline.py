"""The customer page's timeline (时间线): one list, newest first, merged from the customer's
records (creation, owner changes, contact records, contracts, tickets, expense claims) and the
instances about it (started, ended with their outcome). Pure: it reads what the page already has."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext

from workspace import labels


def _event(at: Any, kind: str, text: str, url: str | None = None, css: str = "") -> dict[str, Any]:
    return {"at": at, "kind": kind, "text": text, "url": url, "css": css}


def events(overview: dict[str, Any], instances: list[dict[str, Any]], urls: dict[str, Any]) -> list[dict[str, Any]]:
    """[{at, kind, text, url, css}] newest first; `urls[kind](id)` gives a record's page."""
    people = overview["people"]
    c = overview["customer"]
    out = [_event(c["created_at"], "customer", gettext("Customer entered by %(who)s",
                                                         who=people.get(c["created_by"], c["created_by"] or "")))]
    for h in overview["owner_history"][1:]:
        text = gettext("Salesperson %(old)s → %(new)s", old=people.get(h["from"], h["from"]),
                       new=people.get(h["to"], h["to"]))
        out.append(_event(h["at"], "owner", text))
    for r in overview["contact_records"]:
        who = f" · {r['contact_name']}" if r.get("contact_name") else ""
        out.append(_event(r["date"], "contact_record", f"{r['way']}{who}: {r['content']}"))
    for k in overview["contracts"]:
        out.append(_event(k["created_at"], "contract", gettext("Contract %(title)s (%(status)s)", title=k["title"],
                                                               status=labels.value(k["status"])),
                          urls["contract"](k["id"])))
    for t in overview["tickets"]:
        out.append(_event(t["created_at"], "ticket", gettext("Service ticket from %(who)s (%(status)s)",
                                                             who=t["complainant"], status=labels.value(t["status"])),
                          urls["ticket"](t["id"])))
    for e in overview["expense_claims"]:
        out.append(_event(e["created_at"], "expense_claim", gettext("Expense claim %(title)s (%(status)s)",
                                                                    title=e.get("title") or "",
                                                                    status=labels.value(e["status"])),
                          urls["expense_claim"](e["id"])))
    for i in instances:
        name = i["process_name"]
        url = urls["instance"](i["id"]) if i["readable"] else None
        out.append(_event(i["created_at"], "instance", gettext("%(process)s %(key)s started by %(who)s",
                                                               process=name, key=i["business_key"],
                                                               who=i["initiator"] or ""), url))
        if i["ended_at"]:
            css = {"approved": "approve", "rejected": "reject"}.get(i["outcome"] or "", "")
            out.append(_event(i["ended_at"], "instance", gettext("%(process)s %(key)s ended: %(outcome)s",
                                                                 process=name, key=i["business_key"],
                                                                 outcome=outcome_text(i)), url, css))
    return sorted(out, key=lambda e: str(e["at"] or ""), reverse=True)


def outcome_text(i: dict[str, Any]) -> str:
    """An instance's state in words: running, suspended, or how it ended."""
    if i["status"] == "running":
        return gettext("In progress")
    if i["status"] == "suspended":
        return gettext("Suspended")
    by_outcome = {"approved": gettext("Approved"), "rejected": gettext("Rejected"), "withdrawn": gettext("Withdrawn"),
                  "terminated": gettext("Terminated")}
    by_status = {"completed": gettext("Completed"), "withdrawn": gettext("Withdrawn"),
                 "cancelled": gettext("Terminated")}
    return by_outcome.get(i["outcome"] or "") or by_status.get(i["status"], i["status"])


def decorate(instances: list[dict[str, Any]], locale: str) -> list[dict[str, Any]]:
    """Each instance with `state` (its outcome in words) and `label` (the process in the user's language)."""
    for i in instances:
        i["state"] = outcome_text(i)
        i["label"] = i["process_name_en"] if locale == "en" and i.get("process_name_en") else i["process_name"]
    return instances
