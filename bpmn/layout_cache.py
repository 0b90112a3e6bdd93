"""Laid-out diagrams kept, so a process drawn without coordinates is laid out once, not per page.

`laid_out(xml, compute)` returns `compute(xml)` (bpmn/layout.py auto_layout: graphviz plus the
flow routing, about a second for the 2,000 nodes the limits allow) from a small in-memory cache,
else from `<instance>/cache/layout/<key>.bpmn`, else computes and stores it there (written to a
temporary name and renamed, so a reader never sees half a file; a folder that cannot be written
only costs the cache). The key is the SHA-256 of the source XML and of the layout code itself
(bpmn/layout.py and bpmn/routing.py), so a changed layout algorithm never serves an old drawing.

`warm(xml)` lays out in a background thread (deploy calls it for large processes, so the first
view of their first instance does not pay for the layout); a page that asks for a layout another
thread of this process is computing waits for that one instead of computing it twice.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from core.config import load

MEMORY_ENTRIES = 32
WAIT_SECONDS = 120  # the longest a page waits for another thread's layout of the same file
_memory: OrderedDict[str, bytes] = OrderedDict()
_inflight: dict[str, threading.Event] = {}
_lock = threading.Lock()
_CODE = hashlib.sha256(b"".join((Path(__file__).with_name(n)).read_bytes()
                                for n in ("layout.py", "routing.py"))).hexdigest()


def _key(xml: bytes) -> str:
    return hashlib.sha256(_CODE.encode() + b"\0" + xml).hexdigest()


def _folder() -> Path:
    return load().instance_dir / "cache" / "layout"


def _remember(key: str, out: bytes) -> None:
    with _lock:
        _memory[key] = out
        _memory.move_to_end(key)
        while len(_memory) > MEMORY_ENTRIES:
            _memory.popitem(last=False)


def laid_out(xml: bytes, compute: Callable[[bytes], bytes]) -> bytes:
    key = _key(xml)
    with _lock:
        hit = _memory.get(key)
        running = _inflight.get(key)
        if hit is None and running is None:
            _inflight[key] = mine = threading.Event()
    if hit is not None:
        return hit
    if running is not None:  # another thread (a deploy's warm-up) is laying it out: wait for it
        running.wait(WAIT_SECONDS)
        with _lock:
            hit = _memory.get(key)
        return hit if hit is not None else compute(xml)
    try:
        out = _from_folder_or_computed(key, xml, compute)
        _remember(key, out)
        return out
    finally:
        with _lock:
            _inflight.pop(key, None)
        mine.set()


def _from_folder_or_computed(key: str, xml: bytes, compute: Callable[[bytes], bytes]) -> bytes:
    path = _folder() / f"{key}.bpmn"
    try:
        return path.read_bytes()
    except OSError:
        pass
    out = compute(xml)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(out)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable folder only costs the cache
    return out


def warm(xml: bytes, compute: Callable[[bytes], bytes]) -> threading.Thread:
    """Lay `xml` out in a daemon thread (its failure is the page's to report later)."""
    def run() -> None:
        try:
            laid_out(xml, compute)
        except Exception:  # noqa: BLE001, S110 - a warm-up only; the page lays out (and reports) itself
            pass

    thread = threading.Thread(target=run, name="lz-layout-warm", daemon=True)
    thread.start()
    return thread
