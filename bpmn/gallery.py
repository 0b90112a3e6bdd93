"""The library of common approval processes (流程库, issue 16): the files in bpmn/library/, each
one process with its forms in forms/schemas/ and, where a record changes, its functions in
crm/processes/. They are not deployed by `app.py deploy-all`; an admin enables, copies or adapts
them from the gallery page (/designer/gallery).

What the gallery shows of a file comes from the file itself: the process id (the key), its name,
`lz:process` category, prefix and English name, and two `bpmn:documentation` elements — the
Chinese description, and the English one marked `textFormat="text/x-lz-en"`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bpmn import lz

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
EN_FORMAT = "text/x-lz-en"
_B = f"{{{lz.BPMN_NS}}}"
_L = f"{{{lz.LZ_NS}}}"
# the gallery's order of categories (others follow, by name)
CATEGORY_ORDER = ("公文", "行政", "人事", "财务", "项目", "业务")
# within a category, these first in this order (the way a reader meets them); others by key
KEY_ORDER = ("doc_outgoing", "doc_incoming", "doc_archive", "asset_request", "asset_return")


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    name_en: str
    category: str
    prefix: str
    description: str
    description_en: str
    forms: tuple[str, ...]
    steps: int  # user tasks: what a reader counts as the process's steps


def _read(path: Path) -> Entry:
    root = lz.parse_xml(path.read_bytes())
    proc = next(p for p in root.iter(f"{_B}process") if p.get("isExecutable") == "true")
    conf = proc.find(f"{_B}extensionElements/{_L}process")
    zh = en = ""
    for doc in proc.findall(f"{_B}documentation"):
        if doc.get("textFormat") == EN_FORMAT:
            en = (doc.text or "").strip()
        else:
            zh = (doc.text or "").strip()
    forms = sorted({f.get("key") or "" for f in proc.iter(f"{_L}form")} - {""})
    return Entry(key=proc.get("id") or path.stem, name=proc.get("name") or path.stem,
                 name_en=conf.get("name_en", "") if conf is not None else "",
                 category=conf.get("category", "") if conf is not None else "",
                 prefix=conf.get("prefix", "") if conf is not None else "",
                 description=zh, description_en=en, forms=tuple(forms),
                 steps=sum(1 for _ in proc.iter(f"{_B}userTask")))


@lru_cache(maxsize=1)
def _entries(stamp: tuple[tuple[str, float], ...]) -> tuple[Entry, ...]:
    return tuple(_read(LIBRARY_DIR / name) for name, _ in stamp)


def entries() -> list[Entry]:
    """Every library process, by category (CATEGORY_ORDER) then name."""
    stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in LIBRARY_DIR.glob("*.bpmn")))
    rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    first = {k: i for i, k in enumerate(KEY_ORDER)}
    return sorted(_entries(stamp), key=lambda e: (rank.get(e.category, len(rank)), e.category,
                                                  first.get(e.key, len(first)), e.key))


def get(key: str) -> Entry | None:
    return next((e for e in entries() if e.key == key), None)


def xml(key: str) -> bytes | None:
    """The file of library process `key` (None when there is none)."""
    entry = get(key)
    return (LIBRARY_DIR / f"{entry.key}.bpmn").read_bytes() if entry is not None else None
