"""Words for the index and for queries: jieba's search-mode segmentation (a name like
上海某某网络科技 gives 上海 / 某某 / 网络 / 科技 / 网络科技), lower-cased, punctuation dropped."""
from __future__ import annotations

import logging
import re
import threading

import jieba

_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_ready = False
MAX_QUERY_TOKENS = 12


def _init() -> None:
    """jieba loads its dictionary (about 1-2 s, then cached on disk) on first use; once per process."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True


def _clean(words: list[str]) -> list[str]:
    out = []
    for w in words:
        w = w.strip().lower()
        if w and _WORD.search(w) and '"' not in w:
            out.append(w)
    return out


def document_tokens(text: str) -> str:
    """The tokens of a document, space-separated (what the full-text index reads)."""
    _init()
    return " ".join(_clean(list(jieba.cut_for_search(text))))


def query_tokens(q: str) -> list[str]:
    """The words of a query, each to be found (at most MAX_QUERY_TOKENS, duplicates removed)."""
    _init()
    seen: list[str] = []
    for w in _clean(list(jieba.cut(q))):
        if w not in seen:
            seen.append(w)
    return seen[:MAX_QUERY_TOKENS]
