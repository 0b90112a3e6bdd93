"""celery_app loads the search index's word dictionary when the worker starts (Celery's worker_init,
sent in the worker's main process before its prefork pool starts), so the pool's children share one
copy instead of each loading its own (~1 s of CPU, ~100 MB) on their first indexed write."""
from __future__ import annotations

from celery.signals import worker_init

import celery_app  # noqa: F401  (connects its handlers)
from search import tokens


def test_the_worker_loads_the_word_dictionary_before_its_pool_forks(monkeypatch):
    monkeypatch.setattr(tokens, "_ready", False)  # as in a worker's main process that indexed nothing yet
    worker_init.send(sender=None)
    assert tokens.loaded()
    assert tokens.document_tokens("上海某某网络科技") == "上海 某某 网络 科技 网络科技"
