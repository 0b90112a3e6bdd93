"""The search use case: every word of the query must match (the last one also as a prefix, so a
half-typed contract number finds it); the best matches are then kept only where the reader may see
them — an instance as on its page (a participant, or the supervisor of one, or an admin), a CRM
record as in the CRM API (own / subordinates / all) — and each comes with a snippet around the
first match, the matched words marked."""
from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from crm import org, records
from crm.admin import field_rules
from crm.models import User
from crm.records.permissions import actor
from db.session import Database
from engine.models import CarbonCopy, HumanTask, InstanceReader, ProcessInstance
from search.index import FIELDS, KIND_MODELS
from search.models import SearchDoc
from search.tokens import query_tokens

MAX_Q = 200
CANDIDATES = 200  # matches read at a time, best first
MAX_ROUNDS = 10  # at most 2,000 matches are examined for what the reader may see
KINDS = ("instance", *KIND_MODELS)
RECORD_KINDS = {"customer": "customer", "contact": "contact", "contract": "contract", "agent": "agent",
                "ticket": "ticket"}


def _fts_query(tokens: list[str]) -> str:
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def _ts_query(tokens: list[str]) -> str:
    quoted = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def _ranked(s: Session, tokens: list[str], kind: str | None, n: int) -> list[int]:
    """Ids of the `n` best matching documents, best first (ranked once, in one query)."""
    kind_sql = " AND d.kind = :kind" if kind else ""
    params: dict[str, Any] = {"n": n, "kind": kind}
    if s.get_bind().dialect.name == "sqlite":
        sql = ("SELECT d.id FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid "
               f"WHERE search_fts MATCH :q{kind_sql} ORDER BY bm25(search_fts), d.id LIMIT :n")
        params["q"] = _fts_query(tokens)
    else:
        sql = ("SELECT d.id FROM search_doc d WHERE to_tsvector('simple', d.tokens) @@ to_tsquery('simple', :q)"
               f"{kind_sql} ORDER BY ts_rank(to_tsvector('simple', d.tokens), to_tsquery('simple', :q)) DESC, d.id "
               "LIMIT :n")
        params["q"] = _ts_query(tokens)
    return list(s.scalars(text(sql), params))


def _docs(s: Session, ids: list[int]) -> list[SearchDoc]:
    docs = {d.id: d for d in s.scalars(select(SearchDoc).where(SearchDoc.id.in_(ids)))}
    return [docs[i] for i in ids if i in docs]


def visible_instances(s: Session, viewer: User, ids: list[int], reach: set[int] | None = None) -> set[int]:
    """Of `ids`, the instances `viewer` may open (engine.instances.can_view, in three queries);
    `reach` (records.reach of the viewer) when the caller has it."""
    if not ids or viewer.is_admin or org.PROCESS_ADMIN_ROLE in viewer.role_keys:
        return set(ids)
    team = (reach if reach is not None else records.reach(s, viewer)) or set()  # the viewer and those below
    people = sorted(team)
    found = set(s.scalars(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(ids), ProcessInstance.initiator_id.in_(people))))
    found |= set(s.scalars(select(HumanTask.instance_id).where(
        HumanTask.instance_id.in_(ids), HumanTask.assignee_id.in_(people))))
    found |= set(s.scalars(select(CarbonCopy.instance_id).where(
        CarbonCopy.instance_id.in_(ids), CarbonCopy.user_id.in_(people))))
    found |= set(s.scalars(select(InstanceReader.instance_id).where(  # @mentioned
        InstanceReader.instance_id.in_(ids), InstanceReader.user_id.in_(people))))
    return found


def _visible_records(s: Session, viewer: User, kind: str, ids: list[int], reach: set[int] | None) -> set[int]:
    k = records.KINDS[RECORD_KINDS[kind]]
    stmt = k.visible(s, viewer, reach).where(k.model.id.in_(ids)).with_only_columns(k.model.id)
    return set(s.scalars(stmt))


def _visible(s: Session, viewer: User, docs: list[SearchDoc], reach: set[int] | None) -> list[SearchDoc]:
    """`docs` (in their order) that `viewer` (reaching `reach`) may open."""
    by_kind: dict[str, list[int]] = {}
    for d in docs:
        by_kind.setdefault(d.kind, []).append(d.ref_id)
    allowed: set[tuple[str, int]] = set()
    for k, ids in by_kind.items():
        seen = (visible_instances(s, viewer, ids, reach) if k == "instance"
                else _visible_records(s, viewer, k, ids, reach))
        allowed |= {(k, i) for i in seen}
    return [d for d in docs if (d.kind, d.ref_id) in allowed]


def _without_hidden(s: Session, viewer: User, docs: list[SearchDoc], tokens: list[str]) -> list[SearchDoc]:
    """Field permissions (crm/admin/field_rules.py): a record document whose kind has fields the
    viewer's roles hide is checked again on the fields they may see — kept (with that text as its
    body, for the snippet) only if every word is still found there."""
    lim = field_rules.limits(s, viewer)
    out = []
    for d in docs:
        model = KIND_MODELS.get(d.kind)
        hidden = lim.hides(d.kind) if model is not None else set()
        _kind, fields, title_field = FIELDS[model] if model is not None else ("", (), "")
        if not hidden & set(fields):
            out.append(d)
            continue
        row = s.get(model, d.ref_id)
        body = "\n".join(str(v) for v in (getattr(row, f) for f in fields if f not in hidden) if v not in (None, "")) \
            if row is not None else ""
        if all(tok in body.lower() for tok in tokens):
            title = d.title if title_field not in hidden else f"#{d.ref_id}"
            out.append(SearchDoc(id=d.id, kind=d.kind, ref_id=d.ref_id, title=title, body=body))
    return out


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
    caller may see. The best CANDIDATES * MAX_ROUNDS matches are ranked in one query, then checked
    CANDIDATES at a time until `limit` visible ones are found; `total` counts the visible ones among
    those checked (a reader
    who may see little of a large index still gets their matches, not only those among the best few)."""
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
        shown: list[SearchDoc] = []
        ranked = _ranked(s, tokens, kind, CANDIDATES * MAX_ROUNDS)
        reach = records.reach(s, viewer)  # once: it reads the supervisor tree
        for start in range(0, len(ranked), CANDIDATES):
            shown += _without_hidden(s, viewer, _visible(s, viewer, _docs(s, ranked[start:start + CANDIDATES]), reach),
                                     tokens)
            if len(shown) >= limit:
                break
        items = []
        for d in shown[:limit]:
            plain, marked = snippet(d.body, tokens)
            items.append({"kind": d.kind, "id": d.ref_id, "title": d.title, "snippet": plain,
                          "highlighted": marked})
        return {"items": items, "total": len(shown), "q": q}
