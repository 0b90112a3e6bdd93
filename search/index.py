"""What the search index holds, kept current in the writer's own transaction.

`install()` (called by app.wire()) listens to every SQLAlchemy session: after each flush it notes
which process instances and CRM records were written (and which instances got a comment); just
before the commit it rewrites their `search_doc` rows in the same transaction, so the index never
shows what was rolled back and never misses what was committed.

What is indexed:
* an instance: its business key, title, process name, the values of its data except fields hidden
  at any node of its process or carrying a CRM record field some role may not see (a reader who may
  open the instance but not see such a field must not find the instance by its value; a changed
  field permission rewrites the documents of the instances carrying that field), the names and
  numbers of the CRM records its data picks, and
  every comment of its audit trail;
* a customer / contact / contract / agent / ticket / contact record (联系记录) / sales opportunity
  (销售机会): the fields in FIELDS (never bank accounts); an opportunity also the content and result
  of every step of its development plan (a step written re-indexes its opportunity).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session

from crm.admin.models import FieldRule
from crm.records import Agent, Contact, Contract, Customer, Opportunity, ServiceTicket
from crm.records.models import ContactRecord, OpportunityStep
from db.base import utcnow
from db.session import release_held
from engine import redaction
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance
from forms.components import components
from search.models import SearchDoc
from search.tokens import document_tokens

FIELDS: dict[type, tuple[str, tuple[str, ...], str]] = {
    # model: (kind, fields in the text, field used as the title)
    Customer: ("customer", ("code", "name", "legal_rep", "address", "remark"), "name"),
    Contact: ("contact", ("name", "department", "title", "remark"), "name"),
    Contract: ("contract", ("number", "title", "remark"), "title"),
    Agent: ("agent", ("code", "name", "region", "contact_name", "remark"), "name"),
    ServiceTicket: ("ticket", ("complainant", "content", "category", "result"), "content"),
    ContactRecord: ("contact_record", ("way", "content", "next_step"), "content"),
    Opportunity: ("opportunity", ("number", "summary", "customer_name", "source", "stage", "product",
                                  "description", "remark"), "summary"),
}
KIND_MODELS = {kind: model for model, (kind, _f, _t) in FIELDS.items()}
PICKED = {"customers": (Customer, ("name", "code")), "contracts": (Contract, ("number", "title")),
          "agents": (Agent, ("name", "code"))}
COMMENTS = "\n¶\n"  # between the record's text and its comments in `body`
PENDING = "lz_search_pending"
MAX_BODY = 20_000

_installed = False


def install() -> None:
    """Keep the index current from now on, in every session (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _note)
        event.listen(Session, "before_commit", _apply)
        _installed = True


def _pending(session: Session) -> dict[str, Any]:
    return session.info.setdefault(PENDING, {"write": set(), "delete": set(), "comments": {}, "rules": set()})


def _note(session: Session, _ctx: Any) -> None:
    """After a flush: which records were written or deleted (their ids are known by now)."""
    pending: dict[str, Any] | None = None
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, ProcessInstance) or type(obj) in FIELDS:
            pending = pending or _pending(session)
            pending["write"].add((_kind(obj), obj.id))
        elif isinstance(obj, OpportunityStep):  # its plan text is in its opportunity's document
            pending = pending or _pending(session)
            pending["write"].add(("opportunity", obj.opportunity_id))
        elif isinstance(obj, AuditEvent) and obj.comment:
            pending = pending or _pending(session)
            pending["write"].add(("instance", obj.instance_id))
            # a new event's comment is appended to the document without reading the trail again;
            # an event changed in place (never, the trail is append-only) has the trail read in full
            added = pending["comments"].setdefault(obj.instance_id, [])
            if added is not None and obj in session.new:
                added.append((obj.seq, obj.comment))
            else:
                pending["comments"][obj.instance_id] = None
        elif isinstance(obj, FieldRule):
            pending = pending or _pending(session)
            pending["rules"].add((obj.kind, obj.field))
    for obj in session.deleted:
        if isinstance(obj, ProcessInstance) or type(obj) in FIELDS:
            pending = pending or _pending(session)
            pending["delete"].add((_kind(obj), obj.id))
        elif isinstance(obj, FieldRule):
            pending = pending or _pending(session)
            pending["rules"].add((obj.kind, obj.field))
        elif isinstance(obj, OpportunityStep):
            pending = pending or _pending(session)
            pending["write"].add(("opportunity", obj.opportunity_id))


def _kind(obj: Any) -> str:
    return "instance" if isinstance(obj, ProcessInstance) else FIELDS[type(obj)][0]


def _indexed(session: Session) -> bool:
    """Whether this database has the index (a database built without search/models.py, e.g. by a
    tool's own create_all, is left alone rather than failing its writes). Asked once per engine."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    known = getattr(engine, "_lz_search_index", None)
    if known is None:
        known = inspect(session.connection()).has_table(SearchDoc.__tablename__)
        engine._lz_search_index = known
    return bool(known)


def _apply(session: Session) -> None:
    # before_commit runs before the commit's own flush: flush now, so what is still unflushed is noted
    session.flush()
    pending = session.info.pop(PENDING, None)
    if not pending or not _indexed(session):
        return
    for kind, ref_id in pending["delete"]:
        session.execute(delete(SearchDoc).where(SearchDoc.kind == kind, SearchDoc.ref_id == ref_id))
    if pending["rules"]:
        pending["write"] |= {("instance", i) for i in _carrying(session, pending["rules"])}
    for kind, ref_id in sorted(pending["write"] - pending["delete"]):
        changed = kind == "instance" and ref_id in pending["comments"]
        added = pending["comments"].get(ref_id) if changed else None
        refresh(session, kind, ref_id, comments_changed=changed, added=added)
    # the documents are written by the commit's flush (or an earlier hook's): such a flush notes
    # nothing here, the index is no record of its own


def _carrying(session: Session, fields: set[tuple[str, str]]) -> list[int]:
    """The instances whose data carries one of the record `fields` (a field permission on them changed:
    what the index may hold of them changes with it, engine/redaction.py)."""
    ids = [d.id for d in session.scalars(select(ProcessDefinition))
           if set(redaction.carried(d).values()) & fields]
    if not ids:
        return []
    return list(session.scalars(select(ProcessInstance.id).where(ProcessInstance.definition_id.in_(ids))))


def refresh(session: Session, kind: str, ref_id: int, comments_changed: bool = True,
            added: list[tuple[int, str]] | None = None) -> None:
    """Rewrite one record's document (remove it when the record is gone). `added`: the comments an
    instance's new audit events carry, as (seq, comment), when they are all it gained: the trail is
    append-only, so they are appended to the comments the document holds instead of reading the
    trail again (read in full when there is no document yet or it was cut at MAX_BODY)."""
    doc = session.scalar(select(SearchDoc).where(SearchDoc.kind == kind, SearchDoc.ref_id == ref_id))
    built = _build(session, kind, ref_id, doc, comments_changed, added)
    if built is None:
        if doc is not None:
            session.delete(doc)
        return
    title, body = built
    body = body[:MAX_BODY]
    if doc is not None and doc.body == body and doc.title == title:
        return  # nothing a search could find has changed (most approvals)
    if doc is None:
        doc = SearchDoc(kind=kind, ref_id=ref_id)
        session.add(doc)
    doc.title, doc.body, doc.tokens, doc.updated_at = title[:300], body, document_tokens(f"{title}\n{body}"), utcnow()


def _build(session: Session, kind: str, ref_id: int, doc: SearchDoc | None,
           comments_changed: bool, added: list[tuple[int, str]] | None = None) -> tuple[str, str] | None:
    if kind == "instance":
        inst = session.get(ProcessInstance, ref_id)
        if inst is None:
            return None
        old = doc.body.split(COMMENTS, 1)[1] if doc is not None and COMMENTS in doc.body else ""
        if doc is None or (comments_changed and (added is None or len(doc.body) >= MAX_BODY)):
            comments = _comments(session, ref_id)
        elif comments_changed and added is not None:
            comments = "\n".join(c for c in (old, *(c for _seq, c in sorted(added))) if c)
        else:
            comments = old
        text = _instance_text(session, inst)
        return inst.title or inst.business_key, text + (COMMENTS + comments if comments else "")
    model = KIND_MODELS[kind]
    row = session.get(model, ref_id)
    if row is None:
        return None
    _kind_, fields, title_field = FIELDS[model]
    return str(getattr(row, title_field) or "")[:300], record_text(session, kind, row, fields)


def record_text(session: Session, kind: str, row: Any, fields: Iterable[str]) -> str:
    """The text of a CRM record's document: the values of `fields` (search/query.py passes only
    those the reader may see), and for an opportunity the steps of its development plan."""
    parts = [str(v) for v in (getattr(row, f) for f in fields) if v not in (None, "")]
    if kind == "opportunity":
        for content, result in session.execute(
                select(OpportunityStep.content, OpportunityStep.result)
                .where(OpportunityStep.opportunity_id == row.id).order_by(OpportunityStep.date, OpportunityStep.id)):
            parts += [p for p in (content, result) if p]
    return "\n".join(parts)


def _comments(session: Session, instance_id: int) -> str:
    return "\n".join(c for c in session.scalars(
        select(AuditEvent.comment).where(AuditEvent.instance_id == instance_id, AuditEvent.comment.is_not(None))
        .order_by(AuditEvent.seq)) if c)


def _instance_text(session: Session, inst: ProcessInstance) -> str:
    d = session.get(ProcessDefinition, inst.definition_id)
    hidden = redaction.NOTHING
    form_fields: list[dict[str, Any]] = []
    if d is not None:
        # fields hidden at any node or from any role, and service results derived from them (engine/redaction.py)
        hidden = redaction.shared(session, d)
        for schema in (d.forms or {}).values():
            form_fields += [c for c in components(schema) if c.get("valuesKey") in PICKED and c.get("key")]
    data = hidden.data(inst.data)
    parts = [inst.business_key, d.name if d is not None else ""]  # (the title is indexed as the title)
    parts += [v for v in _values(data) if isinstance(v, str)]
    parts += _picked_names(session, form_fields, data)
    return "\n".join(p for p in parts if p)


def _values(value: Any, depth: int = 0) -> Iterable[Any]:
    if depth > 6:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("votes",):  # node ballots: their comments come from the audit trail
                yield from _values(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _values(v, depth + 1)
    else:
        yield value


def _picked_names(session: Session, fields: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
    """Names and numbers of the CRM records the data picks (a customer id -> 上海某某网络科技)."""
    out: list[str] = []
    for values_key in sorted({c["valuesKey"] for c in fields}):
        keys = {c["key"] for c in fields if c["valuesKey"] == values_key}
        ids = {v for v in _keyed(data, keys) if isinstance(v, int) and not isinstance(v, bool)}
        if ids:
            model, attrs = PICKED[values_key]
            for row in session.scalars(select(model).where(model.id.in_(sorted(ids)))):
                out += [str(getattr(row, a)) for a in attrs if getattr(row, a, None)]
    return out


def _keyed(value: Any, keys: set[str], depth: int = 0) -> Iterable[Any]:
    """Values under any of `keys`, at the top level or in lists of objects (expense lines)."""
    if depth > 4:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if k in keys:
                yield from (v if isinstance(v, list) else [v])
            elif isinstance(v, (dict, list)):
                yield from _keyed(v, keys, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _keyed(v, keys, depth + 1)


def reindex_all(session: Session) -> int:
    """Rebuild every document (after an upgrade, or with `app.py search-reindex`)."""
    docs = [("instance", iid) for iid in session.scalars(select(ProcessInstance.id))]
    for model, (kind, _f, _t) in FIELDS.items():
        docs += [(kind, rid) for rid in session.scalars(select(model.id))]
    for count, (kind, ref_id) in enumerate(docs, 1):
        refresh(session, kind, ref_id)
        if count % 200 == 0:
            session.flush()
            release_held(session)  # a few hundred rows in memory at a time
    session.flush()
    session.info.pop(PENDING, None)
    return len(docs)
