"""Words for the index and for queries: jieba's search-mode segmentation (a name like
上海某某网络科技 gives 上海 / 某某 / 网络 / 科技 / 网络科技), lower-cased, punctuation dropped."""
from __future__ import annotations

import functools
import logging
import re
import threading

import jieba

_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_ready = False
MAX_QUERY_TOKENS = 12


def load() -> None:
    """Load jieba's dictionary now (a process that forks workers: they share it); else on first use."""
    _init()


def loaded() -> bool:
    return _ready


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


CACHED_LINE = 2_000  # lines up to this long are remembered (a title, a value, one comment)


@functools.lru_cache(maxsize=8192)
def _cached_line(line: str) -> tuple[str, ...]:
    return tuple(_clean(list(jieba.cut_for_search(line))))


def document_tokens(text: str) -> str:
    """The tokens of a document, space-separated (what the full-text index reads). jieba cuts at
    line breaks anyway, so each line is cut on its own and remembered: an instance's document is
    rebuilt after every commented action, and only the new comment is new text."""
    _init()
    out: list[str] = []
    for line in text.split("\n"):
        out += _cached_line(line) if len(line) <= CACHED_LINE else _clean(list(jieba.cut_for_search(line)))
    return " ".join(out)


def query_tokens(q: str) -> list[str]:
    """The words of a query, each to be found (at most MAX_QUERY_TOKENS, duplicates removed)."""
    _init()
    seen: list[str] = []
    for w in _clean(list(jieba.cut(q))):
        if w not in seen:
            seen.append(w)
    return seen[:MAX_QUERY_TOKENS]
