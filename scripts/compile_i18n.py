"""Compile the UI translations: every i18n/<locale>/*.po (one per page area, edited side by side)
is merged into translations/<locale>/LC_MESSAGES/messages.mo, which Flask-Babel reads.
A msgid translated differently in two files is an error. Run by `make run` and `make test`."""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def compile_locale(src: Path, out_root: Path) -> tuple[int, list[str]]:
    merged = Catalog(locale=src.name)
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for po in sorted(src.glob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=src.name)
        for message in catalog:
            if not message.id or not message.string:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in seen and seen[key][0] != message.string:
                problems.append(f"{po.name}: {key!r} is translated differently in {seen[key][1]}")
                continue
            seen[key] = (message.string, po.name)
            merged.add(message.id, message.string)
    target = out_root / src.name / "LC_MESSAGES" / "messages.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        write_mo(f, merged)
    return len(seen), problems


def main() -> int:
    failed = False
    for src in sorted((ROOT / "i18n").iterdir()):
        if src.is_dir():
            count, problems = compile_locale(src, ROOT / "translations")
            for p in problems:
                print(p, file=sys.stderr)
            failed = failed or bool(problems)
            print(f"i18n: {src.name}: {count} messages")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
