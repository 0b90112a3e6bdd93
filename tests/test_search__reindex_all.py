"""search.index.reindex_all (`app.py search-reindex`, and the fill of an empty index at start-up)
rebuilds one document per instance and record, letting go of the rows as it walks them
(db/session.release_held every 200), and the index then finds what it found before."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from crm import records
from search.index import reindex_all
from search.models import SearchDoc
from tests.api.conftest import TWO_STEP
from tests.engine import helpers as h


def _docs(db) -> dict[tuple[str, int], str]:
    with db.uow() as s:
        return {(d.kind, d.ref_id): d.tokens for d in s.scalars(select(SearchDoc))}


def test_reindex_rebuilds_every_document_as_it_was(org):
    h.deploy(org, TWO_STEP)
    for i in range(3):
        h.start(org, "clerk", "two_step", {"title": f"采购显示器{i}"})
    for i in range(205):  # past one release of the held rows
        records.create(org.db, org["clerk"], "customer", {"name": f"上海某某网络科技{i}号"})
    before = _docs(org.db)
    assert len(before) >= 208
    with org.db.uow(write=True) as s:
        s.execute(delete(SearchDoc))
    with org.db.uow(write=True) as s:
        assert reindex_all(s) == len(before)
        assert len(s.info["lz_held"]) < 200 + 20, "the walk let go of the rows it had indexed"
    assert _docs(org.db) == before
    with org.db.uow() as s:
        assert s.scalar(select(func.count()).select_from(SearchDoc)) == len(before)
