"""A process drawn without coordinates is laid out once (bpmn/layout_cache.py): the same file is
served from memory, then from the instance folder after a restart; another file, or changed layout
code, gets its own layout; an unwritable folder only costs the cache; deploying a large process
lays it out in the background so its first page view does not wait."""
from __future__ import annotations

import pytest

from bpmn import layout, layout_cache
from engine.design import definitions
from tests.bpmn_factory import chain, user_task


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LIUZHUAN_INSTANCE_DIR", str(tmp_path))
    layout_cache._memory.clear()
    yield tmp_path / "cache" / "layout"
    layout_cache._memory.clear()


def counting(calls: list[bytes]):
    def compute(xml: bytes) -> bytes:
        calls.append(xml)
        return layout.auto_layout(xml)
    return compute


XML = chain("cached", [user_task("a", "any", "users", "boss"), user_task("b", "any", "users", "boss")])


def test_the_same_file_is_laid_out_once_then_read_back_after_a_restart(cache_dir):
    calls: list[bytes] = []
    first = layout_cache.laid_out(XML, counting(calls))
    assert layout.has_di(first) and not layout.has_di(XML)
    assert layout_cache.laid_out(XML, counting(calls)) == first and len(calls) == 1
    assert len(list(cache_dir.glob("*.bpmn"))) == 1
    layout_cache._memory.clear()  # a new process: only the folder remains
    assert layout_cache.laid_out(XML, counting(calls)) == first and len(calls) == 1
    other = XML + b"<!-- another file -->"
    layout_cache.laid_out(other, counting(calls))
    assert len(calls) == 2 and len(list(cache_dir.glob("*.bpmn"))) == 2


def test_changed_layout_code_does_not_serve_an_old_drawing(cache_dir, monkeypatch):
    calls: list[bytes] = []
    layout_cache.laid_out(XML, counting(calls))
    layout_cache._memory.clear()
    monkeypatch.setattr(layout_cache, "_CODE", "another version of bpmn/layout.py")
    layout_cache.laid_out(XML, counting(calls))
    assert len(calls) == 2


def test_an_unwritable_folder_only_costs_the_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LIUZHUAN_INSTANCE_DIR", str(blocker))  # <file>/cache/layout cannot be created
    layout_cache._memory.clear()
    calls: list[bytes] = []
    assert layout.has_di(layout_cache.laid_out(XML, counting(calls)))
    layout_cache._memory.clear()


def test_a_page_waits_for_the_layout_another_thread_is_computing(cache_dir):
    import threading

    started, release, calls = threading.Event(), threading.Event(), []

    def slow(xml: bytes) -> bytes:
        calls.append(xml)
        started.set()
        release.wait(30)
        return layout.auto_layout(xml)

    warm = layout_cache.warm(XML, slow)
    assert started.wait(30)
    results: list[bytes] = []
    page = threading.Thread(target=lambda: results.append(layout_cache.laid_out(XML, counting(calls))))
    page.start()
    release.set()
    warm.join(30)
    page.join(30)
    assert len(calls) == 1 and layout.has_di(results[0])  # computed once, by the warm-up


def test_deploying_a_large_process_lays_it_out_in_the_background(org, cache_dir, monkeypatch):
    threads = []
    real_warm = layout_cache.warm
    monkeypatch.setattr(layout_cache, "warm", lambda xml, compute: threads.append(real_warm(xml, compute))
                        or threads[-1])
    monkeypatch.setattr(definitions, "WARM_LAYOUT_NODES", 5)
    small = chain("small_one", [user_task("a", "any", "users", "boss")])  # start, a, end: 3 nodes
    definitions.deploy(org.db, small, org["admin"])
    assert threads == []
    big = chain("big_one", [user_task(f"s{i}", "any", "users", "boss") for i in range(4)])  # 6 nodes
    definitions.deploy(org.db, big, org["admin"])
    assert len(threads) == 1
    threads[0].join(60)
    assert len(list(cache_dir.glob("*.bpmn"))) == 1
    calls: list[bytes] = []
    layout_cache._memory.clear()
    layout_cache.laid_out(big, counting(calls))  # the page's read: from the folder, not computed again
    assert calls == []
