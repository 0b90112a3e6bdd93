"""search/tokens.document_tokens cuts each line on its own and remembers it: the same tokens as
cutting the whole text (jieba cuts at line breaks anyway), and a document that grew by one comment
only cuts the new line."""
from __future__ import annotations

import jieba

from search import tokens

DOC = ("BX-2026-000123\n上海某某网络科技有限公司差旅报销\n费用报销\n出租车 35.50 元，酒店 420 元\n"
       "\n¶\n同意，请注意预算与合同条款\nLGTM — checked the invoices (3 PDFs)\n" + "长" * 2500)


def whole(text: str) -> str:
    tokens._init()
    return " ".join(tokens._clean(list(jieba.cut_for_search(text))))


def test_cutting_line_by_line_gives_the_tokens_of_the_whole_text():
    assert tokens.document_tokens(DOC) == whole(DOC)
    assert tokens.document_tokens("") == whole("") == ""


def test_a_document_grown_by_one_comment_cuts_only_the_new_line(monkeypatch):
    tokens.document_tokens(DOC)
    grown = DOC + "\n财务已复核，金额无误"
    expected = whole(grown)
    cut: list[str] = []
    real = jieba.cut_for_search
    monkeypatch.setattr(jieba, "cut_for_search", lambda text: cut.append(text) or real(text))
    assert tokens.document_tokens(grown) == expected
    # the remembered lines were not cut again; a line longer than CACHED_LINE is, each time
    assert cut == ["长" * 2500, "财务已复核，金额无误"]
