"""celery_app loads the search index's word dictionary when a prefork worker starts (Celery's
worker_init, sent in the worker's main process before its pool forks), so the pool's children share
one copy instead of each loading its own (~1 s of CPU, ~100 MB) on their first indexed write. A solo
worker (no children) loads it on first use only."""
from __future__ import annotations

import pytest
from celery.signals import worker_init

import celery_app  # noqa: F401  (connects its handlers)
from search import tokens


class _Worker:
    """What worker_init's sender (celery.worker.WorkController) carries then: the pool, as named."""

    def __init__(self, pool_cls: str) -> None:
        self.pool_cls = pool_cls


@pytest.mark.parametrize("pool, loads", [("prefork", True), ("solo", False), ("threads", False)])
def test_a_prefork_worker_loads_the_word_dictionary_before_its_pool_forks(monkeypatch, pool, loads):
    monkeypatch.setattr(tokens, "_ready", False)  # as in a worker's main process that indexed nothing yet
    worker_init.send(sender=_Worker(pool))
    assert tokens.loaded() is loads
    assert tokens.document_tokens("上海某某网络科技") == "上海 某某 网络 科技 网络科技"  # loaded on first use
