"""The search use case: every word of the query must match (the last one also as a prefix, so a
half-typed contract number finds it); the best matches are then kept only where the reader may see
them — an instance as on its page (a participant, or the supervisor of one, or an admin), a CRM
record as in the CRM API (own / subordinates / all) — and each comes with a snippet around the
first match, the matched words marked."""
from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import Integer, any_, bindparam, select, text, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from crm import org, records
from crm.admin import field_rules
from crm.models import User
from crm.records.models import ContactRecord
from crm.records.permissions import actor
from db.session import Database
from engine.models import CarbonCopy, HumanTask, InstanceReader, ProcessInstance
from search.index import FIELDS, KIND_MODELS, record_text
from search.models import SearchDoc
from search.tokens import query_tokens

MAX_Q = 200
CANDIDATES = 2000  # the best matches examined for what the reader may see
KINDS = ("instance", *KIND_MODELS)
RECORD_KINDS = {"customer": "customer", "contact": "contact", "contract": "contract", "agent": "agent",
                "ticket": "ticket", "contact_record": "contact_record",
                "opportunity": "opportunity"}


def _fts_query(tokens: list[str]) -> str:
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def _ts_query(tokens: list[str]) -> str:
    quoted = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def _ranked(s: Session, tokens: list[str], kind: str | None, n: int) -> list[tuple[int, str, int]]:
    """(document id, kind, ref_id) of the `n` best matching documents, best first (one query)."""
    kind_sql = " AND d.kind = :kind" if kind else ""
    params: dict[str, Any] = {"n": n, "kind": kind}
    if s.get_bind().dialect.name == "sqlite":
        sql = ("SELECT d.id, d.kind, d.ref_id FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid "
               f"WHERE search_fts MATCH :q{kind_sql} ORDER BY bm25(search_fts), d.id LIMIT :n")
        params["q"] = _fts_query(tokens)
    else:
        sql = ("SELECT d.id, d.kind, d.ref_id FROM search_doc d WHERE d.tsv @@ to_tsquery('simple', :q)"
               f"{kind_sql} ORDER BY ts_rank(d.tsv, to_tsquery('simple', :q)) DESC, d.id LIMIT :n")
        params["q"] = _ts_query(tokens)
    return [(i, k, r) for i, k, r in s.execute(text(sql), params)]


def _docs(s: Session, ids: list[int]) -> list[SearchDoc]:
    docs = {d.id: d for d in s.scalars(select(SearchDoc).where(SearchDoc.id.in_(ids)))}
    return [docs[i] for i in ids if i in docs]


def _among(s: Session, column: Any, ids: list[int]) -> Any:
    """`column` is one of `ids`: on PostgreSQL one array parameter (`= ANY(:ids)`), which the driver
    sends as it is, instead of one placeholder per id."""
    if s.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def visible_instances(s: Session, viewer: User, ids: list[int], reach: set[int] | None = None) -> set[int]:
    """Of `ids`, the instances `viewer` may open (engine.instances.can_view, in one query);
    `reach` (records.reach of the viewer) when the caller has it."""
    if not ids or viewer.is_admin or org.PROCESS_ADMIN_ROLE in viewer.role_keys:
        return set(ids)
    team = (reach if reach is not None else records.reach(s, viewer)) or set()  # the viewer and those below
    people = sorted(team)
    return set(s.scalars(union(
        select(ProcessInstance.id).where(_among(s, ProcessInstance.id, ids),
                                         _among(s, ProcessInstance.initiator_id, people)),
        select(HumanTask.instance_id).where(_among(s, HumanTask.instance_id, ids),
                                            _among(s, HumanTask.assignee_id, people)),
        select(CarbonCopy.instance_id).where(_among(s, CarbonCopy.instance_id, ids),
                                             _among(s, CarbonCopy.user_id, people)),
        select(InstanceReader.instance_id).where(  # @mentioned
            _among(s, InstanceReader.instance_id, ids), _among(s, InstanceReader.user_id, people)))))


def _visible_records(s: Session, viewer: User, kind: str, ids: list[int], reach: set[int] | None) -> set[int]:
    k = records.KINDS[RECORD_KINDS[kind]]
    stmt = k.visible(s, viewer, reach).where(_among(s, k.model.id, ids)).with_only_columns(k.model.id)
    return set(s.scalars(stmt))


def _visible(s: Session, viewer: User, ranked: list[tuple[int, str, int]],
             reach: set[int] | None) -> list[tuple[int, str, int]]:
    """The ranked matches (in their order) that `viewer` (reaching `reach`) may open: one
    visibility check per kind (one query for instances), no document loaded that is not shown."""
    by_kind: dict[str, list[int]] = {}
    for _id, k, ref in ranked:
        by_kind.setdefault(k, []).append(ref)
    allowed: set[tuple[str, int]] = set()
    for k, ids in by_kind.items():
        seen = (visible_instances(s, viewer, ids, reach) if k == "instance"
                else _visible_records(s, viewer, k, ids, reach))
        allowed |= {(k, i) for i in seen}
    return [r for r in ranked if (r[1], r[2]) in allowed]


def _customers_of_contact_records(s: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return {i: c for i, c in s.execute(select(ContactRecord.id, ContactRecord.customer_id)
                                       .where(ContactRecord.id.in_(ids)))}


def _without_hidden(s: Session, viewer: User, shown: list[tuple[int, str, int]], tokens: list[str]
                    ) -> tuple[list[tuple[int, str, int]], dict[int, SearchDoc]]:
    """Field permissions (crm/admin/field_rules.py): a record document whose kind has fields the
    viewer's roles hide is checked again on the fields they may see — kept (with that text as its
    body, for the snippet: the second value, by document id) only if every word is still found there."""
    lim = field_rules.limits(s, viewer)
    out: list[tuple[int, str, int]] = []
    rewritten: dict[int, SearchDoc] = {}
    for doc_id, kind, ref in shown:
        model = KIND_MODELS.get(kind)
        hidden = lim.hides(kind) if model is not None else set()
        _kind, fields, title_field = FIELDS[model] if model is not None else ("", (), "")
        if not hidden & set(fields):
            out.append((doc_id, kind, ref))
            continue
        row = s.get(model, ref)
        body = record_text(s, kind, row, [f for f in fields if f not in hidden]) if row is not None else ""
        if all(tok in body.lower() for tok in tokens):
            doc = s.get(SearchDoc, doc_id)
            title = (doc.title if doc is not None else "") if title_field not in hidden else f"#{ref}"
            rewritten[doc_id] = SearchDoc(id=doc_id, kind=kind, ref_id=ref, title=title, body=body)
            out.append((doc_id, kind, ref))
    return out, rewritten


def snippet(body: str, tokens: list[str], width: int = 90) -> tuple[str, str]:
    """(plain text, HTML with the matches in <mark>) around the first match in `body`."""
    flat = re.sub(r"\s+", " ", body.replace("\n¶\n", " · "))
    lower = flat.lower()
    hits = [i for i in (lower.find(t) for t in tokens) if i >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    plain = ("…" if start else "") + flat[start:start + width] + ("…" if start + width < len(flat) else "")
    pattern = re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(plain):
        out += [html.escape(plain[pos:m.start()]), "<mark>", html.escape(m.group(0)), "</mark>"]
        pos = m.end()
    out.append(html.escape(plain[pos:]))
    return plain, "".join(out)


def search(db: Database, actor_id: int, q: Any, kind: Any = None, limit: int = 20) -> dict[str, Any]:
    """`{items: [{kind, id, title, snippet, highlighted}], total}`: the best `limit` matches the
    caller may see. The best CANDIDATES matches are ranked in one query (ids only), checked for what
    the reader may see in a few set queries, and only the shown documents are loaded; `total` counts
    the visible ones among those ranked (a reader who may see little of a large index still gets
    their matches, not only those among the best few)."""
    if not isinstance(q, str) or not q.strip():
        raise ValidationFailed("type something to search for", {"q": "required"})
    if len(q) > MAX_Q or "\x00" in q:
        raise ValidationFailed("the search is too long", {"q": f"at most {MAX_Q} characters"})
    if kind is not None and kind not in KINDS:
        raise ValidationFailed("unknown kind", {"kind": "one of " + ", ".join(KINDS)})
    tokens = query_tokens(q)
    if not tokens:
        return {"items": [], "total": 0, "q": q}
    with db.uow() as s:
        viewer = actor(s, actor_id)
        ranked = _ranked(s, tokens, kind, CANDIDATES)
        shown, rewritten = _without_hidden(s, viewer, _visible(s, viewer, ranked, records.reach(s, viewer)), tokens)
        items = []
        docs = [rewritten.get(d.id, d) for d in _docs(s, [r[0] for r in shown[:limit]])]
        customers = _customers_of_contact_records(s, [d.ref_id for d in docs if d.kind == "contact_record"])
        for d in docs:
            plain, marked = snippet(d.body, tokens)
            item = {"kind": d.kind, "id": d.ref_id, "title": d.title, "snippet": plain, "highlighted": marked}
            if d.kind == "contact_record":  # shown on its customer's page
                item["customer_id"] = customers.get(d.ref_id)
            items.append(item)
        return {"items": items, "total": len(shown), "q": q}
