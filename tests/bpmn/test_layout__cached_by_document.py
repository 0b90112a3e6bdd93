"""bpmn/layout.ensure_layout keeps each document's layout (a deployed version is laid out once per
process): the same document gives the same laid-out XML, a changed one is laid out afresh."""
from __future__ import annotations

from bpmn import layout
from tests.bpmn_factory import chain, user_task


def _xml(*nodes: str) -> bytes:
    x = chain("lay", [user_task(n, "any", "users", "v01") for n in nodes])
    return x if isinstance(x, bytes) else x.encode()


def test_the_same_document_is_laid_out_once_and_a_changed_one_again(monkeypatch, tmp_path):
    from bpmn import layout_cache

    monkeypatch.setenv("LIUZHUAN_INSTANCE_DIR", str(tmp_path))  # an empty layout folder
    monkeypatch.setattr(layout_cache, "_memory", type(layout_cache._memory)())
    two, three = _xml("a", "b"), _xml("a", "b", "c")
    first = layout.ensure_layout(two)
    assert layout.has_di(first) and not layout.has_di(two)
    calls: list[bytes] = []
    real = layout.auto_layout
    monkeypatch.setattr(layout, "auto_layout", lambda xml: calls.append(xml) or real(xml))
    assert layout.ensure_layout(two) == first
    assert calls == [], "graphviz ran again for a document it had laid out"
    other = layout.ensure_layout(three)
    assert calls == [three] and other != first and b'bpmnElement="c"' in other


def test_a_document_with_its_own_diagram_is_returned_as_it_is():
    laid = layout.auto_layout(_xml("x"))
    assert layout.ensure_layout(laid) == laid
